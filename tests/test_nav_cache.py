"""The navigation cache (kbtools/plugin/nav_cache.py, overrides/partials/nav.html) writes the
same bytes as Material, and renders Material's navigation in full once per group of pages.

The main proof builds a generated knowledge base three ways and compares every file of both
sites: the cache on (the default), the cache off (`nav_cache: false`: Material's nav.html on
every page) and the override removed (plain Material 9.8 templates). A mutation test shows
the comparison catches a wrong splice.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from pathlib import Path

import pytest

from kbtools.core.site.plan import Site
from kbtools.plugin import build as build_mod
from kbtools.plugin import nav_cache
from kbtools.plugin.build import build_site

from .conftest import ROOT, Project, topic, tree_digest

SITES = (Site.PUBLIC, Site.MEMBERS)


def _load_generator():
    spec = importlib.util.spec_from_file_location("bench_generate_nav",
                                                  ROOT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while the class is built
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


# Helpers -------------------------------------------------------------------------------------

def cache_off(config_text: str) -> str:
    """The same mkdocs.yml with `nav_cache: false` for the kb plugin."""
    text, n = re.subn(r"(?m)^(\s*)- kb:\s*$", r"\g<0>\n\1    nav_cache: false", config_text)
    assert n == 1
    return text


def plain_material(root: Path, config_text: str) -> str:
    """The same mkdocs.yml with a copy of overrides/ lacking partials/nav.html."""
    overrides = root / "overrides-without-nav"
    shutil.copytree(ROOT / "overrides", overrides)
    (overrides / "partials" / "nav.html").unlink()
    text, n = re.subn(r"(?m)^(\s*custom_dir:).*$", rf"\1 {overrides}", config_text)
    assert n == 1
    return text


class Stats:
    """The kb plugin's NavCache after each build of this test."""

    def __init__(self) -> None:
        self.configs: list = []

    @property
    def plugin(self):
        return self.configs[-1].plugins["kb"]

    @property
    def last(self) -> nav_cache.NavCache:
        return self.plugin.build.nav


@pytest.fixture
def stats(monkeypatch: pytest.MonkeyPatch) -> Stats:
    found = Stats()
    load = build_mod.load_config

    def load_and_keep(*args, **kwargs):
        config = load(*args, **kwargs)
        found.configs.append(config)
        return config

    monkeypatch.setattr(build_mod, "load_config", load_and_keep)
    return found


def build(config: Path, site: Site, out: Path) -> dict[str, bytes]:
    return tree_digest(build_site(config, site, site_dir=out, report=False))


def differences(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))


def html_files(tree: dict[str, bytes]) -> int:
    return sum(k.endswith(".html") for k in tree)


# The generated knowledge base: cache on, cache off, plain Material ------------------------------

@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("navkb") / "kb"
    gen.generate(out, 80, seed=3)
    return out


def variant(root: Path, name: str, text: str) -> Path:
    config = root / f"mkdocs-{name}.yml"
    config.write_text(text)
    return config


def test_cached_navigation_is_byte_identical_to_materials(generated: Path, tmp_path: Path,
                                                          stats: Stats) -> None:
    text = (generated / "mkdocs.yml").read_text()
    configs = {"on": variant(generated, "on", text),
               "off": variant(generated, "off", cache_off(text)),
               "material": variant(generated, "material", plain_material(tmp_path, text))}
    for site in SITES:
        trees = {}
        for name, config in configs.items():
            trees[name] = build(config, site, tmp_path / f"{site.value}-{name}")
            if name == "on":
                used = stats.last
        assert html_files(trees["on"]) > 40
        # The cache did the work: far fewer full renders than pages, the rest reused. A
        # subject's own page is alone in its group (no other page has its links): one full
        # render per subject.
        pages = html_files(trees["on"])
        subjects = subject_count(generated)
        assert used.reused > (pages - subjects) * 0.7, vars(used)
        assert used.full_renders - subjects < pages * 0.3, vars(used)
        assert differences(trees["on"], trees["off"]) == [], site
        assert differences(trees["on"], trees["material"]) == [], site


def test_the_comparison_catches_a_wrong_splice(generated: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # Mutation: the page's own entry is not put in; the kept HTML goes out as it is (so the
    # first page of each group stays "active" on its siblings' pages).
    text = (generated / "mkdocs.yml").read_text()
    good = build(variant(generated, "off2", cache_off(text)), Site.PUBLIC, tmp_path / "off")
    monkeypatch.setattr(nav_cache.NavCache, "_reuse", lambda self, job: job.entry.html)
    bad = build(variant(generated, "on2", text), Site.PUBLIC, tmp_path / "on")
    changed = differences(good, bad)
    # Pages in the navigation (tag pages and further listing pages have no entry of their own).
    in_nav = [k for k in good if k.endswith(".html") and not k.startswith("tags/")
              and "/page-" not in k]
    assert len(changed) > len(in_nav) * 0.5
    assert all(k.endswith(".html") for k in changed)


def subject_count(kb: Path) -> int:
    """Subject folders of a generated knowledge base: each has a generated subject page."""
    return sum(1 for d in (kb / "content").iterdir() if d.is_dir())


def test_full_renders_grow_with_groups_not_pages(tmp_path: Path, stats: Stats) -> None:
    counts, topics = {}, {}
    for n in (40, 160):
        out = tmp_path / f"kb{n}"
        gen.generate(out, n, seed=1)
        # The whole of each subject in the sidebar (no subject reduced, nav_subject_limit 0):
        # the cache's own scaling; a reduced subject's pages render small navs in full.
        config = out / "mkdocs-whole.yml"
        config.write_text(nav_limit((out / "mkdocs.yml").read_text(), 0))
        tree = build(config, Site.PUBLIC, tmp_path / f"site{n}")
        cache = stats.last
        counts[n] = (html_files(tree), cache.full_renders, cache.groups, cache.reused)
        topics[n] = sum(k.endswith(".html") and k.count("/") == 2 and "/page-" not in k
                        and not k.startswith("tags/") for k in tree)
    (pages40, full40, groups40, reused40), (pages160, full160, groups160, reused160) = \
        counts[40], counts[160]
    assert topics[160] > 3 * topics[40] * 0.9
    # One full render per group (one subject, or the top-level pages of one folder) and the
    # pages that are alone in theirs (the home page, 404, each subject's own page):
    # independent of the topic count.
    assert groups160 == groups40
    assert full160 == full40 <= groups40 + subject_count(tmp_path / "kb40") + 2
    # Every page more (topics; tag pages, one group) reuses its group's navigation.
    assert reused160 == pages160 - full160
    assert reused160 - reused40 == pages160 - pages40 > 2 * topics[40]


# Shapes of navigation and theme settings --------------------------------------------------------

def _project(root: Path, text: str) -> Project:
    p = Project(root, text)
    # Nested subject folders: billing/invoices/ sits under the page billing/invoices/ (a topic
    # billing/invoices.md), so links to it are relative to that page differently.
    p.write("billing/invoices.md", topic("Invoices", body="## One\n\nText.\n\n## Two\n\nMore."))
    p.write("billing/invoices/late.md", topic("Late invoices", body="Answer."))
    p.write("billing/invoices/vat.md", topic("VAT on invoices", body="## Rates\n\nText."))
    p.write("billing/refunds.md", topic("Refunds", body="No headings."))
    p.write("billing/zeta.md", topic("Zeta", body="## Z\n\nText."))
    p.write("billing/secret.md", topic("Secret billing", visibility="members",
                                       body="## Hidden\n\nText."))
    for i in range(6):
        p.write(f"links/topic-{i}.md", topic(f"Link topic {i}", audience="[advertiser]",
                                             body=f"## Part {i}\n\n### Sub {i}\n\nText."))
    return p


def _features(text: str, add: tuple[str, ...] = (), drop: tuple[str, ...] = ()) -> str:
    for feature in drop:
        text, n = re.subn(rf"(?m)^\s*- {re.escape(feature)}\n", "", text)
        assert n == 1, feature
    for feature in add:
        text = text.replace("  features:\n", f"  features:\n    - {feature}\n", 1)
    return text


SETTINGS = {
    "default": lambda t: t,
    "file-urls": lambda t: t.replace("use_directory_urls: true", "use_directory_urls: false"),
    "no-prune": lambda t: _features(t, drop=("navigation.prune",)),
    "sections": lambda t: _features(t, add=("navigation.sections", "toc.integrate")),
    "expand": lambda t: _features(t, add=("navigation.expand",), drop=("navigation.prune",)),
    "tabs-indexes": lambda t: _features(t, add=("navigation.tabs", "navigation.indexes")),
}


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_settings_and_nested_folders_stay_identical(name: str, tmp_path: Path,
                                                    stats: Stats) -> None:
    text = SETTINGS[name]((ROOT / "mkdocs.yml").read_text())
    on, off = _project(tmp_path / "on", text), _project(tmp_path / "off", cache_off(text))
    # File URLs: the public build's audit refuses its own sitemap (`index.html` URLs), so the
    # members site (no audit) shows the cache with them.
    for site in (Site.MEMBERS,) if name == "file-urls" else SITES:
        a = build(on.config, site, tmp_path / f"{site.value}-on")
        cache = stats.last
        b = build(off.config, site, tmp_path / f"{site.value}-off")
        assert differences(a, b) == [], (name, site)
        assert cache.reused > 0, (name, site, vars(cache))


def test_each_build_starts_with_an_empty_cache(tmp_path: Path, stats: Stats) -> None:
    # MkDocs keeps plugin instances across config loads in one process (serve rebuilds, two
    # builds in a row): the second build, with a renamed topic, must not reuse the first's.
    p = _project(tmp_path / "kb", (ROOT / "mkdocs.yml").read_text())
    first_tree = build(p.config, Site.PUBLIC, tmp_path / "one")
    plugin, first = stats.plugin, stats.last
    counts = (first.full_renders, first.reused, first.groups)
    p.write("billing/refunds.md", topic("Refunds, renamed", body="No headings."))
    second_tree = build(p.config, Site.PUBLIC, tmp_path / "two")
    second = stats.last
    assert stats.plugin is plugin  # the same instance ...
    assert second is not first  # ... with a new cache
    assert (second.full_renders, second.reused, second.groups) == counts
    assert b"Refunds, renamed" not in first_tree["billing/zeta/index.html"]
    assert b"Refunds, renamed" in second_tree["billing/zeta/index.html"]


# Plain Material when the cache is off, or for a Material version it is not tested with ---------

def _poisoned(p: Project) -> Project:
    """``p`` with an overrides/partials/nav.html that fails when rendered: a build that writes
    its pages used Material's own navigation."""
    overrides = p.root / "overrides-poisoned-nav"
    shutil.copytree(ROOT / "overrides", overrides)
    (overrides / "partials" / "nav.html").write_text("{{ kb_the_override_was_used() }}")
    text, n = re.subn(r"(?m)^(\s*custom_dir:).*$", rf"\1 {overrides}", p.config.read_text())
    assert n == 1
    p.config.write_text(text)
    return p


def _plain(p: Project) -> Project:
    """``p`` with Material's own templates where overrides/ has partials/nav.html."""
    p.config.write_text(plain_material(p.root, p.config.read_text()))
    return p


def test_cache_off_is_plain_material(tmp_path: Path, stats: Stats) -> None:
    text = (ROOT / "mkdocs.yml").read_text()
    off = _poisoned(_project(tmp_path / "off", cache_off(text)))
    plain = _plain(_project(tmp_path / "plain", text))
    a = build(off.config, Site.PUBLIC, tmp_path / "site-off")
    cache = stats.last
    assert (cache.full_renders, cache.reused, cache.groups) == (0, 0, 0)
    b = build(plain.config, Site.PUBLIC, tmp_path / "site-plain")
    assert differences(a, b) == []
    # The poisoned override does fail a build with the cache on: the test can tell.
    on = _poisoned(_project(tmp_path / "on", text))
    with pytest.raises(Exception, match="kb_the_override_was_used"):
        build(on.config, Site.PUBLIC, tmp_path / "site-on")


@pytest.mark.parametrize("version", ["9.9.0", "10.0.0", "9.6.23"])
def test_an_untested_material_gets_plain_material_with_a_warning(
        version: str, tmp_path: Path, stats: Stats, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    import material

    p = _poisoned(_project(tmp_path / "kb", (ROOT / "mkdocs.yml").read_text()))
    monkeypatch.setattr(material, "__version__", version)
    with caplog.at_level("WARNING"):
        build(p.config, Site.PUBLIC, tmp_path / "site")
    assert f"Material {version} is not a version the navigation cache is tested" in caplog.text
    assert stats.last.full_renders == 0


def test_the_installed_material_is_a_tested_one() -> None:
    import material

    assert nav_cache.usable(material.__version__), material.__version__


# A large subject's sidebar (theme.CompactNav) -------------------------------------------------

def nav_limit(config_text: str, limit: int) -> str:
    """The same mkdocs.yml with `nav_subject_limit: limit` for the kb plugin."""
    text, n = re.subn(r"(?m)^(\s*)- kb:\s*$", rf"\g<0>\n\1    nav_subject_limit: {limit}",
                      config_text)
    assert n == 1
    return text


def _sidebar(page: str) -> str:
    start = page.index('<nav class="md-nav md-nav--primary"')
    return page[start:page.index('<div class="md-sidebar md-sidebar--secondary"', start)]


def _links(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]*)" class="md-nav__link', html)


def test_a_large_subject_shows_as_its_page_and_the_page_read(generated: Path,
                                                             tmp_path: Path) -> None:
    """Past the limit, a topic's sidebar holds its subject's page and itself (with its table
    of contents), not its siblings; breadcrumbs and previous/next still run through the
    whole subject; the cache, the cache off and plain Material write the same bytes."""
    text = nav_limit((generated / "mkdocs.yml").read_text(), 3)
    configs = {"on": variant(generated, "small-on", text),
               "off": variant(generated, "small-off", cache_off(text)),
               "material": variant(generated, "small-material", plain_material(tmp_path, text))}
    trees = {name: build(config, Site.PUBLIC, tmp_path / name)
             for name, config in configs.items()}
    assert differences(trees["on"], trees["off"]) == []
    assert differences(trees["on"], trees["material"]) == []
    full = build(generated / "mkdocs.yml", Site.PUBLIC, tmp_path / "full")
    def pages_of(subject: str) -> list[str]:
        return sorted(k for k in trees["on"] if k.startswith(f"{subject}/")
                      and k.endswith("/index.html") and k.count("/") == 2
                      and "/page-" not in k)
    # The largest subject (subjects of the generated knowledge base differ in size).
    subject = max(sorted(d.name for d in (generated / "content").iterdir() if d.is_dir()),
                  key=lambda name: len(pages_of(name)))
    topics = pages_of(subject)
    assert len(topics) > 3
    for key in topics:
        small = _sidebar(trees["on"][key].decode())
        whole = _sidebar(full[key].decode())
        siblings = [u for u in _links(whole) if u.startswith("../") and u.count("/") == 2
                    and not u.startswith("../../")]
        assert len(siblings) == len(topics) - 1, key  # the whole subject, by default
        assert not [u for u in _links(small) if u in siblings], key
        assert "../" in _links(small) and "./" in _links(small)  # subject page, itself
        assert 'md-nav__link--active' in small and "Table of contents" in small
        assert len(small) < len(whole)
        page = trees["on"][key].decode()
        assert page.count('class="md-path__link"') == full[key].decode().count(
            'class="md-path__link"') > 0  # breadcrumbs unchanged
        assert re.findall(r'class="md-footer__link[^"]*"', page) == re.findall(
            r'class="md-footer__link[^"]*"', full[key].decode())  # previous / next
    # Pages outside the subject link to it once, as before (Material's loop over a closed
    # section's children writes blank lines per child: only the whitespace is less).
    home = _sidebar(trees["on"]["index.html"].decode())
    assert re.sub(r"\s+", " ", home) == re.sub(r"\s+", " ", _sidebar(full["index.html"].decode()))
    assert len(home) < len(_sidebar(full["index.html"].decode()))


def test_many_top_level_topics_are_not_on_every_page(tmp_path: Path) -> None:
    """Topics outside any subject folder follow the same rule: past the limit, a page shows
    itself among them, not every one (the home page lists them)."""
    p = Project(tmp_path / "kb", nav_limit((ROOT / "mkdocs.yml").read_text(), 2))
    for i in range(4):
        p.write(f"loose-{i}.md", topic(f"Loose topic {i}", body="## Part\n\nText."))
    p.write("billing/one.md", topic("Billing one", body="Text."))
    tree = build(p.config, Site.PUBLIC, tmp_path / "site")
    for i in range(4):
        nav = _sidebar(tree[f"loose-{i}/index.html"].decode())
        shown = [n for n in range(4) if f"Loose topic {n}" in nav]
        assert shown == [i], (i, shown)
    home = tree["index.html"].decode()
    assert all(f"Loose topic {n}" in home[home.index("<article"):] for n in range(4))
    assert not any(f"Loose topic {n}" in _sidebar(tree["billing/one/index.html"].decode())
                   for n in range(4))
