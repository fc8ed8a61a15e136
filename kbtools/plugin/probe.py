"""The renderer as kbtools' probe: the site's own Markdown set-up, members passages marked.

kbtools/core/checks/passages.py asks it how a topic parses (see there). It is the same
Python-Markdown configuration MkDocs renders pages with (mkdocs.yml's `markdown_extensions`
and their options), with the members block in probe mode: its content goes into an element
marked ``data-kb-members`` instead of a callout or nowhere.
"""

from __future__ import annotations

import copy
import json
import os
from functools import cached_property
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import markdown
from mkdocs.config.config_options import MarkdownExtensions
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.utils.yaml import yaml_load

from kbtools.core.checks import passages as _passages
from kbtools.core.model.errors import ContentError
from kbtools.plugin.members_block import MembersBlockExtension, Mode, ProbedMembers

# Extensions whose effect reaches past the block they are written in (a definition inside a
# members passage that changes text outside it), or that read other files: kbtools has not
# shown that a members passage keeps them in, so a build with them is refused (KB400).
_UNVERIFIED = ("abbr", "footnotes", "wikilinks", "pymdownx.snippets",
               "markdown.extensions.abbr", "markdown.extensions.footnotes",
               "markdown.extensions.wikilinks")


class ProbeRenderer:
    """Renders Markdown as the site does, members passages marked (one instance per build)."""

    def __init__(self, extensions: list[Any], configs: dict[str, Any]) -> None:
        for ext in extensions:
            name = ext if isinstance(ext, str) else type(ext).__module__
            if name in _UNVERIFIED:
                raise ContentError(
                    f"the Markdown extension `{name}` can carry text out of a `/// members` "
                    "passage (its definitions apply to the whole page); kbtools refuses to "
                    "build with it", code="KB400")
        own = [e for e in extensions if not isinstance(e, MembersBlockExtension)]
        self._md = markdown.Markdown(extensions=[*own, MembersBlockExtension(mode=Mode.PROBE)],
                                     extension_configs=configs)
        self._config = (own, configs)
        self.renders = 0

    @cached_property
    def fingerprint(self) -> str | None:
        """What a reading depends on besides the topic (the cache key's part for the
        renderer): the extensions and their options, the versions of Python-Markdown and
        pymdown-extensions, kbtools' own reading code. None (no caching) when an extension
        is an object that has no stable text form."""
        own, configs = self._config
        if not all(isinstance(e, str) for e in own):
            return None
        try:
            options = json.dumps(configs, sort_keys=True)
        except (TypeError, ValueError):
            return None  # options holding functions or objects: no stable key
        versions = []
        for dist in ("markdown", "pymdown-extensions"):
            try:
                versions.append(f"{dist} {version(dist)}")
            except PackageNotFoundError:
                return None
        kbtools = Path(__file__).resolve().parents[1]
        code = _passages.source_fingerprint([kbtools / name for name in (
            "plugin/members_block.py", "plugin/probe.py", "core/checks/passages.py",
            "core/reading/html_text.py", "core/reading/markdown_scan.py", "core/model/text.py",
            "core/model/topics.py", "core/model/codes.py")])
        return json.dumps([list(own), options, versions, code])

    @property
    def block_names(self) -> frozenset[str]:
        """Every pymdown block the configuration registers (`members` among them)."""
        processors = self._md.parser.blockprocessors
        if "blocks" not in processors:
            return frozenset({ProbedMembers.NAME})
        return frozenset(processors["blocks"].blocks)

    def render(self, text: str) -> str:
        """HTML for ``text``; every members passage is an element with ``data-kb-members``."""
        self.renders += 1
        self._md.reset()
        return str(self._md.convert(text))


def renderer_for(config: MkDocsConfig) -> ProbeRenderer:
    """The probe for a loaded MkDocs configuration."""
    return ProbeRenderer(list(config.markdown_extensions), dict(config.mdx_configs))


def renderer_for_file(config_file: str | os.PathLike[str]) -> ProbeRenderer:
    """The probe for ``config_file`` (mkdocs.yml): its `markdown_extensions` read with MkDocs'
    own YAML loader and option (the same list and options a build gets), without loading the
    theme and plugins a build needs (`kb check` stays fast)."""
    option = copy.deepcopy(dict(MkDocsConfig._schema)["markdown_extensions"])
    assert isinstance(option, MarkdownExtensions)
    with open(config_file, "rb") as f:
        raw = yaml_load(f) or {}
    extensions = option.validate(raw.get("markdown_extensions", []))
    return ProbeRenderer(list(extensions), dict(option.configdata))
