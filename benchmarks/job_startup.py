"""Benchmark: start-up overhead of the default run's jobs, before vs after a change, side by side.

A rule job pays, before any science: a Python interpreter, Snakemake's script preamble
(``snakemake.logging``, ``snakemake.iocontainers``, unpickling its ``snakemake`` object) and the
imports of its script. For every rule of the default DAG this benchmark runs, in fresh
interpreters, exactly that: the preamble's imports, then every import statement of the rule's
script (module level and inside ``main``, in order), and times it. It does so for two trees —
``--before`` (a git revision, checked out into a temporary worktree) and the working tree — with
the repeats interleaved (before, after, before, after, ...) so both see the same machine load.

Per rule it reports the median start-up of one job in each tree and the number of jobs the
default run has in each tree (``snakemake -n`` job stats); overall, the median over *jobs*
(each job weighted once) and the total seconds of start-up in the whole run.

    python benchmarks/job_startup.py --before 4298142 --repeats 3 --out benchmarks/results/default_run

Import statements inside ``if`` branches are all executed (a slight overcount where a script
imports one of two modules).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
PREAMBLE = "import sys, pickle; from snakemake.logging import logger; from snakemake.iocontainers import Snakemake"


def rule_scripts(tree: Path) -> dict[str, Path]:
    out = {}
    for smk in sorted((tree / "workflow" / "rules").glob("*.smk")):
        text = smk.read_text()
        for block in re.split(r"(?=^[ \t]*rule \w+:)", text, flags=re.M):
            m = re.match(r"[ \t]*rule (\w+):", block)
            s = re.search(r"script:\s*\n\s*\"\.\./scripts/(\w+)\.py\"", block)
            if m and s:
                out[m.group(1)] = tree / "workflow" / "scripts" / f"{s.group(1)}.py"
    return out


def import_code(script: Path) -> str:
    """The script's import statements (all of them, in order), as code."""
    tree = ast.parse(script.read_text())
    nodes = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) and getattr(n, "level", 0) == 0]
    nodes.sort(key=lambda n: (n.lineno, n.col_offset))
    return "\n".join(ast.unparse(n) for n in nodes)


def job_counts(tree: Path, configfiles: list[str]) -> dict[str, int]:
    cmd = ["snakemake", "-n", "--quiet", "rules"]
    if configfiles:
        cmd += ["--configfile", *configfiles]
    out = subprocess.run(cmd, cwd=tree, capture_output=True, text=True, check=True).stdout
    counts = {}
    for line in out.splitlines():
        m = re.match(r"^(\w+)\s+(\d+)$", line.strip())
        if m and m.group(1) not in ("total", "all"):
            counts[m.group(1)] = int(m.group(2))
    return counts


def time_start(tree: Path, code: str) -> float:
    env = dict(os.environ, PYTHONPATH=str(tree / "workflow"))
    prog = f"{PREAMBLE}\nsys.path.insert(0, {str(tree / 'workflow')!r})\n{code}\n"
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", prog], cwd=tree, env=env, check=True, capture_output=True)
    return time.perf_counter() - t


def weighted_median(values: dict[str, float], counts: dict[str, int]) -> float:
    xs = [v for r, v in values.items() for _ in range(counts.get(r, 0))]
    return statistics.median(xs) if xs else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", required=True, help="git revision to compare with (the working tree is 'after')")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--configfile", nargs="*", default=[])
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "default_run"))
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        before = Path(tmp) / "before"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(before), args.before], cwd=ROOT, check=True, capture_output=True
        )
        try:
            trees = {"before": before, "after": ROOT}
            counts = {k: job_counts(t, args.configfile) for k, t in trees.items()}
            scripts = {k: rule_scripts(t) for k, t in trees.items()}
            codes = {k: {r: import_code(p) for r, p in scripts[k].items() if r in counts[k]} for k in trees}
            rules = sorted(set(codes["before"]) | set(codes["after"]))
            times = {k: {r: [] for r in codes[k]} for k in trees}
            load = []
            for _ in range(args.repeats):
                for r in rules:
                    for k in ("before", "after"):
                        if r in codes[k]:
                            times[k][r].append(time_start(trees[k], codes[k][r]))
                load.append(os.getloadavg()[0])
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(before)], cwd=ROOT, check=False, capture_output=True
            )

    med = {k: {r: statistics.median(v) for r, v in times[k].items()} for k in times}
    rows = [
        {
            "rule": r,
            "jobs_before": counts["before"].get(r, 0),
            "jobs_after": counts["after"].get(r, 0),
            "startup_before_s": med["before"].get(r, float("nan")),
            "startup_after_s": med["after"].get(r, float("nan")),
        }
        for r in rules
    ]
    df = pd.DataFrame(rows).sort_values("jobs_before", ascending=False)
    summary = {
        "before": args.before,
        "repeats": args.repeats,
        "load_mean": round(statistics.fmean(load), 2),
        "median_job_startup_before_s": round(weighted_median(med["before"], counts["before"]), 2),
        "median_job_startup_after_s": round(weighted_median(med["after"], counts["after"]), 2),
        "total_startup_before_s": round(sum(med["before"][r] * counts["before"].get(r, 0) for r in med["before"]), 1),
        "total_startup_after_s": round(sum(med["after"][r] * counts["after"].get(r, 0) for r in med["after"]), 1),
        "jobs_before": sum(counts["before"].get(r, 0) for r in med["before"]),
        "jobs_after": sum(counts["after"].get(r, 0) for r in med["after"]),
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    df.to_csv(out / "job_startup.csv", index=False, float_format="%.3f")
    (out / "job_startup.json").write_text(json.dumps(summary, indent=1) + "\n")
    print(json.dumps(summary, indent=1))
    print(df.to_markdown(index=False, floatfmt=".2f"))


if __name__ == "__main__":
    main()
