"""The layers hold: the core knows nothing of the renderer, stages import only earlier stages,
only the plugin touches MkDocs, nothing imports a command; the real content checks and builds
clean."""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from kbtools.core.checks import content as checks
from kbtools.core.reading.loading import load
from kbtools.core.site.plan import Site

from .conftest import ROOT, Project, site_text

RENDERERS = ("mkdocs", "material", "pymdownx", "markdown", "jinja2")
PACKAGE = ROOT / "kbtools"
# What each part of the core may import: itself and the parts before it. The checks come after
# the site plan because they check each site's links against that site's plan (the pipeline
# runs read, check, plan, audit). authoring and reports are leaves that may use any part;
# nothing in the core imports them.
STAGES = ("model", "reading", "site", "checks", "output")
LEAVES = ("authoring", "reports")
# A Topic memoises what later stages read from it (the scanner's structure, the renderer's
# reading of its passages): the one place the model looks ahead, by name only for the latter.
LOOKS_AHEAD = {("model/topics.py", "kbtools.core.reading.markdown_scan"),
               ("model/topics.py", "kbtools.core.checks.passages")}


def imports(path: Path) -> Iterator[str]:
    """Every module ``path`` imports, relative imports resolved, at any depth of the file."""
    # kbtools/core/x.py and kbtools/core/__init__.py both resolve `.` to kbtools.core.
    package = path.relative_to(ROOT).with_suffix("").parts[:-1]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                yield ".".join([*base, *([node.module] if node.module else [])])
            else:
                yield node.module or ""


def sources(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def test_imports_resolve_relative_ones() -> None:
    # The rules below must see `from ..plugin import x` as kbtools.plugin.
    path = PACKAGE / "core/checks/content.py"
    assert all(not name.startswith(".") for name in imports(path))
    assert "kbtools.core.model.codes" in set(imports(path))


def test_core_imports_no_renderer_and_no_adapter() -> None:
    for path in sources("core"):
        for name in imports(path):
            top = name.split(".")[0]
            assert top not in RENDERERS, f"{path.relative_to(PACKAGE)} imports {name}"
            assert not name.startswith(("kbtools.plugin", "kbtools.commands", "kbtools.cli")), \
                f"{path.relative_to(PACKAGE)} imports {name}"


def test_core_stages_import_only_earlier_stages() -> None:
    for path in sources("core"):
        rel = path.relative_to(PACKAGE / "core").as_posix()
        stage = rel.split("/")[0]
        if stage not in STAGES:
            continue
        allowed = STAGES[: STAGES.index(stage) + 1]
        for name in imports(path):
            if not name.startswith("kbtools.core."):
                continue
            other = name.split(".")[2]
            if (rel, name) in LOOKS_AHEAD:
                continue
            assert other in allowed, f"core/{rel} ({stage}) imports {name}"


def test_only_the_plugin_imports_the_renderer() -> None:
    for path in [PACKAGE / "cli.py", *sources("commands")]:
        for name in imports(path):
            assert name.split(".")[0] not in RENDERERS, \
                f"{path.relative_to(PACKAGE)} imports {name}: only kbtools/plugin/ may"


def test_nothing_imports_a_command() -> None:
    for path in PACKAGE.rglob("*.py"):
        if path == PACKAGE / "cli.py" or path.is_relative_to(PACKAGE / "commands"):
            continue
        for name in imports(path):
            assert not name.startswith("kbtools.commands"), \
                f"{path.relative_to(PACKAGE)} imports {name}"


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
