"""The `kb` command: build, check and inspect the knowledge base (one module a command in
kbtools/commands/)."""

from __future__ import annotations

import os
from typing import Any, NoReturn

import click
import yaml

from kbtools.commands import audit, build, check, mv, new, reference, serve, stale
from kbtools.commands.common import CONTEXT
from kbtools.core.model.errors import ContentError, KbError


class KbGroup(click.Group):
    """The one place where a command's refusal becomes a line on stderr and an exit status.

    Commands raise KbError (kbtools/core/model/errors.py), whose class fixes the status: 1 when
    the content or the build is refused, 2 when the command line is wrong. File-system and
    YAML reader errors are refusals of the content too; a bug is one line, not a traceback.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KbError as e:
            refuse(ctx, e, ctx.invoked_subcommand)
        except BrokenPipeError:
            raise  # `kb stale | head`: click exits quietly when the reader stops reading
        except OSError as e:
            where = f"{e.filename}: " if e.filename else ""
            refuse(ctx, ContentError(f"{where}{e.strerror or e}"))
        except UnicodeDecodeError as e:
            refuse(ctx, ContentError(f"a file is not UTF-8 text ({e.reason})"))
        except yaml.YAMLError as e:  # what the front matter parser does not turn into KB103
            problem = " ".join(str(e).split())
            refuse(ctx, ContentError(f"a topic's front matter cannot be read: {problem}"))
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit,
                KeyboardInterrupt):
            raise
        except Exception as e:
            # A bug of kbtools: one line for the writer, the traceback for whoever fixes it.
            if os.environ.get("KB_DEBUG"):
                raise
            refuse(ctx, KbError(f"kbtools failed with {type(e).__name__}: {e} (a bug: please "
                                "report it; KB_DEBUG=1 shows the traceback)"))


def refuse(ctx: click.Context, error: KbError, command: str | None = None) -> NoReturn:
    """Print ``kb CMD: message`` (and the code's fix) on stderr; exit with the error's status.

    A command's own refusal names the command; what escaped it (a file-system error, a bug)
    is said by ``kb``.
    """
    who = " ".join(p for p in (ctx.command_path, command) if p)
    click.echo(error.format_text(who), err=True)
    ctx.exit(error.exit_code)


@click.group(cls=KbGroup, context_settings=CONTEXT)
@click.version_option(package_name="kbtools")
def main() -> None:
    """Build and check the support knowledge base (public site and members site).

    Topics are Markdown files with YAML front matter in the content folder (mkdocs.yml's
    docs_dir). A writer's day:

    \b
      kb new "How do I change my email?" --audience publisher --visibility public --dir accounts
      kb serve --public             preview what anonymous visitors see, reloading on save
      kb check                      every check of the build, in about a second
      kb mv OLD.md NEW.md           move a topic and fix every link to it
      kb audit --against main       what a change does to the public site
      kb stale                      topics past their review date, by owner
      kb codes KB300                what an error code means and how to fix it

    Every command finds mkdocs.yml in the current folder or a parent; `-f` names another.
    Run `kb COMMAND --help` for the details of one command.
    """


for command in (build.build, check.check, new.new, serve.serve, audit.audit, mv.mv, stale.stale,
                reference.codes, reference.schema):
    main.add_command(command)


if __name__ == "__main__":
    main()
