"""axe-core finds no serious or critical problem on any kind of page, in the light and the dark
scheme, on a desktop and on a phone.

Set KB_AXE_REPORT to a file name to get every finding (all impacts) as JSON lines.
"""

from __future__ import annotations

import json
import os

import pytest

from .conftest import DESKTOP, PHONE, search

pytestmark = pytest.mark.browser

PAGES = {
    "home": ("public", "", None),
    "audience": ("public", "for/advertisers/", None),
    "subject": ("public", "account-status/", None),
    "topic": ("public", "accounts-and-passwords/reset-password/", None),
    "topic-with-teaser": ("public", "getting-started/new-to-affiliate-marketing/", None),
    "tag-listing": ("public", "tags/", None),
    "tag-page": ("public", "tags/passwords/", None),
    "search-results": ("public", "", "password"),
    "search-filtered": ("public", "", "password advertisers"),
    "404": ("public", "no-such-page/", None),
    "members-home": ("members", "", None),
    "members-subject": ("members", "members-resources/", None),
    "members-topic": ("members", "accounts-and-passwords/change-password/", None),
}
SIZES = {"desktop": DESKTOP, "phone": PHONE}


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", list(PAGES))
def test_no_serious_or_critical_violations(visit, kind, scheme, size) -> None:
    from axe_playwright_python.sync_playwright import Axe

    which, path, query = PAGES[kind]
    v = visit(which, viewport=SIZES[size], scheme=scheme)
    v.goto(path)
    expected = "slate" if scheme == "dark" else "default"
    assert v.page.locator("body").get_attribute("data-md-color-scheme") == expected
    if query:
        words, _, audience = query.partition(" ")
        assert search(v, words)
        if audience:
            v.page.get_by_label(audience.capitalize()).check()
            v.page.wait_for_timeout(500)  # let Material's tooltips finish fading
    violations = Axe().run(v.page).response["violations"]
    found = [{"rule": x["id"], "impact": x["impact"],
              "nodes": [n["target"] for n in x["nodes"]][:5]} for x in violations]
    report = os.environ.get("KB_AXE_REPORT")
    if report:
        with open(report, "a", encoding="utf-8") as f:
            f.write(json.dumps({"page": kind, "scheme": scheme, "size": size,
                                "violations": found}) + "\n")
    assert [x for x in found if x["impact"] in ("serious", "critical")] == []
