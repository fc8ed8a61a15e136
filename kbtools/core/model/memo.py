"""A memo for pure functions of one topic's content, kept across the preview's rebuilds.

`kb serve` rebuilds the site from the whole content on every save, with the same code as a
build, so the preview checks and audits exactly what the build would. Most of that work reads
one topic at a time (its front matter, its scan, its facts and named links, the renderer's
reading of its passages, the audit's phrases): the same content gives the same result. While a
:class:`Memo` is active (``with memo.active():``), such work is looked up by a key made of
everything it reads; builds, `kb check` and tests run with none, and compute everything.

A key must hold every input of the function it caches (:func:`topic_key` is a topic's whole
content); values must never be changed by whoever gets them. The owner empties the memo when
anything else the functions read changes (mkdocs.yml: the Markdown set-up, facts, links).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Hashable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from kbtools.core.model.topics import Topic

T = TypeVar("T")

_active: Memo | None = None


class Memo:
    """Values by key; a rebuild keeps those it used and drops the rest (two generations)."""

    def __init__(self) -> None:
        self._now: dict[Hashable, Any] = {}
        self._before: dict[Hashable, Any] = {}
        self.hits = self.misses = 0

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value for ``key``, computed once."""
        try:
            value: T = self._now[key]
        except KeyError:
            pass
        else:
            self.hits += 1
            return value
        if key in self._before:
            self.hits += 1
            value = self._before.pop(key)
        else:
            self.misses += 1
            value = compute()
        self._now[key] = value
        return value

    def next_generation(self) -> None:
        """Start a rebuild: what the last one used stays until this one has used it."""
        self._before, self._now = self._now, {}
        self.hits = self.misses = 0

    def snapshot(self) -> dict[Hashable, Any]:
        """What the last rebuild used (for kbtools/plugin/preview_store.py)."""
        return {**self._before, **self._now}

    def restore(self, values: dict[Hashable, Any]) -> None:
        """Start from ``values`` (a :meth:`snapshot` of an earlier run)."""
        self._before, self._now = {}, dict(values)

    def clear(self) -> None:
        """Forget everything (the configuration changed)."""
        self._now.clear()
        self._before.clear()

    @contextlib.contextmanager
    def active(self) -> Iterator[Memo]:
        """Use this memo for the duration of the block."""
        global _active
        saved, _active = _active, self
        try:
            yield self
        finally:
            _active = saved


def cached(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, looked up by ``key`` in the active memo (computed when there is none)."""
    memo = _active
    return compute() if memo is None else memo.get(key, compute)


def is_active() -> bool:
    """Whether a memo is in use (callers skip making keys otherwise)."""
    return _active is not None


def topic_key(topic: Topic) -> Hashable:
    """A topic's whole content: path, front matter (values and lines), body, validity."""
    return (topic.path, topic.body, topic.body_first_line, topic.valid,
            repr(sorted(topic.meta.items())), repr(sorted(topic.meta_lines.items())))
