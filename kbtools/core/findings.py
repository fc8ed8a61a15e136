"""Every finding a build reports, in one place, so `kb check` and the build cannot drift apart."""

from __future__ import annotations

from . import checks, pages
from . import facts as contact_facts
from .diagnostics import Diagnostic
from .topics import KnowledgeBase


def content_findings(kb: KnowledgeBase, facts: contact_facts.Facts) -> list[Diagnostic]:
    """The content checks for both sites (generated pages' paths reserved) and the facts check."""
    found = set(checks.check(kb, reserved=pages.RESERVED))
    found |= set(contact_facts.check(kb, facts))
    return sorted(found)
