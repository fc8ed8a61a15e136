"""What every `kb` command shares: the one-line failure, the project, options and output."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import click

from kbtools.core.model.diagnostics import Diagnostic
from kbtools.core.model.errors import ContentError
from kbtools.core.reading import facts as contact_facts
from kbtools.core.reading.project import (
    Located,
    Project,
    find_config,
    locate,
    read_project,
)

CONFIG_HELP = "Path to mkdocs.yml."
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def config_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("-f", "--config-file", type=click.Path(dir_okay=False),
                        help=f"{CONFIG_HELP} [default: the nearest mkdocs.yml]")(f)


def load_project(config_file: str | None) -> Project:
    """The project of ``-f`` or of the nearest mkdocs.yml (UsageError when there is none)."""
    return read_project(find_config(config_file))


def locate_one(project: Project, given: str, **kwargs: Any) -> Located:
    """A path the writer typed, inside the content folder (UsageError otherwise)."""
    return locate(project.content, given, **kwargs)


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
        raise ContentError(f"{project.config_file}: `extra: links:`: {e}") from None
    try:
        renderer = renderer_for_file(project.config_file)
    except Exception as e:  # a configuration MkDocs itself refuses
        raise ContentError(f"{project.config_file}: {' '.join(str(e).split())}") from None
    return check_content(kb, facts, renderer, members_url=project.members_url,
                         links=links).findings


def read_facts(project: Project) -> contact_facts.Facts:
    try:
        return contact_facts.parse(project.facts)
    except contact_facts.FactsError as e:
        raise ContentError(f"{project.config_file}: `extra: facts:`: {e}") from None


_STYLE: dict[str, dict[str, Any]] = {"error": {"fg": "red", "bold": True},
                                     "warning": {"fg": "yellow", "bold": True}}


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
