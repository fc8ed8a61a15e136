"""Remove one guard at a time and watch the next line of defence stop the leak.

The plan (which topics, passages, files and redirects a site has) is the first guard; the
Markdown extension that drops a members block the core missed is the second; the audit of the
written output is the last. Each test disables guards by monkeypatching and asserts that the
build is refused with the expected code and that the previous public site is untouched.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest
from mkdocs.exceptions import MkDocsException

from kbtools.core.model.topics import Topic
from kbtools.core.site import plan as sites
from kbtools.core.site.plan import Site
from kbtools.plugin import members_block
from kbtools.plugin import site_build as kb_plugin

from .conftest import Project, assert_refused, site_text, tree_digest
from .test_leaks import CANARIES, write_canary_kb


@pytest.fixture(autouse=True)
def _no_reading_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    # These tests break kbtools' code in place. The cache of passage readings is keyed by
    # the code's source files, which a monkeypatch leaves as they are: read afresh.
    monkeypatch.setenv("KB_CACHE", "0")


@pytest.fixture
def canary(project: Project) -> tuple[Project, Path, dict[str, bytes]]:
    write_canary_kb(project)
    out = project.build(Site.PUBLIC)
    return project, out, tree_digest(out)


def refused(p: Project, out: Path, before: dict[str, bytes], caplog: pytest.LogCaptureFixture,
            *codes: str) -> None:
    assert_refused(p, out, before, caplog, *(f"error[{code}]" for code in codes))


def test_plan_guard_removed_audit_catches_members_pages(canary, caplog, monkeypatch) -> None:
    # Every topic goes public: nav, sitemap, search index, tags, pages.
    monkeypatch.setattr(sites, "include", lambda topic, site: topic.valid and not topic.is_draft)
    refused(*canary, caplog, "KB500", "KB501", "KB502", "KB504", "KB505")


def no_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Turn off the content checks too (they would see a public link into a members topic)."""
    original = kb_plugin.check_content

    def unchecked(*args: Any, **kwargs: Any) -> Any:
        checked = original(*args, **kwargs)
        checked.findings = []
        return checked

    monkeypatch.setattr(kb_plugin, "check_content", unchecked)


def blind_scanner(monkeypatch: pytest.MonkeyPatch) -> None:
    """kbtools' scanner no longer sees any members passage."""
    monkeypatch.setattr(Topic, "public_body", lambda self: self.body)


def test_scanner_misreads_passages_check_refuses(canary, caplog, monkeypatch) -> None:
    # The scanner decides links and anchors; the renderer's reading shows it is wrong.
    blind_scanner(monkeypatch)
    refused(*canary, caplog, "KB203")


def test_scanner_blind_and_checks_off_renderer_still_strips(canary, caplog, monkeypatch) -> None:
    # The public page is cut by the renderer itself: with the scanner blind and no check, no
    # passage word reaches a page (no KB500). The plan, made from the blind reading, copies the
    # passage's image: the audit, whose secrets come from the renderer, refuses that file.
    blind_scanner(monkeypatch)
    no_checks(monkeypatch)
    refused(*canary, caplog, "KB503")
    assert "error[KB500]" not in caplog.text


def renderer_shows_passages(monkeypatch: pytest.MonkeyPatch) -> None:
    """The public site's members block keeps its content on the page."""
    monkeypatch.setattr(members_block.DropPassages, "run", lambda self, root: None)


def test_renderer_strip_removed_audit_catches(canary, caplog, monkeypatch) -> None:
    renderer_shows_passages(monkeypatch)
    # The plan still keeps the passage's image out; the page's reference to it is caught.
    refused(*canary, caplog, "KB500", "KB501")
    assert f"{CANARIES['passage']} is the word" in caplog.text


def test_renderer_strip_removed_and_probe_blind_check_refuses(canary, caplog,
                                                              monkeypatch) -> None:
    # Were the renderer's own reading blind too (no passage marked), the audit would have no
    # passage secrets; the reading then disagrees with the scanner, and the topic is refused.
    renderer_shows_passages(monkeypatch)
    monkeypatch.setattr(members_block.ProbedMembers, "ATTRS", {})
    refused(*canary, caplog, "KB203")


def test_tag_guard_removed_audit_catches(canary, caplog, monkeypatch) -> None:
    original = kb_plugin._page_meta

    def leaky(topic: Topic) -> dict[str, Any]:
        meta = original(topic)
        meta["tags"].append(CANARIES["tag"])
        return meta

    monkeypatch.setattr(kb_plugin, "_page_meta", leaky)
    refused(*canary, caplog, "KB502")


def test_asset_guard_removed_audit_catches(canary, caplog, monkeypatch) -> None:
    original = sites.plan

    def every_file(kb: Any, site: Site) -> sites.SitePlan:
        result = original(kb, site)
        result.assets = set(kb.assets)
        return result

    monkeypatch.setattr(kb_plugin, "plan", every_file)
    refused(*canary, caplog, "KB503")


def test_redirect_guard_removed_audit_catches(canary, caplog, monkeypatch) -> None:
    # A members topic's alias redirecting to a public page: a page the public site must not have.
    def members_alias(self: sites.SitePlan) -> dict[str, str]:
        return {a: "guides/open.md" for t in self.kb.topics.values()
                for a in t.meta.get("aliases", [])}

    monkeypatch.setattr(sites.SitePlan, "redirects", members_alias)
    refused(*canary, caplog, "KB505")


def test_redirect_to_members_topic_is_not_written(canary, caplog, monkeypatch) -> None:
    # A public redirect whose target is a members topic: mkdocs-redirects only writes
    # redirects to pages of the build, so nothing names the members URL.
    p, out, _ = canary
    members = f"{CANARIES['slug']}/{CANARIES['slug']}.md"
    monkeypatch.setattr(sites.SitePlan, "redirects", lambda self: {"old/public.md": members})
    with caplog.at_level(logging.WARNING):
        p.build(Site.PUBLIC, out)
    assert f"Redirect target '{members}' does not exist" in caplog.text
    assert not (out / "old").exists()
    assert CANARIES["slug"] not in site_text(out)


def test_summary_guard_removed_audit_catches(canary, caplog, monkeypatch) -> None:
    original = kb_plugin._page_meta

    def leaky(topic: Topic) -> dict[str, Any]:
        meta = original(topic)
        meta["description"] = f"Summary with {CANARIES['summary']}."
        return meta

    monkeypatch.setattr(kb_plugin, "_page_meta", leaky)
    refused(*canary, caplog, "KB500")


@pytest.mark.parametrize("guard_plugin", [True, False], ids=["kb-guard", "template-guard"])
def test_build_without_the_plugin_renders_no_content(project: Project, tmp_path: Path, caplog,
                                                     guard_plugin: bool) -> None:
    """Removing the plugin from mkdocs.yml leaves nothing to render, and the build fails:
    in one line with kb-guard, by the template guard in overrides/main.html without it."""
    write_canary_kb(project)
    text = project.config.read_text()
    without = re.sub(r"(?m)^  - kb:\n(?:      .*\n)+", "", text)
    if not guard_plugin:
        without = without.replace("  - kb-guard\n", "")
    assert without != text and ("kb-guard" in without) is guard_plugin
    project.config.write_text(without)
    out = tmp_path / "no-plugin"
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    with caplog.at_level(logging.ERROR), pytest.raises(Exception) as raised:
        build(load_config(str(project.config), site_dir=str(out)))
    assert "kb` plugin is not active" in caplog.text + str(raised.value)
    if guard_plugin:
        assert isinstance(raised.value, MkDocsException) and not out.exists()
    written = site_text(out) if out.exists() else ""
    for canary in (*CANARIES.values(), "how do i open the guide"):
        assert canary not in written


def test_plugin_refuses_a_config_that_does_not_exclude_everything(project: Project,
                                                                  caplog) -> None:
    write_canary_kb(project)
    text = project.config.read_text()
    project.config.write_text(re.sub(r"(?m)^exclude_docs:.*\n(?:  .*\n)*", "", text))
    with caplog.at_level(logging.ERROR), pytest.raises(MkDocsException):
        project.build(Site.PUBLIC)
    assert "KB400" in caplog.text
