"""The published selection of a final parameter set from all evaluated candidates.

1. keep candidates whose steady-state I–V satisfies the target type's dI/dV bounds
   (the derivative between consecutive voltage levels lies within [lo, hi] at every level);
2. of those, the lowest response RMSE averaged over the pre/mid/post windows.
If no candidate satisfies the bounds, the lowest averaged RMSE over all candidates is taken and
``meets_bounds`` is False (so the table says so).
"""

from __future__ import annotations

import numpy as np

from .. import NeurogenError


def didv(iv, v_mV) -> np.ndarray:
    """[N, K-1] finite-difference dI/dV (pA/mV) between consecutive voltage levels."""
    iv = np.atleast_2d(np.asarray(iv, dtype=np.float64))
    v = np.asarray(v_mV, dtype=np.float64)
    return np.diff(iv, axis=1) / np.diff(v)[None]


def within_bounds(iv, v_mV, lo, hi) -> np.ndarray:
    """[N] bool: dI/dV within [lo, hi] at every interval (NaN bounds are unconstrained)."""
    d = didv(iv, v_mV)
    lo = np.asarray(lo, dtype=np.float64)
    hi = np.asarray(hi, dtype=np.float64)
    if lo.shape != (d.shape[1],) or hi.shape != (d.shape[1],):
        raise NeurogenError(f"dI/dV bounds have {lo.shape}/{hi.shape} entries; the I–V has {d.shape[1]} intervals")
    ok = np.where(np.isnan(lo), True, d >= lo) & np.where(np.isnan(hi), True, d <= hi)
    return ok.all(axis=1) & np.isfinite(d).all(axis=1)


def select(rmse_avg, ok) -> tuple[int, bool]:
    """Index of the selected candidate and whether it satisfies the bounds."""
    r = np.asarray(rmse_avg, dtype=np.float64)
    r = np.where(np.isfinite(r), r, np.inf)
    ok = np.asarray(ok, dtype=bool)
    if len(r) == 0:
        raise NeurogenError("no candidates to select from")
    if ok.any():
        idx = np.flatnonzero(ok)
        return int(idx[np.argmin(r[idx])]), True
    return int(np.argmin(r)), False


def load_didv_bounds(path, n_intervals: int | None = None) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """dI/dV bounds per neuron type from the hh stage's table (``resources/hh/iv_bounds.csv``).

    One row per type and voltage interval: ``type`` (int code), ``slope_lo``/``slope_hi``
    (pA/mV; ``lo``/``hi`` also accepted; empty = unconstrained), ordered by ``v_lo_mV`` when given.
    """
    import pandas as pd

    try:
        t = pd.read_csv(path)
    except (OSError, ValueError) as e:
        raise NeurogenError(f"{path}: cannot read dI/dV bounds ({e})") from None
    lo_c = "slope_lo" if "slope_lo" in t else "lo"
    hi_c = "slope_hi" if "slope_hi" in t else "hi"
    for c in ("type", lo_c, hi_c):
        if c not in t:
            raise NeurogenError(f"{path}: missing column {c!r} (dI/dV bounds)")
    out = {}
    for ty, g in t.groupby("type", sort=True):
        if "v_lo_mV" in g:
            g = g.sort_values("v_lo_mV")
        lo, hi = g[lo_c].to_numpy(float), g[hi_c].to_numpy(float)
        if n_intervals is not None and len(lo) != n_intervals:
            raise NeurogenError(f"{path}: type {ty} has {len(lo)} intervals, the I–V has {n_intervals}")
        out[int(ty)] = (lo, hi)
    return out
