"""`kb stale`: topics whose review date has passed, grouped by who owns them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kbtools.core.model.topics import KnowledgeBase

NO_OWNER = "(no owner)"


@dataclass(frozen=True)
class Due:
    """A topic past its ``review_by`` date."""

    path: str  # as shown to writers
    title: str
    owner: str
    review_by: dt.date
    days_over: int


def stale(kb: KnowledgeBase, today: dt.date) -> dict[str, list[Due]]:
    """Overdue topics by owner; owners in alphabetical order (no owner last), oldest first.

    The same rule as the KB121 warning of `kb check`: drafts and topics whose front matter
    has errors are left out.
    """
    groups: dict[str, list[Due]] = {}
    for path, topic in kb.topics.items():
        review_by = topic.review_by
        if not topic.valid or topic.is_draft or not review_by or review_by >= today:
            continue
        owner = topic.owner or NO_OWNER
        groups.setdefault(owner, []).append(
            Due(kb.display(path), topic.title, owner, review_by, (today - review_by).days))
    order = sorted(groups, key=lambda o: (o == NO_OWNER, o.lower()))
    return {o: sorted(groups[o], key=lambda d: (d.review_by, d.path)) for o in order}

