"""Fit one target neuron with one method and apply the published selection."""

from __future__ import annotations

import time

import numpy as np

from .. import NeurogenError
from .algorithms import ALGORITHMS, run_algorithm
from .budget import generations, total_budget
from .metrics import iv_rmse
from .problem import FitProblem
from .selection import select, within_bounds

METHODS = ALGORITHMS + ("npe",)
#: rows fit_score adds (lookups of the training file, EP-GAN, EP-GAN + local refinement)
SCORED_ONLY = ("nn", "knn_sim", "epgan", "epgan_refine")


def fit_one(
    method: str,
    simulator,
    target: dict,
    *,
    bounds=None,
    seed: int = 0,
    pop_size: int = 50,
    CR: float = 0.3,
    F: float = 1.5,
    budget_total: int = 150,
    n_targets: int = 3,
    demo_batches: int = 1,
    budget_unit: str = "total",
    npe_posterior=None,
    npe_k: int = 49,
    npe_map: bool = True,
    npe_stride: int = 5,
    npe_feature_mask=None,
    free=None,
    fixed=None,
    log=None,
):
    """Run ``method`` on ``target`` and return (row dict, recorded candidates dict).

    ``target``: ``responses`` [S,T] (what is fitted), ``iv`` [K], ``time_s``; optional
    ``responses_clean``, ``params`` (true, physical, for the parameter error), ``type``.
    ``bounds``: (lo, hi) dI/dV arrays for the target's type, or None (no dI/dV filter).
    ``budget_total`` is the budget over all ``n_targets`` neurons (``budget_unit`` = total) or
    per neuron (``per_neuron``). Defaults are config/config.yaml's ``fit`` block.
    """
    if method not in METHODS:
        raise NeurogenError(f"fit.algorithms: unknown method {method!r}; known: {', '.join(METHODS)}")
    t0 = time.perf_counter()
    sim0 = getattr(simulator, "sim_time_s", 0.0)
    prob = FitProblem(
        simulator,
        target["responses"],
        target["iv"],
        time_s=target["time_s"],
        free=free,
        fixed=fixed,
        log=log,
        target_clean=target.get("responses_clean"),
    )
    total = total_budget(budget_total, n_targets, budget_unit)
    row = {"method": method, "budget_total": int(total), "pop_size": None, "n_gen": None}
    if method in ALGORITHMS:
        n_gen = generations(total, n_targets, pop_size)
        row.update(pop_size=int(pop_size), n_gen=int(n_gen))
        if log is not None:
            log.info(
                "%s: population %d x %d generations = %d evaluations (%d free parameters)",
                method,
                pop_size,
                n_gen,
                pop_size * n_gen,
                prob.n_var,
            )
        run_algorithm(prob, method, pop_size, n_gen, seed, CR=CR, F=F, demo_batches=demo_batches, log=log)
        labels = None
    else:
        from .npe import candidates, features

        if npe_posterior is None:
            raise NeurogenError("method npe needs a trained posterior")
        x_o = features(np.asarray(target["responses"])[None], np.asarray(target["iv"])[None], npe_stride)[0]
        X, labels = candidates(npe_posterior, x_o, npe_k, seed, use_map=npe_map, feature_mask=npe_feature_mask)
        prob.evaluate(X, return_values_of=["F"])
    return finish(method, prob, simulator, target, row, bounds=bounds, labels=labels, t0=t0, sim0=sim0, log=log)


def refine_one(
    simulator,
    target: dict,
    candidates,
    *,
    budget: int = 100,
    CR: float = 0.3,
    F: float = 0.5,
    bounds=None,
    seed: int = 0,
    log=None,
):
    """``epgan_refine``: NSDE seeded with EP-GAN's candidates (:mod:`.refine`), then the published
    selection. Returns (row dict, recorded candidates dict) as :func:`fit_one`; ``refine_budget``
    is the search simulations used (whole generations within ``budget``)."""
    from .refine import refine

    t0 = time.perf_counter()
    sim0 = getattr(simulator, "sim_time_s", 0.0)
    k = len(np.atleast_2d(candidates))
    prob = refine(simulator, target, candidates, budget=budget, seed=seed, CR=CR, F=F, log=log)
    used = prob.n_evaluated - k
    row = {
        "method": "epgan_refine",
        "budget_total": None,
        "pop_size": max(4, k),
        "n_gen": None,
        "refine_budget": int(used),
        "refine_budget_max": int(budget),
        "n_epgan_candidates": int(k),
    }
    labels = np.array(["epgan"] * k + ["nsde"] * used)
    return finish("epgan_refine", prob, simulator, target, row, bounds=bounds, labels=labels, t0=t0, sim0=sim0, log=log)


def finish(method, prob, simulator, target, row, *, bounds, labels, t0, sim0, log=None):
    """The published selection over every recorded candidate, and the result row."""
    rec = prob.recorded()
    if bounds is not None:
        ok = within_bounds(rec["iv"], simulator.v_mV, bounds[0], bounds[1])
    else:
        ok = np.ones(len(rec["x"]), dtype=bool)
    idx, meets = select(rec["rmse"][:, 3], ok)
    best_x = rec["x"][idx : idx + 1].astype(np.float64)
    rm_fit = rec["rmse"][idx].astype(np.float64)  # vs the (noisy) target that was fitted: selection
    # reported errors: vs the target's noise-free responses (ground truth), as EP-GAN's evaluation,
    # else vs the fitted responses
    rm = rec["rmse_clean"][idx].astype(np.float64) if target.get("responses_clean") is not None else rm_fit
    row.update(
        {
            "rmse_pre_mV": float(rm[0]),
            "rmse_mid_mV": float(rm[1]),
            "rmse_post_mV": float(rm[2]),
            "rmse_avg_mV": float(rm[3]),
            "iv_rmse_pA": float(iv_rmse(rec["iv"][idx : idx + 1], target["iv"])[0]),
            "rmse_avg_fit_mV": float(rm_fit[3]),
            "param_mae_norm": (
                float(np.abs(best_x[0] - prob.to_normalised(np.asarray(target["params"])[None])[0]).mean())
                if target.get("params") is not None
                else np.nan
            ),
            "samples_used": prob.n_evaluated,
            "meets_bounds": bool(meets),
            "n_within_bounds": int(ok.sum()),
            "n_nan": int(prob.n_nan),
            "selected": "" if labels is None else str(labels[idx]),
            "sim_time_s": float(getattr(simulator, "sim_time_s", 0.0) - sim0),
            "wall_time_s": time.perf_counter() - t0,
        }
    )
    if log is not None:
        log.info(
            "%s: selected candidate %d of %d (%s dI/dV bounds): response RMSE %.2f mV, I–V RMSE %.2f pA",
            method,
            idx,
            len(rec["x"]),
            "within" if meets else "NONE within",
            rm[3],
            row["iv_rmse_pA"],
        )
    rec["within_bounds"] = ok
    rec["selected"] = np.array(idx)
    rec["params"] = prob.to_physical(rec["x"]).astype(np.float32)
    rec["selected_params"] = prob.to_physical(rec["x"][idx : idx + 1])[0]  # float64: what is scored
    return row, rec
