"""Benchmark: configurations evaluated per second, neurogen's sweep engine vs the study's loop.

On the e-type table (80 % training split, mean-imputed on it; the surrogate table generated
from resources/surrogate/etype.json when the real file is absent), for one scaler (reducer:
none) and the grids of config/full.yaml, both approaches evaluate the same candidates with the
same 10 stratified folds, classifier by classifier, side by side (interleaved; which goes first
alternates):

* plain (the study's loop): ``GridSearchCV(Pipeline([scaler, classifier]), grid, cv=10,
  return_train_score=True, n_jobs=--plain-jobs)`` per classifier: refits the scaler for every
  candidate × fold;
* neurogen: ``transform_folds`` once (scaler fit once per fold, shared by every classifier;
  its time is a row of its own and counts in the total) + ``evaluate_classifier`` per
  classifier on ``--jobs`` processes (exact shortcuts: see neurogen.classify.sweep).

Scores must be identical, candidate by candidate and fold by fold (test and train), and are
checked. Without ``--full`` grids larger than ``--max-candidates`` are subsampled (seeded;
trees, forests and the MLP keep whole groups that share fits, e.g. every n_estimators ×
max_depth of a min_samples_split × min_samples_leaf, every solver × learning_rate of an MLP
architecture × activation × alpha), the same subsample for both approaches.

Per classifier the CSV records candidates, seconds and configurations/s of each side, their
ratio, whether the scores are identical and the 1-minute load average before and after; it is
rewritten after each classifier, so an interrupted run keeps what it measured.

    python benchmarks/sweep_speed.py --full --skip mlp logreg_l1      # the study's full grids
    python benchmarks/sweep_speed.py --only decision_tree lda --full  # a quick check
    python benchmarks/sweep_speed.py --full --resume                  # the classifiers not yet in the CSV

With ``--resume`` the classifiers the CSV already has (same scaler, workers and grids) are kept
and only the others measured, so the full grids (hours: the MLP alone has 432 candidates) can be
measured over several sittings; the ``(total)`` row is recomputed over all of them. With
``--full`` the MLP's grid is measured in 12 parts (``--parts mlp:hidden_layer_sizes,activation
logreg_l1:C``, the default: one row per architecture × activation, 36 candidates, the solver ×
learning_rate groups that share fits kept whole) and L1 logistic regression in 5 (one per C), so
that a sitting keeps every part it finished; a ``(sum of k of n parts)`` row adds them up.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "workflow"))

from sklearn.model_selection import GridSearchCV, StratifiedKFold  # noqa: E402

from neurogen.classify import registry as reg  # noqa: E402
from neurogen.classify.select import build_pipeline  # noqa: E402
from neurogen.classify.sweep import FoldData, cv_splits, evaluate_classifier, transform_folds  # noqa: E402
from neurogen.data.prepared import load_split, prepare_dataset  # noqa: E402

#: parameters whose values share fits in the engine: subsampling keeps their groups whole
SHARED = {"random_forest": ("n_estimators", "max_depth"), "extra_trees": ("n_estimators", "max_depth")}
SHARED |= {"decision_tree": ("max_depth",), "mlp": ("solver", "learning_rate")}
#: with --full, grids measured in parts (hours each): the MLP by architecture x activation (12 x 36
#: candidates), L1 logistic regression by C (liblinear takes minutes per candidate at C >= 10)
DEFAULT_PARTS = ["mlp:hidden_layer_sizes,activation", "logreg_l1:C"]


def subsample(name, grid, cap, rng):
    cands = reg.param_candidates(name, grid)
    if len(cands) <= cap:
        return cands
    if name in SHARED:

        def key(c):
            return json.dumps({k: v for k, v in c.items() if k not in SHARED[name]}, sort_keys=True, default=str)

        keys = sorted({key(c) for c in cands})
        per = len(cands) // len(keys)
        keep = set(rng.choice(keys, size=max(1, cap // per), replace=False))
        return [c for c in cands if key(c) in keep]
    idx = sorted(rng.choice(len(cands), size=cap, replace=False))
    return [cands[i] for i in idx]


def _pjson(params: dict) -> str:
    return json.dumps({k: (list(v) if isinstance(v, tuple) else v) for k, v in sorted(params.items())})


def load_data(path, seed):
    """Training split of the e-type table (or of the surrogate table when ``path`` is absent)."""
    work = Path(tempfile.mkdtemp(prefix="sweep_speed_"))
    source = "e-type table"
    if not Path(path).exists():
        from neurogen.data.surrogate import generate

        stats = json.loads((ROOT / "resources" / "surrogate" / "etype.json").read_text())
        path = work / "surrogate.csv"
        generate(stats, seed).to_csv(path, index=False)
        source = "surrogate table (resources/surrogate/etype.json)"
    prepare_dataset(path, work / "data", test_size=0.2, repeats=1, cv_folds=10, seed=seed)
    sp = load_split(work / "data", 0)
    return sp.X_train, sp.y_train, source


def run_engine(fd, name, grid, seed, jobs):
    t0 = time.perf_counter()
    df = evaluate_classifier(fd, name, grid, seed=seed, n_jobs=jobs, fold_scores=True)
    return time.perf_counter() - t0, df.set_index("params")


def run_plain(X, y, scaler, name, cands, seed, jobs):
    pipe = build_pipeline(scaler, "none", name, {}, seed)
    pgrid = [{f"classifier__{k}": [v] for k, v in c.items()} for c in cands] or [{}]
    cv = StratifiedKFold(10, shuffle=True, random_state=seed)
    t0 = time.perf_counter()
    gs = GridSearchCV(pipe, pgrid, cv=cv, return_train_score=True, n_jobs=jobs, error_score=np.nan).fit(X, y)
    sec = time.perf_counter() - t0
    res = pd.DataFrame(gs.cv_results_)
    res["params"] = [_pjson({k.split("__", 1)[1]: v for k, v in p.items()}) for p in res["params"]]
    return sec, res.set_index("params")


def identical(ours, ref, n_folds=10):
    """Every candidate's test and train accuracy on every fold, and their means, bit for bit."""
    if set(ours.index) != set(ref.index):
        return False
    o = ours.loc[ref.index]
    pairs = [(f"split{k}_{p}_accuracy", f"split{k}_{p}_score") for k in range(n_folds) for p in ("test", "train")]
    pairs += [("mean_test_accuracy", "mean_test_score"), ("mean_train_accuracy", "mean_train_score")]
    return all(np.array_equal(o[a].to_numpy(float), ref[b].to_numpy(float), equal_nan=True) for a, b in pairs)


COLUMNS = [
    "classifier",
    "part",
    "candidates",
    "engine_s",
    "plain_s",
    "engine_configs_per_s",
    "plain_configs_per_s",
    "ratio",
    "identical",
    "load_before",
    "load_after",
    "first",
    "n_cells",
    "scaler",
    "jobs",
    "plain_jobs",
    "full",
]


def write_atomic(df, out):
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    df.reindex(columns=COLUMNS).to_csv(tmp, index=False)
    tmp.replace(out)


def _summed(label, g, common, n_parts=None) -> dict:
    """One row adding up the rows ``g`` (a classifier's parts, or every classifier)."""
    e, p_, c = g["engine_s"].sum(), g["plain_s"].sum(), int(g["candidates"].sum())
    return {
        **label,
        "candidates": c,
        "engine_s": e,
        "plain_s": p_,
        "engine_configs_per_s": c / e,
        "plain_configs_per_s": c / p_,
        "ratio": p_ / e,
        "identical": bool(g["identical"].dropna().astype(str).str.lower().eq("true").all()),
        "load_before": float(g["load_before"].mean()),
        "load_after": float(g["load_after"].mean()),
    } | common


def with_totals(rows, grids, parts, common) -> pd.DataFrame:
    """The measured rows, a ``(sum of k of n parts)`` row per classifier measured in parts and
    the ``(total)`` row (the scaler folds' time counted on the engine's side). Written after
    every classifier or part, so an interrupted sitting leaves a complete file."""
    df = pd.DataFrame(rows)
    df["part"] = df["part"].fillna("") if "part" in df else ""
    per = df[df["classifier"] != "(scaler folds)"]
    sums = []
    for n, g in per[per["part"] != ""].groupby("classifier", sort=False):
        n_all = len(split_grid(grids[n], parts[n])) if n in parts else len(g)
        sums.append(_summed({"classifier": n, "part": f"(sum of {len(g)} of {n_all} parts)"}, g, common))
    total = _summed({"classifier": "(total)", "part": ""}, per, common)
    total["engine_s"] = df["engine_s"].sum()  # + the scaler folds
    total["engine_configs_per_s"] = total["candidates"] / total["engine_s"]
    total["ratio"] = total["plain_s"] / total["engine_s"]
    total["load_before"] = float(df["load_before"].mean())
    total["load_after"] = float(df["load_after"].mean())
    return pd.concat([df, pd.DataFrame(sums + [total])], ignore_index=True)


def markdown_table(out, grids, parts) -> str:
    """``out`` as the table of docs/sweep_engine.md: one line per classifier (a classifier
    measured in parts: their sum, with the parts' range of ratios), the (recomputed) total."""
    prev = pd.read_csv(out, keep_default_na=False, na_values=[""])
    prev["part"] = prev["part"].fillna("") if "part" in prev else ""
    rows = prev[(prev["classifier"] != "(total)") & ~prev["part"].str.startswith("(")]
    common = {k: rows[k].iloc[-1] for k in ("n_cells", "scaler", "jobs", "plain_jobs", "full")}
    df = with_totals(rows.to_dict("records"), grids, parts, common)
    lines = [
        "| classifier | candidates | neurogen (s) | plain (s) | configs/s neurogen | configs/s plain | ratio "
        "| identical | load |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]

    def line(name, r, note=""):
        plain = "" if pd.isna(r["plain_s"]) else f"{r['plain_s']:,.1f}"
        rate = "" if pd.isna(r["plain_s"]) else f"{r['engine_configs_per_s']:.3g} | {r['plain_configs_per_s']:.3g}"
        ratio = "" if pd.isna(r["plain_s"]) else f"**{r['ratio']:.2f}×**" if name == "(total)" else f"{r['ratio']:.2f}×"
        ident = "" if pd.isna(r["plain_s"]) else ("yes" if str(r["identical"]).lower() == "true" else "**no**")
        lo, hi = sorted((f"{r['load_before']:.1f}", f"{r['load_after']:.1f}"), key=float)
        load = lo if lo == hi else f"{lo}–{hi}"
        cells = f"{int(r['candidates'])}" if r["candidates"] else ""
        rate = rate or " | "
        return f"| {name}{note} | {cells} | {r['engine_s']:,.1f} | {plain} | {rate} | {ratio} | {ident} | {load} |"

    for _, r in df[df["part"] == ""].iterrows():
        if r["classifier"] != "(total)":
            lines.append(line(r["classifier"], r))
    for _, r in df[df["part"].str.startswith("(sum")].iterrows():
        g = df[(df["classifier"] == r["classifier"]) & ~df["part"].str.startswith("(") & (df["part"] != "")]
        k_of_n = r["part"][len("(sum of ") : -1]
        lines.append(line(r["classifier"], r, f" ({k_of_n}; ratios {g['ratio'].min():.2f}–{g['ratio'].max():.2f}×)"))
    tot = df[df["classifier"] == "(total)"].iloc[0]
    n_full = sum(len(reg.param_candidates(n, grids[n])) for n in reg.CLASSIFIERS)
    note = "" if tot["candidates"] == n_full else f" ({int(tot['candidates'])} of the {n_full} candidates so far)"
    lines.append(line("(total)", tot, note))
    return "\n".join(lines)


def measured_before(out, common) -> list[dict]:
    """Rows of classifiers an earlier sitting measured into ``out`` with the same settings
    (``--resume``: the full grids take hours, so they can be measured over several sittings)."""
    out = Path(out)
    if not out.exists():
        return []
    prev = pd.read_csv(out, keep_default_na=False, na_values=[""])
    prev["part"] = prev["part"].fillna("") if "part" in prev else ""
    same = np.ones(len(prev), bool)
    for k, v in common.items():
        if k != "n_cells":
            same &= prev[k].astype(str).str.lower() == str(v).lower()
    prev = prev[same & ~prev["classifier"].isin(["(total)", "(scaler folds)"]) & ~prev["part"].str.startswith("(")]
    return prev.to_dict("records")


def resumed(before: list[dict], units, names) -> tuple[list[dict], set]:
    """``--resume``: the earlier rows to keep and the (classifier, part) units already measured.
    Rows of this sitting's units are kept (and not measured again); rows of classifiers this
    sitting leaves out (``--only`` / ``--skip``) are kept too, so a sitting that measures one
    classifier never drops the others from the CSV."""
    keys = {(n, part) for n, part, _, _ in units}
    kept = [r for r in before if (r["classifier"], r["part"]) in keys]
    done = {(r["classifier"], r["part"]) for r in kept}
    return kept + [r for r in before if r["classifier"] not in set(names)], done


def split_grid(grid: dict, by: list[str]) -> list[tuple[str, dict]]:
    """A classifier's grid cut into parts, one per combination of the ``by`` parameters' values
    (each part its own row, so a grid that takes hours can be measured over several sittings;
    ``by`` must not cut the groups of candidates that share fits, ``SHARED``)."""
    import itertools

    if not isinstance(grid, dict):
        raise SystemExit(f"--parts needs a single-dict grid, got {type(grid).__name__}")
    missing = [k for k in by if k not in grid]
    if missing:
        raise SystemExit(f"--parts: {missing} not in the grid (its keys: {sorted(grid)})")
    parts = []
    for vals in itertools.product(*(grid[k] for k in by)):
        fixed = dict(zip(by, vals))
        parts.append((_pjson(fixed), grid | {k: [v] for k, v in fixed.items()}))
    return parts


def parse_parts(specs) -> dict[str, list[str]]:
    """``mlp:hidden_layer_sizes,activation`` -> {"mlp": ["hidden_layer_sizes", "activation"]}."""
    out = {}
    for spec in specs:
        name, _, by = spec.partition(":")
        if not by:
            raise SystemExit(f"--parts {spec!r}: expected CLASSIFIER:PARAM[,PARAM...]")
        shared = set(SHARED.get(name, ()))
        if shared & set(by.split(",")):
            raise SystemExit(f"--parts {spec!r}: {sorted(shared)} share fits in the engine; split by others")
        out[name] = by.split(",")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "allen" / "e-type.csv"))
    ap.add_argument("--scaler", default="yeojohnson")
    ap.add_argument("--jobs", type=int, default=2, help="engine worker processes")
    ap.add_argument("--plain-jobs", type=int, default=2, help="GridSearchCV n_jobs of the plain approach")
    ap.add_argument("--full", action="store_true", help="the full grids of config/full.yaml, no subsampling")
    ap.add_argument("--max-candidates", type=int, default=8)
    ap.add_argument(
        "--max-candidates-mlp",
        type=int,
        default=9,
        help="MLP candidates without --full: whole solver × learning_rate blocks (9 candidates, 4 fits "
        "in the engine); max_iter 5000: one block × 10 folds takes minutes",
    )
    ap.add_argument("--classifiers", "--only", dest="only", nargs="*", default=None, help="only these classifiers")
    ap.add_argument("--skip", nargs="*", default=[], help="leave these classifiers out")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument(
        "--resume",
        action="store_true",
        help="keep the classifiers --out already has (same scaler, jobs, grids) and measure only the others",
    )
    ap.add_argument(
        "--parts",
        nargs="*",
        default=DEFAULT_PARTS,
        metavar="CLASSIFIER:PARAM[,PARAM]",
        help="with --full, measure these classifiers' grids in parts (one row per combination of the "
        "parameters' values; with --resume a later sitting measures the missing parts). Default: the MLP "
        "in 12 parts of 36 candidates, logreg_l1 in 5 (one per C); pass --parts with nothing to measure "
        "every grid whole",
    )
    ap.add_argument(
        "--table",
        action="store_true",
        help="measure nothing: print --out as a Markdown table (parts summed, totals recomputed)",
    )
    ap.add_argument(
        "--out",
        default=None,
        help="CSV to write (default with --full: benchmarks/results/sweep_full/sweep_full.csv)",
    )
    a = ap.parse_args()
    # GridSearchCV's workers would print every ConvergenceWarning (the engine records them)
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    out = a.out or ("benchmarks/results/sweep_full/sweep_full.csv" if a.full else "results/benchmarks/sweep_speed.csv")

    grids = yaml.safe_load((ROOT / "config" / "full.yaml").read_text())["classify"]["grids"]
    if a.table:
        print(markdown_table(out, grids, parse_parts(a.parts)))
        return
    names = [n for n in (a.only or list(reg.CLASSIFIERS)) if n not in set(a.skip)]
    X, y, source = load_data(a.data, a.seed)
    print(
        f"{source}: {X.shape[0]} cells × {X.shape[1]} features; scaler {a.scaler}; "
        f"engine {a.jobs} jobs, GridSearchCV n_jobs={a.plain_jobs}",
        flush=True,
    )
    rng = np.random.default_rng(a.seed)
    cands = {
        n: (
            reg.param_candidates(n, grids[n])
            if a.full
            else subsample(n, grids[n], a.max_candidates_mlp if n == "mlp" else a.max_candidates, rng)
        )
        for n in names
    }

    # start both pools of workers before timing anything (neither side pays the start-up)
    fd = FoldData(transform_folds(X, y, a.scaler, ["none"], cv_splits(y, 10, a.seed), a.seed, n_jobs=a.jobs))
    common = {"n_cells": len(y), "scaler": a.scaler, "jobs": a.jobs, "plain_jobs": a.plain_jobs, "full": a.full}
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    fd = FoldData(transform_folds(X, y, a.scaler, ["none"], cv_splits(y, 10, a.seed), a.seed, n_jobs=a.jobs))
    rows = [
        {
            "classifier": "(scaler folds)",
            "candidates": 0,
            "engine_s": time.perf_counter() - t0,
            "load_before": load0,
            "load_after": os.getloadavg()[0],
        }
        | common
    ]
    parts = parse_parts(a.parts) if a.full else {}
    units = []  # (classifier, part, grid, candidates)
    for n in names:
        if n in parts:
            for label, sub in split_grid(grids[n], parts[n]):
                units.append((n, label, sub, reg.param_candidates(n, sub)))
        else:
            grid = grids[n] if a.full else ([{k: [v] for k, v in c.items()} for c in cands[n]] or {})
            units.append((n, "", grid, cands[n]))
    if a.resume:
        kept, done = resumed(measured_before(out, common), units, names)
        rows += kept
        if done:
            print(f"kept from {out}: {', '.join(sorted(f'{n} {p}'.strip() for n, p in done))}", flush=True)
        units = [u for u in units if (u[0], u[1]) not in done]
    for i, (n, part, grid, cand) in enumerate(units):
        load0 = os.getloadavg()[0]
        order = ("engine", "plain") if i % 2 == 0 else ("plain", "engine")
        for side in order:
            if side == "engine":
                sec_e, ours = run_engine(fd, n, grid, a.seed, a.jobs)
                print(f"  neurogen {n} {part}: {len(ours)} candidates in {sec_e:.1f} s", flush=True)
            else:
                sec_p, ref = run_plain(X, y, a.scaler, n, cand, a.seed, a.plain_jobs)
                print(f"  plain    {n} {part}: {len(ref)} candidates in {sec_p:.1f} s", flush=True)
        same = identical(ours, ref)
        rows.append(
            {
                "classifier": n,
                "part": part,
                "candidates": len(ref),
                "engine_s": sec_e,
                "plain_s": sec_p,
                "engine_configs_per_s": len(ours) / sec_e,
                "plain_configs_per_s": len(ref) / sec_p,
                "ratio": (len(ours) / sec_e) / (len(ref) / sec_p),
                "identical": same,
                "load_before": load0,
                "load_after": os.getloadavg()[0],
                "first": order[0],
            }
            | common
        )
        print(f"{n} {part}: ratio {rows[-1]['ratio']:.2f}×, scores identical: {same}", flush=True)
        write_atomic(with_totals(rows, grids, parts, common), out)  # an interrupted sitting keeps its totals

    df = with_totals(rows, grids, parts, common)
    write_atomic(df, out)
    cols = [
        "classifier",
        "part",
        "candidates",
        "engine_s",
        "plain_s",
        "ratio",
        "identical",
        "load_before",
        "load_after",
    ]
    print(df[cols].round(2).to_string(index=False))
    total = df[df["classifier"] == "(total)"].iloc[0]
    print(
        f"speed-up, configurations/s, neurogen ({a.jobs} jobs, scaler folds included) ÷ GridSearchCV "
        f"(n_jobs={a.plain_jobs}): {total['ratio']:.2f}×; scores identical: {total['identical']}; wrote {out}"
    )


if __name__ == "__main__":
    main()
