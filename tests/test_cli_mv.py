"""`kb mv`: every link and related: entry follows the topic; nothing else changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import Result

from kbtools.core.checks import content as checks
from kbtools.core.reading.loading import load
from kbtools.core.site import pages

from .conftest import PNG, Project
from .conftest import kb_cli as kb

ROOT = Path(__file__).resolve().parent.parent



MOVED = """\
---
title: "How do I reset my password?"   # keep this comment
audience: [publisher]
visibility: public
summary: 'Single quotes stay.'
related:
  - accounts/change.md
id: KB-0001
updated: 2026-11-01
---

![screen](shot.png) and [change](change.md#steps) and [self](reset.md#steps) and [top](#steps).

## Steps

See [contact](../contact/call.md "title") and [the web](https://example.com/reset.md).
"""

CHANGE = """\
---
title: "How do I change my password?"
audience: [publisher]
visibility: public
summary: "S."
related: [accounts/reset.md, contact/call.md]
---

## Steps

First [reset it](reset.md#steps), or [reset](./reset.md), [ref][r] or <a href="reset.md">html</a>.
Code is not a link: `[x](reset.md)`.

/// members
Members: [reset](<reset.md#steps>).
///

[r]: reset.md
"""

CALL = """\
---
title: "How do I call?"
audience: [publisher]
visibility: public
summary: "S."
related:
- accounts/reset.md
- "accounts/change.md"
aliases: [contact/phone.md]
---

[Reset](../accounts/reset.md) and [change](../accounts/change.md).

```
[in a fence](../accounts/reset.md)
```
"""


@pytest.fixture
def kbdir(project: Project, monkeypatch: pytest.MonkeyPatch) -> Project:
    project.write("accounts/reset.md", MOVED)
    project.write("accounts/change.md", CHANGE)
    project.write("accounts/shot.png", PNG)
    project.write("contact/call.md", CALL)
    monkeypatch.chdir(project.root)
    assert not errors(project)
    return project


def errors(project: Project) -> list[str]:
    return [d.format_text() for d in checks.check(load(project.content), reserved=pages.RESERVED)
            if d.is_error]


def read(project: Project, path: str) -> str:
    return (project.content / path).read_text()


def test_move_to_another_folder_rewrites_every_link(kbdir: Project) -> None:
    result = kb("mv", "content/accounts/reset.md", "content/help/login/reset-password.md")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "moved content/accounts/reset.md -> content/help/login/reset-password.md")
    assert result.stdout.splitlines()[1] == (
        "6 links and 2 related: entries rewritten in 2 other topics, 4 links in the moved "
        "topic; `accounts/reset.md` added to its aliases:")
    assert not (kbdir.content / "accounts/reset.md").exists()
    assert errors(kbdir) == []

    assert read(kbdir, "help/login/reset-password.md") == MOVED.replace(
        "  - accounts/change.md\n", "  - accounts/change.md\naliases: [accounts/reset.md]\n"
    ).replace("](shot.png)", "](../../accounts/shot.png)").replace(
        "](change.md#steps)", "](../../accounts/change.md#steps)").replace(
        "](reset.md#steps)", "](reset-password.md#steps)").replace(
        "](../contact/call.md ", "](../../contact/call.md ")

    new = "../help/login/reset-password.md"
    assert read(kbdir, "accounts/change.md") == CHANGE.replace(
        "[accounts/reset.md,", "[help/login/reset-password.md,").replace(
        "](reset.md#steps)", f"]({new}#steps)").replace("](./reset.md)", f"]({new})").replace(
        'href="reset.md"', f'href="{new}"').replace("(<reset.md#steps>)", f"(<{new}#steps>)"
    ).replace("[r]: reset.md", f"[r]: {new}")
    assert "`[x](reset.md)`" in read(kbdir, "accounts/change.md")  # code stays code

    assert read(kbdir, "contact/call.md") == CALL.replace(
        "- accounts/reset.md\n", "- help/login/reset-password.md\n").replace(
        "[Reset](../accounts/reset.md)", "[Reset](../help/login/reset-password.md)")
    assert "[in a fence](../accounts/reset.md)" in read(kbdir, "contact/call.md")


def test_rename_in_place_and_back(kbdir: Project) -> None:
    assert kb("mv", "content/accounts/change.md", "content/accounts/change-password.md"
              ).exit_code == 0
    moved = read(kbdir, "accounts/change-password.md")
    assert "related: [accounts/reset.md, contact/call.md]\naliases: [accounts/change.md]\n" \
        in moved
    assert "- \"accounts/change-password.md\"" in read(kbdir, "contact/call.md")  # quotes kept
    assert "[change](change-password.md#steps)" in read(kbdir, "accounts/reset.md")
    assert errors(kbdir) == []
    # Moving back drops the alias that is now the topic's path again.
    assert kb("mv", "content/accounts/change-password.md", "content/accounts/change.md"
              ).exit_code == 0
    assert read(kbdir, "accounts/change.md") == CHANGE.replace(
        "contact/call.md]\n", "contact/call.md]\naliases: [accounts/change-password.md]\n")
    assert read(kbdir, "contact/call.md") == CALL
    assert errors(kbdir) == []


def test_alias_lists_in_both_styles(kbdir: Project) -> None:
    kb("mv", "content/contact/call.md", "content/contact/phone-us.md")
    assert "aliases: [contact/phone.md, contact/call.md]\n" in read(kbdir, "contact/phone-us.md")
    block = CALL.replace("aliases: [contact/phone.md]", "aliases:\n  - contact/phone.md")
    kbdir.write("contact/phone-us.md", block)
    kb("mv", "content/contact/phone-us.md", "content/contact/call.md")
    assert "aliases:\n  - contact/phone.md\n  - contact/phone-us.md\n---" \
        in read(kbdir, "contact/call.md")
    assert errors(kbdir) == []


def test_move_into_a_folder_and_dry_run(kbdir: Project) -> None:
    (kbdir.content / "help").mkdir()
    before = {p: p.read_bytes() for p in kbdir.content.rglob("*") if p.is_file()}
    dry = kb("mv", "--dry-run", "content/contact/call.md", "content/help")
    assert dry.exit_code == 0
    assert dry.stdout.startswith("would move content/contact/call.md -> content/help/call.md")
    assert {p: p.read_bytes() for p in kbdir.content.rglob("*") if p.is_file()} == before
    assert kb("mv", "content/contact/call.md", "content/help").exit_code == 0
    assert (kbdir.content / "help/call.md").is_file()
    assert not (kbdir.content / "contact").exists()  # the emptied folder is removed
    assert errors(kbdir) == []


def test_crlf_files_keep_their_line_ends(kbdir: Project) -> None:
    kbdir.write("accounts/change.md", CHANGE.replace("\n", "\r\n").encode())
    assert kb("mv", "content/accounts/reset.md", "content/accounts/reset-password.md"
              ).exit_code == 0
    data = (kbdir.content / "accounts/change.md").read_bytes()
    assert b"](reset-password.md#steps)" in data
    assert data.count(b"\r\n") == CHANGE.count("\n") and b"\n" not in data.replace(b"\r\n", b"")


def refused(result: Result, exit_code: int, words: str) -> None:
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output
    assert len([line for line in result.stderr.splitlines() if line.strip()]) == 1, result.stderr
    assert words in result.stderr, result.stderr


@pytest.mark.parametrize("old, new, code, words", [
    ("content/accounts/nope.md", "content/accounts/x.md", 2, "no such file or folder"),
    ("content/accounts/reset.md", "content/accounts/change.md", 1, "already exists"),
    ("content/accounts/reset.md", "content/accounts/shot.png", 2, "not a Markdown topic"),
    ("content/accounts/shot.png", "content/accounts/shot2.md", 2, "not a Markdown topic"),
    ("content/accounts/reset.md", "elsewhere.md", 2, "outside the content folder"),
    ("mkdocs.yml", "content/x.md", 2, "outside the content folder"),
    ("content/accounts/reset.md", "content/index.md", 1, "the path of a generated page"),
    ("content/accounts/reset.md", "content/contact/phone.md", 1, "a former path of"),
    ("content/accounts/reset.md", "content/accounts/reset.md", 1, "are the same"),
    ("content/accounts", "content/x.md", 2, "a folder"),
    ("content/accounts/reset.md", "content/.hidden/x.md", 2, "hidden"),
])
def test_bad_moves_change_nothing(kbdir: Project, old: str, new: str, code: int,
                                  words: str) -> None:
    before = {p: p.read_bytes() for p in kbdir.root.rglob("*") if p.is_file()}
    refused(kb("mv", old, new), code, words)
    assert {p: p.read_bytes() for p in kbdir.root.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("data, words", [
    (b"", "the file is empty"), (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
    (b'---\ntitle: "Q"\naudience: [publisher]\nvisibility: Public\n---\n', "front matter errors"),
], ids=["empty", "binary", "bad-front-matter"])
def test_moving_a_broken_file_is_refused(kbdir: Project, data: bytes, words: str) -> None:
    kbdir.write("accounts/broken.md", data)
    refused(kb("mv", "content/accounts/broken.md", "content/accounts/fixed.md"), 1, words)
    assert (kbdir.content / "accounts/broken.md").read_bytes() == data


def test_symlinks_are_refused(kbdir: Project, tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text(CALL)
    (kbdir.content / "contact/out.md").symlink_to(outside)
    refused(kb("mv", "content/contact/out.md", "content/contact/in.md"), 2,
            "a symlink leading outside the content folder")
    (kbdir.content / "contact/in.md").symlink_to(kbdir.content / "contact/call.md")
    refused(kb("mv", "content/contact/in.md", "content/contact/in2.md"), 1, "is a symlink")


def _git(root: Path, *args: str) -> str:
    import subprocess

    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=root,
                          check=True, capture_output=True, text=True).stdout


def test_mv_of_a_tracked_topic_is_staged_with_git_mv(project: Project,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from .conftest import topic

    project.write("a/old.md", topic("Old?", body="The answer."))
    project.write("a/other.md", topic("Other?", body="See [old](old.md)."))
    _git(project.root, "init", "-q")
    _git(project.root, "add", ".")
    _git(project.root, "commit", "-qm", "seed")
    monkeypatch.chdir(project.root)
    result = kb("mv", "content/a/old.md", "content/b/new.md")
    assert result.exit_code == 0, result.output
    assert "staged the move with git mv" in result.output
    status = _git(project.root, "status", "--porcelain")
    assert "R  content/a/old.md -> content/b/new.md" in status, status
    assert " M content/a/other.md" in status, status
    assert not (project.content / "a" / "old.md").exists()


def test_mv_outside_git_moves_the_file(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    from .conftest import topic

    project.write("a/old.md", topic("Old?"))
    monkeypatch.chdir(project.root)
    result = kb("mv", "content/a/old.md", "content/a/new.md")
    assert result.exit_code == 0, result.output
    assert "git" not in result.output
    assert (project.content / "a" / "new.md").exists()
    assert not (project.content / "a" / "old.md").exists()


def test_mv_then_build_works_end_to_end(project: Project, monkeypatch: pytest.MonkeyPatch,
                                        capfd: pytest.CaptureFixture[str]) -> None:
    import os
    import subprocess
    import sys

    from .conftest import topic

    project.write("a/old.md", topic("Old question?", body="The answer.\n\n## Steps\n\nDo it."))
    project.write("a/other.md", topic("Other?", body="See [old](old.md#steps)."))
    monkeypatch.chdir(project.root)
    assert kb("mv", "content/a/old.md", "content/b/new.md").exit_code == 0
    run = subprocess.run([sys.executable, "-m", "kbtools.cli", "build"], cwd=project.root,
                         capture_output=True, text=True,
                         env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "CI": "true"})
    assert run.returncode == 0, run.stderr
    for site in ("public", "members"):
        out = project.root / "site" / site
        assert "Old question?" in (out / "b" / "new" / "index.html").read_text()
        redirect = (out / "a" / "old" / "index.html").read_text()
        assert "../../b/new/" in redirect, redirect
        assert 'href="../../b/new/#steps"' in (out / "a" / "other" / "index.html").read_text()
