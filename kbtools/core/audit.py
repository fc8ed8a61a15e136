"""Read every file a public build wrote and report anything members-only in it.

This is the last line of defence: the plan and the plugin keep members content out, the
audit proves it on the bytes that would be published.
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

from .codes import severity_of
from .diagnostics import Diagnostic
from .secrets import Origin, Secrets, tag_key, words

_TAG = re.compile(r"<[^>]*>")
# Attribute values that carry text (alt, title, content, aria-label, ...). Addresses and
# identifiers are left to the URL check: a public slug may contain a members phrase's words.
_ATTR_VALUE = re.compile(r"""(?<![\w:-])(?!(?:href|src|srcset|id|class|rel|for|action)\s*=)"""
                         r"""[\w:-]+\s*=\s*(?:"([^"<>]*)"|'([^'<>]*)')""")
_SEGMENT = re.compile(r"[\w.~%-]+")
_URLISH = re.compile(r"""[^\s"'<>()\[\]{},;=`\\]+""")
_MD_TAG = re.compile(r"""class="md-tag[^"]*"[^>]*>\s*([^<]+?)\s*<""")
_TAG_ANCHOR = re.compile(r"#tag:([\w%.-]+)")
_LOC = re.compile(r"<loc>\s*([^<\s]+)\s*</loc>")
_TEXT_SUFFIXES = (".html", ".htm", ".xml", ".json", ".js", ".css", ".txt", ".svg", ".map",
                  ".webmanifest", ".md")


@dataclass
class Expectations:
    """What the public site may contain, as the adapter built it."""

    pages: set[str] = field(default_factory=set)  # site-relative URL paths of built pages
    site_url_path: str = "/"  # the path part of site_url, stripped from absolute URLs
    site_url: str = ""
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
        if rel_inner == "search/search_index.json" and isinstance(doc, dict):
            for entry in doc.get("docs", []):
                page = str(entry.get("location", "")).split("#", 1)[0]
                if not _public_page(page, secrets, expected):
                    found.append(_diag(rel, "KB504", f"search index lists `{page or '/'}`, "
                                       "not a public page"))
        if doc is not None:
            # One text per file: newlines between strings keep phrases within a string.
            # Addresses (search locations) are not prose: the URL check reads them.
            found += _scan_text(rel, "\n".join(_json_strings(doc)), "", secrets, expected,
                                json_tags=_json_tags(doc),
                                prose="\n".join(_json_strings(doc, skip=_ADDRESS_KEYS)))
            return found
    found += _scan_text(rel, text, base, secrets, expected, json_tags=[])
    return found


def _scan_text(rel: str, text: str, base: str, secrets: Secrets, expected: Expectations,
               json_tags: list[str], prose: str | None = None) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    seen: set[Origin] = set()

    def report(code: str, what: str, origin: Origin) -> None:
        if origin not in seen:
            seen.add(origin)
            found.append(_leak(rel, code, what, origin))

    text = html.unescape(text) if "&" in text else text
    prose = text if prose is None else (html.unescape(prose) if "&" in prose else prose)
    # Text as a reader sees it (tags removed, so "<em>" cannot split a phrase), and the
    # attribute values (alt, title, meta content) on their own.
    views = [prose]
    if "<" in prose:
        views = [_TAG.sub(" ", prose), " | ".join(a or b for a, b in _ATTR_VALUE.findall(prose))]
    for view in views:
        for origin in secrets.phrases.find(words(view)):
            report("KB500", f"members-only {origin.kind} \"{origin.text}\"", origin)
    if secrets.urls:
        # Only tokens that contain the last part of some members URL can resolve to one.
        hits = secrets.url_names & set(_SEGMENT.findall(text))
        if hits:
            for token in _URLISH.findall(text):
                if any(h in token for h in hits):
                    for candidate in _resolve(token, base, expected):
                        origin = secrets.urls.get(candidate)
                        if origin is not None:
                            kind = "page" if origin.kind == "url" else "file"
                            report("KB501", f"members-only {kind} `{origin.text}` is referenced",
                                   origin)
    if secrets.tags:
        names = _MD_TAG.findall(text) + [unquote(t) for t in _TAG_ANCHOR.findall(text)]
        for name in names + json_tags:
            origin = secrets.tags.get(tag_key(name))
            if origin is not None:
                report("KB502", f"members-only tag `{origin.text}`", origin)
    return found


def _resolve(token: str, base: str, expected: Expectations) -> Iterator[str]:
    token = token.split("#", 1)[0].split("?", 1)[0]
    if not token or ("/" not in token and "." not in token):
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


def _json_strings(doc: Any, skip: frozenset[str] = frozenset()) -> Iterator[str]:
    if isinstance(doc, str):
        yield doc
    elif isinstance(doc, dict):
        for k, v in doc.items():
            yield str(k)
            if k not in skip:
                yield from _json_strings(v, skip)
    elif isinstance(doc, list):
        for v in doc:
            yield from _json_strings(v, skip)


def _json_tags(doc: Any) -> list[str]:
    # Material's search index ("tags": [...]) and tags.json ({"tags": ...}) name tags in lists.
    out: list[str] = []
    if isinstance(doc, dict):
        for k, v in doc.items():
            if k == "tags" and isinstance(v, list):
                out += [x if isinstance(x, str) else str(x.get("name", "")) if isinstance(x, dict)
                        else "" for x in v]
            out += _json_tags(v)
    elif isinstance(doc, list):
        for v in doc:
            out += _json_tags(v)
    return out


def _leak(rel: str, code: str, what: str, origin: Origin) -> Diagnostic:
    src = origin.path + (f":{origin.line}" if origin.line else "")
    return _diag(rel, code, f"{what} (from {src})")


def _diag(rel: str, code: str, message: str) -> Diagnostic:
    return Diagnostic(rel, 0, 0, code, message,
                      "a guard failed: the build was refused and the previous site kept",
                      severity_of(code))


def iter_files(site_dir: str | os.PathLike[str]) -> Iterable[Path]:
    """Every file of a built site, in a stable order."""
    return sorted(p for p in Path(site_dir).rglob("*") if p.is_file())
