"""The members teaser: how many answers the public site does not show, and nothing else.

The public home, audience and subject pages say, per subject, "3 more answers are available
to members — sign in". A teaser states a count only: never a title, slug, tag or summary. A
subject that has no public topic is not named; its members topics are counted in one line
for "other subjects". "sign in" leads to the members page of the same subject (or, on a
public topic that has members passages, of the same topic): a page the public site shows
too, so the link names nothing the public site does not; otherwise to the members home.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass

from kbtools.core.site.plan import Site, SitePlan, plan, url_path

TOPIC_MORE = "Members see more of this answer"
OTHER = ""  # the subject key for members topics in subjects the page does not list

# The one shape a teaser has in the HTML: the count is the only part that varies.
PATTERN = re.compile(r'<p class="kb-teaser" data-search-exclude>(?:<span class="kb-teaser__count">'
                     r'\d+</span> more answers? (?:is|are) available to members(?: in other '
                     r'subjects)?|' + re.escape(TOPIC_MORE) + r') — <a href="[^"<>]*">sign in</a>'
                     r'</p>')


@dataclass(frozen=True)
class Teaser:
    """Whether the teaser is shown, and where "sign in" leads."""

    enabled: bool = True
    sign_in_url: str = "/members/"
    directory_urls: bool = True


def members_url(teaser: Teaser, path: str) -> str:
    """The members site's address of the page for content path ``path`` ("" for its home)."""
    base = teaser.sign_in_url if teaser.sign_in_url.endswith("/") else teaser.sign_in_url + "/"
    if not path:
        return teaser.sign_in_url
    return base + url_path(path, directory_urls=teaser.directory_urls)


def hidden_counts(site: SitePlan, shown_subjects: set[str], *,
                  audience: str | None = None) -> Counter[str]:
    """Members topics ``site`` (public) does not show, by subject, for ``audience`` if given.

    Subjects not in ``shown_subjects`` are counted under :data:`OTHER`. Empty for a members
    site: it shows everything.
    """
    if not site.is_public:
        return Counter()
    members = site.members_plan()
    counts: Counter[str] = Counter()
    for path, topic in members.topics.items():
        if path in site.topics or (audience and audience not in topic.audience):
            continue
        counts[topic.subject if topic.subject in shown_subjects else OTHER] += 1
    return counts


def line(count: int, teaser: Teaser, *, other: bool = False, url: str | None = None) -> str:
    """The teaser as an HTML paragraph (Markdown passes it through), or "" for none.

    Kept out of the search index, so a search never matches the teaser instead of an answer.
    """
    if not teaser.enabled or count <= 0:
        return ""
    noun, verb = ("answer", "is") if count == 1 else ("answers", "are")
    where = " in other subjects" if other else ""
    href = html.escape(url or teaser.sign_in_url, quote=True)
    return (f'<p class="kb-teaser" data-search-exclude><span class="kb-teaser__count">{count}'
            f'</span> more {noun} {verb} available to members{where} — '
            f'<a href="{href}">sign in</a></p>\n')


def topic_line(teaser: Teaser, url: str) -> str:
    """The teaser of a public topic whose members passages the public site leaves out."""
    if not teaser.enabled:
        return ""
    return (f'<p class="kb-teaser" data-search-exclude>{TOPIC_MORE} — '
            f'<a href="{html.escape(url, quote=True)}">sign in</a></p>\n')


def chrome() -> list[str]:
    """The teaser's fixed words, for the audit's list of text the public site shows anyway."""
    return ["more answer is available to members in other subjects sign in",
            "more answers are available to members in other subjects sign in",
            f"{TOPIC_MORE} sign in"]
