"""Pages generated from the content: the home page and one listing per audience, and the
parts every topic page gets around its answer (summary, dates, related topics).

They are Markdown like any topic, so the renderer treats them the same way; which topics
they mention comes from the site plan, so a public listing never names a members topic.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
import posixpath
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from kbtools.core.model.schema import AUDIENCE_LABELS, AUDIENCE_PLURALS, AUDIENCES
from kbtools.core.model.topics import Topic
from kbtools.core.reading.facts import ContactLine
from kbtools.core.site import teaser as _teaser
from kbtools.core.site.plan import SitePlan

AUDIENCE_ICONS = {"publisher": "material/web", "advertiser": "material/storefront-outline"}
HOME = "index.md"
TAGS = "tags.md"
TAGS_FOLDER = "tags/"  # one page per tag: tags/<slug>.md
# A listing page shows at most this many answers; a longer one continues on page-2/, page-3/…
LISTING_LIMIT = 50
# On an audience page too long to list every answer: each subject's first few.
AUDIENCE_EXAMPLES = 3
SUBJECT_INDEX = "index.md"  # the generated page of each subject folder
DEFAULT_ICON = "material/folder-question-outline"


def audience_page(audience: str) -> str:
    """Path of the listing page for ``audience``."""
    return f"for/{AUDIENCE_PLURALS[audience]}.md"


def subject_page(folder: str) -> str:
    """Path of the generated page of subject ``folder`` ("" is the top level: no page)."""
    return f"{folder}/{SUBJECT_INDEX}"


def has_subject_page(plan: SitePlan, folder: str) -> bool:
    """Whether subject ``folder`` gets a page: not the top level, and not a folder whose
    address a topic already has (``billing/invoices.md`` is the page ``billing/invoices/``).
    Decided from every topic, so both sites agree."""
    return bool(folder) and f"{folder}.md" not in plan.kb.topics


RESERVED = frozenset({HOME, TAGS, *(audience_page(a) for a in AUDIENCES)})


_PAGE_N = re.compile(r"page-\d+")


def is_reserved(path: str) -> bool:
    """Whether ``path`` is taken by a generated page: home, tags (and ``tags/…``, the tag
    pages), audience or subject pages, and ``page-2``, ``page-3``… of a long listing."""
    parts = path.removesuffix(".md").split("/")
    return (path in RESERVED or posixpath.basename(path) == SUBJECT_INDEX
            or path.startswith(TAGS_FOLDER) or any(_PAGE_N.fullmatch(p) for p in parts))


def reserved_paths(paths: Iterable[str]) -> set[str]:
    """The paths among ``paths`` a generated page takes (for the reserved-path check)."""
    return {p for p in paths if is_reserved(p)} | set(RESERVED)


# The words generated pages and topic pages add around the content.
HEADLINE = "How can we help?"
INTRO = "Find answers about joining, signing in, your account and getting in touch."
SEARCH_LABEL = "Search the answers"
SEARCH_PLACEHOLDER = "Search, e.g. reset password"
SEARCH_BUTTON = "Search"
WHO = "Who are you?"
FEATURED = "Most asked questions"
BY_SUBJECT = "Browse by subject"
CONTACT = "Contact us"
RELATED = "Related topics"
LAST_UPDATED = "Last updated"
TAGS_TITLE = "Topics by tag"
TAGS_INTRO = "Every tag, and how many answers have it."
FOR_BOTH = "For publishers and advertisers"
IN_THIS_SUBJECT = "All answers in this subject"
PAGER_LABEL = "Pages of this list"
PREVIOUS_PAGE = "Previous page"
NEXT_PAGE = "Next page"
CONTINUED = "continued"
TAGGED = "Answers tagged"
ALL_ABOUT = "All answers about"
CHROME = (HEADLINE, INTRO, SEARCH_LABEL, SEARCH_PLACEHOLDER, SEARCH_BUTTON, WHO, FEATURED,
          BY_SUBJECT, CONTACT, RELATED, LAST_UPDATED, TAGS_TITLE, TAGS_INTRO, FOR_BOTH,
          IN_THIS_SUBJECT, PAGER_LABEL, PREVIOUS_PAGE, NEXT_PAGE, CONTINUED, TAGGED, ALL_ABOUT,
          "Page", "of", "I am a publisher", "I am an advertiser", "For publishers",
          "For advertisers", "answers for publishers", "answers for advertisers",
          "answer", "answers", *_teaser.chrome())
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
# Listings would outrank the answers they list: search finds topics, not listings.
_NOT_SEARCHED = "search:\n  exclude: true\n"


@dataclass(frozen=True)
class Generated:
    """A generated page: where it goes and its Markdown; ``in_nav`` False for the further
    pages of a long listing and the tag pages (reached from their listing, not the sidebar)."""

    path: str
    markdown: str
    in_nav: bool = True


@dataclass(frozen=True)
class Subject:
    """How a subject folder is shown: its name, icon and a sentence about it."""

    title: str
    icon: str = DEFAULT_ICON
    description: str = ""


def subject(folder: str, names: Mapping[str, object]) -> Subject:
    """The subject of ``folder`` as configured (`subjects:` takes a name, or a mapping with
    `title`, `icon` and `description`), else derived from the folder name."""
    given = names.get(folder)
    if isinstance(given, Mapping):
        title = str(given.get("title") or "") or _folder_title(folder)
        return Subject(title, str(given.get("icon") or DEFAULT_ICON),
                       str(given.get("description") or ""))
    if isinstance(given, str) and given:
        return Subject(given)
    return Subject(_folder_title(folder))


def subject_title(folder: str, names: Mapping[str, object]) -> str:
    """The display name of a subject folder: configured, or derived from the folder name."""
    return subject(folder, names).title


def _folder_title(folder: str) -> str:
    text = folder.rsplit("/", 1)[-1].replace("-", " ").replace("_", " ")
    return text[:1].upper() + text[1:]


def by_subject(topics: list[Topic]) -> dict[str, list[Topic]]:
    """Topics grouped by folder, folders and topics in a stable order."""
    groups: dict[str, list[Topic]] = defaultdict(list)
    for topic in sorted(topics, key=lambda t: (t.subject, t.title.lower())):
        groups[topic.subject].append(topic)
    return dict(groups)


def generate(plan: SitePlan, *, site_name: str, subjects: Mapping[str, object],
             contact: Sequence[ContactLine] = (), teaser: _teaser.Teaser | None = None,
             icon: Callable[[str], str] = lambda name: "") -> list[Generated]:
    """Every generated page of the site.

    ``contact`` fills the home page's contact box; ``teaser`` says whether the public pages
    count the members topics they do not show; ``icon(name)`` is the inline SVG of a theme
    icon such as ``material/web`` ("" for none). Listings longer than LISTING_LIMIT continue
    on further pages (``page-2/``…), so no page grows with the knowledge base.
    """
    teaser = teaser or _teaser.Teaser(enabled=False)
    pages = [Generated(HOME, _home(plan, site_name, subjects, contact, teaser, icon))]
    for audience in AUDIENCES:
        pages += _audience(plan, audience, subjects, teaser)
    for folder, group in by_subject(list(plan.topics.values())).items():
        if has_subject_page(plan, folder):
            pages += _subject(plan, folder, group, subjects, teaser)
    pages += _tags(plan, subjects)
    return pages


def tag_pages(plan: SitePlan) -> dict[str, str]:
    """Each tag the site's topics show -> the path of its page (``tags/<slug>.md``); the
    audiences' badges lead to the audience pages. Slugs are unique and stable (in the order
    of the tags' names)."""
    out = {AUDIENCE_LABELS[a]: audience_page(a) for a in AUDIENCES}
    taken: set[str] = set()
    for tag in sorted({t for topic in plan.topics.values() for t in shown_tags(topic)},
                      key=lambda t: (t.lower(), t)):
        base = _slug(tag) or "tag"
        if _PAGE_N.fullmatch(base):
            base += "-tag"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        out[tag] = f"{TAGS_FOLDER}{slug}.md"
    return out


def shown_tags(topic: Topic) -> list[str]:
    """The tags a topic's page shows besides its audiences (a tag naming an audience is
    the audience's badge)."""
    audiences = {AUDIENCE_LABELS[a].lower() for a in topic.audience}
    return [t for t in topic.tags if t.lower() not in audiences
            and t.lower() not in {v.lower() for v in AUDIENCE_LABELS.values()}]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def nav(plan: SitePlan, subjects: Mapping[str, object]) -> list[dict[str, object]]:
    """The site's navigation: home, the audience pages, one section per subject (its page
    first, so Material makes it the section's own page), tags.

    Only pages of ``plan`` are listed, so previous/next links stay within the site.
    """
    entries: list[dict[str, object]] = [{"Home": HOME}]
    entries += [{f"For {AUDIENCE_PLURALS[a]}": audience_page(a)} for a in AUDIENCES]
    for folder, group in by_subject(list(plan.topics.values())).items():
        paths = [t.path for t in group]
        if has_subject_page(plan, folder):
            entries.append({subject_title(folder, subjects): [subject_page(folder), *paths]})
        elif folder:
            entries.append({subject_title(folder, subjects): paths})
        else:
            entries += [{t.title: t.path} for t in group]
    entries.append({TAGS_TITLE: TAGS})
    return entries


def same_subject(a: str, b: str) -> bool:
    """Whether pages ``a`` and ``b`` (content paths) belong to one subject folder; previous
    and next links stay within a subject."""
    if a in RESERVED or b in RESERVED:
        return False
    return posixpath.dirname(a) == posixpath.dirname(b) != ""


def topic_markdown(plan: SitePlan, topic: Topic, *, contact: Sequence[ContactLine] = (),
                   teaser: _teaser.Teaser | None = None) -> str:
    """The Markdown a topic page renders: summary and date, the answer (phone numbers as
    ``tel:`` links), the members teaser of a public topic that has members passages, related
    topics."""
    body = tel_links(plan.body(topic).strip("\n"), contact)
    more = ""
    if teaser is not None and plan.is_public and topic.public_body() != topic.body:
        more = "\n" + _teaser.topic_line(teaser, _teaser.members_url(teaser, topic.path))
    return topic_header(topic) + "\n" + body + "\n" + more + topic_footer(plan, topic)


def topic_header(topic: Topic) -> str:
    """The summary under the title, and when the topic was last updated.

    The review date is for writers (`kb stale`, the page source), not for visitors.
    """
    out = []
    if topic.summary:
        out.append(f'<p class="kb-summary">{html.escape(topic.summary)}</p>\n')
    if topic.updated:
        out.append('<p class="kb-dates" data-search-exclude><span class="kb-dates__item">'
                   f"{LAST_UPDATED} {_time(topic.updated)}</span></p>\n")
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


# Code spans and fenced blocks: numbers in them stay as written.
_CODE = re.compile(r"(^(?:```|~~~).*?^(?:```|~~~)[^\n]*$|`[^`\n]*`)", re.M | re.S)


def tel_links(markdown: str, contact: Sequence[ContactLine]) -> str:
    """``markdown`` with each contact phone number written as a ``tel:`` link that does not
    wrap (class ``kb-tel``); code is left as written."""
    if not contact:
        return markdown
    numbers = {c.phone: c.tel for c in contact if c.phone}
    # A number already in a link (`[` or `(` before it, `]` after) or in a word is left alone.
    pattern = re.compile(r"(?<![\w\[(/+-])(" + "|".join(re.escape(n) for n in sorted(
        numbers, key=len, reverse=True)) + r")(?![\w\]-])")
    parts = _CODE.split(markdown)
    for i in range(0, len(parts), 2):  # even parts are outside code
        parts[i] = pattern.sub(lambda m: f"[{m.group(1)}](tel:{numbers[m.group(1)]})"
                               "{ .kb-tel }", parts[i])
    return "".join(parts)


def _front(title: str, description: str, extra: str = "") -> str:
    # JSON strings are valid YAML scalars and escape anything a title may contain.
    return (f"---\ntitle: {json.dumps(title)}\ndescription: {json.dumps(description)}\n"
            f"{extra}---\n")


def _link(from_page: str, topic: Topic) -> str:
    depth = from_page.count("/")
    return "../" * depth + topic.path


def _home(plan: SitePlan, site_name: str, subjects: Mapping[str, object],
          contact: Sequence[ContactLine], teaser: _teaser.Teaser,
          icon: Callable[[str], str]) -> str:
    topics = list(plan.topics.values())
    groups = by_subject(topics)
    out = [_front(site_name, "Answers for publishers and advertisers.",
                  "hide: [toc, navigation, path]\n" + _NOT_SEARCHED)]
    out.append('<div class="kb-hero" markdown>\n\n'
               f"# {HEADLINE}\n\n{INTRO}\n{{ .kb-intro }}\n\n"
               # Material opens its search with ?q=; the script opens it as the visitor types.
               '<form class="kb-hero-search" role="search" action="." method="get">'
               f'<label class="kb-hero-search__label" for="kb-q">{SEARCH_LABEL}</label>'
               f'<input class="kb-hero-search__input" id="kb-q" name="q" type="search" '
               f'placeholder="{SEARCH_PLACEHOLDER}" autocomplete="off" spellcheck="false">'
               f'<button class="md-button md-button--primary kb-hero-search__button" '
               f'type="submit">{SEARCH_BUTTON}</button></form>\n\n</div>\n\n')
    out.append(f"## {WHO} {{ #who-are-you }}\n\n")
    out.append('<div class="kb-cards kb-cards--audiences" markdown>\n\n')
    for audience in AUDIENCES:
        mine = [t for t in topics if audience in t.audience]
        article = "an" if audience == "advertiser" else "a"
        out.append(_card(icon(AUDIENCE_ICONS[audience]), f"I am {article} {audience}",
                         audience_page(audience),
                         f"{_count(len(mine), 'answer')} for {AUDIENCE_PLURALS[audience]}"))
    out.append("</div>\n\n")
    featured = [t for t in sorted(topics, key=lambda t: (t.subject, t.title.lower()))
                if t.featured]
    if featured:
        out.append(f"## {FEATURED} {{ #most-asked }}\n\n")
        out.append('<div class="kb-most-asked" markdown>\n\n')
        out.extend(f"- [{_md_text(t.title)}]({_link(HOME, t)})\n" for t in featured)
        out.append("\n</div>\n\n")
    out.append(f"## {BY_SUBJECT} {{ #by-subject }}\n\n")
    out.append('<div class="kb-cards kb-cards--subjects" markdown>\n\n')
    loose = groups.pop("", [])
    for folder, group in groups.items():
        info = subject(folder, subjects)
        if has_subject_page(plan, folder):
            target = subject_page(folder)
        else:  # the subject's first answer (a topic has the folder's address)
            target = group[0].path
        out.append(_card(icon(info.icon) or icon(DEFAULT_ICON), info.title, target,
                         _count(len(group), "answer")))
    out.append("</div>\n")
    if loose:
        out.append("\n" + "".join(f"- [{_md_text(t.title)}]({_link(HOME, t)})\n"
                                  for t in loose))
    hidden = _teaser.hidden_counts(plan, set(groups))
    out.append(_teaser_md(sum(hidden.values()), teaser, target=""))
    out.append(contact_box(contact))
    return "".join(out)


def _card(svg: str, title: str, target: str, note: str) -> str:
    # The link covers the whole card (CSS), so one link per card and one name for it.
    mark = f'<span class="kb-card__icon" aria-hidden="true">{svg}</span>\n\n' if svg else ""
    return ('<div class="kb-card" markdown>\n\n'
            f"{mark}[{_md_text(title)}]({target}){{ .kb-card__link }}\n\n"
            f'<span class="kb-card__note">{_md_text(note)}</span>\n\n'
            "</div>\n\n")


def _audience(plan: SitePlan, audience: str, subjects: Mapping[str, object],
              teaser: _teaser.Teaser) -> list[Generated]:
    """"For publishers": every answer for the audience by subject; when there are more
    than a page holds, each subject's count, its first answers (featured first) and a link to
    the subject's page."""
    label = AUDIENCE_PLURALS[audience]
    page = audience_page(audience)
    mine = [t for t in plan.topics.values() if audience in t.audience]
    groups = by_subject(mine)
    front = _front(f"For {label}", f"Every topic for {label}.", _NOT_SEARCHED)
    intro = f"{_count(len(mine), 'answer')} for {label}, by subject.\n{{ .kb-intro }}\n"
    hidden = _teaser.hidden_counts(plan, set(groups), audience=audience)
    whole = len(mine) <= LISTING_LIMIT
    listing: list[_Group] = []
    for folder, group in groups.items():
        title = _md_text(subject_title(folder, subjects)) if folder else "Other answers"
        target = subject_page(folder) if has_subject_page(plan, folder) else ""
        lines: list[Callable[[str], str]] = []
        if whole or not target:
            shown = group
        else:
            shown = sorted(group, key=lambda t: not t.featured)
            shown = shown[:AUDIENCE_EXAMPLES]
        lines += [_entry(t) for t in shown]
        if not whole and target and len(group) > len(shown):
            name = subject_title(folder, subjects)
            lines.append(_all_about(name, target, len(group), label))
        more = _teaser_md(hidden.get(folder, 0), teaser, target=target)
        listing.append(_Group(title, lines, after=more))
    tail = _teaser_md(hidden.get(_teaser.OTHER, 0), teaser, other=True, target="")
    return _pages(page, front, intro, listing, tail=tail)


def _subject(plan: SitePlan, folder: str, group: list[Topic], subjects: Mapping[str, object],
             teaser: _teaser.Teaser) -> list[Generated]:
    """A subject's page: its topics grouped by audience, each with its summary; a long one
    continues on further pages, and its first page says where each group starts."""
    info = subject(folder, subjects)
    page = subject_page(folder)
    intro = info.description or f"{_count(len(group), 'answer')} about {info.title.lower()}."
    front = _front(info.title, intro, _NOT_SEARCHED)
    kinds: list[tuple[str, Callable[[Topic], bool]]] = [
        (FOR_BOTH, lambda t: set(AUDIENCES) <= set(t.audience))]
    kinds += [(f"For {AUDIENCE_PLURALS[a]}", functools.partial(_only_for, a)) for a in AUDIENCES]
    shown = [(heading, [t for t in group if test(t)]) for heading, test in kinds]
    shown = [(h, ts) for h, ts in shown if ts]
    listing = [_Group(h if len(shown) > 1 else None,
                      [_entry(t) for t in ts]) for h, ts in shown]
    hidden = _teaser.hidden_counts(plan, {folder})
    tail = _teaser_md(hidden.get(folder, 0), teaser, target=page)
    return _pages(page, front, f"{_md_text(intro)}\n{{ .kb-intro }}\n", listing, tail=tail,
                  overview=len(shown) > 1)


def _tags(plan: SitePlan, subjects: Mapping[str, object]) -> list[Generated]:
    """"Topics by tag": every tag with its count, and a page per tag listing its answers by
    subject (Material's tag chips lead there, overrides/partials/tags.html)."""
    targets = tag_pages(plan)
    tagged: dict[str, list[Topic]] = defaultdict(list)
    for topic in plan.topics.values():
        for tag in shown_tags(topic):
            tagged[tag].append(topic)
    names = sorted(tagged, key=lambda t: (t.lower(), t))
    index = [_Group(None, [_tag_line(tag, targets[tag], len(tagged[tag]))
                           for tag in names])]
    out = _pages(TAGS, _front(TAGS_TITLE, TAGS_INTRO, _NOT_SEARCHED),
                 f"{TAGS_INTRO}\n{{ .kb-intro }}\n", index, pager_only_after=True)
    for tag in names:
        groups = by_subject(tagged[tag])
        listing = [_Group(_md_text(subject_title(folder, subjects)) if folder
                          else "Other answers",
                          [_entry(t) for t in group])
                   for folder, group in groups.items()]
        intro = (f'{TAGGED} <span class="md-tag md-tag-icon">{html.escape(tag)}</span>: '
                 f"{_count(len(tagged[tag]), 'answer')}.\n{{ .kb-intro }}\n")
        out += [Generated(g.path, g.markdown, in_nav=False) for g in
                _pages(targets[tag], _front(tag, f"{TAGGED} {tag}.", _NOT_SEARCHED),
                       intro, listing)]
    return out


def _entry(t: Topic) -> Callable[[str], str]:
    """A topic's line in a listing, for the page it lands on."""
    return lambda at: _listed(at, t)


def _all_about(name: str, target: str, count: int, label: str) -> Callable[[str], str]:
    """"All answers about <subject>": N answers for <audience>, leading to the subject page."""
    return lambda at: (f"\n[{ALL_ABOUT} {_md_text(name.lower())}]({_rel(at, target)}): "
                       f"{_count(count, 'answer')} for {label}.\n{{ .kb-listing-more }}\n")


def _tag_line(tag: str, target: str, count: int) -> Callable[[str], str]:
    """A tag's line on "Topics by tag": its chip, leading to its page, and its count."""
    return lambda at: (f"- [{_md_text(tag)}]({_rel(at, target)}){{ .md-tag .md-tag-icon }} "
                       f"{_count(count, 'answer')}\n")


@dataclass
class _Group:
    """A part of a listing: its heading (None: no heading) and its lines, each made for the
    page it lands on (``line(page_path)``: links are relative to that page)."""

    heading: str | None
    lines: list[Callable[[str], str]]
    after: str = ""  # after the group's last line (its members teaser)


def _page_path(first: str, n: int) -> str:
    """Where page ``n`` of the listing whose first page is ``first`` goes."""
    if n == 1:
        return first
    base = first.removesuffix(".md").removesuffix("/index")
    return f"{base}/page-{n}/index.md"


def _pages(first: str, front: str, intro: str, listing: list[_Group], *, tail: str = "",
           overview: bool = False, pager_only_after: bool = False) -> list[Generated]:
    """The listing as pages of at most LISTING_LIMIT lines: a group that does not fit goes on
    on the next page under its heading, "(continued)"; each page has a pager. The first page
    keeps the listing's path (and its place in the navigation) and, with ``overview``, says
    on which page each group starts."""
    chunks: list[list[tuple[_Group, list[Callable[[str], str]], bool, bool]]] = [[]]
    room = LISTING_LIMIT
    for group in listing:
        lines, opening = list(group.lines), True
        if not lines:
            chunks[-1].append((group, [], opening, True))
            continue
        while lines:
            if room == 0:
                chunks.append([])
                room = LISTING_LIMIT
            take, lines = lines[:room], lines[room:]
            chunks[-1].append((group, take, opening, not lines))
            room -= len(take)
            opening = False
    count = len(chunks)
    paths = [_page_path(first, n) for n in range(1, count + 1)]
    starts: dict[str, int] = {}
    for n, chunk in enumerate(chunks, 1):
        for group, _lines, starts_here, _ends in chunk:
            if starts_here and group.heading:
                starts.setdefault(group.heading, n)
    out = []
    for n, (path, chunk) in enumerate(zip(paths, chunks), 1):
        parts = [front if n == 1 else _continued_front(front, n, count), intro]
        if n == 1 and overview and count > 1:
            parts.append("\n" + "".join(
                f"- [{heading}]({_rel(path, paths[at - 1])}#{_anchor(heading)}): "
                f"page {at}\n" for heading, at in starts.items()))
        pager = _pager(path, paths, n) if count > 1 else ""
        if pager and not pager_only_after:
            parts.append(pager)
        for group, lines, starts_here, ends_here in chunk:
            if group.heading:
                anchor = _anchor(group.heading) + ("" if starts_here else f"-{CONTINUED}")
                title = group.heading if starts_here else f"{group.heading} ({CONTINUED})"
                parts.append(f"\n## {title} {{ #{anchor} }}\n")
            if lines:
                parts.append("\n" + "".join(line(path) for line in lines))
            if ends_here and group.after:
                parts.append(group.after)
        if n == count:
            parts.append(tail)
        parts.append(pager)
        out.append(Generated(path, "".join(parts), in_nav=n == 1))
    return out


def _continued_front(front: str, n: int, count: int) -> str:
    # The first page's front matter with "(page n of count)" after its title.
    return re.sub(r'(?m)^title: "(.*)"$',
                  lambda m: f'title: "{m.group(1)} (page {n} of {count})"', front, count=1)


def _pager(path: str, paths: list[str], n: int) -> str:
    """Links to the other pages of a listing: previous, each page by number, next."""
    links = []
    if n > 1:
        links.append(f"[{PREVIOUS_PAGE}]({_rel(path, paths[n - 2])}){{ .kb-pager__prev }}")
    for k, other in enumerate(paths, 1):
        links.append(f'<span aria-current="page">{k}</span>' if k == n
                     else f"[{k}]({_rel(path, other)})")
    if n < len(paths):
        links.append(f"[{NEXT_PAGE}]({_rel(path, paths[n])}){{ .kb-pager__next }}")
    return (f'\n<nav class="kb-pager" aria-label="{PAGER_LABEL}" markdown>\n\n'
            f"Page {n} of {len(paths)}: " + " ".join(links) + "\n\n</nav>\n")


def _anchor(heading: str) -> str:
    return _slug(heading.replace("\\", "")) or "answers"


def _rel(from_page: str, to_page: str) -> str:
    """A Markdown link from one content path to another (MkDocs resolves and checks it)."""
    return posixpath.relpath(to_page, posixpath.dirname(from_page) or ".")


def _listed(page: str, t: Topic) -> str:
    line = f"- [{_md_text(t.title)}]({_link(page, t)})"
    if t.summary:
        line += f'<br>\n  <span class="kb-listing-summary">{_md_text(t.summary)}</span>'
    return line + "\n"


def contact_box(contact: Sequence[ContactLine]) -> str:
    """The home page's contact box: each line's name, phone number (a tel: link) and hours."""
    if not contact:
        return ""
    out = [f"\n## {CONTACT} {{ #contact }}\n\n", '<div class="kb-contact" markdown>\n\n']
    for c in contact:
        line = f"- **{_md_text(c.name)}**: [{_md_text(c.phone)}](tel:{c.tel}){{ .kb-tel }}"
        if c.hours:
            line += f", {_md_text(c.hours)}"
        out.append(line + "\n")
    out.append("\n</div>\n")
    return "".join(out)


def _teaser_md(count: int, teaser: _teaser.Teaser, *, other: bool = False,
               target: str) -> str:
    text = _teaser.line(count, teaser, other=other,
                        url=_teaser.members_url(teaser, target) if target else None)
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


def _only_for(audience: str, topic: Topic) -> bool:
    return list(topic.audience) == [audience]
