"""The `/// members` block for Python-Markdown, built on pymdown-extensions' generic blocks.

This block is the one truth about where a members passage starts and ends: both sites parse
the same Markdown with the same block, and only what the block does with its content differs.

* ``Mode.MEMBERS`` (members site): a callout marked "Members only".
* ``Mode.PUBLIC`` (public site): the content is parsed into an element that is never attached
  to the page, so nothing inside it (text, headings, links, images) reaches the page, its table
  of contents, its anchors or the search index.
* ``Mode.PROBE`` (kbtools' own reading, see :mod:`kbtools.plugin.passages`): an element marked
  with ``data-kb-members``, so an HTML parser can tell members text from public text exactly as
  the members build parses it.
"""

from __future__ import annotations

import enum
import xml.etree.ElementTree as etree
from typing import Any

from markdown import Markdown
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


class DroppedMembers(Block):
    """Public site: the passage is parsed (so it ends where the members site ends it) into an
    element that is never attached to the page."""

    NAME = NAME
    ARGUMENT = None

    def on_create(self, parent: etree.Element) -> etree.Element:
        return etree.Element("div")


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
