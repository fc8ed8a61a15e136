"""Topic ids: the next free one, and which of two topics sharing an id came first."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

from kbtools.core.model.topics import KnowledgeBase

_ID = re.compile(r"^(?P<prefix>[A-Za-z]+-)(?P<number>\d+)$")


def next_ids(kb: KnowledgeBase, count: int = 1) -> list[str]:
    """The next ``count`` ids in the knowledge base's numbering (KB-0001, KB-0002, ...).

    Empty when the ids follow no single ``PREFIX-number`` pattern.
    """
    found = [m for t in kb.topics.values() if (m := _ID.match(t.id or ""))]
    prefixes = {m.group("prefix") for m in found}
    if not found or len(prefixes) != 1:
        return []
    prefix = prefixes.pop()
    width = max(len(m.group("number")) for m in found)
    number = max(int(m.group("number")) for m in found)
    return [f"{prefix}{number + i:0{width}d}" for i in range(1, count + 1)]


def took_id_at(root: Path, paths: Iterable[str], tid: str) -> dict[str, int | None]:
    """When each file under ``root`` got the id ``tid``: the time of the oldest commit that
    changed how often the file holds it (`git log -S`); None when no commit has it yet (the
    id was written since, or the file is not in git, or there is no git).

    One `git log` per file, run only for topics that share an id. Without `--follow` (it takes
    an identical copy for a rename): a moved file counts from its move.
    """
    times: dict[str, int | None] = {}
    for path in paths:
        try:
            out = subprocess.run(["git", "log", "--no-renames", f"-S{tid}", "--format=%ct",
                                  "--", path], cwd=root, capture_output=True, text=True,
                                 timeout=30, check=False).stdout.split()
        except (OSError, subprocess.SubprocessError):
            out = []
        committed = bool(out) and out[-1].isdigit()
        # A commit that has the id, but not in the file as it is now in git: written since.
        times[path] = int(out[-1]) if committed and _in_head(root, path, tid) else None
    return times


def _in_head(root: Path, path: str, tid: str) -> bool:
    try:
        done = subprocess.run(["git", "show", f"HEAD:./{path}"], cwd=root, capture_output=True,
                              timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0 and tid.encode() in done.stdout


def newer_copies(root: Path, paths: list[str], tid: str) -> list[str]:
    """Of topics sharing the id ``tid``, the ones that took it later: all but the one whose
    id git has had longest. Every one of them when git cannot tell (no repository, or no
    single first file)."""
    times = took_id_at(root, paths, tid)
    known = sorted((t, p) for p, t in times.items() if t is not None)
    if not known or (len(known) > 1 and known[0][0] == known[1][0]):
        return list(paths)
    first = known[0][1]
    return [p for p in paths if p != first]
