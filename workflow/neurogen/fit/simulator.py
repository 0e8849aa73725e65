"""The batched simulator a fitting problem calls.

A simulator exposes ``names`` (its free parameters), ``lo``/``hi`` (their sampling ranges, physical
units), ``time_s`` [T], ``amplitudes_pA`` [S], ``v_mV`` [K] and ``simulate(params [N,F]) ->
(responses [N,S,T] mV, iv [N,K] pA)`` (numpy, float64). :class:`HHSimulator` is the HH model of
the hh stage (one definition for every stage); the tests also use a small analytic stand-in.
"""
from __future__ import annotations

import time

import numpy as np

from .. import NeurogenError


class HHSimulator:
    """The HH model (``neurogen.hh``) over the small (47) or large (175) free-parameter set.

    Populations are simulated in chunks of ``chunk`` neurons (all sweeps at once) on ``device``.
    """

    def __init__(self, model: str = "small", table: str = "resources/hh/params.csv",
                 amplitudes_pA=None, v_mV=None, time_s=None, dt_ms: float | None = None,
                 device: str = "cpu", chunk: int = 256, dtype: str = "float32", protocol: dict | None = None):
        from ..hh import PROTOCOL, load_space, simulate_cclamp, steady_state_iv  # noqa: F401

        # a shorter protocol (same shape of experiment) is for quick tests only
        if protocol:
            import dataclasses

            PROTOCOL = dataclasses.replace(PROTOCOL, **{k: (tuple(v) if isinstance(v, list) else v)
                                                        for k, v in protocol.items()})
            PROTOCOL.check()
        self.protocol = PROTOCOL
        self.step_s = tuple(PROTOCOL.step_s)
        self.window_s = tuple(PROTOCOL.window_s)
        import inspect

        from ..hh import Model

        self.space = load_space(model, table=table)
        self.model = Model(self.space)
        self._pass_model = "model" in inspect.signature(simulate_cclamp).parameters
        self.names = list(self.space.free_names)
        self.lo = np.asarray(self.space.lo, dtype=np.float64)[self.space.free]
        self.hi = np.asarray(self.space.hi, dtype=np.float64)[self.space.free]
        self.amplitudes_pA = np.asarray(amplitudes_pA if amplitudes_pA is not None
                                        else PROTOCOL.amplitudes_pA, dtype=np.float64)
        self.v_mV = np.asarray(v_mV if v_mV is not None else PROTOCOL.vclamp_mV, dtype=np.float64)
        self.time_s = np.asarray(time_s if time_s is not None else PROTOCOL.time_s, dtype=np.float64)
        self.dt_ms = dt_ms
        self.device = device
        self.chunk = int(chunk)
        self.dtype = dtype
        self.n_simulated = 0
        self.sim_time_s = 0.0

    def simulate(self, params):
        import torch

        from ..hh import simulate_cclamp, steady_state_iv

        params = np.atleast_2d(np.asarray(params, dtype=np.float64))
        if params.shape[1] != len(self.names):
            raise NeurogenError(f"expected {len(self.names)} free parameters, got {params.shape[1]}")
        dt = getattr(torch, self.dtype)
        resp, ivs = [], []
        t0 = time.perf_counter()
        kw = {"protocol": self.protocol}
        ivkw = {}
        if self._pass_model:
            kw["model"] = ivkw["model"] = self.model
        if self.dt_ms is not None:
            kw["dt_ms"] = self.dt_ms
        with torch.no_grad():
            v = torch.as_tensor(self.v_mV, dtype=dt, device=self.device)
            amps = torch.as_tensor(self.amplitudes_pA, dtype=dt, device=self.device)
            for i in range(0, len(params), self.chunk):
                p = torch.as_tensor(params[i:i + self.chunk], dtype=dt, device=self.device)
                full = self.space.full(p)
                resp.append(simulate_cclamp(full, amps, device=self.device, **kw).double().cpu().numpy())
                ivs.append(steady_state_iv(full, v, **ivkw).double().cpu().numpy())
        self.sim_time_s += time.perf_counter() - t0
        self.n_simulated += len(params)
        return np.concatenate(resp), np.concatenate(ivs)


def make_simulator(model: str, table: str, device: str = "cpu", **kw):
    """The HH simulator for the hh stage's ``model`` with the hh stage's simulation settings."""
    return HHSimulator(model=model, table=table, device=device, **kw)
