"""Run MkDocs builds of one or both sites, the way `mkdocs build` does."""

from __future__ import annotations

import os
from pathlib import Path

from mkdocs.commands import build as mkdocs_build
from mkdocs.config import load_config

from ..core.sites import Site


def build_site(config_file: str | os.PathLike[str], site: Site, *,
               site_dir: str | os.PathLike[str] | None = None, strict: bool = False) -> Path:
    """Build ``site`` from ``config_file``; returns the folder it was published to.

    Raises MkDocs' exceptions (``Abort``, ``PluginError``) when the content or the audit fails;
    the previous site is then left untouched.
    """
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    overrides: dict[str, object] = {"strict": strict}
    if site_dir is not None:
        overrides["site_dir"] = str(site_dir)
    config = load_config(str(config_file), **overrides)
    plugin = config.plugins.get("kb")
    if plugin is None:
        raise SystemExit(f"{config_file}: the `kb` plugin is not in `plugins:`; refusing to build")
    plugin.config.site = site.value
    config.plugins.on_startup(command="build", dirty=False)
    try:
        mkdocs_build.build(config)
    finally:
        config.plugins.on_shutdown()
    return plugin.published or Path(config.site_dir)
