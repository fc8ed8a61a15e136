"""The `/// members` block for Python-Markdown, built on pymdown-extensions' generic blocks.

In the members site it renders as a marked callout. In the public site the core has already
removed every members block from the Markdown; if one still reaches the renderer (a syntax the
core did not recognise), its content is built into a detached element and dropped, and the
plugin is told so it can fail the build.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from collections.abc import Callable
from typing import Any

from markdown import Markdown
from pymdownx.blocks import BlocksExtension
from pymdownx.blocks.block import Block

TITLE = "Members only"


class MembersCallout(Block):
    """Members site: a callout styled like an admonition, marked for assistive technology."""

    NAME = "members"
    ARGUMENT = None  # an optional title after `|`

    def on_create(self, parent: etree.Element) -> etree.Element:
        el = etree.SubElement(parent, "div", {"class": "admonition members", "role": "note"})
        title = etree.SubElement(el, "p", {"class": "admonition-title"})
        title.text = self.argument or TITLE
        return el


class MembersBlockExtension(BlocksExtension):
    """Registers the members block; ``public=True`` drops the content instead of rendering it."""

    def __init__(self, *, public: bool, on_leftover: Callable[[], None] | None = None,
                 **kwargs: Any) -> None:
        self.public = public
        self.on_leftover = on_leftover or (lambda: None)
        super().__init__(**kwargs)

    def extendMarkdownBlocks(self, md: Markdown, block_mgr: Any) -> None:  # noqa: N802 (API name)
        if not self.public:
            block_mgr.register(MembersCallout, {})
            return
        report = self.on_leftover

        class DroppedMembers(Block):
            NAME = "members"
            ARGUMENT = None

            def on_create(self, parent: etree.Element) -> etree.Element:
                report()
                return etree.Element("div")  # never attached: its content is discarded

        block_mgr.register(DroppedMembers, {})
