"""Named links: the pages outside the knowledge base that topics send readers to, written once.

mkdocs.yml `extra: links:` holds each page's name, title and address (Login Help, Contact
Sales, the privacy policy, ...). A topic links one by name with a Markdown reference link,
`[Login Help][login-help]`, or by the page's title alone, `[Login Help][]`; the build adds the
reference definitions, so a changed address is changed in one place.

The check reports a reference that names no link (an error: it would render as brackets), and
a page title written in bold without a link (`**Login Help**`), a dead end for the reader.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from kbtools.core.model import memo
from kbtools.core.model.codes import finding
from kbtools.core.model.diagnostics import Diagnostic
from kbtools.core.model.errors import ContentError
from kbtools.core.model.topics import KnowledgeBase, Topic

_NAME = re.compile(r"[a-z][a-z0-9-]*")
# [text][name] and [text][] (not an image, not escaped). Link text may hold one level of
# brackets-free Markdown such as **bold**.
_REF = re.compile(r"(?<![\\!])\[([^\[\]\n]+)\]\[([^\[\]\n]*)\]")
_DEFINITION = re.compile(r"^ {0,3}\[([^\]\n]+)\]:\s*\S+", re.M)
_BOLD = re.compile(r"(\*\*|__)(?=\S)([^*_\n]+?)(?<=\S)\1")
_CODE = re.compile(r"^(```|~~~).*?^\1[^\n]*$|`[^`\n]*`", re.M | re.S)
_QUOTES = "\"'“”‘’«»"


class LinksError(ContentError, ValueError):
    """The `extra: links:` mapping itself is wrong."""


@dataclass(frozen=True)
class Link:
    """A page outside the knowledge base: its name in topics, its title and its address."""

    name: str
    title: str
    url: str
    aliases: tuple[str, ...] = ()  # other ways topics write its title ("office locations")


@dataclass(frozen=True)
class Links:
    """Every named link, by name."""

    by_name: dict[str, Link]

    def find(self, ref: str) -> Link | None:
        """The link a reference id names: its name, or its title (case and spaces ignored)."""
        key = _key(ref)
        link = self.by_name.get(key.replace(" ", "-"))
        if link is not None:
            return link
        return next((lk for lk in self.by_name.values() if _key(lk.title) == key), None)

    def titled(self, text: str) -> Link | None:
        """The link whose title (or one of its aliases) ``text`` is, quotes and case aside."""
        key = _key(text)
        return next((lk for lk in self.by_name.values()
                     if key in {_key(lk.title), *(_key(a) for a in lk.aliases)}), None)


def parse(data: Mapping[str, object] | None) -> Links:
    """Links from the configuration: ``name: {title: ..., url: ..., aliases: [...]}``."""
    if data is None:
        return Links({})
    if not isinstance(data, Mapping):
        raise LinksError("must be a mapping of link names to a title and a url")
    out: dict[str, Link] = {}
    for name, value in data.items():
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise LinksError(f"link name `{name}` must be lowercase letters, digits and `-`, "
                             "starting with a letter")
        if not isinstance(value, Mapping) or not isinstance(value.get("url"), str) \
                or not isinstance(value.get("title"), str):
            raise LinksError(f"link `{name}` needs a `title:` and a `url:`")
        aliases = value.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise LinksError(f"link `{name}`: `aliases:` must be a list of texts")
        out[name] = Link(name, value["title"], value["url"], tuple(aliases))
    return Links(out)


def apply(kb: KnowledgeBase, links: Links) -> KnowledgeBase:
    """A copy of ``kb`` whose topics define every named link they use (at the end of the
    body, where a reference definition shows nothing)."""
    if not links.by_name:
        return kb
    topics = {path: _defined(topic, links) for path, topic in kb.topics.items()}
    return dataclasses.replace(kb, topics=topics)


def check(kb: KnowledgeBase, links: Links) -> Iterator[Diagnostic]:
    """References that name no link, and link titles in bold that are not links."""
    for topic in kb.topics.values():
        if topic.valid:
            # One topic's findings depend on it and on mkdocs.yml only (core/model/memo.py).
            yield from memo.cached(("named-links", kb.display_prefix, memo.topic_key(topic)),
                                   functools.partial(_findings, kb, topic, links))


def _findings(kb: KnowledgeBase, topic: Topic, links: Links) -> tuple[Diagnostic, ...]:
    return tuple(_check_topic(kb, topic, links))


def _check_topic(kb: KnowledgeBase, topic: Topic, links: Links) -> Iterator[Diagnostic]:
    """One topic's references that name no link, and titles in bold that are not links."""
    text = _blank_code(topic.body)
    local = {_key(m.group(1)) for m in _DEFINITION.finditer(text)}
    for m in _REF.finditer(text):
        ref = m.group(2) or m.group(1)
        if _key(ref) in local or links.find(ref) is not None:
            continue
        close = difflib.get_close_matches(_key(ref).replace(" ", "-"),
                                          sorted(links.by_name), n=1, cutoff=0.5)
        hint = (f"did you mean `[{m.group(1)}][{close[0]}]`?" if close else
                "add the page to mkdocs.yml `extra: links:`, or name one that is there")
        yield _d(kb, topic, text, m.start(), "KB610",
                 f"`{m.group(0)}` names no link in mkdocs.yml `extra: links:`", hint)
    for m in _BOLD.finditer(text):
        link = links.titled(m.group(2))
        if link is None or _inside_link(text, m.start(), m.end()):
            continue
        yield _d(kb, topic, text, m.start(), "KB611",
                 f"`{m.group(0)}` names the {link.title} page but does not link it",
                 f"write `[{m.group(2)}][{link.name}]`")


def _defined(topic: Topic, links: Links) -> Topic:
    body = memo.cached(("links-defined", topic.body), lambda: _defined_body(topic, links))
    return topic if body is None else dataclasses.replace(topic, body=body, _scan=None)


def _defined_body(topic: Topic, links: Links) -> str | None:
    text = _blank_code(topic.body)
    local = {_key(m.group(1)) for m in _DEFINITION.finditer(text)}
    wanted: dict[str, Link] = {}
    for m in _REF.finditer(text):
        ref = m.group(2) or m.group(1)
        link = links.find(ref)
        if link is not None and _key(ref) not in local:
            # The id exactly as Python-Markdown compares it: lowercase, spaces collapsed.
            wanted.setdefault(" ".join(ref.lower().split()), link)
    if not wanted:
        return None
    lines = "".join(f"[{ref}]: {link.url}\n" for ref, link in sorted(wanted.items()))
    return topic.body.rstrip("\n") + "\n\n" + lines


def _inside_link(text: str, start: int, end: int) -> bool:
    # [**Login Help**][login-help] or [**Login Help**](https://...)
    return text[start - 1: start] == "[" and text[end: end + 2] in ("](", "][")


def _blank_code(text: str) -> str:
    # Code keeps its length (offsets stay right) but is no longer read as links.
    return _CODE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def _key(text: str) -> str:
    text = text.strip().strip(_QUOTES).rstrip("?.!:").strip(_QUOTES)
    return " ".join(text.lower().split())


def _d(kb: KnowledgeBase, topic: Topic, text: str, offset: int, code: str, message: str,
       hint: str) -> Diagnostic:
    before = text[:offset]
    line = topic.body_first_line + before.count("\n")
    col = offset - (before.rfind("\n") + 1) + 1
    return finding(kb.display(topic.path), line, col, code, message, hint)
