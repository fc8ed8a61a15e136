"""`kb build` of both sites: parallel processes, one report of warnings, progress counts."""

from __future__ import annotations

import os
import subprocess
import sys

from kbtools.core.site.plan import Site
from kbtools.plugin.build import build_sites

from .conftest import Project, topic


def _kb(p: Project) -> None:
    p.write("a/one.md", topic("One?", summary='"First."'))
    p.write("a/two.md", topic("Two?"))
    # A members topic without a summary: a warning (KB120).
    p.write("b/three.md", topic("Three?", visibility="members", summary=None))
    p.write("b/secret.md", topic("Secret?", visibility="members", summary='"Hidden."'))


def test_both_sites_build_in_parallel_with_progress(project: Project) -> None:
    _kb(project)
    seen: dict[Site, list[tuple[int, int]]] = {Site.PUBLIC: [], Site.MEMBERS: []}
    results = build_sites(project.config, [Site.PUBLIC, Site.MEMBERS],
                          progress=lambda s, d, t: seen[s].append((d, t)))
    assert [r.error for r in results] == [None, None]
    assert {r.site: r.published for r in results} == {
        Site.PUBLIC: project.root / "site/public", Site.MEMBERS: project.root / "site/members"}
    assert (project.root / "site/members/b/secret/index.html").is_file()
    assert not (project.root / "site/public/b").exists()
    # Every page is counted once; the last report says all were written.
    for site, updates in seen.items():
        assert updates, site
        done, total = updates[-1]
        assert done == total == len({d for d, _ in updates})


def test_content_errors_fail_both_sites_with_the_reason(project: Project) -> None:
    _kb(project)
    project.write("b/broken.md", topic("Broken?", visibility="members",
                                       body="/// members\nnever closed"))
    results = build_sites(project.config, [Site.PUBLIC, Site.MEMBERS])
    assert all(r.error and "in the content; nothing was built" in r.error for r in results)
    assert not (project.root / "site").exists()


def test_cli_reports_warnings_once_and_is_quiet_without_a_terminal(project: Project) -> None:
    _kb(project)
    run = subprocess.run([sys.executable, "-m", "kbtools.cli", "build", "-f", str(project.config)],
                         capture_output=True, text=True, cwd=project.root,
                         env={**os.environ, "CI": "true"})
    assert run.returncode == 0, run.stderr
    assert run.stderr.count("warning[KB120]") == 1
    assert "building:" not in run.stderr  # no progress line outside a terminal
    assert run.stdout.splitlines()[0].startswith("public   site:")
    assert run.stdout.splitlines()[1].startswith("members  site:")
