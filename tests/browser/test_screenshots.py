"""Screenshots for the README: the public home, a subject page, a topic and search with the
audience filter (advertisers only), and a members topic; on a desktop and a phone, light and
dark.

They are taken on every run (so the pages render); with KB_UPDATE_SCREENSHOTS=1 they replace
the committed ones in docs/screenshots/:

    KB_UPDATE_SCREENSHOTS=1 .venv/bin/python -m pytest tests/browser/test_screenshots.py
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest

from .conftest import DESKTOP, PHONE, ROOT

pytestmark = pytest.mark.browser

SHOTS = ROOT / "docs" / "screenshots"
PAGES = {"home": ("public", "", None),
         "subject": ("public", "accounts-and-passwords/", None),
         "topic": ("public", "accounts-and-passwords/reset-password/", None),
         "search": ("public", "", "account"),
         "members": ("members", "getting-started/new-to-affiliate-marketing/", None)}
SIZES = {"desktop": DESKTOP, "phone": PHONE}
SCHEMES = {"light": "", "dark": "-dark"}


def shot_name(name: str, size: str, scheme: str) -> str:
    return f"{name}-{size}{SCHEMES[scheme]}.png"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("name", sorted(PAGES))
def test_screenshot(visit, tmp_path, name, size, scheme) -> None:
    viewport = SIZES[size]
    which, path, query = PAGES[name]
    v = visit(which, viewport=viewport, scheme=scheme)
    v.goto(path)
    if query:
        v.page.locator("#kb-q").fill(query)  # the home page's box hands over to search
        v.page.wait_for_function("() => /matching/i.test(document.querySelector("
                                 "'.md-search-result__meta').textContent)")
        v.page.locator('.kb-search-filter input[value="advertiser"]').check()
        v.page.evaluate("() => document.querySelector('.md-search__output').scrollTop = 0")
        v.page.wait_for_timeout(500)
    out = tmp_path / shot_name(name, size, scheme)
    v.page.screenshot(path=str(out))
    assert png_size(out) == (viewport["width"], viewport["height"])
    assert out.stat().st_size > 10_000  # a rendered page, not a blank one
    if os.environ.get("KB_UPDATE_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        (SHOTS / out.name).write_bytes(out.read_bytes())


def test_committed_screenshots_exist() -> None:
    for name in PAGES:
        for size, viewport in SIZES.items():
            for scheme in SCHEMES:
                path = SHOTS / shot_name(name, size, scheme)
                assert path.is_file(), f"{path}: run with KB_UPDATE_SCREENSHOTS=1"
                assert png_size(path) == (viewport["width"], viewport["height"])
