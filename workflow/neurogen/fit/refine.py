"""Amortised + local refinement (``epgan_refine``): a short NSDE search (pymoode, the optimiser the
comparison already uses) seeded with EP-GAN's candidates for each target neuron (the targets side
by side, :mod:`.lockstep`).

1. EP-GAN's per-epoch candidates for the neuron (the k sets its selection over epochs
   simulates) are simulated at the fit stage's step: this is the refinement's own selection
   (k simulations, counted as ``selection_simulations``);
2. they are NSDE's initial population (already evaluated, so not simulated again; with fewer
   than 4 candidates the population is filled with small perturbations of the best one, which
   are simulated and counted); NSDE then runs whole generations for at most ``budget`` more
   simulations (``search_simulations`` = what it used);
3. the published selection (dI/dV bounds, then the lowest averaged RMSE) picks the final
   parameter set among every candidate simulated.

(The issue suggested CMA-ES via the ``cma`` package; pymoo pins ``cma==3.2.2``, which fails
under NumPy 2, so the refinement uses NSDE seeded with the candidates, its other suggestion.)
"""

from __future__ import annotations

import numpy as np

from .. import NeurogenError

#: SD (normalised coordinates) of the perturbations that fill a population of fewer than 4
PAD_SD = 0.02


def refine_all(simulator, problems, candidates, *, budget: int, seeds, CR: float = 0.3, F: float = 0.5, log=None):
    """The refinement for several targets side by side (:mod:`.lockstep`: one simulator call per
    generation for all of them); ``problems[i]`` (a :class:`~.problem.FitProblem` on a
    :class:`~.lockstep.SharedView` of ``simulator``) records target i's candidates. Returns the
    number of EP-GAN candidates of each target."""
    from pymoo.core.population import Population
    from pymoode.algorithms import NSDE

    from .lockstep import evaluate_together, run_lockstep

    if budget < 0:
        raise NeurogenError(f"fit.refine.budget: must be >= 0 (got {budget})")
    cands = [np.atleast_2d(np.asarray(c, dtype=np.float64)) for c in candidates]
    if any(len(c) == 0 for c in cands):
        raise NeurogenError("refinement: no EP-GAN candidates for a target neuron")
    x0s = [np.clip(p.to_normalised(c), 0.0, 1.0) for p, c in zip(problems, cands)]
    F0s = evaluate_together(simulator, problems, x0s)
    run = ([], [], [], [], [])  # problems, algorithms, seeds, terminations, callbacks
    for j, (prob, x0, F0, seed) in enumerate(zip(problems, x0s, F0s, seeds)):
        r0 = prob.recorded()["rmse"][:, 3].astype(np.float64)
        r0 = np.where(np.isfinite(r0), r0, np.inf)
        k = len(x0)
        pop = max(4, k)
        # pymoo counts the initial population as generation 1: free when EP-GAN gave >= 4 candidates
        pad = pop - k
        n_gen = 1 + (budget - pad) // pop if budget >= pad else 0
        if log is not None:
            log.info(
                "refinement, target %d: %d EP-GAN candidates simulated, best response RMSE %.3f mV; NSDE "
                "population %d, %d generation(s) within %d simulations",
                j,
                k,
                float(np.min(r0)),
                pop,
                n_gen,
                budget,
            )
        if budget == 0 or n_gen < 1 or (pad == 0 and n_gen < 2):
            if log is not None and budget > 0:
                log.warning("refinement: budget %d is less than one population of %d; no search", budget, pop)
            continue
        rng = np.random.default_rng(seed)
        X = x0
        if k < 4:
            best = x0[int(np.argmin(r0))]
            X = np.concatenate([x0, np.clip(best + rng.normal(0, PAD_SD, (pop - k, x0.shape[1])), 0, 1)])
        init = Population.new(X=X)
        for i in range(k):  # already simulated: pymoo's evaluator skips them
            ind = init[i]
            ind.F, ind.G, ind.H = np.asarray(F0[i]), np.zeros(0), np.zeros(0)
            ind.evaluated = {"F", "G", "H"}
        for lst, v in zip(
            run,
            (
                prob,
                NSDE(pop_size=pop, variant="DE/rand/1/bin", CR=CR, F=F, sampling=init),
                int(seed) % (2**31 - 1),
                ("n_gen", int(n_gen)),
                _progress(prob, k, budget, j, log),
            ),
        ):
            lst.append(v)
    if run[0]:
        run_lockstep(simulator, *run[:4], callbacks=run[4])
    return [len(x0) for x0 in x0s]


def _progress(prob, k, budget, j, log):
    def cb(a):
        if log is not None:
            r = prob.recorded()["rmse"][:, 3]
            log.info(
                "refinement, target %d: %d/%d simulations, best response RMSE so far %.3f mV",
                j,
                prob.n_evaluated - k,
                budget,
                float(np.nanmin(np.where(np.isfinite(r), r, np.nan))),
            )

    return cb
