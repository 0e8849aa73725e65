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
        raise NeurogenError(f"dI/dV bounds have {lo.shape}/{hi.shape} entries; the I–V has "
                            f"{d.shape[1]} intervals")
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
