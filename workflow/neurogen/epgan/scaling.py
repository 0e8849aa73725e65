"""EP-GAN's data-scaling study: the same 200 held-out test neurons scored for networks trained
on nested subsets of one training file (several sizes × seeds × loss variants), next to the
nearest-neighbour lookup of the same subset, with every simulation the result cost counted.

Counting (per result row):

- ``train_simulations``: current-clamp simulations that produced the ``size`` training
  neurons, rejected sets included (the hh stage's step-3 simulations per accepted neuron ×
  size, from ``acceptance.csv``);
- ``train_screened``: parameter sets screened by the algebraic steady-state I–V (step 1–2,
  sampled per accepted neuron × size): cheap, counted in its own column;
- ``selection_simulations_per_neuron``: current-clamp simulations of EP-GAN's selection over
  epochs for one target neuron (0 for single-pass inference and the lookup).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from .. import NeurogenError

log = logging.getLogger("neurogen")

#: the published mean response RMSE of EP-GAN on 200 held-out simulated neurons (mV)
PUBLISHED_RMSE_MV = 2.37


def simulation_costs(acceptance: pd.DataFrame) -> dict:
    """Per accepted neuron: current-clamp simulations (``simulated``) and I–V screenings
    (``screened``) the hh stage spent, from its ``acceptance.csv``."""
    a = acceptance
    steps = set(a["step"])
    for s in ("1_sampled", "2_selected_balanced", "3_accepted"):
        if s not in steps:
            raise NeurogenError(f"acceptance table lacks step {s!r} (not an hh-stage acceptance.csv?)")
    accepted = float(a.loc[a["step"] == "3_accepted", "n"].sum())
    if accepted <= 0:
        raise NeurogenError("acceptance table: no accepted neurons")
    return {
        "simulated": float(a.loc[a["step"] == "2_selected_balanced", "n"].sum()) / accepted,
        "screened": float(a.loc[a["step"] == "1_sampled", "n"].sum()) / accepted,
    }


def summarise(per: pd.DataFrame) -> dict:
    """Mean / median / SD over test neurons of each error column of a per-neuron table."""
    out = {"n_test": len(per), "n_failed": int(per["simulation_failed"].sum())}
    for c in ("rmse_pre_mV", "rmse_mid_mV", "rmse_post_mV", "rmse_avg_mV", "iv_rmse_pA"):
        v = per[c].to_numpy(float)
        v = v[np.isfinite(v)]
        out[f"{c}_mean"] = float(v.mean()) if len(v) else np.nan
        out[f"{c}_median"] = float(np.median(v)) if len(v) else np.nan
        out[f"{c}_sd"] = float(v.std(ddof=1)) if len(v) > 1 else np.nan
    return out


def scaling_table(
    runs: list[dict], nn: list[dict], floor: pd.DataFrame | None, costs: dict, selection_k: int | None, sim_dt_ms: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(scaling.csv, per-neuron table).

    runs: dicts with size, seed, variant, losses (weights), train (the settings), history
    (DataFrame), per_neuron (DataFrame of epgan_selected / epgan_single rows); selection_k: the
    selection's last-k epochs (None: all);
    nn: dicts with size, per_neuron (nearest_neighbour rows); floor: per-neuron rows of the
    true parameters (the simulation step's own error) or None."""
    rows, pers = [], []

    def add(base, per, k=0):
        for m, g in per.groupby("method", sort=False):
            r = dict(base, method=m, sim_dt_ms=sim_dt_ms)
            r["selection_simulations_per_neuron"] = k if m == "epgan_selected" else 0
            r.update(summarise(g))
            rows.append(r)
            pers.append(g.assign(**{k: base.get(k) for k in ("variant", "size", "seed")}))

    for run in runs:
        h = run["history"]
        w = run["losses"]
        size = int(run["size"])
        base = {
            "variant": run["variant"],
            "size": size,
            "seed": int(run["seed"]),
            "w_adversarial": w.get("adversarial", 0.0),
            "w_iv": w.get("iv", 0.0),
            "w_voltage": w.get("voltage", 0.0),
            "voltage_every": run["train"].get("voltage_every"),
            "epochs": len(h),
            "train_time_s": float(h["train_time_s"].sum() + h.get("val_time_s", 0).sum()),
            "train_simulations": int(round(size * costs["simulated"])),
            "train_screened": int(round(size * costs["screened"])),
        }
        add(base, run["per_neuron"], min(selection_k or len(h), len(h)))
    for b in nn:
        size = int(b["size"])
        add(
            {
                "variant": "lookup",
                "size": size,
                "seed": np.nan,
                "epochs": 0,
                "train_time_s": 0.0,
                "train_simulations": int(round(size * costs["simulated"])),
                "train_screened": int(round(size * costs["screened"])),
            },
            b["per_neuron"],
        )
    if floor is not None:
        add({"variant": "reference", "size": np.nan, "seed": np.nan}, floor)
    cols = [
        "variant",
        "method",
        "size",
        "seed",
        "w_adversarial",
        "w_iv",
        "w_voltage",
        "voltage_every",
        "epochs",
        "n_test",
        "n_failed",
    ]
    table = pd.DataFrame(rows)
    rest = [c for c in table.columns if c not in cols]
    table = table[[c for c in cols if c in table.columns] + rest]
    return table.sort_values(["variant", "method", "size", "seed"], na_position="last", kind="stable"), pd.concat(
        pers, ignore_index=True
    )


def seed_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per variant × method × size: mean and SD over seeds of the mean response RMSE."""
    g = table.groupby(["variant", "method", "size"], dropna=False)["rmse_avg_mV_mean"]
    out = g.agg(["mean", "std", "count"]).reset_index()
    return out.rename(columns={"mean": "rmse_avg_mV_seed_mean", "std": "rmse_avg_mV_seed_sd", "count": "n_seeds"})
