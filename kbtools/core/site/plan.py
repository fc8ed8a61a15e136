"""Decide what each site contains: which topics, which passages, which files.

Every rule that keeps members content out of the public site is decided here, from the
content alone, before any renderer runs.
"""

from __future__ import annotations

import enum
import posixpath
from dataclasses import dataclass, field
from urllib.parse import unquote

from kbtools.core.model.topics import KnowledgeBase, Topic


class Site(str, enum.Enum):
    """The two sites built from one content folder."""

    PUBLIC = "public"
    MEMBERS = "members"


@dataclass
class SitePlan:
    """What one site is made of."""

    site: Site
    kb: KnowledgeBase
    topics: dict[str, Topic] = field(default_factory=dict)
    assets: set[str] = field(default_factory=set)
    _members: SitePlan | None = field(default=None, repr=False, compare=False)

    @property
    def is_public(self) -> bool:
        return self.site is Site.PUBLIC

    def members_plan(self) -> SitePlan:
        """The members site of the same content, planned once (the teaser counts what the
        public site leaves out on every listing page)."""
        if self.site is Site.MEMBERS:
            return self
        if self._members is None:
            self._members = plan(self.kb, Site.MEMBERS)
        return self._members

    def body(self, topic: Topic) -> str:
        """The Markdown this site renders for ``topic``: the whole body, in both sites.

        The public site does not cut members passages out of the Markdown: its renderer parses
        them with the same block as the members site and drops what they hold, so where a
        passage ends is decided once, by the renderer (kbtools/plugin/members_block.py).
        """
        return topic.body

    def anchors(self, path: str) -> set[str]:
        """Anchors the page for ``path`` has in this site (for a public page with passages,
        the ids the renderer gave it)."""
        topic = self.topics[path]
        if self.is_public and topic.reading is not None:
            return set(topic.reading.public_ids)
        return topic.scan().anchors(public=self.is_public)

    def tags(self) -> set[str]:
        """Every tag shown in this site."""
        return {t for topic in self.topics.values() for t in topic.tags}

    def redirects(self) -> dict[str, str]:
        """Former path -> current path for every alias of a topic in this site.

        An alias that names a path some topic (of either site) has now is skipped: the checks
        report it, and a redirect must never stand where a page is, or point at one not shown.
        """
        taken = set(self.kb.topics)
        return {alias: path for path, topic in sorted(self.topics.items())
                for alias in topic.aliases if alias not in taken}

    def related(self, topic: Topic) -> list[Topic]:
        """``related:`` entries of ``topic`` that exist in this site, in the written order."""
        return [self.topics[p] for p in topic.related if p in self.topics]


def include(topic: Topic, site: Site) -> bool:
    """Whether ``topic`` is a page of ``site``. Drafts and broken topics are in neither."""
    if topic.is_draft or not topic.valid:
        return False
    return site is Site.MEMBERS or topic.is_public


def plan(kb: KnowledgeBase, site: Site) -> SitePlan:
    """The pages and files of ``site``."""
    result = SitePlan(site, kb)
    result.topics = {p: t for p, t in kb.topics.items() if include(t, site)}
    if site is Site.MEMBERS:
        result.assets = set(kb.assets)
    else:
        # A file goes public only when public text uses it: when unsure, leave it out.
        for topic in result.topics.values():
            for url in public_targets(topic):
                target = resolve(topic.path, url)
                if target and target in kb.assets:
                    result.assets.add(target)
    return result


def public_targets(topic: Topic) -> list[str]:
    """Where the public page of ``topic`` links to: the renderer's reading for a page with
    passages, the scanner's otherwise."""
    if topic.reading is not None:
        return list(topic.reading.public_links)
    return [link.target for link in topic.scan().site_links(public=True)]


def is_external(target: str) -> bool:
    """Links with a scheme (https:, mailto:, tel:) or protocol-relative ones are not ours."""
    head = target.split("/", 1)[0]
    return target.startswith("//") or (":" in head and not head.startswith("#"))


def resolve(source: str, target: str) -> str | None:
    """The content path a relative link in ``source`` points to, without its #anchor.

    None for external links, pure #anchors and absolute paths (those are checked elsewhere).
    May start with ``..`` when the link leaves the content folder.
    """
    if is_external(target) or target.startswith(("#", "/")):
        return None
    path = unquote(target.split("#", 1)[0].split("?", 1)[0])
    if not path:
        return None
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), path))


def url_path(content_path: str, *, directory_urls: bool = True) -> str:
    """The site-relative URL path MkDocs gives a topic (``a/b.md`` -> ``a/b/``)."""
    stem = content_path[: -len(".md")]
    if posixpath.basename(stem) in ("index", "README"):
        stem = posixpath.dirname(stem)
        return f"{stem}/" if stem else ""
    return f"{stem}/" if directory_urls else f"{stem}.html"
