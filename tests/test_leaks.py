"""The promise: nothing members-only reaches the public site, whatever construct carries it.

Every test asserts both sides: the canary is absent from the public output *and* present in
the members output, so a test cannot pass because nothing was built.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kbtools.core.site.plan import Site

from .conftest import PNG, Project, site_text, topic, tree_digest

# Each canary sits in exactly one construct of members-only content.
CANARIES = {
    "title": "zqtitlecanary",
    "summary": "zqsummarycanary",
    "tag": "zqtagcanary",
    "heading": "zqheadingcanary",
    "body": "zqbodycanary",
    "slug": "zqslugcanary",
    "alt": "zqaltcanary",
    "image": "zqimagecanary",
    "link": "zqlinkcanary",
    "alias": "zqaliascanary",
    "passage": "zqpassagecanary",
    "passage_heading": "zqpassageheadingcanary",
    "passage_alt": "zqpassagealtcanary",
    "passage_image": "zqpassageimagecanary",
    "passage_link": "zqpassagelinkcanary",
    "passage_list": "zqpassagelistcanary",
    "novisibility": "zqnovisibilitycanary",
    "novisibility_tag": "zqnovistagcanary",
}
DRAFT_CANARY = "zqdraftcanary"


def write_canary_kb(p: Project) -> None:
    c = CANARIES
    p.write("guides/open.md", topic(
        "How do I open the guide?", summary='"Open it from the start page."',
        tags="[guides]", body=f"""
        Everyone can read this first paragraph about the guide.

        ![Public picture](public-picture.png)

        ## Steps for everyone

        1. Open the start page.

        /// members
        ## {c['passage_heading']} signed-in steps

        Signed in, go further: {c['passage']} is the word.

        - a list item with {c['passage_list']}

        ![{c['passage_alt']}]({c['passage_image']}.png)

        See [the {c['passage_link']} guide](../{c['slug']}/{c['slug']}.md#{c['heading']}-details).
        ///

        The end of the public answer.
        """))
    p.write("guides/public-picture.png", PNG)
    p.write(f"guides/{c['passage_image']}.png", PNG)
    p.write(f"{c['slug']}/{c['slug']}.md", topic(
        f"What is {c['title']}?", visibility="members", audience="[advertiser]",
        summary=f'"Summary with {c["summary"]}."', tags=f"[{c['tag']}, guides]",
        aliases=f"[old/{c['alias']}.md]", body=f"""
        The body says {c['body']} to members.

        ## {c['heading']} details

        ![{c['alt']}]({c['image']}.svg)

        Back to [the {c['link']} public guide](../guides/open.md).
        """))
    p.write(f"{c['slug']}/{c['image']}.svg",
            '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><title>x</title></svg>')
    p.write("guides/no-visibility.md", topic(
        f"Where is {c['novisibility']}?", visibility=None, tags=f"[{c['novisibility_tag']}]"))
    p.write("guides/draft.md", topic(f"Draft {DRAFT_CANARY}", draft="true"))


@pytest.fixture(scope="module")
def canary_sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    p = Project(tmp_path_factory.mktemp("canary") / "kb")
    write_canary_kb(p)
    return p.build(Site.PUBLIC), p.build(Site.MEMBERS)


@pytest.mark.parametrize("construct", sorted(CANARIES))
def test_canary_absent_from_public_present_in_members(canary_sites: tuple[Path, Path],
                                                      construct: str) -> None:
    public, members = canary_sites
    canary = CANARIES[construct]
    assert canary not in site_text(public)
    assert canary in site_text(members)


def test_drafts_are_in_neither_site(canary_sites: tuple[Path, Path]) -> None:
    public, members = canary_sites
    assert DRAFT_CANARY not in site_text(public)
    assert DRAFT_CANARY not in site_text(members)


def test_public_site_keeps_public_content(canary_sites: tuple[Path, Path]) -> None:
    public, _ = canary_sites
    page = (public / "guides/open/index.html").read_text()
    assert "Everyone can read this first paragraph" in page
    assert "The end of the public answer." in page
    assert (public / "guides/public-picture.png").is_file()
    sitemap = (public / "sitemap.xml").read_text()
    assert "guides/open/" in sitemap
    # topic, its subject page, home, two audiences, tags, the page of its tag
    assert len(re.findall("<loc>", sitemap)) == 7
    assert "tags/guides/" in sitemap


def test_members_site_marks_passages(canary_sites: tuple[Path, Path]) -> None:
    _, members = canary_sites
    page = (members / "guides/open/index.html").read_text()
    assert '<div class="admonition members" role="note">' in page
    assert "Members only" in page
    assert (members / "old" / CANARIES["alias"] / "index.html").is_file()  # redirect


def test_public_build_is_reproducible(make_project) -> None:
    first, second = make_project("one"), make_project("two")
    for p in (first, second):
        write_canary_kb(p)
    assert tree_digest(first.build(Site.PUBLIC)) == tree_digest(second.build(Site.PUBLIC))
    assert tree_digest(first.build(Site.MEMBERS)) == tree_digest(second.build(Site.MEMBERS))


def teaser_off(p: Project) -> None:
    p.config.write_text(re.sub(r"(?m)^(\s*members_teaser:).*$", r"\1 false", p.config.read_text()))


def test_members_topics_do_not_change_the_public_site(make_project) -> None:
    """Non-interference: adding, changing or removing members content is invisible publicly.

    With the members teaser off the sites are byte-identical; with it on they differ only in
    the teaser's counts (tests/test_reader_teaser.py).
    """
    with_members, without = make_project("with"), make_project("without")
    for p in (with_members, without):
        teaser_off(p)
    write_canary_kb(with_members)
    write_canary_kb(without)
    # Remove every members-only topic and file, and every members passage.
    c = CANARIES
    for path in (f"{c['slug']}/{c['slug']}.md", f"{c['slug']}/{c['image']}.svg",
                 "guides/no-visibility.md", "guides/draft.md", f"guides/{c['passage_image']}.png"):
        (without.content / path).unlink()
    open_md = without.content / "guides/open.md"
    open_md.write_text(re.sub(r"/// members\n.*?\n///\n", "", open_md.read_text(), flags=re.S))
    # And make the members topic newer than everything public (dates feed the build date).
    changed = with_members.content / f"{c['slug']}/{c['slug']}.md"
    changed.write_text(changed.read_text().replace("---\n\n", "updated: 2031-01-01\n---\n\n", 1))
    a = tree_digest(with_members.build(Site.PUBLIC))
    b = tree_digest(without.build(Site.PUBLIC))
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []


def test_file_urls_public_site_builds_without_leaks(project: Project) -> None:
    """use_directory_urls: false writes `a/b.html` pages; the same promise holds."""
    project.config.write_text(project.config.read_text().replace(
        "use_directory_urls: true", "use_directory_urls: false"))
    write_canary_kb(project)
    public = site_text(project.build(Site.PUBLIC))
    assert "guides/open.html" in public
    assert [c for c in CANARIES.values() if c in public] == []
