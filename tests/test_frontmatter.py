"""The strict front matter parser, one case per bad input, plus what it accepts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kbtools.core import checks, frontmatter
from kbtools.core.loading import load

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


def test_duplicate_id_names_both_files(tmp_path: Path) -> None:
    for name in ("a.md", "b.md"):
        (tmp_path / name).write_text('---\ntitle: "Q"\naudience: [publisher]\n'
                                     "visibility: public\nid: KB-0001\n---\n")
    found = [d for d in checks.check(load(tmp_path)) if d.code == "KB111"]
    assert len(found) == 1
    assert found[0].path.endswith("b.md") and found[0].line == 5 and "a.md" in found[0].message


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
