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
from typing import Any

from markdown import Markdown
from markdown.treeprocessors import Treeprocessor
from pymdownx.blocks import BlocksExtension
from pymdownx.blocks.block import Block

from ..core.passages import MARKER, TITLE_ATTR

TITLE = "Members only"
NAME = "members"


class Mode(str, enum.Enum):
    """What the members block does with its content."""

    MEMBERS = "members"
    PUBLIC = "public"
    PROBE = "probe"


class MembersCallout(Block):
    """Members site: a callout styled like an admonition, marked for assistive technology."""

    NAME = NAME
    ARGUMENT = None  # an optional title after `|`

    def on_create(self, parent: etree.Element) -> etree.Element:
        el = etree.SubElement(parent, "div", {"class": "admonition members", "role": "note"})
        title = etree.SubElement(el, "p", {"class": "admonition-title"})
        title.text = self.argument or TITLE
        return el


_DROP = "data-kb-drop"


class DroppedMembers(Block):
    """Public site: the passage is parsed in place (so it ends where the members site ends it)
    into an element that :class:`DropPassages` cuts out."""

    NAME = NAME
    ARGUMENT = None

    def on_create(self, parent: etree.Element) -> etree.Element:
        return etree.SubElement(parent, "div", {_DROP: ""})


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


class ProbedMembers(Block):
    """kbtools' reading: the passage's content in a marked element, its title left out (the
    title is the writer's label, shown only in the members site)."""

    NAME = NAME
    ARGUMENT = None

    def on_create(self, parent: etree.Element) -> etree.Element:
        el = etree.SubElement(parent, "div", {MARKER: ""})
        if self.argument:
            el.set(TITLE_ATTR, self.argument)
        return el


_BLOCKS: dict[Mode, type[Block]] = {
    Mode.MEMBERS: MembersCallout, Mode.PUBLIC: DroppedMembers, Mode.PROBE: ProbedMembers}


class MembersBlockExtension(BlocksExtension):
    """Registers the members block for one site (or for kbtools' probe)."""

    def __init__(self, *, mode: Mode, **kwargs: Any) -> None:
        self.mode = mode
        super().__init__(**kwargs)

    def extendMarkdownBlocks(self, md: Markdown, block_mgr: Any) -> None:  # noqa: N802 (API name)
        block_mgr.register(_BLOCKS[self.mode], {})
        if self.mode is Mode.PUBLIC:
            # Before inline Markdown (20), pymdown's block finishing (19.99) and the toc (5).
            md.treeprocessors.register(DropPassages(md), "kb_drop_passages", 30)
