"""Material's sidebar navigation, rendered once per group of pages and reused byte for byte.

Material renders the whole navigation on every page. With ``navigation.prune`` a page still
renders every link of its own subject, so a subject of S topics costs O(S) template work per
page and O(S²) per subject. Yet two pages of one subject get the same navigation HTML except
for their own entry:

* MkDocs makes every nav link relative to the page (``url`` filter). Pages whose URLs are
  siblings (``billing/a/``, ``billing/b/``) get the same relative link for every target that
  lies under neither of them; pages in one folder with file URLs (``a/p.html``) get the same
  links, full stop.
* Which sections are open, checked and ``aria-expanded`` depends only on the page's chain of
  parent sections (``Page.active`` marks them).
* The page's own entry is the only "active" one: ``md-nav__item--active``, the ``__toc`` toggle,
  ``md-nav__link--active``, ``href="./"`` and the page's table of contents for the mobile drawer.

So ``overrides/partials/nav.html`` asks :meth:`NavCache.begin` what to do for each page:

``full``
    Render Material's own ``partials/nav.html`` (through the ``material:`` template prefix this
    module adds, so the override can include the template it shadows). The first page of a
    group (its *key*: the chain of open sections and the URL base) also renders each visible
    page entry once more with Material's ``nav-item.html`` macro, which locates every entry in
    the HTML; the HTML and those positions are kept for the group.
``reuse``
    Every later page of the group renders only its own entry with Material's macro (and, once
    per group, the first page's entry as a plain link) and splices it into the kept HTML.

The result is the HTML Material would have written, byte for byte (tests/test_nav_cache.py
builds sites both ways and compares every file). Whatever this module cannot prove safe is
rendered in full: a page missing from the located entries, a group whose HTML holds a
relative link under the first page's URL, a nav listing one page twice, pages without a
``page`` (404). State is per build: the plugin makes a new cache in ``_reset``.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2

PREFIX = "material"  # {% include "material:partials/nav.html" %}: Material's own template
_TEMPLATE = "partials/nav.html"
_URL_ATTR = re.compile(r'\b(?:href|src)="([^"]*)"')


@dataclass(frozen=True, eq=False)
class Leaf:
    """A page entry of the navigation, with the arguments Material's nav.html gives its macro."""

    item: Any  # mkdocs.structure.pages.Page
    path: str  # the toggle id prefix Material computes: "__nav_5_3"
    level: int
    parent: Any  # the parent Section, or None at the top level
    chain: tuple[str, ...]  # paths of the parent sections, outermost first


@dataclass(eq=False)
class _Entry:
    """The navigation of one group of pages, and where each page entry sits in it."""

    html: str
    spans: dict[int, tuple[int, int]]  # id(page) -> (start, end) of its entry in html
    stale: Leaf | None  # the recorded page, whose span still holds its *active* entry
    children: Counter[str]  # "sib" groups: link targets under base[:-1] + [name], by name


@dataclass(eq=False)
class Job:
    """What the template does for one page: render in full or not, which entries to render."""

    cache: NavCache
    full: bool
    leaves: list[Leaf] = field(default_factory=list)
    key: tuple[Any, ...] | None = None  # set when recording a group
    page: Any = None
    leaf: Leaf | None = None
    base: tuple[str, ...] = ()
    entry: _Entry | None = None  # set when reusing
    _out: list[str] = field(default_factory=list)

    def rendered(self, leaf: Leaf, html: str) -> str:
        """Receives Material's rendering of ``leaf`` for this page (in ``leaves`` order)."""
        self._out.append(str(html))
        return ""

    def finish(self, html: str) -> str:
        """The navigation HTML for this page (``html``: Material's full rendering, if any)."""
        if self.entry is not None:
            return self.cache._reuse(self)
        html = str(html)
        if self.key is not None:
            self.cache._record(self, html)
        return html


class NavCache:
    """Per build: the kept navigation of every group of pages, and counters for tests."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.features: frozenset[str] = frozenset()
        self.full_renders = 0  # Material's nav.html rendered in full (the O(S) work)
        self.reused = 0  # pages that reused a group's navigation
        self.groups = 0  # groups recorded
        self._entries: dict[tuple[Any, ...], _Entry] = {}
        self._failed: Counter[tuple[Any, ...]] = Counter()
        self._nav: Any = None
        self._leaves: list[Leaf] = []
        self._by_page: dict[int, Leaf] = {}
        self._usable = True

    # Called by the template ---------------------------------------------------------------

    def begin(self, page: Any, nav: Any) -> Job:
        """Decide how to render the navigation of ``page``."""
        if not self.enabled or page is None or not isinstance(getattr(page, "url", None), str):
            return self._full()
        if getattr(nav, "kb_compact", False):
            return self._full()  # a per-page view (theme.CompactNav): small, nothing to share
        if nav is not self._nav:
            self._index(nav)
        if not self._usable:
            return self._full()
        leaf = self._by_page.get(id(page))
        chain = leaf.chain if leaf is not None else ()
        kind, base = _base(page.url)
        if kind == "own":
            return self._full()  # the home page: the only page with its URL base
        key = (chain, kind, base if kind == "same" else base[:-1])
        entry = self._entries.get(key)
        if entry is None:
            if self._failed[key] >= 2:
                return self._full()  # twice unrecordable: not worth the extra rendering
            self.full_renders += 1
            return Job(self, True, self._visible(chain), key=key, page=page, leaf=leaf, base=base)
        if leaf is not None and id(page) not in entry.spans:
            return self._full()
        if kind == "sib" and entry.children.get(base[-1], 0) != (1 if leaf is not None else 0):
            return self._full()  # a link of the kept HTML points under this page's URL
        leaves = [entry.stale] if entry.stale is not None and entry.stale is not leaf else []
        if leaf is not None:
            leaves.append(leaf)
        self.reused += 1
        return Job(self, False, leaves, page=page, leaf=leaf, base=base, entry=entry)

    # Internals ------------------------------------------------------------------------------

    def _full(self) -> Job:
        self.full_renders += 1
        return Job(self, True)

    def _index(self, nav: Any) -> None:
        """Every page entry of ``nav`` with the path and level Material's templates give it."""
        self._nav = nav
        self._entries = {}
        self._failed = Counter()
        self._leaves = []
        self._by_page = {}
        self._usable = True
        urls: set[str] = set()

        def walk(items: list[Any], prefix: str, level: int, parent: Any,
                 chain: tuple[str, ...]) -> None:
            for i, item in enumerate(items, 1):
                path = f"{prefix}{i}"
                if item.children:
                    walk(item.children, path + "_", level + 1, item, (*chain, path))
                elif getattr(item, "is_page", False):
                    if item.url in urls or id(item) in self._by_page:
                        self._usable = False  # a page listed twice: its entries differ
                    urls.add(item.url)
                    leaf = Leaf(item, path, level, parent, chain)
                    self._leaves.append(leaf)
                    self._by_page[id(item)] = leaf

        walk(list(nav.items), "__nav_", 1, None, ())

    def _visible(self, chain: tuple[str, ...]) -> list[Leaf]:
        """The page entries a page with open sections ``chain`` shows, in document order.

        With ``navigation.prune`` alone, closed sections render no entries; otherwise every
        entry may be rendered (entries missing from the HTML are simply not found)."""
        f = self.features
        if "navigation.prune" in f and not {"navigation.sections", "navigation.tabs"} & f:
            return [leaf for leaf in self._leaves if chain[:len(leaf.chain)] == leaf.chain]
        return list(self._leaves)

    def _record(self, job: Job, html: str) -> None:
        assert job.key is not None
        entry = self._entry(job, html)
        if entry is None:
            self._failed[job.key] += 1
        else:
            self._entries[job.key] = entry
            self.groups += 1

    def _entry(self, job: Job, html: str) -> _Entry | None:
        assert job.key is not None
        spans: dict[int, tuple[int, int]] = {}
        pos = 0
        current: tuple[int, int] | None = None
        for leaf, text in zip(job.leaves, job._out, strict=False):  # unrendered leaves: none
            if not text:
                continue
            at = html.find(text, pos)
            if at < 0:
                continue
            spans[id(leaf.item)] = (at, at + len(text))
            pos = at + len(text)
            if leaf is job.leaf:
                if html.count(text) != 1:
                    return None
                current = spans[id(leaf.item)]
        if job.leaf is not None and current is None:
            return None  # the page's own entry is not where Material's macro puts it
        children: Counter[str] = Counter()
        if job.base and job.key[1] == "sib":
            outside = html if current is None else html[:current[0]] + html[current[1]:]
            d = len(job.base) - 1
            for url in _URL_ATTR.findall(outside):
                if _absolute(url):
                    continue
                if url != ".." and not url.startswith("../"):
                    return None  # a link under this page's own URL: siblings differ
                target = tuple(_parts(posixpath.join("/".join(job.base), url)))
                if len(target) > d and target[:d] == job.base[:d]:
                    children[target[d]] += 1
            if job.leaf is not None:
                children[job.base[-1]] += 1  # its plain entry, once spliced back in
        return _Entry(html, spans, job.leaf if current else None, children)

    def _reuse(self, job: Job) -> str:
        entry = job.entry
        assert entry is not None
        out = iter(job._out)
        if entry.stale is not None and entry.stale is not job.leaf:
            # Once per group: the recorded page's entry becomes the plain link every other
            # page of the group shows, rendered by Material's macro for this page.
            stale = id(entry.stale.item)
            start, end = entry.spans[stale]
            plain = next(out)
            entry.html = entry.html[:start] + plain + entry.html[end:]
            delta = len(plain) - (end - start)
            entry.spans = {k: (s + delta, e + delta) if s >= end else (s, e)
                           for k, (s, e) in entry.spans.items()}
            entry.spans[stale] = (start, start + len(plain))
            entry.stale = None
        if job.leaf is None:
            return entry.html
        start, end = entry.spans[id(job.page)]
        return entry.html[:start] + next(out) + entry.html[end:]


# Material versions whose navigation templates tests/test_nav_cache.py proves the cache writes
# byte for byte (pyproject.toml allows only these). Any other version gets Material's own
# navigation: the cache copies Material's internal numbering, which a release may change.
TESTED = ("9.7.", "9.8.")


def usable(version: str) -> bool:
    """Whether the cache may splice the navigation of this Material version."""
    return version.startswith(TESTED)


def install(env: jinja2.Environment, cache: NavCache, *, theme_dirs: list[str],
            custom_dir: str | None, features: list[str]) -> None:
    """Register the cache for overrides/partials/nav.html, with the ``material:`` prefix that
    loads the theme's own ``partials/nav.html`` (the first theme folder after ``custom_dir``
    that has one). With the cache off, ``partials/nav.html`` itself is the theme's own file:
    the override is not used at all, so the output is plain Material's."""
    env.globals["kb_nav_cache"] = cache
    cache.features = frozenset(features)
    folder = _theme_folder(theme_dirs, custom_dir)
    if folder is None:
        return  # no theme navigation to load: nothing to cache
    rest = [env.loader] if env.loader else []
    if cache.enabled:
        original = jinja2.PrefixLoader({PREFIX: jinja2.FileSystemLoader(folder)}, delimiter=":")
        env.loader = jinja2.ChoiceLoader([original, *rest])
    else:
        own = jinja2.FileSystemLoader(folder)
        env.loader = jinja2.ChoiceLoader([_Only(_TEMPLATE, own), *rest])


def _theme_folder(theme_dirs: list[str], custom_dir: str | None) -> str | None:
    custom = Path(custom_dir).resolve() if custom_dir else None
    for folder in theme_dirs:
        if custom is not None and Path(folder).resolve() == custom:
            continue
        if (Path(folder) / _TEMPLATE).is_file():
            return folder
    return None


class _Only(jinja2.BaseLoader):
    """Serves one template name from ``loader``, and nothing else (so the next loader in a
    ChoiceLoader answers every other name)."""

    def __init__(self, name: str, loader: jinja2.BaseLoader) -> None:
        self.name, self.loader = name, loader

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str | None, Any]:
        if template != self.name:
            raise jinja2.TemplateNotFound(template)
        return self.loader.get_source(environment, template)


def _base(url: str) -> tuple[str, tuple[str, ...]]:
    """How MkDocs relativises links for a page at ``url`` (``get_relative_url``'s ``other``):
    ``same`` when the base is the page's folder (file URLs: every page in it shares it),
    ``sib`` when the base is the page's own URL (directory URLs), ``own`` for the root."""
    folder, _, name = url.rpartition("/")
    if "." in name:
        return "same", tuple(_parts(folder))
    parts = tuple(_parts(url))
    return ("sib", parts) if parts else ("own", parts)


def _parts(path: str) -> list[str]:
    # mkdocs.utils._norm_parts
    if not path.startswith("/"):
        path = "/" + path
    path = posixpath.normpath(path)[1:]
    return path.split("/") if path else []


def _absolute(url: str) -> bool:
    # mkdocs.utils._get_norm_url: what normalize_url leaves as it is.
    parsed = urlsplit(url)
    return bool(parsed.scheme or parsed.netloc or url.startswith(("/", "#")))
