"""Evolutionary fitting baselines and amortised inference for the HH model.

- :mod:`.metrics`    response RMSE over the pre/mid/post windows, I–V RMSE, the two MAE objectives
- :mod:`.simulator`  the batched simulator the problems call (the HH model; any stand-in with the
                     same attributes works, e.g. a toy model in the tests)
- :mod:`.problem`    :class:`FitProblem`, a vectorised pymoo ``Problem`` recording every candidate
- :mod:`.algorithms` ``nsga2`` (pymoo), ``gde3``/``nsde`` (pymoode), ``demo`` (ours, on pymoo)
- :mod:`.selection`  the published selection: dI/dV bounds, then lowest averaged response RMSE
- :mod:`.budget`     total budget -> per-neuron evaluations -> generations
- :mod:`.npe`        neural posterior estimation (sbi) on the simulated training set
- :mod:`.compare`    merge per-neuron results, medians per method and budget, cost curve T(N)
"""
