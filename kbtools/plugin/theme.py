"""The reader's side of the sites, for the MkDocs adapter: theme settings per site, the
template variables overrides/ uses, named links and tag labels applied to the content,
previous/next within a subject, robots.txt and llms.txt, and the members site's noindex marks.

Every decision comes from the core (pages, facts, teaser, seo); this module only hands the
results to MkDocs and Material.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

from kbtools.core.model.errors import BuildRefused, ContentError
from kbtools.core.model.schema import AUDIENCE_LABELS
from kbtools.core.model.topics import Topic
from kbtools.core.reading import facts as _facts
from kbtools.core.reading import named_links as _links
from kbtools.core.site import labels as _labels
from kbtools.core.site import pages, seo
from kbtools.core.site.plan import SitePlan, url_path
from kbtools.core.site.teaser import Teaser
from kbtools.plugin.config import KbConfig

ROBOTS = "robots.txt"
LLMS = "llms.txt"
_HEAD = re.compile(rb"<head[^>]*>", re.I)
_ROBOTS_META = f'<meta name="robots" content="{seo.NOINDEX}">'.encode()


def load_facts(config: MkDocsConfig) -> _facts.Facts:
    """The contact facts from mkdocs.yml `extra: facts:`."""
    try:
        return _facts.parse(config.extra.get("facts"))
    except _facts.FactsError as e:
        raise ContentError(f"mkdocs.yml `extra: facts:`: {e}") from e


def load_links(config: MkDocsConfig) -> _links.Links:
    """The named links from mkdocs.yml `extra: links:`."""
    try:
        return _links.parse(config.extra.get("links"))
    except _links.LinksError as e:
        raise ContentError(f"mkdocs.yml `extra: links:`: {e}") from e


def load_tag_labels(config: MkDocsConfig) -> dict[str, str]:
    """The tag labels from mkdocs.yml `extra: tag_labels:` (applied with the facts and the
    named links before the plan, so pages, search and the audit agree)."""
    try:
        return _labels.parse(config.extra.get("tag_labels"))
    except _labels.LabelsError as e:
        raise ContentError(f"mkdocs.yml `extra: tag_labels:`: {e}") from e


def teaser(options: KbConfig, config: MkDocsConfig | None = None) -> Teaser:
    """The members teaser as configured (`members_teaser`, `sign_in_url`)."""
    directory_urls = config.use_directory_urls if config is not None else True
    return Teaser(enabled=options.members_teaser, sign_in_url=options.sign_in_url,
                  directory_urls=directory_urls)


def icon_loader(config: MkDocsConfig) -> Callable[[str], str]:
    """``icon("material/web")``: the theme's SVG for an icon name, inline ("" if unknown)."""
    dirs = [Path(d) for d in config.theme.dirs]

    def icon(name: str) -> str:
        if not re.fullmatch(r"[a-z0-9-]+/[a-z0-9-]+", name):
            return ""
        for d in dirs:
            path = d / ".icons" / f"{name}.svg"
            if path.is_file():
                return path.read_text(encoding="utf-8").strip()
        return ""
    return icon


def configure(config: MkDocsConfig, plan: SitePlan, subjects: dict[str, Any]) -> None:
    """Per-site settings: the navigation from the plan (a section's first page is its subject
    page); the members site gets no sitemap, and its name says it is the members site."""
    config["nav"] = pages.nav(plan, subjects)
    # Tag chips lead to the tag's own page (overrides/partials/tags.html), audiences' to
    # their audience page; a URL per tag name, as the `url` filter takes it.
    config.extra["kb_tag_urls"] = {
        tag: url_path(path, directory_urls=config.use_directory_urls)
        for tag, path in pages.tag_pages(plan).items()}
    features = config.theme.get("features") or []
    if "navigation.indexes" not in features:
        config.theme["features"] = [*features, "navigation.indexes"]
    if not plan.is_public:
        # No sitemap.xml (nor .gz) for the members site; instant loading would fetch it.
        config.theme.static_templates.discard("sitemap.xml")
        features = config.theme.get("features") or []
        config.theme["features"] = [f for f in features if f != "navigation.instant"]


def add_files(config: MkDocsConfig, files: Files, plan: SitePlan,
              subjects: dict[str, Any]) -> None:
    """robots.txt and llms.txt for both sites (each lists that site's own topics only); the
    members site drops the sitemap template Material ships (once it is no static template,
    MkDocs would copy it as a plain file)."""
    sitemap = urljoin(config.site_url, "sitemap.xml") if config.site_url else None
    text = seo.robots_txt(public=plan.is_public, sitemap_url=sitemap)
    files.append(File.generated(config, ROBOTS, content=text, inclusion=InclusionLevel.INCLUDED))
    # Absolute addresses on the public site; the members site's host is the gateway's.
    base = (config.site_url or "/") if plan.is_public else "/"
    llms = seo.llms_txt(plan.topics.values(), site_name=config.site_name,
                        description=config.site_description or "",
                        base_url=base if base.endswith("/") else base + "/",
                        subject_title=lambda f: pages.subject_title(f, subjects),
                        directory_urls=config.use_directory_urls)
    files.append(File.generated(config, LLMS, content=llms, inclusion=InclusionLevel.INCLUDED))
    if not plan.is_public:
        for name in ("sitemap.xml", "sitemap.xml.gz"):
            file = files.get_file_from_path(name)
            if file is not None:
                files.remove(file)


def env_globals(env: Any, *, facts: _facts.Facts) -> None:
    """Template variables: the contact lines the footer shows, the audiences' names."""
    env.globals["kb_contact"] = list(facts.contact)
    # Search results show each topic's audiences as badges, named as on the pages.
    env.globals["kb_audience_labels"] = dict(AUDIENCE_LABELS)


def page_context(context: dict[str, Any], page: Page, topic: Topic | None,
                 plan: SitePlan) -> dict[str, Any]:
    """Per-page template variables: FAQPage data (public topics); members pages lose their
    canonical URL, which would name the public host. Previous and next stay within the
    page's subject (Material's footer otherwise runs across subjects and audiences)."""
    here = page.file.src_uri
    for side in ("previous_page", "next_page"):
        other = getattr(page, side, None)
        if other is not None and not pages.same_subject(here, other.file.src_uri):
            setattr(page, side, None)
    # Topic pages are what search finds (listings would outrank the answers they list).
    context["kb_search_audiences"] = list(topic.audience) if topic is not None else []
    if plan.is_public:
        context["kb_jsonld"] = seo.faq_jsonld(topic) if topic is not None else None
    else:
        page.canonical_url = None
        context["kb_jsonld"] = None
    return context


class CompactNav:
    """The sidebar of a large knowledge base: a subject with more than ``limit`` topics shows
    as its subject page (the section's own link) and the page being read, not as hundreds
    of sibling links on every one of its pages; its subject page lists them all.

    MkDocs' navigation stays whole (breadcrumbs, previous and next, the sitemap use it);
    only what Material's ``partials/nav.html`` renders for a page is a reduced view of it.
    The same rule holds for topics at the top level. ``limit`` 0 turns it off.
    """

    def __init__(self, limit: int, is_topic: Callable[[Any], bool]) -> None:
        self.limit = limit
        self.is_topic = is_topic
        self._nav: Any = None
        self._large: set[int] = set()  # id() of the sections (and 0: the top level) reduced
        self._members: set[int] = set()  # id() of the topics in those groups
        self._shared: Any = None  # the view of every page outside them

    def view(self, nav: Any, page: Any) -> Any:
        """The navigation Material renders on ``page``: ``nav`` itself when no group of it is
        large; else a view in which every large group holds only its index page (and
        ``page``, if it is one of the group's). Pages outside every large group share one
        view (the navigation cache works on it as on ``nav``); a page of a large group gets
        its own, small one, which the cache leaves to Material."""
        if self.limit <= 0 or nav is None:
            return nav
        if nav is not self._nav:
            self._nav, self._large, self._members, self._shared = nav, set(), set(), None
            self._find(list(nav.items), 0)
        if not self._large:
            return nav
        if page is None or id(page) not in self._members:
            if self._shared is None:
                self._shared = Navigation(self._reduce(list(nav.items), 0, None),
                                          list(nav.pages))
            return self._shared
        view = Navigation(self._reduce(list(nav.items), 0, page), list(nav.pages))
        view.kb_compact = True  # type: ignore[attr-defined]  # the nav cache steps aside
        return view

    def _find(self, items: list[Any], key: int) -> None:
        topics = [i for i in items if getattr(i, "is_page", False) and self.is_topic(i)]
        if len(topics) > self.limit:
            self._large.add(key)
            self._members.update(id(t) for t in topics)
        for item in items:
            if item.is_section:
                self._find(item.children, id(item))

    def _reduce(self, items: list[Any], key: int, page: Any) -> list[Any]:
        large = key in self._large
        out: list[Any] = []
        for item in items:
            if item.is_section:
                out.append(_SectionView(item, self._reduce(item.children, id(item), page)))
            elif (not large or item is page or not getattr(item, "is_page", False)
                  or not self.is_topic(item)):
                out.append(item)
        return out


class _SectionView(Section):
    """A section of a reduced navigation: its own children, the original's open state (which
    MkDocs sets per page as it renders)."""

    def __init__(self, original: Any, children: list[Any]) -> None:
        self._original = original
        super().__init__(original.title, children)

    @property
    def active(self) -> bool:
        return bool(self._original.active)

    @active.setter
    def active(self, value: bool) -> None:
        pass  # the original's state is the one that counts


def mark_noindex(site_dir: str | Path) -> None:
    """Members site: every HTML file says noindex, including pages the theme did not render
    (mkdocs-redirects' redirect pages)."""
    for path in Path(site_dir).rglob("*.html"):
        data = path.read_bytes()
        if _ROBOTS_META not in data:
            path.write_bytes(noindex(data, path.name))


def noindex(data: bytes, name: str) -> bytes:
    """One members HTML file, marked noindex (``name`` for the error; the preview marks what
    it serves)."""
    if _ROBOTS_META in data:
        return data
    m = _HEAD.search(data)
    if m is None:
        raise BuildRefused(f"{name} has no <head> to mark noindex")
    return data[: m.end()] + b"\n" + _ROBOTS_META + data[m.end():]


def chrome(facts: _facts.Facts) -> list[str]:
    """Text the reader's additions show on public pages, for the audit (it is not a leak)."""
    lines = [f"{c.name} {c.phone} {c.hours}" for c in facts.contact]
    return [*pages.CHROME, *lines, *facts.values.values()]


_JINJA = re.compile(r"\{[{%#].*?[}%#]\}", re.S)
_MARKUP = re.compile(r"<[^>]*>")


def theme_strings(config: MkDocsConfig) -> list[str]:
    """The words the theme's templates can put on a page ("Skip to content", "Table of
    contents", the 404 page's sentences): public text, for the audit."""
    language = str(config.theme.get("language") or "en")
    return list(_theme_strings(tuple(config.theme.dirs), language))


@functools.lru_cache(maxsize=4)
def _theme_strings(dirs: tuple[str, ...], language: str) -> tuple[str, ...]:
    out: list[str] = []
    for folder in dirs:
        for path in sorted(Path(folder).rglob("*.html")):
            rel = path.relative_to(folder).as_posix()
            if rel.startswith("partials/languages/") and path.stem not in (language, "en"):
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            # Each piece between template syntax and markup is text the theme may show.
            for piece in _MARKUP.split(_JINJA.sub("\n", text)):
                out += [line for line in piece.split("\n") if line.strip()]
            # Language files hold their strings in quotes.
            out += re.findall(r'"([^"\n]{2,})"', text)
    return tuple(out)
