"""Fitting baselines, amortised inference, lookups and refinement for the HH model, and the
budget-honest comparison with EP-GAN (docs/fit.md).

- :mod:`.metrics`    response RMSE over the pre/mid/post windows, I–V RMSE, the two MAE objectives
                     (re-exported from :mod:`neurogen.hh.metrics`, the one implementation)
- :mod:`.simulator`  the batched simulator the problems call: :class:`neurogen.hh.adapter.HHAdapter`
                     (any stand-in with the same attributes works, e.g. a toy model in the tests)
- :mod:`.problem`    :class:`FitProblem`, a vectorised pymoo ``Problem`` recording every candidate
- :mod:`.algorithms` ``nsga2`` (pymoo), ``gde3``/``nsde`` (pymoode), ``demo`` (ours, on pymoo)
- :mod:`.selection`  the published selection: dI/dV bounds, then lowest averaged response RMSE
- :mod:`.budget`     budget (total or per neuron) -> per-neuron evaluations -> generations
- :mod:`.npe`        neural posterior estimation (sbi) on the simulated training set
- :mod:`.lookup`     nearest-neighbour and k-nearest-simulated lookups of the training set
- :mod:`.refine`     EP-GAN + local refinement (NSDE seeded with EP-GAN's candidates)
- :mod:`.lockstep`   several targets fitted side by side, one simulator call per generation
- :mod:`.score`      one scoring function for every method, and the simulation counts
- :mod:`.compare`    merge scored rows, medians per method and budget, cost curve T(N)
- :mod:`.pipeline`   one function per workflow rule (the scripts only call these)
- :mod:`.config`     checks of the config's ``fit`` block
"""
