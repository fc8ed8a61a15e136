"""Topic ids: the next free one, and which of two topics sharing an id came first."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

from .topics import KnowledgeBase

_ID = re.compile(r"^(?P<prefix>[A-Za-z]+-)(?P<number>\d+)$")


def next_ids(kb: KnowledgeBase, count: int = 1) -> list[str]:
    """The next ``count`` ids in the knowledge base's numbering (KB-0001, KB-0002, ...).

    Empty when the ids follow no single ``PREFIX-number`` pattern.
    """
    found = [m for t in kb.topics.values() if (m := _ID.match(str(t.meta.get("id", ""))))]
    prefixes = {m.group("prefix") for m in found}
    if not found or len(prefixes) != 1:
        return []
    prefix = prefixes.pop()
    width = max(len(m.group("number")) for m in found)
    number = max(int(m.group("number")) for m in found)
    return [f"{prefix}{number + i:0{width}d}" for i in range(1, count + 1)]


def added_at(root: Path, paths: Iterable[str]) -> dict[str, int | None]:
    """When git first saw each file under ``root`` (commit time), None when it has not.

    One `git log --diff-filter=A` per file, run only for topics that share an id. Without
    `--follow` (it takes an identical copy for a rename): a moved file counts from its move.
    """
    times: dict[str, int | None] = {}
    for path in paths:
        try:
            out = subprocess.run(["git", "log", "--diff-filter=A", "--no-renames", "--format=%ct",
                                  "--", path], cwd=root, capture_output=True, text=True,
                                 timeout=30, check=False).stdout.split()
        except (OSError, subprocess.SubprocessError):
            out = []
        times[path] = int(out[-1]) if out and out[-1].isdigit() else None
    return times


def newer_copies(root: Path, paths: list[str]) -> list[str]:
    """Of topics sharing an id, the ones that took it later: all but the one git saw first.

    Every one of them when git cannot tell (no repository, or no single first file).
    """
    times = added_at(root, paths)
    known = sorted((t, p) for p, t in times.items() if t is not None)
    if not known or (len(known) > 1 and known[0][0] == known[1][0]):
        return list(paths)
    first = known[0][1]
    return [p for p in paths if p != first]
