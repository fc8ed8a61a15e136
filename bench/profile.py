#!/usr/bin/env python3
"""Profile `kb build` (both sites) with cProfile and write bench/profile.md.

    .venv/bin/python bench/profile.py [--sizes 250,1000] [--seed 0]

For each size it generates a knowledge base (bench/generate.py), runs `kb build -f
mkdocs.yml` once under cProfile in a fresh process (the profile goes to
bench/.work/profile-N.prof, for `python -m pstats` or snakeviz), and groups the cumulative
time: Markdown rendering, Jinja templates (and the nav partials in them), the search index,
the tags plugin, kbtools' own work (load, check, plan, generated pages, per-page events,
secrets and audit), file writes, config loading, the rest. Comparing ms per page between
the two sizes shows what grows faster than the site. A "## Reading" section already in
bench/profile.md is kept.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import pstats
import re
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

Func = tuple[str, int, str]  # (file, line, function), as pstats keys them

CHILD = """
import cProfile, sys
from kbtools.cli import main
prof = cProfile.Profile()
prof.enable()
try:
    main(["build", "-f", "mkdocs.yml"], standalone_mode=False)
finally:
    prof.disable()
    prof.dump_stats(sys.argv[1])
"""


def _is(func: Func, path_part: str, name: str | None = None, *, prefix: bool = False) -> bool:
    file, _, fname = func
    if path_part not in file.replace(os.sep, "/"):
        return False
    if name is None:
        return True
    return fname.startswith(name) if prefix else fname == name


def _cum(stats: dict, pred) -> float:
    return sum(v[3] for f, v in stats.items() if pred(f))


def _calls(stats: dict, pred) -> int:
    return sum(v[1] for f, v in stats.items() if pred(f))


def _self(stats: dict, pred) -> float:
    return sum(v[2] for f, v in stats.items() if pred(f))


# Work that does not depend on how busy the machine is: calls per page rendered.
COUNTERS = (
    ("nav-item.html macro (one nav entry rendered)",
     lambda f: f[0].endswith("partials/nav-item.html") and f[2] == "macro"),
    ("mkdocs get_relative_url (one URL made relative)",
     lambda f: _is(f, "mkdocs/utils/__init__.py", "get_relative_url")),
    ("audit _resolve (one URL-like token of the public output)",
     lambda f: _is(f, "kbtools/core/output/leak_audit.py", "_resolve")),
    ("secrets PhraseSet.find (one text the audit scans)",
     lambda f: _is(f, "kbtools/core/output/secrets.py", "find")),
    ("secrets phrase comparisons (list comprehension in discard_found_in)",
     lambda f: _is(f, "kbtools/core/output/secrets.py", "<listcomp>")),
    ("builtin len (mostly the audit's phrase matching)",
     lambda f: f[2] == "<built-in method builtins.len>"),
    ("Markdown inline pattern applications",
     lambda f: _is(f, "markdown/treeprocessors.py", "__applyPattern")),
)


def analyse(prof: Path) -> dict:
    st = pstats.Stats(str(prof))
    stats = st.stats  # type: ignore[attr-defined]
    # The outermost call's cumulative time: cumulative times include some profiler overhead
    # that total_tt leaves out, so shares must be taken against a cumulative total.
    total = max(v[3] for v in stats.values())
    pages = _calls(stats, lambda f: _is(f, "mkdocs/commands/build.py", "_build_page"))
    groups: dict[str, float] = {}
    groups["Markdown → HTML (Page.render: Python-Markdown and extensions)"] = _cum(
        stats, lambda f: _is(f, "mkdocs/structure/pages.py", "render"))
    jinja = _cum(stats, lambda f: _is(f, "jinja2/environment.py", "render"))  # Template.render
    nav = _cum(stats, lambda f: f[2] == "root" and f[0].replace(os.sep, "/").endswith(
        ("partials/nav.html",)))
    groups["Jinja page templates, without the nav"] = jinja - nav
    groups["Jinja: the nav partials (partials/nav.html and nav-item.html)"] = nav
    groups["Search index (Material search plugin events)"] = _cum(
        stats, lambda f: _is(f, "material/plugins/search/plugin.py", "on_", prefix=True))
    groups["Tags plugin (Material tags plugin events)"] = _cum(
        stats, lambda f: _is(f, "material/plugins/tags/plugin.py", "on_", prefix=True))
    kb_events = {f: v for f, v in stats.items()
                 if _is(f, "kbtools/plugin/plugin.py") and f[2].startswith("on_")}
    groups["kbtools' own work (KbPlugin events: load, check, plan, pages, audit)"] = sum(
        v[3] for v in kb_events.values())
    groups["File writes and copies (write_file, copy_file)"] = _cum(
        stats, lambda f: _is(f, "mkdocs/utils/__init__.py") and f[2] in ("write_file", "copy_file"))
    groups["Config loading (load_config, plugins)"] = _cum(
        stats, lambda f: _is(f, "mkdocs/config/base.py", "load_config"))
    groups["Everything else (files, nav building, page context, sitemap, redirects, ...)"] = max(
        0.0, total - sum(groups.values()))

    kb: dict[str, float] = {}
    for f, v in sorted(kb_events.items(), key=lambda kv: -kv[1][3]):
        kb[f"KbPlugin.{f[2]} ({v[1]} calls)"] = v[3]
    detail = {
        "load (read and parse topics)": lambda f: _is(f, "kbtools/core/reading/loading.py", "load"),
        "check (all checks, both sites)":
            lambda f: _is(f, "kbtools/core/checks/content.py", "check"),
        "plan (per site)": lambda f: _is(f, "kbtools/core/site/plan.py", "plan"),
        "secrets.collect (what the audit looks for)":
            lambda f: _is(f, "kbtools/core/output/secrets.py", "collect"),
        "audit.audit (reads every public file)":
            lambda f: _is(f, "kbtools/core/output/leak_audit.py", "audit"),
        "staging commit (swap folders)":
            lambda f: _is(f, "kbtools/core/output/staging.py", "commit"),
    }
    kb_detail = {k: _cum(stats, p) for k, p in detail.items()}
    kb_self = _self(stats, lambda f: "kbtools/" in f[0].replace(os.sep, "/"))

    # Jinja time by template file ("root" of each compiled template: includes nested calls)
    templates: dict[str, float] = defaultdict(float)
    for f, v in stats.items():
        if f[2] == "root" and f[0].endswith(".html"):
            parts = f[0].replace(os.sep, "/").split("/")
            name = "/".join(parts[-2:]) if parts[-2] == "partials" else parts[-1]
            if "overrides" in parts:
                name = "overrides/" + name
            templates[name] += v[3]

    def top(key: int, n: int) -> list[tuple[Func, tuple]]:
        return sorted(stats.items(), key=lambda kv: -kv[1][key])[:n]

    counters = {label: _calls(stats, pred) for label, pred in COUNTERS}
    return {"total": total, "pages": pages, "groups": groups, "kb": kb, "kb_detail": kb_detail,
            "kb_self": kb_self, "templates": dict(templates), "counters": counters,
            "top_cum": top(3, 35), "top_self": top(2, 30)}


def _name(f: Func) -> str:
    file, line, name = f
    file = file.replace(os.sep, "/")
    for marker in ("site-packages/", "/kbtools/"):
        if marker in file:
            file = ("kbtools/" if marker == "/kbtools/" else "") + file.split(marker, 1)[1]
            break
    if file == "~":
        return name
    return f"{file}:{line}({name})"


def _env() -> dict[str, str]:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", DISABLE_MKDOCS_2_WARNING="true")
    env.pop("KB_SITE", None)
    env.pop("SOURCE_DATE_EPOCH", None)
    return env


# Sampling (py-spy): no instrumentation, so no overhead on Python-heavy code. Each sample is
# one stack; it goes to the first group whose marker is on it (nav before the rest of Jinja).
SAMPLE_RATE = 50
SAMPLE_GROUPS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("kbtools' own work (KbPlugin events)", re.compile(r"KbPlugin\.on_")),
    ("Markdown → HTML (Page.render)", re.compile(r"Page\.render \(mkdocs/structure/pages\.py")),
    ("Jinja: the nav partials", re.compile(r"\((?:[^()]*/)?nav(?:-item)?\.html:")),
    ("Jinja page templates, without the nav", re.compile(r"Template\.render \(jinja2/")),
    ("Search index (Material search plugin)", re.compile(r"SearchPlugin\.on_")),
    ("Tags plugin (Material tags plugin)", re.compile(r"TagsPlugin\.on_")),
    ("File writes and copies", re.compile(r"(?:write_file|copy_file) \(mkdocs/")),
    ("Config loading", re.compile(r"load_config \(mkdocs/")),
    ("Imports and start-up", re.compile(r"^(?!.*build_site)")),
)
KB_SAMPLE_DETAIL: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("load (read and parse topics)", re.compile(r";load \(kbtools/core/reading/loading\.py")),
    ("check (all checks, both sites)", re.compile(r";check \(kbtools/core/checks/content\.py")),
    ("plan (per site)", re.compile(r";plan \(kbtools/core/site/plan\.py")),
    ("secrets.collect", re.compile(r";collect \(kbtools/core/output/secrets\.py")),
    ("audit.audit (reads every public file)",
     re.compile(r";audit \(kbtools/core/output/leak_audit\.py")),
)


def sample(n: int, work: Path, env: dict[str, str]) -> Path | None:
    """`kb build` under py-spy; None when py-spy is missing or cannot attach."""
    spy = shutil.which("py-spy", path=f"{Path(sys.executable).parent}{os.pathsep}"
                       f"{os.environ.get('PATH', '')}")
    if spy is None:
        return None
    kb_dir = work / f"kb-{n}"
    shutil.rmtree(kb_dir / "site", ignore_errors=True)
    out = (work / f"py-spy-{n}.txt").resolve()
    print(f"N={n}: kb build under py-spy ...", flush=True)
    r = subprocess.run([spy, "record", "-r", str(SAMPLE_RATE), "-f", "raw", "-o", str(out), "--",
                        sys.executable, "-m", "kbtools.cli", "build", "-f", "mkdocs.yml"],
                       cwd=kb_dir, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    if r.returncode != 0 or not out.exists():
        print(f"py-spy failed: {r.stderr.strip()[-300:]}", flush=True)
        return None
    return out


def analyse_samples(path: Path) -> dict:
    groups = {name: 0 for name, _ in SAMPLE_GROUPS}
    groups["Everything else"] = 0
    kb = {name: 0 for name, _ in KB_SAMPLE_DETAIL}
    total = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        k = int(count)
        total += k
        for name, pattern in SAMPLE_GROUPS:
            if pattern.search(stack):
                groups[name] += k
                break
        else:
            groups["Everything else"] += k
        for name, pattern in KB_SAMPLE_DETAIL:
            if pattern.search(stack):
                kb[name] += k
    return {"total": total, "groups": groups, "kb": kb}


def profile(n: int, seed: int, work: Path, project: Path, env: dict[str, str],
            ) -> tuple[Path, float]:
    from generate import generate

    kb_dir = work / f"kb-{n}"
    generate(kb_dir, n, seed, project=project)
    out = (work / f"profile-{n}.prof").resolve()
    print(f"N={n}: kb build under cProfile ...", flush=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", CHILD, str(out)], cwd=kb_dir, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    out.with_suffix(".wall").write_text(f"{wall:.3f}\n")
    print(f"N={n}: {wall:.1f} s under the profiler -> {out}", flush=True)
    return out, wall


def report(results: dict[int, dict], walls: dict[int, float], seed: int,
           samples: dict[int, dict], label: str, ref: str | None) -> str:
    sizes = sorted(results)
    big, small = sizes[-1], sizes[0]
    lines = ["# Profile of `kb build` (both sites)", "",
             f"`.venv/bin/python bench/profile.py --sizes {','.join(map(str, sizes))} --seed "
             f"{seed}{' --ref ' + ref if ref else ''}`, "
             f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, kbtools at `{label}`. "
             "One `kb build` per size under cProfile, in a fresh process, on the generated "
             "knowledge base; cProfile slows Python-heavy code more than the rest, so read the "
             "shares, not the seconds. Raw profiles: bench/.work/profile-N.prof.", ""]
    head = "| group | " + " | ".join(f"N={n:,}: s | % | ms/page" for n in sizes)
    if len(sizes) > 1:
        head += f" | ms/page growth {small:,}→{big:,} |"
    else:
        head += " |"
    lines += ["## Where the time goes", "", head,
              "|---|" + "---:|---:|---:|" * len(sizes) + ("---:|" if len(sizes) > 1 else "")]
    for g in results[big]["groups"]:
        cells = []
        for n in sizes:
            r = results[n]
            s = r["groups"][g]
            cells.append(f"{s:,.1f} | {100 * s / r['total']:.0f}% | "
                         f"{1000 * s / max(r['pages'], 1):,.1f}")
        row = f"| {g} | " + " | ".join(cells)
        if len(sizes) > 1:
            a = results[small]["groups"][g] / max(results[small]["pages"], 1)
            b = results[big]["groups"][g] / max(results[big]["pages"], 1)
            row += f" | {b / a:.2f}× |" if a > 0 else " | – |"
        else:
            row += " |"
        lines.append(row)
    tot = []
    for n in sizes:
        r = results[n]
        tot.append(f"{r['total']:,.1f} | 100% | {1000 * r['total'] / max(r['pages'], 1):,.1f}")
    growth = ((results[big]["total"] / results[big]["pages"])
              / (results[small]["total"] / results[small]["pages"]))
    lines.append("| **total under cProfile** | " + " | ".join(tot)
                 + (f" | {growth:.2f}× |" if len(sizes) > 1 else " |"))
    lines += ["", "Pages rendered (both sites): " + ", ".join(
        f"{results[n]['pages']:,} at N={n:,}" for n in sizes) + ". Wall time under the "
        "profiler: " + ", ".join(f"{walls[n]:.0f} s at N={n:,}" for n in sizes) + ".", ""]
    if samples:
        ss = sorted(samples)
        lines += ["## The same, sampled without instrumentation (py-spy)", "",
                  f"`py-spy record -r {SAMPLE_RATE}` of one more `kb build` per size: no "
                  "per-call overhead, so these shares are the ones to trust; each sample "
                  "counts once, in the first group on its stack (bench/.work/py-spy-N.txt). "
                  "Samples are wall-clock: the growth column moves with the machine's load "
                  "(other builds on this shared machine); the call counts above do not.", "",
                  "| group | " + " | ".join(f"N={n:,}: s | %" for n in ss) + " |"
                  + (f" ms/page growth {ss[0]:,}→{ss[-1]:,} |" if len(ss) > 1 else ""),
                  "|---|" + "---:|---:|" * len(ss) + ("---:|" if len(ss) > 1 else "")]
        names = list(samples[ss[-1]]["groups"])
        for g in [*names, "**total (sampled)**"]:
            cells = []
            for n in ss:
                s = samples[n]
                k = s["total"] if g.startswith("**") else s["groups"][g]
                cells.append(f"{k / SAMPLE_RATE:,.1f} | {100 * k / max(s['total'], 1):.0f}%")
            row = f"| {g} | " + " | ".join(cells) + " |"
            if len(ss) > 1:
                def per(n: int, g: str = g) -> float:
                    s = samples[n]
                    k = s["total"] if g.startswith("**") else s["groups"][g]
                    return k / max(results[n]["pages"], 1)
                row += f" {per(ss[-1]) / per(ss[0]):.2f}× |" if per(ss[0]) else " – |"
            lines.append(row)
        s = samples[ss[-1]]
        lines += ["", f"kbtools at N={ss[-1]:,}, sampled: " + ", ".join(
            f"{name} {100 * k / max(s['total'], 1):.1f}%" for name, k in s["kb"].items())
            + ".", ""]

    if len(sizes) > 1:
        lines += ["## Work per page (call counts: exact, whatever the machine's load)", "",
                  "| calls of | " + " | ".join(f"N={n:,}: per page" for n in sizes)
                  + f" | growth {small:,}→{big:,} |",
                  "|---|" + "---:|" * len(sizes) + "---:|"]
        for label in results[big]["counters"]:
            per = [results[n]["counters"][label] / max(results[n]["pages"], 1) for n in sizes]
            growth = f"{per[-1] / per[0]:.2f}×" if per[0] else "–"
            lines.append(f"| {label} | " + " | ".join(f"{x:,.0f}" for x in per)
                         + f" | {growth} |")
        lines.append("")
    r = results[big]
    lines += [f"## kbtools' own work at N={big:,}", "",
              f"Event handlers of the kb plugin (cumulative, including the MkDocs and YAML code "
              f"they call): {sum(r['kb'].values()):.1f} s, "
              f"{100 * sum(r['kb'].values()) / r['total']:.1f}% of the build. Time spent in "
              f"kbtools' own code alone (self time of every kbtools function, wherever called, "
              f"including the members block extension inside Markdown): {r['kb_self']:.1f} s, "
              f"{100 * r['kb_self'] / r['total']:.1f}%.", "",
              "| kbtools | s | % of build |", "|---|---:|---:|"]
    for k, v in list(r["kb"].items())[:12]:
        lines.append(f"| {k} | {v:.2f} | {100 * v / r['total']:.1f}% |")
    for k, v in r["kb_detail"].items():
        lines.append(f"| ↳ {k} | {v:.2f} | {100 * v / r['total']:.1f}% |")
    lines += ["", f"## Jinja templates at N={big:,} (cumulative, nested templates included "
              "in their parents)", "", "| template | s | % of build |", "|---|---:|---:|"]
    for name, v in sorted(r["templates"].items(), key=lambda kv: -kv[1])[:12]:
        lines.append(f"| {name} | {v:.1f} | {100 * v / r['total']:.0f}% |")
    lines += ["", f"## Top functions at N={big:,} by cumulative time", "",
              "| function | calls | cumulative s | % |", "|---|---:|---:|---:|"]
    for f, v in r["top_cum"]:
        lines.append(f"| `{_name(f)}` | {v[1]:,} | {v[3]:.1f} | {100 * v[3] / r['total']:.0f}% |")
    lines += ["", f"## Top functions at N={big:,} by self time", "",
              "| function | calls | self s | % |", "|---|---:|---:|---:|"]
    for f, v in r["top_self"]:
        lines.append(f"| `{_name(f)}` | {v[1]:,} | {v[2]:.1f} | {100 * v[2] / r['total']:.1f}% |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="250,1000", help="topic counts (default 250,1000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--work", type=Path, default=BENCH / ".work")
    p.add_argument("--out", type=Path, default=BENCH / "profile.md")
    p.add_argument("--no-sampling", action="store_true", help="skip the py-spy run")
    p.add_argument("--ref", help="profile this commit of kbtools instead of the working tree")
    p.add_argument("--analyse-only", action="store_true",
                   help="reuse bench/.work/profile-N.prof from an earlier run")
    args = p.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",")]
    from bench import tested

    subj = tested(args.ref, args.work, _env())
    print(f"kbtools {subj.label}", flush=True)
    results, walls, samples = {}, {}, {}
    for n in sizes:
        if args.analyse_only:
            prof = args.work / f"profile-{n}.prof"
            wall_file = prof.with_suffix(".wall")
            walls[n] = float(wall_file.read_text()) if wall_file.exists() else float("nan")
            spied: Path | None = args.work / f"py-spy-{n}.txt"
        else:
            prof, walls[n] = profile(n, args.seed, args.work, subj.project, subj.env)
            spied = None if args.no_sampling else sample(n, args.work, subj.env)
        results[n] = analyse(prof)
        if spied is not None and spied.exists():
            samples[n] = analyse_samples(spied)
    text = report(results, walls, args.seed, samples, subj.label, args.ref)
    reading = ""
    if args.out.exists():
        old = args.out.read_text(encoding="utf-8")
        if "\n## Reading" in old:
            reading = old[old.index("\n## Reading") + 1:]
    args.out.write_text(text + ("\n" + reading if reading else ""), encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
