"""Every finding a build reports, in one place, so `kb check` and the build cannot drift apart."""

from __future__ import annotations

from . import checks, pages, passages
from . import facts as contact_facts
from .diagnostics import Diagnostic
from .topics import KnowledgeBase


def content_findings(kb: KnowledgeBase, facts: contact_facts.Facts,
                     readings: passages.Readings, *, members_url: str = "") -> list[Diagnostic]:
    """The content checks for both sites (generated pages' paths reserved), the members
    passages as the renderer read them (``readings``), and the facts check."""
    found = set(checks.check(kb, reserved=pages.RESERVED, members_url=members_url))
    found |= set(passages.check(kb, readings))
    found |= set(contact_facts.check(kb, facts))
    return sorted(found)
