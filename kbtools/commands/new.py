"""`kb new`: start a topic with valid front matter."""

from __future__ import annotations

import click

from kbtools.commands.common import (
    config_option,
    load_project,
)
from kbtools.core.model.errors import UsageError
from kbtools.core.model.schema import AUDIENCES, VISIBILITIES
from kbtools.core.reading.project import (
    Project,
    ProjectError,
    locate,
)


@click.command()
@click.argument("title")
@click.option("-a", "--audience", multiple=True, required=True, type=click.Choice(AUDIENCES),
              help="Who the topic is for; repeat for both.")
@click.option("-v", "--visibility", required=True, type=click.Choice(VISIBILITIES),
              help="public: on the public site; members: signed-in members only.")
@click.option("-d", "--dir", "folder", default="", metavar="FOLDER",
              help="Subject folder inside the content folder, e.g. accounts-and-passwords.")
@click.option("--owner", help="The team that keeps the topic correct.")
@click.option("--summary", help="One sentence for listings and search results.")
@click.option("--tag", "tags", multiple=True, help="A subject tag; repeat for more.")
@config_option
def new(title: str, audience: tuple[str, ...], visibility: str, folder: str,
        owner: str | None, summary: str | None, tags: tuple[str, ...],
        config_file: str | None) -> None:
    """Write a new topic whose title is TITLE and print its path.

    The file name comes from the title ("How do I reset my password?" gives
    how-do-i-reset-my-password.md); the front matter is valid, with the next free id,
    today's date and a review date six months on. An existing file is never overwritten.

    \b
    Example:
      kb new "Can I change my login email?" --audience publisher \\
             --audience advertiser --visibility public --dir accounts-and-passwords
    """
    from kbtools.core.authoring.new_topic import new_topic, write
    from kbtools.core.reading.loading import load

    project = load_project(config_file)
    rel_folder = _folder(project, folder)
    kb = load(project.content)
    # ScaffoldError (a path taken, a title that makes no file name) is a ContentError: exit 1.
    topic = new_topic(kb, title, audience=list(audience), visibility=visibility,
                      folder=rel_folder, owner=owner, summary=summary, tags=tags)
    write(project.content, topic, shown=kb.display(topic.rel))
    click.echo(kb.display(topic.rel))


def _folder(project: Project, folder: str) -> str:
    """--dir as a folder relative to the content folder (given from there or from here)."""
    if not folder:
        return ""
    try:
        rel = locate(project.content, folder, must_exist=False, markdown=False).rel
    except ProjectError:
        rel = folder  # relative to the content folder; new_topic checks it
    target = project.content / rel
    if target.is_symlink() and not target.resolve().is_relative_to(project.content):
        raise UsageError(f"--dir {folder}: a symlink leading outside the content folder")
    if target.exists() and not target.is_dir():
        raise UsageError(f"--dir {folder}: not a folder")
    return rel
