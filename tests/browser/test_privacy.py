"""Viewing a page sends no request to any other host: no web fonts, scripts or images."""

from __future__ import annotations

import pytest

from .conftest import PHONE, search

pytestmark = pytest.mark.browser

PAGES = {
    "public": ["", "for/publishers/", "getting-started/", "accounts-and-passwords/reset-password/",
               "tags/", "contact/contact-client-support/", "no-such-page/", "?q=password"],
    "members": ["", "members-resources/", "members-resources/support-center-location/",
                "accounts-and-passwords/superuser-password-change/", "tags/", "no-such-page/"],
}


@pytest.mark.parametrize("which, path", [(w, p) for w, ps in PAGES.items() for p in ps])
def test_no_request_leaves_the_site(visit, which, path) -> None:
    v = visit(which)
    response = v.goto(path)
    assert response.status == (404 if path == "no-such-page/" else 200)
    v.page.reload()  # and again, with everything cached
    v.page.wait_for_load_state("networkidle")
    assert v.offsite == []
    # Nothing was blocked silently either: every image and stylesheet loaded.
    broken = v.page.evaluate("""() => [...document.images].filter(i => !i.complete ||
        i.naturalWidth === 0).map(i => i.src)""")
    assert broken == []


@pytest.mark.parametrize("which", ["public", "members"])
def test_searching_and_switching_scheme_stay_on_the_site(visit, which) -> None:
    v = visit(which, viewport=PHONE)
    v.goto()
    assert search(v, "password")
    v.page.keyboard.press("Escape")
    v.page.locator("form[data-md-component=palette] label:visible").first.click()
    v.page.wait_for_load_state("networkidle")
    assert v.page.locator("body").get_attribute("data-md-color-scheme") == "slate"
    assert v.offsite == []
