"""Fail closed under Zensical, Material's successor: it reads mkdocs.yml, silently skips the
plugins it does not know (kbtools' among them) and honours `exclude_docs`. Run on a copy of
the project with members canaries, it must write nothing members-only, nothing from content/
at all, and stop on the template guard."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import Project, require, site_text
from .test_leaks import CANARIES, DRAFT_CANARY, write_canary_kb


def zensical() -> str | None:
    found = Path(sys.executable).parent / "zensical"
    return str(found) if found.exists() else shutil.which("zensical")


def test_zensical_writes_nothing_from_content(project: Project) -> None:
    exe = zensical()
    require(exe, "zensical is not installed", "pip install -e '.[test]'")
    assert exe is not None
    write_canary_kb(project)
    done = subprocess.run([exe, "build"], cwd=project.root, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "NO_COLOR": "1"})
    out = project.root / "site"
    written = site_text(out) if out.exists() else ""
    assert written, "Zensical wrote nothing at all: the test would pass vacuously"
    for canary in (*CANARIES.values(), DRAFT_CANARY):
        assert canary not in written, canary
    # Public topics are not rendered either: the renderer without the plugin builds no page.
    assert "how do i open the guide" not in written
    assert not list(out.rglob("guides")), sorted(p.name for p in out.rglob("*"))
    assert done.returncode != 0
    assert "kb` plugin is not active" in done.stdout + done.stderr


def test_without_exclude_docs_zensical_would_publish_members_content(project: Project) -> None:
    """The guard the test above relies on: with `exclude_docs` gone (and the template guard
    with it), Zensical renders every topic, members-only ones included."""
    exe = zensical()
    require(exe, "zensical is not installed", "pip install -e '.[test]'")
    assert exe is not None
    write_canary_kb(project)
    text = project.config.read_text()
    project.config.write_text(text.replace("exclude_docs: |\n  *\n", "")
                              .replace("custom_dir:", "# custom_dir:"))
    subprocess.run([exe, "build"], cwd=project.root, capture_output=True, text=True,
                   timeout=300)
    assert CANARIES["title"] in site_text(project.root / "site")
