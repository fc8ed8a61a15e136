#!/usr/bin/env python3
"""The writer's preview, timed: `kb serve` against plain `mkdocs serve` on generated topics.

    .venv/bin/python bench/preview.py                    # 1,000 and 5,000 topics, 3 runs
    .venv/bin/python bench/preview.py --sizes 1000 --runs 3 --no-plain --json out.json

For every size (one knowledge base from bench/generate.py, in --work) and every run, a fresh
server process is started and two times are measured from outside, over HTTP, as a writer
sees them:

first page  from starting the process to the first HTTP 200 of a topic page holding that
            topic's real content (a sentence of its body);
save        from writing an edit to the topic's file to the first response of that page
            holding the edit (the page a browser gets when live reload fires).

`kb serve --public` keeps what it remembers in .cache/kbtools/ when it stops: the first run
starts cold (--cold: every run does), the others warm, as a writer's second start of the
day. `mkdocs serve` of the same topics (plain MkDocs + Material, bench/generate.py's
mkdocs-plain.yml) is timed the same way. Each time is also given as the CPU seconds the
server used (from /proc), which the machine's load does not stretch. Medians of the runs
are printed and, with --json, written for bench/run.

Importable: ``measure(n, runs, work, seed, plain) -> dict``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

POLL = 0.01  # seconds between requests while waiting
TIMEOUT = 600.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, ""
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return 0, ""


def _wait(url: str, needle: str, proc: subprocess.Popen[bytes], start: float) -> float:
    while time.monotonic() - start < TIMEOUT:
        status, body = _get(url)
        if status == 200 and needle in body:
            return time.monotonic() - start
        if proc.poll() is not None:
            raise RuntimeError(f"the server ended (exit {proc.returncode}) before {url} "
                               f"showed {needle!r}")
        time.sleep(POLL)
    raise RuntimeError(f"{url} did not show {needle!r} within {TIMEOUT:.0f} s")


def cpu_seconds(pid: int) -> float:
    """CPU time the process has used (user + system): what the machine's load cannot
    stretch, unlike the wall-clock times (Linux /proc; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pick_topic(docs: Path) -> Path:
    """A public topic without a members passage, in the first subject: the page edited."""
    for path in sorted(docs.rglob("*.md")):
        text = path.read_text()
        if "visibility: public" in text and "/// members" not in text \
                and path.name != "index.md":
            return path
    raise RuntimeError(f"no public topic in {docs}")


def _sentence(path: Path) -> str:
    body = path.read_text().split("\n---\n", 1)[1]
    for line in body.splitlines():
        if line and line[0].isalpha() and len(line) > 40:
            return line[:60]
    raise RuntimeError(f"no sentence in {path}")


def run_once(cmd: list[str], cwd: Path, topic: Path, docs: Path, run: int) -> dict[str, float]:
    """One server process: first page, then one save."""
    port = _free_port()
    rel = topic.relative_to(docs).with_suffix("").as_posix()
    url = f"http://127.0.0.1:{port}/{rel}/"
    original = topic.read_text()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
    start = time.monotonic()
    # Ctrl+C must work as in a terminal, even when this script runs in the background (where
    # the shell has the children ignore SIGINT).
    proc = subprocess.Popen([*cmd, "-a", f"127.0.0.1:{port}"], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        first = _wait(url, _sentence(topic), proc, start)
        cpu_first = cpu_seconds(proc.pid)
        time.sleep(1.0)  # let the watcher settle, as a writer would be reading
        marker = f"Preview edit {run} {time.time_ns()} saved here."
        cpu_before = cpu_seconds(proc.pid)
        saved = time.monotonic()
        topic.write_text(original.rstrip("\n") + f"\n\n{marker}\n")
        save = _wait(url, marker, proc, saved)
        cpu_save = cpu_seconds(proc.pid) - cpu_before
    finally:
        topic.write_text(original)
        # Ctrl+C: `kb serve` then keeps its memo for the next run (a few seconds at 5,000).
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=180)
        except subprocess.TimeoutExpired:
            print(f"warning: {cmd[0]} did not stop within 180 s; killed", file=sys.stderr)
            proc.kill()
            proc.wait()
    return {"first_page": first, "save": save, "cpu_first_page": cpu_first,
            "cpu_save": cpu_save}


def measure(n: int, runs: int, work: Path, seed: int = 0, plain: bool = True,
            python: str = sys.executable, cold: bool = False) -> dict[str, object]:
    """Medians (and every run) of `kb serve --public` and, with ``plain``, `mkdocs serve`."""
    kb_dir = work / f"kb{n}"
    if not (kb_dir / "mkdocs.yml").is_file():
        generate(kb_dir, n, seed)
    bin_dir = Path(python).parent
    variants = {"kb serve": ([str(bin_dir / "kb"), "serve", "--public"], kb_dir / "content")}
    if plain:
        variants["mkdocs serve"] = ([str(bin_dir / "mkdocs"), "serve", "-f",
                                     "mkdocs-plain.yml"], kb_dir / "plain-docs")
    result: dict[str, object] = {"topics": n, "runs": runs, "cold": cold}
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
    shutil.rmtree(kb_dir / ".cache" / "kbtools", ignore_errors=True)  # run 0 starts cold
    for run in range(runs):  # interleaved: the machine's load falls on both alike
        if cold:
            shutil.rmtree(kb_dir / ".cache" / "kbtools", ignore_errors=True)
        for name, (cmd, docs) in variants.items():
            samples[name].append(run_once(cmd, kb_dir, pick_topic(docs), docs, run))
    for name, runs_of in samples.items():
        result[name] = {
            "first_page_s": statistics.median(r["first_page"] for r in runs_of),
            "save_s": statistics.median(r["save"] for r in runs_of),
            "cpu_first_page_s": statistics.median(r["cpu_first_page"] for r in runs_of),
            "cpu_save_s": statistics.median(r["cpu_save"] for r in runs_of),
            "runs": runs_of,
        }
    return result


def table(results: list[dict[str, object]]) -> str:
    """The medians as a Markdown table."""
    lines = ["| topics | server | first page (s) | save to page (s) | CPU: first page (s) | "
             "CPU: save (s) |", "|---:|---|---:|---:|---:|---:|"]
    for r in results:
        for name in ("kb serve", "mkdocs serve"):
            v = r.get(name)
            if isinstance(v, dict):
                lines.append(f"| {r['topics']:,} | `{name}` | {v['first_page_s']:.2f} | "
                             f"{v['save_s']:.2f} | {v['cpu_first_page_s']:.2f} | "
                             f"{v['cpu_save_s']:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,5000", help="topic counts (default 1000,5000)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=Path("/tmp/kb-preview-bench"),
                        help="where the generated knowledge bases go (reused)")
    parser.add_argument("--no-plain", dest="plain", action="store_false",
                        help="time only `kb serve`")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--cold", action="store_true",
                        help="remove kb serve's memo (.cache/kbtools) before every run")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    results = []
    for n in (int(s) for s in args.sizes.split(",")):
        results.append(measure(n, args.runs, args.work, args.seed, args.plain,
                               cold=args.cold))
        print(table(results[-1:]).split("\n", 2)[-1], flush=True)
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
