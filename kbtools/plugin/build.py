"""Run MkDocs builds of one or both sites, the way `mkdocs build` does.

Both sites build in parallel, one process each (the machine's cores are the limit). What
both need is done once, before they start: the content is loaded and checked, and the
renderer reads the members passages (:func:`prepare`, in worker processes); the two builds
are forked from that state and use it as it is (:func:`shared_content`), so both sites are
built from one reading of the files. Progress goes to a callback, which the CLI shows on a
terminal.

The passage readings are cached on disk by content (:mod:`kbtools.core.checks.passages`),
in ``.cache/kbtools/`` next to mkdocs.yml (``KB_CACHE_DIR`` elsewhere, ``KB_CACHE=0`` off).
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import queue as queue_mod
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from mkdocs.commands import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException

from kbtools.core.checks import passages
from kbtools.core.site.plan import Site
from kbtools.plugin import timing

if TYPE_CHECKING:
    from kbtools.core.checks.findings import Checked

Progress = Callable[[Site, int, int], None]  # site, pages written, pages in all


@dataclass(frozen=True)
class Result:
    """How one site's build ended."""

    site: Site
    published: Path | None  # where the site now is; None when the build failed
    error: str | None
    seconds: float


def build_site(config_file: str | os.PathLike[str], site: Site, *,
               site_dir: str | os.PathLike[str] | None = None, strict: bool = False,
               report: bool = True, progress: Progress | None = None,
               echo_refusal: bool = True) -> Path:
    """Build ``site`` from ``config_file``; returns the folder it was published to.

    Raises MkDocs' exceptions (``Abort``, ``PluginError``) when the content or the audit fails;
    the previous site is then left untouched. ``report=False`` keeps content warnings quiet
    (another build of the same content reports them). ``echo_refusal=False`` drops MkDocs'
    log line repeating why the plugin refused the build, for callers that say it themselves.
    """
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    start, cpu = time.perf_counter(), timing.cpu_seconds()
    timing.reset()
    overrides: dict[str, Any] = {"strict": strict}
    if site_dir is not None:
        overrides["site_dir"] = str(site_dir)
    config = load_config(str(config_file), **overrides)
    plugin = config.plugins.get("kb")
    if plugin is None:
        raise MkDocsException(f"{config_file}: the `kb` plugin is not in `plugins:`; "
                              "refusing to build")
    plugin.prepare(site, report=report,
                   progress=(lambda done, total: progress(site, done, total)) if progress else None)
    config.plugins.on_startup(command="build", dirty=False)
    # MkDocs logs a plugin's refusal before raising it; the caller says it once, in its words.
    echo = DropRefusal(plugin if not echo_refusal else None)
    logging.getLogger("mkdocs.commands.build").addFilter(echo)
    try:
        mkdocs_build.build(config)
    except MkDocsException as e:
        if plugin.failure:
            raise MkDocsException(plugin.failure) from e
        raise
    finally:
        logging.getLogger("mkdocs.commands.build").removeFilter(echo)
        config.plugins.on_shutdown()
        timing.write(site.value, time.perf_counter() - start, timing.cpu_seconds() - cpu)
    return plugin.published or Path(config.site_dir)


# Content prepared once for the builds of one `kb build` -----------------------------------

@dataclass(frozen=True)
class Prepared:
    """The content as loaded and checked for one configuration, shared by its site builds."""

    config_file: str  # resolved mkdocs.yml
    docs_dir: str  # resolved content folder
    checked: Checked


_prepared: Prepared | None = None


def prepare(config_file: str | os.PathLike[str], *, workers: int = 1) -> Prepared:
    """Load and check the content of ``config_file`` once, for every build of this process and
    of the processes it forks (the renderer reads passages with ``workers`` processes)."""
    global _prepared
    from kbtools.plugin import theme
    from kbtools.plugin.site_build import read_content  # it imports this module

    start, cpu = time.perf_counter(), timing.cpu_seconds()
    timing.reset()
    config = load_config(str(config_file))
    plugin = config.plugins.get("kb")
    if plugin is None:
        raise MkDocsException(f"{config_file}: the `kb` plugin is not in `plugins:`; "
                              "refusing to build")
    checked = read_content(config, plugin.config.members_url, theme.load_facts(config),
                           workers=workers)
    _prepared = Prepared(_resolved(config.config_file_path), _resolved(config.docs_dir),
                         checked)
    timing.write("shared", time.perf_counter() - start, timing.cpu_seconds() - cpu)
    return _prepared


def forget_prepared() -> None:
    """Builds after this read the content themselves."""
    global _prepared
    _prepared = None


def shared_content(config: object) -> Checked | None:
    """The prepared content for ``config`` (a loaded MkDocsConfig), or None when this build
    must read the content itself (no :func:`prepare`, or another mkdocs.yml or folder)."""
    p = _prepared
    if p is None:
        return None
    if (_resolved(getattr(config, "config_file_path", None)) != p.config_file
            or _resolved(getattr(config, "docs_dir", None)) != p.docs_dir):
        return None
    return p.checked


def readings_cache(config: object) -> passages.ReadingCache | None:
    """The on-disk cache of passage readings for ``config``'s project, unless ``KB_CACHE=0``."""
    if os.environ.get("KB_CACHE", "1").strip().lower() in ("0", "false", "no", "off"):
        return None
    where = os.environ.get("KB_CACHE_DIR")
    base = getattr(config, "config_file_path", None)
    if where:
        folder = Path(where)
    elif base:
        folder = Path(base).resolve().parent / ".cache" / "kbtools"
    else:
        return None
    return passages.ReadingCache(folder / "readings.json")


def _resolved(path: object) -> str:
    return str(Path(str(path)).resolve()) if path else ""


class DropRefusal(logging.Filter):
    """Drops MkDocs' echo of the kb plugin's refusal (``log.error(str(error))``)."""

    def __init__(self, plugin: object) -> None:
        super().__init__()
        self.plugin = plugin

    def filter(self, record: logging.LogRecord) -> bool:
        failure = getattr(self.plugin, "failure", None)
        return not (failure and record.getMessage() == failure)


def build_sites(config_file: str | os.PathLike[str], sites: Sequence[Site], *,
                site_dir: str | os.PathLike[str] | None = None, strict: bool = False,
                progress: Progress | None = None, parallel: bool = True,
                echo_refusal: bool = True) -> list[Result]:
    """Build every site in ``sites``; one process per site when ``parallel`` and several.

    Content findings are reported by the first site's build only: both builds check the same
    content for both sites, so the second would repeat every line.
    """
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)
    if len(sites) > 1 or (parallel and cpus > 1):
        # Both builds need the same load, checks and passage readings: do them once, the
        # readings in as many processes as there are cores.
        try:
            prepare(config_file, workers=min(cpus, 4) if parallel else 1)
        except Exception:
            # A configuration or content the plugin refuses: each build below meets the same
            # refusal and reports it the way it always does.
            forget_prepared()
    try:
        if len(sites) == 1 or not parallel or cpus < 2:
            return [_run(config_file, site, site_dir, strict, i == 0, progress, echo_refusal)
                    for i, site in enumerate(sites)]
        return _build_parallel(config_file, sites, site_dir, strict, progress, echo_refusal)
    finally:
        forget_prepared()


def _build_parallel(config_file: str | os.PathLike[str], sites: Sequence[Site],
                    site_dir: str | os.PathLike[str] | None, strict: bool,
                    progress: Progress | None, echo_refusal: bool) -> list[Result]:
    ctx = mp.get_context("fork") if sys.platform.startswith("linux") else mp.get_context("spawn")
    updates: mp.Queue[tuple[str, object]] = ctx.Queue()
    procs = [ctx.Process(target=_child, args=(config_file, site, site_dir, strict, i == 0,
                                               updates, progress is not None, echo_refusal),
                         daemon=True)
             for i, site in enumerate(sites)]
    for p in procs:
        p.start()
    results: dict[Site, Result] = {}
    while len(results) < len(sites):
        try:
            kind, payload = updates.get(timeout=0.5)
        except queue_mod.Empty:
            if not any(p.is_alive() for p in procs) and updates.empty():
                break
            continue
        if kind == "progress" and progress is not None:
            name, done, total = cast(tuple[str, int, int], payload)
            progress(Site(name), done, total)
        elif kind == "result":
            result = cast(Result, payload)
            results[result.site] = result
    for p in procs:
        p.join()
    return [results.get(s) or Result(s, None, "the build process ended unexpectedly", 0.0)
            for s in sites]


def _run(config_file: str | os.PathLike[str], site: Site, site_dir: object, strict: bool,
         report: bool, progress: Progress | None, echo_refusal: bool = True) -> Result:
    start = time.monotonic()
    try:
        out = build_site(config_file, site, site_dir=site_dir,  # type: ignore[arg-type]
                         strict=strict, report=report, progress=progress,
                         echo_refusal=echo_refusal)
    except MkDocsException as e:
        return Result(site, None, e.format_message(), time.monotonic() - start)
    return Result(site, out, None, time.monotonic() - start)


def _child(config_file: str | os.PathLike[str], site: Site, site_dir: object, strict: bool,
           report: bool, updates: mp.Queue[tuple[str, object]], with_progress: bool,
           echo_refusal: bool) -> None:
    def progress(s: Site, done: int, total: int) -> None:
        updates.put(("progress", (s.value, done, total)))

    try:
        result = _run(config_file, site, site_dir, strict, report,
                      progress if with_progress else None, echo_refusal)
    except BaseException as e:  # report, never hang the parent
        detail = traceback.format_exc() if os.environ.get("KB_DEBUG") else \
            f"kbtools failed with {type(e).__name__}: {e} (a bug: please report it; " \
            "KB_DEBUG=1 shows the traceback)"
        result = Result(site, None, detail, 0.0)
    updates.put(("result", result))
