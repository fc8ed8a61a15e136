"""Pages generated from the content: the home page and one listing per audience.

They are Markdown like any topic, so the renderer treats them the same way; which topics
they mention comes from the site plan, so a public listing never names a members topic.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from .schema import AUDIENCES
from .sites import SitePlan
from .topics import Topic

AUDIENCE_LABELS = {"publisher": "Publisher", "advertiser": "Advertiser"}
AUDIENCE_PLURALS = {"publisher": "publishers", "advertiser": "advertisers"}
HOME = "index.md"
TAGS = "tags.md"


def audience_page(audience: str) -> str:
    """Path of the listing page for ``audience``."""
    return f"for/{AUDIENCE_PLURALS[audience]}.md"


RESERVED = frozenset({HOME, TAGS, *(audience_page(a) for a in AUDIENCES)})


@dataclass(frozen=True)
class Generated:
    """A generated page: where it goes and its Markdown."""

    path: str
    markdown: str


def subject_title(folder: str, names: dict[str, str]) -> str:
    """The display name of a subject folder: configured, or derived from the folder name."""
    if folder in names:
        return names[folder]
    text = folder.rsplit("/", 1)[-1].replace("-", " ").replace("_", " ")
    return text[:1].upper() + text[1:]


def by_subject(topics: list[Topic]) -> dict[str, list[Topic]]:
    """Topics grouped by folder, folders and topics in a stable order."""
    groups: dict[str, list[Topic]] = defaultdict(list)
    for topic in sorted(topics, key=lambda t: (t.subject, t.title.lower())):
        groups[topic.subject].append(topic)
    return dict(groups)


def generate(plan: SitePlan, *, site_name: str, subjects: dict[str, str],
             tag_listing: Callable[[str | None], str]) -> list[Generated]:
    """Every generated page of the site.

    ``tag_listing(tag)`` returns the renderer's listing of the topics with ``tag``
    (every tag when None).
    """
    pages = [Generated(HOME, _home(plan, site_name, subjects))]
    for audience in AUDIENCES:
        pages.append(Generated(audience_page(audience), _audience(plan, audience, tag_listing)))
    pages.append(Generated(TAGS, _front("All topics by tag", "Every topic, grouped by tag.")
                           + "\n" + tag_listing(None) + "\n"))
    return pages


def _front(title: str, description: str, extra: str = "") -> str:
    # JSON strings are valid YAML scalars and escape anything a title may contain.
    return (f"---\ntitle: {json.dumps(title)}\ndescription: {json.dumps(description)}\n"
            f"{extra}---\n")


def _link(from_page: str, topic: Topic) -> str:
    depth = from_page.count("/")
    return "../" * depth + topic.path


def _home(plan: SitePlan, site_name: str, subjects: dict[str, str]) -> str:
    topics = list(plan.topics.values())
    out = [_front(site_name, "Answers for CJ publishers and advertisers.", "hide: [toc]\n")]
    out.append("Find answers about joining, signing in, your account and getting in touch.\n")
    out.append("## Who are you?\n")
    for audience in AUDIENCES:
        count = sum(1 for t in topics if audience in t.audience)
        out.append(f"- [I am {('an' if audience == 'advertiser' else 'a')} {audience}]"
                   f"({audience_page(audience)}): {count} topics\n")
    out.append("\n## Topics by subject\n")
    for folder, group in by_subject(topics).items():
        out.append(f"\n### {subject_title(folder, subjects)}\n\n")
        out.extend(f"- [{_md_text(t.title)}]({_link(HOME, t)})\n" for t in group)
    return "".join(out)


def _audience(plan: SitePlan, audience: str, tag_listing: Callable[[str | None], str]) -> str:
    label = AUDIENCE_PLURALS[audience]
    count = sum(1 for t in plan.topics.values() if audience in t.audience)
    return (_front(f"For {label}", f"Every topic for CJ {label}.")
            + f"{count} topics answer questions {label} ask.\n\n"
            + tag_listing(AUDIENCE_LABELS[audience]) + "\n")


def _md_text(text: str) -> str:
    # Titles are plain text; keep Markdown from reading them as syntax.
    for ch in "\\`*_[]<>":
        text = text.replace(ch, "\\" + ch)
    return text
