"""`kb serve`: preview one site, reloading on every save."""

from __future__ import annotations

import click

from kbtools.commands.common import (
    config_option,
    load_project,
)
from kbtools.core.site.plan import Site


@click.command()
@click.option("--public", "which", flag_value="public", default=True,
              help="Preview the public site: what anonymous visitors see (default).")
@click.option("--members", "which", flag_value="members",
              help="Preview the members site: every topic and passage.")
@click.option("-a", "--dev-addr", metavar="IP:PORT",
              help="Address to serve on [default: localhost:8000].")
@click.option("-o", "--open", "open_in_browser", is_flag=True,
              help="Open the preview in a browser.")
@click.option("--no-livereload", "livereload", flag_value=False, default=True,
              help="Do not reload the page when files change.")
@config_option
def serve(which: str, dev_addr: str | None, open_in_browser: bool, livereload: bool,
          config_file: str | None) -> None:
    """Preview one site with MkDocs' dev server, reloading on every save.

    --public shows exactly what anonymous visitors will see (members topics and passages
    removed); --members shows everything. The diagnostics of `kb check` print in this
    terminal on every rebuild; while there are errors the last good preview stays up.
    Stop with Ctrl+C.
    """
    project = load_project(config_file)
    from kbtools.plugin.serve import serve as run

    run(str(project.config_file), Site(which), dev_addr=dev_addr,
        open_in_browser=open_in_browser, livereload=livereload)
