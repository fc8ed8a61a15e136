"""Read every file a public build wrote and report anything members-only in it.

This is the last line of defence: the plan and the plugin keep members content out, the
audit proves it on the bytes that would be published. HTML is read with a real HTML parser
(:mod:`html_text`): text is compared one block element at a time (a phrase never matches
across a heading and the paragraph after it), attribute values are read whether quoted or
not, and addresses are resolved like a browser would, including absolute ones to this site
and to the members site.
"""

from __future__ import annotations

import gzip
import html
import json
import os
import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from kbtools.core.model.codes import finding
from kbtools.core.model.diagnostics import Diagnostic
from kbtools.core.model.text import words
from kbtools.core.output import pagefind_files
from kbtools.core.output.secrets import Origin, Secrets, tag_key
from kbtools.core.reading import html_text

_SEGMENT = re.compile(r"[\w.~%-]+")
_URLISH = re.compile(r"""[^\s"'<>()\[\]{},;=`\\]+""")
_TAG_ANCHOR = re.compile(r"#tag:([\w%.-]+)")
_LOC = re.compile(r"<loc>\s*([^<\s]+)\s*</loc>")
_HTML_SUFFIXES = (".html", ".htm", ".svg", ".xhtml")
_TEXT_SUFFIXES = (*_HTML_SUFFIXES, ".xml", ".json", ".js", ".css", ".txt", ".map",
                  ".webmanifest", ".md", ".csv")


@dataclass
class Expectations:
    """What the public site may contain, as the adapter built it."""

    pages: set[str] = field(default_factory=set)  # site-relative URL paths of built pages
    site_url_path: str = "/"  # the path part of site_url, stripped from absolute URLs
    site_url: str = ""
    # Where the members site is published: links there to a members page are leaks too.
    members_url: str = ""
    # Output files copied from the theme: path in the site -> source file. Such a file, when
    # its bytes equal the source's, was not made from content and is not searched for text.
    verbatim: dict[str, str] = field(default_factory=dict)


def audit(site_dir: str | os.PathLike[str], secrets: Secrets,
          expected: Expectations) -> list[Diagnostic]:
    """Every leak found in ``site_dir``; empty when the site is clean."""
    root = Path(site_dir)
    found: list[Diagnostic] = []
    for path in iter_files(root):
        rel = path.relative_to(root).as_posix()
        data = path.read_bytes()
        if _is_verbatim(rel, data, expected):
            if rel in secrets.files:
                found += _audit_file(rel, b"", secrets, expected)
            continue
        found += _audit_file(rel, data, secrets, expected)
    return sorted(set(found))


def audit_file(rel: str, data: bytes, secrets: Secrets,
               expected: Expectations) -> list[Diagnostic]:
    """Every leak in one file of the public site (``rel``, its path there) holding ``data``:
    the checks :func:`audit` makes of each file it reads (the preview audits what it serves)."""
    return sorted(set(_audit_file(rel, data, secrets, expected)))


def _is_verbatim(rel: str, data: bytes, expected: Expectations) -> bool:
    source = expected.verbatim.get(rel)
    if source is None:
        return False
    try:
        return Path(source).read_bytes() == data
    except OSError:
        return False


def _audit_file(rel: str, data: bytes, secrets: Secrets,
                expected: Expectations) -> list[Diagnostic]:
    found = []
    if rel in secrets.files:
        origin = secrets.files[rel]
        found.append(_leak(rel, "KB503", f"file {origin.text} is used only by members topics",
                           origin))
    if pagefind_files.is_pagefind(rel):
        return found + _audit_pagefind(rel, data, secrets, expected)
    if rel.endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):
            return found
        rel_inner = rel[:-3]
    else:
        rel_inner = rel
    if not rel_inner.endswith(_TEXT_SUFFIXES):
        return found
    text = data.decode("utf-8", errors="replace")
    base = posixpath.dirname(rel_inner)
    report = _Reporter(rel, found)

    if rel_inner.endswith((".html", ".htm")) and not rel_inner.startswith("assets/"):
        url = _page_url(rel_inner)
        if not _public_page(url, secrets, expected) and rel_inner != "404.html":
            found.append(_diag(rel, "KB505", f"page `{url or '/'}` is not a page of the public "
                               "site"))
    if rel_inner == "sitemap.xml":
        for loc in _LOC.findall(text):
            page = _site_path(html.unescape(loc), expected)
            if page is None or not _public_page(page, secrets, expected):
                found.append(_diag(rel, "KB504", f"sitemap lists `{loc}`, not a public page"))
    if rel_inner.endswith(".json"):
        try:
            doc = json.loads(text)
        except ValueError:
            doc = None
        if doc is not None:
            if rel_inner == "search/search_index.json" and isinstance(doc, dict):
                for entry in doc.get("docs", []):
                    # Locations are URLs: `%C3%BC%20ber/a/` is the page `ü ber/a/`.
                    page = unquote(str(entry.get("location", "")).split("#", 1)[0])
                    if not _public_page(page, secrets, expected):
                        found.append(_diag(rel, "KB504", f"search index lists `{page or '/'}`, "
                                           "not a public page"))
            _scan_json(doc, base, secrets, expected, report)
            return found
    if rel_inner.endswith(_HTML_SUFFIXES):
        _scan_html(text, base, secrets, expected, report)
    else:
        _scan_units(text.split("\n"), base, secrets, expected, report)
    return found


def _audit_pagefind(rel: str, data: bytes, secrets: Secrets,
                    expected: Expectations) -> list[Diagnostic]:
    """A file of the search index (compressed JSON or CBOR): every string in it is read like
    a JSON file's; a fragment's page must be a public page; filter values are checked as
    tags (the audience filter). A file that does not decode is refused."""
    found: list[Diagnostic] = []
    try:
        read = pagefind_files.read(data, rel)
    except pagefind_files.Unreadable as e:
        return [_diag(rel, "KB506", f"search index file cannot be read: {e}")]
    if read.binary:
        return found  # the search engine's WebAssembly: code, the same for every site
    report = _Reporter(rel, found)
    doc = read.doc
    if rel.endswith(".pf_fragment") and isinstance(doc, dict):
        page = unquote(str(doc.get("url", "")).split("#", 1)[0]).lstrip("/")
        if not _public_page(page, secrets, expected):
            found.append(_diag(rel, "KB504", f"search index lists `{page or '/'}`, not a "
                               "public page"))
        for values in (doc.get("filters") or {}).values():
            for value in values if isinstance(values, list) else [values]:
                _check_tag(str(value), secrets, report)
        # Page URLs are site-relative from the root; checked as such, not as files.
        doc = {k: v for k, v in doc.items() if k != "url"}
    if rel.endswith(".pf_filter"):
        for _key, value in _json_items(doc):
            _check_tag(value, secrets, report)
    _scan_json(doc, "", secrets, expected, report)
    return found


class _Reporter:
    """Collects one file's findings, each origin once."""

    def __init__(self, rel: str, found: list[Diagnostic]) -> None:
        self.rel, self.found, self.seen = rel, found, set[Origin]()

    def __call__(self, code: str, what: str, origin: Origin) -> None:
        if origin not in self.seen:
            self.seen.add(origin)
            self.found.append(_leak(self.rel, code, what, origin))


def _scan_html(text: str, base: str, secrets: Secrets, expected: Expectations,
               report: _Reporter) -> None:
    doc = html_text.read(text, memo=secrets.html_memo)
    _scan_units([unit.text for unit in doc.units], base, secrets, expected, report)
    for address in doc.addresses:
        _check_url(address.url, base, secrets, expected, report)
        for t in _TAG_ANCHOR.findall(address.url):
            _check_tag(unquote(t), secrets, report)
    for name in doc.tags:
        _check_tag(name, secrets, report)


def _scan_json(doc: Any, base: str, secrets: Secrets, expected: Expectations,
               report: _Reporter) -> None:
    """Every string of a JSON file is a unit; a string that holds HTML (the search index's
    ``text``) is read as HTML; ``tags`` lists name tags; addresses are checked as URLs."""
    units: list[str] = []
    fragments: list[str] = []
    for key, value in _json_items(doc):
        if key in _ADDRESS_KEYS:
            _check_url(value, base, secrets, expected, report)
        elif "<" in value and ">" in value:
            fragments.append(value)
        else:
            units.append(value)
        if key == "tags" or key == "tag":
            _check_tag(value, secrets, report)
    _scan_units(units, base, secrets, expected, report)
    if fragments:
        # One parse for all of them: each in an element of its own, so units (and phrases)
        # never run from one fragment into the next.
        _scan_html("".join(f"<div>{f}</div>" for f in fragments), base, secrets, expected,
                   report)


_BOUNDARY = "\x1f"  # between the words of two units: no phrase spans it


_MEMO_CHARS = 600  # units up to this long are remembered (nav entries, labels, short paragraphs)
_MEMO_MAX = 200_000  # remembered units at most, per audit


def _scan_units(units: list[str], base: str, secrets: Secrets, expected: Expectations,
                report: _Reporter) -> None:
    """Look for secrets in ``units``, each on its own: no phrase matches across two units.

    Short units recur on every page (nav entries, labels, the header and footer): what they
    hold is looked up once per audit and remembered. The others are searched as one sequence
    (one set of keys, one string) with a boundary token between units, which no phrase
    contains. Either way a phrase is found exactly when it is in one unit's words."""
    seq: list[str] = []
    memo = secrets.unit_memo
    for text in units:
        if len(text) <= _MEMO_CHARS:
            hits = memo.get(text)
            if hits is None:
                unit_words = words(html.unescape(text) if "&" in text else text)
                hits = tuple(secrets.phrases.find(unit_words)) if unit_words else ()
                if len(memo) < _MEMO_MAX:
                    memo[text] = hits
            for origin in hits:
                report("KB500", f"members-only {origin.kind} \"{origin.text}\"", origin)
            continue
        if "&" in text:
            text = html.unescape(text)
        unit_words = words(text)
        if unit_words:
            seq += unit_words
            seq.append(_BOUNDARY)
    if seq:
        for origin in secrets.phrases.find(seq):
            report("KB500", f"members-only {origin.kind} \"{origin.text}\"", origin)
    joined = "\n".join(units)
    if secrets.urls:
        # Only tokens that contain the last part of some members URL can resolve to one.
        names = secrets.url_names & set(_SEGMENT.findall(joined))
        if names:
            for token in _URLISH.findall(joined):
                if any(h in token for h in names):
                    _check_url(html.unescape(token), base, secrets, expected, report)
    for t in _TAG_ANCHOR.findall(joined) if "#tag:" in joined else ():
        _check_tag(unquote(t), secrets, report)


def _check_url(url: str, base: str, secrets: Secrets, expected: Expectations,
               report: _Reporter) -> None:
    if not secrets.urls or not _may_name_a_secret(url, secrets):
        return
    for candidate in _resolve(url, base, expected):
        origin = secrets.urls.get(candidate)
        if origin is not None:
            kind = "page" if origin.kind == "url" else "file"
            report("KB501", f"members-only {kind} `{origin.text}` is referenced", origin)


def _may_name_a_secret(url: str, secrets: Secrets) -> bool:
    """Whether ``url``'s last path part (``index.html`` aside) is the last part of a members
    URL: any other address cannot resolve to one, however it is written."""
    memo = secrets.url_memo
    known = memo.get(url)
    if known is None:
        path = unquote(url.split("#", 1)[0].split("?", 1)[0])
        parts = [p for p in path.split("/") if p and p not in (".", "..", "index.html")]
        known = not parts or parts[-1] in secrets.url_names
        if len(memo) < _MEMO_MAX:
            memo[url] = known
    return known


def _check_tag(name: str, secrets: Secrets, report: _Reporter) -> None:
    origin = secrets.tags.get(tag_key(name))
    if origin is not None:
        report("KB502", f"members-only tag `{origin.text}`", origin)


def _resolve(token: str, base: str, expected: Expectations) -> Iterator[str]:
    token = token.strip().split("#", 1)[0].split("?", 1)[0]
    if not token or ("/" not in token and "." not in token):
        return
    members = _members_path(token, expected)
    if members is not None:
        yield members
        return
    site_path = _site_path(token, expected)
    if site_path is not None:
        yield site_path
        return
    token = unquote(token)
    yield posixpath.normpath(posixpath.join(base, token)) + ("/" if token.endswith("/") else "")
    if base:
        yield posixpath.normpath(token) + ("/" if token.endswith("/") else "")


def _site_path(url: str, expected: Expectations) -> str | None:
    """A site-relative path for an absolute URL (or root-relative path) of this site."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        if expected.site_url and not url.startswith(expected.site_url.rstrip("/")):
            return None
        path = parts.path
    elif url.startswith("/"):
        path = url
    else:
        return None
    prefix = expected.site_url_path
    if not path.startswith(prefix):
        return None
    return unquote(path[len(prefix):])


def _members_path(url: str, expected: Expectations) -> str | None:
    """The site path of an absolute URL on the members site (same layout as the public one)."""
    prefix = expected.members_url
    if not prefix or "//" not in url:
        return None
    norm = url if url.startswith(("http:", "https:")) else "https:" + url
    for candidate in {prefix.rstrip("/"), prefix.rstrip("/").replace("https:", "http:", 1)}:
        if norm == candidate or norm.startswith(candidate + "/"):
            path = urlsplit(norm).path
            start = urlsplit(prefix).path.rstrip("/")
            return unquote(path[len(start):].lstrip("/"))
    return None


def _public_page(url: str, secrets: Secrets, expected: Expectations) -> bool:
    # `a/index.html` and `a/` are one page (use_directory_urls off writes the former).
    page = _page_url(url)
    return page not in secrets.urls and (page in expected.pages or url in expected.pages)


def _page_url(rel: str) -> str:
    if rel == "index.html":
        return ""
    if rel.endswith("/index.html"):
        return rel[: -len("index.html")]
    return rel


_ADDRESS_KEYS = frozenset({"location", "url", "href", "src", "path"})


def _json_items(doc: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """(key, string) for every string in ``doc`` (keys are text too; list items keep the key
    of their list)."""
    if isinstance(doc, str):
        yield key, doc
    elif isinstance(doc, dict):
        for k, v in doc.items():
            yield "", str(k)
            yield from _json_items(v, str(k))
    elif isinstance(doc, list):
        for v in doc:
            yield from _json_items(v, key)
    elif doc is not None and not isinstance(doc, bool):
        yield key, str(doc)


def _leak(rel: str, code: str, what: str, origin: Origin) -> Diagnostic:
    src = origin.path + (f":{origin.line}" if origin.line else "")
    return _diag(rel, code, f"{what} (from {src})")


def _diag(rel: str, code: str, message: str) -> Diagnostic:
    return finding(rel, 0, 0, code, message,
                      "a guard failed: the build was refused and the previous site kept")


def iter_files(site_dir: str | os.PathLike[str]) -> Iterable[Path]:
    """Every file of a built site, in a stable order."""
    return sorted(p for p in Path(site_dir).rglob("*") if p.is_file())
