"""The prepared dataset every stage reads: ``results/data/{dataset}/``.

- ``cells.csv``: the cleaned table (label column ``e-type`` + numeric features; NaN = missing;
  classes removed by the small-class policy are absent).
- ``splits.csv``: one column per repeat (``repeat_0`` … ``repeat_{R-1}``), ``train``/``test``
  per cell, stratified and seeded; repeat 0 is the classification sweep's split.
- ``classes.csv``: class, n, action (ok / drop / keep).

:func:`load_split` returns one repeat's train/test arrays with mean imputation fit on the
training part only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import NeurogenError
from ..io import write_csv
from .allen import LABEL, load_feature_table
from .split import MeanImputer, filter_small_classes, make_splits, required_class_size

log = logging.getLogger("neurogen")


def prepare_dataset(
    raw,
    outdir,
    *,
    label=LABEL,
    drop_columns=(),
    test_size=0.2,
    repeats=5,
    min_class_size=None,
    small_classes="drop",
    cv_folds=10,
    seed=42,
    source=None,
) -> dict:
    """``source``: the user's own file (or URL) that ``raw`` copies, named in error messages."""
    outdir = Path(outdir)
    name = source or str(raw)
    t = load_feature_table(raw, label=label, drop_columns=drop_columns, name=name)
    if min_class_size is None:
        min_class_size = required_class_size(cv_folds, test_size)
    try:
        mask, report = filter_small_classes(t.y, min_class_size, small_classes)
    except NeurogenError as e:
        raise NeurogenError(f"{name}: {e}") from None
    X, y = t.X[mask].reset_index(drop=True), t.y[mask].reset_index(drop=True)
    const = [c for c in X.columns if X[c].nunique(dropna=True) <= 1]
    if const:
        log.warning("constant feature(s) kept (they carry no information): %s", const)
    splits = make_splits(y, test_size, repeats, seed)
    cells = X.copy()
    cells.insert(0, LABEL, y)
    write_csv(cells, outdir / "cells.csv")
    sp = pd.DataFrame({f"repeat_{r}": np.where(splits[r], "test", "train") for r in range(repeats)})
    write_csv(sp, outdir / "splits.csv")
    write_csv(report, outdir / "classes.csv")
    log.info(
        "%s: %d cells, %d features, %d classes; %d repeats of a %.0f/%.0f split",
        Path(raw).name,
        len(y),
        X.shape[1],
        y.nunique(),
        repeats,
        100 * (1 - test_size),
        100 * test_size,
    )
    return {
        "n_cells": len(y),
        "n_features": X.shape[1],
        "n_classes": int(y.nunique()),
        "dropped_columns": t.dropped,
        "min_class_size": min_class_size,
    }


@dataclass
class Split:
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    features: list
    imputer: MeanImputer


def load_split(datadir, repeat: int = 0) -> Split:
    """One repeat's split, imputed with the training means (the test part is not looked at)."""
    datadir = Path(datadir)
    cells = pd.read_csv(datadir / "cells.csv")
    splits = pd.read_csv(datadir / "splits.csv")
    col = f"repeat_{repeat}"
    if col not in splits.columns:
        raise NeurogenError(f"{datadir}/splits.csv has no {col!r} (repeats: {splits.shape[1]})")
    is_test = (splits[col] == "test").to_numpy()
    y = cells[LABEL].astype(str).to_numpy()
    X = cells.drop(columns=[LABEL])
    imp = MeanImputer().fit(X.to_numpy()[~is_test])
    return Split(
        imp.transform(X.to_numpy()[~is_test]),
        y[~is_test],
        imp.transform(X.to_numpy()[is_test]),
        y[is_test],
        list(X.columns),
        imp,
    )
