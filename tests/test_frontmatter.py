"""The strict front matter parser, one case per bad input, plus what it accepts."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest

from kbtools.core.checks import content as checks
from kbtools.core.reading import frontmatter
from kbtools.core.reading.loading import load

from .bad_inputs import BAD_TOPICS


@pytest.mark.parametrize("case", sorted(BAD_TOPICS))
def test_bad_topic_is_reported_at_its_line(tmp_path: Path, case: str) -> None:
    data, code, line = BAD_TOPICS[case]
    (tmp_path / "bad.md").write_bytes(data)
    found = checks.check(load(tmp_path), today=dt.date(2026, 1, 1))
    errors = [d for d in found if d.is_error]
    assert errors, f"{case}: no error"
    assert (errors[0].code, errors[0].line) == (code, line), [d.format_text() for d in errors]
    assert errors[0].path.endswith("bad.md")
    assert errors[0].hint


def test_duplicate_id_without_git_history_is_reported_on_both_files(tmp_path: Path) -> None:
    for name in ("a.md", "b.md"):
        (tmp_path / name).write_text('---\ntitle: "Q"\naudience: [publisher]\n'
                                     "visibility: public\nid: KB-0001\n---\n")
    found = [d for d in checks.check(load(tmp_path)) if d.code == "KB111"]
    assert [(d.path.rsplit("/", 1)[-1], d.line) for d in found] == [("a.md", 5), ("b.md", 5)]
    assert "b.md" in found[0].message and "a.md" in found[1].message
    # Each copy is offered its own free id.
    assert [d.hint for d in found] == ["give this topic the next free id: `id: KB-0002`",
                                       "give this topic the next free id: `id: KB-0003`"]


def test_duplicate_id_is_blamed_on_the_copy_git_saw_later(tmp_path: Path) -> None:
    def git(*args: str, when: str = "2026-06-01T00:00:00") -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
                       cwd=tmp_path, check=True, capture_output=True,
                       env={**os.environ, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_DATE": when})

    text = '---\ntitle: "Q"\naudience: [publisher]\nvisibility: public\nid: KB-0007\n---\n'
    git("init", "-q")
    (tmp_path / "z-first.md").write_text(text)
    git("add", "."), git("commit", "-qm", "first", when="2026-01-01T00:00:00")
    (tmp_path / "a-copy.md").write_text(text)  # the new copy: not even committed yet
    found = [d for d in checks.check(load(tmp_path)) if d.code == "KB111"]
    assert [d.path.rsplit("/", 1)[-1] for d in found] == ["a-copy.md"]
    assert "z-first.md (git has it from earlier)" in found[0].message
    assert found[0].hint == "give this topic the next free id: `id: KB-0008`"
    git("add", "."), git("commit", "-qm", "copy")
    found = [d for d in checks.check(load(tmp_path)) if d.code == "KB111"]
    assert [d.path.rsplit("/", 1)[-1] for d in found] == ["a-copy.md"]


def test_unknown_key_suggests_the_closest() -> None:
    split, _ = frontmatter.split('---\ntitle: "Q"\naudience: [publisher]\nvisibilty: public\n---\n',
                                 "t.md")
    assert split is not None
    _, found = frontmatter.parse(split, "t.md")
    assert [d.hint for d in found] == ["did you mean `visibility`?"]


def test_full_contract_parses() -> None:
    text = """---
title: "How do I reset my password?"
audience: [publisher, advertiser]
visibility: public
summary: "One sentence."
tags: [passwords, login]
related: [accounts/change-password.md]
aliases: [old/path.md]
id: KB-0001
owner: "Publisher support"
updated: 2026-11-01
review_by: 2027-05-01
draft: false
---
Body
"""
    split, found = frontmatter.split(text, "t.md")
    assert split is not None and not found
    fm, found = frontmatter.parse(split, "t.md")
    assert found == []
    assert fm.values["audience"] == ["publisher", "advertiser"]
    assert fm.values["updated"] == dt.date(2026, 11, 1)
    assert fm.values["draft"] is False
    assert fm.lines["review_by"] == 12


def test_missing_visibility_is_members_only_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "t.md").write_text('---\ntitle: "Q"\naudience: [publisher]\n---\nBody\n')
    kb = load(tmp_path)
    assert kb.topics["t.md"].visibility == "members"
    assert not kb.topics["t.md"].is_public
    assert [d.code for d in checks.check(kb)] == ["KB120", "KB122"]


def test_duplicate_id_written_since_the_last_commit_is_blamed(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
                       cwd=tmp_path, check=True, capture_output=True)

    head = '---\ntitle: "Q"\naudience: [publisher]\nvisibility: public\n'
    (tmp_path / "a.md").write_text(head + "id: KB-0001\n---\n")
    (tmp_path / "b.md").write_text(head + "id: KB-0002\n---\n")
    git("init", "-q"), git("add", "."), git("commit", "-qm", "both in one commit")
    (tmp_path / "a.md").write_text(head + "id: KB-0002\n---\n")  # the edit that made a copy
    found = [d for d in checks.check(load(tmp_path)) if d.code == "KB111"]
    assert [d.path.rsplit("/", 1)[-1] for d in found] == ["a.md"]
    assert found[0].hint == "give this topic the next free id: `id: KB-0003`"
