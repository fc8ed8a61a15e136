"""`kb check`: every check of the build, without rendering a page."""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import click

from kbtools.commands.common import (
    color,
    config_option,
    content_findings,
    counted,
    load_project,
    styled,
)
from kbtools.core.model.diagnostics import Diagnostic, format_github, format_json
from kbtools.core.model.errors import REFUSED, USAGE
from kbtools.core.reading.project import (
    Located,
    Project,
    ProjectError,
    git_root,
    locate,
)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "github", "json"]),
              default="text", show_default=True,
              help="text for people, github for GitHub Actions annotations, json for tools "
                   "(one object per line).")
@click.option("-s", "--strict", is_flag=True, help="Warnings fail too (exit 1).")
@config_option
def check(paths: tuple[str, ...], fmt: str, strict: bool, config_file: str | None) -> None:
    """Run every check of the build without rendering anything.

    Front matter, members blocks, links and anchors in both sites, related: entries,
    aliases, duplicate ids, reserved paths, and the warnings (no summary, no visibility,
    review date passed). The whole knowledge base is always checked, since a change in one
    topic can break a link in another; given PATHS (topics or folders inside the content
    folder), only the findings in those files are reported.

    \b
    Exit status: 0 no errors; 1 errors (or warnings with --strict); 2 wrong usage (a path
    that is missing, outside the content folder, not Markdown, or a symlink leading out).

    \b
    Examples:
      kb check
      kb check content/accounts-and-passwords/reset-password.md
      kb check --format github        in a GitHub Actions step
      kb check --format json | jq .   see docs/diagnostics.md for the fields
    """
    start = time.monotonic()
    project = load_project(config_file)
    located = _locate_all(project, paths)

    from kbtools.core.reading.loading import load

    kb = load(project.content)
    found = content_findings(kb, project)
    scope = f"{len(kb.topics)}"
    if located:
        keep = _selector(kb.display, located)
        found = [d for d in found if keep(d.path)]
        scope = f"{sum(keep(kb.display(p)) for p in kb.topics)} of {scope}"
    errors = sum(d.is_error for d in found)
    warnings = len(found) - errors

    if fmt == "json":
        if found:
            click.echo(format_json(found))
    elif fmt == "github":
        if found:
            click.echo(format_github(_repo_relative(found)))
    else:
        for d in found:
            click.echo(styled(d), color=color())
    problems = ", ".join(p for p in (counted(errors, "error"), counted(warnings, "warning")) if p)
    click.echo(f"kb check: {problems or 'no problems'} in {scope} topics "
               f"({time.monotonic() - start:.2f} s)", err=True)
    if errors or (strict and warnings):
        sys.exit(REFUSED)  # the findings are printed above




def _locate_all(project: Project, paths: Iterable[str]) -> list[Located]:
    located, problems = [], []
    for given in paths:
        try:
            located.append(locate(project.content, given))
        except ProjectError as e:
            problems.append(str(e))
    if problems:
        ctx = click.get_current_context()
        for problem in problems:
            click.echo(f"{ctx.command_path}: {problem}", err=True)
        ctx.exit(USAGE)  # every bad path is named above, not only the first
    return located


def _selector(display: Callable[[str], str], located: list[Located]) -> Callable[[str], bool]:
    files = {display(loc.rel) for loc in located if not loc.is_dir}
    folders = tuple(display(loc.rel + "/" if loc.rel else "") for loc in located if loc.is_dir)
    return lambda path: path in files or (bool(folders) and path.startswith(folders))


def _repo_relative(found: list[Diagnostic]) -> list[Diagnostic]:
    # GitHub wants paths from the top of the repository, whatever folder kb runs in.
    cwd = Path.cwd()
    root = git_root(cwd.resolve())
    if root is None:
        return found
    out = []
    for d in found:
        full = Path(os.path.normpath(cwd / d.path)).resolve()
        path = full.relative_to(root).as_posix() if full.is_relative_to(root) else d.path
        out.append(dataclasses.replace(d, path=path))
    return out
