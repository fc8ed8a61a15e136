"""The speed benchmark behind `bench/run`: plain MkDocs + Material against `kb build`.

For each size N it generates a knowledge base (bench/generate.py), then, RUNS times and with
the variants interleaved (order alternating per run, so noise on this shared machine hits
both), builds it in a fresh subprocess with

  plain     `mkdocs build -f mkdocs-plain.yml`: Material, no kbtools, no features, one site
            of all N topics (the baseline, "a");
  kb build  `kb build -f mkdocs.yml`: both sites, public and members ("b");
  kb check  `kb check -f mkdocs.yml`, when this kbtools has a `check` command.

and measures wall time, peak RSS of the whole process tree (sum of the tree's RSS sampled
every 50 ms, and never less than the largest single process as the kernel reports it),
output size, pages written and the largest HTML page. It prints a Markdown table of the
medians and writes it to bench/results.md (with date and machine), the raw runs to
bench/results.json and a chart of ms per page against N to bench/ms-per-page.png.
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

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
from generate import generate  # noqa: E402

BIN = Path(sys.executable).parent
DEFAULT_SIZES = (100, 1000)
FULL_SIZES = (100, 1000, 5000)
KIB, MIB = 1024, 1024 * 1024


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
    log: str = ""


@dataclass
class Variant:
    name: str
    cmd: list[str]
    outputs: dict[str, str]  # label -> folder (relative to the KB folder), cleaned before a run
    runs: list[Run] = field(default_factory=list)


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
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants, now."""
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


def variants(with_check: bool, subj: Tested) -> list[Variant]:
    out = [
        Variant("plain", [str(BIN / "mkdocs"), "build", "-q", "-f", "mkdocs-plain.yml"],
                {"site": "site-plain"}),
        Variant("kb build", [*subj.kb, "build", "-f", "mkdocs.yml"],
                {"public": "site/public", "members": "site/members"}),
    ]
    if with_check:
        out.append(Variant("kb check", [*subj.kb, "check", "-f", "mkdocs.yml"], {}))
    return out


def bench_size(n: int, runs: int, work: Path, seed: int, with_check: bool,
               subj: Tested) -> list[Variant]:
    env = subj.env
    kb_dir = work / f"kb-{n}"
    t = time.perf_counter()
    s = generate(kb_dir, n, seed, project=subj.project)
    print(f"\nN={n}: generated {s.topics} topics ({s.members} members-only, {s.passages} with a "
          f"members passage, {s.links} links) in {time.perf_counter() - t:.1f} s: {kb_dir}",
          flush=True)
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    vs = variants(with_check, subj)
    for r in range(runs):
        order = vs if r % 2 == 0 else list(reversed(vs))
        for v in order:
            for folder in v.outputs.values():
                shutil.rmtree(kb_dir / folder, ignore_errors=True)
            shutil.rmtree(kb_dir / "site", ignore_errors=True)
            log = logs / f"{n}-{v.name.replace(' ', '-')}-{r + 1}.log"
            wall, peak, rc, cpu = measure(v.cmd, kb_dir, log, env)
            run = Run(n, v.name, r + 1, wall, peak, rc, cpu, log=str(log))
            for label, folder in v.outputs.items():
                size, pages, largest = output_stats(kb_dir / folder)
                run.output_b += size
                run.pages += pages
                run.largest_html_b = max(run.largest_html_b, largest)
                if label == "public":
                    run.largest_public_html_b = largest
                elif label == "members":
                    run.largest_members_html_b = largest
            if v.name == "kb check":
                run.pages = n
            v.runs.append(run)
            status = "" if rc == 0 else f"  FAILED (exit {rc}, see {log})"
            print(f"  run {r + 1}/{runs} {v.name:9} {wall:8.2f} s  (CPU {cpu:7.2f} s)  "
                  f"{peak / MIB:7.0f} MiB  "
                  f"{run.pages:5} pages{status}", flush=True)
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


def summarize(results: dict[int, list[Variant]]) -> list[Row]:
    rows = []
    for n, vs in results.items():
        base: Variant | None = None
        for v in vs:
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
            if v.name == "plain":
                base = v
            elif base is not None:
                # Paired: each run against the plain build of the same round (adjacent in
                # time), then the median, so a noisy minute hits both sides of a ratio.
                pairs = [r.wall_s / b.wall_s for r, b in zip(v.runs, base.runs)
                         if r.rc == 0 and b.rc == 0]
                row.ratio = statistics.median(pairs) if pairs else None
                cpu_pairs = [r.cpu_s / b.cpu_s for r, b in zip(v.runs, base.runs)
                             if r.rc == 0 and b.rc == 0 and b.cpu_s > 0]
                row.cpu_ratio = statistics.median(cpu_pairs) if cpu_pairs else None
            rows.append(row)
    return rows


def _size(b: int) -> str:
    return f"{b / MIB:,.1f} MiB" if b >= MIB else f"{b / KIB:,.0f} KiB"


def table(rows: list[Row]) -> str:
    lines = ["| N topics | variant | wall time | ms/page | pages | peak RSS | output size | "
             "largest HTML | ratio b/a | CPU time | CPU ratio b/a |",
             "|---:|---|---:|---:|---:|---:|---:|---|---:|---:|---:|"]
    for r in rows:
        wall = f"{r.wall_s:,.1f} s" + ("" if r.ok else " (FAILED)")
        if r.variant == "kb build":
            largest = (f"public {_size(r.largest_public_html_b)}, "
                       f"members {_size(r.largest_members_html_b)}")
        elif r.variant == "kb check":
            largest = "–"
        else:
            largest = _size(r.largest_html_b)
        ratio = "baseline" if r.variant == "plain" else (
            f"{r.ratio:.2f}×" if r.ratio is not None else "–")
        per = "ms/topic" if r.variant == "kb check" else ""
        lines.append(f"| {r.n:,} | {r.variant} | {wall} | {r.ms_per_page:,.1f}{' ' + per if per else ''}"
                     f" | {r.pages:,} | {r.peak_rss_b / MIB:,.0f} MiB | "
                     f"{_size(r.output_b) if r.output_b else '–'} | {largest} | {ratio} | "
                     f"{r.cpu_s:,.1f} s | " + ("baseline" if r.variant == "plain" else
                                              f"{r.cpu_ratio:.2f}×" if r.cpu_ratio else "–")
                     + " |")
    return "\n".join(lines)


def targets(rows: list[Row]) -> list[str]:
    """The issue's targets, checked against what this run measured."""
    by = {(r.n, r.variant): r for r in rows}
    out = []

    def verdict(ok: bool) -> str:
        return "met" if ok else "**not met**"

    for n, limit in ((1000, 0.2), (5000, 0.05)):
        r = by.get((n, "kb build"))
        if r and r.ratio is not None:
            out.append(f"- Both sites at {n:,} topics at most {limit}× plain: {r.ratio:.2f}× "
                       f"({verdict(r.ratio <= limit)}).")
        else:
            out.append(f"- Both sites at {n:,} topics at most {limit}× plain: not measured"
                       + (" (run `bench/run --full`)." if n == 5000 else "."))
    a, b = by.get((1000, "kb build")), by.get((5000, "kb build"))
    if a and b:
        g = b.ms_per_page / a.ms_per_page
        out.append(f"- ms/page at 5,000 at most 1.3× ms/page at 1,000: {g:.2f}× ({verdict(g <= 1.3)}).")
        out.append(f"- Peak RSS at 5,000 at most 1 GiB: {b.peak_rss_b / MIB:,.0f} MiB "
                   f"({verdict(b.peak_rss_b <= 1024 * MIB)}).")
        out.append(f"- Largest public HTML at 5,000 under 100 KiB: "
                   f"{_size(b.largest_public_html_b)} ({verdict(b.largest_public_html_b < 100 * KIB)}).")
    else:
        small = by.get((100, "kb build"))
        if a and small:
            g = a.ms_per_page / small.ms_per_page
            out.append(f"- Growth (5,000 vs 1,000 needs `--full`); here ms/page at 1,000 is "
                       f"{g:.2f}× ms/page at 100.")
        if a:
            out.append(f"- Peak RSS and largest public HTML at 1,000 (targets are for 5,000): "
                       f"{a.peak_rss_b / MIB:,.0f} MiB, {_size(a.largest_public_html_b)}.")
    out.append("- kbtools' own share of the build: see bench/profile.md (`bench/profile.py`).")
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
    for dist in ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "jinja2"):
        try:
            from importlib.metadata import version
            versions[dist] = version(dist)
        except Exception:  # noqa: BLE001 (informational only)
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
    styles = {"plain": ("plain MkDocs + Material, one site (a)", "o-", "#888888"),
              "kb build": ("kb build, both sites (b)", "s-", "#1565c0")}
    for variant, (label, marker, color) in styles.items():
        pts = sorted((r.n, r.ms_per_page) for r in rows if r.variant == variant and r.ok)
        if pts:
            xs, ys = zip(*pts)
            ax.plot(xs, ys, marker, label=label, color=color)
            for x, y in pts:
                ax.annotate(f"{y:.0f}", (x, y), textcoords="offset points", xytext=(6, 4),
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
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)
    return None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench/run", description=__doc__.split("\n\n")[0])
    p.add_argument("--full", action="store_true",
                   help="also N=5,000 (plain Material then takes about 19 min and 8 GB)")
    p.add_argument("--sizes", help="comma-separated topic counts instead of 100,1000")
    p.add_argument("--runs", type=int, default=3, help="runs per variant (default 3)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--work", type=Path, default=BENCH / ".work",
                   help="folder for the generated knowledge bases (default bench/.work)")
    p.add_argument("--ref", help="measure this commit of kbtools (kbtools/, overrides/, "
                   "mkdocs.yml exported with git archive) instead of the working tree, which "
                   "others may be editing while the benchmark runs")
    p.add_argument("--no-check", action="store_true", help="do not time `kb check`")
    p.add_argument("--output", type=Path, default=BENCH,
                   help="folder for results.md, results.json and ms-per-page.png (default bench/)")
    p.add_argument("--no-write", action="store_true",
                   help="only print: leave bench/results.md, results.json and the chart alone")
    args = p.parse_args(argv)
    sizes = ([int(x.replace("_", "")) for x in args.sizes.split(",")] if args.sizes
             else list(FULL_SIZES if args.full else DEFAULT_SIZES))
    if args.runs < 1:
        p.error("--runs must be at least 1")

    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", DISABLE_MKDOCS_2_WARNING="true")
    for key in ("KB_SITE", "SOURCE_DATE_EPOCH"):
        env.pop(key, None)
    subj = tested(args.ref, args.work, env)
    with_check = not args.no_check and has_check(subj)
    check_note = ("" if with_check else
                  "`kb check` not timed: " + ("--no-check." if args.no_check
                                              else "this kbtools has no `check` command."))
    info = machine()
    info["kbtools"] = subj.label
    started = dt.datetime.now(dt.timezone.utc)
    print(f"bench/run: sizes {sizes}, {args.runs} runs each, variants interleaved; "
          f"{info['nproc']} CPUs ({info['cpu']}), Python {info['python']}; kbtools "
          f"{subj.label}", flush=True)
    if check_note:
        print(check_note)

    results: dict[int, list[Variant]] = {}
    for n in sizes:
        results[n] = bench_size(n, args.runs, args.work, args.seed, with_check, subj)
    rows = summarize(results)
    md_table = table(rows)
    print("\n" + md_table + "\n")
    goals = targets(rows)
    print("\n".join(goals))
    if args.no_write:
        return 0 if all(r.ok for r in rows) else 1

    args.output.mkdir(parents=True, exist_ok=True)
    chart_note = chart(rows, args.output / "ms-per-page.png")
    elapsed = (dt.datetime.now(dt.timezone.utc) - started).total_seconds()
    cmdline = "bench/run" + (" " + " ".join(argv if argv is not None else sys.argv[1:])
                             if (argv if argv is not None else sys.argv[1:]) else "")
    md = [
        "# Benchmark results",
        "",
        f"Latest `{cmdline}`, {started:%Y-%m-%d %H:%M} UTC, {elapsed / 60:.0f} min in all.",
        f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['memory']} RAM, {info['os']}, "
        f"Python {info['python']}; {info['packages']}; kbtools at `{info['kbtools']}`. "
        "The machine is shared, so absolute times are noisy; the ratio b/a is measured "
        "side by side (variants interleaved, order alternating per run) and is the number "
        "to compare.",
        "",
        md_table,
        "",
        "- **plain (a)**: `mkdocs build -f mkdocs-plain.yml`: Material without kbtools and "
        "without theme features, the same Markdown (plain-docs/, a byte copy of content/), "
        "every topic in one site. **kb build (b)**: `kb build`, the public and the members "
        "site. **kb check**: `kb check`, every check without rendering.",
        f"- Medians of {args.runs} runs, each in a fresh process. ms/page = wall time / HTML "
        "pages written (both sites for kb build: topics plus generated pages; 404.html not "
        "counted); for kb check, ms per topic. Peak RSS: the process tree's resident memory "
        "(sampled every 50 ms, at least the kernel's peak of its largest process). Output "
        "size: every file written. Ratio b/a: median over the rounds of the variant's wall time "
        "over plain's in the same round (adjacent in time, order alternating). CPU time: "
        "user + system seconds of the process tree; it hardly moves with other load on the "
        "machine (wall time does), but it does not credit parallel work, which the wall-time "
        "targets do.",
        "- Knowledge bases from `bench/generate.py --topics N --seed "
        f"{args.seed}`: about 500 words per topic, 30% members-only.",
    ]
    if check_note:
        md.append(f"- {check_note}")
    if chart_note:
        md.append(f"- {chart_note}")
    md += ["", "## Targets of issue 7", "", *goals, "",
           "![ms per page against topic count](ms-per-page.png)", "",
           "## Every run (wall seconds)", "",
           *[f"- N={r.n:,} {r.variant}: {', '.join(str(w) for w in r.walls)}" for r in rows], ""]
    if any(r.walls and max(r.walls) > 1.5 * min(r.walls) for r in rows):
        md[-1:-1] = ["Wall times of one variant vary by more than 1.5× between rounds: other "
                     "work on the machine during the run. Compare the ratios and CPU times.", ""]
    (args.output / "results.md").write_text("\n".join(md), encoding="utf-8")
    raw = {"started": started.isoformat(), "machine": info,
           "args": vars(args) | {"work": str(args.work), "output": str(args.output)},
           "runs": [asdict(r) for vs in results.values() for v in vs for r in v.runs],
           "rows": [asdict(r) for r in rows]}
    (args.output / "results.json").write_text(json.dumps(raw, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.output / 'results.md'}, results.json"
          + ("" if chart_note else " and ms-per-page.png"))
    return 0 if all(r.ok for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
