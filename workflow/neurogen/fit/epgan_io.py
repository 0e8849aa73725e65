"""EP-GAN's per-neuron results (the epgan stage's output files) as comparison rows.

Read from the epgan stage (paths in ``fit.epgan``, each with ``{model}``):
- ``per_neuron``: ``results/epgan/{model}/per_neuron.csv`` — per test neuron (``neuron`` = test-set
  row) and ``method`` the response RMSE (``rmse_pre_mV`` … ``rmse_avg_mV``, against the clean
  responses) and ``iv_rmse_pA``; the rows of ``fit.epgan.method`` (default ``epgan_selected``,
  the published selection over epochs) are used;
- ``history``: ``results/epgan/{model}/full/history.csv`` — per epoch ``train_time_s`` (summed);
- ``speed`` (optional): ``results/epgan/{model}/speed.csv`` — single-pass inference time
  (``n_neurons``, ``per_neuron_ms``);
and the training-set size from ``results/hh/{model}/train.h5``. Rows are kept for the fit stage's
target neurons only, so both sides are compared on the same neurons.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .. import NeurogenError

WINDOW_COLS = ["rmse_pre_mV", "rmse_mid_mV", "rmse_post_mV", "rmse_avg_mV", "iv_rmse_pA"]


def _read(path, what, need):
    try:
        df = pd.read_csv(path)
    except (OSError, ValueError) as e:
        raise NeurogenError(f"{path}: cannot read EP-GAN {what} ({e})") from None
    missing = [c for c in need if c not in df]
    if missing:
        raise NeurogenError(f"{path}: EP-GAN {what} lacks columns {missing}")
    return df


def epgan_rows(model: str, targets: pd.DataFrame, per_neuron, history, n_train: int, speed=None,
               method: str = "epgan_selected", selection_k: int = 0, s_per_sample: float = float("nan")
               ) -> list[dict]:
    """One comparison row per target neuron. For ``epgan_selected`` the published selection
    simulates ``selection_k`` candidate sets per neuron (one per epoch kept): they count as its
    per-neuron samples, and their simulation (``selection_k`` x ``s_per_sample``, the optimisers'
    measured time per simulated sample) is added to the single-pass inference time."""
    per = _read(per_neuron, "per-neuron table", ["method", "neuron"] + WINDOW_COLS)
    per = per[per["method"] == method]
    if per.empty:
        raise NeurogenError(f"{per_neuron}: no rows of method {method!r} (fit.epgan.method)")
    hist = _read(history, "training history", ["train_time_s"])
    train_time = float(hist["train_time_s"].sum())
    per_neuron_s = np.nan
    if speed and Path(speed).exists():
        sp = _read(speed, "inference speed", ["n_neurons", "per_neuron_ms"])
        n_max = sp["n_neurons"].max()
        per_neuron_s = float(sp.loc[sp["n_neurons"] == n_max, "per_neuron_ms"].iloc[0]) / 1000.0
    k = int(selection_k) if method == "epgan_selected" else 0
    if k:
        per_neuron_s = per_neuron_s + k * s_per_sample if np.isfinite(per_neuron_s) else k * s_per_sample
    by = per.set_index(per["neuron"].astype(int))
    missing = [int(n) for n in targets["neuron"] if int(n) not in by.index]
    if missing:
        raise NeurogenError(f"{per_neuron}: EP-GAN has no {method} result for test neurons {missing}")
    rows = []
    for r in targets.itertuples():
        e = by.loc[int(r.neuron)]
        row = {"model": model, "method": "epgan", "budget_total": int(n_train), "target": int(r.target),
               "neuron": int(r.neuron), "type": int(r.type), "type_name": r.type_name,
               "train_samples": int(n_train), "train_time_s": train_time, "samples_used": k,
               "wall_time_s": per_neuron_s, "selected": method, "meets_bounds": np.nan}
        for c in WINDOW_COLS:
            row[c] = float(e[c])
        rows.append(row)
    return rows
