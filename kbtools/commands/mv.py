"""`kb mv`: move a topic and fix every link to it."""

from __future__ import annotations

import click

from kbtools.commands.common import (
    config_option,
    counted,
    load_project,
    locate_one,
)
from kbtools.core.model.errors import ContentError, UsageError
from kbtools.core.reading.project import (
    Located,
)


@click.command()
@click.argument("old")
@click.argument("new")
@click.option("-n", "--dry-run", is_flag=True, help="Say what would change; change nothing.")
@config_option
def mv(old: str, new: str, dry_run: bool, config_file: str | None) -> None:
    """Move the topic OLD to NEW and fix every link to it.

    Rewrites every link to OLD in every topic (keeping #anchors, inside members passages
    too) and every related: entry, rewrites the moved topic's own relative links, and adds
    OLD to its aliases: so the old URL redirects. Nothing else in the files changes. NEW may
    be an existing folder. Paths are relative to the current folder, like git mv.

    \b
    Example:
      kb mv content/contact/contact-client-support.md content/contact/client-support.md
    """
    from kbtools.core.authoring.move import apply, plan_move
    from kbtools.core.reading.loading import load

    project = load_project(config_file)
    src = locate_one(project, old)
    if src.is_dir:
        raise UsageError(f"{old}: a folder; kb mv moves one topic at a time")
    dst = locate_one(project, new, must_exist=False, markdown=False)
    if (project.content / dst.rel).is_dir():
        dst = Located(new, f"{dst.rel}/{src.rel.rsplit('/', 1)[-1]}".lstrip("/"), False)
    elif not dst.rel.endswith(".md"):
        raise UsageError(f"{new}: not a Markdown topic (topics end in .md)")
    kb = load(project.content)
    if src.rel not in kb.topics:
        reasons = [d.message for d in kb.diagnostics if d.path == kb.display(src.rel)]
        raise ContentError(f"{old}: not a topic that can be moved"
                           + (f" ({reasons[0]})" if reasons else ""))
    move = plan_move(kb, src.rel, dst.rel)  # MoveError is a ContentError: exit 1
    verb = "would move" if dry_run else "moved"
    click.echo(f"{verb} {kb.display(move.old)} -> {kb.display(move.new)}")
    others = [p for p in move.changed if p != move.new]
    click.echo(f"{counted(move.links, 'link', zero=True)} and "
               f"{counted(move.related, 'related: entry', 'related: entries', zero=True)} "
               f"rewritten in {counted(len(others), 'other topic', zero=True)}, "
               f"{counted(move.own_links, 'link', zero=True)} in the moved topic; "
               f"`{move.old}` added to its aliases:")
    for path in others:
        click.echo(f"  {kb.display(path)}")
    for where in move.skipped:
        click.echo(f"kb mv: warning: could not rewrite the link at {kb.display(where)}; "
                   "edit it by hand", err=True)
    if dry_run:
        return
    staged = apply(kb, move)
    if staged:
        click.echo("staged the move with git mv" + ("; the links rewritten in other topics are "
                                                    "not staged (`git diff` shows them)"
                                                    if others else ""))
