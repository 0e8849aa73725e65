"""Held-out accuracy with and without augmentation on the real e-type table (../shared).

    PYTHONPATH=workflow python benchmarks/augment_real.py ../shared/data/allen/e-type.csv \
        --repeats 5 --generators smote gan vae flow ddpm --sizes 100 1000 --out results/bench_augment

Generators are fit on the training split of each repeat (after the study's baseline scaler,
Yeo–Johnson, fit on that split); classifiers: the study's baseline (SVM, sigmoid kernel) and a
random forest; accuracy on the held-out 20 % (stratified, seeded). Prints and writes a table of
mean ± SD over repeats, the paired difference to no augmentation, and the generators' fit time.
Also prints the mean inter-class MAE of real test classes under several scalings.
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def _write(parts, out, fit_times):
    from neurogen.augment.evaluate import summarise_scores

    out.mkdir(parents=True, exist_ok=True)
    rep = pd.concat([p["scores"] for p in parts], ignore_index=True).assign(dataset="etype")
    summarise_scores(rep).to_csv(out / "scores.csv", index=False)
    rep.to_csv(out / "scores_repeats.csv", index=False)
    mws = [p["mannwhitney"] for p in parts if len(p["mannwhitney"])]
    if mws:
        pd.concat(mws, ignore_index=True).to_csv(out / "mannwhitney.csv", index=False)
    pd.DataFrame(fit_times).to_csv(out / "cost.csv", index=False)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("table")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--generators", nargs="+", default=["smote", "gan", "vae", "flow", "ddpm"])
    ap.add_argument("--sizes", nargs="+", type=int, default=[100, 1000])
    ap.add_argument("--epochs", type=int, default=300)
    ap.add_argument("--sample-steps", type=int, default=None, help="DDPM respaced sampling steps")
    ap.add_argument("--trees", type=int, default=100)
    ap.add_argument("--scaler", default="yeojohnson")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", default="results/bench_augment")
    a = ap.parse_args(argv)
    from neurogen.io import get_logger

    get_logger("neurogen")                        # progress (epochs, sampling) on stderr

    import torch

    torch.set_num_threads(a.threads)
    from neurogen.augment.evaluate import evaluate, fit_generators, summarise_scores
    from neurogen.data.prepared import load_split, prepare_dataset
    from neurogen.fidelity import interclass_mae
    from neurogen.classify import registry as reg

    tmp = Path(tempfile.mkdtemp())
    prepare_dataset(a.table, tmp, test_size=0.2, repeats=a.repeats, small_classes="drop", cv_folds=10, seed=a.seed)
    splits = [load_split(tmp, r) for r in range(a.repeats)]
    baseline = pd.DataFrame([{"selection_rank": 1, "scaler": a.scaler, "reducer": "none",
                              "classifier": "svm_sigmoid", "params": json.dumps({"C": 1, "gamma": "scale"})}])
    panel = {"random_forest": {"n_estimators": a.trees, "n_jobs": a.threads}}
    parts = [evaluate(splits, baseline, panel, "scaled", a.seed)]
    inter = parts[0]["interclass"]
    fit_times = []
    for g in a.generators:
        params = {} if g == "smote" else {"epochs": a.epochs}
        if g == "ddpm" and a.sample_steps:
            params["sample_steps"] = a.sample_steps
        t0 = time.perf_counter()
        models = fit_generators(splits, baseline, g, params, "scaled", a.seed)
        fit_times.append({"generator": g, "fit_s_per_repeat": (time.perf_counter() - t0) / a.repeats, **params})
        for s in a.sizes:
            t1 = time.perf_counter()
            parts.append(evaluate(splits, baseline, panel, "scaled", a.seed, models=models, generator=g, size=s,
                                  features=splits[0].features))
            fit_times[-1][f"eval_s_size_{s}"] = time.perf_counter() - t1
            print(f"{g} {s}: done ({time.perf_counter() - t1:.0f} s)", flush=True)
        _write(parts, Path(a.out), fit_times)     # after each generator, so a long run keeps its results
    rep = pd.concat([p["scores"] for p in parts], ignore_index=True).assign(dataset="etype")
    summ = summarise_scores(rep)
    mw = pd.concat([p["mannwhitney"] for p in parts if len(p["mannwhitney"])], ignore_index=True)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    summ.to_csv(out / "scores.csv", index=False)
    rep.to_csv(out / "scores_repeats.csv", index=False)
    mw.to_csv(out / "mannwhitney.csv", index=False)
    pd.DataFrame(fit_times).to_csv(out / "cost.csv", index=False)
    cols = ["generator", "size", "classifier", "accuracy_mean", "accuracy_sd", "noaug_accuracy_mean",
            "delta_accuracy_mean", "delta_accuracy_sd", "macro_f1_mean", "n_synthetic_mean", "n_out_of_range"]
    pd.set_option("display.width", 200)
    print(summ[cols].sort_values(["classifier", "accuracy_mean"], ascending=[True, False]).to_string(index=False))
    print(pd.DataFrame(fit_times).to_string(index=False))
    if len(mw):
        print(mw.groupby(["generator", "size"])[["mean_synthetic_mae", "mean_interclass_mae", "u_statistic",
                                                 "p_value"]].median().to_string())
    # the natural reference under several scalings (repeat by repeat, then mean ± SD)
    rows = []
    for r, sp in enumerate(splits):
        for scaler in ("yeojohnson", "maxabs", "standard", "minmax", "quantile_uniform", "quantile_normal",
                       "robust", "normalizer", "boxcox"):
            sc = reg.make_scaler(scaler).fit(sp.X_train)
            rows.append({"repeat": r, "scaler": scaler, "fit_on": "train", "mae": interclass_mae(sc.transform(sp.X_test), sp.y_test)["mae"].mean()})
            sc2 = reg.make_scaler(scaler).fit(sp.X_test)
            rows.append({"repeat": r, "scaler": scaler, "fit_on": "test (the study)", "mae": interclass_mae(sc2.transform(sp.X_test), sp.y_test)["mae"].mean()})
    ref = pd.DataFrame(rows)
    ref.to_csv(out / "interclass_scalings.csv", index=False)
    print(ref.groupby(["scaler", "fit_on"])["mae"].agg(["mean", "std"]).to_string())
    print(f"load average: {os.getloadavg()}")


if __name__ == "__main__":
    main()
