"""The `kb` command: build, check and inspect the knowledge base."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click
import yaml

from kbtools.core.reading import facts as contact_facts
from kbtools.core.model.diagnostics import Diagnostic, format_github, format_json
from kbtools.core.reading.project import (
    Located,
    Project,
    ProjectError,
    find_config,
    git_root,
    locate,
    read_project,
)
from kbtools.core.model.schema import AUDIENCES, VISIBILITIES
from kbtools.core.site.plan import Site

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


class KbGroup(click.Group):
    """Turns file-system and YAML reader errors into one line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise  # `kb stale | head`: click exits quietly when the reader stops reading
        except OSError as e:
            where = f"{e.filename}: " if e.filename else ""
            raise Fail(f"{where}{e.strerror or e}", exit_code=1) from None
        except UnicodeDecodeError as e:
            raise Fail(f"a file is not UTF-8 text ({e.reason})", exit_code=1) from None
        except yaml.YAMLError as e:  # what the front matter parser does not turn into KB103
            problem = " ".join(str(e).split())
            raise Fail(f"a topic's front matter cannot be read: {problem}", exit_code=1) from None
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit,
                KeyboardInterrupt):
            raise
        except Exception as e:
            # A bug of kbtools: one line for the writer, the traceback for whoever fixes it.
            if os.environ.get("KB_DEBUG"):
                raise
            raise Fail(f"kbtools failed with {type(e).__name__}: {e} (a bug: please report "
                       "it; KB_DEBUG=1 shows the traceback)", exit_code=1) from None


@click.group(cls=KbGroup, context_settings=CONTEXT)
@click.version_option(package_name="kbtools")
def main() -> None:
    """Build and check the CJ support knowledge base (public site and members site).

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


def config_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("-f", "--config-file", type=click.Path(dir_okay=False),
                        help=f"{CONFIG_HELP} [default: the nearest mkdocs.yml]")(f)


def _project(config_file: str | None) -> Project:
    try:
        return read_project(find_config(config_file))
    except ProjectError as e:
        raise Fail(str(e)) from None


def _locate(project: Project, given: str, **kwargs: Any) -> Located:
    try:
        return locate(project.content, given, **kwargs)
    except ProjectError as e:
        raise Fail(str(e)) from None


# build ----------------------------------------------------------------------------------------


@main.command()
@click.option("-f", "--config-file", default="mkdocs.yml", show_default=True,
              type=click.Path(dir_okay=False), help=CONFIG_HELP)
@click.option("--public", "which", flag_value="public", help="Build only the public site.")
@click.option("--members", "which", flag_value="members", help="Build only the members site.")
@click.option("--all", "which", flag_value="all", default=True,
              help="Build both sites (default).")
@click.option("-d", "--site-dir", type=click.Path(file_okay=False),
              help="Output folder (only with --public or --members).")
@click.option("-s", "--strict", is_flag=True, help="Fail on warnings too.")
def build(config_file: str, which: str, site_dir: str | None, strict: bool) -> None:
    """Build site/public and site/members.

    Each site is built into a temporary folder, audited (public), and moved into place only
    when everything passed: a failed build leaves the previous site as it was.
    """
    from kbtools.plugin.build import build_sites

    if not Path(config_file).is_file():
        raise click.UsageError(f"{config_file}: no such file")
    sites = [Site.PUBLIC, Site.MEMBERS] if which == "all" else [Site(which)]
    if site_dir and len(sites) > 1:
        raise click.UsageError("--site-dir needs --public or --members")
    status = _Progress(sites) if _interactive() else None
    results = build_sites(config_file, sites, site_dir=site_dir, strict=strict,
                          progress=status.update if status else None, echo_refusal=False)
    if status:
        status.clear()
    for result in results:
        if result.error is None:
            click.echo(f"{result.site.value:8} site: {result.published} "
                       f"({result.seconds:.1f} s)")
    # One line per distinct reason: content errors refuse both sites for the same reason.
    reasons: dict[str, list[Site]] = {}
    for result in results:
        if result.error is not None:
            reasons.setdefault(result.error.removeprefix("kbtools: "), []).append(result.site)
    for reason, failed in reasons.items():
        which = ("neither site was built" if len(failed) == 2
                 else f"the {failed[0].value} site was not built")
        click.echo(f"kb build: {which}: {reason}", err=True)
    if reasons:
        sys.exit(1)


def _interactive() -> bool:
    # Progress only for a person at a terminal: never in CI logs or redirected output.
    return sys.stderr.isatty() and not os.environ.get("CI")


class _Progress:
    """One status line on stderr: pages written per site and the time so far."""

    def __init__(self, sites: list[Site]) -> None:
        self.start = time.monotonic()
        self.counts: dict[Site, tuple[int, int]] = {s: (0, 0) for s in sites}
        self.shown = 0.0

    def update(self, site: Site, done: int, total: int) -> None:
        self.counts[site] = (done, total)
        now = time.monotonic()
        if now - self.shown < 0.2 and done < total:
            return
        self.shown = now
        parts = [f"{s.value} {d}/{t or '?'} pages" for s, (d, t) in self.counts.items()]
        sys.stderr.write(f"\rbuilding: {' · '.join(parts)} · {now - self.start:.1f} s\x1b[K")
        sys.stderr.flush()

    def clear(self) -> None:
        sys.stderr.write("\r\x1b[K")
        sys.stderr.flush()


# check ----------------------------------------------------------------------------------------


@main.command()
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
    project = _project(config_file)
    located = _locate_all(project, paths)

    from kbtools.core.reading.loading import load

    kb = load(project.content)
    found = _findings(kb, project)
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
            click.echo(_styled(d), color=_color())
    problems = ", ".join(p for p in (_count(errors, "error"), _count(warnings, "warning")) if p)
    click.echo(f"kb check: {problems or 'no problems'} in {scope} topics "
               f"({time.monotonic() - start:.2f} s)", err=True)
    if errors or (strict and warnings):
        sys.exit(1)


def _findings(kb: Any, project: Project) -> list[Diagnostic]:
    """Every finding the build's on_config reports: the content checks, the members passages
    as the site's renderer reads them, the facts check and the named links check."""
    from kbtools.core.reading import named_links
    from kbtools.core.checks.findings import check_content
    from kbtools.plugin.probe import renderer_for_file

    facts = _facts(project)
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


def _facts(project: Project) -> contact_facts.Facts:
    try:
        return contact_facts.parse(project.facts)
    except contact_facts.FactsError as e:
        raise Fail(f"{project.config_file}: `extra: facts:`: {e}", exit_code=1) from None


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
        ctx.exit(2)
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


_STYLE = {"error": {"fg": "red", "bold": True}, "warning": {"fg": "yellow", "bold": True}}


def _styled(d: Diagnostic) -> str:
    """Diagnostic.format_text with colours (click strips them when not on a terminal)."""
    level = click.style(f"{d.severity.value}[{d.code}]", **_STYLE[d.severity.value])
    text = f"{click.style(d.location(), bold=True)}: {level}: {d.message}"
    if d.hint:
        text += "\n    " + click.style(f"hint: {d.hint}", fg="cyan")
    return text


def _color() -> bool | None:
    return False if os.environ.get("NO_COLOR") else None


def _count(n: int, word: str, plural: str | None = None, *, zero: bool = False) -> str:
    """``3 errors``, ``1 error``; empty for 0 unless ``zero``."""
    if not n and not zero:
        return ""
    return f"{n} {word if n == 1 else plural or word + 's'}"


# new ------------------------------------------------------------------------------------------


@main.command()
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
    from kbtools.core.reading.loading import load
    from kbtools.core.authoring.new_topic import ScaffoldError, new_topic, write

    project = _project(config_file)
    rel_folder = _folder(project, folder)
    kb = load(project.content)
    try:
        topic = new_topic(kb, title, audience=list(audience), visibility=visibility,
                          folder=rel_folder, owner=owner, summary=summary, tags=tags)
        write(project.content, topic, shown=kb.display(topic.rel))
    except ScaffoldError as e:
        raise Fail(str(e), exit_code=1) from None
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
        raise Fail(f"--dir {folder}: a symlink leading outside the content folder")
    if target.exists() and not target.is_dir():
        raise Fail(f"--dir {folder}: not a folder")
    return rel


# serve ----------------------------------------------------------------------------------------


@main.command()
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
    project = _project(config_file)
    from mkdocs.exceptions import MkDocsException

    from kbtools.plugin.serve import serve as run

    try:
        run(str(project.config_file), Site(which), dev_addr=dev_addr,
            open_in_browser=open_in_browser, livereload=livereload)
    except MkDocsException as e:
        raise Fail(e.format_message(), exit_code=1) from None


# audit ----------------------------------------------------------------------------------------


@main.command(short_help="List the public pages, or what a change does to them (Markdown).")
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
    SurfaceError,
    checkout_content,
    diff,
    markdown,
    markdown_changes,
    surface,
    )

    project = _project(config_file)
    settings = {"prefix": project.url_prefix, "directory_urls": project.use_directory_urls,
                "site_name": project.site_name, "subjects": project.subjects}
    facts = _facts(project)
    kb = load(project.content)
    _note_errors(kb, project)
    after = surface(contact_facts.apply(kb, facts), **settings)
    if ref is None:
        click.echo(markdown(after, site_url=project.site_url, display=kb.display("")), nl=False)
        return
    with tempfile.TemporaryDirectory(prefix="kb-audit-") as tmp:
        try:
            old_content = checkout_content(project.content, ref, Path(tmp))
        except SurfaceError as e:
            raise Fail(str(e)) from None
        before = surface(contact_facts.apply(load(old_content), facts), **settings)
    click.echo(markdown_changes(diff(before, after), ref=ref, display=kb.display("")), nl=False)


def _note_errors(kb: Any, project: Project) -> None:
    errors = sum(d.is_error for d in _findings(kb, project))
    if errors:
        click.echo(f"kb audit: note: the content has {_count(errors, 'error')}, which a build "
                   "refuses (`kb check` lists them); topics with front matter errors are in "
                   "neither list", err=True)


# mv -------------------------------------------------------------------------------------------


@main.command()
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
    from kbtools.core.reading.loading import load
    from kbtools.core.authoring.move import MoveError, apply, plan_move

    project = _project(config_file)
    src = _locate(project, old)
    if src.is_dir:
        raise Fail(f"{old}: a folder; kb mv moves one topic at a time")
    dst = _locate(project, new, must_exist=False, markdown=False)
    if (project.content / dst.rel).is_dir():
        dst = Located(new, f"{dst.rel}/{src.rel.rsplit('/', 1)[-1]}".lstrip("/"), False)
    elif not dst.rel.endswith(".md"):
        raise Fail(f"{new}: not a Markdown topic (topics end in .md)")
    kb = load(project.content)
    if src.rel not in kb.topics:
        reasons = [d.message for d in kb.diagnostics if d.path == kb.display(src.rel)]
        raise Fail(f"{old}: not a topic that can be moved"
                   + (f" ({reasons[0]})" if reasons else ""), exit_code=1)
    try:
        move = plan_move(kb, src.rel, dst.rel)
    except MoveError as e:
        raise Fail(str(e), exit_code=1) from None
    verb = "would move" if dry_run else "moved"
    click.echo(f"{verb} {kb.display(move.old)} -> {kb.display(move.new)}")
    others = [p for p in move.changed if p != move.new]
    click.echo(f"{_count(move.links, 'link', zero=True)} and "
               f"{_count(move.related, 'related: entry', 'related: entries', zero=True)} "
               f"rewritten in {_count(len(others), 'other topic', zero=True)}, "
               f"{_count(move.own_links, 'link', zero=True)} in the moved topic; "
               f"`{move.old}` added to its aliases:")
    for path in others:
        click.echo(f"  {kb.display(path)}")
    for where in move.skipped:
        click.echo(f"kb mv: warning: could not rewrite the link at {kb.display(where)}; "
                   "edit it by hand", err=True)
    if dry_run:
        return
    try:
        staged = apply(kb, move)
    except MoveError as e:
        raise Fail(str(e), exit_code=1) from None
    if staged:
        click.echo("staged the move with git mv" + ("; the links rewritten in other topics are "
                                                    "not staged (`git diff` shows them)"
                                                    if others else ""))


# stale ----------------------------------------------------------------------------------------


@main.command()
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

    project = _project(config_file)
    today = as_of.date() if as_of else dt.date.today()
    kb = load(project.content)
    groups = find(kb, today)
    unread = sum(not t.valid for t in kb.topics.values()) + len(kb.unreadable)
    if unread:
        click.echo(f"kb stale: {_count(unread, 'topic')} with errors left out "
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
    click.echo(f"{_count(total, 'topic')} past the review date (as of {today.isoformat()}):")
    for owner, dues in groups.items():
        click.echo(f"\n{owner} ({len(dues)})")
        for d in dues:
            click.echo(f"  {d.path}  review_by {d.review_by.isoformat()} "
                       f"({d.days_over} {'day' if d.days_over == 1 else 'days'} ago)  "
                       f"{d.title}")


# codes and schema -------------------------------------------------------------------------------


@main.command()
@click.argument("code", required=False)
@click.option("--markdown", is_flag=True,
              help="Print the whole reference as Markdown (this is docs/diagnostics.md).")
def codes(code: str | None, markdown: bool) -> None:
    """Explain a diagnostic code, or list them all.

    \b
      kb codes            every code with its severity and meaning
      kb codes KB300      one code: what it means, an example, the fix
    """
    from kbtools.core.reports import codes_doc
    from kbtools.core.model.codes import CODES

    if markdown:
        click.echo(codes_doc.markdown(), nl=False)
        return
    if code:
        found = CODES.get(code.upper())
        if found is None:
            raise Fail(f"{code}: no such code; `kb codes` lists them")
        click.echo(codes_doc.entry(found, level=1).strip())
        return
    for c in CODES.values():
        click.echo(f"{c.id}  {c.severity.value:7}  {c.title}")


@main.command(short_help="Print the JSON Schema of the front matter or of --format json.")
@click.argument("which", type=click.Choice(["topic", "diagnostic"]), default="topic")
def schema(which: str) -> None:
    """Print a JSON Schema: topic (front matter, default) or diagnostic (--format json).

    schema/topic.schema.json and schema/diagnostic.schema.json are these, committed:

    \b
      kb schema topic > schema/topic.schema.json
    """
    from kbtools.core.reports.json_schema import SCHEMAS, dumps

    click.echo(dumps(SCHEMAS[which]()), nl=False)


if __name__ == "__main__":
    main()
