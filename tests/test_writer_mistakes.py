"""A writer's mistakes, each answered once, at its file and line, with a hint made from what
they wrote."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from mkdocs.exceptions import MkDocsException

from kbtools.core.checks import content as checks
from kbtools.core.reading.loading import load

from .bad_inputs import GOOD_HEAD

TODAY = dt.date(2026, 6, 1)


def findings(root: Path) -> list:
    return checks.check(load(root), today=TODAY)


def one_error(root: Path, name: str = "bad.md"):
    errors = [d for d in findings(root) if d.is_error]
    assert len(errors) == 1, [d.format_text() for d in errors]
    assert errors[0].path.endswith(name)
    return errors[0]


@pytest.mark.parametrize("line, message, hint", [
    ("updated: 01/11/2026", "can be read two ways",
     "`updated: 2026-01-11` (11 January, if you wrote month/day) or `updated: 2026-11-01` "
     "(1 November, if you wrote day/month)"),
    ("updated: 25/12/2026", "not written as YYYY-MM-DD", "write `updated: 2026-12-25`"),
    ("updated: 12/25/2026", "not written as YYYY-MM-DD", "write `updated: 2026-12-25`"),
    ("updated: 2026/11/01", "not written as YYYY-MM-DD", "write `updated: 2026-11-01`"),
    ("updated: 2026-1-5", "not written as YYYY-MM-DD", "write `updated: 2026-01-05`"),
    ("updated: 1 November 2026", "not written as YYYY-MM-DD", "write `updated: 2026-11-01`"),
    ("updated: 2026-02-30", "February 2026 has 28 days", "`updated: 2026-02-28`"),
    ("updated: 2028-02-30", "February 2028 has 29 days", "`updated: 2028-02-29`"),
    ("updated: 2026-13-01", "there is no month 13", "did you mean `updated: 2026-01-13`?"),
    ("review_by: 2027-04-31", "April 2027 has 30 days", "`review_by: 2027-04-30`"),
    ("updated: 31/02/2026", "February 2026 has 28 days", "`updated: 2026-02-28`"),
    ("audience: publishers", "must be a list", "write `audience: [publisher]`"),
    ("audience: Advertisers, publisher", "must be a list",
     "write `audience: [advertiser, publisher]`"),
    ("tags: login", "must be a list", "write `tags: [login]`"),
    ("owner: Support: EMEA", "not valid YAML", 'put it in quotes: `owner: "Support: EMEA"`'),
    ("\towner: Support", "not valid YAML", "line 6 has a tab (column 1)"),
    ('owner: "Support', "not valid YAML", "the quote opened on line 6 is never closed"),
])
def test_hint_is_made_from_what_was_written(tmp_path: Path, line: str, message: str,
                                            hint: str) -> None:
    head = GOOD_HEAD.replace("audience: [publisher]\n", "") if line.startswith("audience") \
        else GOOD_HEAD
    (tmp_path / "bad.md").write_text(f"---\n{head}{line}\n---\nBody\n")
    error = one_error(tmp_path)
    assert message in error.message, error.format_text()
    assert hint in (error.hint or ""), error.format_text()


def test_tab_inside_a_value_line_is_named_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "bad.md").write_text(f"---\n{GOOD_HEAD}tags:\n\t- login\n---\nBody\n")
    error = one_error(tmp_path)
    assert (error.code, error.line) == ("KB103", 7)
    assert "line 7 has a tab" in (error.hint or "")


def test_misspelt_required_key_is_one_error(tmp_path: Path) -> None:
    (tmp_path / "bad.md").write_text(GOOD_HEAD.join(["---\n", "---\nBody\n"])
                                     .replace("title:", "titel:"))
    error = one_error(tmp_path)
    assert error.code == "KB105" and error.hint == "did you mean `title`?"


@pytest.mark.parametrize("broken", [
    b"---\ntitel: \"Target?\"\naudience: [publisher]\nvisibility: public\n---\n\n## Steps\n",
    b"---\ntitle: \"Target?\"\n\taudience: [publisher]\nvisibility: public\n---\n\n## Steps\n",
    b"---\ntitle: Target: why?\naudience: [publisher]\nvisibility: public\n---\n\n## Steps\n",
    b"---\ntitle: \"Caf\xe9\"\naudience: [publisher]\nvisibility: public\n---\n\n## Steps\n",
    b"no front matter at all\n",
], ids=["misspelt-key", "tab", "unquoted-colon", "latin-1", "no-front-matter"])
def test_a_broken_topic_reports_only_its_own_error(tmp_path: Path, broken: bytes) -> None:
    (tmp_path / "bad.md").write_bytes(broken)
    for name in ("a.md", "b.md"):
        (tmp_path / name).write_text(
            f"---\n{GOOD_HEAD}related: [bad.md]\n---\n\n"
            "See [the target](bad.md) and [its steps](bad.md#steps).\n")
    errors = [d for d in findings(tmp_path) if d.is_error]
    assert [d.path.rsplit("/", 1)[-1] for d in errors] == ["bad.md"], \
        [d.format_text() for d in errors]


@pytest.mark.parametrize("body, code", [
    ("", "KB125"),
    ("<!-- Answer the question in the first sentence. -->\n\n   \n", "KB125"),
    ("<!-- never closed", "KB125"),
    ("/// members\nOnly members read this.\n///\n", "KB125"),
])
def test_public_topic_without_an_answer_is_an_error(tmp_path: Path, body: str, code: str) -> None:
    (tmp_path / "bad.md").write_text(f"---\n{GOOD_HEAD}---\n{body}")
    error = one_error(tmp_path)
    assert (error.code, error.line) == (code, 6), error.format_text()


def test_public_topic_without_a_summary_is_an_error(tmp_path: Path) -> None:
    head = GOOD_HEAD.replace('summary: "One sentence."\n', "")
    (tmp_path / "bad.md").write_text(f"---\n{head}---\nThe answer.\n")
    error = one_error(tmp_path)
    assert (error.code, error.line) == ("KB124", 2)
    # A members topic without them is only a warning (KB120), or nothing.
    (tmp_path / "bad.md").write_text(f"---\n{head.replace('public', 'members')}---\n")
    assert [d.code for d in findings(tmp_path)] == ["KB120"]


def test_new_public_topic_is_not_built_until_written(project, monkeypatch, caplog) -> None:
    from click.testing import CliRunner

    from kbtools.cli import main

    monkeypatch.chdir(project.root)
    made = CliRunner().invoke(main, ["new", "Can I?", "-a", "publisher", "-v", "public"])
    assert made.exit_code == 0, made.output
    result = CliRunner().invoke(main, ["build", "--public"])
    assert result.exit_code == 1
    assert "content/can-i.md:2:1: error[KB124]" in caplog.text
    assert "content/can-i.md:8:1: error[KB125]" in caplog.text  # the closing ---
    assert not (project.root / "site" / "public").exists()


def test_updated_after_review_by_is_flagged(tmp_path: Path) -> None:
    (tmp_path / "t.md").write_text(f"---\n{GOOD_HEAD}updated: 2026-11-20\nreview_by: 2026-10-01\n"
                                   "---\nThe answer.\n")
    found = [d for d in findings(tmp_path) if d.code == "KB123"]
    assert len(found) == 1 and found[0].line == 7
    assert "`updated: 2026-11-20` is later than `review_by: 2026-10-01`" in found[0].message
    assert "`review_by: 2027-05-20`" in (found[0].hint or "")


def test_shipped_content_has_no_findings() -> None:
    from kbtools.commands.common import content_findings as _findings
    from kbtools.core.reading.project import read_project

    from .conftest import ROOT

    project = read_project(ROOT / "mkdocs.yml")
    kb = load(project.content)
    found = [d.format_text() for d in _findings(kb, project)
             if d.code != "KB121"]  # review dates pass with time; on the release day none has:
    assert found == []
    overdue = checks.check(kb, today=dt.date(2026, 12, 1))
    assert [d for d in overdue if d.code == "KB121"] == []


def test_links_and_anchors_are_checked_on_the_rendered_text(project, caplog) -> None:
    from kbtools.core.site.plan import Site

    from .conftest import topic

    project.write("a/call.md", topic("Call?", body="## Call [[support.phone]] today\n\nText."))
    project.write("a/good.md", topic("Good?", body="[ok](call.md#call-1-800-761-1072-today)"))
    out = project.build(Site.PUBLIC)
    assert 'href="../call/#call-1-800-761-1072-today"' in (out / "a/good/index.html").read_text()
    # The anchor as written (before expansion) is not on the page: it is refused.
    project.write("a/bad.md", topic("Bad?", body="[no](call.md#call-supportphone-today)"))
    with pytest.raises(MkDocsException):
        project.build(Site.PUBLIC)
    assert "content/a/bad.md:7:6: error[KB301]" in caplog.text, caplog.text
    assert "the page's headings are `#call-1-800-761-1072-today`" in caplog.text


def test_public_topic_in_a_folder_with_spaces_and_accents_builds(project) -> None:
    # Found by tests/test_robustness.py: the audit compared the search index's URL-encoded
    # location with the page's path and refused the build (KB504).
    from kbtools.core.site.plan import Site

    from .conftest import topic

    project.write("ü ber/a b.md", topic("Q?", body="Answer."))
    out = project.build(Site.PUBLIC)
    assert (out / "ü ber" / "a b" / "index.html").exists()


def test_a_finding_of_one_site_says_which(tmp_path: Path) -> None:
    (tmp_path / "t.md").write_text(f"---\n{GOOD_HEAD}---\nSee [a](nowhere.md).\n\n"
                                   "/// members\nAnd [b](gone.md).\n///\n")
    messages = sorted(d.message for d in findings(tmp_path) if d.is_error)
    assert messages == ["link `gone.md`: topic `gone.md` does not exist (in the members site)",
                        "link `nowhere.md`: topic `nowhere.md` does not exist"]


def test_stale_with_an_impossible_date_is_not_a_traceback(project, monkeypatch) -> None:
    from click.testing import CliRunner

    from kbtools.cli import main

    from .conftest import topic

    project.write("a/bad.md", topic("Bad?", review_by="2027-04-31"))
    project.write("a/old.md", topic("Old?", review_by="2020-01-01"))
    monkeypatch.chdir(project.root)
    result = CliRunner().invoke(main, ["stale"])
    assert result.exit_code == 0, result.output
    assert result.exception is None
    assert "content/a/old.md" in result.stdout and "bad.md" not in result.stdout
    assert "kb stale: 1 topic with errors left out (`kb check` lists them)" in result.stderr


def test_public_topic_linking_an_html_file_builds(project) -> None:
    # Found by tests/test_robustness.py: the audit took a public HTML file next to the topics
    # (a printable form) for a page that should not be there (KB505).
    from kbtools.core.site.plan import Site

    from .conftest import topic

    project.write("a/form.html", "<html><head></head><body><p>Print me.</p></body></html>")
    project.write("a/t.md", topic("Q?", body="Print [the form](form.html)."))
    out = project.build(Site.PUBLIC)
    assert "Print me." in (out / "a" / "form.html").read_text()


@pytest.mark.parametrize("name, message", [
    ("tags", "`tags` is where a generated page is written"),
    ("a/t", "`a/t` is where the page of `a/t.md` is written"),
    ("a/t/index.html", "`a/t/index.html` is where the page of `a/t.md` is written"),
    ("sitemap.xml", "`sitemap.xml` is a file the site itself writes"),
    ("search/search_index.json", "is a file the site itself writes"),
])
def test_file_where_a_page_is_written_is_refused(tmp_path: Path, name: str,
                                                 message: str) -> None:
    # Found by tests/test_robustness.py: a file `tags` next to the topics made the members
    # build fail with "File exists" and no diagnostic.
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "t.md").write_text(f"---\n{GOOD_HEAD}---\nThe answer.\n")
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text("<html><head></head></html>")
    from kbtools.core.site import pages

    errors = [d for d in checks.check(load(tmp_path), today=TODAY, reserved=pages.RESERVED)
              if d.is_error]
    assert [(d.path.endswith(name), d.code) for d in errors] == [(True, "KB309")], errors
    assert message in errors[0].message
