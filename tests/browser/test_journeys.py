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


def test_search_can_keep_one_audience(visit) -> None:
    """Material's search takes `+tags:advertiser`, as the audience pages tell visitors."""
    v = visit("public")
    v.goto()
    everyone = search(v, "reactivate")
    assert any("reactivate-publisher-account" in r["href"] for r in everyone)
    v.goto()
    advertisers = search(v, "+tags:advertiser +password")
    assert advertisers
    assert all("Advertiser" in "".join(r["tags"]) for r in advertisers), advertisers
    assert not any("reactivate-publisher-account" in r["href"] for r in advertisers)


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
