"""Pages generated from the content: the home page and one listing per audience, and the
parts every topic page gets around its answer (summary, dates, related topics).

They are Markdown like any topic, so the renderer treats them the same way; which topics
they mention comes from the site plan, so a public listing never names a members topic.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import posixpath
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from . import teaser as _teaser
from .facts import ContactLine
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

# The words generated pages and topic pages add around the content.
HEADLINE = "How can we help?"
INTRO = "Find answers about joining, signing in, your account and getting in touch."
WHO = "Who are you?"
FEATURED = "Most asked questions"
BY_SUBJECT = "Browse by subject"
CONTACT = "Contact us"
RELATED = "Related topics"
LAST_UPDATED = "Last updated"
NEXT_REVIEW = "Next review"
# Material's search takes lunr's query syntax: `+tags:publisher` keeps one audience's answers.
SEARCH_TIP = "To search only these answers, start your search with"
CHROME = (HEADLINE, INTRO, WHO, FEATURED, BY_SUBJECT, CONTACT, RELATED, LAST_UPDATED,
          NEXT_REVIEW, SEARCH_TIP, "I am a publisher", "I am an advertiser",
          "answers for publishers", "answers for advertisers", *_teaser.chrome())
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
# Listings would outrank the answers they list: search finds topics, not listings.
_NOT_SEARCHED = "search:\n  exclude: true\n"


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
             tag_listing: Callable[[str | None], str], contact: Sequence[ContactLine] = (),
             teaser: _teaser.Teaser | None = None) -> list[Generated]:
    """Every generated page of the site.

    ``tag_listing(tag)`` returns the renderer's listing of the topics with ``tag``
    (every tag when None). ``contact`` fills the home page's contact box; ``teaser`` says
    whether the public pages count the members topics they do not show.
    """
    teaser = teaser or _teaser.Teaser(enabled=False)
    pages = [Generated(HOME, _home(plan, site_name, subjects, contact, teaser))]
    for audience in AUDIENCES:
        pages.append(Generated(audience_page(audience),
                               _audience(plan, audience, subjects, teaser)))
    pages.append(Generated(TAGS, _front("All topics by tag", "Every topic, grouped by tag.",
                                        _NOT_SEARCHED)
                           + "\n" + tag_listing(None) + "\n"))
    return pages


def nav(plan: SitePlan, subjects: dict[str, str]) -> list[dict[str, object]]:
    """The site's navigation: home, the audience pages, one section per subject, tags.

    Only pages of ``plan`` are listed, so previous/next links stay within the site.
    """
    entries: list[dict[str, object]] = [{"Home": HOME}]
    entries += [{f"For {AUDIENCE_PLURALS[a]}": audience_page(a)} for a in AUDIENCES]
    for folder, group in by_subject(list(plan.topics.values())).items():
        paths = [t.path for t in group]
        if folder:
            entries.append({subject_title(folder, subjects): paths})
        else:
            entries += [{t.title: t.path} for t in group]
    entries.append({"All tags": TAGS})
    return entries


def topic_markdown(plan: SitePlan, topic: Topic) -> str:
    """The Markdown a topic page renders: summary and dates, the answer, related topics."""
    return topic_header(topic) + "\n" + plan.body(topic).strip("\n") + "\n" + \
        topic_footer(plan, topic)


def topic_header(topic: Topic) -> str:
    """The summary under the title, and when the topic was updated and is due for review."""
    out = []
    if topic.summary:
        out.append(f'<p class="kb-summary">{html.escape(topic.summary)}</p>\n')
    dates = []
    if topic.updated:
        dates.append(f"{LAST_UPDATED} {_time(topic.updated)}")
    review_by = topic.meta.get("review_by")
    if isinstance(review_by, dt.date):
        dates.append(f"{NEXT_REVIEW} {_time(review_by)}")
    if dates:
        out.append('<p class="kb-dates" data-search-exclude>' + " · ".join(
            f'<span class="kb-dates__item">{d}</span>' for d in dates) + "</p>\n")
    return "\n".join(out)


def topic_footer(plan: SitePlan, topic: Topic) -> str:
    """"Related topics": the ``related:`` entries this site shows (public: public ones only)."""
    related = plan.related(topic)
    if not related:
        return ""
    here = posixpath.dirname(topic.path)
    items = "".join(f"- [{_md_text(t.title)}]({posixpath.relpath(t.path, here or '.')})\n"
                    for t in related)
    return f"\n## {RELATED} {{ #kb-related data-search-exclude }}\n\n{items}"


def _front(title: str, description: str, extra: str = "") -> str:
    # JSON strings are valid YAML scalars and escape anything a title may contain.
    return (f"---\ntitle: {json.dumps(title)}\ndescription: {json.dumps(description)}\n"
            f"{extra}---\n")


def _link(from_page: str, topic: Topic) -> str:
    depth = from_page.count("/")
    return "../" * depth + topic.path


def _home(plan: SitePlan, site_name: str, subjects: dict[str, str],
          contact: Sequence[ContactLine], teaser: _teaser.Teaser) -> str:
    topics = list(plan.topics.values())
    groups = by_subject(topics)
    out = [_front(site_name, "Answers for CJ publishers and advertisers.",
                  "hide: [toc]\n" + _NOT_SEARCHED)]
    out.append(f"# {HEADLINE}\n\n{INTRO}\n{{ .kb-intro }}\n\n")
    out.append(f"## {WHO} {{ #who-are-you }}\n\n")
    out.append('<div class="grid cards kb-audiences" markdown>\n\n')
    for audience in AUDIENCES:
        mine = [t for t in topics if audience in t.audience]
        names = ", ".join(subject_title(f, subjects)
                          for f in by_subject(mine) if f)
        article = "an" if audience == "advertiser" else "a"
        out.append(f"-   [**I am {article} {audience}**]({audience_page(audience)})\n\n"
                   f"    {_count(len(mine), 'answer')} for {AUDIENCE_PLURALS[audience]}"
                   + (f": {names}" if names else "") + "\n\n")
    out.append("</div>\n\n")
    featured = [t for t in sorted(topics, key=lambda t: (t.subject, t.title.lower()))
                if t.meta.get("featured") is True]
    if featured:
        out.append(f"## {FEATURED} {{ #most-asked }}\n\n")
        out.extend(f"- [{_md_text(t.title)}]({_link(HOME, t)})\n" for t in featured)
        out.append("\n")
    out.append(f"## {BY_SUBJECT} {{ #by-subject }}\n")
    hidden = _teaser.hidden_counts(plan, set(groups))
    for folder, group in groups.items():
        out.append(f"\n### {_md_text(subject_title(folder, subjects))}\n\n")
        out.extend(f"- [{_md_text(t.title)}]({_link(HOME, t)})\n" for t in group)
        out.append(_teaser_md(hidden.get(folder, 0), teaser))
    out.append(_teaser_md(hidden.get(_teaser.OTHER, 0), teaser, other=True))
    out.append(contact_box(contact))
    return "".join(out)


def _audience(plan: SitePlan, audience: str, subjects: dict[str, str],
              teaser: _teaser.Teaser) -> str:
    label = AUDIENCE_PLURALS[audience]
    page = audience_page(audience)
    mine = [t for t in plan.topics.values() if audience in t.audience]
    groups = by_subject(mine)
    out = [_front(f"For {label}", f"Every topic for CJ {label}.", _NOT_SEARCHED),
           f"{len(mine)} topics answer questions {label} ask.\n\n",
           f"{SEARCH_TIP} `+tags:{audience}`.\n{{ .kb-search-tip }}\n"]
    hidden = _teaser.hidden_counts(plan, set(groups), audience=audience)
    for folder, group in groups.items():
        out.append(f"\n## {_md_text(subject_title(folder, subjects))}\n\n")
        for t in group:
            line = f"- [{_md_text(t.title)}]({_link(page, t)})"
            if t.summary:
                line += (f'<br>\n  <span class="kb-listing-summary">{_md_text(t.summary)}'
                         "</span>")
            out.append(line + "\n")
        out.append(_teaser_md(hidden.get(folder, 0), teaser))
    out.append(_teaser_md(hidden.get(_teaser.OTHER, 0), teaser, other=True))
    return "".join(out)


def contact_box(contact: Sequence[ContactLine]) -> str:
    """The home page's contact box: each line's name, phone number (a tel: link) and hours."""
    if not contact:
        return ""
    out = [f"\n## {CONTACT} {{ #contact }}\n\n", '<div class="kb-contact" markdown>\n\n']
    for c in contact:
        line = f"- **{_md_text(c.name)}**: [{_md_text(c.phone)}](tel:{c.tel})"
        if c.hours:
            line += f", {_md_text(c.hours)}"
        out.append(line + "\n")
    out.append("\n</div>\n")
    return "".join(out)


def _teaser_md(count: int, teaser: _teaser.Teaser, *, other: bool = False) -> str:
    text = _teaser.line(count, teaser, other=other)
    return "\n" + text if text else ""


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _time(day: dt.date) -> str:
    # English month names without the C library's locale.
    text = f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
    return f'<time datetime="{day.isoformat()}">{text}</time>'


def _md_text(text: str) -> str:
    # Titles are plain text; keep Markdown from reading them as syntax.
    for ch in "\\`*_[]>":
        text = text.replace(ch, "\\" + ch)
    return text.replace("<", "&lt;")  # Python-Markdown has no backslash escape for "<"
