"""The cross-validated sweep of scaler × reducer × classifier pipelines.

It computes exactly what ``GridSearchCV(Pipeline([scaler, reducer, classifier]), grid,
cv=StratifiedKFold(k, shuffle=True, random_state=seed), return_train_score=True)`` computes,
but without refitting the scaler and reducer for every grid candidate:

1. :func:`transform_folds` fits scaler and reducers once per CV fold (on the fold's training
   part) and stores the transformed folds (one file per dataset × scaler);
2. :func:`evaluate_classifier` fits each grid candidate of one classifier on those folds, in
   parallel (one task per fold), with exact shortcuts: candidates that differ only in
   parameters scikit-learn ignores for them are fit once; forests are grown once at the
   largest ``n_estimators`` of the grid and scored with their first k trees for each smaller
   k; trees (alone or in forests) are reused across ``max_depth`` limits they never reached.
   The notes above :func:`_unused_params` give the argument; the scores are scikit-learn's,
   bit for bit (tests/test_sweep_exact.py).

A configuration that fails records its error in its row; the sweep goes on.
"""

from __future__ import annotations

import copy
import json
import logging
import numbers
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
TREES = (*FOREST, "decision_tree")
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
    # numeric labels stay numeric: as strings their order (classes_, argmax ties) would differ
    arrays["y"] = y if y.dtype.kind in "biuf" else y.astype(str)
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

    def part(self, reducer, k) -> FoldData:
        """Only what fold k of one reducer needs (what a worker is sent)."""
        keys = [f"idx|{k}|train", f"idx|{k}|test"] + [f"{reducer}|{k}|{p}" for p in ("fit", "score", "test")]
        return FoldData({"meta": self.a["meta"], "y": self.a["y"]} | {q: self.a[q] for q in keys if q in self.a})


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


# --- exact shortcuts -----------------------------------------------------------------------
#
# Every shortcut below gives the model scikit-learn would fit for the candidate, bit for bit
# (tests/test_sweep_exact.py compares each with plain scikit-learn, fold by fold):
#
# * parameters scikit-learn documents as unused for the other parameters' values (MLP
#   ``learning_rate`` unless ``solver='sgd'``, ...): candidates differing only there are one fit;
# * trees: ``min_samples_split`` below ``2 * min_samples_leaf`` is raised to it by
#   ``BaseDecisionTree._fit``, so such candidates are one fit;
# * forests: the first k trees of a forest are the forest of k trees (per-tree seeds are drawn
#   in order from ``random_state``), so one forest of the grid's largest ``n_estimators`` scores
#   every k;
# * trees and forests across ``max_depth``: the depth limit only enters the tree builder as
#   ``is_leaf = depth >= max_depth or ...``; a tree grown with a larger limit (or none) whose
#   fitted depth is strictly below d never met that test, so growing it with limit d makes the
#   same calls and draws the same random numbers: it is the tree of limit d. Limits are visited
#   from the largest down; a tree that reached the smaller limit is regrown with it, with the
#   seed the forest gives that tree (scikit-learn's own warm-start growth, which draws the
#   seeds of the trees before it first).


def _unused_params(clf_name: str, p: dict) -> set:
    """Parameters that scikit-learn documents as unused given the other parameters ``p``."""
    out = set()
    if clf_name == "mlp":
        solver = p.get("solver")
        if solver != "sgd":  # "Only used when solver='sgd'"
            out |= {"learning_rate", "momentum", "nesterovs_momentum", "power_t"}
        elif p.get("learning_rate") != "invscaling":  # power_t: only with 'invscaling'
            out.add("power_t")
        if solver != "adam":  # "Only used when solver='adam'"
            out |= {"beta_1", "beta_2", "epsilon"}
        if solver == "lbfgs":  # "Only used/effective when solver='sgd' or 'adam'"; no minibatch
            out |= {"learning_rate_init", "shuffle", "early_stopping", "n_iter_no_change", "batch_size"}
        else:  # "Only used when solver='lbfgs'"
            out.add("max_fun")
        if solver == "lbfgs" or not p.get("early_stopping"):  # "Only used if early_stopping is True"
            out.add("validation_fraction")
    elif clf_name.startswith("svm_") and p.get("kernel") == "linear":
        out |= {"gamma", "degree", "coef0"}  # kernel coefficients of rbf / poly / sigmoid
    elif clf_name.startswith("svm_"):
        if p.get("kernel") != "poly":  # "Ignored by all other kernels"
            out.add("degree")
        if p.get("kernel") not in ("poly", "sigmoid"):  # "only significant in 'poly' and 'sigmoid'"
            out.add("coef0")
    return out


def _is_int(v) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _effective(clf_name: str, defaults: dict, params: dict) -> dict:
    """The parameters that decide the fitted model: candidates with equal ones fit the same model."""
    p = {**defaults, **params}
    for name in _unused_params(clf_name, p):
        p.pop(name, None)
    if clf_name in TREES:
        mss, msl = p.get("min_samples_split"), p.get("min_samples_leaf")
        if _is_int(mss) and _is_int(msl):  # BaseDecisionTree._fit: max(min_samples_split, 2 * leaf)
            p["min_samples_split"] = max(mss, 2 * msl)
    return p


def _depth_key(d):
    return -np.inf if d is None else -d  # None (no limit) first, then the largest limit


def _sgd_prefix(clf_name, eff) -> bool:
    """MLP candidates whose ``learning_rate='constant'`` model is a prefix of the 'adaptive' run."""
    return (
        clf_name == "mlp"
        and eff.get("solver") == "sgd"
        and not eff.get("early_stopping")
        and eff.get("learning_rate") in ("constant", "adaptive")
    )


def _groups(clf_name, candidates):
    """Grid candidates as tasks: candidates that fit the same model share one task; forests
    share one task over ``n_estimators`` and ``max_depth``, decision trees over ``max_depth``,
    SGD MLPs over ``learning_rate`` constant/adaptive.

    Each task: ``kind`` (forest, tree, sgd_prefix or single), ``params`` (to fit, without the
    shared ones), ``ks`` (forests' n_estimators) and ``depths`` (trees' max_depth, largest first)
    or None, ``slots`` (the distinct models it scores: (depth, k), a learning_rate or None) and
    ``members`` (each candidate with the index of its slot)."""
    defaults = reg.make_classifier(clf_name).get_params()
    by = {}
    for c in candidates:
        eff = _effective(clf_name, defaults, c)
        shared = {"n_estimators"} if clf_name in FOREST else set()
        if clf_name in TREES and _is_int(eff.get("random_state")):  # reproducible per-tree seeds
            shared.add("max_depth")
        prefix = _sgd_prefix(clf_name, eff)
        if prefix:
            shared.add("learning_rate")
        key = json.dumps({p: v for p, v in eff.items() if p not in shared}, sort_keys=True, default=repr)
        by.setdefault((prefix, key), []).append(c)
    out = []
    for (prefix, _), cands in by.items():
        full = [{**defaults, **c} for c in cands]
        if clf_name in TREES:
            ks = sorted({f["n_estimators"] for f in full}) if clf_name in FOREST else None
            depths = sorted({f["max_depth"] for f in full}, key=_depth_key)
            slots = [(d, k) for d in depths for k in (ks or [None])]
            members = [
                (c, slots.index((f["max_depth"], f["n_estimators"] if ks else None))) for c, f in zip(cands, full)
            ]
            params = {p: v for p, v in cands[0].items() if p not in ("n_estimators", "max_depth")}
            kind = "forest" if ks else "tree"
        elif prefix and len({f["learning_rate"] for f in full}) == 2:
            ks = depths = None
            slots = ["adaptive", "constant"]
            members = [(c, slots.index(f["learning_rate"])) for c, f in zip(cands, full)]
            params, kind = dict(cands[0], learning_rate="adaptive"), "sgd_prefix"
        else:
            ks = depths = None
            slots, members, params, kind = [None], [(c, 0) for c in cands], cands[0], "single"
        out.append({"kind": kind, "params": params, "ks": ks, "depths": depths, "slots": slots, "members": members})
    return out


def _runs(flags):
    """(start, stop) of each run of consecutive True values."""
    out, start = [], None
    for i, f in enumerate(list(flags) + [False]):
        if f and start is None:
            start = i
        elif not f and start is not None:
            out.append((start, i))
            start = None
    return out


def forests_by_depth(forest, depths, X, y):
    """The trees of ``forest`` (unfitted; its n_estimators and seed) fitted with each
    ``max_depth`` in ``depths`` (largest first, None = no limit), sharing trees across limits.

    Yields ``(depth, trees, seconds per tree, indices of the trees grown for this depth,
    classes_)``; ``trees`` (a new list each time) equal the ``estimators_`` of
    ``clone(forest).set_params(max_depth=depth).fit(X, y)``."""
    n = forest.n_estimators
    trees = times = None
    for d in depths:
        est = clone(forest).set_params(max_depth=d)
        if trees is None:
            t0 = time.perf_counter()
            est.fit(X, y)
            trees, times, classes = list(est.estimators_), [(time.perf_counter() - t0) / n] * n, est.classes_
            yield d, list(trees), list(times), list(range(n)), classes
            continue
        # trees whose fitted depth is below d are the trees of limit d; the others are regrown
        # by scikit-learn's warm start, which seeds tree i as a fresh fit would
        est.set_params(warm_start=True)
        fresh = []
        for a, b in _runs(t.tree_.max_depth >= d for t in trees):
            est.estimators_ = trees[:a]
            est.set_params(n_estimators=b)
            t0 = time.perf_counter()
            est.fit(X, y)
            dt = (time.perf_counter() - t0) / (b - a)
            trees[a:b], times[a:b] = est.estimators_[a:b], [dt] * (b - a)
            fresh.extend(range(a, b))
        yield d, list(trees), list(times), fresh, classes


def _fit_forests(base, group, Xfit, ytr, Xscore, Xte, yte, res):
    """Every (max_depth, n_estimators) slot of a forest task on one fold (see the notes above)."""
    ks, n = group["ks"], max(group["ks"])
    Xte32, Xsc32 = np.asarray(Xte, dtype=np.float32), np.asarray(Xscore, dtype=np.float32)
    p_te, p_tr = [None] * n, [None] * n
    forest = clone(base).set_params(**group["params"], n_estimators=n)
    for d, trees, times, fresh, classes in forests_by_depth(forest, group["depths"], Xfit, ytr):
        for i in fresh:
            p_te[i] = trees[i].predict_proba(Xte32, check_input=False)
            p_tr[i] = trees[i].predict_proba(Xsc32, check_input=False)
        # the forest's predict: mean of the trees' probabilities (summed in order), argmax
        acc_te, acc_tr = np.zeros_like(p_te[0]), np.zeros_like(p_tr[0])
        for i in range(n):
            acc_te += p_te[i]
            acc_tr += p_tr[i]
            if i + 1 in ks:
                s = group["slots"].index((d, i + 1))
                res["test"][s] = _acc(yte, classes.take(np.argmax(acc_te / (i + 1), axis=1), axis=0))
                res["train"][s] = _acc(ytr, classes.take(np.argmax(acc_tr / (i + 1), axis=1), axis=0))
                res["time"][s] = float(np.sum(times[: i + 1]))


def _fit_trees(base, group, Xfit, ytr, Xscore, Xte, yte, res):
    """Every max_depth slot of a decision-tree task on one fold (see the notes above)."""
    prev = None
    for s, d in enumerate(group["depths"]):
        if prev is not None and prev.tree_.max_depth < d:
            for part in ("test", "train", "time"):
                res[part][s] = res[part][s - 1]
            continue
        prev = clone(base).set_params(**group["params"], max_depth=d)
        t0 = time.perf_counter()
        prev.fit(Xfit, ytr)
        res["time"][s] = time.perf_counter() - t0
        res["test"][s] = _acc(yte, prev.predict(Xte))
        res["train"][s] = _acc(ytr, prev.predict(Xscore))


def _fit_one(est, Xfit, ytr, Xscore, Xte, yte, res, s):
    t0 = time.perf_counter()
    est.fit(Xfit, ytr)
    res["time"][s] = time.perf_counter() - t0
    res["test"][s] = _acc(yte, est.predict(Xte))
    res["train"][s] = _acc(ytr, est.predict(Xscore))


def _fit_sgd_prefix(base, group, Xfit, ytr, Xscore, Xte, yte, res, k, caught):
    """MLP, solver 'sgd': the 'adaptive' run, and the 'constant' model read off it.

    The two schedules differ only at ``trigger_stopping`` (after ``n_iter_no_change`` epochs
    without improvement): 'constant' stops there, 'adaptive' divides the learning rate by 5 and
    goes on. So the constant model is the adaptive run's weights at its first trigger (the
    fit's own check, ``_no_improvement_count > n_iter_no_change``, right after
    ``_update_no_improvement_count``), or, if it never triggers, the adaptive model itself."""
    from sklearn.exceptions import ConvergenceWarning

    a, c = group["slots"].index("adaptive"), group["slots"].index("constant")
    est = clone(base).set_params(**group["params"])
    rec = {"calls": 0}
    hook_ok = hasattr(type(est), "_update_no_improvement_count")
    if hook_ok:
        update = est._update_no_improvement_count

        def recording_update(*args, **kwargs):
            update(*args, **kwargs)
            rec["calls"] += 1
            if "coefs" not in rec and est._no_improvement_count > est.n_iter_no_change:
                rec["coefs"] = [w.copy() for w in est.coefs_]
                rec["intercepts"] = [w.copy() for w in est.intercepts_]
                rec["time"] = time.perf_counter() - t0

        est._update_no_improvement_count = recording_update
    n0 = len(caught)
    t0 = time.perf_counter()
    try:
        est.fit(Xfit, ytr)
        res["time"][a] = time.perf_counter() - t0
        res["test"][a] = _acc(yte, est.predict(Xte))
        res["train"][a] = _acc(ytr, est.predict(Xscore))
    except Exception as e:  # noqa: BLE001 - recorded in the row
        res["error"][a] = f"fold {k}: {_short_error(e)}"
    res["n_conv"][a] = sum(issubclass(w.category, ConvergenceWarning) for w in caught[n0:])
    if "_update_no_improvement_count" in vars(est):
        del est._update_no_improvement_count
    if not rec["calls"]:  # the hook saw no epoch: no shortcut, fit the constant model itself
        n0 = len(caught)
        try:
            _fit_one(clone(est).set_params(learning_rate="constant"), Xfit, ytr, Xscore, Xte, yte, res, c)
        except Exception as e:  # noqa: BLE001
            res["error"][c] = f"fold {k}: {_short_error(e)}"
        res["n_conv"][c] = sum(issubclass(w.category, ConvergenceWarning) for w in caught[n0:])
    elif "coefs" not in rec:  # never triggered: the constant run is the adaptive run
        for part in ("test", "train", "time", "n_conv"):
            res[part][c] = res[part][a]
        res["error"][c] = res["error"][a]
    else:  # stopped (converged) at the trigger: the weights recorded there
        m = copy.copy(est)
        m.coefs_, m.intercepts_ = rec["coefs"], rec["intercepts"]
        res["time"][c] = rec["time"]
        try:
            if not all(np.isfinite(w).all() for w in m.coefs_ + m.intercepts_):  # as MLP._fit checks
                raise ValueError("Solver produced non-finite parameter weights.")
            res["test"][c] = _acc(yte, m.predict(Xte))
            res["train"][c] = _acc(ytr, m.predict(Xscore))
        except Exception as e:  # noqa: BLE001
            res["error"][c] = f"fold {k}: {_short_error(e)}"


def _run_task(source, reducer, clf_name, gi, group, seed, k):
    """Fit one task (one model, or a group sharing fits) on fold k of one reducer."""
    import threadpoolctl
    from sklearn.exceptions import ConvergenceWarning

    data = _fold_data(source)
    base = reg.make_classifier(clf_name, random_state=seed)
    ns = len(group["slots"])
    res = {
        "test": np.full(ns, np.nan),
        "train": np.full(ns, np.nan),
        "time": np.zeros(ns),
        "error": [""] * ns,
        "n_conv": np.zeros(ns, int),
    }
    with threadpoolctl.threadpool_limits(1), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("ignore")
        warnings.simplefilter("always", ConvergenceWarning)
        Xfit, Xscore, Xte, ytr, yte = data.fold(reducer, k)
        if group["kind"] == "sgd_prefix":
            _fit_sgd_prefix(base, group, Xfit, ytr, Xscore, Xte, yte, res, k, caught)
            return reducer, gi, k, res
        try:
            if group["kind"] == "forest":
                _fit_forests(base, group, Xfit, ytr, Xscore, Xte, yte, res)
            elif group["kind"] == "tree":
                _fit_trees(base, group, Xfit, ytr, Xscore, Xte, yte, res)
            else:
                _fit_one(clone(base).set_params(**group["params"]), Xfit, ytr, Xscore, Xte, yte, res, 0)
        except Exception as e:  # noqa: BLE001 - recorded in the row
            res["error"] = [f"fold {k}: {_short_error(e)}"] * ns
    res["n_conv"][:] = sum(issubclass(w.category, ConvergenceWarning) for w in caught)
    return reducer, gi, k, res


def params_str(params: dict) -> str:
    return json.dumps({k: (list(v) if isinstance(v, tuple) else v) for k, v in sorted(params.items())})


def evaluate_classifier(
    folds,
    clf_name: str,
    grid: dict,
    seed: int,
    n_jobs: int = 1,
    reducers=None,
    progress_every: float = 30.0,
    fold_scores: bool = False,
) -> pd.DataFrame:
    """Cross-validate every grid candidate of ``clf_name`` on every reducer's folds.

    ``folds`` is a path to a transformed-folds file or a :class:`FoldData`, or a list of them
    (one per scaler: rule ``classify_shard`` evaluates one classifier on every scaler in one
    job). Rows come scaler by scaler in the order given, each scaler's sorted by reducer and
    params; the worker pool (loky's reusable executor) is shared by the scalers.
    """
    kw = dict(n_jobs=n_jobs, reducers=reducers, progress_every=progress_every, fold_scores=fold_scores)
    if isinstance(folds, (list, tuple)):
        frames = [_evaluate_one(f, clf_name, grid, seed, **kw) for f in folds]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    return _evaluate_one(folds, clf_name, grid, seed, **kw)


def _evaluate_one(folds, clf_name, grid, seed, *, n_jobs, reducers, progress_every, fold_scores) -> pd.DataFrame:
    """:func:`evaluate_classifier` for one scaler's folds.

    ``folds`` is a path to a transformed-folds file or a :class:`FoldData`. One row per
    (reducer, candidate), columns :data:`COLUMNS` (with ``fold_scores``, also each fold's
    scores, ``split{k}_test_accuracy`` and ``split{k}_train_accuracy``, as GridSearchCV names
    them). Tasks are one fold each, run over ``n_jobs`` processes.
    """
    from joblib import Parallel, delayed

    data = _fold_data(folds)
    scaler = data.meta["scaler"]
    n = data.n_folds
    reducers = list(reducers or data.meta["reducers"])
    candidates = reg.param_candidates(clf_name, grid)
    groups = _groups(clf_name, candidates)
    columns = COLUMNS + ([f"split{k}_{p}_accuracy" for p in ("test", "train") for k in range(n)] if fold_scores else [])
    rows = []
    todo = []
    for r in reducers:
        if r in data.meta["errors"]:
            for c in candidates:
                rows.append(_row(scaler, r, clf_name, c, None, None, None, data.meta["errors"][r], n))
            continue
        todo.append(r)
    tasks = [(r, gi, k) for r in todo for gi in range(len(groups)) for k in range(n)]
    ttime = data.meta["transform_time_s"]
    log.info(
        "%s × %s: %d reducers × %d candidates (%d distinct fits) × %d folds (%d tasks, %d jobs)",
        scaler,
        clf_name,
        len(reducers),
        len(candidates),
        len(groups),
        n,
        len(tasks),
        n_jobs,
    )

    def source(r, k):  # a path is read (once) by each worker; in memory, send only the fold
        return folds if isinstance(folds, str) else data.part(r, k)

    acc = {}
    t_start = last = time.perf_counter()
    par = Parallel(n_jobs=n_jobs, return_as="generator_unordered", backend="loky")
    jobs = (delayed(_run_task)(source(r, k), r, clf_name, gi, groups[gi], seed, k) for r, gi, k in tasks)
    for done, (r, gi, k, res) in enumerate(par(jobs), start=1):
        g = groups[gi]
        ns = len(g["slots"])
        a = acc.setdefault(
            (r, gi),
            {part: np.full((ns, n), np.nan) for part in ("test", "train", "time")}
            | {"errors": [{} for _ in range(ns)], "n_conv": np.zeros(ns, int), "left": n},
        )
        for part in ("test", "train", "time"):
            a[part][:, k] = res[part]
        for s in range(ns):
            if res["error"][s]:
                a["errors"][s][k] = res["error"][s]
        a["n_conv"] += res["n_conv"]
        a["left"] -= 1
        if not a["left"]:
            te, tr, tm = a["test"], a["train"], a["time"]
            for c, s in g["members"]:
                errs, nc = a["errors"][s], a["n_conv"][s]
                error = errs[min(errs)] if errs else ""
                note = f"not converged (ConvergenceWarning) {nc}x over {n} folds" if nc else ""
                rows.append(_row(scaler, r, clf_name, c, te[s], tr[s], tm[s], error, n, ttime.get(r), note))
            del acc[(r, gi)]
        now = time.perf_counter()
        if now - last > progress_every or done == len(tasks):
            log.info("  %d/%d tasks done (%.0f s)", done, len(tasks), now - t_start)
            last = now
    if fold_scores:
        for row in rows:
            for p in ("test", "train"):
                vals = row.pop(f"_{p}")
                for k in range(n):
                    row[f"split{k}_{p}_accuracy"] = vals[k] if vals is not None else np.nan
    df = pd.DataFrame(rows, columns=columns)
    return df.sort_values(["reducer", "params"], kind="stable").reset_index(drop=True)


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
        "_test": test if ok else None,
        "_train": train if ok else None,
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
