"""What an HTML document says, read with a real HTML parser (Lexbor, through selectolax).

A document is cut into *units*: the text of one block element (a paragraph, a list item, a
heading, a table cell, one line of a code block, a nav entry), the value of one text-bearing
attribute (alt, title, aria-label, meta content) or one comment. Phrases are compared within
a unit, never across two, so words that merely stand next to each other on a page (a heading
and the paragraph after it, two nav entries) are never read as one sentence.

Addresses (href, src, srcset, action, ...) are collected apart from the text: they are URLs,
whose words a public page may legitimately share with a members title.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

# Elements whose text is a unit of its own; anything else is inline and joins its parent's unit.
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "br", "button", "caption", "dd",
    "details", "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
    "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hgroup", "hr", "html", "label",
    "legend", "li", "main", "menu", "nav", "noscript", "ol", "optgroup", "option", "p",
    "section", "select", "summary", "table", "tbody", "td", "template", "textarea", "tfoot",
    "th", "thead", "title", "tr", "ul", "svg", "g", "desc", "text", "tspan",
})
# Raw text elements: their text is kept line by line.
_LINE_TAGS = frozenset({"pre", "script", "style", "textarea"})
TEXT_ATTRIBUTES = frozenset({
    "alt", "title", "aria-label", "aria-description", "aria-roledescription", "placeholder",
    "label", "summary", "content", "value", "abbr",
})
URL_ATTRIBUTES = frozenset({
    "href", "src", "srcset", "action", "formaction", "poster", "data", "cite", "background",
    "xlink:href", "ping", "longdesc", "manifest", "imagesrcset", "content",
})


_FIRST_TAG = re.compile(r"<[a-zA-Z]")
_COMMENT = re.compile(r"<!--(.*?)-->", re.S)


@dataclass(frozen=True)
class Unit:
    """One piece of text a reader (or a search engine) sees as a whole."""

    text: str
    marked: bool  # inside an element carrying the marker attribute (see :func:`read`)


@dataclass(frozen=True)
class Address:
    """A URL in an attribute, with the element and attribute it came from."""

    url: str
    tag: str
    attribute: str
    marked: bool
    classes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Document:
    """The units and addresses of one HTML document, in document order."""

    units: tuple[Unit, ...]
    addresses: tuple[Address, ...]
    marked_elements: int  # how many elements carry the marker attribute
    ids: tuple[tuple[str, bool], ...] = ()  # (id, marked) of every element with an id
    tags: tuple[str, ...] = ()  # texts of Material's tag chips (class `md-tag`)


Memo = dict[tuple[str, bool], tuple[Any, ...]]


def read(html: str, *, marker: str | None = None, memo: Memo | None = None) -> Document:
    """Cut ``html`` into units and addresses.

    ``marker`` names an attribute (``data-kb-members``): units and addresses inside an element
    that carries it are ``marked``. ``memo``, a dict kept across documents read with the same
    ``marker``: list items are read once per distinct HTML (a site's nav entries recur on
    every page); the document read is the same.
    """
    tree = LexborHTMLParser(html)
    reader = _Reader(marker, memo)
    root = tree.root
    if root is not None:
        reader.walk(root, marked=False)
        reader.flush(False)
    # Comments before the first element or after the document are not in its tree.
    first = _FIRST_TAG.search(html)
    outside = html[: first.start()] if first else html
    end = html.lower().rfind("</html>")
    if end >= 0:
        outside += " " + html[end:]
    for comment in _COMMENT.findall(outside):
        text = " ".join(comment.split())
        if text:
            reader.units.append(Unit(text, False))
    return Document(tuple(reader.units), tuple(reader.addresses), reader.marked_elements,
                    tuple(reader.ids), tuple(reader.tags))



_MEMO_TAGS = frozenset({"li"})  # block elements whose reading is remembered (see read)
_MEMO_CHARS = 4096  # the longest HTML remembered
_MEMO_ENTRIES = 100_000


class _Reader:
    def __init__(self, marker: str | None, memo: Memo | None = None) -> None:
        self.marker = marker
        self.memo = memo
        self.units: list[Unit] = []
        self.addresses: list[Address] = []
        self.ids: list[tuple[str, bool]] = []
        self.tags: list[str] = []
        self.marked_elements = 0
        self._parts: list[str] = []

    def flush(self, marked: bool) -> None:
        if not self._parts:
            return  # most block elements end with nothing pending: skip the joins
        text = " ".join("".join(self._parts).split())
        self._parts = []
        if text:
            self.units.append(Unit(text, marked))

    def walk(self, node: LexborNode, *, marked: bool) -> None:
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                self._parts.append(child.text_content or "")
                continue
            if tag == "-comment":
                # A comment is in the bytes a visitor downloads: a unit of its own.
                self.flush(marked)
                comment = (child.html or "").removeprefix("<!--").removesuffix("-->")
                self._parts.append(comment)
                self.flush(marked)
                continue
            if tag is None or tag.startswith("-"):
                continue
            if (self.memo is not None and tag in _MEMO_TAGS
                    and not "".join(self._parts).split()):
                self._remembered(child, tag, marked)
            else:
                self._element(child, tag, marked)

    def _remembered(self, child: LexborNode, tag: str, marked: bool) -> None:
        # Only with no text pending (whitespace at most): what the element adds is then
        # exactly the units, addresses, ids and tags appended while it is read.
        assert self.memo is not None
        self._parts = []
        html = child.html or ""
        if len(html) > _MEMO_CHARS:  # a whole section's list: its own items are remembered
            self._element(child, tag, marked)
            return
        key = (html, marked)
        hit = self.memo.get(key)
        if hit is None:
            before = (len(self.units), len(self.addresses), len(self.ids), len(self.tags),
                      self.marked_elements)
            self._element(child, tag, marked)
            hit = (tuple(self.units[before[0]:]), tuple(self.addresses[before[1]:]),
                   tuple(self.ids[before[2]:]), tuple(self.tags[before[3]:]),
                   self.marked_elements - before[4])
            if len(self.memo) < _MEMO_ENTRIES:
                self.memo[key] = hit
            return
        units, addresses, ids, tags, marks = hit
        self.units += units
        self.addresses += addresses
        self.ids += ids
        self.tags += tags
        self.marked_elements += marks

    def _element(self, child: LexborNode, tag: str, marked: bool) -> None:
        attrs = child.attributes
        cls = attrs.get("class")
        classes = tuple(cls.split()) if cls else ()
        if "headerlink" in classes:
            return  # the toc's "¶" permalink: the theme's, not the content's
        inside = marked
        if self.marker is not None and self.marker in attrs:
            inside = True
            self.marked_elements += 1
        if attrs:
            self._attributes(tag, attrs, inside, classes)
        if "md-tag" in classes:
            self.tags.append(" ".join((child.text(deep=True) or "").split()))
        if tag in _LINE_TAGS:
            self.flush(marked)
            for line in (child.text(deep=True, separator="") or "").split("\n"):
                self._parts.append(line)
                self.flush(inside)
            return
        block = tag in BLOCK_TAGS or inside != marked
        if block:
            self.flush(marked)
        self.walk(child, marked=inside)
        if block:
            self.flush(inside)

    def _attributes(self, tag: str, attrs: dict[str, str | None], marked: bool,
                    classes: tuple[str, ...]) -> None:
        for name, value in attrs.items():
            if value is None:
                continue
            if name == "id":
                self.ids.append((value, marked))
            if name in URL_ATTRIBUTES and (name != "content" or _url_like(value)):
                for url in _urls(name, value):
                    self.addresses.append(Address(url, tag, name, marked, classes))
            elif name in TEXT_ATTRIBUTES:
                text = " ".join(value.split())
                if text:
                    self.units.append(Unit(text, marked))


def _urls(name: str, value: str) -> Iterator[str]:
    if name.endswith("srcset"):
        for candidate in value.split(","):
            url = candidate.strip().split(" ", 1)[0]
            if url:
                yield url
    elif name == "content" and "url=" in value.lower():
        # <meta http-equiv="refresh" content="0; url=...">
        yield value[value.lower().index("url=") + 4:].strip().strip("'\"")
    else:
        yield value.strip()


def _url_like(value: str) -> bool:
    # <meta content>: a description is text, an og:url or a refresh target is an address.
    v = value.strip().lower()
    return v.startswith(("http:", "https:", "/", "./", "../")) or "url=" in v
