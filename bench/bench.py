"""The speed benchmark behind `bench/run`: `kb build` against the strongest peers.

For each size N it generates a knowledge base (bench/generate.py), then, RUNS times and with
the variants interleaved (order alternating per round, so noise on this shared machine hits
all of them), builds it in a fresh subprocess with

  Material          `mkdocs build -f mkdocs-material.yml`: MkDocs + Material without kbtools,
                    with the project's theme features (navigation.prune and the rest of
                    mkdocs.yml's list), markdown_extensions, search and tags; one site of all
                    N topics (the baseline, "a");
  kb build          `kb build -f mkdocs.yml`: both sites, public and members; KB_TIMINGS has it
                    write the seconds of kbtools' own work (load, checks, plan, secrets, audit)
                    per build process, for the "kbtools' share" column;
  Zensical cold     `zensical build -c` of the same mkdocs-material.yml (cache cleared);
  Zensical warm     `zensical build` right after, its cache kept;
  Hugo              `hugo --source hugo`: Debian's package (bench/setup installs it), a
                    minimal layout over the same Markdown; skipped when hugo is missing;
  kb check          `kb check`, with --check.

and measures wall time, peak memory of the whole process tree (sum of the tree's PSS sampled
every 50 ms, and never less than the largest single process's RSS as the kernel reports it),
output size, pages written and the largest HTML page. With bench/preview.py present (the
writer's preview benchmark), it also times `kb serve --public` and `mkdocs serve` of the
Material baseline: first page after start, and an edit's page after the save.
It prints a Markdown table of the medians and writes it to bench/results.md (with date and
machine), the raw runs to bench/results.json and a chart of ms per page to
bench/ms-per-page.png.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
from generate import generate  # noqa: E402

BIN = Path(sys.executable).parent
DEFAULT_SIZES = (1000, 5000)
KIB, MIB = 1024, 1024 * 1024
BASELINE = "Material"


@dataclass
class Run:
    """One build, measured."""

    n: int
    variant: str
    run: int
    wall_s: float
    peak_rss_b: int
    rc: int
    cpu_s: float = 0.0  # user + system time of the process tree
    pages: int = 0
    output_b: int = 0
    largest_html_b: int = 0
    largest_public_html_b: int = 0
    largest_members_html_b: int = 0
    # kb build only (KB_TIMINGS): seconds of kbtools' own work and of the build processes'
    # whole builds, summed over the processes (the shared preparation and each site's build).
    kb_own_s: float = 0.0
    kb_build_s: float = 0.0
    kb_own_cpu_s: float = 0.0
    kb_build_cpu_s: float = 0.0
    kb_phases: dict[str, float] = field(default_factory=dict)  # CPU seconds per phase
    log: str = ""


@dataclass
class Variant:
    name: str
    cmd: list[str]
    outputs: dict[str, str]  # label -> folder (relative to the KB folder), cleaned before a run
    runs: list[Run] = field(default_factory=list)
    timings: bool = False  # set KB_TIMINGS for the run (kb build)
    clean: tuple[str, ...] = ()  # more folders to remove before each run (cold caches)
    skipped: str = ""  # why the variant was not run (e.g. Hugo is not installed)


# Which kbtools ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Tested:
    """The kbtools being measured: the working tree, or a commit exported with `git archive`."""

    label: str  # for the report: `abc1234` or `abc1234-dirty` (working tree)
    project: Path  # folder with kbtools/, overrides/ and mkdocs.yml
    env: dict[str, str]  # PYTHONPATH set for a commit, so `kbtools` imports from it
    kb: list[str]  # the `kb` command

    def check_import(self) -> str:
        r = subprocess.run([sys.executable, "-c", "import kbtools, os; "
                            "print(os.path.dirname(kbtools.__file__))"],
                           env=self.env, capture_output=True, text=True, check=True,
                           cwd=self.project.parent)  # never the checkout: '' is first on sys.path
        return r.stdout.strip()


def tested(ref: str | None, work: Path, env: dict[str, str]) -> Tested:
    """The working tree (``ref`` None) or ``ref`` exported into ``work``/ref-SHA."""
    if ref is None:
        label = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
                               capture_output=True, text=True).stdout.strip() or "?"
        return Tested(label, ROOT, env, [str(BIN / "kb")])
    sha = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", f"{ref}^{{commit}}"],
                         capture_output=True, text=True, check=True).stdout.strip()
    dest = work / f"ref-{sha}"
    if not (dest / "kbtools").is_dir():
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", sha, "kbtools", "overrides",
                                  "mkdocs.yml"], capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    # The editable install's finder comes after sys.path, so PYTHONPATH wins for `kbtools`;
    # the `kb` plugin entry point then loads the exported code too.
    env = dict(env, PYTHONPATH=os.pathsep.join(
        [str(dest.resolve())] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])))
    s = Tested(f"{sha} (--ref {ref})", dest.resolve(), env, [sys.executable, "-m", "kbtools.cli"])
    where = s.check_import()
    if Path(where).resolve() != (dest / "kbtools").resolve():
        raise SystemExit(f"--ref {ref}: kbtools imports from {where}, not from {dest}")
    return s


# Measuring -------------------------------------------------------------------------------

def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    kids += [int(x) for x in f.read().split()]
            except OSError:
                pass
    except OSError:
        pass
    return kids


def _rss(pid: int) -> int:
    """The process's proportional set size (PSS: its private pages, plus its share of pages it
    shares with others, such as a forked parent's), or its RSS where the kernel has no PSS.
    Summed over a process tree, PSS counts each page once; RSS would count the pages the
    parent shares with the site builds it forked once per process."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * KIB
    except (OSError, IndexError, ValueError):
        pass
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss(pid: int) -> int:
    """Memory of ``pid`` and all its descendants, now (the sum of their PSS, see _rss)."""
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        total += _rss(p)
        todo += _children(p)
    return total


def measure(cmd: list[str], cwd: Path, log: Path, env: dict[str, str],
            ) -> tuple[float, int, int, float]:
    """Run ``cmd``; returns (wall seconds, peak RSS of the process tree in bytes, exit code,
    CPU seconds of the tree: user + system, its waited-for descendants included)."""
    peak = 0
    done = threading.Event()
    with open(log, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env,
                                stdin=subprocess.DEVNULL)

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, tree_rss(proc.pid))
                done.wait(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        # wait4 rather than Popen.wait: its rusage has the kernel's peak RSS of the child
        # (the largest of it and its waited-for descendants), a floor for the tree's peak.
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    return (wall, max(peak, usage.ru_maxrss * KIB), proc.returncode,
            usage.ru_utime + usage.ru_stime)


def output_stats(root: Path) -> tuple[int, int, int]:
    """(bytes, HTML pages except 404.html, largest HTML file in bytes) under ``root``."""
    size = pages = largest = 0
    for dirpath, _, files in os.walk(root):
        for name in files:
            st = os.lstat(os.path.join(dirpath, name))
            size += st.st_size
            if name.endswith(".html"):
                largest = max(largest, st.st_size)
                if not (name == "404.html" and dirpath == str(root)):
                    pages += 1
    return size, pages, largest


# The benchmark ---------------------------------------------------------------------------

def has_check(subj: Tested) -> bool:
    try:
        r = subprocess.run([*subj.kb, "check", "--help"], capture_output=True, text=True,
                           timeout=60, env=subj.env)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return r.returncode == 0


def _tool(name: str) -> str | None:
    found = BIN / name
    return str(found) if found.exists() else shutil.which(name)


def variants(subj: Tested, *, with_check: bool, zensical: bool, hugo: bool) -> list[Variant]:
    material = {"site": "site-material"}
    out = [
        Variant(BASELINE, [str(BIN / "mkdocs"), "build", "-q", "-f", "mkdocs-material.yml"],
                material),
        Variant("kb build", [*subj.kb, "build", "-f", "mkdocs.yml"],
                {"public": "site/public", "members": "site/members"}, timings=True,
                # Cold: no cache of an earlier build (a CI runner's first build).
                clean=(".cache/kbtools",)),
    ]
    if zensical:
        exe = _tool("zensical")
        for name, extra in (("Zensical cold", ["-c"]), ("Zensical warm", [])):
            out.append(Variant(name, [exe or "zensical", "build", "-f", "mkdocs-material.yml",
                                      *extra], material,
                               skipped="" if exe else "zensical is not installed (bench/setup)"))
    if hugo:
        exe = _tool("hugo")
        out.append(Variant("Hugo", [exe or "hugo", "--source", "hugo", "--quiet"],
                           {"site": "site-hugo"},
                           skipped="" if exe else "hugo is not installed (bench/setup)"))
    if with_check:
        out.append(Variant("kb check", [*subj.kb, "check", "-f", "mkdocs.yml"], {}))
    return out


def read_timings(path: Path) -> dict[str, Any]:
    """kbtools' own seconds and the build's seconds (wall and CPU), and the CPU seconds per
    phase, summed over every process that wrote a line to ``path`` (kbtools/plugin/timing.py)."""
    out: dict[str, Any] = {"own": 0.0, "build": 0.0, "own_cpu": 0.0, "build_cpu": 0.0,
                           "phases": {}}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return out
    for line in lines:
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        out["build"] += float(rec.get("build_s", 0.0))
        out["build_cpu"] += float(rec.get("build_cpu_s", 0.0))
        out["own"] += sum(float(v) for v in rec.get("phases", {}).values())
        for k, v in rec.get("phases_cpu", {}).items():
            out["phases"][k] = out["phases"].get(k, 0.0) + float(v)
            out["own_cpu"] += float(v)
    return out


def bench_size(n: int, runs: int, work: Path, seed: int, subj: Tested,
               vs: list[Variant]) -> list[Variant]:
    env = subj.env
    kb_dir = work / f"kb-{n}"
    t = time.perf_counter()
    s = generate(kb_dir, n, seed, project=subj.project)
    print(f"\nN={n}: generated {s.topics} topics ({s.members} members-only, {s.passages} with a "
          f"members passage, {s.links} links) in {time.perf_counter() - t:.1f} s: {kb_dir}",
          flush=True)
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    active = [v for v in vs if not v.skipped]
    for v in vs:
        if v.skipped:
            print(f"  {v.name}: skipped, {v.skipped}", flush=True)
    for r in range(runs):
        # Alternate the order per round; Zensical warm always runs right after Zensical cold
        # (its cache is the one cold just built, as a writer's second build has it).
        order = active if r % 2 == 0 else list(reversed(active))
        if r % 2:
            names = [v.name for v in order]
            if "Zensical cold" in names and "Zensical warm" in names:
                cold = order.pop(names.index("Zensical cold"))
                order.insert([v.name for v in order].index("Zensical warm"), cold)
        for v in order:
            for folder in (*v.outputs.values(), *v.clean):
                shutil.rmtree(kb_dir / folder, ignore_errors=True)
            shutil.rmtree(kb_dir / "site", ignore_errors=True)
            log = logs / f"{n}-{v.name.replace(' ', '-')}-{r + 1}.log"
            run_env = env
            timing_file = logs / f"{n}-{v.name.replace(' ', '-')}-{r + 1}.timings"
            if v.timings:
                timing_file.unlink(missing_ok=True)
                run_env = dict(env, KB_TIMINGS=str(timing_file))
            wall, peak, rc, cpu = measure(v.cmd, kb_dir, log, run_env)
            run = Run(n, v.name, r + 1, wall, peak, rc, cpu, log=str(log))
            if v.timings:
                t = read_timings(timing_file)
                run.kb_own_s, run.kb_build_s = t["own"], t["build"]
                run.kb_own_cpu_s, run.kb_build_cpu_s = t["own_cpu"], t["build_cpu"]
                run.kb_phases = t["phases"]
            for label, folder in v.outputs.items():
                size, pages, largest = output_stats(kb_dir / folder)
                run.output_b += size
                run.pages += pages
                run.largest_html_b = max(run.largest_html_b, largest)
                if label == "members":
                    run.largest_members_html_b = largest
                else:  # the public site, or the only site the peer builds
                    run.largest_public_html_b = max(run.largest_public_html_b, largest)
            if v.name == "kb check":
                run.pages = n
            v.runs.append(run)
            status = "" if rc == 0 else f"  FAILED (exit {rc}, see {log})"
            share = (f"  kbtools {100 * run.kb_own_cpu_s / run.kb_build_cpu_s:4.1f}% CPU, "
                     f"{100 * run.kb_own_s / run.kb_build_s:4.1f}% wall"
                     if run.kb_build_s and run.kb_build_cpu_s else "")
            print(f"  run {r + 1}/{runs} {v.name:13} {wall:8.2f} s  (CPU {cpu:7.2f} s)  "
                  f"{peak / MIB:7.0f} MiB  {run.pages:5} pages{share}{status}", flush=True)
            if rc != 0:
                tail = log.read_text(errors="replace").strip().splitlines()[-5:]
                print("    " + "\n    ".join(tail), flush=True)
    for v in vs:  # outputs of 5,000 topics take gigabytes
        for folder in v.outputs.values():
            shutil.rmtree(kb_dir / folder, ignore_errors=True)
    return vs


@dataclass
class Row:
    n: int
    variant: str
    ok: bool
    wall_s: float
    ms_per_page: float
    peak_rss_b: int
    output_b: int
    pages: int
    largest_html_b: int
    largest_public_html_b: int
    largest_members_html_b: int
    ratio: float | None
    walls: list[float]
    cpu_s: float = 0.0
    cpu_ratio: float | None = None
    kb_share: float | None = None  # kbtools' own CPU seconds / the build processes' CPU
    kb_share_wall: float | None = None  # the same in wall seconds
    kb_phases: dict[str, float] = field(default_factory=dict)  # median CPU seconds per phase
    skipped: str = ""


def summarize(results: dict[int, list[Variant]]) -> list[Row]:
    rows = []
    for n, vs in results.items():
        base = next((v for v in vs if v.name == BASELINE and v.runs), None)
        for v in vs:
            if v.skipped or not v.runs:
                rows.append(Row(n, v.name, False, 0.0, 0.0, 0, 0, 0, 0, 0, 0, None, [],
                                skipped=v.skipped or "not run"))
                continue
            ok = all(r.rc == 0 for r in v.runs)
            good = [r for r in v.runs if r.rc == 0] or v.runs
            wall = statistics.median(r.wall_s for r in good)
            pages = int(statistics.median(r.pages for r in good))
            row = Row(n, v.name, ok, wall, 1000 * wall / max(pages, 1),
                      int(statistics.median(r.peak_rss_b for r in good)),
                      int(statistics.median(r.output_b for r in good)), pages,
                      max(r.largest_html_b for r in good),
                      max(r.largest_public_html_b for r in good),
                      max(r.largest_members_html_b for r in good), None,
                      [round(r.wall_s, 2) for r in v.runs],
                      statistics.median(r.cpu_s for r in good))
            timed = [r for r in good if r.kb_build_s > 0 and r.kb_build_cpu_s > 0]
            if timed:
                row.kb_share = statistics.median(r.kb_own_cpu_s / r.kb_build_cpu_s
                                                 for r in timed)
                row.kb_share_wall = statistics.median(r.kb_own_s / r.kb_build_s for r in timed)
                names = sorted({k for r in timed for k in r.kb_phases})
                row.kb_phases = {k: statistics.median(r.kb_phases.get(k, 0.0) for r in timed)
                                 for k in names}
            if base is not None and v is not base:
                # Paired: each run against the baseline's build of the same round (adjacent in
                # time), then the median, so a noisy minute hits both sides of a ratio.
                pairs = [r.wall_s / b.wall_s for r, b in zip(v.runs, base.runs, strict=False)
                         if r.rc == 0 and b.rc == 0]
                row.ratio = statistics.median(pairs) if pairs else None
                cpu_pairs = [r.cpu_s / b.cpu_s for r, b in zip(v.runs, base.runs, strict=False)
                             if r.rc == 0 and b.rc == 0 and b.cpu_s > 0]
                row.cpu_ratio = statistics.median(cpu_pairs) if cpu_pairs else None
            rows.append(row)
    return rows


def _size(b: int) -> str:
    return f"{b / MIB:,.1f} MiB" if b >= MIB else f"{b / KIB:,.0f} KiB"


LABELS = {BASELINE: "Material + features, one site (a)", "kb build": "`kb build`, both sites",
          "Zensical cold": "Zensical 0.0.73, cold", "Zensical warm": "Zensical 0.0.73, warm",
          "Hugo": "Hugo (Debian), minimal layout", "kb check": "`kb check`"}


def table(rows: list[Row], preview: list[dict] | None = None) -> str:
    lines = ["| N topics | variant | wall time | ms/page | pages | peak memory | "
             "largest public page | ratio to Material | kbtools' own share | CPU time | "
             "CPU ratio |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        name = LABELS.get(r.variant, r.variant)
        if r.skipped:
            lines.append(f"| {r.n:,} | {name} | {r.skipped} | | | | | | | | |")
            continue
        wall = f"{r.wall_s:,.1f} s" + ("" if r.ok else " (FAILED)")
        largest = "–" if r.variant == "kb check" else _size(r.largest_public_html_b)
        ratio = "1 (baseline)" if r.variant == BASELINE else (
            f"{r.ratio:.2f}×" if r.ratio is not None else "–")
        per = " ms/topic" if r.variant == "kb check" else ""
        share = (f"{100 * r.kb_share:.1f}% (wall {100 * (r.kb_share_wall or 0):.1f}%)"
                 if r.kb_share is not None else "–")
        cpu_ratio = "1" if r.variant == BASELINE else (
            f"{r.cpu_ratio:.2f}×" if r.cpu_ratio else "–")
        lines.append(f"| {r.n:,} | {name} | {wall} | {r.ms_per_page:,.1f}{per} | {r.pages:,} | "
                     f"{r.peak_rss_b / MIB:,.0f} MiB | {largest} | {ratio} | {share} | "
                     f"{r.cpu_s:,.1f} s | {cpu_ratio} |")
    if preview:
        lines += ["", "| N topics | preview | first page after start | edited page after the "
                  "save | runs |", "|---:|---|---:|---:|---:|"]
        for p in preview:
            for name, v in p.get("servers", {}).items():
                if "error" in v:
                    lines.append(f"| {p['n']:,} | `{name}` | failed: {v['error']} | | |")
                else:
                    lines.append(f"| {p['n']:,} | `{name}` | {v['first_page_s']:.2f} s | "
                                 f"{v['save_s']:.2f} s | {len(v['runs'])} |")
    return "\n".join(lines)


def targets(rows: list[Row], preview: list[dict] | None = None) -> list[str]:
    """Issue 12's targets, checked against what this run measured."""
    by = {(r.n, r.variant): r for r in rows if not r.skipped}
    out = []

    def verdict(ok: bool) -> str:
        return "met" if ok else "**not met**"

    for n, limit in ((1000, 0.6), (5000, 0.5)):
        r = by.get((n, "kb build"))
        if r and r.ratio is not None:
            out.append(f"- Both sites at {n:,} topics at most {limit}× Material + features (one "
                       f"site): {r.ratio:.2f}× ({verdict(r.ratio <= limit)}; CPU "
                       f"{r.cpu_ratio:.2f}×)." if r.cpu_ratio else
                       f"- Both sites at {n:,} topics at most {limit}× Material: {r.ratio:.2f}×.")
        else:
            out.append(f"- Both sites at {n:,} topics at most {limit}× Material: not measured.")
    a, b = by.get((1000, "kb build")), by.get((5000, "kb build"))
    if a and b:
        g = b.ms_per_page / a.ms_per_page
        out.append(f"- ms/page at 5,000 at most 1.2× ms/page at 1,000: {a.ms_per_page:.1f} → "
                   f"{b.ms_per_page:.1f}, {g:.2f}× ({verdict(g <= 1.2)}).")
    for r in (a, b):
        if r and r.kb_share is not None:
            out.append(f"- kbtools' own work at most 15% of the build at {r.n:,}: "
                       f"{100 * r.kb_share:.1f}% of the CPU seconds, "
                       f"{100 * (r.kb_share_wall or 0):.1f}% of the wall seconds "
                       f"({verdict(r.kb_share <= 0.15)}; median CPU seconds "
                       "summed over the build processes: " + ", ".join(
                           f"{k} {v:.1f}" for k, v in r.kb_phases.items()) + ").")
    for r in (a, b):
        if r:
            out.append(f"- Peak memory at {r.n:,} at most 1 GiB: {r.peak_rss_b / MIB:,.0f} MiB "
                       f"({verdict(r.peak_rss_b <= 1024 * MIB)}).")
    if b:
        out.append(f"- Largest public HTML page at 5,000 at most 100 KiB (issue 12a's part): "
                   f"{_size(b.largest_public_html_b)} "
                   f"({verdict(b.largest_public_html_b <= 100 * KIB)}).")
    limits = {1000: (3.0, 1.0), 5000: (5.0, 1.5)}
    for p in preview or []:
        v = p.get("servers", {}).get("kb serve")
        if v and "error" not in v and p["n"] in limits:
            first, save = limits[p["n"]]
            out.append(f"- `kb serve` at {p['n']:,}: first page {v['first_page_s']:.2f} s "
                       f"(≤ {first} s: {verdict(v['first_page_s'] <= first)}), edit "
                       f"{v['save_s']:.2f} s (≤ {save} s: {verdict(v['save_s'] <= save)}).")
    return out


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    versions = {}
    for dist in ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "jinja2",
                 "zensical"):
        try:
            from importlib.metadata import version
            versions[dist] = version(dist)
        except Exception:
            versions[dist] = "?"
    return {
        "nproc": str(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                     else os.cpu_count()),
        "cpu": cpu, "memory": mem, "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "packages": ", ".join(f"{k} {v}" for k, v in versions.items()),
    }


def chart(rows: list[Row], path: Path) -> str | None:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed (`.venv/bin/pip install -e '.[bench]'`): no chart"
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=120)
    styles = {BASELINE: ("Material + features, one site (a)", "o-", "#888888"),
              "kb build": ("kb build, both sites", "s-", "#1565c0"),
              "Zensical cold": ("Zensical, cold", "^-", "#ef6c00"),
              "Zensical warm": ("Zensical, warm", "^--", "#ffa726"),
              "Hugo": ("Hugo, minimal layout", "d-", "#2e7d32")}
    for variant, (label, marker, color) in styles.items():
        pts = sorted((r.n, r.ms_per_page) for r in rows
                     if r.variant == variant and r.ok and not r.skipped)
        if pts:
            xs, ys = zip(*pts, strict=True)
            ax.plot(xs, ys, marker, label=label, color=color)
            for x, y in pts:
                ax.annotate(f"{y:.1f}", (x, y), textcoords="offset points", xytext=(6, 4),
                            fontsize=8, color=color)
    ax.set_xscale("log")
    sizes = sorted({r.n for r in rows})
    ax.set_xticks(sizes, [f"{n:,}" for n in sizes])
    ax.minorticks_off()
    ax.margins(x=0.12)
    ax.set_xlabel("topics (log scale)")
    ax.set_ylabel("ms per page written")
    top = max((r.ms_per_page for r in rows if r.variant in styles and r.ok), default=1.0)
    ax.set_ylim(0, top * 1.15)
    ax.set_title("Build time per page against knowledge base size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)
    return None


def bench_preview(n: int, runs: int, work: Path, subj: Tested) -> dict:
    """`kb serve --public` and `mkdocs serve` of the Material baseline on the knowledge base of
    size ``n``, timed by bench/preview.py (the writer's preview benchmark); interleaved."""
    try:
        import preview  # bench/preview.py, when it is there
    except ImportError:
        print(f"\nN={n}: preview not timed: no bench/preview.py", flush=True)
        return {}
    kb_dir = work / f"kb-{n}"
    content = kb_dir / "content"
    servers = {"kb serve": [*subj.kb, "serve", "--public"],
               "mkdocs serve": [str(BIN / "mkdocs"), "serve", "-f", "mkdocs-material.yml"]}
    samples: dict[str, list[dict[str, float]]] = {k: [] for k in servers}
    errors: dict[str, str] = {}
    print(f"\nN={n}: preview, {runs} runs", flush=True)
    for r in range(runs):
        for name, cmd in (servers.items() if r % 2 == 0 else reversed(servers.items())):
            if name in errors:
                continue
            try:
                topic = preview.pick_topic(content)
                got = preview.run_once(cmd, kb_dir, topic, content, r)
            except Exception as e:
                errors[name] = f"{type(e).__name__}: {e}"[:200]
                print(f"  {name}: failed: {errors[name]}", flush=True)
                continue
            samples[name].append(got)
            print(f"  run {r + 1}/{runs} {name:12} first page {got['first_page']:6.2f} s, "
                  f"save {got['save']:6.2f} s", flush=True)
    out: dict[str, dict] = {}
    for name in servers:
        if name in errors and not samples[name]:
            out[name] = {"error": errors[name]}
        elif samples[name]:
            out[name] = {"first_page_s": statistics.median(s["first_page"] for s in samples[name]),
                         "save_s": statistics.median(s["save"] for s in samples[name]),
                         "runs": samples[name]}
    return {"n": n, "servers": out}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench/run", description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", help="comma-separated topic counts (default 1000,5000); "
                   "SIZE:RUNS sets the runs of one size (1000,5000:1)")
    p.add_argument("--runs", type=int, default=3, help="runs per variant (default 3)")
    p.add_argument("--preview-runs", type=int, help="runs of each preview (default: --runs)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--work", type=Path, default=BENCH / ".work",
                   help="folder for the generated knowledge bases (default bench/.work)")
    p.add_argument("--ref", help="measure this commit of kbtools (kbtools/, overrides/, "
                   "mkdocs.yml exported with git archive) instead of the working tree, which "
                   "others may be editing while the benchmark runs")
    p.add_argument("--check", action="store_true", help="also time `kb check`")
    p.add_argument("--no-zensical", action="store_true", help="leave Zensical out")
    p.add_argument("--no-hugo", action="store_true", help="leave Hugo out")
    p.add_argument("--no-preview", action="store_true", help="leave the preview rows out")
    p.add_argument("--output", type=Path, default=BENCH,
                   help="folder for results.md, results.json and ms-per-page.png (default bench/)")
    p.add_argument("--no-write", action="store_true",
                   help="only print: leave bench/results.md, results.json and the chart alone")
    args = p.parse_args(argv)
    if args.runs < 1:
        p.error("--runs must be at least 1")
    runs_of: dict[int, int] = {}
    for item in (args.sizes.split(",") if args.sizes else map(str, DEFAULT_SIZES)):
        size, _, runs = item.replace("_", "").partition(":")
        runs_of[int(size)] = int(runs) if runs else args.runs
    sizes = list(runs_of)

    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", DISABLE_MKDOCS_2_WARNING="true")
    for key in ("KB_SITE", "SOURCE_DATE_EPOCH", "KB_TIMINGS"):
        env.pop(key, None)
    subj = tested(args.ref, args.work, env)
    with_check = args.check and has_check(subj)
    info = machine()
    info["kbtools"] = subj.label
    for tool in ("hugo",):
        exe = _tool(tool)
        if exe:
            info[tool] = subprocess.run([exe, "version"], capture_output=True,
                                        text=True).stdout.strip()[:80]
    started = dt.datetime.now(dt.UTC)
    print(f"bench/run: sizes and runs {runs_of}, variants interleaved; "
          f"{info['nproc']} CPUs ({info['cpu']}), Python {info['python']}; kbtools "
          f"{subj.label}", flush=True)

    results: dict[int, list[Variant]] = {}
    previews: list[dict] = []
    timing: dict[int, float] = {}
    for n in sizes:
        t = time.perf_counter()
        vs = variants(subj, with_check=with_check, zensical=not args.no_zensical,
                      hugo=not args.no_hugo)
        results[n] = bench_size(n, runs_of[n], args.work, args.seed, subj, vs)
        if not args.no_preview:
            got = bench_preview(n, args.preview_runs or runs_of[n], args.work, subj)
            if got:
                previews.append(got)
        timing[n] = time.perf_counter() - t
        print(f"N={n}: {timing[n] / 60:.1f} min", flush=True)
    rows = summarize(results)
    md_table = table(rows, previews)
    print("\n" + md_table + "\n")
    goals = targets(rows, previews)
    print("\n".join(goals))
    if args.no_write:
        return 0 if all(r.ok or r.skipped for r in rows) else 1

    args.output.mkdir(parents=True, exist_ok=True)
    chart_note = chart(rows, args.output / "ms-per-page.png")
    elapsed = (dt.datetime.now(dt.UTC) - started).total_seconds()
    given = argv if argv is not None else sys.argv[1:]
    cmdline = "bench/run" + (" " + " ".join(given) if given else "")
    slow = [f"{r.variant} at {r.n:,} ({r.wall_s / 60:.1f} min a build)" for r in rows
            if not r.skipped and r.wall_s > 600]
    md = [
        "# Benchmark results",
        "",
        f"Latest `{cmdline}`, {started:%Y-%m-%d %H:%M} UTC, {elapsed / 60:.0f} min in all ("
        + ", ".join(f"N={n:,}: {s / 60:.0f} min" for n, s in timing.items()) + ").",
        f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['memory']} RAM, {info['os']}, "
        f"Python {info['python']}; {info['packages']}"
        + (f"; {info['hugo']}" if "hugo" in info else "") + f"; kbtools at `{info['kbtools']}`. "
        "The machine is shared, so absolute times are noisy; ratios are measured side by side "
        "(variants interleaved, order alternating per round) and are the numbers to compare.",
        "",
        md_table,
        "",
        "- **Material + features (a)**: `mkdocs build -f mkdocs-material.yml`: MkDocs + Material "
        "without kbtools, with the project's theme features (mkdocs.yml's `features`: "
        "navigation.prune, navigation.indexes, instant, tracking, path, top, footer, "
        "search.highlight, search.suggest, content.tooltips), its markdown_extensions and the "
        "search and tags plugins; every topic in one site. **kb build**: `kb build`, the "
        "public and the members site, cold (no `.cache/kbtools` from an earlier build). "
        "**Zensical**: `zensical build -f mkdocs-material.yml`, cold with `-c` (cache "
        "cleared), warm right after the cold build. **Hugo**: Debian's `hugo`, a minimal "
        "layout (title, content, tags, the section's page list; no CSS or JS) over the same "
        "content/ (bench/generate.py writes it to hugo/).",
        "- Medians of " + ", ".join(f"{r} run{'s' if r > 1 else ''} at {n:,}"
                                    for n, r in runs_of.items())
        + ", each build in a fresh process. ms/page = wall time / HTML "
        "pages written (both sites for kb build: topics plus generated pages; 404.html not "
        "counted). Peak memory: the process tree's resident memory, each process's PSS "
        "(pages it shares with a forked parent counted once over the tree), sampled every "
        "50 ms, at least the kernel's peak RSS of its largest process. Largest public page: "
        "the largest "
        "HTML file of the public site (the only site, for the peers). Ratio: median over the "
        "rounds of the variant's wall time over Material's in the same round. kbtools' own "
        "share: CPU seconds of kbtools' own work (load, checks with the passage readings, "
        "plan and generated pages, secrets, audit; `KB_TIMINGS`, kbtools/plugin/timing.py) "
        "over the CPU seconds of the build processes (the shared preparation, its reading "
        "workers and each site's build), summed over the processes; in brackets the same in "
        "wall seconds, which other load on the machine inflates unevenly. CPU time: user + "
        "system seconds of the process tree; it hardly moves with other load on the machine "
        "(wall time does), but it does not credit parallel work, which the wall-time targets do.",
        "- Preview (bench/preview.py): a fresh server per run; first page = start to the "
        "first HTTP 200 of a topic page with its content; edited page = from writing an edit "
        "to the first response holding it.",
        "- Knowledge bases from `bench/generate.py --topics N --seed "
        f"{args.seed}`: about 500 words per topic, 30% members-only, a third of the public "
        "topics with a members passage, subjects of 40%, 15%, 10%, 8%, 8%, 5%, 5%, 4%, 3% "
        "and 2% of the topics.",
    ]
    if slow:
        md.append("- Over 10 minutes a build: " + "; ".join(slow) + ".")
    if chart_note:
        md.append(f"- {chart_note}")
    md += ["", "## Targets of issue 12", "", *goals, "",
           "![ms per page against topic count](ms-per-page.png)", "",
           "## Every run (wall seconds)", "",
           *[f"- N={r.n:,} {r.variant}: {', '.join(str(w) for w in r.walls)}" for r in rows
             if not r.skipped], ""]
    if any(r.walls and max(r.walls) > 1.5 * min(r.walls) for r in rows):
        md[-1:-1] = ["Wall times of one variant vary by more than 1.5× between rounds: other "
                     "work on the machine during the run. Compare the ratios and CPU times.", ""]
    (args.output / "results.md").write_text("\n".join(md), encoding="utf-8")
    raw = {"started": started.isoformat(), "machine": info,
           "args": vars(args) | {"work": str(args.work), "output": str(args.output)},
           "runs": [asdict(r) for vs in results.values() for v in vs for r in v.runs],
           "rows": [asdict(r) for r in rows], "preview": previews}
    (args.output / "results.json").write_text(json.dumps(raw, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.output / 'results.md'}, results.json"
          + ("" if chart_note else " and ms-per-page.png"))
    return 0 if all(r.ok or r.skipped for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
