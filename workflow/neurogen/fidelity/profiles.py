"""Class mean profiles and the distances between them.

All functions take features already in the space being compared (e.g. after the baseline's
scaler, fit on the training split) and class labels.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from .. import NeurogenError


def class_means(X, y) -> pd.DataFrame:
    """Mean profile per class (rows: classes in sorted order, columns: features 0..D-1)."""
    X = np.asarray(X, float)
    y = np.asarray(y).astype(str)
    if len(X) != len(y):
        raise NeurogenError(f"class_means: {len(X)} rows but {len(y)} labels")
    df = pd.DataFrame(X)
    return df.groupby(y).mean().sort_index()


def profile_distances(X_syn, y_syn, references: dict) -> pd.DataFrame:
    """Per class: MAE and Euclidean distance between the synthetic mean profile and the mean
    profile of each reference set (``{"train": (X, y), "test": (X, y)}``).

    Columns: class, reference, n_synthetic, n_real, mae, euclidean. Classes absent from a
    reference (or without synthetic cells) are left out.
    """
    syn = class_means(X_syn, y_syn)
    n_syn = pd.Series(np.asarray(y_syn).astype(str)).value_counts()
    rows = []
    for ref, (Xr, yr) in references.items():
        real = class_means(Xr, yr)
        n_real = pd.Series(np.asarray(yr).astype(str)).value_counts()
        for c in syn.index.intersection(real.index):
            d = syn.loc[c].to_numpy() - real.loc[c].to_numpy()
            rows.append(
                {
                    "class": c,
                    "reference": ref,
                    "n_synthetic": int(n_syn[c]),
                    "n_real": int(n_real[c]),
                    "mae": float(np.mean(np.abs(d))),
                    "euclidean": float(np.sqrt(np.sum(d**2))),
                }
            )
    return pd.DataFrame(rows, columns=["class", "reference", "n_synthetic", "n_real", "mae", "euclidean"])


def feature_errors(X_syn, y_syn, references: dict, features=None) -> pd.DataFrame:
    """Per class × feature: |synthetic mean − real mean| for each reference.

    Columns: class, reference, feature, abs_error.
    """
    syn = class_means(X_syn, y_syn)
    feats = list(features) if features is not None else [f"f{i}" for i in range(syn.shape[1])]
    if len(feats) != syn.shape[1]:
        raise NeurogenError(f"feature_errors: {len(feats)} feature names for {syn.shape[1]} features")
    out = []
    for ref, (Xr, yr) in references.items():
        real = class_means(Xr, yr)
        common = syn.index.intersection(real.index)
        err = (syn.loc[common] - real.loc[common]).abs()
        err.columns = feats
        long = err.reset_index(names="class").melt(id_vars="class", var_name="feature", value_name="abs_error")
        long.insert(1, "reference", ref)
        out.append(long)
    if not out:
        return pd.DataFrame(columns=["class", "reference", "feature", "abs_error"])
    return pd.concat(out, ignore_index=True)


def interclass_mae(X, y) -> pd.DataFrame:
    """MAE between the mean profiles of every pair of classes (the natural reference).

    Columns: class_a, class_b, mae.
    """
    m = class_means(X, y)
    rows = [
        {"class_a": a, "class_b": b, "mae": float(np.mean(np.abs(m.loc[a].to_numpy() - m.loc[b].to_numpy())))}
        for a, b in itertools.combinations(m.index, 2)
    ]
    return pd.DataFrame(rows, columns=["class_a", "class_b", "mae"])


def mann_whitney(synthetic_mae, reference_mae, alternative: str = "less") -> dict:
    """One-sided Mann–Whitney U test of synthetic-to-real MAEs against inter-class MAEs.

    ``alternative="less"`` (the study's): synthetic-to-real distances tend to be smaller than
    the distances between real classes. Returns U statistic, p-value, sample sizes, means.
    """
    from scipy.stats import mannwhitneyu

    a = np.asarray(synthetic_mae, float)
    b = np.asarray(reference_mae, float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if len(a) == 0 or len(b) == 0:
        return {
            "u_statistic": np.nan,
            "p_value": np.nan,
            "n_synthetic": len(a),
            "n_reference": len(b),
            "mean_synthetic_mae": np.nan,
            "mean_interclass_mae": np.nan,
        }
    res = mannwhitneyu(a, b, alternative=alternative)
    return {
        "u_statistic": float(res.statistic),
        "p_value": float(res.pvalue),
        "n_synthetic": len(a),
        "n_reference": len(b),
        "mean_synthetic_mae": float(a.mean()),
        "mean_interclass_mae": float(b.mean()),
    }


def pca_projection(X_real, X_other=(), n_components: int = 2, random_state: int = 0):
    """Fit PCA on real cells only; return (real projection, [projections of the others], pca)."""
    from sklearn.decomposition import PCA

    X_real = np.asarray(X_real, float)
    k = min(n_components, X_real.shape[1], len(X_real))
    pca = PCA(n_components=k, random_state=random_state).fit(X_real)
    return pca.transform(X_real), [pca.transform(np.asarray(x, float)) for x in X_other], pca
