"""Fit target neurons with several methods (side by side, :mod:`.lockstep`) and apply the published selection."""

from __future__ import annotations

import time

import numpy as np

from .. import NeurogenError
from .algorithms import ALGORITHMS, make_algorithm, progress_callback
from .budget import generations, total_budget
from .metrics import iv_rmse
from .problem import FitProblem
from .selection import select, within_bounds

METHODS = ALGORITHMS + ("npe",)
#: rows fit_score adds (lookups of the training file, EP-GAN, EP-GAN + local refinement)
SCORED_ONLY = ("nn", "knn_sim", "epgan", "epgan_refine")


def _problems(simulator, targets, free=None, fixed=None, log=None):
    from .lockstep import SharedView

    return [
        FitProblem(
            SharedView(simulator),
            t["responses"],
            t["iv"],
            time_s=t["time_s"],
            free=free,
            fixed=fixed,
            log=log,
            target_clean=t.get("responses_clean"),
        )
        for t in targets
    ]


def _shares(simulator, problems, t0, sim0):
    """Each target's share of a lockstep job: wall time split evenly, simulation time in
    proportion to the target's simulations."""
    wall = time.perf_counter() - t0
    simt = getattr(simulator, "sim_time_s", 0.0) - sim0
    n = [p.n_evaluated for p in problems]
    tot = max(sum(n), 1)
    return [(wall / len(problems), simt * k / tot) for k in n]


def fit_one(method: str, simulator, target: dict, *, bounds=None, seed: int = 0, **kw):
    """:func:`fit_many` for one target neuron: (row dict, recorded candidates dict)."""
    return fit_many(method, simulator, [target], bounds=[bounds], seeds=[seed], **kw)[0]


def fit_many(method: str, simulator, targets: list, *, seeds=(0,), **kw):
    """:func:`fit_methods` for one method: one (row dict, recorded candidates dict) per target."""
    return fit_methods([method], simulator, targets, seeds={method: list(seeds)}, **kw)[method]


def fit_methods(
    methods,
    simulator,
    targets: list,
    *,
    bounds=None,
    seeds: dict | None = None,
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
) -> dict:
    """Run every method of ``methods`` on each of ``targets``; ``{method: [(row dict, recorded
    candidates dict) per target]}``.

    All searches run side by side (:mod:`.lockstep`): each generation of every evolutionary
    method × target is simulated in one simulator call (chunked by the simulator's ``chunk``),
    NPE's candidates of every target in one more, and each method × target's result is what a
    run of that method on that target alone with its seed gives — exactly with a simulator whose
    result for a parameter set does not depend on the batch; with the float32 HH simulator, up to
    its batch-size rounding (docs/fit.md).

    A target: ``responses`` [S,T] (what is fitted), ``iv`` [K], ``time_s``; optional
    ``responses_clean``, ``params`` (true, physical, for the parameter error), ``type``.
    ``bounds``: per target (lo, hi) dI/dV arrays for the target's type, or None (no dI/dV filter).
    ``seeds``: per method, one seed per target. ``budget_total`` is the budget over all
    ``n_targets`` neurons of the study (``budget_unit`` = total) or per neuron (``per_neuron``).
    Defaults are config/config.yaml's ``fit`` block. ``wall_time_s`` and ``sim_time_s`` of a row
    are its share of its phase (the evolutionary methods together, NPE): wall time split evenly
    over the phase's method × target runs, simulation time in proportion to their simulations.
    """
    from .lockstep import evaluate_together, run_lockstep

    methods = list(dict.fromkeys(methods))
    for m in methods:
        if m not in METHODS:
            raise NeurogenError(f"fit.algorithms: unknown method {m!r}; known: {', '.join(METHODS)}")
    targets = list(targets)
    seeds = {m: list((seeds or {}).get(m, ())) for m in methods}
    bounds = [None] * len(targets) if bounds is None else list(bounds)
    if not targets or len(bounds) != len(targets) or any(len(s) != len(targets) for s in seeds.values()):
        raise NeurogenError("fit: per method one seed per target neuron, and one bounds entry (or None) per target")
    total = total_budget(budget_total, n_targets, budget_unit)
    probs = {m: _problems(simulator, targets, free=free, fixed=fixed, log=log) for m in methods}
    rows = {m: {"method": m, "budget_total": int(total), "pop_size": None, "n_gen": None} for m in methods}
    labels = {m: None for m in methods}
    shares = {}
    evo = [m for m in methods if m in ALGORITHMS]
    if evo:
        t0 = time.perf_counter()
        sim0 = getattr(simulator, "sim_time_s", 0.0)
        n_gen = generations(total, n_targets, pop_size)
        budget = int(pop_size * n_gen)
        P, A, S, C = [], [], [], []
        for m in evo:
            rows[m].update(pop_size=int(pop_size), n_gen=int(n_gen))
            for j, p in enumerate(probs[m]):
                P.append(p)
                A.append(make_algorithm(m, pop_size, CR, F, demo_batches))
                S.append(seeds[m][j])
                C.append(progress_callback(m, p, budget, log, f", target {j}"))
        if log is not None:
            log.info(
                "%s: population %d x %d generations = %d evaluations per target (%d free parameters), "
                "%d method x target run(s) side by side",
                ", ".join(evo),
                pop_size,
                n_gen,
                budget,
                P[0].n_var,
                len(P),
            )
        run_lockstep(simulator, P, A, S, [("n_eval", budget)] * len(P), callbacks=C)
        sh = _shares(simulator, P, t0, sim0)
        for i, m in enumerate(evo):
            shares[m] = sh[i * len(targets) : (i + 1) * len(targets)]
    if "npe" in methods:
        from .npe import candidates, features

        if npe_posterior is None:
            raise NeurogenError("method npe needs a trained posterior")
        t0 = time.perf_counter()
        sim0 = getattr(simulator, "sim_time_s", 0.0)
        xs, labels["npe"] = [], []
        for t, s in zip(targets, seeds["npe"]):
            x_o = features(np.asarray(t["responses"])[None], np.asarray(t["iv"])[None], npe_stride)[0]
            X, lab = candidates(npe_posterior, x_o, npe_k, s, use_map=npe_map, feature_mask=npe_feature_mask)
            xs.append(X)
            labels["npe"].append(lab)
        evaluate_together(simulator, probs["npe"], xs)
        shares["npe"] = _shares(simulator, probs["npe"], t0, sim0)
    return {
        m: [
            finish(
                m,
                p,
                simulator,
                t,
                dict(rows[m]),
                bounds=b,
                labels=None if labels[m] is None else labels[m][j],
                wall_time_s=shares[m][j][0],
                sim_time_s=shares[m][j][1],
                log=log,
            )
            for j, (p, t, b) in enumerate(zip(probs[m], targets, bounds))
        ]
        for m in methods
    }


def refine_one(simulator, target: dict, candidates, *, bounds=None, seed: int = 0, **kw):
    """:func:`refine_many` for one target neuron: (row dict, recorded candidates dict)."""
    return refine_many(simulator, [target], [candidates], bounds=[bounds], seeds=[seed], **kw)[0]


def refine_many(
    simulator,
    targets: list,
    candidates: list,
    *,
    budget: int = 100,
    CR: float = 0.3,
    F: float = 0.5,
    bounds=None,
    seeds=(0,),
    log=None,
):
    """``epgan_refine`` for each target: NSDE seeded with EP-GAN's candidates (:mod:`.refine`),
    then the published selection; the targets side by side as in :func:`fit_many`. Returns one
    (row dict, recorded candidates dict) per target; ``refine_budget`` is the search simulations
    used (whole generations within ``budget``)."""
    from .refine import refine_all

    targets = list(targets)
    bounds = [None] * len(targets) if bounds is None else list(bounds)
    if not targets or not (len(candidates) == len(seeds) == len(bounds) == len(targets)):
        raise NeurogenError("refinement: one candidate set, seed and bounds entry per target neuron")
    t0 = time.perf_counter()
    sim0 = getattr(simulator, "sim_time_s", 0.0)
    probs = _problems(simulator, targets, log=log)
    ks = refine_all(simulator, probs, candidates, budget=budget, seeds=seeds, CR=CR, F=F, log=log)
    shares = _shares(simulator, probs, t0, sim0)
    out = []
    for j, (p, t, b, k) in enumerate(zip(probs, targets, bounds, ks)):
        used = p.n_evaluated - k
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
        out.append(
            finish(
                "epgan_refine",
                p,
                simulator,
                t,
                row,
                bounds=b,
                labels=labels,
                wall_time_s=shares[j][0],
                sim_time_s=shares[j][1],
                log=log,
            )
        )
    return out


def finish(method, prob, simulator, target, row, *, bounds, labels, wall_time_s, sim_time_s, log=None):
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
            "sim_time_s": float(sim_time_s),
            "wall_time_s": float(wall_time_s),
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
