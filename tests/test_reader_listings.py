"""Listings a reader can use at any size: subject, audience and tag listings hold at most
LISTING_LIMIT answers a page and continue on page-2/, page-3/… with a pager; a long audience
page lists each subject's first answers and leads to the subject's page; each tag has a page
of its own, which the tag chips lead to.

Real builds with the limit lowered (the same code path a knowledge base of thousands takes).
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest

from kbtools.core.site import pages
from kbtools.core.site.plan import Site

from .conftest import Project, kb_cli, topic

LIMIT = 3


def write_kb(p: Project) -> None:
    for i in range(7):
        audience = ["[publisher]", "[advertiser]", "[publisher, advertiser]"][i % 3]
        p.write(f"billing/answer-{i}.md", topic(
            f"Billing answer {i}?", audience=audience, summary=f'"Summary {i}."',
            tags="[invoices, billing-help]" if i % 2 else "[invoices]"))
    p.write("billing/secret.md", topic("Zqsecret billing?", visibility="members",
                                       tags="[zqmemberstag]"))
    p.write("status/one.md", topic("Status one?", audience="[publisher]", tags="[invoices]"))


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    mp = pytest.MonkeyPatch()
    mp.setattr(pages, "LISTING_LIMIT", LIMIT)
    try:
        p = Project(tmp_path_factory.mktemp("listings") / "kb")
        write_kb(p)
        yield p.build(Site.PUBLIC), p.build(Site.MEMBERS)
    finally:
        mp.undo()


def article(site: Path, page: str) -> str:
    html = (site / page).read_text()
    return html[html.index("<article"):html.index("</article>")]


def listed(html: str) -> list[str]:
    return re.findall(r'<a href="[^"]*">(Billing answer \d\?|Status one\?)</a>', html)


def pager_links(site: Path, page: str) -> list[Path]:
    html = article(site, page)
    nav = re.search(r'<nav [^>]*class="kb-pager"[^>]*>(.*?)</nav>', html, re.S).group(1)
    assert 'aria-label="Pages of this list"' in html
    base = (site / page).parent
    return [(base / unescape(h)).resolve() / "index.html"
            for h in re.findall(r'href="([^"]*)"', nav)]


def test_a_long_subject_continues_on_further_pages(sites) -> None:
    public, _ = sites
    paths = ["billing/index.html", "billing/page-2/index.html", "billing/page-3/index.html"]
    seen = []
    for n, page in enumerate(paths, 1):
        html = article(public, page)
        items = listed(html)
        assert 0 < len(items) <= LIMIT, page
        seen += items
        assert f"Page {n} of 3:" in html
        assert f'<span aria-current="page">{n}</span>' in html
        for target in pager_links(public, page):
            assert target.is_file(), (page, target)  # every pager link is a page
    assert sorted(seen) == [f"Billing answer {i}?" for i in range(7)]  # each once
    assert not (public / "billing/page-4").exists()
    # The first page says where each audience group starts; a group cut by a page goes on
    # under its heading, "(continued)".
    first = article(public, paths[0])
    assert re.search(r'href="page-2/#for-advertisers">For advertisers</a>: page 2', first)
    later = article(public, paths[1]) + article(public, paths[2])
    assert "(continued)" in later
    assert "<title>Billing (page 2 of 3) - CJ Client Support</title>" in (
        public / paths[1]).read_text()
    assert "Zqsecret" not in "".join((public / p).read_text() for p in paths)


def test_further_pages_are_in_the_sitemap_not_the_sidebar(sites) -> None:
    public, _ = sites
    sitemap = (public / "sitemap.xml").read_text()
    assert "billing/page-2/" in sitemap and "tags/invoices/" in sitemap
    topic_page = (public / "billing/answer-0/index.html").read_text()
    nav = topic_page[topic_page.index('md-nav--primary'):topic_page.index('md-sidebar--secondary')]
    assert "page-2" not in nav and "tags/invoices" not in nav


def test_a_long_audience_page_leads_to_the_subject_pages(sites) -> None:
    public, _ = sites
    html = article(public, "for/publishers/index.html") + article(
        public, "for/publishers/page-2/index.html")
    billing = [t for t in listed(html) if t.startswith("Billing")]
    assert 0 < len(billing) <= pages.AUDIENCE_EXAMPLES
    more = re.search(r'<a href="([^"]*)">All answers about billing</a>: (\d+) answers for '
                     r'publishers', html)
    assert more and int(more.group(2)) == 5
    assert more.group(1) == "../../../billing/"  # from page 2: for/publishers/page-2/
    assert "Status one?" in html  # a subject with few answers is listed whole


def test_each_tag_has_a_page_and_the_chips_lead_there(sites) -> None:
    public, members = sites
    page = (public / "billing/answer-3/index.html").read_text()
    chips = dict((unescape(t), h) for h, t in re.findall(
        r'<a href="([^"]*)" class="md-tag[^"]*">([^<]+)</a>', page))
    assert chips["Invoices"] == "../../tags/invoices/"
    assert chips["Billing help"] == "../../tags/billing-help/"
    assert chips["Publisher"] == "../../for/publishers/"  # an audience badge: its page
    invoices = [article(public, p) for p in ("tags/invoices/index.html",
                                             "tags/invoices/page-2/index.html",
                                             "tags/invoices/page-3/index.html")]
    assert "Answers tagged" in invoices[0]
    assert sorted(t for a in invoices for t in listed(a)) == sorted(
        [f"Billing answer {i}?" for i in range(7)] + ["Status one?"])
    index = article(public, "tags/index.html")
    assert re.search(r'href="invoices/">Invoices</a> 8 answers', index)
    assert re.search(r'href="billing-help/">Billing help</a> 3 answers', index)
    # A tag only members topics have has a page in the members site only.
    assert not (public / "tags/zqmemberstag").exists()
    assert (members / "tags/zqmemberstag/index.html").is_file()


def test_listing_page_names_are_reserved(project: Project, monkeypatch) -> None:
    project.write("billing/page-2.md", topic("A topic where a listing page goes"))
    project.write("tags/billing.md", topic("A topic where a tag page goes"))
    monkeypatch.chdir(project.root)
    result = kb_cli("check")
    assert result.exit_code != 0
    assert "KB309" in result.output and "billing/page-2.md" in result.output
    assert "tags/billing.md" in result.output
