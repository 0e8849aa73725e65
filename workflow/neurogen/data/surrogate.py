"""The embedded default data: a surrogate table generated from committed class statistics.

``derive_stats`` turns a real table into summary statistics only (no cell-level rows): per
class the count, feature means and SDs and per-feature missingness; the pooled within-class
correlation matrix; the frequencies of non-numeric metadata columns. ``generate`` draws a
table of the same schema: per class a multivariate normal with the class means and SDs and the
pooled within-class correlation, then cells are blanked at the class's missingness rates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import NeurogenError
from .allen import LABEL, read_table


def derive_stats(path, label: str = LABEL, source: str = "") -> dict:
    """Summary statistics of a real Allen-format table (see module docstring)."""
    df = read_table(path)
    if label not in df.columns:
        raise NeurogenError(f"{path}: label column {label!r} not found")
    y = df[label].astype(str)
    meta = {
        c: df[c]
        for c in df.columns
        if c != label and not pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
    }
    bools = [c for c in df.columns if pd.api.types.is_bool_dtype(df[c])]
    for c in bools:
        meta[c] = df[c]
    feats = [c for c in df.columns if c != label and c not in meta]
    X = df[feats].astype(float)
    classes = sorted(y.unique())
    stats = {"label": label, "features": feats, "source": source, "classes": {}}
    resid = []
    for c in classes:
        Xc = X[y == c]
        mu = Xc.mean()
        sd = Xc.std(ddof=1).fillna(0.0)
        stats["classes"][c] = {
            "n": int(len(Xc)),
            "mean": [_num(v) for v in mu.fillna(X.mean())],
            "sd": [_num(v) for v in sd],
            "missing": [round(float(v), 4) for v in Xc.isna().mean()],
        }
        z = (Xc - mu) / sd.replace(0, np.nan)
        resid.append(z)
    Z = pd.concat(resid)
    corr = Z.corr(min_periods=10).fillna(0.0).to_numpy()
    np.fill_diagonal(corr, 1.0)
    stats["correlation"] = [[round(float(v), 4) for v in row] for row in corr]
    stats["metadata"] = {}
    for c, s in meta.items():
        freq = s.astype(str).value_counts(normalize=True)
        stats["metadata"][c] = {
            "position": int(list(df.columns).index(c)),
            "values": {str(k): round(float(v), 4) for k, v in freq.items()},
        }
    return stats


def _num(v) -> float:
    v = float(v)
    return 0.0 if not np.isfinite(v) else float(f"{v:.6g}")


def _nearest_psd(c: np.ndarray) -> np.ndarray:
    w, v = np.linalg.eigh((c + c.T) / 2)
    w = np.clip(w, 1e-6, None)
    c = (v * w) @ v.T
    d = np.sqrt(np.diag(c))
    return c / np.outer(d, d)


def generate(stats: dict, seed: int, scale: float = 1.0) -> pd.DataFrame:
    """Draw a surrogate table from ``stats``; ``scale`` multiplies every class count."""
    rng = np.random.default_rng(seed)
    feats = stats["features"]
    corr = _nearest_psd(np.asarray(stats["correlation"], float))
    chol = np.linalg.cholesky(corr)
    frames = []
    for c, s in stats["classes"].items():
        n = max(1, int(round(s["n"] * scale)))
        z = rng.standard_normal((n, len(feats))) @ chol.T
        x = np.asarray(s["mean"]) + z * np.asarray(s["sd"])
        miss = rng.random((n, len(feats))) < np.asarray(s["missing"])
        x[miss] = np.nan
        f = pd.DataFrame(x, columns=feats)
        f.insert(0, stats.get("label", LABEL), c)
        frames.append(f)
    df = pd.concat(frames, ignore_index=True)
    for col, m in sorted(stats.get("metadata", {}).items(), key=lambda kv: kv[1]["position"]):
        vals = list(m["values"])
        p = np.asarray(list(m["values"].values()), float)
        df.insert(min(m["position"], df.shape[1]), col, rng.choice(vals, size=len(df), p=p / p.sum()))
    # shuffle rows so class blocks are not contiguous (as in a real export)
    return df.sample(frac=1.0, random_state=int(rng.integers(2**31))).reset_index(drop=True)


def main(argv=None) -> None:
    """``python -m neurogen.data.surrogate REAL_TABLE OUT.json`` — derive committed statistics."""
    import argparse

    from ..io import write_json
    from .download import sha256sum

    p = argparse.ArgumentParser(description=main.__doc__)
    p.add_argument("table", help="real Allen-format table (e.g. e-type.csv)")
    p.add_argument("out", help="JSON statistics file to write (e.g. resources/surrogate/etype.json)")
    p.add_argument("--label", default=LABEL)
    a = p.parse_args(argv)
    from pathlib import Path

    src = f"{Path(a.table).name} sha256={sha256sum(a.table)}"
    write_json(derive_stats(a.table, a.label, source=src), a.out)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
