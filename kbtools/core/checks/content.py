"""Every content check, as functions that yield Diagnostics. Nothing here renders a page."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from collections.abc import Iterable, Iterator
from urllib.parse import unquote

from kbtools.core.model import ids
from kbtools.core.model.codes import finding
from kbtools.core.model.dates import months_later
from kbtools.core.model.diagnostics import Diagnostic
from kbtools.core.model.topics import KnowledgeBase, Topic
from kbtools.core.reading.markdown_scan import Link
from kbtools.core.site.plan import Site, SitePlan, is_external, plan, resolve, url_path


def check(kb: KnowledgeBase, *, today: dt.date | None = None,
          sites: Iterable[Site] = (Site.PUBLIC, Site.MEMBERS),
          reserved: Iterable[str] = (), members_url: str = "") -> list[Diagnostic]:
    """All findings for the knowledge base: loading, front matter, passages, links per site.

    The same finding from both sites is reported once. ``reserved`` names paths that
    generated pages take; ``members_url`` is where the members site is published (absolute
    links there from public text are checked like relative ones).
    """
    reserved = set(reserved)
    found: list[Diagnostic] = list(kb.diagnostics)
    found += duplicate_ids(kb)
    found += unclosed_blocks(kb)
    found += aliases(kb, reserved)
    found += same_urls(kb)
    found += reserved_paths(kb, reserved)
    found += topic_warnings(kb, today or dt.date.today())
    found += _per_site(kb, list(sites), members_url)
    # A broken link is broken in both sites: say it once (the first site's hint wins).
    unique: dict[tuple[str, int, int, str, str], Diagnostic] = {}
    for d in found:
        unique.setdefault((d.path, d.line, d.column, d.code, d.message), d)
    return sorted(unique.values())


# Findings that can hold in one site and not the other; KB302/KB303 name their site already.
_EITHER_SITE = frozenset({"KB300", "KB301", "KB305", "KB306", "KB307"})


def _per_site(kb: KnowledgeBase, sites: list[Site], members_url: str) -> list[Diagnostic]:
    """The link checks of every site; a finding that holds in one site of several says which
    (a broken link inside a members passage is broken in the members site only)."""
    by_site = [list(links(plan(kb, site), members_url=members_url)) for site in sites]
    if len(sites) < 2:
        return by_site[0] if by_site else []
    keys = [{(d.path, d.line, d.column, d.code) for d in found} for found in by_site]
    out: list[Diagnostic] = []
    for site, found in zip(sites, by_site, strict=True):
        others = set().union(*(k for k, s in zip(keys, sites, strict=True) if s is not site))
        for d in found:
            if d.code in _EITHER_SITE and (d.path, d.line, d.column, d.code) not in others:
                d = dataclasses.replace(d, message=f"{d.message} (in the {site.value} site)")
            out.append(d)
    return out


def duplicate_ids(kb: KnowledgeBase) -> Iterator[Diagnostic]:
    """Each ``id`` belongs to one topic: the copy that took it later is told (by git history;
    every copy when git cannot tell), with the next free id."""
    by_id: dict[str, list[str]] = {}
    for path, topic in kb.topics.items():
        tid = topic.id
        if tid is not None:
            by_id.setdefault(tid, []).append(path)
    shared = {tid: paths for tid, paths in by_id.items() if len(paths) > 1}
    if not shared:
        return
    blamed = {tid: ids.newer_copies(kb.root, paths, tid) for tid, paths in shared.items()}
    free = iter(ids.next_ids(kb, sum(len(b) for b in blamed.values())))
    for tid, paths in shared.items():
        for path in blamed[tid]:
            others = ", ".join(kb.display(p) for p in paths if p != path)
            earlier = " (git has it from earlier)" if len(blamed[tid]) < len(paths) else ""
            suggestion = next(free, None)
            yield _d(kb, path, kb.topics[path].meta_lines.get("id", 0), 1, "KB111",
                     f"id `{tid}` is already used by {others}{earlier}",
                     f"give this topic the next free id: `id: {suggestion}`" if suggestion
                     else "give this topic an id no other topic has")


def aliases(kb: KnowledgeBase, reserved: Iterable[str] = ()) -> Iterator[Diagnostic]:
    """An alias names a URL no page has (a topic, a generated page, another alias), in either
    site: its redirect page would be written over that page (`a/index.md`, `a.md` and `a/`
    are one URL)."""
    pages = {url_path(p): p for p in kb.topics}
    generated = {url_path(p): p for p in reserved}
    owner: dict[str, tuple[str, str]] = {}  # alias URL -> (alias, topic)
    for path, topic in kb.topics.items():
        line = topic.meta_lines.get("aliases", 1)
        for alias in topic.aliases:
            url = url_path(alias)
            shown = f"`/{url}`"
            if url in pages:
                other = pages[url]
                what = "is the path of an existing topic" if other == alias else \
                    f"has the address {shown} of the topic {kb.display(other)}"
                yield _d(kb, path, line, 1, "KB308", f"alias `{alias}` {what}",
                         "remove the alias, or move that topic away first")
            elif url in generated:
                page = "the home page" if not url else f"the generated page {shown}"
                yield _d(kb, path, line, 1, "KB308", f"alias `{alias}` has the address of "
                         f"{page}: its redirect would replace that page", "remove the alias")
            elif url in owner:
                first_alias, first = owner[url]
                same = "" if first_alias == alias else f" (as `{first_alias}`)"
                yield _d(kb, path, line, 1, "KB308", f"alias `{alias}` is also an alias of "
                         f"{kb.display(first)}{same}", "keep the alias on one topic")
            else:
                owner[url] = (alias, path)


def same_urls(kb: KnowledgeBase) -> Iterator[Diagnostic]:
    """Two topics never share an address (`a.md` and `a/index.md` are both `/a/`)."""
    first: dict[str, str] = {}
    for path in sorted(kb.topics):
        url = url_path(path)
        if url in first:
            yield _d(kb, path, 1, 1, "KB310", f"`{path}` has the same address `/{url}` as "
                     f"{kb.display(first[url])}; one page would replace the other",
                     "rename or move one of the two topics")
        else:
            first[url] = path


# What the theme and MkDocs write into every site, besides pages.
_SITE_FILES = frozenset({"404.html", "sitemap.xml", "sitemap.xml.gz", "robots.txt"})
_SITE_FOLDERS = ("assets/", "search/")


def reserved_paths(kb: KnowledgeBase, reserved: Iterable[str]) -> Iterator[Diagnostic]:
    """Generated pages own their paths; a file next to the topics may not be where a page, or
    the theme, writes (a file `tags` is the folder of the tags page)."""
    reserved = set(reserved)
    for path in sorted(reserved & set(kb.topics)):
        yield _d(kb, path, 1, 1, "KB309", f"`{path}` is the path of a generated page",
                 "rename the topic")
    written: dict[str, str] = {}
    for page in (*kb.topics, *reserved):
        folder = url_path(page).rstrip("/")
        if folder:
            written[folder] = written[f"{folder}/index.html"] = page
    for asset in sorted(kb.assets):
        if asset in written:
            what = (f"the page of `{written[asset]}`" if written[asset] in kb.topics
                    else "a generated page")
            yield _d(kb, asset, 0, 0, "KB309", f"`{asset}` is where {what} is written",
                     "rename the file; give it an extension (e.g. `.txt`, `.pdf`)")
        elif asset in _SITE_FILES or asset.startswith(_SITE_FOLDERS):
            yield _d(kb, asset, 0, 0, "KB309", f"`{asset}` is a file the site itself writes",
                     "rename the file or move it into a subject folder")


def unclosed_blocks(kb: KnowledgeBase) -> Iterator[Diagnostic]:
    """A members block must be closed, or everything after it would be members-only by accident."""
    for path, topic in kb.topics.items():
        for block in topic.scan().members_blocks:
            if not block.closed:
                yield _d(kb, path, block.start, 1, "KB200",
                         f"the `/// members` block opened on line {block.start} is never closed",
                         "add a line `///` (same number of slashes) after the passage")


def topic_warnings(kb: KnowledgeBase, today: dt.date) -> Iterator[Diagnostic]:
    """Things a writer should fix that do not stop a build."""
    for path, topic in kb.topics.items():
        if not topic.valid or topic.is_draft:
            continue
        first = topic.body_first_line - 1
        if "visibility" not in topic.meta:
            yield _d(kb, path, 1, 1, "KB122", "no `visibility:`: the topic is members-only",
                     "add `visibility: public` if anonymous visitors may read it")
        if topic.is_public:
            yield from _public_page_complete(kb, path, topic)
        elif not topic.summary:
            yield _d(kb, path, 1, 1, "KB120", "the topic has no `summary:`",
                     "add a one-sentence summary; listings and search show it")
        review_by = topic.review_by
        updated = topic.updated
        if review_by and updated and updated > review_by:
            yield _d(kb, path, topic.meta_lines.get("review_by", first), 1, "KB123",
                     f"`updated: {updated.isoformat()}` is later than `review_by: "
                     f"{review_by.isoformat()}`",
                     "when the topic changed its review date stayed behind: set `review_by` "
                     f"to when it must next be reviewed, e.g. `review_by: "
                     f"{months_later(updated, 6).isoformat()}`")
        if review_by and review_by < today:
            yield _d(kb, path, topic.meta_lines.get("review_by", first), 1, "KB121",
                     f"review date {review_by.isoformat()} has passed",
                     "review the topic, then move `review_by` forward and set `updated`")


_COMMENT = re.compile(r"<!--.*?(-->|\Z)", re.DOTALL)


def _public_page_complete(kb: KnowledgeBase, path: str, topic: Topic) -> Iterator[Diagnostic]:
    # An empty public page is worse than none: it ranks, it is linked, and it says nothing.
    if not topic.summary:
        yield _d(kb, path, topic.meta_lines.get("title", 1), 1, "KB124",
                 "public topic has no `summary:`; the public site does not publish it without one",
                 "add `summary: \"...\"`, one sentence that answers the title's question")
    if not _COMMENT.sub("", topic.public_body()).strip():
        members_only = bool(topic.scan().members_blocks)
        yield _d(kb, path, topic.body_first_line - 1, 1, "KB125",
                 "public topic has no answer" + (" outside its members passages" if members_only
                                                 else "") + "; an empty page is not published",
                 "write the answer under the front matter"
                 + ("; or make the topic `visibility: members`" if members_only else ""))


def links(site: SitePlan, *, members_url: str = "") -> Iterator[Diagnostic]:
    """Every link, image, anchor and ``related:`` entry of every page resolves in ``site``."""
    by_url = {url_path(p): p for p in site.kb.topics} if members_url else {}
    for path, topic in site.topics.items():
        for link in _site_links(site, topic):
            problem = (_check_members_host(site, topic, link, members_url, by_url)
                       if members_url else None) or _check_link(site, topic, link)
            if problem:
                yield problem
        for entry in topic.related:
            if entry in site.topics or site.kb.has_errors(entry) or (
                    site.is_public and entry in site.kb.topics
                    and site.kb.topics[entry].valid and not site.kb.topics[entry].is_draft):
                # Public topics may relate to members topics: the public site drops the entry.
                continue
            yield _d(site.kb, path, topic.meta_lines.get("related", 1), 1, "KB305",
                     f"related topic `{entry}` does not exist",
                     _closest(entry, site.topics) or "list existing topics, relative to content/")


def _site_links(site: SitePlan, topic: Topic) -> list[Link]:
    """The links of ``topic``'s page in ``site``. A public page with passages: the renderer's
    (placed at the line the scanner found them on, or at the first passage)."""
    scanned = topic.scan().site_links(public=site.is_public)
    if not (site.is_public and topic.reading is not None):
        return scanned
    where: dict[str, Link] = {}
    for link in topic.scan().links:
        where.setdefault(link.target, link)
    blocks = topic.scan().members_blocks
    fallback = blocks[0].start if blocks else topic.body_first_line
    out = []
    for url in dict.fromkeys(topic.reading.public_links):
        known = where.get(url)
        out.append(known if known is not None else Link(url, fallback, 1, "", False, False))
    return out


def _check_members_host(site: SitePlan, topic: Topic, link: Link, members_url: str,
                        by_url: dict[str, str]) -> Diagnostic | None:
    """A public link to a members-only page by its address on the members site."""
    if not site.is_public:
        return None
    path = members_site_path(link.target, members_url)
    if path is None:
        return None
    dest = by_url.get(path) or by_url.get(path.rstrip("/") + "/")
    other = site.kb.topics.get(dest) if dest else None
    if other is None or dest in site.topics or not other.valid:
        return None
    return _d(site.kb, topic.path, link.line, link.column, "KB302",
              f"public text links to members-only topic `{dest}` on the members site",
              "move the link into a `/// members` block, or link a public topic")


def members_site_path(url: str, members_url: str) -> str | None:
    """The site path of ``url`` when it is an address on the members site (http or https)."""
    if not members_url or "//" not in url:
        return None
    host_url = members_url.rstrip("/")
    bare = host_url.split("//", 1)[1]
    target = url.split("#", 1)[0].split("?", 1)[0]
    rest = target.split("//", 1)[1] if "//" in target else ""
    if rest == bare or rest.startswith(bare + "/"):
        return unquote(rest[len(bare):].lstrip("/"))
    return None


def _check_link(site: SitePlan, topic: Topic, link: Link) -> Diagnostic | None:
    kb, target = site.kb, link.target
    where = (topic.path, link.line, link.column)
    if is_external(target):
        return None
    if target.startswith("/"):
        return _d(kb, *where, "KB304", f"absolute link `{target}` cannot be checked",
                  "link the topic's .md file with a relative path")
    anchor = unquote(target.split("#", 1)[1]) if "#" in target else None
    dest = resolve(topic.path, target)
    if dest is None:  # same-page anchor
        return _check_anchor(site, topic, topic.path, anchor, where, target)
    if dest.startswith(".."):
        return _d(kb, *where, "KB307", f"link `{target}` leaves the content folder",
                  "link topics and files inside content/")
    if not dest.endswith(".md"):
        # Public text that uses a file puts it in the public plan, so membership is the test.
        if dest in site.assets:
            return None
        return _d(kb, *where, "KB306", f"`{target}` does not exist", _closest(dest, kb.assets)
                  or "add the file next to the topic or fix the path")
    if dest not in site.topics:
        if kb.has_errors(dest):
            return None  # the topic's own error is reported once, in its file
        other = kb.topics.get(dest)
        if site.is_public and other is not None and other.valid and not other.is_draft:
            return _d(kb, *where, "KB302", f"public text links to members-only topic `{dest}`",
                      "move the link into a `/// members` block, or link a public topic")
        why = " (it is a draft)" if other is not None and other.is_draft else ""
        return _d(kb, *where, "KB300", f"link `{target}`: topic `{dest}` does not exist{why}",
                  _closest(dest, site.topics))
    return _check_anchor(site, topic, dest, anchor, where, target)


def _check_anchor(site: SitePlan, topic: Topic, dest: str, anchor: str | None,
                  where: tuple[str, int, int], target: str) -> Diagnostic | None:
    if not anchor:
        return None
    anchors = site.anchors(dest)
    if anchor in anchors:
        return None
    kb = site.kb
    if site.is_public and anchor in kb.topics[dest].scan().anchors(public=False):
        return _d(kb, *where, "KB303", f"`{target}`: heading `#{anchor}` is inside a members "
                  "passage, so the public site does not have it",
                  "link a heading outside the passage, or move this link into a "
                  "`/// members` block")
    page = "this page" if dest == topic.path else f"`{dest}`"
    return _d(kb, *where, "KB301", f"`{target}`: {page} has no heading `#{anchor}`",
              _closest(anchor, anchors) or _headings(anchors))


def _headings(anchors: Iterable[str]) -> str:
    listed = sorted(anchors)
    if not listed:
        return "the page has no headings: link it without `#...`"
    more = f" and {len(listed) - 6} more" if len(listed) > 6 else ""
    return "the page's headings are " + ", ".join(f"`#{a}`" for a in listed[:6]) + more


def _closest(wanted: str, choices: Iterable[str]) -> str | None:
    match = difflib.get_close_matches(wanted, sorted(choices), n=1, cutoff=0.5)
    return f"did you mean `{match[0]}`?" if match else None


def _d(kb: KnowledgeBase, path: str, line: int, col: int, code: str, message: str,
       hint: str | None = None) -> Diagnostic:
    return finding(kb.display(path), line, col, code, message, hint)
