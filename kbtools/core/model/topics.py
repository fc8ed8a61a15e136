"""The knowledge base as data: topics, the files next to them, and where they came from."""

from __future__ import annotations

import datetime as dt
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from kbtools.core.model import memo
from kbtools.core.model.diagnostics import Diagnostic
from kbtools.core.reading.markdown_scan import Scan, scan, without_members

if TYPE_CHECKING:
    from kbtools.core.checks.passages import Reading

_T = TypeVar("_T")


@dataclass
class Topic:
    """One Markdown topic: its front matter, its body and what the body contains."""

    path: str  # relative to the content folder, with forward slashes
    meta: dict[str, Any]
    meta_lines: dict[str, int]
    body: str
    body_first_line: int
    valid: bool  # front matter parsed without errors
    _scan: Scan | None = field(default=None, repr=False)
    # The renderer's reading of the topic's members passages (kbtools/core/checks/passages.py), for
    # a public topic that has a block; None otherwise.
    reading: Reading | None = field(default=None, repr=False)

    @property
    def title(self) -> str:
        return str(self.meta.get("title") or self.slug.rsplit("/", 1)[-1].replace("-", " "))

    @property
    def slug(self) -> str:
        """The path without `.md`: what the page's URL is made of."""
        return self.path[: -len(".md")]

    @property
    def subject(self) -> str:
        """The folder the topic lives in (empty for a topic at the top)."""
        return posixpath.dirname(self.path)

    @property
    def visibility(self) -> str:
        # Fail closed: no (valid) visibility means members-only.
        return "public" if self.meta.get("visibility") == "public" else "members"

    @property
    def is_public(self) -> bool:
        return self.visibility == "public" and not self.is_draft

    @property
    def is_draft(self) -> bool:
        return self.meta.get("draft") is True

    @property
    def audience(self) -> list[str]:
        return list(self.meta.get("audience") or [])

    @property
    def tags(self) -> list[str]:
        return list(self.meta.get("tags") or [])

    @property
    def summary(self) -> str | None:
        return self._typed("summary", str)

    @property
    def updated(self) -> dt.date | None:
        return self._typed("updated", dt.date)

    @property
    def review_by(self) -> dt.date | None:
        return self._typed("review_by", dt.date)

    @property
    def id(self) -> str | None:
        return self._typed("id", str)

    @property
    def owner(self) -> str | None:
        return self._typed("owner", str) or None

    @property
    def aliases(self) -> list[str]:
        """Old paths of this topic (relative to the content folder) that redirect to it."""
        return list(self.meta.get("aliases") or [])

    @property
    def related(self) -> list[str]:
        """Paths of the topics this one lists under "Related"."""
        return list(self.meta.get("related") or [])

    @property
    def featured(self) -> bool:
        """Whether the home page lists it among the most asked questions."""
        return self.meta.get("featured") is True

    def _typed(self, key: str, kind: type[_T]) -> _T | None:
        # The value of a front matter key, if it has the schema's type (a topic with front
        # matter errors still has a path and a body; its other values count as missing).
        value = self.meta.get(key)
        return value if isinstance(value, kind) else None

    def scan(self) -> Scan:
        """The body's structure as kbtools' scanner reads it (checked against the renderer
        for every topic with a members passage, see kbtools/core/checks/passages.py)."""
        if self._scan is None:
            # The same body scans the same (the preview's rebuilds, kbtools/core/model/memo.py).
            self._scan = memo.cached(("scan", self.body, self.body_first_line),
                                     lambda: scan(self.body, self.body_first_line))
        return self._scan

    @property
    def has_blocks(self) -> bool:
        """Whether the body may hold a pymdown block (a members passage needs `///`)."""
        return "///" in self.body

    def public_body(self) -> str:
        """The body with every members passage blanked out as the scanner reads it (line
        numbers kept). Reports use it; the public site is rendered from the whole body."""
        blocks = self.scan().members_blocks
        if not blocks:
            return self.body
        return without_members(self.body, blocks, self.body_first_line)


@dataclass
class KnowledgeBase:
    """Every topic and file under the content folder, and what was wrong reading them."""

    root: Path
    topics: dict[str, Topic] = field(default_factory=dict)
    assets: set[str] = field(default_factory=set)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    display_prefix: str = ""
    # Topic files that could not be read at all (not UTF-8, binary, empty): reported once
    # where they are, and not again as "does not exist" wherever they are linked.
    unreadable: set[str] = field(default_factory=set)

    def has_errors(self, path: str) -> bool:
        """Whether ``path`` is a topic file whose own problems are already reported."""
        topic = self.topics.get(path)
        return path in self.unreadable or (topic is not None and not topic.valid)

    def display(self, path: str) -> str:
        """How a content path is shown to writers (relative to where they run commands)."""
        return self.display_prefix + path
