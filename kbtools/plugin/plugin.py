"""The `kb` MkDocs plugin: MkDocs' events, each handed to the build of one site.

Order of events (see ../shared/design-notes.md):
on_config   load and check the content, plan the site, stage the output folder (SiteBuild.start);
on_files    include exactly the planned topics and files, add the generated pages;
on_page_*   hand MkDocs our parsed front matter and the site's Markdown;
on_post_build (last) audit what was written, then move it into place.

The work is in site_build.py; this class only keeps the current build and turns a refusal
(KbError) into the PluginError MkDocs expects, in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from kbtools.core.model.errors import KbError
from kbtools.core.site.plan import Site
from kbtools.plugin.config import KbConfig
from kbtools.plugin.site_build import InMemory, Reporting, SiteBuild


class KbPlugin(BasePlugin[KbConfig]):
    """Builds the public or the members site from one content folder."""

    def __init__(self) -> None:
        self.command: str | None = None
        self.reporting = Reporting()
        # How the last build ended, for kbtools.plugin.build and serve: MkDocs replaces a
        # plugin's error with "Aborted with a BuildError!", so the refusal is kept here.
        self.refusal: KbError | None = None
        self._build: SiteBuild | None = None
        self.in_memory: InMemory | None = None  # set by kbtools.plugin.preview

    def prepare(self, site: Site, *, report: bool = True,
                progress: Callable[[int, int], None] | None = None) -> None:
        """Set the site to build and what to report, before MkDocs' events run."""
        self.config.site = site.value
        self.reporting = Reporting(warnings=report, on_progress=progress)

    @property
    def build(self) -> SiteBuild:
        """The current build; every event after on_config has one."""
        if self._build is None:
            raise PluginError("kbtools: an event ran before the kb plugin's on_config")
        return self._build

    @property
    def failure(self) -> str | None:
        """Why the last build was refused, as MkDocs printed it (None: it was not)."""
        return _message(self.refusal) if self.refusal else None

    @property
    def published(self) -> Path | None:
        """Where the last build's site now is (None: not published)."""
        return self._build.published if self._build else None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command

    @event_priority(100)  # First: everything after relies on the plan.
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        # MkDocs keeps plugin instances across config loads in one process (serve rebuilds,
        # `kb build` of both sites, tests): every build is a new SiteBuild.
        self.refusal, self._build = None, None
        self._build = self._refusing(lambda: SiteBuild.start(
            config, self.config, command=self.command, reporting=self.reporting,
            in_memory=self.in_memory))
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        return self.build.files(files, config)

    def on_page_read_source(self, *, page: Page, config: MkDocsConfig) -> str | None:
        return self.build.source(page, config)

    @event_priority(50)  # Before Material's tags plugin (-50) reads page.meta.
    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig,
                         files: Files) -> str:
        self.build.meta(page)
        return markdown

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        return self.build.env(env, config)

    def on_page_context(self, context: Any, *, page: Page, config: MkDocsConfig,
                        nav: Any) -> Any:
        return self.build.context(context, page, nav)

    def on_template_context(self, context: Any, *, template_name: str,
                            config: MkDocsConfig) -> Any:
        return self.build.template_context(context)

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        self.build.written()
        return output

    @event_priority(-100)  # Last: after every other plugin has written its files.
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self._refusing(lambda: self.build.finish(config))

    def on_build_error(self, *, error: Exception) -> None:
        if self._build is not None:
            self._build.discard()

    def on_shutdown(self) -> None:
        # A build that never reached on_post_build or on_build_error still cleans up.
        if self._build is not None:
            self._build.discard()

    def _refusing(self, step: Callable[[], Any]) -> Any:
        # The one place a refusal of kbtools becomes MkDocs' PluginError.
        try:
            return step()
        except KbError as e:
            self.refusal = e
            if self._build is not None:
                self._build.discard()
            raise PluginError(_message(e)) from None


def _message(error: KbError) -> str:
    return f"kbtools: {error}"
