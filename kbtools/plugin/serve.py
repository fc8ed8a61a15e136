"""`kb serve`: MkDocs' dev server for one site, with the kb plugin's `site` option set.

MkDocs' serve() reloads mkdocs.yml on every rebuild (and the kb plugin instance with it), so
the site is set each time the configuration is loaded, as kbtools/plugin/build.py does for a
build. A build that fails (content errors) is reported in one line after the diagnostics and
the server keeps serving the last good site; saving a fix rebuilds and reloads the page.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from kbtools.core.model.errors import ContentError
from kbtools.core.site.plan import Site
from kbtools.plugin.build import DropRefusal

log = logging.getLogger("mkdocs.kbtools.serve")


def serve(config_file: str, site: Site, *, dev_addr: str | None = None,
          open_in_browser: bool = False, livereload: bool = True) -> None:
    """Serve ``site`` until interrupted."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    os.environ.setdefault("DISABLE_MKDOCS_2_WARNING", "true")
    from mkdocs.commands import serve as mkdocs_serve
    from mkdocs.exceptions import MkDocsException

    _log_like_mkdocs()
    load_config, build = mkdocs_serve.load_config, mkdocs_serve.build

    def load_for_site(*args: Any, **kwargs: Any) -> Any:
        config = load_config(*args, **kwargs)
        plugin = config.plugins.get("kb")
        if plugin is None:
            raise MkDocsException(f"{config_file}: the `kb` plugin is not in `plugins:`")
        plugin.config.site = site.value
        return config

    def build_or_report(config: Any, **kwargs: Any) -> None:
        echo = DropRefusal(config.plugins.get("kb"))
        logging.getLogger("mkdocs.commands.build").addFilter(echo)
        try:
            build(config, **kwargs)
        except MkDocsException as e:
            log.error(f"kb serve: the {site.value} site was not rebuilt: {_reason(config, e)} "
                      "Fix it and save: the page reloads.")
        except Exception as e:  # never leave the server hanging on a bug: say it, keep serving
            log.error(f"kb serve: the {site.value} site was not rebuilt: kbtools failed with "
                      f"{type(e).__name__}: {e} (please report this). Save a file to retry.")
        finally:
            logging.getLogger("mkdocs.commands.build").removeFilter(echo)

    mkdocs_serve.load_config, mkdocs_serve.build = load_for_site, build_or_report
    try:
        mkdocs_serve.serve(config_file=config_file, dev_addr=dev_addr, livereload=livereload,
                           open_in_browser=open_in_browser)
    except MkDocsException as e:  # the first load of mkdocs.yml failed: nothing to serve
        raise ContentError(e.format_message()) from None
    finally:
        mkdocs_serve.load_config, mkdocs_serve.build = load_config, build


def _reason(config: Any, error: Exception) -> str:
    # MkDocs replaces a plugin's refusal with "Aborted with a BuildError!"; the kb plugin
    # keeps its own words.
    plugin = config.plugins.get("kb")
    failure = getattr(plugin, "failure", None)
    if failure:
        return str(failure).removeprefix("kbtools: ")
    message = error.format_message() if hasattr(error, "format_message") else str(error)
    return "" if message.startswith("Aborted with") else message


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
