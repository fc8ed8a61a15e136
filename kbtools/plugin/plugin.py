"""The MkDocs adapter: applies the core's decisions to a MkDocs build.

Order of events (see ../shared/design-notes.md):
on_config   load and check the content, plan the site, stage the output folder;
on_files    include exactly the planned topics and files, add the generated pages;
on_page_*   hand MkDocs our parsed front matter and the site's Markdown;
on_post_build (last) audit what was written, then move it into place.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.utils import CountHandler

from kbtools.core.output import leak_audit as audit
from kbtools.core.site import pages
from kbtools.core.output import secrets
from kbtools.core.reading import facts as _facts
from kbtools.core.checks import passages as _passages
from kbtools.core.checks.findings import check_content
from kbtools.core.model.diagnostics import Diagnostic
from kbtools.core.reading.loading import load
from kbtools.core.site.plan import Site, SitePlan, plan, url_path
from kbtools.core.output.staging import Staging, StagingError
from kbtools.core.model.topics import KnowledgeBase, Topic
from kbtools.plugin import nav_cache
from kbtools.plugin import theme as reader
from kbtools.plugin.config import KbConfig
from kbtools.plugin.members_block import MembersBlockExtension, Mode
from kbtools.plugin.probe import renderer_for

log = get_plugin_logger(__name__)

# Any file name must be excluded by mkdocs.yml's exclude_docs, so that a build without this
# plugin (removed, renamed, or a renderer that ignores plugins) has no content to render.
_PROBES = ("topic.md", "a/b/topic.md", "image.png", "a/file.pdf")


class KbPlugin(BasePlugin[KbConfig]):
    """Builds the public or the members site from one content folder."""

    def __init__(self) -> None:
        self.command: str | None = None
        # Set by kbtools.plugin.build for one build: whether to print content warnings (the
        # other site's build prints the same ones) and where to report pages written.
        self.report_warnings = True
        self.on_progress: Callable[[int, int], None] | None = None
        self._reset()

    def _reset(self) -> None:
        # MkDocs keeps plugin instances across config loads in one process (serve rebuilds,
        # `kb build` of both sites, tests): every build starts from a clean slate.
        self.kb: KnowledgeBase | None = None
        self.plan: SitePlan | None = None
        self.staging: Staging | None = None
        self.generated: list[pages.Generated] = []
        self.page_urls: set[str] = set()
        self.theme_files: dict[str, str] = {}
        self.readings = _passages.Readings()
        self._epoch_set = False
        self.published: Path | None = None
        self.pages_written = 0
        self.failure: str | None = None  # why this build was refused, for the CLI
        self.facts = _facts.Facts({})
        self.nav_cache = nav_cache.NavCache()  # overrides/partials/nav.html, per build

    @property
    def site(self) -> Site:
        return Site(self.config.site)

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command

    @event_priority(100)  # First: everything after relies on the plan.
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self._reset()
        _require_exclude_all(config)
        # Paths in messages are relative to mkdocs.yml's folder: the repository, for writers.
        self.kb = load(config.docs_dir, display_base=Path(config.config_file_path).parent)
        self.facts = reader.load_facts(config)
        # Replace, not add: a config object built twice keeps its extension list.
        config.markdown_extensions[:] = [
            e for e in config.markdown_extensions if not isinstance(e, MembersBlockExtension)]
        # Placeholders become the facts' values, named links get their addresses and tags
        # their labels, before the renderer reads the content.
        checked = check_content(self.kb, self.facts, renderer_for(config),
                                members_url=self.config.members_url,
                                links=reader.load_links(config),
                                tag_labels=reader.load_tag_labels(config))
        self.readings = checked.readings
        findings = checked.findings
        # The findings cover both sites: one build of a pair reports them (report_warnings).
        if self.report_warnings:
            _report(findings)
        if any(d.is_error for d in findings):
            count = sum(d.is_error for d in findings)
            raise self._fail(f"kbtools: {count} {'error' if count == 1 else 'errors'} in the "
                              "content; nothing was built and the previous site is unchanged.")
        # Placeholders are the facts' values from here on; passages carry the renderer's reading.
        self.kb = checked.kb
        self.plan = plan(self.kb, self.site)
        shown = self.facts.for_site(public=self.plan.is_public)
        self.generated = pages.generate(
            self.plan, site_name=config.site_name, subjects=dict(self.config.subjects),
            tag_listing=_material_listing, contact=shown.contact,
            teaser=reader.teaser(self.config, config), icon=reader.icon_loader(config))
        reader.configure(config, self.plan, dict(self.config.subjects))
        # The one parser of members passages: the same block in both sites, which drops its
        # content in the public site (see members_block.py).
        config.markdown_extensions.append(MembersBlockExtension(
            mode=Mode.PUBLIC if self.plan.is_public else Mode.MEMBERS))
        self._set_source_date_epoch()
        _set_redirects(config, self.plan.redirects())
        if self.command in (None, "build", "serve"):
            # `kb serve` too: a preview the audit refused is never served (the last good one
            # stays in the folder the dev server serves).
            try:
                self.staging = Staging(self._target(config), self.site.value,
                                       expected=self._expected_target(config))
            except StagingError as e:
                raise self._fail(f"kbtools [KB401]: {e}; nothing was built.") from None
            config.site_dir = str(self.staging.begin())
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.plan is not None
        docs = Path(config.docs_dir).resolve()
        for file in files:
            if file.abs_src_path and Path(file.abs_src_path).resolve().is_relative_to(docs):
                allowed = file.src_uri in self.plan.topics or file.src_uri in self.plan.assets
                file.inclusion = InclusionLevel.INCLUDED if allowed else InclusionLevel.EXCLUDED
            elif file.inclusion is InclusionLevel.UNDEFINED:
                # Theme files: `exclude_docs: '*'` would drop them too once MkDocs re-applies it.
                file.inclusion = InclusionLevel.INCLUDED
                if file.abs_src_path:
                    self.theme_files[file.dest_uri] = file.abs_src_path
        for page in self.generated:
            existing = files.get_file_from_path(page.path)
            if existing is not None:
                files.remove(existing)
            generated = File.generated(config, page.path, content=page.markdown,
                                       inclusion=InclusionLevel.INCLUDED)
            files.append(generated)
        reader.add_files(config, files, self.plan, dict(self.config.subjects))
        self.page_urls = {url_path(f.src_uri, directory_urls=config.use_directory_urls)
                          for f in files.documentation_pages() if f.inclusion.is_included()}
        return files

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        self.pages_written += 1
        if self.on_progress is not None:
            self.on_progress(self.pages_written, len(self.page_urls))
        return output

    def on_page_read_source(self, *, page: Page, config: MkDocsConfig) -> str | None:
        topic = self._topic(page)
        if topic is None:
            return None
        assert self.plan is not None
        # An empty YAML mapping first, so MkDocs' own front matter reader finds nothing to take.
        shown = self.facts.for_site(public=self.plan.is_public)
        return "---\n{}\n---\n" + pages.topic_markdown(
            self.plan, topic, contact=shown.contact, teaser=reader.teaser(self.config, config))

    @event_priority(50)  # Before Material's tags plugin (-50) reads page.meta.
    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig,
                         files: Files) -> str:
        topic = self._topic(page)
        if topic is not None:
            page.meta = _page_meta(topic)
            if topic.updated:
                page.update_date = topic.updated.isoformat()
        return markdown

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        env.globals["kb_site"] = self.site.value
        reader.env_globals(env, facts=self.facts.for_site(public=self.site is Site.PUBLIC))
        self.nav_cache.enabled = self.config.nav_cache
        nav_cache.install(env, self.nav_cache, theme_dirs=config.theme.dirs,
                          custom_dir=config.theme.custom_dir,
                          features=config.theme.get("features") or [])
        return env

    def on_page_context(self, context: Any, *, page: Page, config: MkDocsConfig,
                        nav: Any) -> Any:
        assert self.plan is not None
        return reader.page_context(context, page, self._topic(page), self.plan)

    @event_priority(-100)  # Last: after every other plugin has written its files.
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        assert self.kb is not None and self.plan is not None
        if not self.plan.is_public:
            try:
                reader.mark_noindex(config.site_dir)
            except PluginError as e:
                raise self._fail(str(e)) from None
        if self.plan.is_public:
            problems = audit.audit(config.site_dir, self._secrets(config), self._expected(config))
            if problems:
                _report(problems)
                raise self._fail(f"kbtools: the audit found {len(problems)} members-only "
                                  "item(s) in the public build; it was not published.")
        if config.strict and _strict_warnings():
            # MkDocs would abort right after this event; do not publish before it does.
            raise self._fail("kbtools: warnings in strict mode; the site was not published.")
        if self.staging is not None:
            self.staging.commit()
            self.published = self.staging.target
            log.info(f"{self.site.value} site written to {self.staging.target}")
            self.staging = None
        self._restore_epoch()

    def on_build_error(self, *, error: Exception) -> None:
        self._discard_staging()

    def on_shutdown(self) -> None:
        # A build that never reached on_post_build or on_build_error still cleans up.
        self._discard_staging()

    def _discard_staging(self) -> None:
        if self.staging is not None:
            self.staging.abort()
            self.staging = None
        self._restore_epoch()

    # Helpers -------------------------------------------------------------------------------

    def _topic(self, page: Page) -> Topic | None:
        assert self.plan is not None
        return self.plan.topics.get(page.file.src_uri)

    def _fail(self, message: str) -> PluginError:
        # MkDocs turns a PluginError into "Aborted with a BuildError!"; keep the reason.
        self.failure = message
        return PluginError(message)

    def _target(self, config: MkDocsConfig) -> Path:
        base = Path(config.config_file_path or ".").resolve().parent
        default = base / "site"
        if self.command == "serve" or Path(config.site_dir).resolve() != default:
            return Path(config.site_dir)  # -d/--site-dir, site_dir, or the dev server's folder
        return base / (self.config.public_dir if self.site is Site.PUBLIC
                       else self.config.members_dir)

    def _expected_target(self, config: MkDocsConfig) -> dict[str, Path]:
        # The folders each site is configured to go to: neither site may be written into the
        # other's, whatever -d says.
        base = Path(config.config_file_path or ".").resolve().parent
        return {Site.PUBLIC.value: base / self.config.public_dir,
                Site.MEMBERS.value: base / self.config.members_dir}

    def _secrets(self, config: MkDocsConfig) -> secrets.Secrets:
        assert self.kb is not None and self.plan is not None
        # Only fixed labels and names of public subjects: never the generated pages
        # themselves, or a members title listed there by mistake would count as public.
        chrome = [config.site_name, config.site_description or "", config.copyright or ""]
        chrome += reader.chrome(self.facts.for_site(public=True))
        chrome += [pages.subject_title(t.subject, dict(self.config.subjects))
                   for t in self.kb.topics.values() if t.is_public]
        chrome += reader.theme_strings(config)
        return secrets.collect(self.kb, chrome, readings=self.readings,
                               members_facts=self.facts.members_values(),
                               directory_urls=config.use_directory_urls)

    def _expected(self, config: MkDocsConfig) -> audit.Expectations:
        assert self.plan is not None
        site_url = config.site_url or ""
        path = urlsplit(site_url).path or "/"
        # Redirect pages are pages of the site that wrote them (public topics' aliases).
        redirects = {url_path(a, directory_urls=config.use_directory_urls)
                     for a in self.plan.redirects()}
        # An HTML file a public topic links (a printable form) is a page of the site too; its
        # text is still audited.
        html_files = {a for a in self.plan.assets if a.lower().endswith((".html", ".htm"))}
        return audit.Expectations(pages=set(self.page_urls) | redirects | html_files,
                                  site_url=site_url,
                                  site_url_path=path if path.endswith("/") else path + "/",
                                  members_url=self.config.members_url,
                                  verbatim=dict(self.theme_files))

    def _set_source_date_epoch(self) -> None:
        # Reproducible output without any setup: the build date MkDocs stamps on pages and
        # the sitemap comes from the content this site shows, so a members-only change can't
        # alter the public site.
        if "SOURCE_DATE_EPOCH" in os.environ:
            return
        assert self.plan is not None
        dates = [t.updated for t in self.plan.topics.values() if t.updated]
        day = max(dates) if dates else dt.date(2000, 1, 1)
        epoch = int(dt.datetime.combine(day, dt.time(), dt.timezone.utc).timestamp())
        os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
        self._epoch_set = True

    def _restore_epoch(self) -> None:
        if self._epoch_set:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
            self._epoch_set = False


def _set_redirects(config: MkDocsConfig, redirects: dict[str, str]) -> None:
    # mkdocs-redirects writes what it is given; give it only this site's aliases, so the
    # public site never holds a redirect from or to a members topic.
    plugin = config.plugins.get("redirects")
    if plugin is not None:
        plugin.config["redirect_maps"] = dict(redirects)
    elif redirects:
        log.warning("kbtools: topics have `aliases:` but the redirects plugin is not enabled")


def _page_meta(topic: Topic) -> dict[str, Any]:
    meta: dict[str, Any] = {"title": topic.title}
    if topic.summary:
        meta["description"] = topic.summary
    labels = [pages.AUDIENCE_LABELS[a] for a in topic.audience]
    seen = {label.lower() for label in labels}
    meta["tags"] = labels + [t for t in topic.tags if t.lower() not in seen]
    meta["kb"] = {k: v for k, v in topic.meta.items()}
    return meta


def _material_listing(tag: str | None) -> str:
    if tag is None:
        return "<!-- material/tags -->"
    return "<!-- material/tags { include: [" + tag + "] } -->"


def _require_exclude_all(config: MkDocsConfig) -> None:
    spec = config.exclude_docs
    if spec is None or not all(spec.match_file(p) for p in _PROBES):
        raise PluginError(
            "kbtools [KB400]: mkdocs.yml must exclude every file with `exclude_docs: '*'`; the "
            "kb plugin re-includes exactly what each site may show. Without it, a build that "
            "loses the plugin would publish members content.")


def _report(findings: list[Diagnostic]) -> None:
    for d in findings:
        (log.error if d.is_error else log.warning)(d.format_text())


def _strict_warnings() -> bool:
    return any(isinstance(h, CountHandler) and h.get_counts()
               for h in logging.getLogger("mkdocs").handlers)
