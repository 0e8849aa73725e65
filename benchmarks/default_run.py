"""Benchmark: the whole default run, in one piece, from a fresh ``results/``.

Copies this checkout's files (tracked + untracked, not ignored: what you would commit) into a
fresh working directory next to the repository (so ``../shared/data`` resolves as in the
repository), runs ``snakemake --cores N`` there (the default config unless ``--configfile``),
and reads back:

* the wall time of the whole run and the machine's load average during it (sampled every 5 s;
  the 1-minute load before the start says whether the machine was idle);
* per rule: jobs, summed wall and CPU seconds and peak memory from Snakemake's ``benchmark:``
  files (every rule has one);
* per job: the start-up overhead (interpreter + Snakemake preamble + imports) from the
  ``neurogen job timing`` line every rule script ends its log with (``neurogen.jobtiming``);
* the critical path: from the job that finished last, back through the input that was
  produced last, with each job's start and finish from Snakemake's log (jobs are linked by
  their input and output files).

Writes ``<out>/rules.csv`` (per rule), ``<out>/jobs.csv`` (per job), ``<out>/summary.json``
and prints a Markdown summary.

    python benchmarks/default_run.py --cores 2 --out benchmarks/results/default_run
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "workflow"))

from neurogen.jobtiming import parse as parse_timing  # noqa: E402

STAMP = re.compile(r"^\[(\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4})\]$")
RULE = re.compile(r"^(?:local)?rule (\w+):$")
FINISHED = re.compile(r"^Finished jobid: (\d+)")
FIELD = re.compile(r"^\s+(input|output|log|jobid|benchmark|wildcards): (.*)$")


def copy_checkout(dest: Path) -> None:
    """The repository's tracked and untracked-but-not-ignored files -> dest."""
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    for f in filter(None, files):
        src = ROOT / f.decode()
        if src.is_file():
            out = dest / f.decode()
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, out)


class LoadSampler(threading.Thread):
    """1-minute load average every ``every`` seconds until stopped."""

    def __init__(self, every=5.0):
        super().__init__(daemon=True)
        self.every, self.samples, self._halt = every, [], threading.Event()

    def run(self):
        while not self._halt.wait(self.every):
            self.samples.append(os.getloadavg()[0])

    def stop(self):
        self._halt.set()
        self.join()


def parse_log(text: str) -> list[dict]:
    """Snakemake's log -> one dict per job: rule, jobid, start, finish, inputs, outputs, log, benchmark."""
    jobs, by_id, stamp, cur = [], {}, None, None
    for line in text.splitlines():
        m = STAMP.match(line)
        if m:
            stamp = dt.datetime.strptime(m.group(1), "%a %b %d %H:%M:%S %Y")
            cur = None
            continue
        m = RULE.match(line)
        if m:
            cur = {"rule": m.group(1), "start": stamp, "input": [], "output": [], "log": [], "benchmark": None}
            jobs.append(cur)
            continue
        m = FIELD.match(line)
        if m and cur is not None:
            key, val = m.groups()
            if key == "jobid":
                cur["jobid"] = int(val)
                by_id[int(val)] = cur
            elif key == "benchmark":
                cur["benchmark"] = val.strip()
            elif key == "wildcards":
                cur["wildcards"] = val.strip()
            else:
                cur[key] = [v.strip() for v in val.split(",") if v.strip()]
            continue
        m = FINISHED.match(line)
        if m and int(m.group(1)) in by_id:
            by_id[int(m.group(1))]["finish"] = stamp
            cur = None
    return [j for j in jobs if "jobid" in j]


def critical_path(jobs: list[dict]) -> list[dict]:
    """Back from the last finished job through the input produced last."""
    done = [j for j in jobs if j.get("finish") is not None]
    if not done:
        return []
    producer = {o: j for j in done for o in j["output"]}
    path, j = [], max(done, key=lambda j: (j["finish"], j["rule"] != "all"))
    while j is not None:
        path.append(j)
        ups = [producer[i] for i in j["input"] if i in producer]
        j = max(ups, key=lambda u: u["finish"]) if ups else None
    return path[::-1]


def read_benchmark(path: Path) -> dict:
    if not path or not path.exists():
        return {}
    df = pd.read_csv(path, sep="\t")
    row = df.iloc[-1]
    return {
        "wall_s": float(row["s"]),
        "cpu_s": float(row.get("cpu_time", float("nan"))),
        "max_rss_mb": float(row.get("max_rss", float("nan"))),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--configfile", nargs="*", default=[], help="extra config files (default: config/config.yaml only)")
    ap.add_argument(
        "--workdir", default=str(ROOT.parent / "neurogen-default-run"), help="fresh copy of the checkout run here"
    )
    ap.add_argument("--force", action="store_true", help="delete --workdir first if it exists")
    ap.add_argument("--keep", action="store_true", help="keep --workdir (results, logs) afterwards")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "default_run"))
    ap.add_argument("--label", default="", help="free text stored in summary.json (e.g. the git commit)")
    ap.add_argument(
        "--analyse",
        action="store_true",
        help="only read back a finished run kept in --workdir (wall = first job start to last finish)",
    )
    args = ap.parse_args()

    work = Path(args.workdir)
    cmd = ["snakemake", "--cores", str(args.cores)] + (["--configfile", *args.configfile] if args.configfile else [])
    if args.analyse:
        text = (work / "default_run.log").read_text(errors="replace")
        stamps = [
            dt.datetime.strptime(m.group(1), "%a %b %d %H:%M:%S %Y") for m in map(STAMP.match, text.splitlines()) if m
        ]
        wall = (max(stamps) - min(stamps)).total_seconds()
        report(args, work, cmd, text, wall, None, [])
        return
    if work.exists():
        if not args.force:
            sys.exit(f"{work} exists: pass --force to delete it, or another --workdir")
        shutil.rmtree(work)
    copy_checkout(work)
    load_before = os.getloadavg()[0]
    sampler = LoadSampler()
    sampler.start()
    t0 = time.perf_counter()
    with open(work / "default_run.log", "w") as fh:
        rc = subprocess.run(cmd, cwd=work, stdout=fh, stderr=subprocess.STDOUT).returncode
    wall = time.perf_counter() - t0
    sampler.stop()
    text = (work / "default_run.log").read_text(errors="replace")
    if rc != 0:
        sys.exit(f"snakemake failed (exit {rc}); see {work / 'default_run.log'}")
    report(args, work, cmd, text, wall, load_before, sampler.samples)


def report(args, work, cmd, text, wall, load_before, samples):
    """Per-job and per-rule tables, the critical path and the summary of a finished run."""
    jobs = parse_log(text)
    rows = []
    for j in jobs:
        if j["rule"] == "all":
            continue
        bench = read_benchmark(work / j["benchmark"]) if j.get("benchmark") else {}
        timing = None
        for lg in j["log"]:
            p = work / lg
            if p.exists():
                timing = parse_timing(p.read_text(errors="replace")) or timing
        rows.append(
            {
                "rule": j["rule"],
                "jobid": j["jobid"],
                "wildcards": j.get("wildcards", ""),
                "start": j["start"],
                "finish": j.get("finish"),
                **bench,
                "startup_s": timing[0] if timing else float("nan"),
                "import_s": timing[1] if timing else float("nan"),
                "work_s": timing[2] if timing else float("nan"),
            }
        )
    jdf = pd.DataFrame(rows)
    jdf["overhead_s"] = jdf["startup_s"] + jdf["import_s"]
    rdf = (
        jdf.groupby("rule")
        .agg(
            jobs=("jobid", "size"),
            wall_s=("wall_s", "sum"),
            cpu_s=("cpu_s", "sum"),
            median_wall_s=("wall_s", "median"),
            median_overhead_s=("overhead_s", "median"),
            overhead_s=("overhead_s", "sum"),
            max_rss_mb=("max_rss_mb", "max"),
        )
        .sort_values("cpu_s", ascending=False)
        .reset_index()
    )
    path = critical_path(jobs)
    crit = [
        {
            "rule": j["rule"],
            "wildcards": j.get("wildcards", ""),
            "start": str(j["start"]),
            "finish": str(j["finish"]),
            "wall_s": (j["finish"] - j["start"]).total_seconds(),
        }
        for j in path
        if j["rule"] != "all"
    ]
    summary = {
        "label": args.label,
        "command": " ".join(cmd),
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "cores": args.cores,
        "cpu_count": os.cpu_count(),
        "wall_s": round(wall, 1),
        "jobs": int(len(jdf)),
        "cpu_s": round(float(jdf["cpu_s"].sum()), 1),
        "load_before": round(load_before, 2) if load_before is not None else None,
        "load_mean": round(statistics.fmean(samples), 2) if samples else None,
        "load_max": round(max(samples), 2) if samples else None,
        "median_overhead_s": round(float(jdf["overhead_s"].median()), 2),
        "median_startup_s": round(float(jdf["startup_s"].median()), 2),
        "median_import_s": round(float(jdf["import_s"].median()), 2),
        "overhead_s_total": round(float(jdf["overhead_s"].sum()), 1),
        "critical_path_s": round(sum(c["wall_s"] for c in crit), 1),
        "critical_path": crit,
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    jdf.to_csv(out / "jobs.csv", index=False)
    rdf.to_csv(out / "rules.csv", index=False, float_format="%.2f")
    (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    if not args.keep:
        shutil.rmtree(work)

    print(f"whole run: {wall / 60:.1f} min wall, {len(jdf)} jobs, {summary['cpu_s']:.0f} CPU-s on {args.cores} cores")
    print(f"load: {summary['load_before']} before, mean {summary['load_mean']}, max {summary['load_max']}")
    print(
        f"start-up overhead per job (median): {summary['median_overhead_s']} s "
        f"({summary['median_startup_s']} s start-up + {summary['median_import_s']} s imports); "
        f"total {summary['overhead_s_total']} s"
    )

    print(
        f"critical path ({summary['critical_path_s']:.0f} s): "
        + " -> ".join(f"{c['rule']} {c['wall_s']:.0f}s" for c in crit)
    )
    print(rdf.to_markdown(index=False, floatfmt=".1f"))


if __name__ == "__main__":
    main()
