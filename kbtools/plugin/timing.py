"""Seconds of kbtools' own work in a build, for the benchmark (`KB_TIMINGS=FILE`).

kbtools' share of a build (load, checks with the passage readings, plan and generated pages,
secrets, audit) is a target of its own. With ``KB_TIMINGS`` set, every build process appends
one JSON line to that file: its site, the wall and CPU seconds of each phase and of its whole
build. CPU seconds include worker processes the phase waited for (the passage readings), and
hardly move with other load on a shared machine; wall seconds do. Without ``KB_TIMINGS``,
nothing is written and a phase costs a few clock reads.
"""

from __future__ import annotations

import json
import os
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager

_wall: dict[str, float] = {}
_cpu: dict[str, float] = {}


def cpu_seconds() -> float:
    """CPU seconds of this process and of the child processes it has waited for."""
    own = time.process_time()
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own + kids.ru_utime + kids.ru_stime


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Count the time spent in the block as kbtools' own work called ``name``."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    try:
        yield
    finally:
        _wall[name] = _wall.get(name, 0.0) + time.perf_counter() - wall
        _cpu[name] = _cpu.get(name, 0.0) + cpu_seconds() - cpu


def reset() -> None:
    """Start counting for a new build in this process."""
    _wall.clear()
    _cpu.clear()


def write(site: str, build_seconds: float, build_cpu: float) -> None:
    """Append this process's phases and its build's seconds to ``$KB_TIMINGS``, if set."""
    path = os.environ.get("KB_TIMINGS")
    if not path:
        return
    line = json.dumps({"pid": os.getpid(), "site": site, "build_s": round(build_seconds, 4),
                       "build_cpu_s": round(build_cpu, 4),
                       "phases": {k: round(v, 4) for k, v in _wall.items()},
                       "phases_cpu": {k: round(v, 4) for k, v in _cpu.items()}})
    # One write of one line in append mode: lines of parallel processes do not interleave.
    with open(path, "a", encoding="utf-8") as f:
        f.write(line + "\n")
    reset()
