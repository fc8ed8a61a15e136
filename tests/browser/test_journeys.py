"""A visitor's way to an answer: two clicks from the home page, or one search."""

from __future__ import annotations

import re

import pytest

from .conftest import DESKTOP, PHONE, search

pytestmark = pytest.mark.browser

MEMBERS_TITLE = "How does the SuperUser password prompt work when I change my password?"
MEMBERS_SLUG = "accounts-and-passwords/superuser-password-change/"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_home_to_audience_to_topic_in_two_clicks(visit, viewport) -> None:
    v = visit("public", viewport=viewport)
    v.goto()
    page = v.page
    page.get_by_role("link", name="I am a publisher").click()  # click 1
    page.wait_for_url(re.compile(r"/for/publishers/$"))
    assert page.locator("h1").inner_text() == "For publishers"
    page.get_by_role("link", name="How do I reactivate my publisher account?").click()  # 2
    page.wait_for_url(re.compile(r"/account-status/reactivate-publisher-account/$"))
    assert page.locator("h1").inner_text() == "How do I reactivate my publisher account?"
    # The answer opens with the audience badge and the summary.
    assert page.locator(".md-tag--publisher").first.is_visible()
    assert "Within 180 days" in page.locator(".kb-summary").inner_text()
    assert v.offsite == []


@pytest.mark.parametrize("query, expected", [
    ("1-800-761-1072", "contact/contact-client-support/"),
    ("password", "accounts-and-passwords/reset-password/"),
    ("reactivate", "account-status/reactivate-publisher-account/"),
])
def test_search_finds_a_seed_fact_in_the_public_site(visit, query, expected) -> None:
    v = visit("public")
    v.goto()
    results = search(v, query)
    top = [r["href"].split("?")[0] for r in results[:3]]
    assert v.site.url + expected in top, results


def test_search_results_show_the_audience(visit) -> None:
    v = visit("public", viewport=PHONE)
    v.goto()
    results = search(v, "password")
    first = next(r for r in results if "reset-password" in r["href"])
    assert {"Publisher", "Advertiser"} <= set(first["tags"])


def shown(v) -> list[str]:
    """The hrefs of the search results a visitor can see."""
    return [item.locator("a.md-search-result__link").first.get_attribute("href") or ""
            for item in v.page.locator(".md-search-result__item").all() if item.is_visible()]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_audience_filter_keeps_one_audience(visit, viewport) -> None:
    """A visitor picks "Advertisers" above the results: no query syntax to learn."""
    v = visit("public", viewport=viewport)
    v.goto()
    everyone = search(v, "account")
    publisher_only = [r["href"] for r in everyone if "Advertiser" not in r["tags"]]
    assert publisher_only and len(publisher_only) < len(everyone)
    v.page.get_by_label("Advertisers").check()
    v.page.wait_for_timeout(200)
    advertisers = shown(v)
    assert advertisers and not set(advertisers) & set(publisher_only)
    assert len(advertisers) == len(everyone) - len(publisher_only)
    assert v.page.locator(".kb-search-filter__note").inner_text() == \
        "Showing answers for advertisers only."
    # The choice holds for the next search, and "Everyone" shows everything again.
    v.page.locator(".md-search__input").fill("")
    v.page.locator(".md-search__input").press_sequentially("reactivate", delay=15)
    v.page.wait_for_timeout(500)
    assert not any("reactivate-publisher-account" in h for h in shown(v))
    v.page.get_by_label("Everyone").check()
    v.page.wait_for_timeout(200)
    assert any("reactivate-publisher-account" in h for h in shown(v))
    assert v.offsite == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_home_page_search_box_searches(visit, viewport) -> None:
    v = visit("public", viewport=viewport)
    v.goto()
    box = v.page.get_by_role("searchbox", name="Search the answers")
    assert box.is_visible()
    box.press_sequentially("password", delay=15)
    v.page.wait_for_function("() => /matching/i.test(document.querySelector("
                             "'.md-search-result__meta').textContent)")
    assert v.page.locator(".md-search__input").input_value() == "password"
    assert any("reset-password" in h for h in shown(v))


def test_the_search_box_works_without_the_script(browser, sites) -> None:
    """Submitting the form loads ?q=…, which Material's own search opens."""
    context = browser.new_context(java_script_enabled=True)
    page = context.new_page()
    page.goto(sites["public"].url + "?q=password")
    page.wait_for_function("() => /matching/i.test(document.querySelector("
                           "'.md-search-result__meta').textContent)")
    assert page.locator(".md-search__input").input_value() == "password"
    context.close()


def test_home_to_subject_to_topic_to_the_page_it_names(visit) -> None:
    v = visit("public")
    v.goto()
    page = v.page
    page.get_by_role("link", name="Accounts and passwords").click()
    page.wait_for_url(re.compile(r"/accounts-and-passwords/$"))
    assert page.locator("h1").inner_text() == "Accounts and passwords"
    page.locator("article").get_by_role("link", name="How do I reset my password?").click()
    page.wait_for_url(re.compile(r"/accounts-and-passwords/reset-password/$"))
    login = page.locator("article a", has_text="Login Help").first
    assert login.get_attribute("href").startswith("https://")  # a link, not a dead end
    # The breadcrumb leads back to the subject page; next stays within the subject.
    crumb = page.locator('nav[aria-label="Breadcrumb"] a', has_text="Accounts and passwords")
    assert crumb.get_attribute("href").endswith("/accounts-and-passwords/")
    for link in page.locator(".md-footer__link").all():
        assert "accounts-and-passwords" in (link.get_attribute("href") or "../")
    assert v.offsite == []


def test_phone_numbers_are_tel_links_that_do_not_wrap(visit) -> None:
    v = visit("public", viewport=PHONE)
    v.goto("contact/contact-client-support/")
    links = v.page.locator("a.kb-tel").all()
    assert links
    for link in links:
        assert link.get_attribute("href").startswith("tel:+1")
        box = link.bounding_box()
        assert box["height"] < 2 * float(link.evaluate(
            "e => parseFloat(getComputedStyle(e).lineHeight) || 20")), link.inner_text()
    text = v.page.locator("body").inner_text()
    assert text.count("1-800-761-1072") == 1 and text.count("1-877-777-3272") == 1


def test_the_members_site_says_so_and_the_teaser_leads_there(visit, sites) -> None:
    public = visit("public")
    public.goto("accounts-and-passwords/")
    teaser = public.page.locator(".kb-teaser a")
    assert teaser.get_attribute("href").endswith("/accounts-and-passwords/")
    assert public.page.locator(".kb-members-mark").count() == 0
    members = visit("members", viewport=PHONE)
    members.goto("accounts-and-passwords/")
    assert members.page.locator(".kb-members-mark").is_visible()
    assert "You are signed in" in members.page.locator(".md-banner").inner_text()


def test_a_members_title_is_found_only_in_the_members_site(visit) -> None:
    public = visit("public")
    public.goto()
    found = search(public, MEMBERS_TITLE)
    assert found  # public answers share words with it ...
    assert not any(MEMBERS_SLUG in r["href"] for r in found)  # ... but it is not there
    assert MEMBERS_TITLE not in [r["title"] for r in found]
    members = visit("members")
    members.goto()
    found = search(members, MEMBERS_TITLE)
    assert members.site.url + MEMBERS_SLUG == found[0]["href"].split("?")[0]
    assert found[0]["title"] == MEMBERS_TITLE


def test_a_members_only_word_finds_nothing_publicly(visit) -> None:
    """"picture" occurs only in members passages and members topics."""
    public = visit("public")
    public.goto()
    assert search(public, "picture") == []
    assert public.page.locator(".md-search-result__meta").inner_text() == "No matching documents"
    members = visit("members")
    members.goto()
    assert any("support-center" in r["href"] for r in search(members, "picture"))


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_search_result_opens_its_answer(visit, viewport) -> None:
    """The results are links a visitor can click (nothing lies over them), and Escape closes
    the dialog."""
    v = visit("public", viewport=viewport)
    v.goto("contact/contact-client-support/")
    search(v, "password")
    v.page.locator(".md-search-result__item a", has_text="How do I reset my password?").click()
    v.page.wait_for_url(re.compile(r"/accounts-and-passwords/reset-password/"))
    assert v.page.locator(".md-content h1").inner_text() == "How do I reset my password?"
    assert not v.page.locator("#__search").is_checked()  # the dialog closed behind it
    search(v, "reactivate")
    assert v.page.locator("#__search").is_checked()
    v.page.keyboard.press("Escape")
    assert not v.page.locator("#__search").is_checked()
    assert v.offsite == []
