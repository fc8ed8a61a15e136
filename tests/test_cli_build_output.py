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
    project.write("a/two.md", topic("Two?", visibility="members", summary=None))
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


def test_output_cut_short_by_the_reader_is_quiet(project: Project) -> None:
    # More than a pipe buffer of output (64 KiB), so kb is still writing when `head` leaves.
    title = "How do I keep reading a long list of stale topics " + "x" * 120 + "?"
    for i in range(600):
        project.write(f"a/t{i}.md", topic(title, review_by="2020-01-01"))
    proc = subprocess.Popen([sys.executable, "-m", "kbtools.cli", "stale"], cwd=project.root,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    assert "past the review date" in proc.stdout.readline()
    proc.stdout.close()  # what `| head -1` does
    err = proc.stderr.read()
    proc.stderr.close()
    proc.wait(timeout=60)
    assert "Broken pipe" not in err and "Traceback" not in err, err


def test_a_bug_is_one_line_not_a_traceback(project: Project, monkeypatch) -> None:
    from click.testing import CliRunner

    from kbtools.cli import main
    from kbtools.core.reports import stale as review

    def broken(*args: object) -> None:
        raise RuntimeError("something kbtools did not expect")

    project.write("a/one.md", topic("One?"))
    monkeypatch.chdir(project.root)
    monkeypatch.delenv("KB_DEBUG", raising=False)
    monkeypatch.setattr(review, "stale", broken)
    result = CliRunner().invoke(main, ["stale"], prog_name="kb")
    assert result.exit_code == 1
    assert result.stderr == ("kb: kbtools failed with RuntimeError: something kbtools did "
                             "not expect (a bug: please report it; KB_DEBUG=1 shows the "
                             "traceback)\n")
