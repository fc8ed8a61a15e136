"""The probe renderer with a memo: the same body renders once per `kb serve` session."""

from __future__ import annotations

from kbtools.core.checks.passages import Renderer


class MemoProbe:
    """A :class:`~kbtools.core.checks.passages.Renderer` that remembers its renders.

    The probe is a pure function of the Markdown and the site's Markdown configuration; the
    memo's owner (kbtools/plugin/preview.py) empties it when mkdocs.yml changes.
    """

    def __init__(self, renderer: Renderer, memo: dict[str, str]) -> None:
        self._renderer, self._memo = renderer, memo

    @property
    def fingerprint(self) -> str | None:
        """The wrapped renderer's fingerprint (its readings cache keys by it), if any."""
        return getattr(self._renderer, "fingerprint", None)

    @property
    def block_names(self) -> frozenset[str]:
        """The wrapped renderer's block names."""
        return self._renderer.block_names

    def render(self, markdown: str) -> str:
        """The wrapped renderer's HTML for ``markdown``, rendered once."""
        html = self._memo.get(markdown)
        if html is None:
            html = self._memo[markdown] = self._renderer.render(markdown)
        return html
