"""Distribution-level fidelity of synthetic cells, each metric next to a real-vs-real reference.

The study's fidelity test compares class *means*; a generator whose samples have no spread
(a collapsed GAN, a VAE with SD ratio 0.1) passes it. The metrics here compare distributions,
one class at a time, in the space the generator was fit in:

- ``sd_ratio``: median over features of SD(synthetic) / SD(real) (1 = same spread; a
  collapsed generator → 0);
- ``mmd2`` and ``mmd_p``: squared maximum mean discrepancy with an RBF kernel (bandwidth: the
  median heuristic on the pooled sample) and its permutation p-value;
- ``c2st_auc``: classifier two-sample test — cross-validated ROC AUC of a tree ensemble that
  tells real from synthetic cells (0.5 = indistinguishable, 1 = fully separable);
- ``precision``, ``recall``, ``density``, ``coverage``: k-nearest-neighbour manifold metrics of
  Naeem et al. (2020), "Reliable fidelity and diversity metrics for generative models"
  (precision/density: synthetic cells inside the real manifold; recall/coverage: real cells
  covered by the synthetic manifold — a collapsed generator has low recall and coverage);
- ``dcr_median`` and ``near_copy_share``: the distance from each synthetic cell to its closest
  real training cell (median), and the share of synthetic cells closer to a real cell than the
  5th percentile of real-to-real nearest-neighbour distances (near-copies: SMOTE's weakness);
- ``tstr_accuracy`` / ``tstr_recall``: train on synthetic cells only, test on real held-out
  cells (overall accuracy and the recall of the class).

The reference (columns ``*_ref``) is computed the same way with the real training cells of the
class split in two halves (A: "real", B: "synthetic"); for the synthetic cells the "real" side
is the same half A and the synthetic sample is subsampled to the size of B, so both rows of a
metric use the same sample sizes. For DCR the reference is each real training cell's distance
to its closest *other* real training cell; for TSTR it is train-on-real (the training cells) /
test-on-real. All functions are seeded and deterministic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import NeurogenError

#: columns of the per-class table, in order (after the run keys)
METRICS = [
    "sd_ratio",
    "mmd2",
    "mmd_p",
    "c2st_auc",
    "precision",
    "recall",
    "density",
    "coverage",
    "dcr_median",
    "near_copy_share",
]


def _check(name, *arrays):
    out = []
    for a in arrays:
        a = np.asarray(a, float)
        if a.ndim != 2:
            raise NeurogenError(f"{name}: expected a 2-D array (cells × features), got shape {a.shape}")
        if not np.isfinite(a).all():
            raise NeurogenError(f"{name}: non-finite values in the input; impute or filter them first")
        out.append(a)
    if len({a.shape[1] for a in out}) > 1:
        raise NeurogenError(f"{name}: the samples have different numbers of features ({[a.shape[1] for a in out]})")
    return out


def _sqdist(A, B):
    d = (A * A).sum(1)[:, None] + (B * B).sum(1)[None, :] - 2.0 * A @ B.T
    return np.maximum(d, 0.0)


# -- spread -------------------------------------------------------------------------------------
def sd_ratio(X_syn, X_real) -> float:
    """Median over features of SD(synthetic) / SD(real); features constant in the real cells
    are left out. 1: same spread; → 0: collapsed samples."""
    X_syn, X_real = _check("sd_ratio", X_syn, X_real)
    if len(X_syn) < 2 or len(X_real) < 2:
        return np.nan
    sr = X_real.std(axis=0, ddof=1)
    ok = sr > 1e-12 * np.maximum(1.0, np.abs(X_real.mean(axis=0)))
    if not ok.any():
        return np.nan
    return float(np.median(X_syn[:, ok].std(axis=0, ddof=1) / sr[ok]))


# -- MMD ----------------------------------------------------------------------------------------
def mmd_rbf(X, Y, n_permutations: int = 200, seed: int = 0, max_n: int = 500):
    """Unbiased squared MMD with an RBF kernel, bandwidth = median pairwise distance of the
    pooled sample, and a permutation p-value ((1 + #{perm ≥ observed}) / (1 + n_permutations)).

    Samples larger than ``max_n`` are subsampled (seeded). Returns ``(mmd2, p_value)``.
    """
    X, Y = _check("mmd_rbf", X, Y)
    rng = np.random.default_rng(seed)
    if len(X) > max_n:
        X = X[rng.choice(len(X), max_n, replace=False)]
    if len(Y) > max_n:
        Y = Y[rng.choice(len(Y), max_n, replace=False)]
    n, m = len(X), len(Y)
    if n < 2 or m < 2:
        return np.nan, np.nan
    Z = np.vstack([X, Y])
    D = _sqdist(Z, Z)
    off = D[np.triu_indices(len(Z), 1)]
    med = np.median(np.sqrt(off[off > 0])) if (off > 0).any() else 1.0
    K = np.exp(-D / (2.0 * med**2))

    def stat(ix, iy):
        kxx = K[np.ix_(ix, ix)]
        kyy = K[np.ix_(iy, iy)]
        kxy = K[np.ix_(ix, iy)]
        return (
            (kxx.sum() - np.trace(kxx)) / (n * (n - 1)) + (kyy.sum() - np.trace(kyy)) / (m * (m - 1)) - 2.0 * kxy.mean()
        )

    idx = np.arange(n + m)
    obs = stat(idx[:n], idx[n:])
    hits = 0
    for _ in range(n_permutations):
        p = rng.permutation(n + m)
        hits += stat(p[:n], p[n:]) >= obs
    return float(obs), float((1 + hits) / (1 + n_permutations))


# -- classifier two-sample test -----------------------------------------------------------------
def c2st_auc(X_real, X_syn, seed: int = 0, folds: int = 3, n_estimators: int = 50, max_n: int = 200) -> float:
    """Cross-validated ROC AUC of an extremely-randomised-trees forest telling real (0) from
    synthetic (1) cells (out-of-fold probabilities, ``folds``-fold stratified CV).

    The larger sample is subsampled to the size of the smaller one (balanced classes), both to
    at most ``max_n`` cells.
    0.5: indistinguishable; 1: perfectly separable.
    """
    import threadpoolctl
    from sklearn.ensemble import ExtraTreesClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    X_real, X_syn = _check("c2st_auc", X_real, X_syn)
    rng = np.random.default_rng(seed)
    n = min(len(X_real), len(X_syn), max_n)
    if n < 4:
        return np.nan
    A = X_real[rng.choice(len(X_real), n, replace=False)]
    B = X_syn[rng.choice(len(X_syn), n, replace=False)]
    X = np.vstack([A, B])
    y = np.r_[np.zeros(n, int), np.ones(n, int)]
    k = max(2, min(folds, n // 2))
    proba = np.zeros(len(y))
    with threadpoolctl.threadpool_limits(1):
        for tr, te in StratifiedKFold(k, shuffle=True, random_state=seed).split(X, y):
            clf = ExtraTreesClassifier(n_estimators=n_estimators, min_samples_leaf=2, random_state=seed, n_jobs=1).fit(
                X[tr], y[tr]
            )
            proba[te] = clf.predict_proba(X[te])[:, 1]
    return float(roc_auc_score(y, proba))


# -- precision / recall / density / coverage (Naeem et al. 2020) --------------------------------
def prdc(X_real, X_syn, k: int = 5) -> dict:
    """Precision, recall, density and coverage with k-NN balls (Naeem et al. 2020).

    Radius of a cell = distance to its k-th nearest neighbour within its own sample (itself
    excluded). precision: share of synthetic cells inside some real ball; recall: share of real
    cells inside some synthetic ball; density: mean number of real balls containing a synthetic
    cell, / k; coverage: share of real balls that contain at least one synthetic cell.
    Identical samples give precision = recall = coverage = 1 and density ≈ 1.
    """
    X_real, X_syn = _check("prdc", X_real, X_syn)
    nan = {"precision": np.nan, "recall": np.nan, "density": np.nan, "coverage": np.nan}
    if len(X_real) <= k or len(X_syn) <= k:
        return nan
    rr = np.sqrt(_sqdist(X_real, X_real))
    ss = np.sqrt(_sqdist(X_syn, X_syn))
    rs = np.sqrt(_sqdist(X_real, X_syn))  # real × synthetic
    r_real = np.sort(rr, axis=1)[:, k]  # column 0 is the cell itself
    r_syn = np.sort(ss, axis=1)[:, k]
    inside_real = rs < r_real[:, None]  # synthetic j inside real ball i
    return {
        "precision": float(inside_real.any(axis=0).mean()),
        "recall": float((rs < r_syn[None, :]).any(axis=1).mean()),
        "density": float(inside_real.sum(axis=0).mean() / k),
        "coverage": float((rs.min(axis=1) < r_real).mean()),
    }


# -- distance to the closest record -------------------------------------------------------------
def dcr(X_syn, X_real, quantile: float = 0.05) -> dict:
    """Distance from every synthetic cell to its closest real cell, against the real cells'
    distances to their closest *other* real cell.

    Returns ``dcr_median`` (synthetic), ``dcr_median_ref`` (real-to-real) and
    ``near_copy_share``: share of synthetic cells closer to a real cell than the ``quantile``
    of the real-to-real distances (the reference value is ``quantile`` by construction).
    """
    X_syn, X_real = _check("dcr", X_syn, X_real)
    if len(X_real) < 2 or len(X_syn) == 0:
        return {"dcr_median": np.nan, "dcr_median_ref": np.nan, "near_copy_share": np.nan}
    rr = np.sqrt(_sqdist(X_real, X_real))
    np.fill_diagonal(rr, np.inf)
    ref = rr.min(axis=1)
    d = np.sqrt(_sqdist(X_syn, X_real)).min(axis=1)
    thr = np.quantile(ref, quantile)
    return {
        "dcr_median": float(np.median(d)),
        "dcr_median_ref": float(np.median(ref)),
        "near_copy_share": float((d < thr).mean()),
    }


# -- train on synthetic, test on real -----------------------------------------------------------
def tstr(X_syn, y_syn, X_train, y_train, X_test, y_test, seed: int = 0, n_estimators: int = 100) -> dict:
    """Random forest trained on synthetic cells only (TSTR) and on the real training cells
    (TRTR, the reference), both scored on real held-out cells.

    Returns ``{"tstr_accuracy", "trtr_accuracy", "tstr_recall": {class: recall},
    "trtr_recall": {...}}``.
    """
    import threadpoolctl
    from sklearn.ensemble import RandomForestClassifier

    y_test = np.asarray(y_test).astype(str)
    out = {}
    for name, X, y in (("tstr", X_syn, y_syn), ("trtr", X_train, y_train)):
        y = np.asarray(y).astype(str)
        if len(X) == 0 or len(np.unique(y)) < 2:
            out[f"{name}_accuracy"], out[f"{name}_recall"] = np.nan, {}
            continue
        with threadpoolctl.threadpool_limits(1):
            pred = (
                RandomForestClassifier(n_estimators=n_estimators, random_state=seed, n_jobs=1)
                .fit(np.asarray(X, float), y)
                .predict(np.asarray(X_test, float))
            )
        out[f"{name}_accuracy"] = float((pred == y_test).mean())
        out[f"{name}_recall"] = {c: float((pred[y_test == c] == c).mean()) for c in np.unique(y_test)}
    return out


# -- one class, one table -----------------------------------------------------------------------
def class_metrics(X_syn, X_real, seed: int = 0, k: int = 5, n_permutations: int = 200, c2st_folds: int = 3) -> dict:
    """Every per-class metric for one class's synthetic cells, each with its split-half
    real-vs-real reference (``<metric>_ref``). ``X_real``: that class's real training cells."""
    X_syn, X_real = _check("class_metrics", X_syn, X_real)
    rng = np.random.default_rng(seed)
    perm = rng.permutation(len(X_real))
    half = len(X_real) // 2
    A, B = X_real[perm[:half]], X_real[perm[half:]]
    nb = len(B)
    S = X_syn[rng.choice(len(X_syn), nb, replace=False)] if len(X_syn) > nb else X_syn
    kk = max(1, min(k, len(A) - 1, len(S) - 1, nb - 1))
    row = {"n_real": len(X_real), "n_synthetic": len(X_syn), "n_half": half, "k": kk}
    for tag, other in (("", S), ("_ref", B)):
        row["sd_ratio" + tag] = sd_ratio(other, A)
        row["mmd2" + tag], row["mmd_p" + tag] = mmd_rbf(A, other, n_permutations, seed)
        row["c2st_auc" + tag] = c2st_auc(A, other, seed, c2st_folds)
        for name, v in prdc(A, other, kk).items():
            row[name + tag] = v
    # SD ratio of the whole synthetic sample against all real training cells (no subsampling)
    row["sd_ratio_all"] = sd_ratio(X_syn, X_real)
    d = dcr(X_syn, X_real)
    row.update(
        dcr_median=d["dcr_median"],
        dcr_median_ref=d["dcr_median_ref"],
        near_copy_share=d["near_copy_share"],
        near_copy_share_ref=0.05,
    )
    return row


def distribution_fidelity(
    X_syn,
    y_syn,
    X_train,
    y_train,
    X_test=None,
    y_test=None,
    seed: int = 0,
    k: int = 5,
    n_permutations: int = 200,
    c2st_folds: int = 3,
    min_cells: int = 8,
) -> pd.DataFrame:
    """Per class: every metric of :func:`class_metrics`, plus TSTR / TRTR (when test cells are
    given). Classes with fewer than ``min_cells`` real training cells or synthetic cells are
    left out (logged in ``skipped``: their row has only counts)."""
    X_syn, X_train = _check("distribution_fidelity", X_syn, X_train)
    y_syn = np.asarray(y_syn).astype(str)
    y_train = np.asarray(y_train).astype(str)
    if len(X_syn) != len(y_syn) or len(X_train) != len(y_train):
        raise NeurogenError("distribution_fidelity: features and labels have different lengths")
    ts = None
    if X_test is not None and len(X_syn):
        ts = tstr(X_syn, y_syn, X_train, y_train, X_test, y_test, seed)
    rows = []
    for i, c in enumerate(sorted(set(y_train) & set(y_syn))):
        Xs, Xr = X_syn[y_syn == c], X_train[y_train == c]
        if len(Xr) < min_cells or len(Xs) < min_cells:
            rows.append(
                {"class": c, "n_real": len(Xr), "n_synthetic": len(Xs), "skipped": f"fewer than {min_cells} cells"}
            )
            continue
        row = {"class": c, **class_metrics(Xs, Xr, seed + i, k, n_permutations, c2st_folds), "skipped": ""}
        if ts is not None:
            row.update(
                tstr_recall=ts["tstr_recall"].get(c, np.nan),
                trtr_recall=ts["trtr_recall"].get(c, np.nan),
                tstr_accuracy=ts["tstr_accuracy"],
                trtr_accuracy=ts["trtr_accuracy"],
            )
        rows.append(row)
    return pd.DataFrame(rows)


#: how far a value is from its reference, per metric, for the figure (0 = as real-vs-real)
#: name -> (reference column, direction): +1 larger is worse, -1 smaller is worse, 0 both
DEVIATION = {
    "sd_ratio": ("sd_ratio_ref", 0),
    "c2st_auc": ("c2st_auc_ref", +1),
    "mmd2": ("mmd2_ref", +1),
    "precision": ("precision_ref", -1),
    "recall": ("recall_ref", -1),
    "density": ("density_ref", 0),
    "coverage": ("coverage_ref", -1),
    "near_copy_share": ("near_copy_share_ref", +1),
    "tstr_accuracy": ("trtr_accuracy", -1),
}


def deviation_summary(df: pd.DataFrame, by=("generator",)) -> pd.DataFrame:
    """Median (over classes, repeats, …) of each metric and of its reference, per group, and
    the signed deviation ``value − reference`` (``sd_ratio`` and ``density``: log ratio).

    Columns: *by, metric, value, reference, deviation, worse (deviation in the bad direction, ≥ 0).
    """
    by = list(by)
    rows = []
    if df.empty:
        return pd.DataFrame(columns=by + ["metric", "value", "reference", "deviation", "worse"])
    d = df[df.get("skipped", pd.Series("", index=df.index)).fillna("") == ""]
    for key, g in d.groupby(by, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        for m, (ref, sign) in DEVIATION.items():
            if m not in g or ref not in g:
                continue
            v, r = float(np.nanmedian(g[m])), float(np.nanmedian(g[ref]))
            if sign == 0:
                dev = float(np.log(max(v, 1e-6) / max(r, 1e-6)))
                worse = abs(dev)
            else:
                dev = v - r
                worse = max(0.0, sign * dev)
            rows.append(
                {**dict(zip(by, key)), "metric": m, "value": v, "reference": r, "deviation": dev, "worse": worse}
            )
    return pd.DataFrame(rows)
