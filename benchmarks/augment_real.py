"""Held-out accuracy with and without augmentation on the real e-type table (../shared).

    PYTHONPATH=workflow python benchmarks/augment_real.py ../shared/data/allen/e-type.csv \
        --repeats 5 --generators smote gan vae flow ddpm --sizes 100 1000 --out results/bench_augment

Generators are fit on the training split of each repeat (after the study's baseline scaler,
Yeo–Johnson, fit on that split); classifiers: the study's baseline (SVM, sigmoid kernel) and a
random forest; accuracy on the held-out 20 % (stratified, seeded). Prints and writes a table of
mean ± SD over repeats, the paired difference to no augmentation, and the generators' fit time.
Also prints the mean inter-class MAE of real test classes under several scalings.

Issue 15 options (results in benchmarks/results/augment_real/protocols/, README.md there):

- ``--study-repeats R --cv-folds 10 --study-classifiers random_forest``: the study's leaky
  protocol (scaler fit on all cells, test cells included; generator fit on all cells; K-fold CV on
  real + synthetic cells) beside the held-out one, column ``protocol`` (outlier filter: the first
  of ``--outlier-refs``);
- ``--outlier-refs range mean``: the held-out scores under both 3-SD filters (column
  ``outlier_ref``; ``mean`` is the study's, ``range`` ours);
- ``--dist-repeats R``: distribution-level fidelity (fidelity_dist.csv, fidelity_dist_summary.csv);
- ``--tune-budget N``: each deep generator tuned on a validation split of repeat 0's training
  cells by a fidelity score (tune.csv), then run with the selected parameters (``<name>_tuned``).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import pandas as pd


def _summarise(rep):
    from neurogen.augment.evaluate import summarise_scores

    if "outlier_ref" not in rep:
        return summarise_scores(rep)
    none = rep[rep["generator"] == "none"]
    parts = []
    for ref, g in rep[rep["generator"] != "none"].groupby("outlier_ref", sort=False):
        sm = summarise_scores(pd.concat([none, g], ignore_index=True))
        parts.append(sm[sm["generator"] != "none"].assign(outlier_ref=ref))
    parts.insert(0, summarise_scores(none).assign(outlier_ref=""))
    return pd.concat(parts, ignore_index=True)


def _write(parts, out, fit_times, extra=None):
    out.mkdir(parents=True, exist_ok=True)
    rep = pd.concat([p["scores"] for p in parts], ignore_index=True).assign(dataset="etype")
    _summarise(rep).to_csv(out / "scores.csv", index=False)
    rep.to_csv(out / "scores_repeats.csv", index=False)
    mws = [p["mannwhitney"] for p in parts if len(p["mannwhitney"])]
    if mws:
        pd.concat(mws, ignore_index=True).to_csv(out / "mannwhitney.csv", index=False)
    pd.DataFrame(fit_times).to_csv(out / "cost.csv", index=False)
    dist = [p["fidelity_dist"] for p in parts if len(p.get("fidelity_dist", []))]
    if dist:
        from neurogen.fidelity import deviation_summary

        d = pd.concat(dist, ignore_index=True).assign(dataset="etype")
        d.to_csv(out / "fidelity_dist.csv", index=False)
        deviation_summary(d, ["generator", "size"]).to_csv(out / "fidelity_dist_summary.csv", index=False)
    for name, df in (extra or {}).items():
        if len(df):
            df.to_csv(out / name, index=False)


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
    ap.add_argument("--study-repeats", type=int, default=0, help="repeats also run under the study's protocol")
    ap.add_argument("--cv-folds", type=int, default=10, help="study protocol: CV folds on real + synthetic")
    ap.add_argument("--study-classifiers", nargs="*", default=[], help="study protocol: these only (default all)")
    ap.add_argument("--outlier-refs", nargs="+", default=["range"], choices=["range", "mean"])
    ap.add_argument("--dist-repeats", type=int, default=0, help="repeats with distribution-level fidelity")
    ap.add_argument("--dist-permutations", type=int, default=100)
    ap.add_argument("--tune-budget", type=int, default=0, help="configurations tried per deep generator (0: none)")
    ap.add_argument("--tune-epochs", nargs="+", type=int, default=None, help="epochs grid of the search")
    ap.add_argument("--no-svm", action="store_true", help="random forest only (the study's SVM left out)")
    ap.add_argument("--out", default="results/bench_augment")
    a = ap.parse_args(argv)
    from neurogen.io import get_logger

    get_logger("neurogen")  # progress (epochs, sampling) on stderr

    import torch

    torch.set_num_threads(a.threads)
    from neurogen.augment import DEEP
    from neurogen.augment.evaluate import evaluate, fit_generators, transform
    from neurogen.augment.tune import GRIDS, tune_generator
    from neurogen.classify import registry as reg
    from neurogen.data.prepared import load_split, prepare_dataset
    from neurogen.fidelity import interclass_mae

    tmp = Path(tempfile.mkdtemp())
    prepare_dataset(a.table, tmp, test_size=0.2, repeats=a.repeats, small_classes="drop", cv_folds=10, seed=a.seed)
    splits = [load_split(tmp, r) for r in range(a.repeats)]
    baseline = pd.DataFrame(
        [
            {
                "selection_rank": 1,
                "scaler": a.scaler,
                "reducer": "none",
                "classifier": "svm_sigmoid",
                "params": json.dumps({"C": 1, "gamma": "scale"}),
            }
        ]
    )
    panel = {"random_forest": {"n_estimators": a.trees, "n_jobs": a.threads}}
    if a.no_svm:
        baseline = baseline.assign(classifier="random_forest", params=json.dumps(panel["random_forest"]))
        panel = {}
    study = {"repeats": a.study_repeats, "cv_folds": a.cv_folds, "classifiers": a.study_classifiers}
    dist = {"repeats": a.dist_repeats, "permutations": a.dist_permutations}
    parts = [evaluate(splits, baseline, panel, "scaled", a.seed, study=study)]
    out = Path(a.out)
    fit_times, tunes = [], []
    for g in a.generators:
        params = {} if g == "smote" else {"epochs": a.epochs}
        if g == "ddpm" and a.sample_steps:
            params["sample_steps"] = a.sample_steps
        label = g
        t0 = time.perf_counter()
        if a.tune_budget and g in DEEP:
            prep = {"scaler": a.scaler, "reducer": "none"}
            Ftr, _ = transform(prep, splits[0].X_train, splits[0].y_train, splits[0].X_test, a.seed)
            grid = dict(GRIDS[g])
            if a.tune_epochs:
                grid["epochs"] = a.tune_epochs
            params, table = tune_generator(
                g, Ftr, splits[0].y_train, base=params, grid=grid, budget=a.tune_budget, seed=a.seed
            )
            tunes.append(table)
            label = f"{g}_tuned"
            print(f"{g}: selected {params} (tuning {time.perf_counter() - t0:.0f} s)", flush=True)
        t1 = time.perf_counter()
        models = fit_generators(splits, baseline, g, params, "scaled", a.seed, study_repeats=a.study_repeats)
        fit_times.append(
            {
                "generator": label,
                "tune_s": t1 - t0,
                "fit_s_per_repeat": (time.perf_counter() - t1) / (a.repeats + a.study_repeats),
                "params": json.dumps(params),
            }
        )
        for s in a.sizes:
            t1 = time.perf_counter()
            for i, ref in enumerate(a.outlier_refs):
                for m in models:
                    m["model"].outlier_ref = ref
                res = evaluate(
                    splits,
                    baseline,
                    panel,
                    "scaled",
                    a.seed,
                    models=models,
                    generator=label,
                    size=s,
                    features=splits[0].features,
                    study=study if i == 0 else None,
                    dist=dist if i == 0 else None,
                )
                res["scores"] = res["scores"].assign(outlier_ref=ref)
                res["mannwhitney"] = res["mannwhitney"].assign(outlier_ref=ref)
                parts.append(res)
            fit_times[-1][f"eval_s_size_{s}"] = time.perf_counter() - t1
            print(f"{label} {s}: done ({time.perf_counter() - t1:.0f} s)", flush=True)
        _write(parts, out, fit_times, {"tune.csv": pd.concat(tunes, ignore_index=True) if tunes else []})
    rep = pd.concat([p["scores"] for p in parts], ignore_index=True).assign(dataset="etype")
    summ = _summarise(rep)
    _write(parts, out, fit_times, {"tune.csv": pd.concat(tunes, ignore_index=True) if tunes else []})
    mw = pd.concat([p["mannwhitney"] for p in parts if len(p["mannwhitney"])], ignore_index=True)
    cols = [
        "protocol",
        "generator",
        "size",
        "classifier",
        "accuracy_mean",
        "accuracy_sd",
        "noaug_accuracy_mean",
        "delta_accuracy_mean",
        "delta_accuracy_sd",
        "macro_f1_mean",
        "n_synthetic_mean",
        "n_out_of_range",
    ]
    cols = (["outlier_ref"] if "outlier_ref" in summ else []) + cols
    pd.set_option("display.width", 200)
    print(
        summ[cols]
        .sort_values(["protocol", "classifier", "accuracy_mean"], ascending=[True, True, False])
        .to_string(index=False)
    )
    print(pd.DataFrame(fit_times).to_string(index=False))
    if len(mw):
        print(
            mw.groupby(["generator", "size"])[["mean_synthetic_mae", "mean_interclass_mae", "u_statistic", "p_value"]]
            .agg(["median", "max"])
            .to_string()
        )
    # the natural reference under several scalings (repeat by repeat, then mean ± SD)
    rows = []
    for r, sp in enumerate(splits):
        for scaler in (
            "yeojohnson",
            "maxabs",
            "standard",
            "minmax",
            "quantile_uniform",
            "quantile_normal",
            "robust",
            "normalizer",
            "boxcox",
        ):
            sc = reg.make_scaler(scaler).fit(sp.X_train)
            rows.append(
                {
                    "repeat": r,
                    "scaler": scaler,
                    "fit_on": "train",
                    "mae": interclass_mae(sc.transform(sp.X_test), sp.y_test)["mae"].mean(),
                }
            )
            sc2 = reg.make_scaler(scaler).fit(sp.X_test)
            rows.append(
                {
                    "repeat": r,
                    "scaler": scaler,
                    "fit_on": "test (the study)",
                    "mae": interclass_mae(sc2.transform(sp.X_test), sp.y_test)["mae"].mean(),
                }
            )
    ref = pd.DataFrame(rows)
    ref.to_csv(out / "interclass_scalings.csv", index=False)
    print(ref.groupby(["scaler", "fit_on"])["mae"].agg(["mean", "std"]).to_string())
    print(f"load average: {os.getloadavg()}")


if __name__ == "__main__":
    main()
