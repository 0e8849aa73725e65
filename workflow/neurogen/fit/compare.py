"""Merge per-neuron results into the comparison table, medians per method and budget, and the
cost curve T(N).

Cost model (the paper's form, from our measured times):
- per-neuron optimisers: T(N) = N * t_neuron (mean measured wall time of one neuron's fit);
- amortised methods (npe, epgan): T(N) = T_data + T_train + N * t_inference, where T_data is
  the time to simulate the training set (``train_simulations``, rejected sets included, x the
  measured seconds per simulated sample).
Points beyond the measured number of neurons (up to 279, the somatic neurons of C. elegans)
are extrapolations of these linear forms and are marked so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import NeurogenError

COLUMNS = [
    "model",
    "method",
    "budget_total",
    "target",
    "neuron",
    "type",
    "type_name",
    "rmse_pre_mV",
    "rmse_mid_mV",
    "rmse_post_mV",
    "rmse_avg_mV",
    "iv_rmse_pA",
    "train_simulations",
    "screened",
    "selection_simulations",
    "search_simulations",
    "total_simulations_per_neuron",
    "total_simulations",
    "scored_dt_ms",
    "rmse_avg_fit_mV",
    "param_mae_norm",
    "samples_used",
    "train_samples",
    "pop_size",
    "n_gen",
    "meets_bounds",
    "n_within_bounds",
    "selected",
    "train_time_s",
    "wall_time_s",
    "sim_time_s",
]

N_CELEGANS = 279


def comparison(rows: list[dict]) -> pd.DataFrame:
    if not rows:
        raise NeurogenError("no per-neuron results to merge")
    df = pd.DataFrame(rows)
    for c in COLUMNS:
        if c not in df:
            df[c] = np.nan
    df = df[COLUMNS + [c for c in df.columns if c not in COLUMNS]]
    return df.sort_values(["model", "budget_total", "method", "target"], kind="stable").reset_index(drop=True)


def _q(p):
    return lambda s: float(np.nanpercentile(s, p)) if s.notna().any() else np.nan


def medians(df: pd.DataFrame) -> pd.DataFrame:
    g = df.groupby(["model", "method", "budget_total"], sort=True)
    out = g.agg(
        n_neurons=("target", "count"),
        rmse_avg_median_mV=("rmse_avg_mV", "median"),
        rmse_avg_q25_mV=("rmse_avg_mV", _q(25)),
        rmse_avg_q75_mV=("rmse_avg_mV", _q(75)),
        rmse_avg_mean_mV=("rmse_avg_mV", "mean"),
        rmse_avg_sd_mV=("rmse_avg_mV", "std"),
        rmse_pre_median_mV=("rmse_pre_mV", "median"),
        rmse_mid_median_mV=("rmse_mid_mV", "median"),
        rmse_post_median_mV=("rmse_post_mV", "median"),
        iv_rmse_median_pA=("iv_rmse_pA", "median"),
        iv_rmse_q25_pA=("iv_rmse_pA", _q(25)),
        iv_rmse_q75_pA=("iv_rmse_pA", _q(75)),
        samples_per_neuron=("samples_used", "mean"),
        train_samples=("train_samples", "max"),
        frac_meets_bounds=("meets_bounds", "mean"),
        wall_time_median_s=("wall_time_s", "median"),
        wall_time_mean_s=("wall_time_s", "mean"),
        train_simulations=("train_simulations", "max"),
        screened=("screened", "max"),
        selection_simulations=("selection_simulations", "mean"),
        search_simulations=("search_simulations", "mean"),
        total_simulations_per_neuron=("total_simulations_per_neuron", "mean"),
        total_simulations=("total_simulations", "max"),
    ).reset_index()
    return out


#: methods that learn from (or look up) simulated training neurons: their data cost T_data counts
AMORTISED = ("npe", "epgan", "epgan_refine", "nn", "knn_sim")


def cost_curve(df: pd.DataFrame, s_per_sample: float, n_grid=None) -> pd.DataFrame:
    """T(N) in hours per model x method x budget on a grid of N (measured N and up to 279)."""
    if not np.isfinite(s_per_sample) or s_per_sample <= 0:
        raise NeurogenError(f"cost curve: seconds per simulated sample must be positive (got {s_per_sample})")
    rows = []
    for (model, method, budget), g in df.groupby(["model", "method", "budget_total"], sort=True):
        n_meas = int(g["target"].nunique())
        grid = sorted(set(n_grid or [1, 10, 50, 100, 200, N_CELEGANS]) | {n_meas})
        per = float(g["wall_time_s"].mean())
        if method in AMORTISED:
            n_train = float(g["train_samples"].max())
            # every simulation that made the training set, rejected sets included
            n_sims = float(g["train_simulations"].max()) if g["train_simulations"].notna().any() else n_train
            t_data = n_sims * s_per_sample
            t_train = float(np.nan_to_num(g["train_time_s"].max()))
        else:
            n_train, t_data, t_train = 0.0, 0.0, 0.0
        for n in grid:
            total = t_data + t_train + n * per
            rows.append(
                {
                    "model": model,
                    "method": method,
                    "budget_total": int(budget),
                    "n_neurons": int(n),
                    "T_hours": total / 3600.0,
                    "data_time_s": t_data,
                    "train_time_s": t_train,
                    "per_neuron_s": per,
                    "train_samples": n_train,
                    "measured_neurons": n_meas,
                    "extrapolated": bool(n > n_meas),
                }
            )
    return pd.DataFrame(rows)
