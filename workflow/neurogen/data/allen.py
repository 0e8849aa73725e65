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
    X: pd.DataFrame  # numeric features (NaN = missing)
    y: pd.Series  # class labels (str)
    dropped: list = field(default_factory=list)  # non-numeric columns dropped
    source: str = ""

    @property
    def classes(self):
        return sorted(self.y.unique())


def _read_text(path: Path, name: str) -> str:
    """The file as text (UTF-8, optional BOM), or an error naming the line of the first bad byte."""
    raw = path.read_bytes()
    if b"\x00" in raw[:65536]:
        raise NeurogenError(
            f"{name}: a binary file, not a text table (expected a ';' or ',' separated "
            f"table with a header line holding a '{LABEL}' column)"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise NeurogenError(
            f"{name}, line {line}: not UTF-8 text (byte 0x{raw[e.start]:02x} at offset {e.start}); "
            f"re-save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8 in.csv > out.csv`)"
        ) from None


def _sniff_sep(head: str, name: str) -> str:
    if not head.strip():
        raise NeurogenError(f"{name}: the file is empty (expected a header line with a '{LABEL}' column)")
    return ";" if head.count(";") >= head.count(",") and head.count(";") > 0 else ","


def _check_rows(text: str, sep: str, name: str) -> list[int]:
    """Every row has the header's number of cells and the header has no repeated names.

    Returns the file line number of each data row (blank lines are skipped, as pandas does)."""
    import csv
    import io

    rows = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    header = None
    lines, short = [], []
    for cells in rows:
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue
        if header is None:
            header = [c.strip() for c in cells]
            hline = rows.line_num
            dup = sorted({c for c in header if header.count(c) > 1})
            if dup:
                raise NeurogenError(
                    f"{name}, line {hline}: column name(s) {dup} appear more than once in the "
                    f"header; rename or remove the duplicate column(s)"
                )
            continue
        if len(cells) != len(header):
            short.append((rows.line_num, len(cells)))
        lines.append(rows.line_num)
    if short:
        ln, n = short[0]
        more = f" (and {len(short) - 1} more row(s): lines {[x for x, _ in short[1:6]]}...)" if len(short) > 1 else ""
        raise NeurogenError(
            f"{name}, line {ln}: malformed table: {n} cells but the header has {len(header)} "
            f"(separator {sep!r}){more}; "
            f"a row with missing or extra cells is malformed (a truncated download?): write an empty "
            f"cell for a missing value"
        )
    return lines


def read_table(path, sep: str | None = None, name: str | None = None, with_lines: bool = False):
    """Read a ``;`` or ``,`` separated table, with a clear error if it is malformed.

    ``name``: how messages call the file (default: ``path``; the workflow passes the user's own
    file when ``path`` is a copy). ``with_lines``: also return each data row's file line number."""
    import io
    import warnings

    path = Path(path)
    name = name or str(path)
    if not path.is_file():
        raise NeurogenError(f"{name}: no such file")
    text = _read_text(path, name)
    sep = sep or _sniff_sep(text.split("\n", 1)[0], name)
    try:
        lines = _check_rows(text, sep, name)
    except Exception as e:  # csv.Error (e.g. an unterminated quote)
        if isinstance(e, NeurogenError):
            raise
        raise NeurogenError(f"{name}: malformed table (separator {sep!r}): {e}") from None
    try:
        with warnings.catch_warnings():
            # a row longer than the header must not silently become an index or be truncated
            warnings.simplefilter("error", pd.errors.ParserWarning)
            df = pd.read_csv(io.StringIO(text), sep=sep, index_col=False)
    except (pd.errors.ParserError, pd.errors.ParserWarning, pd.errors.EmptyDataError) as e:
        raise NeurogenError(f"{name}: malformed table (separator {sep!r}): {e}") from None
    df.columns = [str(c).strip() for c in df.columns]
    if len(lines) != len(df):  # a quoted cell spanning lines etc.: fall back to header + index
        lines = list(range(2, len(df) + 2))
    return (df, lines) if with_lines else df


def load_feature_table(
    path, label: str = LABEL, drop_columns=NON_FEATURE_COLUMNS, sep: str | None = None, name: str | None = None
) -> FeatureTable:
    """Load an Allen-format table into numeric features and labels.

    ``drop_columns`` lists known non-feature columns: dropped when present (logged).
    Every remaining column must be numeric, else a :class:`NeurogenError` names it.
    Labels are stripped of surrounding whitespace (logged); labels that differ only in case
    (``Exc_1`` / ``exc_1``) are an error naming them. An infinite cell is an error naming its
    column and line (write an empty cell for a missing value). ``name``: how messages call the
    file (default ``path``).
    """
    path = Path(path)
    name = name or str(path)
    df, lines = read_table(path, sep, name=name, with_lines=True)
    lines = np.asarray(lines)
    if label not in df.columns:
        raise NeurogenError(
            f"{name}: label column {label!r} not found; columns are {list(df.columns)[:8]}"
            f"{'...' if df.shape[1] > 8 else ''}"
        )
    if len(df) == 0:
        raise NeurogenError(f"{name}: no data rows (only a header line); expected one row per cell")
    y = df[label]
    if y.isna().any():
        rows = lines[np.flatnonzero(y.isna().to_numpy())[:5]].tolist()
        raise NeurogenError(f"{name}: {int(y.isna().sum())} rows have no {label!r} label (file lines {rows}...)")
    y = y.astype(str)
    stripped = y.str.strip()
    if (stripped != y).any():
        changed = sorted(set(y[stripped != y]))[:5]
        log.info(
            "%s: stripped surrounding whitespace from %d label(s), e.g. %s",
            name,
            int((stripped != y).sum()),
            [repr(c) for c in changed],
        )
    y = stripped
    if (y == "").any():
        rows = lines[np.flatnonzero((y == "").to_numpy())[:5]].tolist()
        raise NeurogenError(f"{name}: {int((y == '').sum())} rows have a blank {label!r} label (file lines {rows}...)")
    variants = {}
    for c in sorted(set(y)):
        variants.setdefault(c.casefold(), []).append(c)
    clash = [v for v in variants.values() if len(v) > 1]
    if clash:
        desc = "; ".join(
            " vs ".join(repr(c) for c in v) + f" (first at line {int(lines[np.argmax((y == v[1]).to_numpy())])})"
            for v in clash[:5]
        )
        raise NeurogenError(
            f"{name}: {label!r} labels differ only in upper/lower case: {desc}; they would be "
            f"treated as different classes: spell each class one way"
        )
    X = df.drop(columns=[label])
    dropped = [c for c in drop_columns if c in X.columns]
    if dropped:
        log.info("%s: dropping non-numeric metadata columns %s", name, dropped)
        X = X.drop(columns=dropped)
    bad = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    if bad:
        c = bad[0]
        vals = pd.to_numeric(X[c], errors="coerce")
        badrow = vals.isna() & X[c].notna()
        examples = X[c][badrow].astype(str).unique()[:3].tolist()
        at = f" at line {int(lines[np.argmax(badrow.to_numpy())])}" if badrow.any() else ""
        raise NeurogenError(
            f"{name}: feature column(s) {bad} are not numeric (e.g. {c!r} holds {examples}{at}); "
            f"fix the file or list the column under the dataset's drop_columns"
        )
    if X.shape[1] == 0:
        raise NeurogenError(f"{name}: no feature columns besides {label!r}")
    X = X.astype(float)
    inf = np.isinf(X.to_numpy())
    if inf.any():
        r, c = np.argwhere(inf)[0]
        cols = [X.columns[j] for j in np.flatnonzero(inf.any(axis=0))]
        raise NeurogenError(
            f"{name}, line {int(lines[r])}: column {X.columns[c]!r} holds an infinite value "
            f"({X.iat[r, c]}); {int(inf.sum())} infinite cell(s) in column(s) {cols[:8]}; write an "
            f"empty cell for a missing value or fix the feature extraction"
        )
    allnan = [c for c in X.columns if X[c].isna().all()]
    if allnan:
        raise NeurogenError(f"{name}: feature column(s) {allnan} hold no values at all")
    return FeatureTable(X=X.reset_index(drop=True), y=y.reset_index(drop=True), dropped=dropped, source=name)
