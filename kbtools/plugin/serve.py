"""`kb serve`: the writer's preview of one site, on MkDocs' live-reload server.

Pages are rendered when the browser asks for them (kbtools/plugin/preview.py); a save makes
a new snapshot of the content, checked like a build, and reloads the browser. Content errors
are printed in the terminal (the diagnostics of `kb check`, then one line saying the site was
not rebuilt); the last good preview keeps serving, with a banner saying the latest save is
not shown. Nothing the public build's audit would refuse is ever served.
"""

from __future__ import annotations

import html
import logging
import os
import posixpath
import re
import signal
import threading
import time
import urllib.parse
from collections.abc import Iterable
from typing import Any

import watchdog.events
import watchdog.observers
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException
from mkdocs.livereload import LiveReloadServer, _serve_url

from kbtools.core.model.errors import ContentError
from kbtools.core.site.plan import Site
from kbtools.plugin import preview_store
from kbtools.plugin.preview import (
    Generation,
    Refused,
    RenderMemo,
    Response,
    config_key,
    site_path,
)

log = logging.getLogger("mkdocs.kbtools.serve")


class Preview:
    """The generation being served, and the next one made on every save."""

    def __init__(self, config_file: str, site: Site, serve_url: str) -> None:
        self.config_file, self.site, self.serve_url = config_file, site, serve_url
        self.memo = RenderMemo()
        # What an earlier `kb serve` of this site remembered, if made by the same code for
        # the same mkdocs.yml (kbtools/plugin/preview_store.py).
        self._store = preview_store.location(config_file, site.value)
        self._stamp = preview_store.stamp(config_key(config_file))
        saved = preview_store.load(self._store, self._stamp)
        if saved is not None:
            self.memo.restore(saved)
            log.info("kb serve: starting from what the last preview kept in "
                     f"{self._store.parent} (a topic changed since is read again)")
        self.current: Generation | None = None
        self.errors = 0  # errors of the latest save, when it is not the one served
        self.failed = False  # the latest save could not be previewed

    def rebuild(self) -> None:
        """Make a generation of the content as it is now; on errors, keep the current one."""
        errors = _CountErrors()
        logging.getLogger("mkdocs").addHandler(errors)
        start = time.monotonic()
        try:
            generation = Generation(self.config_file, self.site, self.serve_url, self.memo)
        except Refused as e:
            self._refused(str(e), errors.count)
            return
        except MkDocsException as e:
            self._refused(e.format_message(), errors.count)
            return
        except Exception as e:  # never leave the server hanging on a bug: say it, keep serving
            self._refused(f"kbtools failed with {type(e).__name__}: {e} (please report "
                          "this). Save a file to retry.", errors.count)
            return
        finally:
            logging.getLogger("mkdocs").removeHandler(errors)
        previous, self.current = self.current, generation
        self.failed, self.errors = False, 0
        if previous is not None:
            previous.close()
        log.info(f"kb serve: the {self.site.value} site is ready "
                 f"({time.monotonic() - start:.2f} s; pages render when opened)")

    def _refused(self, reason: str, errors: int) -> None:
        self.failed, self.errors = True, max(errors, 1)
        log.error(f"kb serve: the {self.site.value} site was not rebuilt: {reason} "
                  "Fix it and save: the page reloads.")

    def respond(self, rel: str) -> Response | None:
        """The current generation's answer for ``rel``; None when there is none."""
        generation = self.current
        return generation.respond(rel) if generation is not None else None

    def banner(self) -> bytes:
        """What every page says while the latest save is not the one shown (counts only: the
        public preview names nothing from the members content, even in its banner)."""
        if not self.failed:
            return b""
        what = (f"{self.errors} error{'s' if self.errors != 1 else ''}" if self.errors
                else "an error")
        shown = "the last good preview" if self.current is not None else "no preview yet"
        text = html.escape(f"kb serve: the latest save has {what} (see the terminal); this is "
                           f"{shown}. Fix it and save: the page reloads.")
        return (f'<div role="alert" data-kb-serve-error style="position:fixed;z-index:1000;'
                f'left:0;right:0;bottom:0;padding:.8em 1.2em;background:#b00020;color:#fff;'
                f'font:600 .8rem/1.4 sans-serif">{text}</div>').encode()

    def close(self) -> None:
        """Remove what the current generation keeps on disk; keep the memo for next time."""
        if self.current is not None:
            self.current.close()
            if self.memo.config_key == config_key(self.config_file):
                preview_store.save(self._store, self._stamp, self.memo.state())


class _CountErrors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0
        self.lock_ = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        if re.search(r"\berror\[KB\d+\]", record.getMessage()):
            self.count += 1


_CHANGES = frozenset({watchdog.events.EVENT_TYPE_CREATED, watchdog.events.EVENT_TYPE_MODIFIED,
                      watchdog.events.EVENT_TYPE_DELETED, watchdog.events.EVENT_TYPE_MOVED,
                      watchdog.events.EVENT_TYPE_CLOSED})


class PreviewServer(LiveReloadServer):
    """MkDocs' live-reload server answering from the preview instead of a folder."""

    def __init__(self, preview: Preview, **kwargs: Any) -> None:
        super().__init__(builder=preview.rebuild, **kwargs)
        self.preview = preview
        # Native file events (inotify): a save is seen at once, not at the next poll of
        # every file (MkDocs polls twice a second, which also costs time with 5,000 topics).
        self.observer = watchdog.observers.Observer()  # type: ignore[assignment]
        self.build_delay = 0.05

    def watch(self, path: str, func: None = None, *, recursive: bool = True) -> None:
        """Rebuild when a file under ``path`` changes (MkDocs' watch, for native events)."""
        path = os.path.abspath(path)
        if path in self._watched_paths:
            self._watched_paths[path] += 1
            return
        self._watched_paths[path] = 1

        def changed(event: watchdog.events.FileSystemEvent) -> None:
            # Native observers also report reads (opened, closed without writing): the
            # preview reads every topic on a rebuild, which must not start another one.
            if event.is_directory or event.event_type not in _CHANGES:
                return
            with self._rebuild_cond:
                self._want_rebuild = True
                self._rebuild_cond.notify_all()

        handler = watchdog.events.FileSystemEventHandler()
        handler.on_any_event = changed  # type: ignore[method-assign]
        self._watch_refs[path] = self.observer.schedule(handler, path, recursive=recursive)

    def _serve_request(self, environ: dict[str, Any], start_response: Any,
                       ) -> Iterable[bytes] | None:
        path = environ["PATH_INFO"].encode("latin-1").decode("utf-8", "ignore")
        if path.startswith("/livereload/"):
            return super()._serve_request(environ, start_response)
        if not (path + "/").startswith(self.mount_path):
            if path == "/":
                start_response("302 Found", [("Location", urllib.parse.quote(self.mount_path))])
                return []
            return None
        rel = site_path(path[len(self.mount_path):])
        # Wait for a rebuild in progress: never a page of the content before the save.
        with self._epoch_cond:
            self._epoch_cond.wait_for(lambda: self._visible_epoch == self._wanted_epoch)
            epoch = self._visible_epoch
        response = self.preview.respond(rel)
        if response is None:
            folder = posixpath.join(rel, "index.html")
            if not path.endswith("/") and self.preview.respond(folder) is not None:
                start_response("302 Found", [("Location", urllib.parse.quote(path) + "/")])
                return []
            return None
        body = response.body
        if response.content_type.startswith("text/html"):
            body = self._decorate(body, epoch)
        start_response(response.status, [("Content-Type", response.content_type),
                                         ("Content-Length", str(len(body)))])
        return [body]

    def _decorate(self, body: bytes, epoch: int) -> bytes:
        banner = self.preview.banner()
        if banner:
            end = body.rfind(b"</body>")
            end = len(body) if end < 0 else end
            body = body[:end] + banner + body[end:]
        if self._watched_paths:
            body = self._inject_js_into_html(body, epoch)
        return body

    def error_page(self, code: int) -> bytes | None:
        """The site's own 404 page, as the preview renders it."""
        if code != 404:
            return None
        response = self.preview.respond("404.html")
        return self._decorate(response.body, self._visible_epoch) if response else None


def serve(config_file: str, site: Site, *, dev_addr: str | None = None,
          open_in_browser: bool = False, livereload: bool = True) -> None:
    """Serve the preview of ``site`` until interrupted."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    os.environ.setdefault("DISABLE_MKDOCS_2_WARNING", "true")
    _log_like_mkdocs()
    overrides = {"dev_addr": dev_addr} if dev_addr else {}
    try:
        config = load_config(config_file, **overrides)
    except MkDocsException as e:  # mkdocs.yml cannot be read: nothing to serve
        raise ContentError(e.format_message()) from None
    if config.plugins.get("kb") is None:
        raise ContentError(f"{config_file}: the `kb` plugin is not in `plugins:`")
    host, port = config.dev_addr
    mount_path = urllib.parse.urlsplit(config.site_url or "/").path
    preview = Preview(config_file, site, _serve_url(host, port, mount_path))
    server = PreviewServer(preview, host=host, port=port, root=config.docs_dir,
                           mount_path=mount_path)
    server.error_handler = server.error_page
    _stop_on_sigterm()
    try:
        preview.rebuild()
        if livereload:
            server.watch(config.docs_dir)
            if config.config_file_path:
                server.watch(config.config_file_path)
            for item in config.watch:
                server.watch(item)
        try:
            server.serve(open_in_browser=open_in_browser)
        except KeyboardInterrupt:
            log.info("Shutting down...")
        finally:
            server.shutdown()
    finally:
        preview.close()


def _stop_on_sigterm() -> None:
    # A process manager's stop is Ctrl+C: the server shuts down and keeps its memo.
    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)


def _log_like_mkdocs() -> None:
    # What `mkdocs serve` sets up in mkdocs.__main__: INFO and up, with its colours.
    from mkdocs.__main__ import ColorFormatter

    logger = logging.getLogger("mkdocs")
    if not any(getattr(h, "_kbtools", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(ColorFormatter())
        handler._kbtools = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
