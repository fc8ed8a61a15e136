"""What readers get in the built sites: home, audience and subject pages, topic pages,
navigation, named links, tag labels, SEO, llms.txt, 404.

Read from the HTML of real builds of a small knowledge base, both sites.
"""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from mkdocs.exceptions import MkDocsException

from kbtools.core.site.plan import Site

from . import search_index
from .conftest import Project, topic

SITE_URL = "https://support.example.invalid/"
MEMBERS_TITLE = "Where is the zqhidden switch?"


def write_kb(p: Project) -> None:
    p.write("passwords/reset.md", topic(
        "How do I reset my password?", audience="[publisher, advertiser]",
        summary='"Use the Login Help page."', tags="[passwords, user-settings]",
        featured="true", updated="2026-11-20", review_by="2027-05-20",
        related="[passwords/change.md, passwords/hidden.md]", body="""
        Open the [Login Help][login-help] page, or read the [Privacy Policy][].

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
        tags="[dormancy, publishers, contact, phone]",
        body="Call [[support.phone]] or [[support.phone]]."))
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
    # A search box first: a real form (Material opens its search with ?q=) with a label.
    form = re.search(r'<form [^>]*class="kb-hero-search"[^>]*>(.*?)</form>', home).group(0)
    assert 'role="search"' in form and 'action="."' in form and 'method="get"' in form
    assert '<label class="kb-hero-search__label" for="kb-q">Search the answers</label>' in form
    assert 'id="kb-q" name="q" type="search"' in form
    assert re.search(r'<a class="kb-card__link" href="for/publishers/">I am a publisher</a>',
                     home)
    assert re.search(r'<a class="kb-card__link" href="for/advertisers/">I am an advertiser</a>',
                     home)
    assert "3 answers for advertisers" in home and "3 answers for publishers" in home
    most_asked = home[home.index('id="most-asked"'): home.index('id="by-subject"')]
    assert hrefs(most_asked)[1:] == ["passwords/reset/"]
    by_subject = home[home.index('id="by-subject"'): home.index('id="contact"')]
    cards = re.findall(r'<a class="kb-card__link" href="([^"]+)">([^<]+)</a>', by_subject)
    assert cards == [("passwords/", "Passwords"), ("status/", "Status")]
    assert by_subject.count("<svg") == 2  # an icon per subject, inline: no request
    assert "2 answers" in by_subject
    assert '<a class="kb-tel" href="tel:+18007611072">1-800-761-1072</a>' in home
    assert "Monday–Friday, 6 AM–5 PM PST" in home
    assert home.count("1-800-761-1072") == 1  # the footer does not repeat the contact box
    assert "Made with" not in home and "Material for MkDocs" not in home
    assert MEMBERS_TITLE not in home
    members_home = read(members, "index.html")
    assert re.search(r'href="passwords/">Passwords</a>\s*</p>\s*<p><span class="kb-card__note">'
                     r'3 answers</span>', members_home)


def test_audience_page_lists_that_audiences_topics_by_subject(sites) -> None:
    public, _ = sites
    advertisers = read(public, "for/advertisers/index.html")
    assert "How do I reset my password?" in advertisers
    assert "Can I join as an advertiser?" in advertisers
    assert "Why was my account deactivated?" not in advertisers  # publishers only
    assert advertisers.index(">Passwords<") < advertisers.index(">Status<")
    assert "+tags" not in advertisers and "<code>" not in advertisers  # no query syntax
    publishers = read(public, "for/publishers/index.html")
    assert "Can I join as an advertiser?" not in publishers


def test_subject_page_lists_its_topics_grouped_with_summaries(sites) -> None:
    public, members = sites
    page = read(public, "passwords/index.html")
    assert "<h1>Passwords</h1>" in page
    assert hrefs(page[page.index("<article"): page.index("</article>")]).count("../") == 0
    body = page[page.index("<article"): page.index("</article>")]
    assert re.findall(r'<a href="([^"]+)">How do I', body) == ["change/", "reset/"]
    assert "Change it in User Settings." in body
    assert MEMBERS_TITLE not in page
    status = read(public, "status/index.html")
    # Topics for both audiences and for one are told apart.
    assert "<h2" in status and "For advertisers" in status and "For publishers" in status
    assert MEMBERS_TITLE in read(members, "passwords/index.html")


def test_breadcrumbs_lead_to_the_subject_page(sites) -> None:
    public, _ = sites
    page = read(public, "passwords/reset/index.html")
    path = page[page.index('aria-label="Breadcrumb"'): page.index("</nav>",
                                                                  page.index("Breadcrumb"))]
    assert hrefs(path) == ["../..", "../"]


def test_tags_page_title_and_heading_agree(sites) -> None:
    public, _ = sites
    page = read(public, "tags/index.html")
    assert "<title>Topics by tag - CJ Client Support</title>" in page
    assert "<h1>Topics by tag</h1>" in page


def test_generated_listings_stay_out_of_search(sites) -> None:
    public, _ = sites
    docs = search_index.documents(public)
    assert search_index.paths(public) == {"passwords/reset/", "passwords/change/",
                                          "status/deactivated/", "status/join/"}
    assert not any("Related topics" in d["content"] or "Last updated" in d["content"]
                   for d in docs)
    assert all(d["meta"]["title"] and d["filters"]["audience"] for d in docs)


# Topic pages --------------------------------------------------------------------------------

def test_topic_page_has_badges_summary_dates_and_related_topics(sites) -> None:
    public, members = sites
    page = read(public, "passwords/reset/index.html")
    tags = page[page.index('<nav class="md-tags"'): page.index("</nav>", page.index("md-tags"))]
    assert "md-tag--publisher" in tags and "md-tag--advertiser" in tags
    h1 = page.index("<h1>How do I reset my password?</h1>")
    assert page.index('<p class="kb-summary">Use the Login Help page.</p>') > h1
    assert '<time datetime="2026-11-20">20 November 2026</time>' in page
    assert "2027" not in page and "review" not in page.lower()  # review dates are for writers
    related = page[page.index('id="kb-related"'):]
    related = related[: related.index("</ul>")]
    assert hrefs(related)[1:] == ["../change/"]  # the members topic is left out publicly
    m_related = read(members, "passwords/reset/index.html")
    m_related = m_related[m_related.index('id="kb-related"'):]
    assert hrefs(m_related[: m_related.index("</ul>")])[1:] == ["../change/", "../hidden/"]


def test_previous_and_next_stay_within_a_subject(sites) -> None:
    public, _ = sites
    seen = 0
    for html in sorted(public.rglob("*.html")):
        text = html.read_text()
        here = html.relative_to(public).as_posix()
        for rel in ("prev", "next"):
            footer = re.findall(rf'<a href="([^"]+)" class="md-footer__link md-footer__link--{rel}',
                                text)
            for href in footer:
                seen += 1
                target = urljoin("/" + here, href).lstrip("/")
                assert (public / target / "index.html").is_file(), (html, href)
                assert "hidden" not in target
                assert target.split("/")[0] == here.split("/")[0], (here, target)
    assert seen >= 4
    home = read(public, "index.html")
    assert "md-footer__link" not in home
    assert "md-footer__link" not in read(public, "for/advertisers/index.html")


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
    assert paths == {"/", "/for/publishers/", "/for/advertisers/", "/tags/", "/passwords/",
                     "/status/", "/passwords/reset/", "/passwords/change/",
                     "/status/deactivated/", "/status/join/",
                     # a page per tag (labels: contact and phone are "Contacting CJ")
                     "/tags/contacting-cj/", "/tags/inactive-accounts/", "/tags/passwords/",
                     "/tags/user-settings/"}
    assert read(public, "robots.txt") == ("User-agent: *\nAllow: /\n\n"
                                          f"Sitemap: {SITE_URL}sitemap.xml\n")


def test_llms_txt_lists_each_sites_own_answers(sites) -> None:
    public, members = sites
    text = read(public, "llms.txt")
    assert text.startswith("# CJ Client Support\n\n> Answers for CJ publishers and advertisers.\n")
    assert (f"- [How do I reset my password?]({SITE_URL}passwords/reset/): "
            "Use the Login Help page.\n") in text
    assert "## Passwords" in text and "## Status" in text
    assert "zqhidden" not in text and "hidden" not in text
    assert "zqhidden" in read(members, "llms.txt")
    assert "(/passwords/hidden/)" in read(members, "llms.txt")  # no public host named


def test_named_links_become_links_and_tags_show_their_labels(sites) -> None:
    public, _ = sites
    page = read(public, "passwords/reset/index.html")
    assert '<a href="https://www.cj.com/">Login Help</a>' in page
    assert '<a href="https://www.cj.com/">Privacy Policy</a>' in page
    tags = page[page.index('<nav class="md-tags"'): page.index("</nav>", page.index("md-tags"))]
    labels = re.findall(r'class="md-tag [^"]*"[^>]*>\s*([^<]+?)\s*<', tags)
    assert sorted(labels) == ["Advertiser", "Passwords", "Publisher", "User settings"]
    status = read(public, "status/deactivated/index.html")
    labels = re.findall(r'class="md-tag [^"]*"[^>]*>\s*([^<]+?)\s*<', status)
    # `publishers` is the audience badge; `contact` and `phone` are one concept in the table.
    assert sorted(labels) == ["Contacting CJ", "Inactive accounts", "Publisher"]


def test_phone_numbers_are_tel_links_shown_once(sites) -> None:
    public, _ = sites
    page = read(public, "status/deactivated/index.html")
    article = page[page.index("<article"): page.index("</article>")]
    assert article.count('<a class="kb-tel" href="tel:+18007611072">1-800-761-1072</a>') == 2
    footer = page[page.index("kb-footer-contact"):]
    assert "1-800-761-1072" not in footer  # the page shows it already
    assert '<a class="kb-tel" href="tel:+18777773272">1-877-777-3272</a>' in footer


def test_members_site_says_it_is_the_members_site(sites) -> None:
    public, members = sites
    for name in ("index.html", "passwords/reset/index.html", "passwords/index.html"):
        page = read(members, name)
        assert '<span class="kb-members-mark"' in page and ">Members</span>" in page
        assert "You are signed in" in page
        assert "kb-members-mark" not in read(public, name)
        assert "signed in" not in read(public, name).lower()
        assert "md-banner" not in read(public, name)


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
    with pytest.raises(MkDocsException):
        project.build(Site.PUBLIC)
    assert "featured" in caplog.text and "KB107" in caplog.text


def test_a_folder_whose_address_a_topic_has_gets_no_subject_page(project: Project) -> None:
    """billing/invoices.md is the page billing/invoices/; the folder billing/invoices/ beside it
    gets no generated page of its own (two pages at one address)."""
    project.write("billing/invoices.md", topic("Invoices"))
    project.write("billing/invoices/late.md", topic("Late invoices"))
    for site in (Site.PUBLIC, Site.MEMBERS):
        out = project.build(site)
        assert "<h1>Invoices</h1>" in read(out, "billing/invoices/index.html")
        assert "<h1>Billing</h1>" in read(out, "billing/index.html")  # billing's own page
        home = read(out, "index.html")
        assert 'href="billing/">Billing</a>' in home
        assert 'href="billing/invoices/late/">Invoices</a>' in home  # its first answer
