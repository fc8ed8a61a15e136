"""The `kb` command: build, check and inspect the knowledge base."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from .core.sites import Site

CONFIG_HELP = "Path to mkdocs.yml."


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kbtools")
def main() -> None:
    """Build and check the CJ support knowledge base (public site and members site)."""


@main.command()
@click.option("-f", "--config-file", default="mkdocs.yml", show_default=True,
              type=click.Path(dir_okay=False), help=CONFIG_HELP)
@click.option("--public", "which", flag_value="public", help="Build only the public site.")
@click.option("--members", "which", flag_value="members", help="Build only the members site.")
@click.option("--all", "which", flag_value="all", default=True,
              help="Build both sites (default).")
@click.option("-d", "--site-dir", type=click.Path(file_okay=False),
              help="Output folder (only with --public or --members).")
@click.option("-s", "--strict", is_flag=True, help="Fail on warnings too.")
def build(config_file: str, which: str, site_dir: str | None, strict: bool) -> None:
    """Build site/public and site/members.

    Each site is built into a temporary folder, audited (public), and moved into place only
    when everything passed: a failed build leaves the previous site as it was.
    """
    from mkdocs.exceptions import MkDocsException

    from .plugin.build import build_site

    if not Path(config_file).is_file():
        raise click.UsageError(f"{config_file}: no such file")
    sites = [Site.PUBLIC, Site.MEMBERS] if which == "all" else [Site(which)]
    if site_dir and len(sites) > 1:
        raise click.UsageError("--site-dir needs --public or --members")
    for site in sites:
        start = time.monotonic()
        try:
            out = build_site(config_file, site, site_dir=site_dir, strict=strict)
        except MkDocsException as e:
            click.echo(f"kb build: the {site.value} site was not built: {e.format_message()}",
                       err=True)
            sys.exit(1)
        click.echo(f"{site.value:8} site: {out} ({time.monotonic() - start:.1f} s)")


if __name__ == "__main__":
    main()
