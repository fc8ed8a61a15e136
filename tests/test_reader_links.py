"""Named links (mkdocs.yml `extra: links:`) and tag labels (`extra: tag_labels:`): what `kb
check` says about them, and what the sites show."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from mkdocs.exceptions import MkDocsException

from kbtools.cli import main
from kbtools.core.reading import named_links as links
from kbtools.core.reading.loading import load
from kbtools.core.site import labels
from kbtools.core.site.plan import Site

from . import search_index
from .conftest import ROOT, Project, topic

TABLE = links.parse({
    "login-help": {"title": "Login Help", "url": "https://www.example.invalid/login"},
    "offices": {"title": "See All Office Locations", "aliases": ["office locations"],
                "url": "https://www.example.invalid/"},
    "primer": {"title": "What Is Affiliate Marketing?", "url": "https://www.example.invalid/"},
})


def findings(project: Project, body: str) -> list[str]:
    project.write("a/t.md", topic("A topic", body=body))
    return [f"{d.line}:{d.column} {d.code} {d.message}"
            for d in links.check(load(project.content), TABLE)]


@pytest.mark.parametrize("body", [
    "Open the [Login Help][login-help] page.",
    "Open the [Login Help][] page.",  # by title
    "Read [What Is Affiliate Marketing?][].",
    "Use [the page for that][LOGIN-HELP].",  # ids ignore case, as in Markdown
    "A [local one][mine].\n\n[mine]: https://example.invalid/",
    "Code is left alone: `[x][nope]` and `**Login Help**`.",
    "```\n[x][nope]\n**Login Help**\n```",
    "A link in bold is linked: [**Login Help**][login-help].",
    "Bold that names no page: **Account > User Settings**.",
])
def test_clean_uses_of_named_links(project: Project, body: str) -> None:
    assert findings(project, body) == []


def test_an_unknown_name_is_an_error_with_a_suggestion(project: Project) -> None:
    found = findings(project, "Intro.\n\nOpen the [Login Help][login-hlep] page.")
    assert found == ["9:10 KB610 `[Login Help][login-hlep]` names no link in mkdocs.yml "
                     "`extra: links:`"]
    diag = next(iter(links.check(load(project.content), TABLE)))
    assert diag.hint == "did you mean `[Login Help][login-help]`?"


@pytest.mark.parametrize(("body", "code"), [
    ("Open the **Login Help** page.", "KB611 `**Login Help**` names the Login Help page"),
    ("Read the **“What Is Affiliate Marketing?”** page.", "KB611"),
    ("Use **See All Office Locations**.", "KB611"),
    ("Find our __office locations__.", "KB611 `__office locations__` names the See All"),
])
def test_a_page_name_in_bold_without_a_link_is_a_warning(project: Project, body: str,
                                                         code: str) -> None:
    found = findings(project, body)
    assert len(found) == 1 and code in found[0]


def test_the_real_content_links_every_page_it_names() -> None:
    from mkdocs.config import load_config

    from kbtools.plugin import theme as reader

    table = reader.load_links(load_config(str(ROOT / "mkdocs.yml")))
    assert {"login-help", "contact-sales", "office-locations", "affiliate-marketing",
            "advertiser-verticals", "privacy-policy", "sign-up"} <= set(table.by_name)
    assert [d.format_text() for d in links.check(load(ROOT / "content"), table)] == []


def test_kb_check_reports_link_findings(project: Project, monkeypatch) -> None:
    project.write("a/t.md", topic("A topic", body="Open **Login Help**, or [this][nowhere]."))
    monkeypatch.chdir(project.root)
    result = CliRunner().invoke(main, ["check", "--format", "json"])
    assert result.exit_code == 1
    codes = sorted(json.loads(line)["code"] for line in result.stdout.splitlines()
                   if line.startswith("{"))
    assert {"KB610", "KB611"} <= set(codes)


def test_sites_link_named_pages_and_an_unknown_name_fails_the_build(project: Project,
                                                                    caplog) -> None:
    project.write("a/t.md", topic("A topic", body="Go to [Login Help][] or [Contact Sales][]."))
    public = project.build(Site.PUBLIC)
    page = (public / "a/t/index.html").read_text()
    assert '<a href="https://www.cj.com/">Login Help</a>' in page
    assert '<a href="https://www.cj.com/">Contact Sales</a>' in page
    assert "][" not in page
    project.write("a/t.md", topic("A topic", body="Go to [Login Help][login-hlep]."))
    with pytest.raises(MkDocsException):
        project.build(Site.PUBLIC)
    assert "error[KB610]" in caplog.text


def test_links_table_must_be_well_formed() -> None:
    for bad in ([], {"Bad Name": {"title": "x", "url": "y"}}, {"a": {"title": "x"}},
                {"a": {"title": "x", "url": "y", "aliases": "z"}}):
        with pytest.raises(links.LinksError):
            links.parse(bad)


# Tag labels ---------------------------------------------------------------------------------

def test_labels_one_per_concept_and_no_audience_repeats() -> None:
    table = {"password": "Passwords", "passwords": "Passwords", "user-settings": "User settings"}
    assert labels.labels(["passwords", "password", "publishers", "user-settings", "advertiser",
                          "new-thing"], table) == ["Passwords", "User settings", "New thing"]
    with pytest.raises(labels.LabelsError):
        labels.parse({"a": 3})


def test_tags_page_lists_labels_and_each_audience_once(project: Project) -> None:
    project.write("a/t.md", topic("A topic", audience="[publisher, advertiser]",
                                  tags="[user-settings, publishers, advertisers]"))
    project.write("a/u.md", topic("Another", tags="[passwords]"))
    public = project.build(Site.PUBLIC)
    page = (public / "tags/index.html").read_text()
    article = page[page.index("<article"): page.index("</article>")]
    names = re.findall(r'class="md-tag[ "][^>]*>([^<]+)<', article)
    assert sorted(names) == ["Passwords", "User settings"]  # labels, each tag once
    # The tag's name as written is not shown (only its page's address is made from the label).
    assert "user-settings" not in re.sub(r'href="[^"]*"', "", article)
    assert (public / "tags/user-settings/index.html").is_file()
    # A tag repeating an audience is dropped: audiences are badges, once each on the page,
    # leading to the audience's own page (not a tag page).
    topic_page = (public / "a/t/index.html").read_text()
    badges = re.findall(r'<a href="([^"]*)" class="md-tag[^"]*md-tag--(\w+)"', topic_page)
    assert sorted(badges) == [("../../for/advertisers/", "advertiser"),
                              ("../../for/publishers/", "publisher")]
    chips = re.findall(r'class="md-tag[^"]*">([^<]+)<', topic_page)
    assert chips.count("Publisher") == 1 and chips.count("Advertiser") == 1
    assert "publishers" not in " ".join(chips).lower()
    # Tags are words search finds, as the page shows them.
    assert any("User settings" in d["content"] for d in search_index.documents(public))
