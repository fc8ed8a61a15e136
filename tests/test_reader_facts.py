"""Contact facts are written once (mkdocs.yml `extra: facts:`) and topics use placeholders."""

from __future__ import annotations

from pathlib import Path

import pytest
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException

from kbtools.core.reading import facts
from kbtools.core.reading.loading import load
from kbtools.core.site.plan import Site
from kbtools.plugin import theme as reader

from . import search_index
from .conftest import ROOT, Project, topic

CONFIG = {
    "time_zone": "PST",
    "support": {"name": "Client Support", "phone": "1-800-761-1072",
                "hours": "Monday–Friday, 6 AM–5 PM [[time_zone]]"},
    "sales": {"name": "Sales", "phone": "877-777-3272"},
}


def codes(kb_dir: Path, data: dict = CONFIG) -> list[tuple[str, int, str]]:
    kb = load(kb_dir)
    return [(d.code, d.line, d.message) for d in facts.check(kb, facts.parse(data))]


def test_parse_flattens_groups_resolves_references_and_adds_tel_links() -> None:
    f = facts.parse(CONFIG)
    assert f.values["support.hours"] == "Monday–Friday, 6 AM–5 PM PST"
    assert f.values["support.tel"] == "+18007611072"
    assert f.values["sales.tel"] == "+18777773272"
    assert [(c.key, c.name, c.phone, c.hours) for c in f.contact] == [
        ("support", "Client Support", "1-800-761-1072", "Monday–Friday, 6 AM–5 PM PST"),
        ("sales", "Sales", "877-777-3272", ""),
    ]
    assert f.expand("Call [[support.phone]] ([[ support.hours ]]), not [[nope]].") == \
        "Call 1-800-761-1072 (Monday–Friday, 6 AM–5 PM PST), not [[nope]]."


@pytest.mark.parametrize("data, message", [
    ({"a": "[[b]]", "b": "[[a]]"}, "circle"),
    ({"a": "[[missing]]"}, "not a fact"),
    ({"a": ["x"]}, "must be text"),
    ({"a": True}, "must be text"),
    ({"a": "two\nlines"}, "one line"),
    ({"a b": "x"}, "must start with a letter"),
    (["not", "a", "mapping"], "mapping"),
])
def test_bad_facts_are_refused(data: object, message: str) -> None:
    with pytest.raises(facts.FactsError, match=message):
        facts.parse(data)  # type: ignore[arg-type]


def test_check_reports_unknown_written_out_and_different_values(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "t.md").write_text(topic(
        "Call us", summary='"Call [[support.phone]]."', body="""
        Call [[support.fone]] or 1-800-761-1072, or (800) 555-0100.

        Open 6am-5pm PT, not 7am-5pm PST; sales is on 877.777.3272.
        """))
    found = codes(tmp_path)
    assert sorted((line, c) for c, line, _ in found) == [
        (8, "KB600"), (8, "KB601"), (8, "KB602"), (10, "KB601"), (10, "KB602"), (10, "KB602")]
    messages = " | ".join(m for _, _, m in found)
    assert "`[[support.fone]]` names no contact fact" in messages
    assert "`(800) 555-0100` is not one of the contact facts" in messages
    assert "`7am-5pm PST` differ" in messages


def test_the_hint_names_the_placeholder_to_write(tmp_path: Path) -> None:
    (tmp_path / "t.md").write_text(topic("Call", body="Call 800-761-1072, [[support.phon]]."))
    hints = {d.code: d.hint for d in facts.check(load(tmp_path), facts.parse(CONFIG))}
    assert hints["KB602"] == "write `[[support.phone]]` instead"
    assert hints["KB600"] == "did you mean `[[support.phone]]`?"


def test_apply_replaces_placeholders_before_anything_reads_the_topic(tmp_path: Path) -> None:
    (tmp_path / "t.md").write_text(topic(
        "Call", summary='"Call [[support.phone]]."', body="""
        ## Hours

        [[support.hours]]

        /// members
        Members call [[sales.phone]].
        ///
        """))
    kb = facts.apply(load(tmp_path), facts.parse(CONFIG))
    t = kb.topics["t.md"]
    assert t.summary == "Call 1-800-761-1072."
    assert "Monday–Friday, 6 AM–5 PM PST" in t.public_body()
    assert "877-777-3272" not in t.public_body() and "877-777-3272" in t.body


def test_the_real_content_uses_the_facts() -> None:
    """Every phone number and opening time in content/ is a placeholder."""
    real = reader.load_facts(load_config(str(ROOT / "mkdocs.yml")))
    assert real.values["support.phone"] == "1-800-761-1072"
    found = list(facts.check(load(ROOT / "content"), real))
    assert [d.format_text() for d in found] == []


def test_a_site_shows_the_values_and_a_different_number_fails_the_build(
        project: Project, caplog: pytest.LogCaptureFixture) -> None:
    project.write("contact/call.md", topic(
        "How do I call?", summary='"Call [[support.phone]]."',
        body="Call [[support.phone]], [[support.hours]]."))
    public = project.build(Site.PUBLIC)
    page = (public / "contact/call/index.html").read_text()
    assert ('Call <a class="kb-tel" href="tel:+18007611072">1-800-761-1072</a>, Monday–Friday, '
            "6 AM–5 PM PST.") in page
    assert '<meta name="description" content="Call 1-800-761-1072.">' in page
    assert "[[" not in page
    assert any("1-800-761-1072" in d["content"] for d in search_index.documents(public))

    project.write("contact/call.md", topic("How do I call?", body="Call 1-800-555-0100."))
    with pytest.raises(MkDocsException):
        project.build(Site.PUBLIC)
    assert "error[KB601]: phone number `1-800-555-0100` is not one of the contact facts" \
        in caplog.text
    assert (public / "contact/call/index.html").read_text() == page  # previous site kept


def test_every_page_shows_each_contact_number_once(project: Project) -> None:
    project.write("a/t.md", topic("A topic"))
    project.write("a/call.md", topic("Call us", body="Call [[support.phone]]."))
    public = project.build(Site.PUBLIC)
    for html in ("index.html", "a/t/index.html", "a/call/index.html", "404.html"):
        text = (public / html).read_text()
        for number, tel in (("1-800-761-1072", "+18007611072"),
                            ("1-877-777-3272", "+18777773272")):
            # In the page, the home page's contact box or else the footer: once, never wrapping.
            assert text.count(number) == 1, (html, number)
            assert f'<a class="kb-tel" href="tel:{tel}">{number}</a>' in text, (html, number)
    assert "kb-footer-contact" not in (public / "index.html").read_text()
