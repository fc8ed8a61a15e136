"""The tester's other leaks of issue 10, each answered by `kb check` and the build alike with
one diagnostic at the right line (and the build refused before anything is written)."""

from __future__ import annotations

import json
import logging

import pytest
from click.testing import CliRunner
from mkdocs.exceptions import MkDocsException

from kbtools.cli import main
from kbtools.core.site.plan import Site

from .conftest import Project, site_text, topic

SECRET = topic("Where is the partner desk?", visibility="members", body="The desk is upstairs.")


def check(project: Project, monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    monkeypatch.chdir(project.root)
    result = CliRunner().invoke(main, ["check", "--format", "json"], prog_name="kb")
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def refused_with(project: Project, caplog: pytest.LogCaptureFixture, text: str) -> None:
    with caplog.at_level(logging.ERROR), pytest.raises(MkDocsException):
        project.build(Site.PUBLIC)
    assert text in caplog.text, caplog.text[-2000:]


@pytest.mark.parametrize(("body", "code", "line", "hint"), [
    ("/// member\nSecret.\n///", "KB201", 9, "did you mean `/// members`?"),
    ("/// memebrs\nSecret.\n///", "KB201", 9, "did you mean `/// members`?"),
    ("/// Members\nSecret.\n///", "KB201", 9, "write `/// members`"),
    ("///\tmembers\nSecret.\n///", "KB201", 9, "with a space"),
    ('!!! members "Members only"\n    Looks hidden.', "KB202", 9, "/// members"),
    ('??? members "Members only"\n    Looks hidden.', "KB202", 9, "/// members"),
    ('<div class="admonition members">Looks hidden.</div>', "KB202", 9, "/// members"),
    ("<a href=../b/secret.md>desk</a>", "KB302", 9, "move the link"),
    ("[desk](https://members.support.example.invalid/b/secret/)", "KB302", 9, "move the link"),
    # Invisible characters pasted into a block line: the renderer shows the passage as text.
    ("\u200b/// members\nSecret.\n///", "KB201", 9, "delete the character"),
    ("\ufeff/// members\nSecret.\n///", "KB201", 9, "delete the character"),
    ("///\u00a0members\nSecret.\n///", "KB201", 9, "delete the character"),
    ("///\u3000members\nSecret.\n///", "KB201", 9, "delete the character"),
    ("> \u2060/// members\n> Secret.\n> ///", "KB201", 9, "delete the character"),
])
def test_each_mistake_is_one_diagnostic_in_check_and_build(
        project: Project, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
        body: str, code: str, line: int, hint: str) -> None:
    project.write("b/secret.md", SECRET)
    project.write("a/open.md", topic("How do I open it?", body="Public words.\n\n" + body))
    found = [d for d in check(project, monkeypatch) if d["severity"] == "error"]
    assert [(d["path"], d["line"], d["code"]) for d in found][:1] == \
        [("content/a/open.md", line, code)], found
    assert hint in found[0]["hint"]
    refused_with(project, caplog, f"content/a/open.md:{line}")


@pytest.mark.parametrize(("alias", "what"), [
    ("index.md", "the home page"), ("b/secret/index.md", "b/secret.md"),
    ("a/other.md", "a/other.md"),
])
def test_an_alias_never_takes_the_address_of_a_page(project: Project, monkeypatch, caplog,
                                                    alias: str, what: str) -> None:
    project.write("b/secret.md", SECRET)
    project.write("a/other.md", topic("Other?"))
    project.write("a/open.md", topic("How do I open it?", aliases=f"[{alias}]"))
    found = [d for d in check(project, monkeypatch) if d["code"] == "KB308"]
    assert found and what in found[0]["message"], found
    refused_with(project, caplog, "error[KB308]")


def test_two_topics_never_share_an_address(project: Project, monkeypatch) -> None:
    project.write("a/b.md", topic("One?"))
    project.write("a/c.md", topic("Three?"))
    project.write("a/b/index.md", topic("Two?"))
    # `a/b/index.md` is also a subject page's path (KB309); either way one page is refused.
    codes = {d["code"] for d in check(project, monkeypatch) if d["path"].endswith("index.md")}
    assert codes & {"KB309", "KB310"}, codes


def test_members_facts_stay_out_of_the_public_site(project: Project, monkeypatch,
                                                   caplog) -> None:
    text = project.config.read_text().replace("    new_advertisers:", (
        "    partner_desk:\n      visibility: members\n      name: Partner desk\n"
        "      phone: 1-888-555-0142\n    new_advertisers:"), 1)
    project.config.write_text(text)
    project.write("a/open.md", topic("How do I open it?", body="Public words.\n\n/// members\n"
                                     "Call the desk at [[partner_desk.phone]].\n///"))
    public = site_text(project.build(Site.PUBLIC))
    assert "555-0142" not in public and "partner desk" not in public
    assert "555-0142" in site_text(project.build(Site.MEMBERS))
    # In public text, the same placeholder is refused.
    project.write("a/open.md", topic("How do I open it?", body="Call [[partner_desk.phone]]."))
    found = [d for d in check(project, monkeypatch) if d["code"] == "KB603"]
    assert [(d["path"], d["line"]) for d in found] == [("content/a/open.md", 7)], found
    refused_with(project, caplog, "error[KB603]")


def test_a_site_is_never_written_into_the_other_sites_folder(project: Project) -> None:
    project.write("a/open.md", topic("How do I open it?"))
    project.write("b/secret.md", SECRET)
    public = project.build(Site.PUBLIC)
    before = sorted(p.name for p in public.rglob("*"))
    with pytest.raises(MkDocsException, match="KB401"):
        project.build(Site.MEMBERS, out=public)
    assert sorted(p.name for p in public.rglob("*")) == before
    assert "partner desk" not in site_text(public)
    # Nor over a folder kbtools did not build.
    other = project.root / "documents"
    other.mkdir()
    (other / "letter.txt").write_text("mine")
    with pytest.raises(MkDocsException, match="KB401"):
        project.build(Site.PUBLIC, out=other)
    assert (other / "letter.txt").read_text() == "mine"


@pytest.mark.parametrize(("char", "name"), [("\u200b", "U+200B ZERO WIDTH SPACE"),
                                            ("\u00a0", "U+00A0 NO-BREAK SPACE"),
                                            ("\u00ad", "U+00AD SOFT HYPHEN")])
def test_an_invisible_character_in_a_closer_is_named(
        project: Project, monkeypatch: pytest.MonkeyPatch, char: str, name: str) -> None:
    body = f"Public words.\n\n/// members\nSecret.\n///{char}\n\nAfter."
    project.write("a/open.md", topic("How do I open it?", body=body))
    found = [d for d in check(project, monkeypatch) if d["code"] == "KB201"]
    assert [(d["line"], name in d["message"]) for d in found] == [(11, True)], found


def test_letters_outside_ascii_are_not_invisible(project: Project,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # A path with accents after `///` in prose is text to both readers, and not a finding.
    project.write("a/open.md", topic("How do I open it?", body="Öffnen: ///é is text."))
    assert [d for d in check(project, monkeypatch) if d["code"] == "KB201"] == []
