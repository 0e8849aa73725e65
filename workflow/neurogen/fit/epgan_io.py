"""EP-GAN's per-neuron results (from the epgan stage's output files) as comparison rows.

The epgan stage's per-test-neuron metrics table (``fit.epgan.metrics``, a CSV) must have a
test-set row column (``neuron``, or ``index``/``test_index``) and the response/I–V RMSE columns;
its training-time and training-size come from ``fit.epgan.timing`` (a JSON) when given. Rows are
kept for the fit stage's target neurons only, so both sides are compared on the same neurons.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from .. import NeurogenError

ALIASES = {
    "neuron": ["neuron", "test_index", "index", "row"],
    "rmse_pre_mV": ["rmse_pre_mV", "pre_mV", "rmse_pre"],
    "rmse_mid_mV": ["rmse_mid_mV", "mid_mV", "rmse_mid"],
    "rmse_post_mV": ["rmse_post_mV", "post_mV", "rmse_post"],
    "rmse_avg_mV": ["rmse_avg_mV", "rmse_mV", "avg_mV", "rmse_avg"],
    "iv_rmse_pA": ["iv_rmse_pA", "iv_rmse", "rmse_iv_pA"],
    "rmse_avg_clean_mV": ["rmse_avg_clean_mV"],
    "param_mae_norm": ["param_mae_norm"],
    "inference_time_s": ["inference_time_s", "wall_time_s", "infer_time_s"],
}


def _col(df, key, path, required=True):
    for a in ALIASES[key]:
        if a in df:
            return df[a]
    if required:
        raise NeurogenError(f"{path}: no column for {key} (looked for {', '.join(ALIASES[key])})")
    return pd.Series(np.nan, index=df.index)


def epgan_rows(metrics_paths, targets_paths: dict, timing: dict | None = None, log=None) -> list[dict]:
    """``metrics_paths``: one CSV per model (in the order of ``targets_paths``' models)."""
    rows = []
    for (model, tpath), mpath in zip(targets_paths.items(), metrics_paths):
        m = pd.read_csv(mpath)
        tg = pd.read_csv(tpath)
        t = {}
        tp = (timing or {}).get(model)
        if tp and Path(tp).exists():
            with open(tp) as fh:
                t = json.load(fh)
        budget = m["budget_total"] if "budget_total" in m else pd.Series(t.get("n_train", np.nan), index=m.index)
        neuron = _col(m, "neuron", mpath).astype(int)
        by = {int(n): i for i, n in zip(m.index, neuron)}
        missing = [int(n) for n in tg["neuron"] if int(n) not in by]
        if missing:
            raise NeurogenError(f"{mpath}: EP-GAN has no result for test neurons {missing}")
        cols = {k: _col(m, k, mpath, required=k in ("rmse_avg_mV", "iv_rmse_pA")) for k in ALIASES if k != "neuron"}
        for r in tg.itertuples():
            i = by[int(r.neuron)]
            row = {"model": model, "method": "epgan", "target": int(r.target), "neuron": int(r.neuron),
                   "type": int(r.type), "type_name": r.type_name,
                   "budget_total": int(budget[i]) if np.isfinite(budget[i]) else -1,
                   "train_samples": t.get("n_train", np.nan), "train_time_s": t.get("train_time_s", np.nan),
                   "samples_used": t.get("inference_samples", np.nan),
                   "wall_time_s": float(cols["inference_time_s"][i]), "meets_bounds": np.nan}
            for k in ("rmse_pre_mV", "rmse_mid_mV", "rmse_post_mV", "rmse_avg_mV", "iv_rmse_pA",
                      "rmse_avg_clean_mV", "param_mae_norm"):
                row[k] = float(cols[k][i])
            rows.append(row)
    return rows
