"""`kb-guard`: refuses, in one line, a build whose mkdocs.yml has lost the `kb` plugin.

The template guard in overrides/main.html holds without any Python (other renderers), but
MkDocs shows it as a Jinja traceback, after the theme's first files are written. This plugin
says the same thing before anything is built, in MkDocs' own error format.
"""

from __future__ import annotations

from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority

from kbtools.core.model.errors import ContentError

MESSAGE = ("the kbtools `kb` plugin is not active in mkdocs.yml; refusing to build a site "
           "without it (add `- kb:` with its options back under `plugins:`)")


class GuardConfig(Config):
    """`kb-guard` has no options."""


class GuardPlugin(BasePlugin[GuardConfig]):
    """Fails the build at once when the `kb` plugin is not in `plugins:`."""

    @event_priority(200)  # Before every other plugin touches anything.
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if config.plugins.get("kb") is None:
            # Said like every refusal of the kb plugin (plugin.py), which is not there to say it.
            raise PluginError(f"kbtools: {ContentError(MESSAGE, code='KB400')}")
        return config
