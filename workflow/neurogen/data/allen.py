"""Loader for Allen Cell Types feature tables (the classification study's format).

A table has one row per cell, a label column (``e-type`` by default) and numeric feature
columns; ``;`` or ``,`` separated. The morphology table (mee-type) carries two non-numeric
columns (``neuron_reconstruction_type``, ``superseded``) that are dropped, with a log line;
any other non-numeric column is an error naming it.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import NeurogenError

log = logging.getLogger("neurogen")

LABEL = "e-type"
#: Non-numeric metadata columns of the published mee-type table, dropped by default.
NON_FEATURE_COLUMNS = ("neuron_reconstruction_type", "superseded")


@dataclass
class FeatureTable:
    X: pd.DataFrame               # numeric features (NaN = missing)
    y: pd.Series                  # class labels (str)
    dropped: list = field(default_factory=list)   # non-numeric columns dropped
    source: str = ""

    @property
    def classes(self):
        return sorted(self.y.unique())


def _sniff_sep(path: Path) -> str:
    with open(path, "r", newline="") as fh:
        head = fh.readline()
    if not head.strip():
        raise NeurogenError(f"{path}: the file is empty (expected a header line with a '{LABEL}' column)")
    return ";" if head.count(";") >= head.count(",") and head.count(";") > 0 else ","


def read_table(path, sep: str | None = None) -> pd.DataFrame:
    """Read a ``;`` or ``,`` separated table, with a clear error if it is malformed."""
    path = Path(path)
    if not path.exists():
        raise NeurogenError(f"{path}: no such file")
    sep = sep or _sniff_sep(path)
    import warnings

    try:
        with warnings.catch_warnings():
            # a row longer than the header must not silently become an index or be truncated
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return pd.read_csv(path, sep=sep, index_col=False)
    except (pd.errors.ParserError, pd.errors.ParserWarning) as e:
        raise NeurogenError(f"{path}: malformed table (separator {sep!r}): {e}") from None
    except UnicodeDecodeError as e:
        raise NeurogenError(f"{path}: not a text table ({e})") from None


def load_feature_table(path, label: str = LABEL, drop_columns=NON_FEATURE_COLUMNS,
                       sep: str | None = None) -> FeatureTable:
    """Load an Allen-format table into numeric features and labels.

    ``drop_columns`` lists known non-feature columns: dropped when present (logged).
    Every remaining column must be numeric, else a :class:`NeurogenError` names it.
    """
    path = Path(path)
    df = read_table(path, sep)
    if label not in df.columns:
        raise NeurogenError(
            f"{path}: label column {label!r} not found; columns are {list(df.columns)[:8]}"
            f"{'...' if df.shape[1] > 8 else ''}")
    y = df[label]
    if y.isna().any():
        rows = list(np.flatnonzero(y.isna().to_numpy())[:5] + 2)
        raise NeurogenError(f"{path}: {int(y.isna().sum())} rows have no {label!r} label (file lines {rows}...)")
    y = y.astype(str)
    X = df.drop(columns=[label])
    dropped = [c for c in drop_columns if c in X.columns]
    if dropped:
        log.info("%s: dropping non-numeric metadata columns %s", path.name, dropped)
        X = X.drop(columns=dropped)
    bad = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    if bad:
        c = bad[0]
        vals = pd.to_numeric(X[c], errors="coerce")
        examples = X[c][vals.isna() & X[c].notna()].astype(str).unique()[:3].tolist()
        raise NeurogenError(
            f"{path}: feature column(s) {bad} are not numeric (e.g. {c!r} holds {examples}); "
            f"fix the file or list the column under the dataset's drop_columns")
    if X.shape[1] == 0:
        raise NeurogenError(f"{path}: no feature columns besides {label!r}")
    X = X.astype(float)
    X.replace([np.inf, -np.inf], np.nan, inplace=True)
    allnan = [c for c in X.columns if X[c].isna().all()]
    if allnan:
        raise NeurogenError(f"{path}: feature column(s) {allnan} hold no values at all")
    return FeatureTable(X=X.reset_index(drop=True), y=y.reset_index(drop=True),
                        dropped=dropped, source=str(path))
