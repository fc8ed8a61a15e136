"""`kb audit`: the public surface of the knowledge base, and how a change alters it.

The public surface is what anonymous visitors can reach: every public page (topics and
generated pages) with its title and audience, the redirects left by `aliases:` and the files
public text uses. It is computed from the site plans, the same decisions the build applies.
Output is Markdown, so CI can paste it into a job summary and a reviewer can read it.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import tarfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kbtools.core.model.errors import UsageError
from kbtools.core.model.schema import AUDIENCE_PLURALS
from kbtools.core.model.topics import KnowledgeBase, Topic
from kbtools.core.reading import frontmatter
from kbtools.core.site import pages
from kbtools.core.site.plan import Site, plan, url_path


class SurfaceError(UsageError):
    """Why the surface could not be computed, in one line."""


@dataclass(frozen=True)
class Page:
    """One public page."""

    url: str  # site-relative path, starting with /
    title: str
    audience: tuple[str, ...]
    source: str  # content path, or "generated"
    fingerprint: str = ""  # changes when anything a visitor sees on the page changes
    parts: tuple[tuple[str, str], ...] = ()  # (aspect, digest) to say what changed


@dataclass
class Surface:
    """Everything public, and how many members-only topics each subject has."""

    pages: dict[str, Page] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)  # old URL -> new URL
    files: set[str] = field(default_factory=set)  # site-relative paths of public files
    members_by_subject: dict[str, int] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)  # content path -> public/members/...
    titles: dict[str, str] = field(default_factory=dict)  # content path -> title


def surface(kb: KnowledgeBase, *, prefix: str = "/", directory_urls: bool = True,
            site_name: str = "", subjects: dict[str, str] | None = None) -> Surface:
    """The public surface of ``kb``; ``prefix`` is the path part of site_url."""
    subjects = subjects or {}
    public = plan(kb, Site.PUBLIC)
    members = plan(kb, Site.MEMBERS)

    def url(path: str) -> str:
        return prefix + url_path(path, directory_urls=directory_urls)

    result = Surface()
    for generated in pages.generate(public, site_name=site_name, subjects=subjects):
        title, audience = _generated_meta(generated)
        result.pages[url(generated.path)] = Page(url(generated.path), title, audience,
                                                 "generated")
    for path, topic in sorted(public.topics.items()):
        parts = _parts(topic, public.related(topic))
        digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:16]
        result.pages[url(path)] = Page(url(path), topic.title, tuple(topic.audience), path,
                                       digest, parts)
    result.redirects = {url(old): url(new) for old, new in public.redirects().items()}
    result.files = {prefix + asset for asset in public.assets}
    counts = Counter(pages.subject_title(t.subject, subjects) if t.subject else "(top level)"
                     for p, t in members.topics.items() if p not in public.topics)
    result.members_by_subject = dict(sorted(counts.items()))
    for path, topic in kb.topics.items():
        result.status[path] = status(topic)
        result.titles[path] = topic.title
    return result


def status(topic: Topic) -> str:
    """Where a topic shows: public, members, draft (neither) or broken (neither)."""
    if not topic.valid:
        return "broken"
    if topic.is_draft:
        return "draft"
    return topic.visibility


def _parts(topic: Topic, related: list[Topic]) -> tuple[tuple[str, str], ...]:
    def h(value: object) -> str:
        return hashlib.sha256(repr(value).encode()).hexdigest()[:12]

    return (("title", h(topic.title)), ("audience", h(topic.audience)),
            ("summary", h(topic.summary)), ("tags", h(topic.tags)),
            ("text", h(topic.public_body().strip())),
            ("related", h([t.path for t in related])),
            ("updated", h(topic.updated)))


def _generated_meta(generated: pages.Generated) -> tuple[str, tuple[str, ...]]:
    parts, _ = frontmatter.split(generated.markdown, generated.path)
    title = ""
    if parts is not None:
        for line in parts.yaml_text.splitlines():
            if line.startswith("title: "):
                title = json.loads(line[len("title: "):])
    for audience, plural in AUDIENCE_PLURALS.items():
        if generated.path == f"for/{plural}.md":
            return title, (audience,)
    return title, ()


# Differences -------------------------------------------------------------------------------


@dataclass
class Changes:
    """How the public surface changed from one version of the content to another."""

    added: list[Page] = field(default_factory=list)
    removed: list[Page] = field(default_factory=list)
    changed: list[tuple[Page, Page, list[str]]] = field(default_factory=list)
    visibility: list[tuple[str, str, str]] = field(default_factory=list)  # path, was, now
    redirects_added: dict[str, str] = field(default_factory=dict)
    redirects_removed: dict[str, str] = field(default_factory=dict)
    files_added: list[str] = field(default_factory=list)
    files_removed: list[str] = field(default_factory=list)
    redirects_after: dict[str, str] = field(default_factory=dict)
    members_before: int = 0
    members_after: int = 0

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.visibility
                    or self.redirects_added or self.redirects_removed or self.files_added
                    or self.files_removed)


def diff(before: Surface, after: Surface) -> Changes:
    """What a reviewer needs to know about the change from ``before`` to ``after``."""
    out = Changes()
    out.added = [after.pages[u] for u in sorted(set(after.pages) - set(before.pages))]
    out.removed = [before.pages[u] for u in sorted(set(before.pages) - set(after.pages))]
    for u in sorted(set(before.pages) & set(after.pages)):
        old, new = before.pages[u], after.pages[u]
        what = [name for (name, a), (_, b) in zip(old.parts, new.parts, strict=False) if a != b]
        if old.title != new.title and "title" not in what:
            what.insert(0, "title")
        if what:
            out.changed.append((old, new, what))
    for path in sorted(set(before.status) | set(after.status)):
        was, now = before.status.get(path, "absent"), after.status.get(path, "absent")
        if was != now and "absent" not in (was, now):
            out.visibility.append((path, was, now))
    out.redirects_added = {k: v for k, v in after.redirects.items()
                           if before.redirects.get(k) != v}
    out.redirects_removed = {k: v for k, v in before.redirects.items()
                             if after.redirects.get(k) != v}
    out.redirects_after = dict(after.redirects)
    out.files_added = sorted(after.files - before.files)
    out.files_removed = sorted(before.files - after.files)
    out.members_before = sum(before.members_by_subject.values())
    out.members_after = sum(after.members_by_subject.values())
    return out


# Markdown ----------------------------------------------------------------------------------


def markdown(s: Surface, *, site_url: str = "", display: str = "content/") -> str:
    """The public surface as Markdown."""
    topics = sum(1 for p in s.pages.values() if p.source != "generated")
    members = sum(s.members_by_subject.values())
    out = ["# Public surface\n",
           f"{site_url + ' · ' if site_url else ''}{len(s.pages)} public pages "
           f"({topics} topics, {len(s.pages) - topics} generated), {members} members-only "
           f"{_plural(members, 'topic')}.\n",
           "## Public pages\n", "| URL | Title | Audience | Source |", "|---|---|---|---|"]
    for page in sorted(s.pages.values(), key=lambda p: p.url):
        source = "generated" if page.source == "generated" else f"`{display}{page.source}`"
        out.append(f"| `{page.url}` | {_cell(page.title)} | {_audience(page)} | {source} |")
    if s.redirects:
        out += ["", "## Redirects\n", "| From | To |", "|---|---|"]
        out += [f"| `{k}` | `{v}` |" for k, v in sorted(s.redirects.items())]
    if s.files:
        out += ["", "## Files\n"]
        out += [f"- `{f}`" for f in sorted(s.files)]
    out += ["", "## Members-only topics per subject\n"]
    if s.members_by_subject:
        out += ["| Subject | Members-only topics |", "|---|---:|"]
        out += [f"| {_cell(k)} | {v} |" for k, v in s.members_by_subject.items()]
    else:
        out.append("None.")
    return "\n".join(out) + "\n"


def markdown_changes(c: Changes, *, ref: str, display: str = "content/") -> str:
    """The change of the public surface as Markdown."""
    out = [f"# Public surface: changes since `{ref}`\n"]
    if not c:
        out.append("No change to the public surface.")
        if c.members_before != c.members_after:
            out.append(f"\nMembers-only topics: {c.members_before} → {c.members_after}.")
        return "\n".join(out) + "\n"
    summary = [f"{len(c.added)} added", f"{len(c.removed)} removed",
               f"{len(c.changed)} changed {_plural(len(c.changed), 'public page')}"]
    if c.visibility:
        summary.append(f"{len(c.visibility)} {_plural(len(c.visibility), 'topic')} changed "
                       "visibility")
    out.append(f"**{', '.join(summary)}.** Members-only topics: {c.members_before} → "
               f"{c.members_after}.\n")
    if c.visibility:
        out += ["## Visibility changed\n", "| Topic | Was | Now |", "|---|---|---|"]
        out += [f"| `{display}{path}` | {was} | **{now}** |" for path, was, now in c.visibility]
        out.append("")
    if c.added:
        out += ["## Added public pages\n", "| URL | Title | Audience |", "|---|---|---|"]
        out += [f"| `{p.url}` | {_cell(p.title)} | {_audience(p)} |" for p in c.added]
        out.append("")
    if c.removed:
        out += ["## Removed public pages\n", "| URL | Title | Audience | Now |",
                "|---|---|---|---|"]
        for p in c.removed:
            now = f"redirects to `{c.redirects_after[p.url]}`" if p.url in c.redirects_after \
                else "not found (404)"
            out.append(f"| `{p.url}` | {_cell(p.title)} | {_audience(p)} | {now} |")
        out.append("")
    if c.changed:
        out += ["## Changed public pages\n", "| URL | Title | What changed |", "|---|---|---|"]
        for old, new, what in c.changed:
            title = _cell(new.title) if old.title == new.title else \
                f"{_cell(old.title)} → {_cell(new.title)}"
            out.append(f"| `{new.url}` | {title} | {', '.join(what)} |")
        out.append("")
    for title, mapping in (("Redirects added", c.redirects_added),
                           ("Redirects removed", c.redirects_removed)):
        if mapping:
            out += [f"## {title}\n", "| From | To |", "|---|---|"]
            out += [f"| `{k}` | `{v}` |" for k, v in sorted(mapping.items())]
            out.append("")
    for title, files in (("Files added", c.files_added), ("Files removed", c.files_removed)):
        if files:
            out += [f"## {title}\n"] + [f"- `{f}`" for f in files] + [""]
    return "\n".join(out).rstrip("\n") + "\n"


def _audience(page: Page) -> str:
    return ", ".join(page.audience) if page.audience else "all"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|")


def _plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"


# The content at a git ref -------------------------------------------------------------------


def checkout_content(content: Path, ref: str, dest: Path) -> Path:
    """Extract ``content`` as it is at git ``ref`` into ``dest``; returns the folder.

    Reads the repository with `git archive`, never touching the work tree or the index.
    A ref where the content folder did not exist gives an empty folder.
    """
    where = content

    def git(*args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
        result = subprocess.run(["git", *args], cwd=where, capture_output=True, check=False)
        if check and result.returncode != 0:
            raise SurfaceError(f"git {args[0]} failed: "
                               f"{result.stderr.decode(errors='replace').strip()}")
        return result

    try:
        top = git("rev-parse", "--show-toplevel", check=False)
    except FileNotFoundError:
        raise SurfaceError("git is not installed") from None
    if top.returncode != 0:
        raise SurfaceError(f"{content} is not in a git repository")
    root = where = Path(os.fsdecode(top.stdout.strip())).resolve()  # pathspecs from the top
    rel = content.resolve().relative_to(root).as_posix() if content.resolve() != root else "."
    if ref.startswith("-") or git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}",
                                  check=False).returncode != 0:
        raise SurfaceError(f"`{ref}` is not a commit, branch or tag of this repository")
    out = dest / "content"
    out.mkdir(parents=True, exist_ok=True)
    listed = git("ls-tree", "--name-only", ref, "--", rel if rel != "." else "")
    if rel != "." and not listed.stdout.strip():
        return out
    archive = git("archive", "--format=tar", ref, "--", rel)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(dest / "tree", filter=_safe)
    extracted = dest / "tree" / rel
    return extracted if extracted.is_dir() else out


def _safe(member: tarfile.TarInfo, path: str) -> tarfile.TarInfo | None:
    # Skip what tarfile's "data" filter refuses (links leaving the folder) instead of failing.
    try:
        return tarfile.data_filter(member, path)
    except tarfile.FilterError:
        return None
