"""The one adapter between the HH model (``neurogen.hh``) and the stages that simulate it
(epgan and fit).

:class:`HHAdapter` holds the parameter space, the model definition, the steady-state I–V and the
current-clamp simulator, and offers the two views the stages need:

- EP-GAN's: :meth:`HHAdapter.simulate` (free parameter sets, stimulus amplitudes -> responses),
  :meth:`HHAdapter.iv`, the model (``model``, ``steady_state_iv``) for the training losses;
- the fitting problem's: :meth:`HHAdapter.simulate_with_iv` (free parameter sets -> responses at
  the bound protocol and I–V at the bound voltage levels), with ``names``/``lo``/``hi``,
  ``time_s``, ``amplitudes_pA``, ``v_mV``, ``step_s``/``window_s``.

Both views go through one chunked simulation loop that counts every simulated parameter set
(``n_simulated``), sums its wall time (``sim_time_s``) and, given a logger, reports progress at
least every ``log_every_s`` seconds within a call. The tests build it on a small stand-in model
with the same functions (``tests/epgan_toy.py``).
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import NeurogenError


def _accepts(fn, name: str) -> bool:
    try:
        return name in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


@dataclass
class HHAdapter:
    space: Any  # ParamSpace: names, default, lo, hi, free, free_names, full()
    model: Any  # Model: init_state, step, ionic_current, capacitance
    steady_state_iv: Callable  # (p_full [N,P], v [K]) -> [N,K] pA
    simulate_cclamp: Callable  # (p_full, amplitudes_pA, **kw) -> [N,S,T] mV
    sim_kwargs: dict = field(default_factory=dict)  # e.g. dt_ms, protocol
    amplitudes_pA: Any = None  # the fitting view's stimulus amplitudes (default: the protocol's)
    v_mV: Any = None  # ... voltage-clamp levels of the I–V
    time_s: Any = None  # ... recorded time axis
    device: str | None = None
    chunk: int = 256  # parameter sets per simulator call
    dtype: str = "float64"  # torch dtype of the simulated parameter sets
    log: Any = None  # a logger: progress within long calls
    log_every_s: float = 30.0
    n_simulated: int = 0
    sim_time_s: float = 0.0

    def __post_init__(self):
        proto = self.sim_kwargs.get("protocol")
        if proto is None:
            try:
                from .model import PROTOCOL as proto
            except ImportError:  # pragma: no cover
                proto = None
        self.protocol = proto
        if self.amplitudes_pA is None and proto is not None:
            self.amplitudes_pA = proto.amplitudes_pA
        if self.v_mV is None and proto is not None:
            self.v_mV = proto.vclamp_mV
        if self.time_s is None and proto is not None:
            self.time_s = proto.time_s
        for k in ("amplitudes_pA", "v_mV", "time_s"):
            if getattr(self, k) is not None:
                setattr(self, k, np.asarray(getattr(self, k), dtype=np.float64))
        self.step_s = tuple(proto.step_s) if proto is not None else (5.0, 10.0)
        self.window_s = tuple(proto.window_s) if proto is not None else (4.0, 11.0)
        self._cc_model = _accepts(self.simulate_cclamp, "model")
        self._cc_progress = _accepts(self.simulate_cclamp, "progress")
        self._where = ("simulation", 0, 0, 0, 0.0)  # what, first, last, of, start
        self._last_log = 0.0
        self._iv_model = _accepts(self.steady_state_iv, "model")

    @classmethod
    def load(
        cls, model: str, table: str | None = None, *, dt_ms: float | None = None, protocol: dict | None = None, **kw
    ):
        """The project's HH model (``model`` = small | large, parameters from ``table``).

        ``dt_ms``: the simulation step (the stage's own setting; passed to the simulator);
        ``protocol``: overrides of the current-clamp protocol (a shorter experiment of the same
        shape, for quick tests); ``kw``: the other fields (amplitudes_pA, v_mV, time_s, device,
        chunk, dtype, log)."""
        from .model import PROTOCOL, Model, load_space, simulate_cclamp, steady_state_iv

        space = load_space(model, table=table) if table else load_space(model)
        sim_kwargs = {}
        if dt_ms is not None:
            sim_kwargs["dt_ms"] = float(dt_ms)
        if protocol:
            import dataclasses

            p = dataclasses.replace(
                PROTOCOL, **{k: (tuple(v) if isinstance(v, list) else v) for k, v in protocol.items()}
            )
            p.check()
            sim_kwargs["protocol"] = p
        return cls(space, Model(space), steady_state_iv, simulate_cclamp, sim_kwargs, **kw)

    # --- the parameter space -------------------------------------------------------------
    @property
    def free_names(self):
        return list(self.space.free_names)

    names = free_names

    @property
    def free_lo(self):
        return np.asarray(self.space.lo, dtype=np.float64)[np.asarray(self.space.free, bool)]

    lo = free_lo

    @property
    def free_hi(self):
        return np.asarray(self.space.hi, dtype=np.float64)[np.asarray(self.space.free, bool)]

    hi = free_hi

    @property
    def free_default(self):
        return np.asarray(self.space.default, dtype=np.float64)[np.asarray(self.space.free, bool)]

    @property
    def dt_ms(self):
        return self.sim_kwargs.get("dt_ms")

    def full(self, free):
        return self.space.full(free)

    def check_names(self, names, where):
        if names is not None and list(names) != self.free_names:
            raise NeurogenError(
                f"{where}: parameter names do not match the model's free parameters "
                f"({len(names)} vs {len(self.free_names)}; first difference: "
                f"{next((a, b) for a, b in zip(list(names) + [None] * 999, self.free_names + [None] * 999) if a != b)})"
            )

    # --- simulation ----------------------------------------------------------------------
    def _torch_dtype(self):
        import torch

        return getattr(torch, self.dtype)

    def _cclamp(self, p_full, amplitudes, device):
        kw = dict(self.sim_kwargs)
        if device is not None:
            kw["device"] = device
        if self._cc_model:
            kw["model"] = self.model
        if self.log is not None and self._cc_progress:
            kw["progress"] = self._progress
        return self.simulate_cclamp(p_full, np.asarray(amplitudes, dtype=np.float64), **kw)

    def _progress(self, n, n_steps):
        """Progress within one simulator call (time steps), at most every ``log_every_s``."""
        now = time.perf_counter()
        if now - self._last_log >= self.log_every_s:
            what, a, b, of, t0 = self._where
            self.log.info(
                "%s: parameter sets %d–%d of %d, time step %d/%d (%.0f s)", what, a + 1, b, of, n, n_steps, now - t0
            )
            self._last_log = now

    def _loop(self, free, batch, fn, what):
        """Run ``fn(chunk)`` over chunks of ``free``; count, time and report progress."""
        free = np.atleast_2d(np.asarray(free, dtype=np.float64))
        if free.size and free.shape[1] != len(self.free_names):
            raise NeurogenError(f"expected {len(self.free_names)} free parameters, got {free.shape[1]}")
        batch = max(1, int(batch or self.chunk))
        out = []
        t0 = self._last_log = time.perf_counter()
        for lo in range(0, len(free), batch):
            self._where = (what, lo, min(lo + batch, len(free)), len(free), t0)
            out.append(fn(free[lo : lo + batch]))
            now = time.perf_counter()
            if self.log is not None and now - self._last_log >= self.log_every_s and lo + batch < len(free):
                self.log.info("%s: %d/%d parameter sets simulated (%.0f s)", what, lo + batch, len(free), now - t0)
                self._last_log = now
        self.sim_time_s += time.perf_counter() - t0
        self.n_simulated += len(free)
        return out

    def simulate(self, free, amplitudes=None, batch: int | None = None, device=None) -> np.ndarray:
        """Recorded-window responses [N, S, T] (mV, float32) of free parameter sets [N, F]."""
        import torch

        amps = self.amplitudes_pA if amplitudes is None else amplitudes
        dev = device if device is not None else self.device

        def one(x):
            with torch.no_grad():
                p = self.full(torch.as_tensor(x, dtype=self._torch_dtype(), device=dev))
                v = self._cclamp(p, amps, dev)
                return np.asarray(torch.as_tensor(v).detach().cpu(), dtype=np.float32)

        out = self._loop(free, batch, one, "current clamp")
        t = len(self.time_s) if self.time_s is not None else 0
        return np.concatenate(out, 0) if out else np.zeros((0, len(amps), t), np.float32)

    def iv(self, free, v_mV=None) -> np.ndarray:
        """Steady-state I–V [N, K] (pA) at ``v_mV`` (default: the bound levels)."""
        import torch

        v = self.v_mV if v_mV is None else v_mV
        kw = {"model": self.model} if self._iv_model else {}
        with torch.no_grad():
            p = self.full(torch.as_tensor(np.atleast_2d(np.asarray(free, dtype=np.float64))))
            return np.asarray(
                self.steady_state_iv(p, torch.as_tensor(np.asarray(v, np.float64)), **kw).cpu(), dtype=np.float64
            )

    def simulate_with_iv(self, params):
        """The fitting view: (responses [N, S, T] mV, I–V [N, K] pA), float64, at the bound
        amplitudes and voltage levels."""
        import torch

        kw = {"model": self.model} if self._iv_model else {}

        def one(x):
            with torch.no_grad():
                p = self.full(torch.as_tensor(x, dtype=self._torch_dtype(), device=self.device))
                r = torch.as_tensor(self._cclamp(p, self.amplitudes_pA, self.device)).double().cpu().numpy()
                v = torch.as_tensor(self.v_mV, dtype=p.dtype, device=p.device)
                i = torch.as_tensor(self.steady_state_iv(p, v, **kw)).double().cpu().numpy()
                return r, i

        params = np.atleast_2d(np.asarray(params, dtype=np.float64))
        out = self._loop(params, None, one, "simulation")
        if not out:
            return (np.zeros((0, len(self.amplitudes_pA), len(self.time_s))), np.zeros((0, len(self.v_mV))))
        return np.concatenate([o[0] for o in out]), np.concatenate([o[1] for o in out])
