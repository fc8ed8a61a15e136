"""Every diagnostic code kbtools emits, with what it means and how to fix it.

One table, used by the checks (so a code cannot be emitted without being documented),
by `kb explain`-style help and by the documentation in docs/diagnostics.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from kbtools.core.model.diagnostics import Diagnostic, Severity


@dataclass(frozen=True)
class Code:
    """A diagnostic code: its id, default severity, one-line meaning, example and fix."""

    id: str
    severity: Severity
    title: str
    example: str
    fix: str


_E = Severity.ERROR
_W = Severity.WARNING

CODES: dict[str, Code] = {
    c.id: c
    for c in (
        # Files
        Code("KB100", _E, "file cannot be read as UTF-8 text",
             "a topic saved with a byte order mark, in Latin-1, or a binary file named .md",
             "save the file as UTF-8 without a byte order mark"),
        Code("KB101", _E, "topic has no front matter",
             "a topic whose first line is not `---`",
             "start the file with `---`, the keys, and a closing `---`"),
        Code("KB102", _E, "front matter is not closed",
             "`---` on line 1 and no second `---` line",
             "add a line with `---` after the last key"),
        Code("KB103", _E, "front matter is not valid YAML",
             "`title: \"Reset` (quote never closed)",
             "fix the YAML at the line shown; quote values that contain `:` or `#`"),
        Code("KB104", _E, "a key appears twice in the front matter",
             "two `title:` lines",
             "keep one of them"),
        Code("KB105", _E, "unknown front matter key",
             "`audiences: [publisher]`",
             "use one of the documented keys (the hint names the closest one)"),
        Code("KB106", _E, "YAML tags, anchors and aliases are not allowed",
             "`tags: &t [a]` or `title: !!str 12`",
             "write the value out in full, quoted if needed"),
        Code("KB107", _E, "front matter value has the wrong type",
             "`tags: login` (a string where a list is expected)",
             "use the type the hint shows, e.g. `tags: [login]`"),
        Code("KB108", _E, "front matter value is not one of the allowed values",
             "`visibility: Public` or `audience: [publishers]`",
             "use one of the lowercase values listed in the message"),
        Code("KB109", _E, "required front matter key is missing",
             "a topic without `title:`",
             "add the key; `title` and `audience` are required"),
        Code("KB110", _E, "YAML 1.1 turned the value into something else",
             "`visibility: yes` (read as true), `updated: \"2026-11-01\"` (a string, not a date)",
             "write the value as the hint shows: quote text, leave dates unquoted"),
        Code("KB111", _E, "two topics have the same id",
             "`id: KB-0007` in two files",
             "give each topic its own id; ids are never reused"),
        Code("KB112", _E, "front matter value is empty",
             "`title: \"\"` or `audience: []`",
             "fill in the value"),
        Code("KB113", _E, "front matter is not a mapping of keys to values",
             "front matter that is a list or a single string",
             "write one `key: value` per line"),
        Code("KB114", _E, "file name cannot be published",
             "a file whose name is not valid UTF-8 (saved on a Latin-1 system) or holds a "
             "newline or another control character",
             "rename the file with letters, digits, `-` and `_`"),
        Code("KB115", _E, "HTML file has no <head>",
             "`content/forms/print.html` that is only `<p>…</p>`",
             "give the file `<head>` and `<body>`; the members site marks every page noindex "
             "in its head"),
        Code("KB120", _W, "members topic has no summary",
             "a members-only topic without `summary:`",
             "add a one-sentence `summary:`; it is shown in listings and search results"),
        Code("KB121", _W, "topic is past its review date",
             "`review_by: 2026-01-01` in a topic read later than that",
             "review the topic, then move `review_by` forward and set `updated`"),
        Code("KB122", _W, "topic has no visibility and is treated as members-only",
             "a topic without `visibility:`",
             "add `visibility: public` or `visibility: members`"),
        Code("KB123", _W, "topic was updated after its review date",
             "`updated: 2026-11-20` with `review_by: 2026-10-01`",
             "the review date was not moved on when the topic changed: set `review_by` to when "
             "the topic must next be reviewed"),
        Code("KB124", _E, "public topic has no summary",
             "`kb new ... --visibility public` published before `summary:` was written",
             "add a one-sentence `summary:`: the public site shows it in listings, search "
             "results and as the page's description, so a public page is not built without it"),
        Code("KB125", _E, "public topic has no answer",
             "a public topic whose body is empty, only comments, or only a members passage",
             "write the answer under the front matter (HTML comments and members passages do "
             "not count): the public site does not publish an empty page"),
        # Members passages
        Code("KB200", _E, "members block is not closed",
             "`/// members` with no closing `///`",
             "add a line with the same number of slashes (`///`) after the passage"),
        Code("KB201", _E, "a block line the renderer does not read as a block",
             "`/// member` (a typo), `/// Members`, `///\tmembers` (a tab), `/// | title`, "
             "a pasted no-break or zero-width space in the line",
             "write `/// members` (lowercase, a space after the slashes) or another known block; "
             "the renderer would show the line and the passage as public text"),
        Code("KB202", _E, "a callout named `members` that every reader sees",
             "`!!! members \"Members only\"`, `??? members`, or `<div class=\"members\">`",
             "write the passage between `/// members` and `///`: only that block is hidden"),
        Code("KB203", _E, "kbtools' check and the renderer read a members passage differently",
             "`    ///` indented four spaces (code, not the end of the passage), a `///` inside "
             "raw HTML, an indented line right after `/// members` (read as options)",
             "put each `///` line alone at the left margin (or the list item's indentation), "
             "outside code and raw HTML; the hint names the line"),
        Code("KB204", _E, "the Markdown renderer fails on the topic's blocks",
             "a `/// members` block opened inside a list item and closed outside it",
             "close each block inside the list item, quote or HTML block it starts in"),
        # Links
        Code("KB300", _E, "link target does not exist in this site",
             "`[reset](reset-pasword.md)`",
             "link an existing topic; the hint names the closest one"),
        Code("KB301", _E, "anchor does not exist on the target page",
             "`[steps](reset-password.md#step)` when the heading is `## Steps to reset`",
             "use the heading's anchor; the hint names the closest one"),
        Code("KB302", _E, "public content links to a members-only topic",
             "`[guides](../members-resources/web-services-guides.md)` in a public paragraph",
             "move the link into a `/// members` block, or link a public topic"),
        Code("KB303", _E, "anchor exists only inside a members passage",
             "a public link to `#signed-in-steps`, a heading inside `/// members`",
             "link a heading outside the members passage, or move the link into one"),
        Code("KB304", _E, "absolute link cannot be checked",
             "`[contact](/contact/client-support/)`",
             "link the Markdown file with a relative path, e.g. `../contact/client-support.md`"),
        Code("KB305", _E, "related: entry does not exist in this site",
             "`related: [accounts/missing.md]`",
             "list existing topics, as paths relative to content/"),
        Code("KB306", _E, "linked file or image does not exist",
             "`![screen](shot.png)` without shot.png",
             "add the file next to the topic or fix the path"),
        Code("KB307", _E, "path leaves the content folder",
             "`[x](../../README.md)` or a symlink to a file outside content/",
             "keep topics and their files inside content/"),
        Code("KB308", _E, "alias is already taken",
             "`aliases: [accounts/reset.md]` when that topic still exists, or in two topics",
             "remove the alias; an alias names a path no topic uses any more"),
        Code("KB309", _E, "file name is reserved for a generated page",
             "content/index.md or content/tags.md; a file `content/tags` (the tags page's "
             "folder) or `content/a/t` next to `a/t.md`; `content/sitemap.xml`",
             "rename the topic or file; the home page, listings, sitemap and search index are "
             "generated"),
        Code("KB310", _E, "two topics have the same address",
             "content/billing.md and content/billing/index.md (both `/billing/`)",
             "rename or move one of them"),
        # The built site and its audit
        Code("KB400", _E, "the kbtools plugin is not set up to build this site safely",
             "a configuration without `exclude_docs: '*'` or with an unknown site",
             "use the mkdocs.yml shipped with the project"),
        Code("KB401", _E, "refused to write a site into another site's folder",
             "`kb build --members -d site/public`, or a folder that holds something else",
             "build each site into its own folder (site/public, site/members); kbtools marks "
             "each output folder with the site it holds"),
        Code("KB402", _E, "the content has errors, so nothing was built",
             "`kb build` of a knowledge base where `kb check` reports an error",
             "fix each error listed above it (`kb check` lists them without building); the "
             "previous sites are unchanged"),
        Code("KB403", _E, "the audit found members-only content in the public build",
             "a public build whose output holds a members topic's title or URL",
             "the findings above it (KB500-KB506) say what and where; nothing was published "
             "and the previous site is kept"),
        Code("KB404", _E, "warnings in strict mode, so the site was not published",
             "`kb build --strict` when MkDocs or kbtools reported a warning",
             "fix the warnings listed above it, or build without --strict"),
        Code("KB405", _E, "the search index could not be built, so the site was not published",
             "the Pagefind binary of the `pagefind-bin` package missing or failing",
             "reinstall kbtools (`pip install -e .` installs `pagefind[bin]`); the message "
             "gives the indexer's own error"),
        Code("KB500", _E, "members-only text in the public site",
             "a members topic's title, heading, summary or sentence found in an output file",
             "report it: a guard failed; the build was refused and the previous site kept"),
        Code("KB501", _E, "members-only URL or file name in the public site",
             "a link or nav entry to a members topic, or a members image's file name",
             "report it: a guard failed; the build was refused and the previous site kept"),
        Code("KB502", _E, "members-only tag in the public site",
             "a tag used only by members topics in a tag listing or tags.json",
             "report it: a guard failed; the build was refused and the previous site kept"),
        Code("KB503", _E, "file in the public site that only members topics use",
             "an image referenced only by a members topic copied into the public site",
             "report it: a guard failed; the build was refused and the previous site kept"),
        Code("KB504", _E, "sitemap or search index lists a page that is not public",
             "a members URL in sitemap.xml or search/search_index.json",
             "report it: a guard failed; the build was refused and the previous site kept"),
        Code("KB505", _E, "page in the public site that is not a public page",
             "an HTML page whose path is not a public topic or a generated page",
             "report it: a guard failed; the build was refused and the previous site kept"),
        Code("KB506", _E, "file in the public site that the audit cannot read",
             "a search index file (pagefind/…) that is not the compressed JSON or CBOR the "
             "indexer writes",
             "report it: the audit reads every file it publishes; the build was refused"),
        # Single-sourced contact facts (mkdocs.yml `extra: facts:`)
        Code("KB600", _E, "placeholder names no contact fact",
             "`[[support.fone]]` when mkdocs.yml's `extra: facts:` has `support.phone`",
             "use one of the fact names in mkdocs.yml (the hint names the closest one)"),
        Code("KB601", _E, "topic hard-codes a phone number or hours that differ from the facts",
             "`call 1-800-555-0100` or `6am-6pm PST` when the facts say otherwise",
             "write the fact's placeholder, e.g. `[[support.phone]]`, instead of the value"),
        Code("KB602", _W, "topic hard-codes a contact fact instead of its placeholder",
             "`call 1-800-761-1072` written out",
             "write the placeholder the hint names, so a change in mkdocs.yml reaches this topic"),
        Code("KB603", _E, "a members-only fact in public text",
             "`[[partner_desk.phone]]` (a `visibility: members` group) in a public paragraph",
             "move it into a `/// members` passage, or use a public fact"),
        # Named links to pages outside the knowledge base (mkdocs.yml `extra: links:`)
        Code("KB610", _E, "reference link names no link in mkdocs.yml",
             "`[Login Help][login-hlep]` when `extra: links:` has `login-help`",
             "use one of the names in mkdocs.yml `extra: links:` (the hint names the closest), "
             "or add the page there"),
        Code("KB611", _W, "topic names a linked page in bold without linking it",
             "`Open the **Login Help** page.`: a dead end for the reader",
             "make it a link by name: `[Login Help][login-help]`"),
    )
}


def severity_of(code: str) -> Severity:
    """Default severity of a code; unknown codes are a programming error."""
    return CODES[code].severity


def finding(path: str, line: int, column: int, code: str, message: str,
            hint: str | None = None) -> Diagnostic:
    """A Diagnostic with its code's severity: the one way a check makes a finding."""
    return Diagnostic(path, line, column, code, message, hint, severity_of(code))
