"""The core knows nothing of the renderer; the real content checks and builds clean."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

from kbtools.core.checks import content as checks
from kbtools.core.reading.loading import load
from kbtools.core.site.plan import Site

from .conftest import ROOT, Project, site_text

FORBIDDEN = ("mkdocs", "material", "pymdownx", "markdown", "jinja2")


def test_core_imports_no_renderer() -> None:
    for path in (ROOT / "kbtools/core").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and
                     node.level == 0 else [])
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"


def test_real_content_has_no_errors() -> None:
    found = checks.check(load(ROOT / "content"), today=dt.date(2026, 11, 28))
    assert [d.format_text() for d in found if d.is_error] == []


def test_real_content_builds_both_sites(tmp_path: Path) -> None:
    p = Project(tmp_path / "kb")
    import shutil
    shutil.rmtree(p.content)
    shutil.copytree(ROOT / "content", p.content)
    public, members = p.build(Site.PUBLIC), p.build(Site.MEMBERS)
    kb = load(p.content)
    public_text, members_text = site_text(public), site_text(members)
    for topic in kb.topics.values():
        slug = topic.slug + "/"
        assert slug in members_text
        assert (slug in public_text) == topic.is_public, topic.path
