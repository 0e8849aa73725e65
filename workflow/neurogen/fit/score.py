"""Every method of the comparison scored by one function at one step, with every simulation
counted in the same columns.

Scoring (:func:`score_final`): each method's final parameter vector per target neuron (the
optimisers' and NPE's selected candidate, EP-GAN's selected parameters, the lookups' choice, the
refinement's selected candidate) is simulated by one simulator (the fit stage's, at ``hh.dt_ms``)
and scored with :mod:`neurogen.hh.metrics`: response RMSE per window against the target's
noise-free responses, I–V RMSE against the target's I–V.

Counting (per row; :func:`counts`), in current-clamp simulations of one HH neuron:

- ``train_simulations``: simulations that made the training neurons a method learned from or
  looks up, rejected sets included: n_train × (simulated per accepted neuron, from the hh
  stage's ``acceptance.csv``: step ``2_selected_balanced`` / ``3_accepted``);
- ``screened``: parameter sets screened by the algebraic steady-state I–V for those training
  neurons (``1_sampled`` per accepted neuron × n_train): cheap, so in its own column;
- ``selection_simulations``: per target neuron, EP-GAN's selection over epochs (k candidate sets);
- ``search_simulations``: per target neuron, the optimisers' evaluations, NPE's posterior
  candidates, the k-nearest lookup's k, the refinement's budget;
- ``total_simulations_per_neuron`` = train_simulations / n_targets + selection_simulations +
  search_simulations (the training set amortised over the neurons fitted);
- ``total_simulations`` = train_simulations + n_targets × (selection + search).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import NeurogenError
from ..hh.metrics import WINDOWS, iv_rmse, response_rmse, window_masks

COUNT_COLUMNS = [
    "train_simulations",
    "screened",
    "selection_simulations",
    "search_simulations",
    "total_simulations_per_neuron",
    "total_simulations",
]


def counts(
    n_targets: int, *, n_train: float = 0, costs: dict | None = None, selection: float = 0, search: float = 0
) -> dict:
    """The counting columns of one row (see the module doc). ``costs``: per accepted training
    neuron ``{"simulated", "screened"}`` (``neurogen.epgan.scaling.simulation_costs``); needed when
    ``n_train`` > 0."""
    if n_targets < 1:
        raise NeurogenError(f"counting: need at least one target neuron (got {n_targets})")
    if n_train and costs is None:
        raise NeurogenError(
            "counting: a method trained on simulated neurons needs the hh stage's "
            "acceptance.csv (simulations per accepted neuron)"
        )
    tr = float(n_train) * (costs["simulated"] if n_train else 0.0)
    sc = float(n_train) * (costs["screened"] if n_train else 0.0)
    return {
        "train_simulations": tr,
        "screened": sc,
        "selection_simulations": float(selection),
        "search_simulations": float(search),
        "total_simulations_per_neuron": tr / n_targets + float(selection) + float(search),
        "total_simulations": tr + n_targets * (float(selection) + float(search)),
    }


def score_final(simulator, params, responses_clean, iv, time_s=None) -> pd.DataFrame:
    """Simulate final parameter vectors ``params`` [N, F] (physical units) with ``simulator``
    and score row i against target i (``responses_clean`` [N, S, T], ``iv`` [N, K]).

    Returns columns rmse_pre_mV, rmse_mid_mV, rmse_post_mV, rmse_avg_mV, iv_rmse_pA,
    simulation_failed. Every method of the comparison goes through this one function."""
    params = np.atleast_2d(np.asarray(params, dtype=np.float64))
    if len(params) != len(responses_clean) or len(params) != len(iv):
        raise NeurogenError(f"scoring: {len(params)} parameter vectors for {len(responses_clean)} targets")
    if not np.isfinite(params).all():
        bad = np.flatnonzero(~np.isfinite(params).all(axis=1)).tolist()
        raise NeurogenError(f"scoring: parameter vectors {bad} are not finite")
    run = getattr(simulator, "simulate_with_iv", None) or simulator.simulate
    resp, ivs = run(params)
    t = simulator.time_s if time_s is None else time_s
    masks = window_masks(
        t, step=getattr(simulator, "step_s", (5.0, 10.0)), window=getattr(simulator, "window_s", (4.0, 11.0))
    )
    r = response_rmse(resp, responses_clean, masks=masks)
    out = {f"rmse_{w}_mV": r[w] for w in WINDOWS}
    out["rmse_avg_mV"] = r["avg"]
    out["iv_rmse_pA"] = iv_rmse(ivs, iv)
    df = pd.DataFrame(out)
    df["simulation_failed"] = ~np.isfinite(df["rmse_avg_mV"].to_numpy())
    return df
