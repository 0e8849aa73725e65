"""Augmentation experiment: generators fit on training data only, scored on held-out real cells.

For one dataset × generator × preprocessing mode:

- ``scaled``: the selected baseline's scaler (fit on the training split) → generator →
  classifiers on real + synthetic scaled cells (no reducer);
- ``reduced``: the baseline's scaler and reducer (both fit on the training split) →
  generator in the reduced space → classifiers there. With baselines selected per category
  (``baseline.csv`` column ``category``), ``scaled`` uses the best pipeline without a reducer
  and ``reduced`` the best with one, so both modes always run.

Protocols (column ``protocol`` of the scores): ``held_out`` (ours, above) and, opt-in,
``study`` — the study's leaky protocol: preprocessing and generator fit on all real cells, test
cells included, then K-fold CV on real + synthetic cells together, so the inflation is measured.

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
def _baseline_rows(baseline: pd.DataFrame, mode: str, n_baselines: int | None = None) -> pd.DataFrame:
    """The selected pipelines that serve ``mode``, best first.

    With a ``category`` column (baselines selected per category, as the study): mode ``scaled``
    uses the best pipelines without a reducer (``no_reducer``) and mode ``reduced`` the best with
    one (``reducer``); ``n_baselines`` counts within the category. Without it (older tables):
    the first ``n_baselines`` rows for both modes."""
    b = baseline.sort_values("selection_rank") if "selection_rank" in baseline else baseline
    if "category" in b.columns:
        want = "no_reducer" if mode == "scaled" else "reducer"
        sub = b[b["category"] == want]
        if mode == "scaled" and sub.empty:  # no pipeline without a reducer: drop the reducer
            sub = b
        b = sub
    return b.head(n_baselines) if n_baselines else b


def preprocessings(baseline: pd.DataFrame, mode: str, n_baselines: int | None = None) -> list[dict]:
    """The distinct (scaler, reducer) of the first ``n_baselines`` selected pipelines for ``mode``."""
    if mode not in MODES:
        raise NeurogenError(f"augment.modes: unknown mode {mode!r}; known: {', '.join(MODES)}")
    for col in ("scaler", "reducer", "classifier", "params"):
        if col not in baseline.columns:
            raise NeurogenError(f"baseline table has no column {col!r}")
    out = []
    for _, r in _baseline_rows(baseline, mode, n_baselines).iterrows():
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


def classifiers_for(
    prep: dict, baseline: pd.DataFrame, panel: dict, mode: str, n_baselines: int | None = None
) -> list[dict]:
    """Classifiers to retrain on one preprocessing: the baselines that use it, then the panel."""
    b = _baseline_rows(baseline, mode, n_baselines)
    out = []
    for _, r in b.iterrows():
        if r["scaler"] != prep["scaler"] or (mode == "reduced" and r["reducer"] != prep["reducer"]):
            continue
        params = json.loads(r["params"]) if isinstance(r["params"], str) and r["params"] else {}
        rank = int(r["selection_rank"]) if "selection_rank" in r else 0
        out.append(
            {
                "classifier": r["classifier"],
                "params": params,
                "source": f"baseline_{rank}"
                + ("" if mode == "reduced" or r["reducer"] == "none" else f" (reducer {r['reducer']} dropped)"),
            }
        )
    for name, params in (panel or {}).items():
        out.append({"classifier": name, "params": dict(params or {}), "source": "panel"})
    return out


def _make_classifier(spec, seed):
    params = {k: (tuple(v) if isinstance(v, list) else v) for k, v in spec["params"].items()}
    return reg.make_classifier(spec["classifier"], random_state=seed).set_params(**params)


# -- generators ------------------------------------------------------------------------------
def transform_study(prep: dict, X_train, y_train, X_test, y_test, seed: int):
    """The study's (leaky) preprocessing: scaler (+ reducer) fit on all real cells, the test
    cells included. Returns (features of all real cells, their labels)."""
    X_all = np.vstack([np.asarray(X_train, float), np.asarray(X_test, float)])
    y_all = np.concatenate([np.asarray(y_train).astype(str), np.asarray(y_test).astype(str)])
    F_all, _ = transform(prep, X_all, y_all, X_all[:1], seed)
    return F_all, y_all


def fit_generators(
    splits,
    baseline,
    generator: str,
    params: dict,
    mode: str,
    seed: int,
    n_baselines: int | None = None,
    device: str = "auto",
    study_repeats: int = 0,
) -> list[dict]:
    """One fitted generator per repeat × preprocessing. ``splits``: list of Split (data layer).

    ``protocol`` ``held_out``: fit on the training split in the space of a preprocessing fit on
    it. With ``study_repeats`` > 0, the first ``study_repeats`` repeats also get a generator for
    the study's protocol (``protocol`` ``study``): preprocessing and generator fit on all real
    cells, the test cells included.

    Returns a list of ``{"repeat", "scaler", "reducer", "protocol", "model", "fit_time_s"}``.
    """
    from . import DEEP, make_generator

    preps = preprocessings(baseline, mode, n_baselines)
    out = []
    for r, sp in enumerate(splits):
        for prep in preps:
            for protocol in ("held_out", "study") if r < study_repeats else ("held_out",):
                if protocol == "held_out":
                    Ftr, _ = transform(prep, sp.X_train, sp.y_train, sp.X_test, seed)
                    ytr = sp.y_train
                else:
                    Ftr, ytr = transform_study(prep, sp.X_train, sp.y_train, sp.X_test, sp.y_test, seed)
                kw = dict(params)
                kw["seed"] = seed + 1000 * r
                if generator in DEEP:
                    kw.setdefault("device", device)
                t0 = time.perf_counter()
                log.info(
                    "repeat %d (%s protocol): fitting %s on %s + %s (%d cells × %d features)",
                    r,
                    protocol,
                    generator,
                    prep["scaler"],
                    prep["reducer"],
                    *Ftr.shape,
                )
                g = make_generator(generator, **kw).fit(Ftr, ytr)
                dt = time.perf_counter() - t0
                out.append({"repeat": r, **prep, "protocol": protocol, "model": g.to_cpu(), "fit_time_s": dt})
    if not preps:
        log.warning("mode %s: no selected baseline has a reducer; nothing to fit", mode)
    return out


# -- evaluation ------------------------------------------------------------------------------
def _fit_score(spec, seed, X, y, Xte, yte):
    """Fit one classifier, score it; (accuracy, macro-F1, error)."""
    import threadpoolctl
    from sklearn.metrics import accuracy_score, f1_score

    try:
        with warnings.catch_warnings(), threadpoolctl.threadpool_limits(1):
            warnings.simplefilter("ignore")
            clf = _make_classifier(spec, seed).fit(X, y)
            pred = clf.predict(Xte)
        return accuracy_score(yte, pred), f1_score(yte, pred, average="macro"), ""
    except Exception as e:  # noqa: BLE001 - recorded in its row
        return np.nan, np.nan, f"{type(e).__name__}: {e}"[:300]


def study_cv(spec, seed, F_real, y_real, Xs, ys, folds: int = 10):
    """The study's protocol: ``folds``-fold stratified CV on real + synthetic cells together
    (synthetic cells land in the test folds too). Mean accuracy and macro-F1 over folds."""
    from sklearn.model_selection import StratifiedKFold

    X = np.vstack([F_real, Xs])
    y = np.concatenate([np.asarray(y_real).astype(str), np.asarray(ys).astype(str)])
    acc, f1, errs = [], [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # classes smaller than folds: sklearn warns
        for tr, te in StratifiedKFold(folds, shuffle=True, random_state=seed).split(X, y):
            a, f, e = _fit_score(spec, seed, X[tr], y[tr], X[te], y[te])
            acc.append(a)
            f1.append(f)
            if e:
                errs.append(e)
    return float(np.mean(acc)), float(np.mean(f1)), (errs[0] if errs else ""), len(X)


def evaluate(
    splits,
    baseline,
    panel: dict,
    mode: str,
    seed: int,
    *,
    models=None,
    generator="none",
    size: int = 0,
    n_baselines: int | None = None,
    features=None,
    device: str = "auto",
    keep_samples: int = 0,
    study: dict | None = None,
    dist: dict | None = None,
) -> dict:
    """Scores and fidelity of one generator × mode × size (``models=None``: no augmentation).

    ``study`` (``{"repeats": R, "cv_folds": K, "classifiers": [...]}``; empty list: all): also
    run the study's protocol on the first R repeats (preprocessing and generator fit on all real cells,
    K-fold CV on real + synthetic cells); its rows in ``scores`` have ``protocol`` ``study`` (the others ``held_out``).
    ``dist`` (``{"repeats": R, "k": k, "permutations": P}``): distribution-level fidelity
    (:func:`neurogen.fidelity.distribution_fidelity`) of the held-out protocol's synthetic cells
    on the first R repeats.

    Returns dict of DataFrames: scores, fidelity, fidelity_dist, features, mannwhitney,
    interclass; and ``samples`` (repeat 0, first preprocessing: real train/test and
    ≤ keep_samples synthetic cells, for the PCA figure). :func:`evaluate_sizes` does several
    sizes in one pass.
    """
    return evaluate_sizes(
        splits,
        baseline,
        panel,
        mode,
        seed,
        models=models,
        generator=generator,
        sizes=[size],
        n_baselines=n_baselines,
        features=features,
        device=device,
        keep_samples=keep_samples,
        study={size: study or {}},
        dist={size: dist or {}},
    )[size]


def evaluate_sizes(
    splits,
    baseline,
    panel: dict,
    mode: str,
    seed: int,
    *,
    models=None,
    generator="none",
    sizes=(0,),
    n_baselines: int | None = None,
    features=None,
    device: str = "auto",
    keep_samples: int = 0,
    study: dict | None = None,
    dist: dict | None = None,
) -> dict:
    """:func:`evaluate` for several sizes of one generator × mode: ``{size: result}``, each
    result exactly what ``evaluate(..., size=size)`` returns.

    ``study`` and ``dist`` map a size to that size's block (a missing size: off). What does
    not depend on the size is done once per repeat × preprocessing instead of once per size:
    the preprocessing fit (held-out and study protocol) and the real test cells' inter-class
    reference. Every random draw is seeded from (seed, repeat, size), so the order of the
    sizes does not change a number.
    """
    from ..fidelity import distribution_fidelity

    sizes = [int(s) for s in sizes]
    preps = preprocessings(baseline, mode, n_baselines)
    lookup = {}
    for m in models or []:
        lookup[(m["repeat"], m["scaler"], m["reducer"], m.get("protocol", "held_out"))] = m
    study = {int(k): (v or {}) for k, v in (study or {}).items()}
    dist = {int(k): (v or {}) for k, v in (dist or {}).items()}
    parts = {s: {k: [] for k in ("scores", "fid", "dfid", "feat", "mw", "inter")} for s in sizes}
    samples = dict.fromkeys(sizes)

    def draw(r, prep, protocol, size):
        m = lookup.get((r, prep["scaler"], prep["reducer"], protocol))
        if m is None:
            raise NeurogenError(
                f"no fitted {generator} for repeat {r}, {prep['scaler']} + "
                f"{prep['reducer']}"
                + ("" if protocol == "held_out" else f" ({protocol} protocol)")
                + " (rerun the fit job)"
            )
        g = m["model"]
        if hasattr(g, "to_device"):
            g.to_device(device)
        t0 = time.perf_counter()
        Xs, ys = g.sample(size, random_state=seed + 1000 * r + 17 * size + 1)
        rep = g.report_
        return Xs, ys, time.perf_counter() - t0, m["fit_time_s"], rep

    for r, sp in enumerate(splits):
        for pi, prep in enumerate(preps):
            # size-independent: once per repeat × preprocessing
            Ftr, Fte = transform(prep, sp.X_train, sp.y_train, sp.X_test, seed)
            specs = classifiers_for(prep, baseline, panel, mode, n_baselines)
            ref = interclass_mae(Fte, sp.y_test)
            study_data = None
            if any(r < study.get(s, {}).get("repeats", 0) for s in sizes):
                study_data = transform_study(prep, sp.X_train, sp.y_train, sp.X_test, sp.y_test, seed)
            for size in sizes:
                P = parts[size]
                st, di = study.get(size, {}), dist.get(size, {})
                key = dict(dataset=None, generator=generator, mode=mode, size=size, repeat=r, **prep)
                n_nonfinite = n_far = 0
                Xs = np.zeros((0, Ftr.shape[1]))
                ys = np.zeros(0, str)
                fit_time = sample_time = 0.0
                if models is not None:
                    Xs, ys, sample_time, fit_time, rep = draw(r, prep, "held_out", size)
                    n_nonfinite, n_far = int(rep["n_nonfinite"].sum()), int(rep["n_out_of_range"].sum())
                    log.info(
                        "repeat %d %s+%s size %d: %d synthetic cells kept (%d non-finite, %d out of range removed)",
                        r,
                        prep["scaler"],
                        prep["reducer"],
                        size,
                        len(Xs),
                        n_nonfinite,
                        n_far,
                    )
                    # fidelity in the generator's space
                    refs = {"train": (Ftr, sp.y_train), "test": (Fte, sp.y_test)}
                    pdist = profile_distances(Xs, ys, refs)
                    pdist = pdist.merge(rep, on="class", how="left")
                    P["fid"].append(pdist.assign(**key))
                    fnames = (
                        features
                        if (prep["reducer"] == "none" and features is not None)
                        else [f"component_{i + 1}" for i in range(Ftr.shape[1])]
                    )
                    P["feat"].append(feature_errors(Xs, ys, refs, fnames).assign(**key))
                    syn_test = pdist[pdist["reference"] == "test"]["mae"]
                    P["mw"].append(
                        {
                            **key,
                            **mann_whitney(syn_test, ref["mae"], alternative="less"),
                            "n_out_of_range": n_far,
                            "n_nonfinite": n_nonfinite,
                        }
                    )
                    if r < di.get("repeats", 0) and len(Xs):
                        t0 = time.perf_counter()
                        d = distribution_fidelity(
                            Xs,
                            ys,
                            Ftr,
                            sp.y_train,
                            Fte,
                            sp.y_test,
                            seed=seed + r,
                            k=di.get("k", 5),
                            n_permutations=di.get("permutations", 200),
                        )
                        log.info(
                            "repeat %d size %d: distribution-level fidelity of %d classes in %.1f s",
                            r,
                            size,
                            len(d),
                            time.perf_counter() - t0,
                        )
                        P["dfid"].append(d.assign(**key))
                    if r == 0 and pi == 0 and keep_samples:
                        rng = np.random.default_rng(seed)
                        sel = rng.permutation(len(Xs))[:keep_samples]
                        samples[size] = {
                            "train": Ftr,
                            "y_train": sp.y_train,
                            "test": Fte,
                            "y_test": sp.y_test,
                            "synthetic": Xs[sel],
                            "y_synthetic": ys[sel],
                        }
                else:
                    P["inter"].append(ref.assign(scaler_fit="train").assign(**key))
                    if prep["reducer"] == "none":
                        # the study's scaling: the scaler refit on the test cells themselves
                        sc = reg.make_scaler(prep["scaler"])
                        with warnings.catch_warnings():
                            warnings.simplefilter("ignore")
                            Fte_self = sc.fit_transform(sp.X_test)
                        P["inter"].append(interclass_mae(Fte_self, sp.y_test).assign(scaler_fit="test", **key))
                Xtr_aug = np.vstack([Ftr, Xs])
                ytr_aug = np.concatenate([sp.y_train.astype(str), ys.astype(str)])
                for spec in specs:
                    row = {
                        **key,
                        "protocol": "held_out",
                        "classifier": spec["classifier"],
                        "params": json.dumps(spec["params"], sort_keys=True),
                        "source": spec["source"],
                        "n_real_train": len(Ftr),
                        "n_synthetic": len(Xs),
                        "n_out_of_range": n_far,
                        "n_nonfinite": n_nonfinite,
                        "n_test": len(Fte),
                        "generator_fit_time_s": fit_time,
                        "sample_time_s": sample_time,
                    }
                    t0 = time.perf_counter()
                    acc, f1, err = _fit_score(spec, seed, Xtr_aug, ytr_aug, Fte, sp.y_test)
                    row.update(test_accuracy=acc, test_macro_f1=f1, error=err)
                    row["classifier_fit_time_s"] = time.perf_counter() - t0
                    P["scores"].append(row)
                    log.info(
                        "repeat %d %s %s size %d %s: accuracy %.3f",
                        r,
                        generator,
                        mode,
                        size,
                        spec["classifier"],
                        row["test_accuracy"],
                    )
                if r < st.get("repeats", 0):
                    F_all, y_all = study_data
                    Xs2, ys2 = np.zeros((0, F_all.shape[1])), np.zeros(0, str)
                    sfit = ssample = 0.0
                    s_far = s_nonfinite = 0
                    if models is not None:
                        Xs2, ys2, ssample, sfit, srep = draw(r, prep, "study", size)
                        s_nonfinite, s_far = int(srep["n_nonfinite"].sum()), int(srep["n_out_of_range"].sum())
                    for spec in specs:
                        if st.get("classifiers") and spec["classifier"] not in st["classifiers"]:
                            continue
                        t0 = time.perf_counter()
                        acc, f1, err, n_pool = study_cv(spec, seed, F_all, y_all, Xs2, ys2, st.get("cv_folds", 10))
                        P["scores"].append(
                            {
                                **key,
                                "protocol": "study",
                                "classifier": spec["classifier"],
                                "params": json.dumps(spec["params"], sort_keys=True),
                                "source": spec["source"],
                                "n_real_train": len(F_all),
                                "n_synthetic": len(Xs2),
                                "n_out_of_range": s_far,
                                "n_nonfinite": s_nonfinite,
                                "n_test": n_pool,
                                "generator_fit_time_s": sfit,
                                "sample_time_s": ssample,
                                "test_accuracy": acc,
                                "test_macro_f1": f1,
                                "error": err,
                                "classifier_fit_time_s": time.perf_counter() - t0,
                            }
                        )
                        log.info(
                            "repeat %d %s %s size %d %s, study protocol (%d-fold CV on real + synthetic): "
                            "accuracy %.3f",
                            r,
                            generator,
                            mode,
                            size,
                            spec["classifier"],
                            st.get("cv_folds", 10),
                            acc,
                        )
    cat = lambda parts: pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()  # noqa: E731
    return {
        s: {
            "scores": pd.DataFrame(P["scores"]),
            "fidelity": cat(P["fid"]),
            "fidelity_dist": cat(P["dfid"]),
            "features": cat(P["feat"]),
            "mannwhitney": pd.DataFrame(P["mw"]),
            "interclass": cat(P["inter"]),
            "samples": samples[s],
        }
        for s, P in parts.items()
    }


# -- summaries -------------------------------------------------------------------------------
SCORE_KEYS = ["dataset", "protocol", "generator", "mode", "size", "scaler", "reducer", "classifier", "params", "source"]


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
    if "protocol" not in df:
        df["protocol"] = "held_out"
    df["protocol"] = df["protocol"].fillna("held_out")
    pair = ["dataset", "protocol", "mode", "scaler", "reducer", "classifier", "params", "repeat"]
    none = df[df["generator"] == "none"][pair + ["test_accuracy", "test_macro_f1"]].rename(
        columns={"test_accuracy": "_acc0", "test_macro_f1": "_f10"}
    )
    df = df.merge(none, on=pair, how="left")
    df["_delta"] = df["test_accuracy"] - df["_acc0"]
    rows = []
    for key, g in df.groupby(SCORE_KEYS, sort=False, dropna=False):
        lo, hi = _ci(g["test_accuracy"])
        dlo, dhi = _ci(g["_delta"])
        rows.append(
            {
                **dict(zip(SCORE_KEYS, key)),
                "n_repeats": int(g["test_accuracy"].notna().sum()),
                "accuracy_mean": g["test_accuracy"].mean(),
                "accuracy_sd": g["test_accuracy"].std(ddof=1),
                "accuracy_ci95_low": lo,
                "accuracy_ci95_high": hi,
                "macro_f1_mean": g["test_macro_f1"].mean(),
                "macro_f1_sd": g["test_macro_f1"].std(ddof=1),
                "noaug_accuracy_mean": g["_acc0"].mean(),
                "noaug_macro_f1_mean": g["_f10"].mean(),
                "delta_accuracy_mean": g["_delta"].mean(),
                "delta_accuracy_sd": g["_delta"].std(ddof=1),
                "delta_ci95_low": dlo,
                "delta_ci95_high": dhi,
                "n_synthetic_mean": g["n_synthetic"].mean(),
                "n_out_of_range": int(g["n_out_of_range"].sum()),
                "n_nonfinite": int(g["n_nonfinite"].sum()),
                "generator_fit_time_s": g["generator_fit_time_s"].mean(),
                "classifier_fit_time_s": g["classifier_fit_time_s"].mean(),
                "errors": "; ".join(sorted(set(e for e in g["error"].fillna("") if e))),
            }
        )
    return pd.DataFrame(rows)
