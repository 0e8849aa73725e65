"""EP-GAN's losses through the project's HH model (neurogen.hh): the physics-informed residual
vanishes for the parameters that made a trace and not for others, and the gradients of both
reconstruction losses match finite differences (directional derivative, float64)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from neurogen.epgan.backend import HHBackend
from neurogen.epgan.losses import iv_loss, voltage_loss, voltage_residual

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def be():
    return HHBackend.load("small", dt_ms=4.0)  # coarse: only the traces matter here


@pytest.fixture(scope="module")
def traces(be):
    from neurogen.hh import PROTOCOL

    free = np.tile(be.free_default, (2, 1))
    free[1, :16] *= 0.8  # a second neuron, conductances −20 %
    amps = np.array([-15.0, 10.0, 35.0])
    V = torch.as_tensor(be.simulate(free, amps), dtype=torch.float64)
    stim = torch.as_tensor(PROTOCOL.stimuli(amps), dtype=torch.float64)
    return free, V, stim


def test_residual_small_for_true_parameters(be, traces):
    free, V, stim = traces
    dt = 1000 * float(np.diff(be_time())[0])
    p = be.full(torch.as_tensor(free))
    r_true = voltage_residual(be.model, p, V, stim, dt, 1).abs().mean().item() / dt
    wrong = free.copy()
    wrong[:, :16] *= 1.5
    r_wrong = voltage_residual(be.model, be.full(torch.as_tensor(wrong)), V, stim, dt, 1).abs().mean().item() / dt
    assert r_wrong > 10 * r_true


def be_time():
    from neurogen.hh import PROTOCOL

    return PROTOCOL.time_s


def _directional(fun, x0, seed=0, h=1e-6):
    rng = np.random.default_rng(seed)
    # relative steps; parameters at 0 (absent conductances) stay put: below 0 the model is unphysical
    d = rng.standard_normal(x0.shape) * np.abs(x0)
    x = torch.tensor(x0, requires_grad=True)
    y = fun(x)
    (g,) = torch.autograd.grad(y, x)
    analytic = float((g * torch.as_tensor(d)).sum())
    with torch.no_grad():
        fd = (fun(torch.tensor(x0 + h * d)).item() - fun(torch.tensor(x0 - h * d)).item()) / (2 * h)
    return analytic, fd


def test_iv_loss_gradient_matches_finite_differences(be, traces):
    from neurogen.hh import PROTOCOL

    free, _, _ = traces
    v = torch.as_tensor(PROTOCOL.vclamp_mV, dtype=torch.float64)
    target = torch.as_tensor(be.iv(free * 1.1, PROTOCOL.vclamp_mV))

    # squared error is smooth; the MAE used in training has the same chain of derivatives
    def fun(x):
        return ((be.steady_state_iv(be.full(x), v) - target) ** 2).mean()

    a, fd = _directional(fun, free * 0.95)
    assert a == pytest.approx(fd, rel=1e-4)

    def fun1(x):
        return iv_loss(be.steady_state_iv, be.full(x), v, target, 10.0)

    a, fd = _directional(fun1, free * 0.95, seed=1)
    assert a == pytest.approx(fd, rel=1e-3)


def test_voltage_loss_gradient_matches_finite_differences(be, traces):
    free, V, stim = traces
    V, stim = V[:, :, 40:120], stim[:, 40:120]  # 1.6 s around the step onset

    def fun(x):
        return (voltage_residual(be.model, be.full(x), V, stim, 20.0, 2) ** 2).mean()

    a, fd = _directional(fun, free * 0.9)
    assert a == pytest.approx(fd, rel=1e-4)

    def fun1(x):
        return voltage_loss(be.model, be.full(x), V, stim, 20.0, 2, 10.0)

    a, fd = _directional(fun1, free * 0.9, seed=2)
    assert a == pytest.approx(fd, rel=1e-3)
