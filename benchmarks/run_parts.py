"""Where the time goes inside the longest jobs of a kept default run, and what each optional
part of the science costs (docs/performance.md, "What a cut would buy"; issue 16).

Reads the logs of a run kept by ``benchmarks/default_run.py --keep``:

* ``augment_eval`` (``results/logs/augment/<dataset>/eval_<generator>.log``): each line the job
  writes when a step ends (a classifier retrained on real + synthetic cells, the study
  protocol's 10-fold CV, the distribution-level fidelity, the synthetic cells of one size
  drawn) is charged the time since the line before it (the log's 1-s resolution);
* ``epgan_infer`` (``results/logs/epgan/<model>/infer_<variant>.log``): the selection over
  epochs, in the blocks of epochs it reports.

Writes one row per job × part (``--out``, CSV) and prints, for each optional part of the
default science, the job seconds it took and the wall time of the run without it, estimated
as the measured wall minus the saved job seconds over ``--cores`` (the run was within 2 % of
that bound: docs/performance.md). An estimate from one run's logs, not a measurement.

    python benchmarks/run_parts.py --workdir ../neurogen-default-run --wall 2093 \
        --out benchmarks/results/default_run/639aba5/parts.csv
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from pathlib import Path

import pandas as pd

LINE = re.compile(r"^(\d\d:\d\d:\d\d) INFO neurogen: (.*)$")
FIT = re.compile(r"^repeat (\d+) \S+ (scaled|reduced) size (\d+) (\w+)(, study protocol)?")
KEPT = re.compile(r"^repeat (\d+) \S+ size (\d+): \d+ synthetic cells kept")
FIDELITY = re.compile(r"^repeat (\d+) size (\d+): distribution-level fidelity")
SELECTION = re.compile(r"^selection: epochs (\d+)–(\d+) of (\d+) simulated")

# optional parts of the default science: name -> (what is lost, test on a part row)
SCENARIOS = {
    "augment size 500": (
        "augment.sizes [100, 500] -> [100]: no second size, so no trend with the number of synthetic cells",
        lambda r: r["rule"] == "augment_eval" and r["size"] == 500,
    ),
    "study protocol": (
        "augment.study_protocol.enabled false: the leaky protocol's inflation is no longer measured",
        lambda r: r["rule"] == "augment_eval" and r["part"] == "study protocol",
    ),
    "distribution-level fidelity": (
        "augment.fidelity_dist.repeats 0: no precision / recall / coverage / MMD / c2st of the synthetic cells",
        lambda r: r["rule"] == "augment_eval" and r["part"] == "fidelity_dist",
    ),
    "EP-GAN selection, first half of the epochs": (
        "epgan.selection_epochs 20 -> 10: the published selection over fewer epochs",
        lambda r: r["rule"] == "epgan_infer" and r["part"] == "selection" and r["block"] == 0,
    ),
}


def log_lines(path: Path):
    """(seconds since the line before, message) of every neurogen line of a job log (the first
    line: 0)."""
    prev = None
    out = []
    for line in path.read_text(errors="replace").splitlines():
        m = LINE.match(line)
        if not m:
            continue
        t = dt.datetime.strptime(m.group(1), "%H:%M:%S")
        if prev is not None and t < prev:  # past midnight
            t += dt.timedelta(days=1)
        out.append(((t - prev).total_seconds() if prev is not None else 0.0, m.group(2)))
        prev = t
    return out


def augment_parts(path: Path) -> list[dict]:
    """One row per step of an augment_eval log: the time since the line before it."""
    dataset, generator = path.parent.name, path.stem.removeprefix("eval_")
    rows = []
    for seconds, msg in log_lines(path):
        row = {"rule": "augment_eval", "job": f"{dataset}/{generator}", "mode": "", "size": 0, "block": -1}
        if m := FIT.match(msg):
            row.update(mode=m.group(2), size=int(m.group(3)), part="study protocol" if m.group(5) else m.group(4))
        elif m := KEPT.match(msg):
            row.update(size=int(m.group(2)), part="sample")
        elif m := FIDELITY.match(msg):
            row.update(size=int(m.group(2)), part="fidelity_dist")
        else:
            row.update(part="other")
        rows.append({**row, "seconds": seconds})
    return rows


def infer_parts(path: Path) -> list[dict]:
    """The selection blocks of an epgan_infer log (the rest of the job is 'other')."""
    job = f"{path.parent.name}/{path.stem.removeprefix('infer_')}"
    rows, block = [], 0
    for seconds, msg in log_lines(path):
        row = {"rule": "epgan_infer", "job": job, "mode": "", "size": 0, "part": "other", "block": -1}
        if SELECTION.match(msg):
            row.update(part="selection", block=block)
            block += 1
        rows.append({**row, "seconds": seconds})
    return rows


def parts(workdir: Path) -> pd.DataFrame:
    logs = Path(workdir) / "results" / "logs"
    rows = []
    for p in sorted((logs / "augment").glob("*/eval_*.log")):
        rows += augment_parts(p)
    for p in sorted((logs / "epgan").glob("*/infer_*.log")):
        rows += infer_parts(p)
    if not rows:
        raise SystemExit(f"no augment_eval or epgan_infer logs under {logs}: is it a kept default run?")
    return pd.DataFrame(rows).groupby(["rule", "job", "part", "mode", "size", "block"], as_index=False)["seconds"].sum()


def scenarios(df: pd.DataFrame, wall: float, cores: int) -> pd.DataFrame:
    """Job seconds of each optional part, and the run's estimated wall time without it (and
    without all of them)."""
    rows, saved_all = [], pd.Series(False, index=df.index)
    for name, (lost, test) in SCENARIOS.items():
        hit = df.apply(test, axis=1).astype(bool)
        saved_all |= hit
        s = float(df.loc[hit, "seconds"].sum())
        rows.append({"cut": name, "job_s": s, "wall_min": (wall - s / cores) / 60, "what is lost": lost})
    s = float(df.loc[saved_all, "seconds"].sum())
    rows.append({"cut": "all of the above", "job_s": s, "wall_min": (wall - s / cores) / 60, "what is lost": ""})
    return pd.DataFrame(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workdir", default="../neurogen-default-run", help="a run kept by default_run.py --keep")
    ap.add_argument("--wall", type=float, required=True, help="the run's measured wall time, s (summary.json)")
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--out", help="CSV of job × part seconds")
    args = ap.parse_args()
    df = parts(Path(args.workdir))
    other = df.loc[(df["rule"] == "augment_eval") & (df["part"] == "other"), "seconds"].sum()
    if other > 0.1 * df.loc[df["rule"] == "augment_eval", "seconds"].sum():
        print(f"warning: {other:.0f} s of augment_eval matched no step: have its log lines changed?")
    if args.out:
        df.to_csv(args.out, index=False)
    top = df.groupby(["rule", "part", "mode", "size"], as_index=False)["seconds"].sum()
    print(top.sort_values("seconds", ascending=False).head(15).to_markdown(index=False, floatfmt=".0f"))
    print()
    sc = scenarios(df, args.wall, args.cores)
    print(sc.to_markdown(index=False, floatfmt=",.1f"))


if __name__ == "__main__":
    main()
