"""Augmentation experiment: generators fit on training data only, scored on held-out real cells.

For one dataset × generator × preprocessing mode:

- ``scaled``: the selected baseline's scaler (fit on the training split) → generator →
  classifiers on real + synthetic scaled cells (no reducer);
- ``reduced``: the baseline's scaler and reducer (both fit on the training split) →
  generator in the reduced space → classifiers there. Baselines without a reducer have no
  ``reduced`` mode.

:func:`fit_generators` fits one generator per repeat × preprocessing; :func:`evaluate` samples
``size`` cells per class from each, retrains every classifier (the baselines' own, with their
selected parameters, and a configurable panel) on real + synthetic training cells, and scores
accuracy and macro-F1 on the held-out real test split, with fidelity of the synthetic cells in
the same space. ``generator=None`` gives the same classifiers without augmentation.
"""
from __future__ import annotations

import json
import logging
import time
import warnings

import numpy as np
import pandas as pd

from .. import NeurogenError
from ..classify import registry as reg
from ..fidelity import feature_errors, interclass_mae, mann_whitney, profile_distances

log = logging.getLogger("neurogen")

MODES = ("scaled", "reduced")


# -- preprocessing ---------------------------------------------------------------------------
def preprocessings(baseline: pd.DataFrame, mode: str, n_baselines: int | None = None) -> list[dict]:
    """The distinct (scaler, reducer) of the first ``n_baselines`` selected pipelines for ``mode``."""
    if mode not in MODES:
        raise NeurogenError(f"augment.modes: unknown mode {mode!r}; known: {', '.join(MODES)}")
    for col in ("scaler", "reducer", "classifier", "params"):
        if col not in baseline.columns:
            raise NeurogenError(f"baseline table has no column {col!r}")
    b = baseline.sort_values("selection_rank") if "selection_rank" in baseline else baseline
    if n_baselines:
        b = b.head(n_baselines)
    out = []
    for _, r in b.iterrows():
        p = {"scaler": r["scaler"], "reducer": "none" if mode == "scaled" else r["reducer"]}
        if mode == "reduced" and r["reducer"] == "none":
            continue
        if p not in out:
            out.append(p)
    return out


def transform(prep: dict, X_train, y_train, X_test, seed: int):
    """Scaler (+ reducer) fit on the training cells; (train, test) in that space."""
    import threadpoolctl

    with warnings.catch_warnings(), threadpoolctl.threadpool_limits(1):
        warnings.simplefilter("ignore")
        sc = reg.make_scaler(prep["scaler"])
        Ftr = sc.fit_transform(X_train, y_train)
        Fte = sc.transform(X_test)
        red = reg.make_reducer(prep["reducer"], random_state=seed)
        if red is not None:
            red.fit(Ftr, y_train)
            Ftr, Fte = red.transform(Ftr), red.transform(Fte)
    if not (np.isfinite(Ftr).all() and np.isfinite(Fte).all()):
        raise NeurogenError(f"preprocessing {prep['scaler']} + {prep['reducer']} produced non-finite values")
    return np.asarray(Ftr, float), np.asarray(Fte, float)


def classifiers_for(prep: dict, baseline: pd.DataFrame, panel: dict, mode: str,
                    n_baselines: int | None = None) -> list[dict]:
    """Classifiers to retrain on one preprocessing: the baselines that use it, then the panel."""
    b = baseline.sort_values("selection_rank") if "selection_rank" in baseline else baseline
    if n_baselines:
        b = b.head(n_baselines)
    out = []
    for _, r in b.iterrows():
        if r["scaler"] != prep["scaler"] or (mode == "reduced" and r["reducer"] != prep["reducer"]):
            continue
        params = json.loads(r["params"]) if isinstance(r["params"], str) and r["params"] else {}
        rank = int(r["selection_rank"]) if "selection_rank" in r else 0
        out.append({"classifier": r["classifier"], "params": params,
                    "source": f"baseline_{rank}" + ("" if mode == "reduced" or r["reducer"] == "none"
                                                     else f" (reducer {r['reducer']} dropped)")})
    for name, params in (panel or {}).items():
        out.append({"classifier": name, "params": dict(params or {}), "source": "panel"})
    return out


def _make_classifier(spec, seed):
    params = {k: (tuple(v) if isinstance(v, list) else v) for k, v in spec["params"].items()}
    return reg.make_classifier(spec["classifier"], random_state=seed).set_params(**params)


# -- generators ------------------------------------------------------------------------------
def fit_generators(splits, baseline, generator: str, params: dict, mode: str, seed: int,
                   n_baselines: int | None = None, device: str = "auto") -> list[dict]:
    """One fitted generator per repeat × preprocessing. ``splits``: list of Split (data layer).

    Returns a list of ``{"repeat", "scaler", "reducer", "model", "fit_time_s"}``.
    """
    from . import DEEP, make_generator

    preps = preprocessings(baseline, mode, n_baselines)
    out = []
    for r, sp in enumerate(splits):
        for prep in preps:
            Ftr, _ = transform(prep, sp.X_train, sp.y_train, sp.X_test, seed)
            kw = dict(params)
            kw["seed"] = seed + 1000 * r
            if generator in DEEP:
                kw.setdefault("device", device)
            t0 = time.perf_counter()
            log.info("repeat %d: fitting %s on %s + %s (%d cells × %d features)", r, generator,
                     prep["scaler"], prep["reducer"], *Ftr.shape)
            g = make_generator(generator, **kw).fit(Ftr, sp.y_train)
            dt = time.perf_counter() - t0
            out.append({"repeat": r, **prep, "model": g.to_cpu(), "fit_time_s": dt})
    if not preps:
        log.warning("mode %s: no selected baseline has a reducer; nothing to fit", mode)
    return out


# -- evaluation ------------------------------------------------------------------------------
def evaluate(splits, baseline, panel: dict, mode: str, seed: int, *, models=None, generator="none",
             size: int = 0, n_baselines: int | None = None, features=None, device: str = "auto",
             keep_samples: int = 0) -> dict:
    """Scores and fidelity of one generator × mode × size (``models=None``: no augmentation).

    Returns dict of DataFrames: scores, fidelity, features, mannwhitney, interclass; and
    ``samples`` (repeat 0, first preprocessing: real train/test and ≤ keep_samples synthetic
    cells, for the PCA figure).
    """
    from sklearn.metrics import accuracy_score, f1_score

    preps = preprocessings(baseline, mode, n_baselines)
    lookup = {}
    for m in models or []:
        lookup[(m["repeat"], m["scaler"], m["reducer"])] = m
    scores, fid, feat, mw, inter = [], [], [], [], []
    samples = None
    for r, sp in enumerate(splits):
        for pi, prep in enumerate(preps):
            Ftr, Fte = transform(prep, sp.X_train, sp.y_train, sp.X_test, seed)
            key = dict(dataset=None, generator=generator, mode=mode, size=size, repeat=r, **prep)
            n_nonfinite = n_far = 0
            Xs = np.zeros((0, Ftr.shape[1]))
            ys = np.zeros(0, str)
            fit_time = sample_time = 0.0
            if models is not None:
                m = lookup.get((r, prep["scaler"], prep["reducer"]))
                if m is None:
                    raise NeurogenError(f"no fitted {generator} for repeat {r}, {prep['scaler']} + "
                                        f"{prep['reducer']} (rerun the fit job)")
                g = m["model"]
                if hasattr(g, "to_device"):
                    g.to_device(device)
                t0 = time.perf_counter()
                Xs, ys = g.sample(size, random_state=seed + 1000 * r + 17 * size + 1)
                sample_time = time.perf_counter() - t0
                fit_time = m["fit_time_s"]
                rep = g.report_
                n_nonfinite, n_far = int(rep["n_nonfinite"].sum()), int(rep["n_out_of_range"].sum())
                log.info("repeat %d %s+%s: %d synthetic cells kept (%d non-finite, %d out of range removed)",
                         r, prep["scaler"], prep["reducer"], len(Xs), n_nonfinite, n_far)
                # fidelity in the generator's space
                refs = {"train": (Ftr, sp.y_train), "test": (Fte, sp.y_test)}
                pdist = profile_distances(Xs, ys, refs)
                pdist = pdist.merge(rep, on="class", how="left")
                fid.append(pdist.assign(**key))
                fnames = features if (prep["reducer"] == "none" and features is not None) else \
                    [f"component_{i + 1}" for i in range(Ftr.shape[1])]
                feat.append(feature_errors(Xs, ys, refs, fnames).assign(**key))
                ref = interclass_mae(Fte, sp.y_test)
                syn_test = pdist[pdist["reference"] == "test"]["mae"]
                mw.append({**key, **mann_whitney(syn_test, ref["mae"], alternative="less"),
                           "n_out_of_range": n_far, "n_nonfinite": n_nonfinite})
                if r == 0 and pi == 0 and keep_samples:
                    rng = np.random.default_rng(seed)
                    sel = rng.permutation(len(Xs))[:keep_samples]
                    samples = {"train": Ftr, "y_train": sp.y_train, "test": Fte, "y_test": sp.y_test,
                               "synthetic": Xs[sel], "y_synthetic": ys[sel]}
            else:
                ref = interclass_mae(Fte, sp.y_test).assign(scaler_fit="train")
                inter.append(ref.assign(**key))
                if prep["reducer"] == "none":
                    # the study's scaling: the scaler refit on the test cells themselves
                    sc = reg.make_scaler(prep["scaler"])
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        Fte_self = sc.fit_transform(sp.X_test)
                    inter.append(interclass_mae(Fte_self, sp.y_test).assign(scaler_fit="test", **key))
            Xtr_aug = np.vstack([Ftr, Xs])
            ytr_aug = np.concatenate([sp.y_train.astype(str), ys.astype(str)])
            for spec in classifiers_for(prep, baseline, panel, mode, n_baselines):
                row = {**key, "classifier": spec["classifier"], "params": json.dumps(spec["params"], sort_keys=True),
                       "source": spec["source"], "n_real_train": len(Ftr), "n_synthetic": len(Xs),
                       "n_out_of_range": n_far, "n_nonfinite": n_nonfinite, "n_test": len(Fte),
                       "generator_fit_time_s": fit_time, "sample_time_s": sample_time}
                t0 = time.perf_counter()
                try:
                    import threadpoolctl

                    with warnings.catch_warnings(), threadpoolctl.threadpool_limits(1):
                        warnings.simplefilter("ignore")
                        clf = _make_classifier(spec, seed).fit(Xtr_aug, ytr_aug)
                        pred = clf.predict(Fte)
                    row.update(test_accuracy=accuracy_score(sp.y_test, pred),
                               test_macro_f1=f1_score(sp.y_test, pred, average="macro"), error="")
                except Exception as e:  # noqa: BLE001 - recorded in its row
                    row.update(test_accuracy=np.nan, test_macro_f1=np.nan, error=f"{type(e).__name__}: {e}"[:300])
                row["classifier_fit_time_s"] = time.perf_counter() - t0
                scores.append(row)
                log.info("repeat %d %s %s size %d %s: accuracy %.3f", r, generator, mode, size,
                         spec["classifier"], row["test_accuracy"])
    cat = lambda parts: pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()  # noqa: E731
    return {"scores": pd.DataFrame(scores), "fidelity": cat(fid), "features": cat(feat),
            "mannwhitney": pd.DataFrame(mw), "interclass": cat(inter), "samples": samples}


# -- summaries -------------------------------------------------------------------------------
SCORE_KEYS = ["dataset", "generator", "mode", "size", "scaler", "reducer", "classifier", "params", "source"]


def _ci(x):
    from scipy import stats

    x = np.asarray(x, float)
    x = x[np.isfinite(x)]
    if len(x) < 2:
        return np.nan, np.nan
    h = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    return x.mean() - h, x.mean() + h


def summarise_scores(per_repeat: pd.DataFrame) -> pd.DataFrame:
    """Mean, SD and 95 % CI (t) over repeats, next to the same classifier without augmentation
    (generator ``none``) and the paired difference."""
    df = per_repeat.copy()
    pair = ["dataset", "mode", "scaler", "reducer", "classifier", "params", "repeat"]
    none = df[df["generator"] == "none"][pair + ["test_accuracy", "test_macro_f1"]].rename(
        columns={"test_accuracy": "_acc0", "test_macro_f1": "_f10"})
    df = df.merge(none, on=pair, how="left")
    df["_delta"] = df["test_accuracy"] - df["_acc0"]
    rows = []
    for key, g in df.groupby(SCORE_KEYS, sort=False, dropna=False):
        lo, hi = _ci(g["test_accuracy"])
        dlo, dhi = _ci(g["_delta"])
        rows.append({**dict(zip(SCORE_KEYS, key)), "n_repeats": int(g["test_accuracy"].notna().sum()),
                     "accuracy_mean": g["test_accuracy"].mean(), "accuracy_sd": g["test_accuracy"].std(ddof=1),
                     "accuracy_ci95_low": lo, "accuracy_ci95_high": hi,
                     "macro_f1_mean": g["test_macro_f1"].mean(), "macro_f1_sd": g["test_macro_f1"].std(ddof=1),
                     "noaug_accuracy_mean": g["_acc0"].mean(), "noaug_macro_f1_mean": g["_f10"].mean(),
                     "delta_accuracy_mean": g["_delta"].mean(), "delta_accuracy_sd": g["_delta"].std(ddof=1),
                     "delta_ci95_low": dlo, "delta_ci95_high": dhi,
                     "n_synthetic_mean": g["n_synthetic"].mean(), "n_out_of_range": int(g["n_out_of_range"].sum()),
                     "n_nonfinite": int(g["n_nonfinite"].sum()),
                     "generator_fit_time_s": g["generator_fit_time_s"].mean(),
                     "classifier_fit_time_s": g["classifier_fit_time_s"].mean(),
                     "errors": "; ".join(sorted(set(e for e in g["error"].fillna("") if e)))})
    return pd.DataFrame(rows)
