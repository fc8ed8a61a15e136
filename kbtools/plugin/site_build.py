"""One MkDocs build of one site: the core's decisions, and what the build keeps between events.

The kb plugin (plugin.py) makes a SiteBuild in `on_config` and hands every later event to it.
Everything a build needs is set when it is made, so no field is ever missing: a new build
(serve's rebuilds, `kb build` of both sites in one process, tests) is a new object.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.utils import CountHandler

from kbtools.core.checks import passages as _passages
from kbtools.core.checks.findings import Checked, check_content
from kbtools.core.model.diagnostics import Diagnostic
from kbtools.core.model.errors import BuildRefused, ContentError
from kbtools.core.model.schema import AUDIENCE_LABELS
from kbtools.core.model.topics import KnowledgeBase, Topic
from kbtools.core.output import leak_audit as audit
from kbtools.core.output import pagefind as search_index
from kbtools.core.output import secrets
from kbtools.core.output.staging import Staging
from kbtools.core.reading import facts as _facts
from kbtools.core.reading.loading import load
from kbtools.core.site import pages
from kbtools.core.site.plan import Site, SitePlan, plan, url_path
from kbtools.plugin import build as _build
from kbtools.plugin import nav_cache, timing
from kbtools.plugin import theme as reader
from kbtools.plugin.config import KbConfig
from kbtools.plugin.members_block import MembersBlockExtension, Mode
from kbtools.plugin.preview_memo import MemoProbe
from kbtools.plugin.probe import renderer_for

log = get_plugin_logger(__name__)

# Any file name must be excluded by mkdocs.yml's exclude_docs, so that a build without this
# plugin (removed, renamed, or a renderer that ignores plugins) has no content to render.
_PROBES = ("topic.md", "a/b/topic.md", "image.png", "a/file.pdf")


@dataclass
class Reporting:
    """What the caller of a build asks of it (kbtools.plugin.build, serve)."""

    # Whether to print content findings: the other site's build of a pair prints the same.
    warnings: bool = True
    on_progress: Callable[[int, int], None] | None = None


@dataclass
class InMemory:
    """A build for kbtools.plugin.preview: pages render in memory when asked for, so nothing
    is staged or published; the probe's renders are kept across the preview's rebuilds."""

    probe_memo: dict[str, str] = field(default_factory=dict)


@dataclass
class SiteBuild:
    """The state of one build of one site, complete from `on_config` on."""

    options: KbConfig
    site: Site
    kb: KnowledgeBase
    plan: SitePlan
    facts: _facts.Facts
    readings: _passages.Readings
    generated: list[pages.Generated]
    staging: Staging | None  # None when MkDocs writes elsewhere itself (`mkdocs gh-deploy`)
    reporting: Reporting
    nav: nav_cache.NavCache = field(default_factory=nav_cache.NavCache)
    compact: reader.CompactNav | None = None  # the sidebar of large subjects, once per build
    page_urls: set[str] = field(default_factory=set)
    theme_files: dict[str, str] = field(default_factory=dict)
    pages_written: int = 0
    published: Path | None = None
    _epoch_set: bool = False

    # on_config ----------------------------------------------------------------------------

    @classmethod
    def start(cls, config: MkDocsConfig, options: KbConfig, *, command: str | None,
              reporting: Reporting, in_memory: InMemory | None = None) -> SiteBuild:
        """Load and check the content, plan the site, set up MkDocs' config for it and stage
        the output folder. Raises KbError when the build must not go on."""
        _require_exclude_all(config)
        site = Site(options.site)
        facts = reader.load_facts(config)
        checked = _checked(config, options, facts, reporting, in_memory)
        # Placeholders are the facts' values from here on; passages carry the renderer's reading.
        with timing.phase("plan"):
            site_plan = plan(checked.kb, site)
            generated = _generated(config, options, site_plan, facts)
        _configure(config, options, site_plan)
        build = cls(options=options, site=site, kb=checked.kb, plan=site_plan, facts=facts,
                    readings=checked.readings, generated=generated,
                    staging=None if in_memory else _staging(config, options, site, command),
                    reporting=reporting)
        build._set_source_date_epoch()
        return build

    # on_files -----------------------------------------------------------------------------

    def files(self, files: Files, config: MkDocsConfig) -> Files:
        """Include exactly the planned topics and files; add the generated pages."""
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
            # Further pages of a listing and tag pages: reached from their listing, not the
            # sidebar (and no "not in the nav" notice for them).
            inclusion = InclusionLevel.INCLUDED if page.in_nav else InclusionLevel.NOT_IN_NAV
            files.append(File.generated(config, page.path, content=page.markdown,
                                        inclusion=inclusion))
        reader.add_files(config, files, self.plan, dict(self.options.subjects))
        self.page_urls = {url_path(f.src_uri, directory_urls=config.use_directory_urls)
                          for f in files.documentation_pages() if f.inclusion.is_included()}
        return files

    # pages --------------------------------------------------------------------------------

    def topic(self, page: Page) -> Topic | None:
        """The topic a page shows, or None for generated and theme pages."""
        return self.plan.topics.get(page.file.src_uri)

    def source(self, page: Page, config: MkDocsConfig) -> str | None:
        """The Markdown MkDocs renders for a topic page (None: MkDocs reads the file)."""
        topic = self.topic(page)
        if topic is None:
            return None
        # An empty YAML mapping first, so MkDocs' own front matter reader finds nothing to take.
        shown = self.facts.for_site(public=self.plan.is_public)
        return "---\n{}\n---\n" + pages.topic_markdown(
            self.plan, topic, contact=shown.contact, teaser=reader.teaser(self.options, config))

    def meta(self, page: Page) -> None:
        """Our parsed front matter as the page's meta (title, description, tags)."""
        topic = self.topic(page)
        if topic is not None:
            page.meta = _page_meta(topic)
            if topic.updated:
                page.update_date = topic.updated.isoformat()

    def env(self, env: Any, config: MkDocsConfig) -> Any:
        """Template globals and the navigation cache."""
        env.globals["kb_site"] = self.site.value
        reader.env_globals(env, facts=self.facts.for_site(public=self.site is Site.PUBLIC))
        self.nav.enabled = self.options.nav_cache and _nav_cache_usable()
        nav_cache.install(env, self.nav, theme_dirs=config.theme.dirs,
                          custom_dir=config.theme.custom_dir,
                          features=config.theme.get("features") or [])
        return env

    def context(self, context: Any, page: Page, nav: Any) -> Any:
        """Per-page template variables; the sidebar of a large subject is reduced
        (theme.CompactNav)."""
        context["nav"] = self._compact().view(nav, page)
        return reader.page_context(context, page, self.topic(page), self.plan)

    def template_context(self, context: Any) -> Any:
        """The theme's own pages (404.html): the same reduced sidebar, no page open."""
        if context.get("nav") is not None:
            context["nav"] = self._compact().view(context["nav"], None)
        return context

    def _compact(self) -> reader.CompactNav:
        if self.compact is None:
            topics = self.plan.topics
            self.compact = reader.CompactNav(self.options.nav_subject_limit,
                                             lambda item: item.file.src_uri in topics)
        return self.compact

    def written(self) -> None:
        """One more page written: progress for whoever asked for it."""
        self.pages_written += 1
        if self.reporting.on_progress is not None:
            self.reporting.on_progress(self.pages_written, len(self.page_urls))

    # on_post_build ------------------------------------------------------------------------

    def finish(self, config: MkDocsConfig) -> None:
        """Index what was written for search, audit it all (public), then move it into
        place. Raises KbError if not."""
        # One index per site, from the topic pages this site wrote (audited below with them).
        # A site without topics gets none: Pagefind would index every page it finds instead.
        if self.plan.topics:
            try:
                search_index.build_index(config.site_dir,
                                         language=str(config.theme.get("language") or "en"))
            except search_index.SearchIndexError as e:
                raise BuildRefused(f"{e}; the site was not published.", code="KB405") from None
        if not self.plan.is_public:
            reader.mark_noindex(config.site_dir)
        else:
            with timing.phase("secrets"):
                found = self._secrets(config)
            with timing.phase("audit"):
                problems = audit.audit(config.site_dir, found, self._expected(config))
            if problems:
                report(problems)
                raise BuildRefused(f"the audit found {len(problems)} members-only item(s) in "
                                   "the public build; it was not published.", code="KB403")
        if config.strict and _strict_warnings():
            # MkDocs would abort right after this event; do not publish before it does.
            raise BuildRefused("warnings in strict mode; the site was not published.",
                               code="KB404")
        if self.staging is not None:
            self.staging.commit()
            self.published = self.staging.target
            log.info(f"{self.site.value} site written to {self.staging.target}")
            self.staging = None
        self.restore_epoch()

    def discard(self) -> None:
        """A build that failed or stopped: drop its staged folder."""
        if self.staging is not None:
            self.staging.abort()
            self.staging = None
        self.restore_epoch()

    def audit_inputs(self, config: MkDocsConfig) -> tuple[secrets.Secrets, audit.Expectations]:
        """What the public audit looks for, and what the site may hold (the preview audits
        each response with them)."""
        return self._secrets(config), self._expected(config)

    def _secrets(self, config: MkDocsConfig) -> secrets.Secrets:
        # Only fixed labels and names of public subjects: never the generated pages
        # themselves, or a members title listed there by mistake would count as public.
        chrome = [config.site_name, config.site_description or "", config.copyright or ""]
        chrome += reader.chrome(self.facts.for_site(public=True))
        chrome += [pages.subject_title(t.subject, dict(self.options.subjects))
                   for t in self.kb.topics.values() if t.is_public]
        chrome += reader.theme_strings(config)
        return secrets.collect(self.kb, chrome, readings=self.readings,
                               members_facts=self.facts.members_values(),
                               directory_urls=config.use_directory_urls)

    def _expected(self, config: MkDocsConfig) -> audit.Expectations:
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
                                  members_url=self.options.members_url,
                                  verbatim=dict(self.theme_files))

    def _set_source_date_epoch(self) -> None:
        # Reproducible output without any setup: the build date MkDocs stamps on pages and
        # the sitemap comes from the content this site shows, so a members-only change can't
        # alter the public site.
        if "SOURCE_DATE_EPOCH" in os.environ:
            return
        dates = [t.updated for t in self.plan.topics.values() if t.updated]
        day = max(dates) if dates else dt.date(2000, 1, 1)
        epoch = int(dt.datetime.combine(day, dt.time(), dt.UTC).timestamp())
        os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
        self._epoch_set = True

    def restore_epoch(self) -> None:
        if self._epoch_set:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
            self._epoch_set = False


def _checked(config: MkDocsConfig, options: KbConfig, facts: _facts.Facts,
             reporting: Reporting, in_memory: InMemory | None = None) -> Checked:
    """Every content check of both sites, as `kb check` runs them; KB402 on any error."""
    # `kb build` of both sites reads and checks the content once, before the two builds
    # start (kbtools.plugin.build.prepare); any other build does it here.
    shared = _build.shared_content(config)
    checked = shared if shared is not None else read_content(
        config, options.members_url, facts,
        probe_memo=in_memory.probe_memo if in_memory is not None else None)
    # The findings cover both sites: one build of a pair reports them.
    if reporting.warnings:
        report(checked.findings)
    errors = sum(d.is_error for d in checked.findings)
    if errors:
        raise ContentError(f"{errors} {'error' if errors == 1 else 'errors'} in the content; "
                           "nothing was built and the previous site is unchanged.",
                           code="KB402")
    return checked


def read_content(config: MkDocsConfig, members_url: str, facts: _facts.Facts, *,
                 workers: int = 1, probe_memo: dict[str, str] | None = None) -> Checked:
    """The content loaded and checked for both sites: placeholders replaced, passages read by
    the renderer (in ``workers`` processes, or from the cache of earlier readings)."""
    with timing.phase("load"):
        # Paths in messages are relative to mkdocs.yml's folder: the repository, for writers.
        kb = load(config.docs_dir, display_base=Path(config.config_file_path).parent)
    _drop_members_block(config)
    with timing.phase("checks"):
        # Placeholders become the facts' values, named links get their addresses and tags
        # their labels, before the renderer reads the content.
        renderer: _passages.Renderer = renderer_for(config)
        if probe_memo is not None:  # the preview: the same body is probed once per session
            renderer = MemoProbe(renderer, probe_memo)
        return check_content(kb, facts, renderer, members_url=members_url,
                             links=reader.load_links(config),
                             tag_labels=reader.load_tag_labels(config),
                             cache=_build.readings_cache(config), workers=workers)


def _drop_members_block(config: MkDocsConfig) -> None:
    # Replace, not add: a config object built twice keeps its extension list.
    config.markdown_extensions[:] = [
        e for e in config.markdown_extensions if not isinstance(e, MembersBlockExtension)]


def _generated(config: MkDocsConfig, options: KbConfig, site_plan: SitePlan,
               facts: _facts.Facts) -> list[pages.Generated]:
    """The home page, listings and subject pages of this site."""
    shown = facts.for_site(public=site_plan.is_public)
    return pages.generate(
        site_plan, site_name=config.site_name, subjects=dict(options.subjects),
        contact=shown.contact,
        teaser=reader.teaser(options, config), icon=reader.icon_loader(config))


def _configure(config: MkDocsConfig, options: KbConfig, site_plan: SitePlan) -> None:
    """MkDocs' config for this site: theme settings, the members block, the redirects."""
    reader.configure(config, site_plan, dict(options.subjects))
    # The one parser of members passages: the same block in both sites, which drops its
    # content in the public site (see members_block.py).
    _drop_members_block(config)
    config.markdown_extensions.append(MembersBlockExtension(
        mode=Mode.PUBLIC if site_plan.is_public else Mode.MEMBERS))
    _set_redirects(config, site_plan.redirects())


def _staging(config: MkDocsConfig, options: KbConfig, site: Site,
             command: str | None) -> Staging | None:
    """The output folder, staged: moved into place only when the build is good (KB401 when
    the site must not go there)."""
    if command not in (None, "build", "serve"):
        return None  # `mkdocs gh-deploy` and the like write where they write
    # `kb serve` too: a preview the audit refused is never served (the last good one stays in
    # the folder the dev server serves).
    staging = Staging(_target(config, options, site, command), site.value,
                      expected=_expected_targets(config, options))
    config.site_dir = str(staging.begin())
    return staging


def _target(config: MkDocsConfig, options: KbConfig, site: Site, command: str | None) -> Path:
    base = Path(config.config_file_path or ".").resolve().parent
    if command == "serve" or Path(config.site_dir).resolve() != base / "site":
        return Path(config.site_dir)  # -d/--site-dir, site_dir, or the dev server's folder
    return base / (options.public_dir if site is Site.PUBLIC else options.members_dir)


def _expected_targets(config: MkDocsConfig, options: KbConfig) -> dict[str, Path]:
    # The folders each site is configured to go to: neither site may be written into the
    # other's, whatever -d says.
    base = Path(config.config_file_path or ".").resolve().parent
    return {Site.PUBLIC.value: base / options.public_dir,
            Site.MEMBERS.value: base / options.members_dir}


def _set_redirects(config: MkDocsConfig, redirects: dict[str, str]) -> None:
    # mkdocs-redirects writes what it is given; give it only this site's aliases, so the
    # public site never holds a redirect from or to a members topic.
    plugin = config.plugins.get("redirects")
    if plugin is not None:
        plugin.config["redirect_maps"] = dict(redirects)
    elif redirects:
        log.warning("topics have `aliases:` but the redirects plugin is not enabled")


def _page_meta(topic: Topic) -> dict[str, Any]:
    meta: dict[str, Any] = {"title": topic.title}
    if topic.summary:
        meta["description"] = topic.summary
    labels = [AUDIENCE_LABELS[a] for a in topic.audience]
    seen = {label.lower() for label in labels}
    meta["tags"] = labels + [t for t in topic.tags if t.lower() not in seen]
    meta["kb"] = {k: v for k, v in topic.meta.items()}
    return meta


def _require_exclude_all(config: MkDocsConfig) -> None:
    spec = config.exclude_docs
    if spec is None or not all(spec.match_file(p) for p in _PROBES):
        raise ContentError(
            "mkdocs.yml must exclude every file with `exclude_docs: '*'`; the kb plugin "
            "re-includes exactly what each site may show. Without it, a build that loses the "
            "plugin would publish members content.", code="KB400")


def _nav_cache_usable() -> bool:
    # Material's version decides whether the navigation cache may splice its HTML.
    from material import __version__ as material_version

    if nav_cache.usable(material_version):
        return True
    log.warning(f"Material {material_version} is not a version the navigation cache is tested "
                f"with ({', '.join(v + 'x' for v in nav_cache.TESTED)}): each page renders "
                "Material's own navigation (slower, the same pages)")
    return False


def report(findings: list[Diagnostic]) -> None:
    """Print findings through MkDocs' log: errors as errors, warnings as warnings."""
    for d in findings:
        (log.error if d.is_error else log.warning)(d.format_text())


def _strict_warnings() -> bool:
    return any(isinstance(h, CountHandler) and h.get_counts()
               for h in logging.getLogger("mkdocs").handlers)

