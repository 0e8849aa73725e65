"""Benchmark: configurations evaluated per second, neurogen's sweep engine vs the plain approach.

On the real e-type table (80 % training split, mean-imputed on it), for one scaler and the
full grids of config/full.yaml (reducer: none), both approaches evaluate the same candidates
with the same 10 stratified folds:

* plain: for each classifier, ``GridSearchCV(Pipeline([scaler, classifier]), grid, cv=10,
  return_train_score=True)`` (default, serial) — refits the scaler for every candidate × fold;
  with ``--plain-parallel`` also the same with ``n_jobs=N``;
* neurogen: ``transform_folds`` once (scaler fit once per fold) + ``evaluate_classifier``
  per classifier (parallel over candidates; forests grown once per n_estimators group).

Scores must be identical (checked). Grids larger than ``--max-candidates`` are subsampled
(seeded; forests keep whole n_estimators groups), the same subsample for both approaches.

    python benchmarks/sweep_speed.py --data ../shared/data/allen/e-type.csv --jobs 2
"""

from __future__ import annotations

import argparse
import json
import sys
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


def subsample(name, grid, cap, rng):
    cands = reg.param_candidates(name, grid)
    if len(cands) <= cap:
        return cands
    if "n_estimators" in grid:
        keys = sorted(
            {
                json.dumps({k: v for k, v in c.items() if k != "n_estimators"}, sort_keys=True, default=str)
                for c in cands
            }
        )
        n_k = len(grid["n_estimators"])
        keep = set(rng.choice(keys, size=max(1, cap // n_k), replace=False))
        return [
            c
            for c in cands
            if json.dumps({k: v for k, v in c.items() if k != "n_estimators"}, sort_keys=True, default=str) in keep
        ]
    idx = sorted(rng.choice(len(cands), size=cap, replace=False))
    return [cands[i] for i in idx]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "allen" / "e-type.csv"))
    ap.add_argument("--scaler", default="yeojohnson")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--max-candidates", type=int, default=8)
    ap.add_argument(
        "--max-candidates-mlp",
        type=int,
        default=2,
        help="MLP candidates (max_iter 5000: one candidate × 10 folds takes minutes)",
    )
    ap.add_argument("--classifiers", nargs="*", default=None)
    ap.add_argument(
        "--plain-parallel",
        action="store_true",
        help="also time GridSearchCV with n_jobs=--jobs (not only the plain serial default)",
    )
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", default="results/benchmarks/sweep_speed.csv")
    a = ap.parse_args()

    grids = yaml.safe_load((ROOT / "config" / "full.yaml").read_text())["classify"]["grids"]
    names = a.classifiers or list(reg.CLASSIFIERS)
    tmp = Path("results/benchmarks/_sweep_speed_data")
    prepare_dataset(a.data, tmp, test_size=0.2, repeats=1, cv_folds=10, seed=a.seed)
    sp = load_split(tmp, 0)
    X, y = sp.X_train, sp.y_train
    rng = np.random.default_rng(a.seed)
    cands = {n: subsample(n, grids[n], a.max_candidates_mlp if n == "mlp" else a.max_candidates, rng) for n in names}
    cv = StratifiedKFold(10, shuffle=True, random_state=a.seed)

    rows, mismatches = [], []
    # neurogen engine: scaler fit once per fold, then every classifier on those folds
    t0 = time.perf_counter()
    fd = FoldData(transform_folds(X, y, a.scaler, ["none"], cv_splits(y, 10, a.seed), a.seed, n_jobs=a.jobs))
    rows.append(
        {"classifier": "(scaler folds)", "approach": "neurogen", "candidates": 0, "seconds": time.perf_counter() - t0}
    )
    plain_variants = [("plain", None)] + ([("plain_parallel", a.jobs)] if a.plain_parallel else [])
    for n in names:
        grid = [{k: [list(v) if isinstance(v, tuple) else v] for k, v in c.items()} for c in cands[n]] or [{}]
        t1 = time.perf_counter()
        df = evaluate_classifier(fd, n, grid, seed=a.seed, n_jobs=a.jobs)
        keep = {
            json.dumps({k: (list(v) if isinstance(v, tuple) else v) for k, v in sorted(c.items())}) for c in cands[n]
        }
        ours = df[df["params"].isin(keep)].set_index("params")
        rows.append(
            {"classifier": n, "approach": "neurogen", "candidates": len(ours), "seconds": time.perf_counter() - t1}
        )
        print(f"neurogen       {n}: {len(ours)} candidates in {rows[-1]['seconds']:.1f} s", flush=True)
        # the plain approach: one GridSearchCV(Pipeline(scaler, classifier)) per classifier
        for label, jobs in plain_variants:
            pipe = build_pipeline(a.scaler, "none", n, {}, a.seed)
            pgrid = [{f"classifier__{k}": [v] for k, v in c.items()} for c in cands[n]] or [{}]
            t1 = time.perf_counter()
            gs = GridSearchCV(pipe, pgrid, cv=cv, return_train_score=True, n_jobs=jobs, error_score=np.nan).fit(X, y)
            sec = time.perf_counter() - t1
            res = pd.DataFrame(gs.cv_results_)
            res["params"] = [
                json.dumps(
                    {k.split("__", 1)[1]: (list(v) if isinstance(v, tuple) else v) for k, v in sorted(p.items())}
                )
                for p in res["params"]
            ]
            res = res.set_index("params")
            o = ours.loc[res.index]
            for col_o, col_p in [
                ("mean_test_accuracy", "mean_test_score"),
                ("mean_train_accuracy", "mean_train_score"),
            ]:
                if not np.array_equal(o[col_o].to_numpy(), res[col_p].to_numpy(), equal_nan=True):
                    mismatches.append((n, label, col_o, float(np.nanmax(np.abs(o[col_o] - res[col_p])))))
            rows.append({"classifier": n, "approach": label, "candidates": len(res), "seconds": sec})
            print(f"{label:14s} {n}: {len(res)} candidates in {sec:.1f} s", flush=True)

    df = pd.DataFrame(rows)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(a.out, index=False)
    tot = df.groupby("approach")[["candidates", "seconds"]].sum()
    tot["configs_per_s"] = tot["candidates"] / tot["seconds"]
    per = df[df["classifier"] != "(scaler folds)"].pivot(index="classifier", columns="approach", values="seconds")
    for label, _ in plain_variants:
        per[f"speedup_vs_{label}"] = per[label] / per["neurogen"]
    print(per.round(2).to_string())
    print(tot.round(3).to_string())
    for label, _ in plain_variants:
        print(
            f"speed-up, configurations/s, neurogen ({a.jobs} jobs) ÷ {label}: "
            f"{tot.loc['neurogen', 'configs_per_s'] / tot.loc[label, 'configs_per_s']:.2f}× (scaler {a.scaler})"
        )
    print("scores identical:", "yes" if not mismatches else f"NO {mismatches}")


if __name__ == "__main__":
    main()
