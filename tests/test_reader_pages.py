"""What readers get in the built sites: home, audience pages, topic pages, navigation, SEO, 404.

Read from the HTML of real builds of a small knowledge base, both sites.
"""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from kbtools.core.sites import Site

from .conftest import Project, topic

SITE_URL = "https://support.example.invalid/"
MEMBERS_TITLE = "Where is the zqhidden switch?"


def write_kb(p: Project) -> None:
    p.write("passwords/reset.md", topic(
        "How do I reset my password?", audience="[publisher, advertiser]",
        summary='"Use the Login Help page."', tags="[passwords]", featured="true",
        updated="2026-11-20", review_by="2027-05-20",
        related="[passwords/change.md, passwords/hidden.md]", body="""
        Open the **Login Help** page.

        ## Steps

        1. Submit your email address.
        """))
    p.write("passwords/change.md", topic(
        "How do I change my password?", audience="[publisher, advertiser]",
        summary='"Change it in User Settings."', related="[passwords/reset.md]"))
    p.write("passwords/hidden.md", topic(
        MEMBERS_TITLE, visibility="members", audience="[advertiser]",
        summary='"Members only."', related="[passwords/reset.md]"))
    p.write("status/deactivated.md", topic(
        "Why was my account deactivated?", summary='"Dormant accounts are deactivated."',
        tags="[dormancy]"))
    p.write("status/join.md", topic(
        "Can I join as an advertiser?", audience="[advertiser]", summary='"Yes, call Sales."'))


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    p = Project(tmp_path_factory.mktemp("reader") / "kb")
    write_kb(p)
    return p.build(Site.PUBLIC), p.build(Site.MEMBERS)


def read(site: Path, page: str) -> str:
    return (site / page).read_text()


def hrefs(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]*)"', html)]


def primary_nav(html: str) -> str:
    start = html.index('class="md-nav md-nav--primary"')
    return html[start: html.index('md-sidebar--secondary', start)]


# Home and audience pages --------------------------------------------------------------------

def test_home_leads_to_each_audience_featured_topics_subjects_and_contact(sites) -> None:
    public, members = sites
    home = read(public, "index.html")
    assert "<title>CJ Client Support</title>" in home
    assert re.search(r'<a href="for/publishers/"><strong>I am a publisher</strong></a>', home)
    assert re.search(r'<a href="for/advertisers/"><strong>I am an advertiser</strong></a>', home)
    most_asked = home[home.index('id="most-asked"'): home.index('id="by-subject"')]
    assert hrefs(most_asked)[1:] == ["passwords/reset/"]
    assert 'href="tel:+18007611072">1-800-761-1072</a>' in home
    assert "Monday–Friday, 6 AM–5 PM PST" in home
    assert MEMBERS_TITLE not in home
    assert MEMBERS_TITLE.replace("?", "") in read(members, "index.html")


def test_audience_page_lists_that_audiences_topics_by_subject(sites) -> None:
    public, _ = sites
    advertisers = read(public, "for/advertisers/index.html")
    assert "How do I reset my password?" in advertisers
    assert "Can I join as an advertiser?" in advertisers
    assert "Why was my account deactivated?" not in advertisers  # publishers only
    assert advertisers.index(">Passwords<") < advertisers.index(">Status<")
    assert "<code>+tags:advertiser</code>" in advertisers
    publishers = read(public, "for/publishers/index.html")
    assert "Can I join as an advertiser?" not in publishers


def test_generated_listings_stay_out_of_search(sites) -> None:
    public, _ = sites
    docs = json.loads(read(public, "search/search_index.json"))["docs"]
    locations = {d["location"].split("#")[0] for d in docs}
    assert locations == {"passwords/reset/", "passwords/change/", "status/deactivated/",
                         "status/join/"}
    assert not any("Related topics" in d["title"] or "Last updated" in d["text"] for d in docs)


# Topic pages --------------------------------------------------------------------------------

def test_topic_page_has_badges_summary_dates_and_related_topics(sites) -> None:
    public, members = sites
    page = read(public, "passwords/reset/index.html")
    tags = page[page.index('<nav class="md-tags"'): page.index("</nav>", page.index("md-tags"))]
    assert "md-tag--publisher" in tags and "md-tag--advertiser" in tags
    h1 = page.index("<h1>How do I reset my password?</h1>")
    assert page.index('<p class="kb-summary">Use the Login Help page.</p>') > h1
    assert '<time datetime="2026-11-20">20 November 2026</time>' in page
    assert '<time datetime="2027-05-20">20 May 2027</time>' in page
    related = page[page.index('id="kb-related"'):]
    related = related[: related.index("</ul>")]
    assert hrefs(related)[1:] == ["../change/"]  # the members topic is left out publicly
    m_related = read(members, "passwords/reset/index.html")
    m_related = m_related[m_related.index('id="kb-related"'):]
    assert hrefs(m_related[: m_related.index("</ul>")])[1:] == ["../change/", "../hidden/"]


def test_previous_and_next_stay_within_the_site(sites) -> None:
    public, _ = sites
    for html in sorted(public.rglob("*.html")):
        text = html.read_text()
        for rel in ("prev", "next"):
            for href in re.findall(rf'<link rel="{rel}" href="([^"]+)"', text):
                target = urljoin("/" + html.relative_to(public).as_posix(), href).lstrip("/")
                assert (public / target / "index.html").is_file(), (html, href)
                assert "hidden" not in target


def test_navigation_is_pruned_to_the_current_subject(sites) -> None:
    public, _ = sites
    nav = primary_nav(read(public, "passwords/reset/index.html"))
    links = hrefs(nav)
    assert "../change/" in links
    # The other subject is one collapsed entry, not a list of its topics.
    assert sum("status/" in h for h in links) == 1
    assert '<nav class="md-path" aria-label="Breadcrumb"' in read(public,
                                                                    "passwords/reset/index.html")


# SEO ----------------------------------------------------------------------------------------

def test_public_seo_canonical_description_sitemap_robots_and_faq(sites) -> None:
    public, _ = sites
    page = read(public, "passwords/reset/index.html")
    assert f'<link rel="canonical" href="{SITE_URL}passwords/reset/">' in page
    assert '<meta name="description" content="Use the Login Help page.">' in page
    assert "noindex" not in page
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page,
                              re.S).group(1))
    assert ld["@type"] == "FAQPage"
    question = ld["mainEntity"][0]
    assert question["name"] == "How do I reset my password?"
    assert question["acceptedAnswer"]["text"] == "Use the Login Help page."
    locs = re.findall(r"<loc>([^<]+)</loc>", read(public, "sitemap.xml"))
    paths = {urlsplit(u).path for u in locs}
    assert paths == {"/", "/for/publishers/", "/for/advertisers/", "/tags/", "/passwords/reset/",
                     "/passwords/change/", "/status/deactivated/", "/status/join/"}
    assert read(public, "robots.txt") == ("User-agent: *\nAllow: /\n\n"
                                          f"Sitemap: {SITE_URL}sitemap.xml\n")


def test_members_site_is_not_for_search_engines(sites) -> None:
    _, members = sites
    pages = sorted(members.rglob("*.html"))
    assert len(pages) >= 9
    for html in pages:
        text = html.read_text()
        assert text.count('<meta name="robots" content="noindex, nofollow">') == 1, html
        assert 'rel="canonical"' not in text or "http-equiv" in text, html
        assert "application/ld+json" not in text
    assert not (members / "sitemap.xml").exists()
    assert not (members / "sitemap.xml.gz").exists()
    assert read(members, "robots.txt").endswith("User-agent: *\nDisallow: /\n")
    assert "navigation.instant" not in read(members, "index.html")


def test_members_redirect_pages_say_noindex_too(project: Project) -> None:
    write_kb(project)
    project.write("passwords/hidden.md", topic(MEMBERS_TITLE, visibility="members",
                                               aliases="[old/hidden.md]"))
    members = project.build(Site.MEMBERS)
    redirect = read(members, "old/hidden/index.html")
    assert "http-equiv" in redirect and 'content="noindex, nofollow"' in redirect


# Privacy and 404 ----------------------------------------------------------------------------

def test_pages_load_nothing_from_elsewhere(sites) -> None:
    """Static check; the browser tests watch the requests themselves."""
    for site in sites:
        for f in site.rglob("*"):
            if f.suffix not in (".html", ".css", ".js") or f.name.endswith(".map"):
                continue
            text = f.read_text(errors="replace")
            assert "fonts.googleapis" not in text and "fonts.gstatic" not in text
            if f.suffix == ".html":
                for tag in re.findall(r"<(?:script|img|link|iframe|source)\b[^>]*>", text):
                    src = re.search(r'\b(?:src|href)="(https?:)?//[^"]*"', tag)
                    assert src is None or 'rel="canonical"' in tag, (f, tag)


def test_404_helps_and_names_no_topic(sites) -> None:
    public, members = sites
    for site in (public, members):
        page = read(site, "404.html")
        assert "<h1>Page not found</h1>" in page
        assert 'for="__search"' in page and "Go to the home page" in page
        assert "Answers for publishers" in page and "Answers for advertisers" in page
        body = page[page.index('<article'): page.index("</article>")]
        for title in ("reset my password", "change my password", "deactivated", "zqhidden"):
            assert title not in body
        assert "zqhidden" not in page


def test_featured_must_be_true_or_false(project: Project, caplog) -> None:
    project.write("a/t.md", topic("A topic", featured='"yes"'))
    with pytest.raises(Exception):
        project.build(Site.PUBLIC)
    assert "featured" in caplog.text and "KB107" in caplog.text
