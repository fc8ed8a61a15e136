"""Every finding a build reports, in one place, so `kb check` and the build cannot drift apart."""

from __future__ import annotations

from dataclasses import dataclass

from . import checks, pages, passages
from . import facts as contact_facts
from .diagnostics import Diagnostic
from .topics import KnowledgeBase


@dataclass
class Checked:
    """The content as the sites will render it, and everything wrong with it."""

    kb: KnowledgeBase  # placeholders replaced; public topics with passages carry a reading
    readings: passages.Readings
    findings: list[Diagnostic]


def check_content(kb: KnowledgeBase, facts: contact_facts.Facts, renderer: passages.Renderer,
                  *, members_url: str = "") -> Checked:
    """Expand the facts, have the renderer read every members passage, and run every check.

    The checks read what will be rendered (placeholders replaced); the facts check reads the
    topics as written (it looks for the placeholders themselves).
    """
    expanded = contact_facts.apply(kb, facts)
    readings = passages.read_all(expanded, renderer)
    found = set(checks.check(expanded, reserved=pages.RESERVED, members_url=members_url))
    found |= set(passages.check(expanded, readings))
    found |= set(contact_facts.check(kb, facts))
    return Checked(expanded, readings, sorted(found))
