"""Seconds of kbtools' own work in a build, for the benchmark (`KB_TIMINGS=FILE`).

kbtools' share of a build (load, checks with the passage readings, plan and generated pages,
secrets, audit) is a target of its own. With ``KB_TIMINGS`` set, every build process appends
one JSON line to that file: its site, the seconds of each phase and of its whole build.
Without it, nothing is written and a phase costs two clock reads.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

_phases: dict[str, float] = {}


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Count the time spent in the block as kbtools' own work called ``name``."""
    start = time.perf_counter()
    try:
        yield
    finally:
        _phases[name] = _phases.get(name, 0.0) + time.perf_counter() - start


def reset() -> None:
    """Start counting for a new build in this process."""
    _phases.clear()


def write(site: str, build_seconds: float) -> None:
    """Append this process's phases and its build's seconds to ``$KB_TIMINGS``, if set."""
    path = os.environ.get("KB_TIMINGS")
    if not path:
        return
    line = json.dumps({"pid": os.getpid(), "site": site, "build_s": round(build_seconds, 4),
                       "phases": {k: round(v, 4) for k, v in _phases.items()}})
    # One write of one line in append mode: lines of parallel processes do not interleave.
    with open(path, "a", encoding="utf-8") as f:
        f.write(line + "\n")
    reset()
