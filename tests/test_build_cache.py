"""`kb build`'s shared preparation and the on-disk cache of passage readings.

Both sites of one `kb build` come from one load and one check of the content; the renderer's
readings of members passages are cached by content. Neither may change a single byte of
either site, and the cache is only ever used for the very input it was made from.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kbtools.core.checks import passages
from kbtools.core.reading import loading
from kbtools.core.site.plan import Site
from kbtools.plugin import build as kb_build
from kbtools.plugin.build import build_sites
from kbtools.plugin.probe import ProbeRenderer

from .conftest import Project, site_text, topic, tree_digest

CANARY = "zebracanary"


def _kb(p: Project, passage: str = f"Members call the {CANARY} line for this.") -> None:
    p.write("a/open.md", topic("Open?", body=f"""
        Public answer with words of its own.

        /// members
        {passage}
        ///

        More public text after the passage.
        """))
    p.write("a/other.md", topic("Other?", body="""
        Another public answer.

        /// members
        ### Insider steps
        Signed-in members see the insider steps here.
        ///
        """))
    p.write("b/inside.md", topic("Inside?", visibility="members", body="Members only topic."))


def _both(p: Project) -> dict[str, dict[str, bytes]]:
    results = build_sites(p.config, [Site.PUBLIC, Site.MEMBERS], parallel=False)
    assert [r.error for r in results] == [None, None]
    return {s.value: tree_digest(p.root / "site" / s.value) for s in (Site.PUBLIC, Site.MEMBERS)}


def _count(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    counts = {"render": 0, "load": 0}
    render, load = ProbeRenderer.render, loading.load

    def counted_render(self: ProbeRenderer, text: str) -> str:
        counts["render"] += 1
        return render(self, text)

    def counted_load(*args: object, **kwargs: object) -> object:
        counts["load"] += 1
        return load(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ProbeRenderer, "render", counted_render)
    monkeypatch.setattr("kbtools.plugin.site_build.load", counted_load)
    return counts


def test_both_sites_from_one_load_and_one_reading(project: Project,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_CACHE", "0")
    _kb(project)
    counts = _count(monkeypatch)
    _both(project)
    # One load and two renders per public topic with a passage, for both sites together.
    assert counts == {"load": 1, "render": 4}
    assert not (project.root / ".cache").exists()  # KB_CACHE=0 writes nothing
    assert kb_build.shared_content(object()) is None  # forgotten after the build


def test_warm_cache_builds_the_same_bytes_without_rendering(
        project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    _kb(project)
    monkeypatch.setenv("KB_CACHE", "0")
    uncached = _both(project)
    monkeypatch.delenv("KB_CACHE")
    cold = _both(project)
    assert (project.root / ".cache/kbtools/readings.json").is_file()
    counts = _count(monkeypatch)
    warm = _both(project)
    assert counts["render"] == 0  # every reading came from the cache
    assert uncached == cold == warm
    assert CANARY not in site_text(project.root / "site/public")
    assert CANARY in site_text(project.root / "site/members")


def test_an_edited_passage_is_read_again_and_stays_out(project: Project,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _kb(project)
    _both(project)
    fresh = "Members dial the quokkacanary number instead."
    _kb(project, passage=fresh)
    counts = _count(monkeypatch)
    _both(project)
    assert counts["render"] == 2  # the edited topic only
    assert "quokkacanary" not in site_text(project.root / "site/public")
    assert "quokkacanary" in site_text(project.root / "site/members")
    entries = json.loads((project.root / ".cache/kbtools/readings.json").read_text())["entries"]
    texts = [u[0] for e in entries.values() for u in e["members"]]
    assert any("quokkacanary" in t for t in texts) and not any(CANARY in t for t in texts)


@pytest.mark.parametrize("damage", ["not json", '{"version": 1, "entries": []}',
                                    '{"version": 1, "entries": {"x": {"path": 3}}}'])
def test_a_damaged_cache_is_ignored(project: Project, monkeypatch: pytest.MonkeyPatch,
                                    damage: str) -> None:
    _kb(project)
    expected = _both(project)
    cache = project.root / ".cache/kbtools/readings.json"
    cache.write_text(damage)
    counts = _count(monkeypatch)
    assert _both(project) == expected
    assert counts["render"] == 4


def test_a_cached_reading_counts_for_its_own_input_only(project: Project) -> None:
    _kb(project)
    kb = loading.load(project.content)
    t = kb.topics["a/open.md"]
    key = passages.ReadingCache.key("fp", kb.display(t.path), t)
    other = kb.topics["a/other.md"]
    assert key != passages.ReadingCache.key("fp", kb.display(other.path), other)
    assert key != passages.ReadingCache.key("fp2", kb.display(t.path), t)
    # A reading stored under a key is refused for another topic's path.
    cache = passages.ReadingCache(project.root / "c.json")
    reading = passages.Reading(t.path, (), ())
    cache.save({key: reading})
    assert passages.ReadingCache(project.root / "c.json").get(key, t.path) == reading
    assert passages.ReadingCache(project.root / "c.json").get(key, other.path) is None


def test_renderer_fingerprint_follows_its_configuration(tmp_path: Path) -> None:
    a = ProbeRenderer(["toc", "admonition"], {"toc": {"permalink": True}})
    b = ProbeRenderer(["toc", "admonition"], {"toc": {"permalink": False}})
    c = ProbeRenderer(["toc"], {"toc": {"permalink": True}})
    assert a.fingerprint and len({a.fingerprint, b.fingerprint, c.fingerprint}) == 3
    assert a.fingerprint == ProbeRenderer(["toc", "admonition"],
                                          {"toc": {"permalink": True}}).fingerprint


def test_readings_in_worker_processes_equal_readings_in_one(project: Project) -> None:
    for k in range(60):  # enough topics for two workers
        project.write(f"a/t{k}.md", topic(f"Topic {k}?", body=f"""
            Public text {k}.

            /// members
            Members text number {k} with [a link](../b/inside.md).
            ///
            """))
    project.write("b/inside.md", topic("Inside?", visibility="members", body="Members only."))
    kb = loading.load(project.content)
    renderer = ProbeRenderer(["toc", "admonition"], {})
    one = passages.read_all(kb, renderer, workers=1)
    two = passages.read_all(loading.load(project.content), renderer, workers=2)
    assert one == two and len(one.by_path) == 60


def test_remembered_list_items_read_like_fresh_ones(project: Project) -> None:
    # The audit reads list items (nav entries) once per distinct HTML; every page must read
    # exactly as without that memory, marked passages and comments included.
    from kbtools.core.reading import html_text

    _kb(project)
    out = project.build(Site.PUBLIC)
    docs = [p.read_text() for p in sorted(out.rglob("*.html"))]
    docs.append('<ul>\n<li title="t">one <b>two</b></li>\n<li><!-- c --></li>'
                '<li class="headerlink">x</li>tail<li>one <b>two</b></li></ul>'
                '<div data-kb-members><ul><li title="t">one <b>two</b></li></ul></div>')
    for marker in (None, "data-kb-members"):
        memo: html_text.Memo = {}
        for doc in docs * 2:
            assert html_text.read(doc, marker=marker, memo=memo) == html_text.read(
                doc, marker=marker)
        assert memo  # list items were remembered
