"""Fixtures for the browser tests: both sites built once per session from the real content,
served over http on 127.0.0.1 by a small threaded server (missing paths get the site's own
404.html, as a web server would), and Debian's Chromium driven by Playwright.

Every test here is marked `browser` (deselect with `-m "not browser"`). When Chromium or
Playwright is missing they skip with the reason on a developer's machine and fail in CI
(CI=true): the reader's side is never "tested" by skipping. Point KB_CHROMIUM at another
Chromium binary if yours is not /usr/bin/chromium. Never `playwright install`.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from kbtools.core.site.plan import Site
from kbtools.plugin.build import build_site

from ..conftest import require as require_tool

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("KB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def require(ok: object, reason: str) -> None:
    """Skip locally, fail in CI, when something the browser tests need is missing."""
    require_tool(ok, reason, "scripts/system-deps.sh installs Chromium, "
                 "`pip install -e '.[test]'` Playwright")


# -- the sites --------------------------------------------------------------------------------
class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files; a missing path gets the site's 404.html with status 404."""

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Served:
    """One built site and the address it is served at (ends with /)."""

    root: Path
    url: str

    @property
    def origin(self) -> str:
        return urlsplit(self.url).netloc


@pytest.fixture(scope="session")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Served]]:
    """The public and the members site of the repository's content, each on its own port."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    os.environ.setdefault("DISABLE_MKDOCS_2_WARNING", "true")
    base = tmp_path_factory.mktemp("browser-sites")
    servers, served = [], {}
    for site in (Site.PUBLIC, Site.MEMBERS):
        root = build_site(ROOT / "mkdocs.yml", site, site_dir=base / site.value)
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(_Handler, directory=str(root)))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        served[site.value] = Served(root, f"http://127.0.0.1:{server.server_port}/")
    yield served
    for server in servers:
        server.shutdown()
        server.server_close()


# -- the browser ------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    require(Path(CHROMIUM).is_file(), f"Chromium is not installed ({CHROMIUM})")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "Playwright for Python is not installed")
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Visit:
    """A browser tab and every request it made to a host other than the site's."""

    page: Any
    site: Served
    offsite: list[str] = field(default_factory=list)

    def goto(self, path: str = "") -> Any:
        response = self.page.goto(self.site.url + path)
        self.page.wait_for_load_state("networkidle")
        return response


@pytest.fixture
def visit(browser: Any, sites: dict[str, Served]) -> Iterator[Callable[..., Visit]]:
    """``visit("public", viewport=PHONE, scheme="dark")``: a fresh tab that records (and
    blocks) every request to another host."""
    contexts = []

    def open_tab(which: str = "public", *, viewport: dict[str, int] = DESKTOP,
                 scheme: str = "light") -> Visit:
        site = sites[which]
        context = browser.new_context(viewport=viewport, color_scheme=scheme)
        contexts.append(context)
        v = Visit(context.new_page(), site)

        def offsite(url: str) -> bool:
            parts = urlsplit(url)
            return parts.scheme not in ("data", "blob", "about") and parts.netloc != site.origin

        def record(request: Any) -> None:
            if offsite(request.url):
                v.offsite.append(request.url)

        context.on("request", record)
        context.route(lambda url: offsite(url), lambda route: route.abort())
        return v

    yield open_tab
    for context in contexts:
        context.close()


# -- helpers ------------------------------------------------------------------------------------
def search(v: Visit, query: str) -> list[dict[str, Any]]:
    """Type ``query`` into Material's search the way a visitor does; the results shown."""
    page = v.page
    button = page.locator('label.md-header__button[for="__search"]')
    if button.is_visible():
        button.click()  # the phone layout hides the field behind a button
    else:
        page.locator(".md-search__input").click()
    field_ = page.locator(".md-search__input")
    field_.press_sequentially(query, delay=15)
    meta = page.locator(".md-search-result__meta")
    page.wait_for_function(
        "() => /matching|No matching/i.test(document.querySelector('.md-search-result__meta')"
        ".textContent)")
    page.wait_for_timeout(300)  # let the list finish rendering
    assert meta.is_visible()
    results = []
    for item in page.locator(".md-search-result__item").all():
        link = item.locator("a.md-search-result__link").first
        results.append({
            "href": link.get_attribute("href") or "",
            "title": link.locator("h1, h2").first.inner_text().strip(),
            "tags": [t.inner_text().strip() for t in item.locator(".md-tag").all()],
        })
    return results
