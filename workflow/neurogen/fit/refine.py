"""Amortised + local refinement (``epgan_refine``): a short CMA-ES search (the ``cma`` package)
started from EP-GAN's candidates for one target neuron.

1. EP-GAN's per-epoch candidates for the neuron (the k sets its selection over epochs
   simulates) are simulated at the fit stage's step: this is the refinement's own selection
   (k simulations, counted as ``selection_simulations``);
2. CMA-ES in normalised coordinates [0, 1] starts at the best of them (lowest window-averaged
   response RMSE against the target's input), with per-parameter initial standard deviations
   from the spread of the k candidates (``sigma`` × their SD, at least ``min_std``), and runs for
   exactly ``budget`` more simulations (``search_simulations``; the last generation may be
   partial and is then evaluated but not told);
3. the published selection (dI/dV bounds, then the lowest averaged RMSE) picks the final
   parameter set among all k + budget candidates.
"""
from __future__ import annotations

import numpy as np

from .. import NeurogenError
from .problem import FitProblem


def refine(simulator, target: dict, candidates, *, budget: int, seed: int, sigma: float = 1.0,
           min_std: float = 0.02, popsize: int | None = None, log=None) -> FitProblem:
    """Run the refinement; returns the :class:`FitProblem` that recorded every candidate
    (the EP-GAN candidates first, then CMA-ES's)."""
    import cma

    cand = np.atleast_2d(np.asarray(candidates, dtype=np.float64))
    if budget < 0:
        raise NeurogenError(f"fit.refine.budget: must be >= 0 (got {budget})")
    if len(cand) == 0:
        raise NeurogenError("refinement: no EP-GAN candidates for this neuron")
    prob = FitProblem(simulator, target["responses"], target["iv"], time_s=target["time_s"], log=log,
                      target_clean=target.get("responses_clean"))
    x0 = np.clip(prob.to_normalised(cand), 0.0, 1.0)
    prob.evaluate(x0, return_values_of=["F"])
    r0 = prob.recorded()["rmse"][:, 3].astype(np.float64)
    r0 = np.where(np.isfinite(r0), r0, np.inf)
    start = x0[int(np.argmin(r0))]
    std = np.maximum(x0.std(axis=0) if len(x0) > 1 else np.zeros(x0.shape[1]), min_std)
    if log is not None:
        log.info("refinement: %d EP-GAN candidates simulated, best response RMSE %.3f mV; CMA-ES for %d "
                 "simulations", len(x0), float(np.min(r0)), budget)
    if budget == 0:
        return prob
    opts = {"bounds": [0.0, 1.0], "seed": int(seed) % (2**32 - 1) + 1, "verbose": -9, "CMA_stds": list(std),
            "maxfevals": int(budget)}
    if popsize:
        opts["popsize"] = int(popsize)
    es = cma.CMAEvolutionStrategy(list(start), float(sigma), opts)
    used = 0
    while used < budget:
        X = np.clip(np.asarray(es.ask(), dtype=np.float64), 0.0, 1.0)
        n = min(len(X), budget - used)
        n0 = prob.n_evaluated
        prob.evaluate(X[:n], return_values_of=["F"])
        used += n
        r = prob.recorded()["rmse"][n0:, 3].astype(np.float64)
        r = np.where(np.isfinite(r), r, 1e6)
        if n == len(X):
            es.tell(list(X), list(r))
        if log is not None:
            log.info("refinement: %d/%d simulations, best response RMSE so far %.3f mV", used, budget,
                     float(np.nanmin(np.where(np.isfinite(prob.recorded()["rmse"][:, 3]),
                                              prob.recorded()["rmse"][:, 3], np.nan))))
    return prob
