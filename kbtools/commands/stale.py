"""`kb stale`: topics past their review date, by owner."""

from __future__ import annotations

import datetime as dt
import json

import click

from kbtools.commands.common import (
    config_option,
    counted,
    load_project,
)


@click.command()
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Count from this day instead of today (e.g. to plan next month).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@config_option
def stale(as_of: dt.datetime | None, fmt: str, config_file: str | None) -> None:
    """List topics whose review_by date has passed, grouped by owner.

    Drafts and topics with front matter errors are left out (`kb check` reports those).
    Review a topic, then move its review_by forward and set updated.
    """
    from kbtools.core.reading.loading import load
    from kbtools.core.reports.stale import stale as find

    project = load_project(config_file)
    today = as_of.date() if as_of else dt.date.today()
    kb = load(project.content)
    groups = find(kb, today)
    unread = sum(not t.valid for t in kb.topics.values()) + len(kb.unreadable)
    if unread:
        click.echo(f"kb stale: {counted(unread, 'topic')} with errors left out "
                   "(`kb check` lists them)", err=True)
    if fmt == "json":
        click.echo(json.dumps({owner: [{"path": d.path, "title": d.title,
                                        "review_by": d.review_by.isoformat(),
                                        "days_over": d.days_over} for d in dues]
                               for owner, dues in groups.items()}, indent=2,
                              ensure_ascii=False))
        return
    if not groups:
        click.echo(f"No topic is past its review date (as of {today.isoformat()}).")
        return
    total = sum(len(d) for d in groups.values())
    click.echo(f"{counted(total, 'topic')} past the review date (as of {today.isoformat()}):")
    for owner, dues in groups.items():
        click.echo(f"\n{owner} ({len(dues)})")
        for d in dues:
            click.echo(f"  {d.path}  review_by {d.review_by.isoformat()} "
                       f"({d.days_over} {'day' if d.days_over == 1 else 'days'} ago)  "
                       f"{d.title}")
