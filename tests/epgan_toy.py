"""A small differentiable stand-in for the HH API (neurogen.hh contract) used by the EP-GAN
tests: one leak and one K-like channel with a single gate. Same call signatures as the real
model (ParamSpace.full, Model.init_state/step/ionic_current/capacitance, steady_state_iv,
simulate_cclamp), batched and differentiable, so the EP-GAN code is tested without neurogen.hh."""

from __future__ import annotations

import numpy as np
import torch

NAMES = ["C", "gL", "EL", "gK", "EK", "Vh", "k", "tau", "n0"]
DEFAULT = np.array([10.0, 0.5, -60.0, 2.0, -80.0, -30.0, 8.0, 40.0, 0.1])
LO = np.array([5.0, 0.2, -75.0, 0.5, -80.0, -45.0, 8.0, 40.0, 0.1])
HI = np.array([20.0, 1.0, -45.0, 4.0, -80.0, -15.0, 8.0, 40.0, 0.1])
FREE = np.array([1, 1, 1, 1, 0, 1, 0, 0, 0], dtype=bool)
AMPS = np.arange(-15.0, 36.0, 5.0)
TIME = np.linspace(4.0, 11.0, 350)
IV_V = np.arange(-120.0, 51.0, 10.0)


class ToySpace:
    names = NAMES
    default = DEFAULT
    lo = LO
    hi = HI
    free = FREE
    free_names = [n for n, f in zip(NAMES, FREE) if f]

    def full(self, free_values):
        x = torch.as_tensor(free_values)
        n = x.shape[0]
        base = torch.as_tensor(DEFAULT, dtype=x.dtype, device=x.device).expand(n, -1)
        cols, j = [], 0
        for i, f in enumerate(FREE):
            if f:
                cols.append(x[:, j])
                j += 1
            else:
                cols.append(base[:, i])
        return torch.stack(cols, dim=1)


def _col(p, name):
    return p[:, NAMES.index(name)]


def n_inf(p, V):
    return torch.sigmoid((V - _col(p, "Vh")) / _col(p, "k"))


class ToyModel:
    def __init__(self, space=None):
        self.space = space or ToySpace()

    def init_state(self, p, V0):
        return n_inf(p, V0)

    def step(self, p, V, state, dt_ms):
        ni = n_inf(p, V)
        return ni + (state - ni) * torch.exp(-dt_ms / _col(p, "tau"))

    def ionic_current(self, p, V, state):
        return _col(p, "gL") * (V - _col(p, "EL")) + _col(p, "gK") * state * (V - _col(p, "EK"))

    def capacitance(self, p):
        return _col(p, "C")


def steady_state_iv(p, v):
    v = torch.as_tensor(v, dtype=p.dtype, device=p.device).unsqueeze(0)
    pp = p.unsqueeze(-1)
    ni = torch.sigmoid((v - pp[:, NAMES.index("Vh")]) / pp[:, NAMES.index("k")])
    return pp[:, NAMES.index("gL")] * (v - pp[:, NAMES.index("EL")]) + pp[:, NAMES.index("gK")] * ni * (
        v - pp[:, NAMES.index("EK")]
    )


def simulate_cclamp(p, amplitudes_pA, dt_ms=5.0, device=None, time_s=TIME):
    """Exponential-Euler current clamp 0–11 s, step on at [5, 10] s; window resampled."""
    p = torch.as_tensor(p, dtype=torch.float64)
    a = torch.as_tensor(np.asarray(amplitudes_pA), dtype=torch.float64)
    N, S = p.shape[0], a.shape[0]
    pp = p.unsqueeze(1).expand(N, S, -1).reshape(N * S, -1)
    amp = a.unsqueeze(0).expand(N, S).reshape(-1)
    n_steps = int(round(11000.0 / dt_ms))
    t = np.arange(n_steps + 1) * dt_ms / 1000.0
    # rest: solve V_rest by a few fixed-point iterations on the steady state
    V = _col(pp, "EL").clone()
    for _ in range(50):
        ni = n_inf(pp, V)
        V = (_col(pp, "gL") * _col(pp, "EL") + _col(pp, "gK") * ni * _col(pp, "EK")) / (
            _col(pp, "gL") + _col(pp, "gK") * ni
        )
    n = n_inf(pp, V)
    out = [V]
    C = _col(pp, "C")
    for k in range(n_steps):
        I = amp * float(5.0 <= t[k] < 10.0)
        n = ToyModel().step(pp, V, n, dt_ms)
        g = _col(pp, "gL") + _col(pp, "gK") * n
        Vinf = (_col(pp, "gL") * _col(pp, "EL") + _col(pp, "gK") * n * _col(pp, "EK") + I) / g
        V = Vinf + (V - Vinf) * torch.exp(-dt_ms * g / C)
        out.append(V)
    traj = torch.stack(out, 1).numpy()
    res = np.stack([np.interp(time_s, t, tr) for tr in traj]).reshape(N, S, len(time_s))
    return torch.as_tensor(res, dtype=torch.float32)


def make_backend():
    from neurogen.epgan.backend import HHBackend

    sp = ToySpace()
    return HHBackend(sp, ToyModel(sp), steady_state_iv, simulate_cclamp, {"dt_ms": 10.0})


def write_dataset(path, n, seed=0, noise_mV=0.5):
    """A dataset in the hh stage's HDF5 layout, made with the toy model."""
    import h5py

    from neurogen.epgan.recorded import stimulus_traces

    rng = np.random.default_rng(seed)
    be = make_backend()
    free = be.free_lo + rng.random((n, FREE.sum())) * (be.free_hi - be.free_lo)
    clean = be.simulate(free, AMPS)
    resp = clean + rng.normal(0, noise_mV, clean.shape).astype(np.float32)
    iv = be.iv(free, IV_V)
    with h5py.File(path, "w") as f:
        f["params"] = free.astype(np.float32)
        f["param_names"] = np.array(be.free_names, dtype="S")
        f["responses"] = resp
        f["responses_clean"] = clean
        f["amplitudes_pA"] = AMPS
        f["time_s"] = TIME
        f["stimuli"] = stimulus_traces(AMPS, TIME)
        f["iv"] = iv.astype(np.float32)
        f["iv_v_mV"] = IV_V
        f["type"] = rng.integers(0, 3, n).astype(np.int8)
        f.attrs["type_names"] = ["transient outward rectifier", "outward rectifier", "bistable"]
        f.attrs["model"] = "toy"
        f.attrs["seed"] = seed
        f.attrs["n"] = n
    return free, clean, iv
