"""Errors between simulated and target responses / I–V curves.

Windows (as published): pre-activation (4, 5] s, mid-activation [5, 10] s, post-activation
[10, 11) s of the recorded 4–11 s window. The response RMSE of a window is taken over every
sweep and time point in it; ``avg`` is the mean of the three windows.
"""
from __future__ import annotations

import numpy as np

from .. import NeurogenError

WINDOWS = ("pre", "mid", "post")


def window_masks(time_s, step=(5.0, 10.0), window=(4.0, 11.0)) -> dict[str, np.ndarray]:
    t = np.asarray(time_s, dtype=float)
    a, b = step
    masks = {
        "pre": (t > window[0]) & (t <= a),
        "mid": (t >= a) & (t <= b),
        "post": (t >= b) & (t < window[1]),
    }
    for k, m in masks.items():
        if not m.any():
            raise NeurogenError(f"time axis {t.min():.2f}..{t.max():.2f} s has no point in the {k} window")
    return masks


def response_rmse(sim, target, masks) -> np.ndarray:
    """[N, 4] RMSE (mV) of ``sim`` [N,S,T] against ``target`` [S,T]: pre, mid, post, avg."""
    d2 = (np.asarray(sim, dtype=np.float64) - np.asarray(target, dtype=np.float64)[None]) ** 2
    cols = [np.sqrt(d2[:, :, masks[w]].mean(axis=(1, 2))) for w in WINDOWS]
    out = np.stack(cols, axis=1)
    return np.concatenate([out, out.mean(axis=1, keepdims=True)], axis=1)


def iv_rmse(iv, target) -> np.ndarray:
    """[N] RMSE (pA) of steady-state currents ``iv`` [N,K] against ``target`` [K]."""
    d = np.asarray(iv, dtype=np.float64) - np.asarray(target, dtype=np.float64)[None]
    return np.sqrt((d ** 2).mean(axis=1))


def objectives(sim, iv, target_resp, target_iv) -> np.ndarray:
    """[N, 2] the fitting objectives: MAE of responses (mV) and MAE of the I–V (pA)."""
    f1 = np.abs(np.asarray(sim, np.float64) - np.asarray(target_resp, np.float64)[None]).mean(axis=(1, 2))
    f2 = np.abs(np.asarray(iv, np.float64) - np.asarray(target_iv, np.float64)[None]).mean(axis=1)
    return np.stack([f1, f2], axis=1)
