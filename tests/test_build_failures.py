"""A bad input stops the build with file and line, and the previous site stays as it was."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from mkdocs.exceptions import MkDocsException

from kbtools.core.site.plan import Site

from .bad_inputs import BAD_TOPICS
from .conftest import Project, assert_refused, topic, tree_digest

LINK_CASES = {
    "broken-link": ("See [the other](othr.md).", "KB300", "did you mean `guides/other.md`?"),
    "broken-anchor": ("See [steps](other.md#step).", "KB301", "did you mean `steps`?"),
    "anchor-in-members-passage": ("See [secret](other.md#signed-in-steps).", "KB303", None),
    "public-links-members": ("See [members](private.md).", "KB302", "/// members"),
    "absolute-link": ("See [home](/guides/other/).", "KB304", None),
    "missing-image": ("![Screen](screen.png)", "KB306", None),
    "outside-content": ("See [readme](../../README.md).", "KB307", None),
}


def _good_kb(p: Project) -> None:
    p.write("guides/other.md", topic("Other?", body="""
        Intro.

        ## Steps

        Do it.

        /// members
        ## Signed-in steps

        More.
        ///
        """))
    p.write("guides/private.md", topic("Private?", visibility="members"))


@pytest.fixture
def built(project: Project) -> tuple[Project, Path, dict[str, bytes]]:
    _good_kb(project)
    out = project.build(Site.PUBLIC)
    return project, out, tree_digest(out)


@pytest.mark.parametrize("case", sorted(BAD_TOPICS))
def test_bad_front_matter_refuses_build(built, caplog, case: str) -> None:
    p, out, before = built
    data, code, line = BAD_TOPICS[case]
    p.write("guides/bad.md", data)
    where = "content/guides/bad.md" + (f":{line}" if line else "")
    assert_refused(p, out, before, caplog, f"{where}")
    assert f"[{code}]" in caplog.text


@pytest.mark.parametrize("case", sorted(LINK_CASES))
def test_bad_link_refuses_build(built, caplog, case: str) -> None:
    p, out, before = built
    body, code, hint = LINK_CASES[case]
    p.write("guides/bad.md", topic("Bad?", body=body))
    assert_refused(p, out, before, caplog, "content/guides/bad.md:7:")
    assert f"error[{code}]" in caplog.text
    if hint:
        assert hint in caplog.text


def test_links_inside_members_passage_are_checked_in_members_build(project, caplog) -> None:
    _good_kb(project)
    project.write("guides/bad.md",
                  topic("Bad?", body="Intro.\n\n/// members\n[x](nowhere.md)\n///"))
    with caplog.at_level(logging.WARNING), pytest.raises(MkDocsException):
        project.build(Site.MEMBERS)
    assert "content/guides/bad.md:10:5: error[KB300]" in caplog.text


def test_duplicate_id_refuses_build(built, caplog) -> None:
    p, out, before = built
    p.write("guides/a.md", topic("A?", id="KB-1"))
    p.write("guides/b.md", topic("B?", id="KB-1"))
    assert_refused(p, out, before, caplog, "content/guides/b.md:5:1: error[KB111]")


@pytest.mark.skipif(os.name == "nt", reason="symlinks")
def test_symlink_out_of_content_refuses_build(built, caplog, tmp_path) -> None:
    p, out, before = built
    secret = tmp_path / "outside.md"
    secret.write_text(topic("Outside?"))
    (p.content / "guides" / "link.md").symlink_to(secret)
    assert_refused(p, out, before, caplog, "content/guides/link.md: error[KB307]")


def test_cli_exit_code_and_message(built) -> None:
    p, out, before = built
    p.write("guides/bad.md", b'---\ntitle: "Q"\naudience: [publisher]\nvisibility: yes\n---\n')
    result = subprocess.run(
        [sys.executable, "-m", "kbtools.cli", "build", "--public", "-f", str(p.config),
         "-d", str(out)], capture_output=True, text=True, cwd=p.root,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 1
    assert "content/guides/bad.md:4:13: error[KB110]" in result.stderr
    assert "the public site was not built" in result.stderr
    assert tree_digest(out) == before
