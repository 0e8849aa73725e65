"""The cross-validated sweep of scaler × reducer × classifier pipelines.

It computes exactly what ``GridSearchCV(Pipeline([scaler, reducer, classifier]), grid,
cv=StratifiedKFold(k, shuffle=True, random_state=seed), return_train_score=True)`` computes,
but without refitting the scaler and reducer for every grid candidate:

1. :func:`transform_folds` fits scaler and reducers once per CV fold (on the fold's training
   part) and stores the transformed folds (one file per dataset × scaler);
2. :func:`evaluate_classifier` fits each grid candidate of one classifier on those folds (of
   one scaler, or of every scaler in one call), in parallel; forests are grown once at the
   largest ``n_estimators`` of the grid and scored with their first k trees for each smaller k
   (scikit-learn grows the first k trees of a forest identically whatever ``n_estimators`` is,
   so the scores are the same).

A configuration that fails records its error in its row; the sweep goes on.
"""

from __future__ import annotations

import json
import logging
import time
import warnings
from collections import defaultdict

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold

from ..io import write_npz
from . import registry as reg

log = logging.getLogger("neurogen")

FOREST = ("random_forest", "extra_trees")
COLUMNS = [
    "scaler",
    "reducer",
    "classifier",
    "params",
    "mean_test_accuracy",
    "std_test_accuracy",
    "mean_train_accuracy",
    "std_train_accuracy",
    "gap",
    "fit_time_s",
    "transform_time_s",
    "n_folds",
    "error",
    "note",
]


def cv_splits(y, n_folds: int, seed: int):
    skf = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "least populated class" (policy 'keep')
        return list(skf.split(np.zeros(len(y)), y))


def _short_error(e: BaseException) -> str:
    msg = str(e).strip().splitlines()[0] if str(e).strip() else ""
    return f"{type(e).__name__}: {msg}"[:300]


def _transform_fold(X, y, k, tr, te, scaler, reducers, seed):
    """Scaler + every reducer on one fold; returns (arrays, errors, seconds per reducer)."""
    import threadpoolctl

    arrays = {f"idx|{k}|train": tr, f"idx|{k}|test": te}
    errors, times = {}, {}
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings(), threadpoolctl.threadpool_limits(1):
            warnings.simplefilter("ignore")
            sc = reg.make_scaler(scaler)
            Str = sc.fit_transform(X[tr], y[tr])
            Ste = sc.transform(X[te])
        _check_finite(Str, Ste, f"scaler {scaler}")
    except Exception as e:  # noqa: BLE001 - recorded in the sweep's rows
        return arrays, {r: f"scaler: {_short_error(e)}" for r in reducers}, times
    t_scale = time.perf_counter() - t0
    for r in reducers:
        t0 = time.perf_counter()
        try:
            with warnings.catch_warnings(), threadpoolctl.threadpool_limits(1):
                warnings.simplefilter("ignore")
                red = reg.make_reducer(r, random_state=seed)
                if red is None:
                    fit, score, test = Str, Str, Ste
                else:
                    fit = red.fit_transform(Str, y[tr])
                    score = red.transform(Str)
                    test = red.transform(Ste)
            _check_finite(fit, test, f"reducer {r}")
        except Exception as e:  # noqa: BLE001
            errors[r] = _short_error(e)
            continue
        times[r] = t_scale + time.perf_counter() - t0
        arrays[f"{r}|{k}|fit"] = np.asarray(fit, float)
        arrays[f"{r}|{k}|test"] = np.asarray(test, float)
        if not np.array_equal(score, fit):
            arrays[f"{r}|{k}|score"] = np.asarray(score, float)
    return arrays, errors, times


def transform_folds(X, y, scaler: str, reducers, folds, seed: int, path=None, n_jobs: int = 1):
    """Fit ``scaler`` then each reducer on every fold's training part; transform both parts.

    Returns a dict (and writes it as .npz to ``path`` if given) with, per reducer and fold,
    ``fit`` (the training part as the classifier sees it when fitted: fit_transform output),
    ``score`` (transform of the training part, for the train score, only stored when it
    differs from ``fit``) and ``test``; plus per-reducer errors and mean transform times.
    Folds run in parallel over ``n_jobs`` processes.
    """
    from joblib import Parallel, delayed

    X = np.asarray(X, float)
    y = np.asarray(y)
    reducers = list(reducers)
    t0 = time.perf_counter()
    parts = Parallel(n_jobs=n_jobs)(
        delayed(_transform_fold)(X, y, k, tr, te, scaler, reducers, seed) for k, (tr, te) in enumerate(folds)
    )
    arrays, errors, times = {}, {}, defaultdict(float)
    for a, e, t in parts:
        arrays.update(a)
        for r, msg in e.items():
            errors.setdefault(r, msg)
        for r, v in t.items():
            times[r] += v / len(folds)
    for r in errors:  # a reducer that failed on any fold is dropped from every fold
        for k in range(len(folds)):
            for part in ("fit", "score", "test"):
                arrays.pop(f"{r}|{k}|{part}", None)
        times.pop(r, None)
    log.info(
        "%s: %d folds × %d reducers transformed in %.1f s (%d failed)",
        scaler,
        len(folds),
        len(reducers),
        time.perf_counter() - t0,
        len(errors),
    )
    meta = {
        "scaler": scaler,
        "reducers": reducers,
        "n_folds": len(folds),
        "errors": errors,
        "transform_time_s": dict(times),
    }
    arrays["meta"] = np.array(json.dumps(meta))
    arrays["y"] = y.astype(str)
    if path is not None:
        write_npz(path, **arrays)
    return arrays


def _check_finite(a, b, what):
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError(f"{what} produced non-finite values")


class FoldData:
    """Read access to a transformed-folds file (what :func:`transform_folds` wrote)."""

    def __init__(self, arrays):
        self.a = arrays
        self.meta = json.loads(str(arrays["meta"]))
        self.y = np.asarray(arrays["y"])
        self.n_folds = self.meta["n_folds"]

    @classmethod
    def load(cls, path):
        with np.load(path, allow_pickle=False) as z:
            return cls({k: z[k] for k in z.files})

    def fold(self, reducer, k):
        a = self.a
        tr, te = a[f"idx|{k}|train"], a[f"idx|{k}|test"]
        fit = a[f"{reducer}|{k}|fit"]
        score = a.get(f"{reducer}|{k}|score", fit)
        return fit, score, a[f"{reducer}|{k}|test"], self.y[tr], self.y[te]


_CACHE: dict = {}


def _fold_data(source) -> FoldData:
    if isinstance(source, FoldData):
        return source
    if source not in _CACHE:
        _CACHE.clear()
        _CACHE[source] = FoldData.load(source)
    return _CACHE[source]


def _acc(y, p):
    return float(np.mean(np.asarray(y) == np.asarray(p)))


def _forest_scores(est, ks, X, y):
    """Accuracy of the first k trees of a fitted forest, for each k in ks (sklearn's arithmetic)."""
    ks = sorted(ks)
    X32 = np.asarray(X, dtype=np.float32)
    acc = np.zeros((len(X), len(est.classes_)))
    out, j = {}, 0
    for i, tree in enumerate(est.estimators_, start=1):
        acc += tree.predict_proba(X32, check_input=False)
        while j < len(ks) and ks[j] == i:
            out[i] = _acc(y, est.classes_.take(np.argmax(acc / i, axis=1), axis=0))
            j += 1
    return out


def _run_task(source, reducer, clf_name, group, seed, tag=None):
    """Fit one candidate (or a forest group sharing one fit) on every fold of one reducer."""
    import threadpoolctl

    data = _fold_data(source)
    base = reg.make_classifier(clf_name, random_state=seed)
    ks = group.get("ks")
    params = group["params"]
    n = data.n_folds
    res = {
        "test": np.full((len(ks) if ks else 1, n), np.nan),
        "train": np.full((len(ks) if ks else 1, n), np.nan),
        "time": np.zeros(n),
        "error": "",
        "note": "",
    }
    from sklearn.exceptions import ConvergenceWarning

    with threadpoolctl.threadpool_limits(1), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("ignore")
        warnings.simplefilter("always", ConvergenceWarning)
        for k in range(n):
            Xfit, Xscore, Xte, ytr, yte = data.fold(reducer, k)
            est = clone(base).set_params(**params)
            if ks:
                est.set_params(n_estimators=max(ks))
            t0 = time.perf_counter()
            try:
                est.fit(Xfit, ytr)
                res["time"][k] = time.perf_counter() - t0
                if ks:
                    te, trs = _forest_scores(est, ks, Xte, yte), _forest_scores(est, ks, Xscore, ytr)
                    res["test"][:, k] = [te[q] for q in ks]
                    res["train"][:, k] = [trs[q] for q in ks]
                else:
                    res["test"][0, k] = _acc(yte, est.predict(Xte))
                    res["train"][0, k] = _acc(ytr, est.predict(Xscore))
            except Exception as e:  # noqa: BLE001 - recorded in the row
                res["error"] = f"fold {k}: {_short_error(e)}"
                break
    n_conv = sum(issubclass(w.category, ConvergenceWarning) for w in caught)
    if n_conv:
        res["note"] = f"not converged (ConvergenceWarning) {n_conv}x over {n} folds"
    return tag, reducer, group, res


def _groups(clf_name, candidates):
    """Grid candidates as tasks; forests sharing all but n_estimators form one task."""
    if clf_name not in FOREST or not any("n_estimators" in c for c in candidates):
        return [{"params": c} for c in candidates]
    by = defaultdict(list)
    for c in candidates:
        rest = {p: v for p, v in c.items() if p != "n_estimators"}
        by[json.dumps(rest, sort_keys=True, default=str)].append(c)
    out = []
    for cs in by.values():
        rest = {p: v for p, v in cs[0].items() if p != "n_estimators"}
        out.append({"params": rest, "ks": sorted({c.get("n_estimators", 100) for c in cs})})
    return out


def params_str(params: dict) -> str:
    return json.dumps({k: (list(v) if isinstance(v, tuple) else v) for k, v in sorted(params.items())})


def evaluate_classifier(
    folds, clf_name: str, grid: dict, seed: int, n_jobs: int = 1, reducers=None, progress_every: float = 30.0
) -> pd.DataFrame:
    """Cross-validate every grid candidate of ``clf_name`` on every reducer's folds.

    ``folds`` is a path to a transformed-folds file or a :class:`FoldData`, or a list of them
    (one per scaler): the tasks of all of them share one pool of ``n_jobs`` processes. One row
    per (scaler, reducer, candidate), columns :data:`COLUMNS`; rows come scaler by scaler in
    the order given, each scaler's sorted by reducer and params.
    """
    from joblib import Parallel, delayed

    sources = list(folds) if isinstance(folds, (list, tuple)) else [folds]
    # the parent keeps every scaler's folds (small: a few components per reducer); workers
    # get the path and cache one file each, the parent's own tasks (n_jobs=1) the loaded data
    datas = [f if isinstance(f, FoldData) else FoldData.load(f) for f in sources]
    task_source = [str(f) if isinstance(f, str) and n_jobs != 1 else d for f, d in zip(sources, datas)]
    candidates = reg.param_candidates(clf_name, grid)
    groups = _groups(clf_name, candidates)
    rows = []
    tasks = []
    for i, data in enumerate(datas):
        scaler = data.meta["scaler"]
        reds = list(reducers or data.meta["reducers"])
        n_tasks = len(tasks)
        for r in reds:
            if r in data.meta["errors"]:
                for c in candidates:
                    rows.append(
                        (i, _row(scaler, r, clf_name, c, None, None, None, data.meta["errors"][r], data.n_folds))
                    )
                continue
            tasks.extend((i, r, g) for g in groups)
        log.info(
            "%s × %s: %d reducers × %d candidates × %d folds (%d tasks, %d jobs)",
            scaler,
            clf_name,
            len(reds),
            len(candidates),
            data.n_folds,
            len(tasks) - n_tasks,
            n_jobs,
        )
    t_start = last = time.perf_counter()
    par = Parallel(n_jobs=n_jobs, return_as="generator_unordered", backend="loky")
    results = par(delayed(_run_task)(task_source[i], r, clf_name, g, seed, i) for i, r, g in tasks)
    for done, (i, r, g, res) in enumerate(results, start=1):
        data = datas[i]
        scaler, ttime = data.meta["scaler"], data.meta["transform_time_s"]
        if g.get("ks"):
            for q, kq in enumerate(g["ks"]):
                p = dict(g["params"], n_estimators=kq)
                # one forest of max(ks) trees was grown: its time is shared pro rata
                rows.append(
                    (
                        i,
                        _row(
                            scaler,
                            r,
                            clf_name,
                            p,
                            res["test"][q],
                            res["train"][q],
                            res["time"] * kq / max(g["ks"]),
                            res["error"],
                            data.n_folds,
                            ttime.get(r),
                            res["note"],
                        ),
                    )
                )
        else:
            rows.append(
                (
                    i,
                    _row(
                        scaler,
                        r,
                        clf_name,
                        g["params"],
                        res["test"][0],
                        res["train"][0],
                        res["time"],
                        res["error"],
                        data.n_folds,
                        ttime.get(r),
                        res["note"],
                    ),
                )
            )
        now = time.perf_counter()
        if now - last > progress_every or done == len(tasks):
            log.info("  %d/%d tasks done (%.0f s)", done, len(tasks), now - t_start)
            last = now
    df = pd.DataFrame([row for _, row in rows], columns=COLUMNS)
    df.insert(0, "_source", [i for i, _ in rows])
    df = df.sort_values(["_source", "reducer", "params"], kind="stable")
    return df.drop(columns="_source").reset_index(drop=True)


def _row(scaler, reducer, clf, params, test, train, times, error, n_folds, ttime=None, note=""):
    ok = test is not None and not error
    return {
        "scaler": scaler,
        "reducer": reducer,
        "classifier": clf,
        "params": params_str(params),
        "mean_test_accuracy": float(np.mean(test)) if ok else np.nan,
        "std_test_accuracy": float(np.std(test)) if ok else np.nan,
        "mean_train_accuracy": float(np.mean(train)) if ok else np.nan,
        "std_train_accuracy": float(np.std(train)) if ok else np.nan,
        "gap": float(np.mean(train) - np.mean(test)) if ok else np.nan,
        "fit_time_s": float(np.mean(times)) if ok else np.nan,
        "transform_time_s": float(ttime) if (ok and ttime is not None) else np.nan,
        "n_folds": n_folds,
        "error": error or "",
        "note": note,
    }


def merge(frames, dataset: str) -> pd.DataFrame:
    """Concatenate shard tables and rank all configurations by mean CV test accuracy."""
    df = pd.concat(frames, ignore_index=True)
    df.insert(0, "dataset", dataset)
    df["rank"] = df["mean_test_accuracy"].rank(ascending=False, method="min").astype("Int64")
    cols = ["dataset"] + COLUMNS[:9] + ["rank"] + COLUMNS[9:]
    return (
        df[cols]
        .sort_values(["rank", "scaler", "reducer", "classifier", "params"], na_position="last", kind="stable")
        .reset_index(drop=True)
    )
