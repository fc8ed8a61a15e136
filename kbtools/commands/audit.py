"""`kb audit`: the public surface, or what a change does to it."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import click

from kbtools.commands.common import (
    config_option,
    content_findings,
    counted,
    load_project,
    read_facts,
)
from kbtools.core.reading import facts as contact_facts
from kbtools.core.reading.project import (
    Project,
)


@click.command(short_help="List the public pages, or what a change does to them (Markdown).")
@click.option("--against", "ref", metavar="REF",
              help="A git branch, tag or commit: show how the public surface changed since.")
@config_option
def audit(ref: str | None, config_file: str | None) -> None:
    """List the public surface, as Markdown (ready for a pull request or job summary).

    Every public URL with its title and audience, the redirects and files the public site
    has, and how many members-only topics each subject has.

    With --against REF: what this work tree changes compared with REF's content folder
    (read from git, the work tree is not touched): added, removed and changed public pages,
    topics whose visibility changed, redirects and files.

    \b
    Example, in CI:
      kb audit --against origin/main >> "$GITHUB_STEP_SUMMARY"
    """
    from kbtools.core.reading.loading import load
    from kbtools.core.reports.public_surface import (
    checkout_content,
    diff,
    markdown,
    markdown_changes,
    surface,
    )

    project = load_project(config_file)
    settings: dict[str, Any] = {"prefix": project.url_prefix,
                                "directory_urls": project.use_directory_urls,
                                "site_name": project.site_name, "subjects": project.subjects}
    facts = read_facts(project)
    kb = load(project.content)
    _note_errors(kb, project)
    after = surface(contact_facts.apply(kb, facts), **settings)
    if ref is None:
        click.echo(markdown(after, site_url=project.site_url, display=kb.display("")), nl=False)
        return
    with tempfile.TemporaryDirectory(prefix="kb-audit-") as tmp:
        old_content = checkout_content(project.content, ref, Path(tmp))  # UsageError: bad REF
        before = surface(contact_facts.apply(load(old_content), facts), **settings)
    click.echo(markdown_changes(diff(before, after), ref=ref, display=kb.display("")), nl=False)


def _note_errors(kb: Any, project: Project) -> None:
    errors = sum(d.is_error for d in content_findings(kb, project))
    if errors:
        click.echo(f"kb audit: note: the content has {counted(errors, 'error')}, which a build "
                   "refuses (`kb check` lists them); topics with front matter errors are in "
                   "neither list", err=True)
