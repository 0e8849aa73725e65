"""Class-size handling, seeded stratified train/test splits and train-only imputation."""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.model_selection import StratifiedShuffleSplit

from .. import NeurogenError

log = logging.getLogger("neurogen")


def required_class_size(cv_folds: int, test_size: float) -> int:
    """Smallest class that still has ``cv_folds`` cells in the training split."""
    return max(2, math.ceil(cv_folds / (1.0 - test_size)))


def filter_small_classes(y, min_size: int, policy: str = "drop"):
    """Handle classes with fewer than ``min_size`` cells.

    policy ``drop``: remove them (logged); ``error``: raise naming them; ``keep``: keep them
    (logged; scikit-learn then warns that stratified folds cannot hold every class).
    Returns (keep mask, report DataFrame with class, n, action).
    """
    y = pd.Series(y).astype(str)
    counts = y.value_counts()
    small = counts[counts < min_size]
    report = pd.DataFrame({"class": counts.index, "n": counts.values})
    report["action"] = np.where(report["class"].isin(small.index), policy, "kept")
    report.loc[report["action"] == "kept", "action"] = "ok"
    if len(counts) < 2:
        raise NeurogenError(
            f"only {len(counts)} class ({', '.join(f'{c} ({n})' for c, n in counts.items())}) "
            f"in the label column: classification needs at least 2 classes"
        )
    if small.empty:
        return np.ones(len(y), bool), report
    desc = ", ".join(f"{c} ({n})" for c, n in small.items())
    if policy == "error":
        raise NeurogenError(
            f"classes smaller than split.min_class_size={min_size}: {desc}; "
            f"set split.small_classes to 'drop' (or 'keep') or lower min_class_size"
        )
    if policy == "drop":
        log.warning("dropping %d classes smaller than %d cells: %s", len(small), min_size, desc)
        mask = ~y.isin(small.index).to_numpy()
        if len(set(y[mask])) < 2:
            raise NeurogenError(f"after dropping small classes ({desc}) fewer than 2 classes remain")
        return mask, report
    if policy == "keep":
        log.warning("keeping %d classes smaller than %d cells: %s", len(small), min_size, desc)
        if (counts < 2).any():
            raise NeurogenError(f"classes with a single cell cannot be split: {list(counts[counts < 2].index)}")
        return np.ones(len(y), bool), report
    raise NeurogenError(f"split.small_classes must be 'drop', 'error' or 'keep', not {policy!r}")


def make_splits(y, test_size: float, repeats: int, seed: int) -> np.ndarray:
    """Boolean array (repeats, n): True where a cell is in the held-out test split.

    Repeat 0 is the split of the classification sweep; all repeats are stratified and seeded.
    """
    y = np.asarray(y)
    sss = StratifiedShuffleSplit(n_splits=repeats, test_size=test_size, random_state=seed)
    out = np.zeros((repeats, len(y)), bool)
    for r, (_, te) in enumerate(sss.split(np.zeros(len(y)), y)):
        out[r, te] = True
    return out


class MeanImputer(TransformerMixin, BaseEstimator):
    """Column-mean imputation fit on training data only.

    A feature that is entirely missing in the training data is imputed with 0 and logged.
    """

    def fit(self, X, y=None):
        X = np.asarray(X, float)
        with np.errstate(invalid="ignore"):
            m = np.nanmean(np.where(np.isfinite(X), X, np.nan), axis=0) if len(X) else np.zeros(X.shape[1])
        empty = ~np.isfinite(m)
        if empty.any():
            log.warning("%d feature(s) have no value in the training data; imputed with 0", int(empty.sum()))
        self.means_ = np.where(empty, 0.0, m)
        return self

    def transform(self, X):
        X = np.array(X, float, copy=True)
        bad = ~np.isfinite(X)
        X[bad] = np.take(self.means_, np.nonzero(bad)[1])
        return X
