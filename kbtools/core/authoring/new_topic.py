"""`kb new`: a new topic with valid front matter, at a path made from its title."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from kbtools.core.model.dates import months_later
from kbtools.core.model.errors import ContentError
from kbtools.core.model.ids import next_ids
from kbtools.core.model.schema import AUDIENCES, VISIBILITIES
from kbtools.core.model.topics import KnowledgeBase
from kbtools.core.reading.markdown_scan import slugify
from kbtools.core.site.pages import is_reserved

MAX_SLUG = 60
_ID = re.compile(r"^(?P<prefix>[A-Za-z]+-)(?P<number>\d+)$")
_PLAIN = re.compile(r"^[A-Za-z0-9][\w ./-]*$")


class ScaffoldError(ContentError):
    """Why the topic was not written, in one line."""


@dataclass(frozen=True)
class NewTopic:
    """What `kb new` writes."""

    rel: str  # path relative to the content folder
    text: str


def slug(title: str) -> str:
    """A file name stem from a title: lowercase ASCII words joined by hyphens, at most 60 chars."""
    words = slugify(title).replace("_", "-").strip("-")
    words = re.sub(r"-{2,}", "-", words)
    if len(words) > MAX_SLUG:
        words = words[:MAX_SLUG + 1].rsplit("-", 1)[0]
    return words.strip("-")


def new_topic(kb: KnowledgeBase, title: str, *, audience: list[str], visibility: str,
              folder: str = "", owner: str | None = None, summary: str | None = None,
              tags: tuple[str, ...] | list[str] = (), today: dt.date | None = None) -> NewTopic:
    """The path and text of a new topic; raises ScaffoldError when it cannot be written."""
    title = " ".join(title.split())
    if not title:
        raise ScaffoldError("the title is empty")
    bad = [a for a in audience if a not in AUDIENCES]
    if not audience or bad:
        raise ScaffoldError(f"audience must be one or more of: {', '.join(AUDIENCES)}")
    if visibility not in VISIBILITIES:
        raise ScaffoldError(f"visibility must be one of: {', '.join(VISIBILITIES)}")
    if folder.startswith(("/", "\\")) or (len(folder) > 1 and folder[1] == ":"):
        raise ScaffoldError(f"--dir {folder}: give a folder inside the content folder, e.g. "
                            "`accounts-and-passwords`")
    folder = folder.rstrip("/")
    if folder and ("\\" in folder
                   or any(p in ("", ".", "..") or p.startswith(".") for p in folder.split("/"))):
        raise ScaffoldError(f"--dir {folder}: give a folder inside the content folder, e.g. "
                            "`accounts-and-passwords`")
    stem = slug(title)
    if not stem:
        raise ScaffoldError(f"cannot make a file name from the title {title!r}; use words")
    rel = f"{folder}/{stem}.md" if folder else f"{stem}.md"
    if is_reserved(rel):
        raise ScaffoldError(f"{rel} is the path of a generated page; reword the title")
    for path, topic in kb.topics.items():
        if rel in topic.aliases:
            raise ScaffoldError(f"{kb.display(rel)} is a former path of {kb.display(path)} "
                                "(its `aliases:`); reword the title")
    today = today or dt.date.today()
    lines = ["---", f"title: {json.dumps(title, ensure_ascii=False)}",
             f"audience: [{', '.join(a for a in AUDIENCES if a in audience)}]",
             f"visibility: {visibility}"]
    lines.append(f"summary: {json.dumps(summary, ensure_ascii=False)}" if summary else
                 "# summary: \"One sentence shown in listings and search results.\"")
    if tags:
        lines.append(f"tags: [{', '.join(_scalar(t) for t in tags)}]")
    free = next_ids(kb)
    next_id = free[0] if free else None
    if next_id:
        lines.append(f"id: {next_id}")
    if owner:
        lines.append(f"owner: {json.dumps(owner, ensure_ascii=False)}")
    lines += [f"updated: {today.isoformat()}",
              f"review_by: {months_later(today, 6).isoformat()}", "---", "",
              "<!-- Answer the question in the first sentence, then give the steps. -->", ""]
    return NewTopic(rel, "\n".join(lines))


def write(root: Path, topic: NewTopic, *, shown: str | None = None) -> Path:
    """Create the file; refuses to overwrite anything or to write outside ``root``."""
    shown = shown or topic.rel
    path = root / topic.rel
    if not path.parent.resolve().is_relative_to(root.resolve()):
        raise ScaffoldError(f"{shown}: its folder leads outside the content folder")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8", newline="\n") as f:
            f.write(topic.text)
    except FileExistsError:
        raise ScaffoldError(f"{shown} already exists; not overwritten") from None
    return path


def _scalar(value: str) -> str:
    # Plain when YAML reads it back as the same text, quoted otherwise (`yes`, `12`, `a, b`).
    if _PLAIN.match(value) and "," not in value and yaml.safe_load(value) == value:
        return value
    return json.dumps(value, ensure_ascii=False)
