"""Helpers for the operations tests: parse Snakemake's log, compare result tables."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

#: columns that hold measured durations, or values computed from them, or the machine's load;
#: they differ between runs and are not compared. Project convention: names ending in _time_s
#: (also _time_median_s / _time_mean_s), wall_s / runtime_s (also wall_s_median, wall_s_min);
#: the epgan and fit stages' derived ones: per_neuron_ms / per_neuron_s (speed, cost),
#: s_per_sample (simulation cost per sample), T_hours (cost curve); load_average_* (speed.csv)
TIMING_COLUMN = re.compile(
    r"(^|_)time_s$|_time_(median|mean)_s$|^(wall|runtime)_s($|_)"
    r"|^per_neuron_m?s$|^s_per_sample$|^T_hours$|^load_average"
)

_JOB = re.compile(r"^(?:local)?rule (\w+):\n((?:    .*\n)+)", re.M)


def job_stats(stdout: str) -> dict:
    """Snakemake's 'Job stats' table (printed before a run or a dry run) as {rule: count}."""
    m = re.search(r"Job stats:\n.*?\n-+\s+-+\n(.*?)\ntotal\s+(\d+)", stdout, re.S)
    if not m:
        return {}
    return {r: int(n) for r, n in re.findall(r"^(\S+)\s+(\d+)$", m.group(1), re.M)}


def started_jobs(log: str) -> dict[int, tuple[str, list[str]]]:
    """{jobid: (rule, outputs)} of every job block in a Snakemake log."""
    out = {}
    for rule, body in _JOB.findall(log):
        fields = dict(re.findall(r"^    (\w+): (.*)$", body, re.M))
        if "jobid" in fields:
            outputs = [o.strip() for o in fields.get("output", "").split(",") if o.strip()]
            out[int(fields["jobid"])] = (rule, outputs)
    return out


def target_files(log: str) -> list[str]:
    """The inputs of rule all (the final targets of the enabled stages) in a run's log."""
    m = re.search(r"^localrule all:\n((?:    .*\n)+)", log, re.M)
    if not m:
        return []
    fields = dict(re.findall(r"^    (\w+): (.*)$", m.group(1), re.M))
    return [f.strip() for f in fields.get("input", "").split(",") if f.strip()]


def finished_jobids(log: str) -> set[int]:
    return {int(j) for j in re.findall(r"Finished jobid: (\d+)", log)}


def result_tables(root: Path) -> dict[str, Path]:
    """Every CSV table under results/ (logs and benchmarks excluded), by relative path."""
    res = Path(root) / "results"
    return {
        str(p.relative_to(root)): p
        for p in sorted(res.rglob("*.csv"))
        if p.relative_to(res).parts[0] not in ("logs", "benchmarks") and not p.name.startswith(".")
    }


def read_table(p: Path) -> pd.DataFrame:
    df = pd.read_csv(p)
    return df.drop(columns=[c for c in df.columns if TIMING_COLUMN.search(str(c))])


def table_differences(a_root: Path, b_root: Path) -> list[str]:
    """Differences between the result tables of two runs (timing columns excepted)."""
    a, b = result_tables(a_root), result_tables(b_root)
    diffs = []
    if set(a) != set(b):
        diffs.append(
            f"different tables: only in first {sorted(set(a) - set(b))}, only in second {sorted(set(b) - set(a))}"
        )
    for name in sorted(set(a) & set(b)):
        try:
            pd.testing.assert_frame_equal(read_table(a[name]), read_table(b[name]), check_exact=True)
        except AssertionError as e:
            diffs.append(f"{name}: {str(e).splitlines()[0:4]}")
    return diffs
