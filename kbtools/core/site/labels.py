"""Tags as visitors read them: one human label per concept, from a table in mkdocs.yml.

Writers tag with short slugs (`user-settings`, `passwords`); `extra: tag_labels:` names each
one for readers ("User settings"). Several slugs may share a label (`password` and
`passwords`: "Passwords"), so one concept is one tag on every page, in search and in the tag
listing. Audience badges (Publisher, Advertiser) come from `audience:`; a content tag that
only repeats an audience (`publishers`) is dropped, so the tags page lists each audience once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from kbtools.core.model.errors import ContentError
from kbtools.core.model.schema import AUDIENCES
from kbtools.core.model.topics import KnowledgeBase, Topic

AUDIENCE_WORDS = frozenset({*AUDIENCES, *(a + "s" for a in AUDIENCES)})


class LabelsError(ContentError, ValueError):
    """The `extra: tag_labels:` mapping itself is wrong."""


def parse(data: Mapping[str, object] | None) -> dict[str, str]:
    """The label table: tag slug -> label."""
    if data is None:
        return {}
    table: dict[str, str] = {}
    if isinstance(data, Mapping):
        table = {k: v.strip() for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}
    if not isinstance(data, Mapping) or len(table) != len(data) or not all(table.values()):
        raise LabelsError("must map each tag to its label, e.g. `user-settings: User settings`")
    return table


def label(tag: str, table: Mapping[str, str]) -> str:
    """The label of ``tag``: from the table, or the slug made readable ("User settings")."""
    if tag in table:
        return table[tag]
    text = tag.replace("-", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def labels(tags: list[str], table: Mapping[str, str]) -> list[str]:
    """The labels of ``tags`` in order, each once, without ones that repeat an audience."""
    out: list[str] = []
    for tag in tags:
        text = label(tag, table)
        if text.lower() in AUDIENCE_WORDS or tag.lower() in AUDIENCE_WORDS:
            continue
        if text.lower() not in {t.lower() for t in out}:
            out.append(text)
    return out


def apply(kb: KnowledgeBase, table: Mapping[str, str]) -> KnowledgeBase:
    """A copy of ``kb`` whose topics carry the labels of their tags instead of the slugs."""
    topics = {path: _labelled(topic, table) for path, topic in kb.topics.items()}
    return dataclasses.replace(kb, topics=topics)


def _labelled(topic: Topic, table: Mapping[str, str]) -> Topic:
    if not topic.tags:
        return topic
    meta = dict(topic.meta)
    meta["tags"] = labels(topic.tags, table)
    return dataclasses.replace(topic, meta=meta)
