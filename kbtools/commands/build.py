"""`kb build`: build both sites (or one) into place, each audited and staged."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from kbtools.commands.common import (
    CONFIG_HELP,
)
from kbtools.core.model.errors import REFUSED
from kbtools.core.site.plan import Site


@click.command()
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
    from kbtools.plugin.build import build_sites

    if not Path(config_file).is_file():
        raise click.UsageError(f"{config_file}: no such file")
    sites = [Site.PUBLIC, Site.MEMBERS] if which == "all" else [Site(which)]
    if site_dir and len(sites) > 1:
        raise click.UsageError("--site-dir needs --public or --members")
    status = _Progress(sites) if _interactive() else None
    results = build_sites(config_file, sites, site_dir=site_dir, strict=strict,
                          progress=status.update if status else None, echo_refusal=False)
    if status:
        status.clear()
    for result in results:
        if result.error is None:
            click.echo(f"{result.site.value:8} site: {result.published} "
                       f"({result.seconds:.1f} s)")
    # One line per distinct reason: content errors refuse both sites for the same reason.
    reasons: dict[str, list[Site]] = {}
    for result in results:
        if result.error is not None:
            reasons.setdefault(result.error.removeprefix("kbtools: "), []).append(result.site)
    for reason, failed in reasons.items():
        which = ("neither site was built" if len(failed) == 2
                 else f"the {failed[0].value} site was not built")
        click.echo(f"kb build: {which}: {reason}", err=True)
    if reasons:
        sys.exit(REFUSED)  # each reason is printed above


def _interactive() -> bool:
    # Progress only for a person at a terminal: never in CI logs or redirected output.
    return sys.stderr.isatty() and not os.environ.get("CI")


class _Progress:
    """One status line on stderr: pages written per site and the time so far."""

    def __init__(self, sites: list[Site]) -> None:
        self.start = time.monotonic()
        self.counts: dict[Site, tuple[int, int]] = {s: (0, 0) for s in sites}
        self.shown = 0.0

    def update(self, site: Site, done: int, total: int) -> None:
        self.counts[site] = (done, total)
        now = time.monotonic()
        if now - self.shown < 0.2 and done < total:
            return
        self.shown = now
        parts = [f"{s.value} {d}/{t or '?'} pages" for s, (d, t) in self.counts.items()]
        sys.stderr.write(f"\rbuilding: {' · '.join(parts)} · {now - self.start:.1f} s\x1b[K")
        sys.stderr.flush()

    def clear(self) -> None:
        sys.stderr.write("\r\x1b[K")
        sys.stderr.flush()
