"""The writer's preview: one site, every page rendered when it is asked for.

A build renders every page before it writes any (../shared/design-notes.md, step 4). The
preview does everything a build does *before* rendering (load, check and plan the content;
gather the files; build the nav; read every page's Markdown through the plugins, so titles,
tags and listings are known), then renders a page only when the browser asks for it, through
MkDocs' own page build with the theme: the nav and the links come from the plan, which knows
every title and URL without any other page rendered.

One :class:`Generation` is one consistent state of the site, made from one snapshot of the
content with its own MkDocs configuration and plugin instances. A save makes a new one; if the
content has errors (the same checks as `kb check` and the build), the previous one keeps
serving and the error is shown. Every public response goes through the build's leak audit
(kbtools/core/output/leak_audit.py) before it leaves the process; a response the audit refuses
is never served.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import posixpath
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
from mkdocs.commands import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import MkDocsException
from mkdocs.plugins import PluginCollection
from mkdocs.structure.files import File, Files, get_files, set_exclusions
from mkdocs.structure.nav import get_navigation
from mkdocs.structure.pages import Page

from kbtools.core.model.errors import KbError
from kbtools.core.model.memo import Memo
from kbtools.core.output import leak_audit
from kbtools.core.output import pagefind as search_index
from kbtools.core.site.plan import Site
from kbtools.plugin import theme as reader
from kbtools.plugin.site_build import InMemory

log = logging.getLogger("mkdocs.kbtools.preview")



class Refused(KbError):
    """This snapshot of the content cannot be previewed; the message says why."""


@dataclass(frozen=True)
class Response:
    """What the preview answers for one path."""

    body: bytes
    content_type: str
    status: str = "200 OK"
    location: str | None = None  # a redirect


@dataclass
class RenderMemo:
    """What does not change between saves, keyed by content (kept across generations).

    ``pages``: a page's rendered HTML and table of contents, keyed by its Markdown, the site's
    files (links resolve against them) and the configuration; ``probe``: the probe renderer's
    HTML for a body (kbtools/core/checks/passages.py reads every public topic with a block).
    Both are dropped when mkdocs.yml changes (see :meth:`for_config`).
    """

    config_key: str = ""
    pages: dict[tuple[str, str, str], tuple[str, Any, str | None]] = field(default_factory=dict)
    probe: dict[str, str] = field(default_factory=dict)
    core: Memo = field(default_factory=Memo)  # the core's work per topic
    theme_files: list[tuple[str, str]] | None = None  # (path, theme folder), as MkDocs finds
    templates: dict[str, bytes] = field(default_factory=dict)  # compiled theme templates

    def state(self) -> dict[str, Any]:
        """Everything remembered, for the next start (kbtools/plugin/preview_store.py)."""
        return {"config_key": self.config_key, "pages": self.pages, "probe": self.probe,
                "core": self.core.snapshot(), "theme_files": self.theme_files,
                "templates": self.templates}

    def restore(self, state: dict[str, Any]) -> None:
        """Start from a :meth:`state` saved by an earlier run with the same configuration."""
        self.config_key = state["config_key"]
        self.pages, self.probe = dict(state["pages"]), dict(state["probe"])
        self.core.restore(state["core"])
        self.theme_files = state["theme_files"]
        self.templates = dict(state["templates"])

    def for_config(self, key: str) -> RenderMemo:
        """This memo, emptied when the configuration is not the one it was filled with."""
        if key != self.config_key:
            self.config_key = key
            self.pages.clear()
            self.probe.clear()
            self.core.clear()
            self.theme_files = None
            self.templates.clear()
        self.core.next_generation()
        return self


class Generation:
    """One snapshot of the content, ready to render any of its pages on request."""

    def __init__(self, config_file: str, site: Site, serve_url: str, memo: RenderMemo) -> None:
        self.site = site
        self.lock = threading.RLock()  # MkDocs' page build is not thread-safe
        self.outputs: dict[str, Response] = {}  # what this generation already answered
        self._extras = Path(tempfile.mkdtemp(prefix="kb-preview-"))
        self._plugins: PluginCollection | None = None  # shut down by close()
        self._index: Path | None = None  # the search index, made on the first search
        self.epoch: str | None = None
        try:
            self._prepare(config_file, serve_url, memo)
        except BaseException:
            self.close()
            raise

    # Preparing: everything a build does before it renders ----------------------------------

    def _prepare(self, config_file: str, serve_url: str, memo: RenderMemo) -> None:
        # Fresh plugin instances for every generation: the previous one keeps serving, with
        # its own plugins' state, until this one is ready. MkDocs caches the instances of
        # plugins with start-up events for the next load: ours are never handed out again.
        cache = MkDocsConfig.plugins.plugin_cache  # type: ignore[attr-defined]
        cache.clear()
        try:
            config = load_config(config_file, site_dir=str(self._extras))
        finally:
            cache.clear()
        kb = config.plugins.get("kb")
        if kb is None:
            raise MkDocsException(f"{config_file}: the `kb` plugin is not in `plugins:`")
        kb.prepare(self.site)
        config.site_url = serve_url
        # `build`, not `serve`: the theme's plugins then do what they do for the published
        # site (Material's tags plugin shows shadow tags only under `serve`).
        config.plugins.on_startup(command="build", dirty=False)
        # Renders in memory: no staging folder, no output to publish.
        kb.in_memory = InMemory(probe_memo=memo.for_config(config_key(config_file)).probe)
        self.memo = memo
        self._plugins = config.plugins  # from here on, close() shuts them down
        # The build date pages show comes from the content: the kb plugin sets it in the
        # process's environment for a build; this generation sets it whenever it renders.
        with _ENVIRONMENT:
            try:
                with memo.core.active():
                    config = config.plugins.on_config(config)
            except MkDocsException as e:
                raise Refused(_reason(kb, e)) from None
            self.epoch = os.environ.get("SOURCE_DATE_EPOCH")
            kb.build.restore_epoch()
        config.plugins.on_pre_build(config=config)
        files = get_files(config)
        env = config.theme.get_env()
        # Every generation has its own Jinja environment (its plugins set its globals); the
        # templates compile once (Jinja checks each one's source before reusing it).
        env.bytecode_cache = _Templates(memo.templates)
        _add_theme_files(files, env, config, memo)
        files = config.plugins.on_files(files, config=config)
        set_exclusions(files, config)
        nav = get_navigation(files, config)
        nav = config.plugins.on_nav(nav, config=config, files=files)
        self.config, self.files, self.nav, self.kb = config, files, nav, kb
        self.docs = files.documentation_pages()
        self.by_dest = {f.dest_uri: f for f in files if f.inclusion.is_included()}
        self._files_key = _digest("\n".join(sorted(f.src_uri for f in self.docs)).encode())
        # Read every page's Markdown through the plugins (front matter, titles, tags): the
        # nav, the listings and the tags need them; no page is rendered yet.
        for file in self.docs:
            if file.page is None:
                Page(None, file, config)
            assert file.page is not None
            self._read(file.page)
        # Listing pages (tags, audiences) get their lists in on_env, into rendered content.
        tags = config.plugins.get("material/tags") or config.plugins.get("tags")
        listings = getattr(tags, "listings", None)
        for listing in (listings.data if listings is not None else []):
            if listing.page.content is None:
                self._render(listing.page)
        self.env = config.plugins.on_env(env, config=config, files=files)
        # Redirect pages (aliases): mkdocs-redirects writes them, into this generation's folder.
        redirects = config.plugins.get("redirects")
        if redirects is not None:
            redirects.on_post_build(config)
        if self.site is Site.PUBLIC:
            with memo.core.active():
                self.secrets, self.expected = kb.build.audit_inputs(config)

    def _read(self, page: Page) -> None:
        config = self.config
        config._current_page = page
        try:
            config.plugins.on_pre_page(page, config=config, files=self.files)
            page.read_source(config)
            assert page.markdown is not None
            page.markdown = config.plugins.on_page_markdown(
                page.markdown, page=page, config=config, files=self.files)
        finally:
            config._current_page = None

    def _render(self, page: Page) -> None:
        """Markdown to HTML, as MkDocs' build does; the same Markdown renders once."""
        assert page.markdown is not None
        key = (page.file.src_uri, page.markdown, self._files_key)
        hit = self.memo.pages.get(key)
        if hit is not None:
            page.content, page.toc, page._title_from_render = hit
            return
        config = self.config
        config._current_page = page
        try:
            page.render(config, self.files)
            assert page.content is not None
            page.content = config.plugins.on_page_content(
                page.content, page=page, config=config, files=self.files)
        finally:
            config._current_page = None
        pages = self.memo.pages
        if len(pages) > 2 * len(self.docs) + 100:  # old versions of pages, edited since
            for old in list(pages)[: len(pages) // 2]:
                del pages[old]
        pages[key] = (page.content, page.toc, page._title_from_render)

    # Answering ------------------------------------------------------------------------------

    def respond(self, rel: str) -> Response | None:
        """The response for ``rel`` (a path in the site, ``index.html`` for folders); None
        when the site has no such file. Public responses are audited like the build's output."""
        with self.lock, _ENVIRONMENT, _source_date(self.epoch):
            if rel in self.outputs:
                return self.outputs[rel]
            response = self._make(rel)
            if response is not None and self.site is Site.MEMBERS and rel.endswith(".html"):
                # As the members build marks every HTML file (redirect pages too).
                response = Response(reader.noindex(response.body, rel), response.content_type,
                                    response.status)
            if response is not None and self.site is Site.PUBLIC:
                response = self._audited(rel, response)
            if response is not None:
                self.outputs[rel] = response
            return response

    def _make(self, rel: str) -> Response | None:
        file = self.by_dest.get(rel)
        if file is not None and file.page is not None:
            return Response(self._page_html(file.page), "text/html; charset=utf-8")
        if rel.startswith(search_index.FOLDER + "/"):
            return self._search_file(rel)
        if rel in self.config.theme.static_templates:
            return self._template(rel)
        if file is not None:
            return Response(file.content_bytes, _type(rel))
        extra = self._extras / rel
        if rel and extra.is_file() and not extra.is_symlink():
            return Response(extra.read_bytes(), _type(rel))
        return None

    def _page_html(self, page: Page) -> bytes:
        """MkDocs' `_build_page`, returning the output instead of writing it."""
        if page.content is None:
            self._render(page)
        config = self.config
        config._current_page = page
        page.active = True
        try:
            context = mkdocs_build.get_context(self.nav, self.docs, config, page)
            template = self.env.get_template(page.meta.get("template", "main.html"))
            context = config.plugins.on_page_context(context, page=page, config=config,
                                                     nav=self.nav)
            output = template.render(context)
            output = config.plugins.on_post_page(output, page=page, config=config)
        finally:
            page.active = False
            config._current_page = None
        return output.encode("utf-8", errors="xmlcharrefreplace")

    def _search_file(self, rel: str) -> Response | None:
        """A file of the site's search index. The index is made as the build makes it: the
        first search of a generation renders every page (each one audited, as served: a page
        the audit refuses is not indexed), runs the same Pagefind call on them, and the index
        files are audited like any other response."""
        if self._index is None:
            pages = self._extras / "search-input"
            for file in self.docs:
                if file.page is None:
                    continue
                response = self.respond(file.dest_uri)
                if response is None or not response.status.startswith("200"):
                    continue
                target = pages / file.dest_uri
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(response.body)
            if not self.kb.build.plan.topics or not pages.is_dir():
                return None  # as the build: a site without topics has no index
            language = str(self.config.theme.get("language") or "en")
            try:
                self._index = search_index.build_index(pages, language=language)
            except search_index.SearchIndexError as e:
                log.error(f"kb serve: search is not available in this preview: {e}")
                return None
        path = self._index / rel[len(search_index.FOLDER) + 1:]
        if not path.is_file() or path.is_symlink():
            return None
        return Response(path.read_bytes(), _type(rel))

    def _template(self, name: str) -> Response | None:
        try:
            template = self.env.get_template(name)
        except Exception:  # (the theme has no such template)
            return None
        if name.endswith(".gz"):
            return None  # the sitemap's copy; browsers ask for sitemap.xml
        output = mkdocs_build._build_template(name, template, self.files, self.config,
                                              self.nav)
        return Response(output.encode("utf-8"), _type(name)) if output.strip() else None

    def _audited(self, rel: str, response: Response) -> Response:
        source = self.expected.verbatim.get(rel)
        if source is not None and rel not in self.secrets.files:
            try:
                if Path(source).read_bytes() == response.body:
                    return response  # a theme file, as shipped: no content in it
            except OSError:
                pass
        problems = leak_audit.audit_file(rel, response.body, self.secrets, self.expected)
        if not problems:
            return response
        for d in problems:
            log.error(d.format_text())
        log.error(f"kb serve: the audit found {len(problems)} members-only item(s) in "
                  f"`{rel}`; it is not served.")
        return Response(_REFUSED.encode(), "text/html; charset=utf-8", "500 Refused by the audit")

    def close(self) -> None:
        """Remove this generation's folder (redirect pages)."""
        shutil.rmtree(self._extras, ignore_errors=True)
        if self._plugins is not None:
            self._plugins.on_shutdown()
            self._plugins = None


_REFUSED = ("<!doctype html><title>Refused</title><h1>Refused by the audit</h1>"
            "<p>kb serve found members-only content in this page; the terminal says where. "
            "It is not shown.</p>")


class _Templates(jinja2.BytecodeCache):
    """Jinja's compiled templates, kept in a dict (by name and source checksum)."""

    def __init__(self, store: dict[str, bytes]) -> None:
        self.store = store

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


# SOURCE_DATE_EPOCH belongs to the process: one generation at a time sets it (a rebuild's
# on_config and a request's render may run at once in two threads).
_ENVIRONMENT = threading.RLock()


def _add_theme_files(files: Files, env: Any, config: MkDocsConfig, memo: RenderMemo) -> None:
    """MkDocs' `Files.add_files_from_theme`, listing the theme's folders once (Material has
    thousands of files; the preview does not watch them, as `mkdocs serve` does not)."""
    if memo.theme_files is None:
        found = Files([])
        found.add_files_from_theme(env, config)
        memo.theme_files = [(f.src_uri, f.src_dir) for f in found if f.src_dir]
    for path, folder in memo.theme_files:
        if files.get_file_from_path(path) is None:
            files.append(File(path, folder, config.site_dir, config.use_directory_urls))


@contextlib.contextmanager
def _source_date(epoch: str | None) -> Iterator[None]:
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None:
        os.environ["SOURCE_DATE_EPOCH"] = epoch
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


def _reason(kb: Any, error: Exception) -> str:
    failure = getattr(kb, "failure", None)
    if failure:
        return str(failure).removeprefix("kbtools: ")
    message = error.format_message() if hasattr(error, "format_message") else str(error)
    return "" if message.startswith("Aborted with") else message


def _type(path: str) -> str:
    import mimetypes

    if path.endswith((".js", ".mjs")):
        return "application/javascript"
    guess, _ = mimetypes.guess_type(path)
    if guess and guess.startswith("text/"):
        return guess + "; charset=utf-8"
    return guess or "application/octet-stream"


def config_key(config_file: str) -> str:
    """The configuration the memo was made with: mkdocs.yml's bytes."""
    with open(config_file, "rb") as f:
        return _digest(f.read())


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def site_path(path: str) -> str:
    """A request path (after the mount point) as a file of the site: folders mean their
    ``index.html``; never outside the site."""
    rel = path + "index.html" if path.endswith("/") or not path else path
    return posixpath.normpath("/" + rel).lstrip("/")

