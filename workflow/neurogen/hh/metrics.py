"""The one implementation of the errors every stage reports for an HH neuron (epgan and fit).

Windows (as published, EP-GAN): pre-activation (4, 5] s, mid-activation [5, 10] s,
post-activation [10, 11) s of the recorded 4–11 s window (the step from 5 to 10 s). The
response RMSE of a window is taken over every stimulus and time point in it; ``avg`` is the
mean of the three windows. The I–V RMSE is over the voltage-clamp levels (pA).
"""

from __future__ import annotations

import numpy as np

from .. import NeurogenError

WINDOWS = ("pre", "mid", "post")
_EPS = 1e-9


def window_masks(time_s, step=(5.0, 10.0), window=(4.0, 11.0)) -> dict[str, np.ndarray]:
    """Boolean masks of the pre (w0, a], mid [a, b] and post [b, w1) windows of ``time_s`` (s).
    A window without a sample is an error naming it."""
    t = np.asarray(time_s, dtype=np.float64)
    a, b = (float(x) for x in step)
    w0, w1 = (float(x) for x in window)
    masks = {
        "pre": (t > w0 + _EPS) & (t <= a + _EPS),
        "mid": (t >= a - _EPS) & (t <= b + _EPS),
        "post": (t >= b - _EPS) & (t < w1 - _EPS),
    }
    for k, m in masks.items():
        if not m.any():
            raise NeurogenError(f"time axis {t.min():.2f}..{t.max():.2f} s has no sample in the {k} window")
    return masks


def response_rmse(pred, true, time_s=None, masks=None) -> dict[str, np.ndarray]:
    """Per-neuron RMSE (mV) in the pre / mid / post windows and their mean ``avg``.

    pred [N, S, T]; true [N, S, T] or one target [S, T] for every row. Windows from ``masks``
    (see :func:`window_masks`) or from ``time_s``. NaN where a prediction is not finite (a
    simulation that blew up)."""
    pred = np.asarray(pred, dtype=np.float64)
    true = np.asarray(true, dtype=np.float64)
    if true.ndim == pred.ndim - 1:
        true = true[None]
    if pred.shape[1:] != true.shape[1:] or true.shape[0] not in (1, pred.shape[0]):
        raise NeurogenError(f"response shapes differ: {pred.shape} vs {true.shape}")
    if masks is None:
        if time_s is None:
            raise NeurogenError("response_rmse needs time_s or masks")
        masks = window_masks(time_s)
    out = {}
    for name in WINDOWS:
        d = pred[..., masks[name]] - true[..., masks[name]]
        out[name] = np.sqrt(np.mean(d.reshape(len(d), -1) ** 2, axis=1))
    out["avg"] = (out["pre"] + out["mid"] + out["post"]) / 3.0
    return out


def response_rmse_array(pred, true, masks) -> np.ndarray:
    """[N, 4] columns pre, mid, post, avg of :func:`response_rmse`."""
    r = response_rmse(pred, true, masks=masks)
    return np.stack([r[k] for k in (*WINDOWS, "avg")], axis=1)


def iv_rmse(pred, true) -> np.ndarray:
    """[N] RMSE (pA) of steady-state currents ``pred`` [N, K] against ``true`` [N, K] or [K]."""
    pred = np.asarray(pred, dtype=np.float64)
    true = np.asarray(true, dtype=np.float64)
    if true.ndim == 1:
        true = true[None]
    return np.sqrt(np.mean((pred - true) ** 2, axis=1))


def objectives(sim, iv, target_resp, target_iv) -> np.ndarray:
    """[N, 2] the fitting objectives: MAE of responses (mV) and MAE of the I–V (pA)."""
    f1 = np.abs(np.asarray(sim, np.float64) - np.asarray(target_resp, np.float64)[None]).mean(axis=(1, 2))
    f2 = np.abs(np.asarray(iv, np.float64) - np.asarray(target_iv, np.float64)[None]).mean(axis=1)
    return np.stack([f1, f2], axis=1)
