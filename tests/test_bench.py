"""bench/generate.py: deterministic, the requested size, and content kbtools accepts and builds.

Fast tests only: nothing here is timed (the benchmark itself is `bench/run`).
"""

from __future__ import annotations

import importlib.util
import logging
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_generator():
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while the class is built
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _visibility(text: str) -> str:
    return re.search(r"(?m)^visibility: (\w+)$", text).group(1)


@pytest.fixture(scope="module")
def kb100(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("kb100")
    gen.generate(out, 100, seed=3)
    return out


def test_same_arguments_give_byte_identical_output(tmp_path: Path, kb100: Path) -> None:
    gen.generate(tmp_path / "again", 100, seed=3)
    assert _files(tmp_path / "again") == _files(kb100)
    gen.generate(tmp_path / "other", 100, seed=4)
    assert _files(tmp_path / "other" / "content") != _files(kb100 / "content")


def test_requested_count_and_peer_configs(kb100: Path) -> None:
    topics = _files(kb100 / "content")
    assert len(topics) == 100 and all(p.endswith(".md") for p in topics)
    assert len({p.split("/")[0] for p in topics}) == 10  # subject folders
    assert not (kb100 / "plain-docs").exists() and not (kb100 / "mkdocs-plain.yml").exists()
    # The baseline: Material with the project's own theme features and Markdown, no kbtools,
    # over the same content folder, every topic in one site.
    material = (kb100 / "mkdocs-material.yml").read_text()
    project = (ROOT / "mkdocs.yml").read_text()
    features = re.search(r"(?m)^  features:\n(?:    - .*\n)+", project).group(0)
    assert features in material and "navigation.prune" in features
    ext = re.search(r"(?ms)^markdown_extensions:\n.*?(?=^\S|\Z)", project).group(0).rstrip()
    assert ext in material
    assert "docs_dir: content" in material
    assert re.findall(r"(?m)^  - (\w+)$", material.split("plugins:", 1)[1].split("\n\n")[0]
                      .split("markdown_extensions:")[0]) == ["search", "tags"]
    assert not re.search(r"(?m)^\s*(custom_dir|exclude_docs):|kb-guard|^  - kb", material)
    config = (kb100 / "mkdocs.yml").read_text()
    assert f'custom_dir: "{ROOT / "overrides"}"' in config
    hugo = (kb100 / "hugo" / "hugo.toml").read_text()
    assert 'contentDir = "../content"' in hugo
    assert (kb100 / "hugo" / "layouts" / "_default" / "single.html").is_file()


def test_subjects_of_very_different_sizes(tmp_path: Path) -> None:
    gen.generate(tmp_path, 1000, seed=0)
    sizes = sorted((len(list(d.glob("*.md"))) for d in (tmp_path / "content").iterdir()),
                   reverse=True)
    assert sum(sizes) == 1000 and len(sizes) == 10
    assert sizes[0] == 400  # one subject of 40%
    assert sum(1 for k in sizes if k <= 50) == 5  # and a tail of small ones
    assert sizes[-1] == 20
    # Tags shared across subjects: some tag occurs in most subject folders.
    by_tag: dict[str, set[str]] = {}
    for p in (tmp_path / "content").rglob("*.md"):
        tags = re.search(r"(?m)^tags: \[(.*)\]$", p.read_text()).group(1).split(", ")
        for t in tags:
            by_tag.setdefault(t, set()).add(p.parent.name)
    assert max(len(v) for v in by_tag.values()) >= 8


@pytest.mark.parametrize("n", [20, 40, 100])
def test_every_subject_keeps_a_public_topic(tmp_path: Path, n: int) -> None:
    # Small knowledge bases have subjects of one or two topics: none may vanish from the
    # public site (tests of the nav count its groups), and 30% stay members-only.
    gen.generate(tmp_path, n, seed=1)
    public: dict[str, int] = {}
    members = 0
    for p in (tmp_path / "content").rglob("*.md"):
        shown = _visibility(p.read_text()) == "public"
        public[p.parent.name] = public.get(p.parent.name, 0) + shown
        members += not shown
    assert len(public) == 10 and min(public.values()) >= 1
    assert members == round(0.3 * n)


def test_realistic_shape(kb100: Path) -> None:
    texts = [p.read_text() for p in sorted((kb100 / "content").rglob("*.md"))]
    members = [t for t in texts if _visibility(t) == "members"]
    assert 0.25 <= len(members) / len(texts) <= 0.35
    public = [t for t in texts if _visibility(t) == "public"]
    assert any("\n/// members\n" in t for t in public)
    assert not any("/// members" in t for t in members)
    words = [len(re.findall(r"[A-Za-z0-9']+", t.split("\n---\n", 1)[1])) for t in texts]
    assert 450 <= sum(words) / len(words) <= 600
    # Members passages may carry a "See also" list (the lists that once fooled the audit).
    assert any("See also:" in t for t in public)
    for t in texts:
        body = t.split("\n---\n", 1)[1]
        outside = re.sub(r"(?s)\n/// members\n.*?\n///\n", "\n", body)
        links = re.findall(r"\]\(([^)]+\.md(?:#[\w-]+)?)\)", outside)
        assert 1 <= len(links) <= 4
        assert re.search(r"(?m)^## ", body) and re.search(r"(?m)^1\. ", body)
        assert re.search(r"(?m)^- ", body) and "\n```" in body
        assert "lorem" not in body.lower()
    assert sum(len(re.findall(r"\.md#[\w-]+\)", t)) for t in texts) > 50


def test_generated_content_passes_every_check(kb100: Path) -> None:
    from kbtools.core.checks import content as checks
    from kbtools.core.reading.loading import load
    from kbtools.core.site import pages

    kb = load(kb100 / "content")
    assert len(kb.topics) == 100
    assert checks.check(kb, reserved=pages.RESERVED) == []


def test_small_generated_kb_builds_both_sites(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              caplog: pytest.LogCaptureFixture) -> None:
    from kbtools.core.site.plan import Site
    from kbtools.plugin.build import build_site

    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    monkeypatch.setenv("DISABLE_MKDOCS_2_WARNING", "true")
    monkeypatch.delenv("KB_SITE", raising=False)
    monkeypatch.chdir(tmp_path)
    gen.generate(tmp_path / "kb", 30, seed=0)
    topics = _files(tmp_path / "kb" / "content")
    public = {p for p, b in topics.items() if _visibility(b.decode()) == "public"}
    with caplog.at_level(logging.WARNING):
        for site in (Site.PUBLIC, Site.MEMBERS):
            out = build_site(tmp_path / "kb" / "mkdocs.yml", site,
                             site_dir=tmp_path / site.value, strict=True)
            pages = {p.relative_to(out).parent.as_posix() + ".md"
                     for p in out.rglob("index.html")}
            expected = public if site is Site.PUBLIC else set(topics)
            assert expected <= pages, f"{site.value}: missing {sorted(expected - pages)[:3]}"
            if site is Site.PUBLIC:
                assert not (set(topics) - public) & pages
    problems = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert problems == []
