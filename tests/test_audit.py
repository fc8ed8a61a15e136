"""The audit on hand-made output folders: each check finds its leak, clean output passes."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from kbtools.core.output import leak_audit as audit
from kbtools.core.output import secrets
from kbtools.core.reading.loading import load

from .conftest import topic, write_site


@pytest.fixture
def kb(tmp_path: Path):
    content = tmp_path / "content"
    (content / "guides").mkdir(parents=True)
    (content / "guides/open.md").write_text(topic(
        "How do I open the account page?", tags="[accounts]",
        body="Open the page from the menu.\n\n/// members\n"
             "Ask the hidden desk about quokka rates.\n///\n"))
    (content / "guides/secret.md").write_text(topic(
        "Where is the wombat console?", visibility="members", tags="[wombat-only, accounts]",
        summary='"Members find the wombat console here."',
        body="## Console walkthrough for wombats\n\nThe console lives behind the blue door."))
    (content / "guides/diagram.png").write_bytes(b"png")
    return load(content)


@pytest.fixture
def expected() -> audit.Expectations:
    return audit.Expectations(pages={"", "guides/open/"}, site_url="https://kb.test/",
                              site_url_path="/")


def run(tmp_path: Path, kb, expected, files: dict[str, str | bytes]) -> list[str]:
    site = write_site(tmp_path / "site", files)
    found = audit.audit(site, secrets.collect(kb), expected)
    return [f"{d.code} {d.path}" for d in found]


CLEAN_PAGE = ("<html><head><title>How do I open the account page?</title></head><body>"
              "<h1>How do I open the account page?</h1><p>Open the page from the menu.</p>"
              '<a class="md-tag" href="../../tags/#tag:accounts">accounts</a></body></html>')


def test_clean_output_passes(tmp_path, kb, expected) -> None:
    assert run(tmp_path, kb, expected, {"guides/open/index.html": CLEAN_PAGE,
                                        "index.html": "<p>Welcome</p>"}) == []


@pytest.mark.parametrize(("name", "files", "code"), [
    ("title", {"index.html": "<a>Where is the <em>wombat</em> console?</a>"}, "KB500"),
    ("heading", {"index.html": "<h2>Console walkthrough for wombats</h2>"}, "KB500"),
    ("summary in attribute", {"index.html": '<meta content="Members find the wombat console '
                                            'here.">'}, "KB500"),
    ("sentence", {"index.html": "<p>The console lives behind the blue door.</p>"}, "KB500"),
    ("passage", {"index.html": "<p>Ask the hidden desk about quokka rates.</p>"}, "KB500"),
    ("relative link", {"guides/open/index.html": '<a href="../secret/">x</a>'}, "KB501"),
    ("absolute link", {"index.html": '<a href="https://kb.test/guides/secret/">x</a>'}, "KB501"),
    ("file name", {"index.html": '<img src="guides/diagram.png">'}, "KB501"),
    ("tag chip", {"index.html": '<span class="md-tag">wombat-only</span>'}, "KB502"),
    ("tag anchor", {"index.html": '<a href="tags/#tag:wombat-only">t</a>'}, "KB502"),
    ("tags.json", {"tags.json": json.dumps({"mappings": [{"tags": ["wombat-only"]}]})}, "KB502"),
    ("copied file", {"guides/diagram.png": b"png"}, "KB503"),
    ("sitemap", {"sitemap.xml": "<urlset><url><loc>https://kb.test/guides/secret/</loc></url>"
                                "</urlset>"}, "KB504"),
    ("search index", {"search/search_index.json": json.dumps(
        {"docs": [{"location": "guides/secret/", "title": "x", "text": "y"}]})}, "KB504"),
    ("page", {"guides/secret/index.html": "<p>hi</p>"}, "KB505"),
    ("gzip", {"sitemap.xml.gz": gzip.compress(b"<loc>https://kb.test/guides/secret/</loc>")},
     "KB501"),
    ("search text", {"search/search_index.json": json.dumps(
        {"docs": [{"location": "", "text": "<p>The console lives behind the blue door.</p>"}]})},
     "KB500"),
])
def test_each_check_finds_its_leak(tmp_path, kb, expected, name, files, code) -> None:
    found = run(tmp_path, kb, expected, files)
    assert any(f.startswith(code) for f in found), (name, found)


def test_public_words_shared_with_members_content_are_not_leaks(tmp_path, kb, expected) -> None:
    # "accounts" is a tag of both a public and a members topic: it is public.
    page = '<a class="md-tag" href="#tag:accounts">accounts</a>'
    assert run(tmp_path, kb, expected, {"index.html": page}) == []


def test_theme_files_copied_verbatim_are_not_searched(tmp_path, kb) -> None:
    theme = tmp_path / "theme.js"
    theme.write_text("// Where is the wombat console?")
    expected = audit.Expectations(pages={""}, verbatim={"assets/theme.js": str(theme)})
    assert run(tmp_path, kb, expected, {"assets/theme.js": theme.read_text()}) == []
    # The same path with other bytes was not copied from the theme: it is searched.
    (tmp_path / "site/assets/theme.js").write_text("// Where is the wombat console? changed")
    found = audit.audit(tmp_path / "site", secrets.collect(kb), expected)
    assert [d.code for d in found] == ["KB500"]


def test_words_of_a_public_url_are_not_members_text(tmp_path, kb, expected) -> None:
    # A public page's address may spell out a members title's words; addresses are checked
    # by the URL check, not as text (regression: a false alarm on generated content).
    page = '<a href="../where-is-the-wombat-console-for-publishers/">Public page</a>'
    assert run(tmp_path, kb, expected, {"index.html": page}) == []
    # The same words as text that readers see are a leak.
    assert run(tmp_path, kb, expected, {"index.html": '<a title="Where is the wombat console?">'
                                                      'x</a>'})[0].startswith("KB500")


def test_file_urls_name_the_same_pages(tmp_path, kb) -> None:
    # use_directory_urls: false writes guides/open.html and index.html
    expected = audit.Expectations(pages={"", "guides/open.html"}, site_url="https://kb.test/")
    sitemap = ("<urlset><url><loc>https://kb.test/index.html</loc></url>"
               "<url><loc>https://kb.test/guides/open.html</loc></url></urlset>")
    assert run(tmp_path, kb, expected, {"sitemap.xml": sitemap, "index.html": "<p>Hi</p>",
                                        "guides/open.html": CLEAN_PAGE}) == []
    leaky = sitemap.replace("open.html", "secret.html")
    assert run(tmp_path, kb, expected, {"sitemap.xml": leaky})[0].startswith("KB504")


def test_search_locations_are_addresses_not_text(tmp_path, kb, expected) -> None:
    index = {"docs": [{"location": "guides/open/#where-is-the-wombat-console-for-publishers",
                       "title": "Open", "text": "<p>Public words.</p>"}]}
    assert run(tmp_path, kb, expected, {"search/search_index.json": json.dumps(index)}) == []


@pytest.mark.parametrize(("public_body", "members_body", "page"), [
    # A date in members code matches a public page's date.
    ("Updated on 2026-05-10.", '```json\n"startsOn": "2026-05-10",\n```',
     "<p>Updated 2026-05-10</p>"),
    # A public code sample shows its HTML as text; the members one shares its start.
    ('```html\n<a href="https://www.example.invalid/click-1234567-7654321">Buy</a>\n```',
     '```html\n<a href="https://www.example.invalid/click-1234567-7654321?sid=x">Buy</a>\n```',
     "<pre><code>&lt;a href=&quot;https://www.example.invalid/click-1234567-7654321&quot;"
     "&gt;Buy&lt;/a&gt;</code></pre>"),
])
def test_shared_public_material_is_not_a_leak(tmp_path, expected, public_body, members_body,
                                              page) -> None:
    content = tmp_path / "content"
    (content / "guides").mkdir(parents=True)
    (content / "guides/open.md").write_text(topic("How do I open it?", body=public_body))
    (content / "guides/secret.md").write_text(topic("Hidden?", visibility="members",
                                                    body=members_body))
    site = tmp_path / "site"
    (site / "guides/open").mkdir(parents=True)
    (site / "guides/open/index.html").write_text(page)
    assert audit.audit(site, secrets.collect(load(content)), expected) == []
