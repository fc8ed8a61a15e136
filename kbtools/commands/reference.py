"""`kb codes` and `kb schema`: the diagnostic reference and the JSON Schemas."""

from __future__ import annotations

import click

from kbtools.core.model.errors import UsageError


@click.command()
@click.argument("code", required=False)
@click.option("--markdown", is_flag=True,
              help="Print the whole reference as Markdown (this is docs/diagnostics.md).")
def codes(code: str | None, markdown: bool) -> None:
    """Explain a diagnostic code, or list them all.

    \b
      kb codes            every code with its severity and meaning
      kb codes KB300      one code: what it means, an example, the fix
    """
    from kbtools.core.model.codes import CODES
    from kbtools.core.reports import codes_doc

    if markdown:
        click.echo(codes_doc.markdown(), nl=False)
        return
    if code:
        found = CODES.get(code.upper())
        if found is None:
            raise UsageError(f"{code}: no such code; `kb codes` lists them")
        click.echo(codes_doc.entry(found, level=1).strip())
        return
    for c in CODES.values():
        click.echo(f"{c.id}  {c.severity.value:7}  {c.title}")


@click.command(short_help="Print the JSON Schema of the front matter or of --format json.")
@click.argument("which", type=click.Choice(["topic", "diagnostic"]), default="topic")
def schema(which: str) -> None:
    """Print a JSON Schema: topic (front matter, default) or diagnostic (--format json).

    schema/topic.schema.json and schema/diagnostic.schema.json are these, committed:

    \b
      kb schema topic > schema/topic.schema.json
    """
    from kbtools.core.reports.json_schema import SCHEMAS, dumps

    click.echo(dumps(SCHEMAS[which]()), nl=False)
