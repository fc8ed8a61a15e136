"""Every finding a build reports, in one place, so `kb check` and the build cannot drift apart."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kbtools.core.checks import content as checks
from kbtools.core.checks import passages
from kbtools.core.model.diagnostics import Diagnostic
from kbtools.core.model.topics import KnowledgeBase
from kbtools.core.reading import facts as contact_facts
from kbtools.core.reading import named_links
from kbtools.core.site import labels, pages


@dataclass
class Checked:
    """The content as the sites will render it, and everything wrong with it."""

    kb: KnowledgeBase  # placeholders replaced; public topics with passages carry a reading
    readings: passages.Readings
    findings: list[Diagnostic]


def check_content(kb: KnowledgeBase, facts: contact_facts.Facts, renderer: passages.Renderer,
                  *, members_url: str = "", links: named_links.Links | None = None,
                  tag_labels: Mapping[str, str] | None = None,
                  cache: passages.ReadingCache | None = None, workers: int = 1) -> Checked:
    """Expand the facts, define the named links, label the tags, have the renderer read every
    members passage, and run every check.

    The checks read what will be rendered (placeholders replaced, links defined); the facts
    and links checks read the topics as written (they look for the names themselves).
    """
    links = links or named_links.Links({})
    expanded = contact_facts.apply(kb, facts)
    expanded = labels.apply(named_links.apply(expanded, links), tag_labels or {})
    # ``cache`` and ``workers``: see passages.read_all (the same readings, sooner).
    readings = passages.read_all(expanded, renderer, cache=cache, workers=workers)
    found = set(checks.check(expanded, reserved=pages.reserved_paths(kb.topics),
                             members_url=members_url))
    found |= set(passages.check(expanded, readings))
    found |= set(contact_facts.check(kb, facts))
    found |= set(named_links.check(kb, links))
    return Checked(expanded, readings, sorted(found))
