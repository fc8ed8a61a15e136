"""The audit neither misses nor cries wolf: tester cases of both kinds, on real builds and on
hand-made output. Each false-alarm case builds a legitimate site that must publish; each leak
case plants members content in the public output the way a broken guard would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kbtools.core.output import leak_audit as audit
from kbtools.core.output import secrets
from kbtools.core.reading import facts
from kbtools.core.reading.loading import load
from kbtools.core.site.plan import Site

from .conftest import Project, site_text, topic, write_site


def test_members_text_equal_to_theme_strings_is_not_an_alarm(project: Project) -> None:
    project.write("guides/open.md", topic("How do I open it?", summary='"Open it."', body="""
        Public words about opening.

        /// members
        Page not found

        Table of contents

        Skip to content
        ///
        """))
    project.write("guides/hidden.md", topic("Table of contents", visibility="members",
                                            body="## Skip to content\n\nBack to top"))
    public = site_text(project.build(Site.PUBLIC))
    assert "public words about opening" in public
    assert "page not found" in site_text(project.build(Site.MEMBERS))


def test_lines_that_look_like_syntax_are_not_alarms(project: Project) -> None:
    project.write("guides/open.md", topic("How do I press it?", summary='"Press it."', body="""
        [Tip]: press twice.

        `kb` is the command and this line starts with code.

        /// members
        Members press the zqmembersonlybutton three times.
        ///

        The end of the public answer.
        """))
    public = site_text(project.build(Site.PUBLIC))
    assert "the end of the public answer" in public
    assert "zqmembersonlybutton" not in public


def test_see_also_lists_in_passages_are_not_alarms(project: Project) -> None:
    # A members "See also" list names public titles; those titles are public text.
    for name in ("one", "two", "three"):
        project.write(f"guides/{name}.md", topic(f"How do I use guide {name}?",
                                                 summary=f'"Guide {name}."'))
    project.write("guides/secret.md", topic("Where is the members console?",
                                            visibility="members"))
    project.write("guides/open.md", topic("How do I open it?", summary='"Open it."', body="""
        Public words.

        /// members
        See also:

        - [How do I use guide one?](one.md)
        - [How do I use guide two?](two.md)
        - [Where is the members console?](secret.md)
        ///

        ## How do I use guide three

        See [guide three](three.md).
        """))
    public = site_text(project.build(Site.PUBLIC))
    assert "how do i use guide one" in public  # its own page and listings
    assert "where is the members console" not in public


def test_a_public_topic_with_aliases_publishes_its_redirects(project: Project) -> None:
    project.write("guides/open.md", topic("How do I open it?", summary='"Open it."',
                                          aliases="[old/open.md, old/start.md]"))
    out = project.build(Site.PUBLIC)
    assert (out / "old/open/index.html").is_file()
    assert (out / "old/start/index.html").is_file()


# Hand-made output: each plants one leak the parser must see ----------------------------------

@pytest.fixture
def kb(tmp_path: Path):
    content = tmp_path / "content"
    (content / "guides").mkdir(parents=True)
    (content / "guides/open.md").write_text(topic(
        "How do I open the account page?", body="Open the page from the menu."))
    (content / "guides/secret.md").write_text(topic(
        "Where is the wombat console?", visibility="members",
        body="The console lives behind the blue door."))
    (content / "guides/diagram.png").write_bytes(b"png")
    return load(content)


EXPECTED = audit.Expectations(pages={"", "guides/open/"}, site_url="https://kb.test/",
                              site_url_path="/", members_url="https://members.kb.test/")


def run(tmp_path: Path, kb, files: dict[str, str], **collect) -> list[str]:
    site = write_site(tmp_path / "site", files)
    return [f"{d.code} {d.path}" for d in audit.audit(site, secrets.collect(kb, **collect),
                                                       EXPECTED)]


@pytest.mark.parametrize(("name", "html", "code"), [
    ("unquoted href", "<a href=../secret/>x</a>", "KB501"),
    ("unquoted src", "<img src=../diagram.png>", "KB501"),
    ("srcset", '<img srcset="../diagram.png 2x">', "KB501"),
    ("members host", '<a href="https://members.kb.test/guides/secret/">x</a>', "KB501"),
    ("members host as text", "<p>Go to https://members.kb.test/guides/secret/ now.</p>", "KB501"),
    ("refresh", '<meta http-equiv="refresh" content="0; url=../secret/">', "KB501"),
    ("comment", "<!-- The console lives behind the blue door. -->", "KB500"),
    ("script", "<script>var t = 'Where is the wombat console?';</script>", "KB500"),
    ("unquoted title", "<abbr title=Where-is-the-wombat-console>w</abbr>", "KB500"),
])
def test_the_parser_sees_every_form(tmp_path, kb, name, html, code) -> None:
    found = run(tmp_path, kb, {"guides/open/index.html": html})
    assert any(f.startswith(code) for f in found), (name, found)


def test_phrases_never_match_across_elements(tmp_path, kb) -> None:
    # "the blue door" ends one element and "the wombat console" starts the next: no sentence.
    page = "<h2>Where is the</h2><p>wombat console? The console lives behind</p><p>the blue</p>"
    assert run(tmp_path, kb, {"index.html": page}) == []
    assert run(tmp_path, kb, {"index.html": "<p>The console lives behind the blue door.</p>"})


def test_members_facts_are_secrets(tmp_path, kb) -> None:
    f = facts.parse({"desk": {"visibility": "members", "phone": "1-888-555-0142"}})
    found = run(tmp_path, kb, {"index.html": "<p>Call 1-888-555-0142 today.</p>"},
                members_facts=f.members_values())
    assert found and found[0].startswith("KB500")


def test_search_index_entries_are_read_per_element(tmp_path, kb) -> None:
    index = {"docs": [{"location": "guides/open/", "title": "Open",
                       "text": "<p>Where is the</p><p>wombat console?</p>"}]}
    assert run(tmp_path, kb, {"search/search_index.json": json.dumps(index)}) == []
