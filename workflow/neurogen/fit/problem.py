"""The fitting problem as a vectorised pymoo ``Problem``.

Decision variables are the free parameters in normalised coordinates x in [0, 1]
(physical = lo + x (hi - lo)). A whole population is simulated as one batch. Two objectives:
MAE of the membrane-potential responses over the current-clamp protocol (mV) and MAE of the
steady-state I–V (pA). Every evaluated candidate is recorded (x, objectives, window RMSEs, I–V).
"""

from __future__ import annotations

import numpy as np
from pymoo.core.problem import Problem

from .. import NeurogenError
from .metrics import iv_rmse, objectives, response_rmse, window_masks

#: objective value given to a candidate whose simulation produced NaN/inf (it never wins)
PENALTY = 1e6


class FitProblem(Problem):
    """Fit ``simulator``'s parameters to one target neuron.

    ``free``: indices (into ``simulator.names``) of the parameters fitted; the others stay at
    ``fixed`` (physical values, length F; default: the middle of each range). Default: all free.
    """

    def __init__(
        self, simulator, target_responses, target_iv, time_s=None, free=None, fixed=None, log=None, target_clean=None
    ):
        self.sim = simulator
        n_all = len(simulator.names)
        self.free = np.arange(n_all) if free is None else np.asarray(free, dtype=int)
        if len(self.free) == 0 or self.free.min() < 0 or self.free.max() >= n_all:
            raise NeurogenError(f"free parameter indices must lie in 0..{n_all - 1}")
        lo, hi = np.asarray(simulator.lo, float), np.asarray(simulator.hi, float)
        if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi)) and np.all(hi >= lo)):
            raise NeurogenError("parameter ranges must be finite with hi >= lo")
        self.lo, self.hi = lo, hi
        self.fixed = (lo + hi) / 2 if fixed is None else np.asarray(fixed, dtype=float).copy()
        self.target_resp = np.asarray(target_responses, dtype=np.float64)
        self.target_iv = np.asarray(target_iv, dtype=np.float64)
        self.target_clean = None if target_clean is None else np.asarray(target_clean, dtype=np.float64)
        t = time_s if time_s is not None else simulator.time_s
        self.masks = window_masks(
            t, step=getattr(simulator, "step_s", (5.0, 10.0)), window=getattr(simulator, "window_s", (4.0, 11.0))
        )
        self.log = log
        self.records = {"x": [], "F": [], "rmse": [], "iv": [], "rmse_clean": []}
        self.n_nan = 0
        super().__init__(n_var=len(self.free), n_obj=2, xl=0.0, xu=1.0, vtype=float)

    def to_physical(self, x) -> np.ndarray:
        """[N, F_all] physical parameter vectors for normalised free values x [N, n_var]."""
        x = np.clip(np.atleast_2d(np.asarray(x, dtype=np.float64)), 0.0, 1.0)
        p = np.repeat(self.fixed[None], len(x), axis=0)
        p[:, self.free] = self.lo[self.free] + x * (self.hi[self.free] - self.lo[self.free])
        return p

    def to_normalised(self, params) -> np.ndarray:
        p = np.atleast_2d(np.asarray(params, dtype=np.float64))[:, self.free]
        span = np.where(self.hi[self.free] > self.lo[self.free], self.hi[self.free] - self.lo[self.free], 1.0)
        return (p - self.lo[self.free]) / span

    def _evaluate(self, x, out, *args, **kwargs):
        run = getattr(self.sim, "simulate_with_iv", None) or self.sim.simulate
        resp, iv = run(self.to_physical(x))
        if resp.shape[1:] != self.target_resp.shape or iv.shape[1:] != self.target_iv.shape:
            raise NeurogenError(
                f"simulator returned responses {resp.shape[1:]} / I–V {iv.shape[1:]}, "
                f"target has {self.target_resp.shape} / {self.target_iv.shape}"
            )
        F = objectives(resp, iv, self.target_resp, self.target_iv)
        rm = response_rmse(resp, self.target_resp, self.masks)
        bad = ~(np.isfinite(F).all(axis=1) & np.isfinite(rm).all(axis=1))
        if bad.any():
            self.n_nan += int(bad.sum())
            F[bad] = PENALTY
            rm[bad] = np.inf
            if self.log is not None:
                self.log.warning("%d candidates gave NaN/inf responses (penalised)", int(bad.sum()))
        out["F"] = F
        self.records["x"].append(np.asarray(x, dtype=np.float32))
        self.records["F"].append(F.astype(np.float32))
        self.records["rmse"].append(rm.astype(np.float32))
        self.records["iv"].append(iv.astype(np.float32))
        if self.target_clean is not None:
            rc = response_rmse(resp, self.target_clean, self.masks)
            rc[bad] = np.inf
            self.records["rmse_clean"].append(rc.astype(np.float32))
        else:
            self.records["rmse_clean"].append(np.full((len(x), 4), np.nan, np.float32))

    @property
    def n_evaluated(self) -> int:
        return int(sum(len(a) for a in self.records["x"]))

    def recorded(self) -> dict[str, np.ndarray]:
        """All evaluated candidates, in evaluation order."""
        if not self.records["x"]:
            return {
                "x": np.zeros((0, self.n_var), np.float32),
                "F": np.zeros((0, 2), np.float32),
                "rmse": np.zeros((0, 4), np.float32),
                "iv": np.zeros((0, len(self.target_iv)), np.float32),
                "rmse_clean": np.zeros((0, 4), np.float32),
            }
        return {k: np.concatenate(v) for k, v in self.records.items()}

    def iv_rmse(self, iv):
        return iv_rmse(iv, self.target_iv)
