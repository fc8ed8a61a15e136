"""What every `kb` command shares: the one-line failure, the project, options and output."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import click

from kbtools.core.model.diagnostics import Diagnostic
from kbtools.core.reading import facts as contact_facts
from kbtools.core.reading.project import (
    Located,
    Project,
    ProjectError,
    find_config,
    locate,
    read_project,
)

CONFIG_HELP = "Path to mkdocs.yml."
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class Fail(click.ClickException):
    """A problem with the command line or a file, said in one line: `kb CMD: message`."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        ctx = click.get_current_context(silent=True)
        self.command = ctx.command_path if ctx else "kb"

    def show(self, file: Any = None) -> None:
        click.echo(f"{self.command}: {self.format_message()}", err=True)


def config_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("-f", "--config-file", type=click.Path(dir_okay=False),
                        help=f"{CONFIG_HELP} [default: the nearest mkdocs.yml]")(f)


def load_project(config_file: str | None) -> Project:
    try:
        return read_project(find_config(config_file))
    except ProjectError as e:
        raise Fail(str(e)) from None


def locate_one(project: Project, given: str, **kwargs: Any) -> Located:
    try:
        return locate(project.content, given, **kwargs)
    except ProjectError as e:
        raise Fail(str(e)) from None


def content_findings(kb: Any, project: Project) -> list[Diagnostic]:
    """Every finding the build's on_config reports: the content checks, the members passages
    as the site's renderer reads them, the facts check and the named links check."""
    from kbtools.core.checks.findings import check_content
    from kbtools.core.reading import named_links
    from kbtools.plugin.probe import renderer_for_file

    facts = read_facts(project)
    try:
        links = named_links.parse(project.links)
    except named_links.LinksError as e:
        raise Fail(f"{project.config_file}: `extra: links:`: {e}", exit_code=1) from None
    try:
        renderer = renderer_for_file(project.config_file)
    except Exception as e:  # a configuration MkDocs itself refuses
        raise Fail(f"{project.config_file}: {' '.join(str(e).split())}", exit_code=1) from None
    return check_content(kb, facts, renderer, members_url=project.members_url,
                         links=links).findings


def read_facts(project: Project) -> contact_facts.Facts:
    try:
        return contact_facts.parse(project.facts)
    except contact_facts.FactsError as e:
        raise Fail(f"{project.config_file}: `extra: facts:`: {e}", exit_code=1) from None


_STYLE = {"error": {"fg": "red", "bold": True}, "warning": {"fg": "yellow", "bold": True}}


def styled(d: Diagnostic) -> str:
    """Diagnostic.format_text with colours (click strips them when not on a terminal)."""
    level = click.style(f"{d.severity.value}[{d.code}]", **_STYLE[d.severity.value])
    text = f"{click.style(d.location(), bold=True)}: {level}: {d.message}"
    if d.hint:
        text += "\n    " + click.style(f"hint: {d.hint}", fg="cyan")
    return text


def color() -> bool | None:
    return False if os.environ.get("NO_COLOR") else None


def counted(n: int, word: str, plural: str | None = None, *, zero: bool = False) -> str:
    """``3 errors``, ``1 error``; empty for 0 unless ``zero``."""
    if not n and not zero:
        return ""
    return f"{n} {word if n == 1 else plural or word + 's'}"
