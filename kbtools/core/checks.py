"""Every content check, as functions that yield Diagnostics. Nothing here renders a page."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Iterator
from urllib.parse import unquote

from .codes import severity_of
from .diagnostics import Diagnostic
from .markdown_scan import Link
from .sites import Site, SitePlan, is_external, plan, resolve
from .topics import KnowledgeBase, Topic


def check(kb: KnowledgeBase, *, today: dt.date | None = None,
          sites: Iterable[Site] = (Site.PUBLIC, Site.MEMBERS),
          reserved: Iterable[str] = ()) -> list[Diagnostic]:
    """All findings for the knowledge base: loading, front matter, passages, links per site.

    The same finding from both sites is reported once. ``reserved`` names paths that
    generated pages take.
    """
    found: list[Diagnostic] = list(kb.diagnostics)
    found += duplicate_ids(kb)
    found += unclosed_blocks(kb)
    found += aliases(kb)
    found += reserved_paths(kb, reserved)
    found += topic_warnings(kb, today or dt.date.today())
    for site in sites:
        found += links(plan(kb, site))
    # A broken link is broken in both sites: say it once (the first site's hint wins).
    unique: dict[tuple[str, int, int, str, str], Diagnostic] = {}
    for d in found:
        unique.setdefault((d.path, d.line, d.column, d.code, d.message), d)
    return sorted(unique.values())


def duplicate_ids(kb: KnowledgeBase) -> Iterator[Diagnostic]:
    """Each ``id`` belongs to one topic."""
    first: dict[str, str] = {}
    for path, topic in kb.topics.items():
        tid = topic.meta.get("id")
        if tid is None:
            continue
        if tid in first:
            yield _d(kb, path, topic.meta_lines.get("id", 0), 1, "KB111",
                     f"id `{tid}` is already used by {kb.display(first[tid])}",
                     "give this topic a new id")
        else:
            first[tid] = path


def aliases(kb: KnowledgeBase) -> Iterator[Diagnostic]:
    """An alias names a path no topic has, and belongs to one topic."""
    owner: dict[str, str] = {}
    for path, topic in kb.topics.items():
        line = topic.meta_lines.get("aliases", 1)
        for alias in topic.meta.get("aliases", []):
            if alias in kb.topics:
                yield _d(kb, path, line, 1, "KB308", f"alias `{alias}` is the path of an "
                         "existing topic", "remove the alias, or move that topic away first")
            elif alias in owner:
                yield _d(kb, path, line, 1, "KB308", f"alias `{alias}` is also an alias of "
                         f"{kb.display(owner[alias])}", "keep the alias on one topic")
            else:
                owner[alias] = path


def reserved_paths(kb: KnowledgeBase, reserved: Iterable[str]) -> Iterator[Diagnostic]:
    """Generated pages own their paths."""
    for path in sorted(set(reserved) & set(kb.topics)):
        yield _d(kb, path, 1, 1, "KB309", f"`{path}` is the path of a generated page",
                 "rename the topic")


def unclosed_blocks(kb: KnowledgeBase) -> Iterator[Diagnostic]:
    """A members block must be closed, or everything after it would be members-only by accident."""
    for path, topic in kb.topics.items():
        for block in topic.scan(public=False).members_blocks:
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
        if not topic.summary:
            yield _d(kb, path, 1, 1, "KB120", "the topic has no `summary:`",
                     "add a one-sentence summary; listings and search show it")
        review_by = topic.meta.get("review_by")
        if review_by and review_by < today:
            yield _d(kb, path, topic.meta_lines.get("review_by", first), 1, "KB121",
                     f"review date {review_by.isoformat()} has passed",
                     "review the topic, then move `review_by` forward and set `updated`")


def links(site: SitePlan) -> Iterator[Diagnostic]:
    """Every link, image, anchor and ``related:`` entry of every page resolves in ``site``."""
    for path, topic in site.topics.items():
        for link in topic.scan(public=site.is_public).links:
            problem = _check_link(site, topic, link)
            if problem:
                yield problem
        for entry in topic.meta.get("related", []):
            if entry in site.topics or (site.is_public and entry in site.kb.topics
                                        and site.kb.topics[entry].valid
                                        and not site.kb.topics[entry].is_draft):
                # Public topics may relate to members topics: the public site drops the entry.
                continue
            yield _d(site.kb, path, topic.meta_lines.get("related", 1), 1, "KB305",
                     f"related topic `{entry}` does not exist",
                     _closest(entry, site.topics) or "list existing topics, relative to content/")


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
    if site.is_public and anchor in kb.topics[dest].scan(public=False).anchors(include_members=True):
        return _d(kb, *where, "KB303", f"`{target}`: heading `#{anchor}` is inside a members "
                  "passage, so the public site does not have it",
                  "link a heading outside the passage, or move this link into a `/// members` block")
    page = "this page" if dest == topic.path else f"`{dest}`"
    return _d(kb, *where, "KB301", f"`{target}`: {page} has no heading `#{anchor}`",
              _closest(anchor, anchors) or "link one of the page's headings")


def _closest(wanted: str, choices: Iterable[str]) -> str | None:
    match = difflib.get_close_matches(wanted, sorted(choices), n=1, cutoff=0.5)
    return f"did you mean `{match[0]}`?" if match else None


def _d(kb: KnowledgeBase, path: str, line: int, col: int, code: str, message: str,
       hint: str | None = None) -> Diagnostic:
    return Diagnostic(kb.display(path), line, col, code, message, hint, severity_of(code))
