"""Baseline selection with the study's criteria, and the held-out evaluation of the winners."""

from __future__ import annotations

import json
import logging

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score
from sklearn.pipeline import Pipeline

from . import registry as reg

log = logging.getLogger("neurogen")


def build_pipeline(
    scaler: str, reducer: str, classifier: str, params: dict | str | None = None, seed: int = 0
) -> Pipeline:
    """The scikit-learn Pipeline of one sweep configuration (imputation is done before)."""
    if isinstance(params, str):
        params = json.loads(params)
    params = {k: (tuple(v) if isinstance(v, list) else v) for k, v in (params or {}).items()}
    steps = [("scaler", reg.make_scaler(scaler))]
    red = reg.make_reducer(reducer, random_state=seed)
    if red is not None:
        steps.append(("reducer", red))
    steps.append(("classifier", reg.make_classifier(classifier, random_state=seed).set_params(**params)))
    return Pipeline(steps)


CATEGORIES = ("no_reducer", "reducer")


def category_of(reducer) -> str:
    """``no_reducer`` for pipelines without a dimensionality reducer, else ``reducer``."""
    return "no_reducer" if str(reducer) == "none" else "reducer"


def select(
    sweep: pd.DataFrame, max_gap: float = 0.03, max_std: float = 0.05, top_n: int = 1, per_category: bool = True
) -> pd.DataFrame:
    """Pick baselines: |train − CV test| < max_gap, SD across folds <= max_std, then best mean.

    One row per (scaler, reducer, classifier) — its best parameters. ``per_category=False``: at
    most ``top_n`` rows overall. ``per_category=True`` (the study's): the best ``top_n`` *per
    category* — pipelines without a reducer (``no_reducer``) and with one (``reducer``) — so the
    augmentation stage always has a baseline for both of its modes; column ``category`` says
    which is which, ``selection_rank`` orders all rows by mean CV accuracy. Within a category,
    if no configuration meets both criteria, the best by mean CV accuracy are returned with
    ``meets_criteria`` False (and a warning is logged).
    """
    ok = sweep[(sweep["error"].fillna("") == "") & sweep["mean_test_accuracy"].notna()].copy()
    ok["meets_criteria"] = (ok["gap"].abs() < max_gap) & (ok["std_test_accuracy"] <= max_std)
    ok["category"] = [category_of(r) for r in ok["reducer"]]
    groups = [(c, ok[ok["category"] == c]) for c in CATEGORIES] if per_category else [("all", ok)]
    picked = []
    for cat, g in groups:
        if g.empty:
            if per_category:
                log.warning("no configuration in category %s ran without error; baseline.csv has none", cat)
            continue
        pool = g[g["meets_criteria"]]
        if pool.empty:
            log.warning(
                "no configuration%s has |gap| < %.3f and SD <= %.3f; taking the best by mean CV "
                "accuracy instead (meets_criteria = False)",
                f" in category {cat}" if per_category else "",
                max_gap,
                max_std,
            )
            pool = g
        pool = pool.sort_values(
            ["mean_test_accuracy", "std_test_accuracy", "gap"], ascending=[False, True, True], kind="stable"
        )
        picked.append(pool.drop_duplicates(["scaler", "reducer", "classifier"]).head(top_n))
    if not picked:
        out = ok.head(0).copy()
    else:
        out = (
            pd.concat(picked)
            .sort_values(
                ["mean_test_accuracy", "std_test_accuracy", "gap"], ascending=[False, True, True], kind="stable"
            )
            .copy()
        )
    out.insert(1, "selection_rank", np.arange(1, len(out) + 1))
    if not per_category:
        out = out.drop(columns="category")
    else:
        cols = list(out.columns)
        cols.remove("category")
        out = out[cols[:2] + ["category"] + cols[2:]]
    return out.reset_index(drop=True)


def evaluate_holdout(selected: pd.DataFrame, Xtr, ytr, Xte, yte, seed: int) -> pd.DataFrame:
    """Refit each selected pipeline on the whole training split; score the held-out split."""
    out = selected.copy()
    acc, f1, err = [], [], []
    for _, row in selected.iterrows():
        try:
            pipe = build_pipeline(row["scaler"], row["reducer"], row["classifier"], row["params"], seed)
            pipe.fit(Xtr, ytr)
            pred = pipe.predict(Xte)
            acc.append(accuracy_score(yte, pred))
            f1.append(f1_score(yte, pred, average="macro"))
            err.append("")
        except Exception as e:  # noqa: BLE001 - recorded
            acc.append(np.nan)
            f1.append(np.nan)
            err.append(f"{type(e).__name__}: {e}"[:300])
    out["test_accuracy"] = acc
    out["test_macro_f1"] = f1
    out["holdout_error"] = err
    return out
