"""The `/// members` block for Python-Markdown, built on pymdown-extensions' generic blocks.

This block is the one truth about where a members passage starts and ends: both sites parse
the same Markdown with the same block, and only what the block does with its content differs.

* ``Mode.MEMBERS`` (members site): a callout marked "Members only".
* ``Mode.PUBLIC`` (public site): the content is parsed exactly as in the members site, into an
  element that is cut out of the page as soon as the block parser is done (before inline
  Markdown, the table of contents and anything after), so nothing inside it (text, headings,
  links, images) reaches the page, its anchors or the search index. Parsing it in place matters:
  pymdown's blocks find their parent and the end of nested blocks through the page tree, so a
  detached element would let a nested passage spill out (found by the differential test).
* ``Mode.PROBE`` (kbtools' own reading, see :mod:`kbtools.plugin.passages`): an element marked
  with ``data-kb-members``, so an HTML parser can tell members text from public text exactly as
  the members build parses it.
"""

from __future__ import annotations

import enum
import xml.etree.ElementTree as etree
from typing import Any, ClassVar

from markdown import Markdown
from markdown.treeprocessors import Treeprocessor
from pymdownx.blocks import BlocksExtension
from pymdownx.blocks.block import Block

from kbtools.core.checks.passages import MARKER, ROOT

TITLE = "Members only"
NAME = "members"


class Mode(str, enum.Enum):
    """What the members block does with its content."""

    MEMBERS = "members"
    PUBLIC = "public"
    PROBE = "probe"


class _Passage(Block):
    """The element every mode builds, the same in each: a `div` whose first child is the title.

    pymdown's blocks decide where later lines go by looking at the tree (the element's last
    child, its parents), so the three modes must build the same tree while parsing; they differ
    only in attributes, and in what happens after parsing (the public site cuts the element
    out). A detached element, or one without the title child, parsed differently (both found by
    the differential test)."""

    NAME = NAME
    ARGUMENT = None  # an optional title after `|`
    # Classes steer parsing too: Python-Markdown's admonition continues a preceding
    # `div.admonition` with indented lines. Every mode carries the callout's classes.
    CALLOUT: ClassVar[dict[str, str]] = {"class": "admonition members", "role": "note"}
    ATTRS: ClassVar[dict[str, str]] = {}

    def on_create(self, parent: etree.Element) -> etree.Element:
        el = etree.SubElement(parent, "div", {**self.CALLOUT, **self.ATTRS})
        title = etree.SubElement(el, "p", {"class": "admonition-title"})
        title.text = self.argument or TITLE
        return el


class MembersCallout(_Passage):
    """Members site: a callout styled like an admonition, marked for assistive technology."""


_DROP = "data-kb-drop"


class DroppedMembers(_Passage):
    """Public site: the passage is parsed in place (so it ends where the members site ends it)
    into an element that :class:`DropPassages` cuts out."""

    ATTRS: ClassVar[dict[str, str]] = {_DROP: ""}


class ProbedMembers(_Passage):
    """kbtools' reading: the passage in an element marked for kbtools/core/checks/passages.py (its
    title is members text too: only the members site shows it)."""

    ATTRS: ClassVar[dict[str, str]] = {MARKER: "", ROOT: ""}


class MarkPassages(Treeprocessor):
    """Probe: every element inside a passage carries the marker too, so the reading stays exact
    when raw HTML in the passage (an unbalanced `</div>`) makes an HTML parser close the
    passage's element early: what the tree held is what the public site drops."""

    def run(self, root: etree.Element) -> None:
        for el in root.iter():
            if MARKER in el.attrib:
                for inner in el.iter():
                    inner.set(MARKER, "")


class DropPassages(Treeprocessor):
    """Removes every public-site members passage from the page, right after block parsing."""

    def run(self, root: etree.Element) -> None:
        parents = {child: parent for parent in root.iter() for child in parent}
        for el in [e for e in root.iter() if _DROP in e.attrib]:
            parent = parents.get(el)
            if parent is None:
                continue
            if el.tail and el.tail.strip():
                # Text after the passage belongs to the page: keep it where it stood.
                index = list(parent).index(el)
                if index:
                    prev = parent[index - 1]
                    prev.tail = (prev.tail or "") + el.tail
                else:
                    parent.text = (parent.text or "") + el.tail
            parent.remove(el)


_BLOCKS: dict[Mode, type[Block]] = {
    Mode.MEMBERS: MembersCallout, Mode.PUBLIC: DroppedMembers, Mode.PROBE: ProbedMembers}


class MembersBlockExtension(BlocksExtension):
    """Registers the members block for one site (or for kbtools' probe)."""

    def __init__(self, *, mode: Mode, **kwargs: Any) -> None:
        self.mode = mode
        super().__init__(**kwargs)

    def extendMarkdownBlocks(self, md: Markdown, block_mgr: Any) -> None:
        block_mgr.register(_BLOCKS[self.mode], {})
        # Right after block parsing: before inline Markdown (20), pymdown's block finishing
        # (19.99) and the toc (5).
        if self.mode is Mode.PUBLIC:
            md.treeprocessors.register(DropPassages(md), "kb_drop_passages", 30)
        elif self.mode is Mode.PROBE:
            md.treeprocessors.register(MarkPassages(md), "kb_mark_passages", 30)
