"""The HH model as EP-GAN sees it: the parameter space, the one model definition, the
differentiable steady-state I–V and the current-clamp simulator (``neurogen.hh``).

Everything that touches the model goes through :class:`HHBackend`, so the tests can run the
training code on a small differentiable stand-in with the same API."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .. import NeurogenError


@dataclass
class HHBackend:
    space: Any                      # ParamSpace: names, default, lo, hi, free, free_names, full()
    model: Any                      # Model: init_state, step, ionic_current, capacitance
    steady_state_iv: Callable       # (p_full [N,P], v [K]) -> [N,K] pA
    simulate_cclamp: Callable       # (p_full, amplitudes_pA, **kw) -> [N,S,T] mV
    sim_kwargs: dict = field(default_factory=dict)

    @classmethod
    def load(cls, model: str, table: str | None = None, **sim_kwargs):
        """The project's HH model (``neurogen.hh``), ``model`` = small | large."""
        from ..hh import Model, load_space, simulate_cclamp, steady_state_iv

        space = load_space(model, table=table) if table else load_space(model)
        return cls(space, Model(space), steady_state_iv, simulate_cclamp, dict(sim_kwargs))

    @property
    def free_names(self):
        return list(self.space.free_names)

    @property
    def free_lo(self):
        return np.asarray(self.space.lo, dtype=np.float64)[np.asarray(self.space.free, bool)]

    @property
    def free_hi(self):
        return np.asarray(self.space.hi, dtype=np.float64)[np.asarray(self.space.free, bool)]

    @property
    def free_default(self):
        return np.asarray(self.space.default, dtype=np.float64)[np.asarray(self.space.free, bool)]

    def full(self, free):
        return self.space.full(free)

    def check_names(self, names, where):
        if names is not None and list(names) != self.free_names:
            raise NeurogenError(f"{where}: parameter names do not match the model's free parameters "
                                f"({len(names)} vs {len(self.free_names)}; first difference: "
                                f"{next((a, b) for a, b in zip(list(names) + [None] * 999, self.free_names + [None] * 999) if a != b)})")

    def simulate(self, free, amplitudes, batch: int = 256, device=None) -> np.ndarray:
        """Recorded-window responses [N, S, T] (mV, float32) of free parameter sets [N, F]."""
        import torch

        free = np.asarray(free, dtype=np.float64)
        out = []
        kw = dict(self.sim_kwargs)
        if device is not None:
            kw["device"] = device
        with torch.no_grad():
            for lo in range(0, len(free), batch):
                p = self.full(torch.as_tensor(free[lo:lo + batch], dtype=torch.float64))
                v = self.simulate_cclamp(p, np.asarray(amplitudes, dtype=np.float64), **kw)
                out.append(np.asarray(torch.as_tensor(v).detach().cpu(), dtype=np.float32))
        return np.concatenate(out, 0) if out else np.zeros((0, len(amplitudes), 0), np.float32)

    def iv(self, free, v_mV) -> np.ndarray:
        import torch

        with torch.no_grad():
            p = self.full(torch.as_tensor(np.asarray(free, dtype=np.float64)))
            return np.asarray(self.steady_state_iv(p, torch.as_tensor(np.asarray(v_mV, np.float64))).cpu(),
                              dtype=np.float64)
