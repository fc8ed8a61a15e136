"""Screenshots of the public site for the README: home and a topic, on a desktop and a phone.

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
PAGES = {"home": "", "topic": "accounts-and-passwords/reset-password/"}
SIZES = {"desktop": DESKTOP, "phone": PHONE}


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("name", sorted(PAGES))
def test_screenshot(visit, tmp_path, name, size) -> None:
    viewport = SIZES[size]
    v = visit("public", viewport=viewport)
    v.goto(PAGES[name])
    out = tmp_path / f"{name}-{size}.png"
    v.page.screenshot(path=str(out))
    assert png_size(out) == (viewport["width"], viewport["height"])
    assert out.stat().st_size > 10_000  # a rendered page, not a blank one
    if os.environ.get("KB_UPDATE_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        (SHOTS / out.name).write_bytes(out.read_bytes())


def test_committed_screenshots_exist() -> None:
    for name in PAGES:
        for size, viewport in SIZES.items():
            path = SHOTS / f"{name}-{size}.png"
            assert path.is_file(), f"{path}: run with KB_UPDATE_SCREENSHOTS=1"
            assert png_size(path) == (viewport["width"], viewport["height"])
