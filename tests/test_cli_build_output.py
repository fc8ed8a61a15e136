"""`kb build` of both sites: every finding printed once, one line per reason, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys

from .conftest import Project, topic


def kb_build(p: Project, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kbtools.cli", "build", *args], cwd=p.root,
                          capture_output=True, text=True,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "CI": "true"})


def test_two_site_build_prints_each_error_once(project: Project) -> None:
    project.write("a/one.md", topic("One?", summary='"S."', body="See [x](nowhere.md)."))
    project.write("a/two.md", topic("Two?", body="Fine."))
    result = kb_build(project)
    assert result.returncode == 1
    err = result.stderr
    assert err.count("error[KB300]") == 1, err
    assert err.count("warning[KB120]") == 1, err
    assert err.count("kb build: neither site was built: 1 error in the content") == 1, err
    assert "was not built" not in err.replace("neither site was built", ""), err
    assert "Traceback" not in err and "BuildError" not in err


def test_html_without_head_is_one_diagnostic_with_its_path(project: Project) -> None:
    project.write("a/one.md", topic("One?", summary='"S."'))
    project.write("a/page.html", "<p>no head</p>\n")
    result = kb_build(project)
    assert result.returncode == 1
    assert "content/a/page.html: error[KB115]" in result.stderr
    assert result.stderr.count("error[KB115]") == 1
