"""Contact facts written once: phone numbers, hours and time zones.

The facts live in one mapping (mkdocs.yml `extra: facts:`); topics say `[[support.phone]]`
where the number goes, and the placeholder is replaced before anything else reads the topic,
so checks, search, the audit and both sites all see the same, current value. A fact may use
other facts (`hours: "6 AM–5 PM [[time_zone]]"`), so a time zone is written once too.

The check reports placeholders that name no fact, and phone numbers or opening hours written
out in a topic: an error when they differ from every fact, a warning when they repeat one.

A group of facts may be for members only (`visibility: members`, e.g. a partner desk's direct
line): the public site never shows it (not in the footer, not in the contact box), and a
topic may use it only inside a members passage or a members-only topic (KB603).
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from kbtools.core.model import memo
from kbtools.core.model.codes import finding
from kbtools.core.model.diagnostics import Diagnostic
from kbtools.core.model.errors import ContentError
from kbtools.core.model.topics import KnowledgeBase, Topic

PLACEHOLDER = re.compile(r"\[\[\s*([A-Za-z][\w-]*(?:\.[A-Za-z][\w-]*)*)\s*\]\]")
_NAME = re.compile(r"[A-Za-z][\w-]*")
_PHONE = re.compile(r"(?<![\w+-])(?:\+?1[-. ])?\(?\d{3}\)?[-. ]\d{3}[-. ]\d{4}(?![\w-])")
_ZONES = r"(?:PST|PDT|PT|MST|MDT|MT|CST|CDT|CT|EST|EDT|ET|GMT|UTC|BST|CET|CEST)"
_TIME = r"(\d{1,2})(?::(\d{2}))?\s*([AaPp])\.?\s*[Mm]\.?"
_HOURS = re.compile(rf"(?<![\w:]){_TIME}\s*(?:-|–|—|to)\s*{_TIME}(?:\s*({_ZONES})\b)?")
# Time zones written differently but meaning the same clock (PST in winter, PDT in summer).
_ZONE_FAMILY = {"PST": "PT", "PDT": "PT", "MST": "MT", "MDT": "MT", "CST": "CT", "CDT": "CT",
                "EST": "ET", "EDT": "ET", "GMT": "UTC", "BST": "UK", "CEST": "CET"}


class FactsError(ContentError, ValueError):
    """The facts mapping itself is wrong (not a mapping, a cycle, an unknown reference)."""


@dataclass(frozen=True)
class ContactLine:
    """One line of the contact box: who, which number, when."""

    key: str
    name: str
    phone: str
    tel: str  # the number for a tel: link, e.g. +18007611072
    hours: str
    members_only: bool = False


@dataclass(frozen=True)
class Facts:
    """Every fact by dotted name, fully expanded, and the lines of the contact box."""

    values: dict[str, str]
    contact: tuple[ContactLine, ...] = ()
    members_only: frozenset[str] = frozenset()  # names of facts only the members site shows

    def for_site(self, *, public: bool) -> Facts:
        """The facts a site shows: the public site loses every members-only fact."""
        if not public:
            return self
        return Facts({k: v for k, v in self.values.items() if k not in self.members_only},
                     tuple(c for c in self.contact if not c.members_only))

    def members_values(self) -> list[str]:
        """Values of members-only facts that no public fact also has (the audit's secrets)."""
        public = {v for k, v in self.values.items() if k not in self.members_only}
        return sorted({self.values[k] for k in self.members_only} - public)

    def expand(self, text: str) -> str:
        """``text`` with every known placeholder replaced; unknown ones are left as written."""
        if "[[" not in text:
            return text
        return PLACEHOLDER.sub(lambda m: self.values.get(m.group(1), m.group(0)), text)


def parse(data: Mapping[str, object] | None) -> Facts:
    """Facts from the configuration mapping (nested mappings give dotted names).

    For each group with a ``phone``, ``<group>.tel`` is added: the digits for a ``tel:`` link.
    """
    raw: dict[str, str] = {}
    members: set[str] = set()
    _flatten(data or {}, "", raw, members)
    values: dict[str, str] = {}
    for name in raw:
        _resolve(name, raw, values, ())
    for name in sorted(set(raw) - members):
        for ref in PLACEHOLDER.findall(raw[name]):
            if ref in members:
                raise FactsError(f"fact `{name}` is public but uses `[[{ref}]]`, which is for "
                                 "members only")
    contact = []
    groups = {name.rsplit(".", 1)[0] for name in values if name.endswith(".phone")}
    for group in sorted(groups, key=lambda g: list(raw).index(f"{g}.phone")):
        tel = "+" + _digits(values[f"{group}.phone"], national=False)
        values.setdefault(f"{group}.tel", tel)
        if f"{group}.phone" in members:
            members.add(f"{group}.tel")
        contact.append(ContactLine(group, values.get(f"{group}.name", group),
                                   values[f"{group}.phone"], tel, values.get(f"{group}.hours", ""),
                                   f"{group}.phone" in members))
    return Facts(values, tuple(contact), frozenset(members))


def apply(kb: KnowledgeBase, facts: Facts) -> KnowledgeBase:
    """A copy of ``kb`` whose topics have their placeholders replaced (title, summary, body)."""
    topics = {path: _expanded(topic, facts) for path, topic in kb.topics.items()}
    return dataclasses.replace(kb, topics=topics)


def check(kb: KnowledgeBase, facts: Facts) -> Iterator[Diagnostic]:
    """Unknown placeholders, and phone numbers or hours written out instead of a placeholder."""
    phones = {_digits(v): name for name, v in facts.values.items()
              if name.endswith(".phone") or _PHONE.fullmatch(v.strip())}
    hours: dict[tuple[int, int, str | None], str] = {}
    for name, value in facts.values.items():
        for m in _HOURS.finditer(value):
            hours.setdefault(_span(m), name)
    for topic in kb.topics.values():
        if not topic.valid:
            continue

        def one(topic: Topic = topic) -> tuple[Diagnostic, ...]:
            return tuple(d for text, line, col in _texts(topic)
                         for d in _check_text(kb, topic, text, line, col, facts, phones, hours,
                                              public=topic.is_public))

        # One topic's findings depend on it and on mkdocs.yml only (kbtools/core/model/memo.py).
        yield from memo.cached(("facts", kb.display_prefix, memo.topic_key(topic)), one)


def _check_text(kb: KnowledgeBase, topic: Topic, text: str, line0: int, col0: int,
                facts: Facts, phones: dict[str, str],
                hours: dict[tuple[int, int, str | None], str], *, public: bool,
                ) -> Iterator[Diagnostic]:
    path = topic.path
    body = text is topic.body

    def where(offset: int) -> tuple[int, int]:
        before = text[:offset]
        nl = before.count("\n")
        col = offset - (before.rfind("\n") + 1) + 1
        return line0 + nl, (col + col0 - 1 if nl == 0 else col)

    def shown_publicly(offset: int) -> bool:
        # Public text: a public topic's title, summary, or body outside its members passages.
        return public and not (body and topic.scan().in_members(where(offset)[0]))

    def members_hint(listed: str, offset: int) -> str:
        if shown_publicly(offset):
            return (f"use a fact placeholder ({listed}), or add the number to mkdocs.yml "
                    "`extra: facts:` first")
        return (f"use a fact placeholder ({listed}), or add the number to mkdocs.yml "
                "`extra: facts:` in a group with `visibility: members` (it is members-only here)")

    for m in PLACEHOLDER.finditer(text):
        name = m.group(1)
        if name not in facts.values:
            close = difflib.get_close_matches(name, sorted(facts.values), n=1, cutoff=0.5)
            hint = f"did you mean `[[{close[0]}]]`?" if close else \
                "name a fact from mkdocs.yml `extra: facts:`"
            yield _d(kb, path, *where(m.start()), "KB600",
                     f"`{m.group(0)}` names no contact fact", hint)
        elif name in facts.members_only and shown_publicly(m.start()):
            yield _d(kb, path, *where(m.start()), "KB603",
                     f"`{m.group(0)}` is a members-only fact in public text",
                     "move it into a `/// members` passage, or use a public fact")
    for m in _PHONE.finditer(text):
        known = phones.get(_digits(m.group(0)))
        if known and known in facts.members_only and shown_publicly(m.start()):
            yield _d(kb, path, *where(m.start()), "KB603", f"phone number `{m.group(0)}` is "
                     f"the members-only fact `[[{known}]]`, in public text",
                     "move it into a `/// members` passage")
        elif known:
            yield _d(kb, path, *where(m.start()), "KB602", f"phone number `{m.group(0)}` is "
                     "written out", f"write `[[{known}]]` instead")
        else:
            usable = sorted({n for n in phones.values()
                             if not (shown_publicly(m.start()) and n in facts.members_only)})
            listed = ", ".join(f"[[{n}]]" for n in usable) or "none"
            yield _d(kb, path, *where(m.start()), "KB601", f"phone number `{m.group(0)}` is "
                     "not one of the contact facts", members_hint(listed, m.start()))
    for m in _HOURS.finditer(text):
        span = _span(m)
        known = hours.get(span) or next((n for (a, b, z), n in hours.items()
                                         if (a, b) == span[:2] and span[2] is None), None)
        if known and known in facts.members_only and shown_publicly(m.start()):
            yield _d(kb, path, *where(m.start()), "KB603", f"hours `{m.group(0)}` are the "
                     f"members-only fact `[[{known}]]`, in public text",
                     "move them into a `/// members` passage")
        elif known:
            yield _d(kb, path, *where(m.start()), "KB602", f"hours `{m.group(0)}` are written "
                     "out", f"write `[[{known}]]` instead")
        else:
            usable = sorted({n for n in hours.values()
                             if not (shown_publicly(m.start()) and n in facts.members_only)})
            listed = ", ".join(f"[[{n}]]" for n in usable) or "none"
            yield _d(kb, path, *where(m.start()), "KB601", f"hours `{m.group(0)}` differ from "
                     "the contact facts", f"use a fact placeholder ({listed})")


def _texts(topic: Topic) -> Iterator[tuple[str, int, int]]:
    """The texts of a topic that facts may appear in, with the line and column they start at."""
    for key in ("title", "summary"):
        value = topic.meta.get(key)
        if isinstance(value, str):
            yield value, topic.meta_lines.get(key, 1), 1
    yield topic.body, topic.body_first_line, 1


def _expanded(topic: Topic, facts: Facts) -> Topic:
    meta = dict(topic.meta)
    for key in ("title", "summary"):
        if isinstance(meta.get(key), str):
            meta[key] = facts.expand(meta[key])
    body = facts.expand(topic.body)
    if body == topic.body and meta == topic.meta:
        return topic
    return dataclasses.replace(topic, meta=meta, body=body, _scan=None, reading=None)


def _flatten(data: Mapping[str, object], prefix: str, out: dict[str, str],
             members: set[str], inherited: bool = False) -> None:
    if not isinstance(data, Mapping):
        raise FactsError(f"`{prefix.rstrip('.') or 'facts'}` must be a mapping of names to "
                         "values")
    visibility = data.get("visibility", "members" if inherited else "public")
    if visibility not in ("public", "members"):
        raise FactsError(f"`{prefix}visibility` must be `public` or `members`, not "
                         f"`{visibility}`")
    if inherited and visibility == "public":
        raise FactsError(f"`{prefix}visibility: public` inside a members-only group")
    group_members = visibility == "members"
    for key, value in data.items():
        if key == "visibility":
            continue
        if not isinstance(key, str) or not _NAME.fullmatch(key):
            raise FactsError(f"fact name `{prefix}{key}` must start with a letter and hold only "
                             "letters, digits, `_` and `-`")
        name = prefix + key
        if isinstance(value, Mapping):
            _flatten(value, name + ".", out, members, group_members)
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
            text = str(value)
            if "\n" in text:
                raise FactsError(f"fact `{name}` must fit on one line")
            out[name] = text
            if group_members:
                members.add(name)
        else:
            raise FactsError(f"fact `{name}` must be text, not {type(value).__name__}")


def _resolve(name: str, raw: dict[str, str], done: dict[str, str],
             stack: tuple[str, ...]) -> str:
    if name in done:
        return done[name]
    if name in stack:
        raise FactsError("facts refer to each other in a circle: "
                         + " -> ".join((*stack[stack.index(name):], name)))

    def sub(m: re.Match[str]) -> str:
        ref = m.group(1)
        if ref not in raw:
            raise FactsError(f"fact `{name}` uses `[[{ref}]]`, which is not a fact")
        return _resolve(ref, raw, done, (*stack, name))

    done[name] = PLACEHOLDER.sub(sub, raw[name])
    return done[name]


def _digits(phone: str, *, national: bool = True) -> str:
    """The digits of a North American number; without the country code when ``national``."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 10:
        digits = "1" + digits
    return digits[1:] if national and len(digits) == 11 and digits[0] == "1" else digits


def _span(m: re.Match[str]) -> tuple[int, int, str | None]:
    def minutes(h: str, mm: str | None, ap: str) -> int:
        return (int(h) % 12 + (12 if ap.lower() == "p" else 0)) * 60 + int(mm or 0)
    zone = m.group(7).upper() if m.group(7) else None
    zone = _ZONE_FAMILY.get(zone, zone) if zone else None
    return minutes(m.group(1), m.group(2), m.group(3)), minutes(m.group(4), m.group(5),
                                                                m.group(6)), zone


def _d(kb: KnowledgeBase, path: str, line: int, col: int, code: str, message: str,
       hint: str | None = None) -> Diagnostic:
    return finding(kb.display(path), line, col, code, message, hint)
