"""EP-GAN losses: WGAN-GP critic loss, generator adversarial loss, and the two reconstruction
losses, both computed through the one HH model definition (neurogen.hh):

* steady-state I–V reconstruction: ``steady_state_iv(space.full(p), v)`` of the generated
  parameters against the input I–V (mean absolute error, as in the paper; in units of the
  training set's I–V SD so the weight is scale-free);
* membrane-potential reconstruction as a physics-informed residual: the gating (and Ca)
  equations of the generated parameters are driven by the *recorded* voltage (``model.step``),
  and the model's current balance integrated over an interval of h samples,
  ``∫ (I_stim − I_ion) dt``, is compared with ``C · (V[k+h] − V[k])`` from the trace
  (mean absolute error, in units of the I–V SD times h·Δt). No ODE is solved, so the loss is
  cheap and its gradient does not pass through a long simulation; it is zero for the true
  parameters up to the discretisation error of the Δt-sampled trace and its noise.
"""

from __future__ import annotations

import torch


def critic_loss(critic, c, u_real, u_fake, gp_weight: float = 10.0, generator=None):
    """WGAN-GP: D(fake) − D(real) + λ (‖∇D(x̂)‖ − 1)², x̂ on lines between real and fake.

    ``c`` (conditioning), ``u_real`` and ``u_fake`` (parameters in [-1, 1]) should be detached.
    Returns (loss, wasserstein_estimate, penalty)."""
    d_real = critic(c, u_real)
    d_fake = critic(c, u_fake)
    gp = gradient_penalty(critic, c, u_real, u_fake, generator=generator)
    w = d_real.mean() - d_fake.mean()
    return -w + gp_weight * gp, w.detach(), gp.detach()


def gradient_penalty(critic, c, u_real, u_fake, generator=None):
    """E[(‖∇_(c,û) D(c, û)‖₂ − 1)²], û = ε u_real + (1 − ε) u_fake, ε ~ U(0, 1) per sample."""
    n = u_real.shape[0]
    eps = torch.rand(n, 1, generator=generator, dtype=u_real.dtype).to(u_real.device)
    u_hat = (eps * u_real + (1 - eps) * u_fake).detach().requires_grad_(True)
    c_hat = c.detach().requires_grad_(True)
    d = critic(c_hat, u_hat)
    gc, gu = torch.autograd.grad(d.sum(), (c_hat, u_hat), create_graph=True)
    norm = torch.sqrt((gc**2).sum(-1) + (gu**2).sum(-1) + 1e-12)
    return ((norm - 1.0) ** 2).mean()


def generator_adversarial_loss(critic, c, u_fake):
    return -critic(c, u_fake).mean()


def iv_loss(steady_state_iv, p_full, v_mV, iv_target, iv_scale):
    """Mean |I_ss(p, v) − I_target| / iv_scale (iv_scale: scalar or [K] pA)."""
    pred = steady_state_iv(p_full, v_mV)
    return ((pred - iv_target).abs() / iv_scale).mean()


def voltage_residual(model, p_full, V, I_stim, dt_ms: float, h: int = 1):
    """Physics-informed residual of recorded traces under parameters ``p_full``.

    V [N, S, T] mV (recorded responses), I_stim [S, T] or [N, S, T] pA (stimulus at the same
    samples), dt_ms the sampling interval. Gates start at steady state at V[..., 0] and are
    advanced by ``model.step`` with the mean voltage of each interval. Returns the residual
    [N, S, T−h] in pA·ms:  C (V[k+h] − V[k]) − Σ_{j=k}^{k+h−1} dt (I_stim − I_ion)_(j+½)
    (trapezoidal current over each sample interval).
    """
    N, S, T = V.shape
    if I_stim.dim() == 2:
        I_stim = I_stim.unsqueeze(0).expand(N, S, T)
    P = p_full.shape[-1]
    p = p_full.unsqueeze(1).expand(N, S, P).reshape(N * S, P)
    v = V.reshape(N * S, T)
    istim = I_stim.reshape(N * S, T).to(v.dtype)
    C = model.capacitance(p)
    state = model.init_state(p, v[:, 0])
    i_ion = [model.ionic_current(p, v[:, 0], state)]
    for k in range(T - 1):
        state = model.step(p, 0.5 * (v[:, k] + v[:, k + 1]), state, dt_ms)
        i_ion.append(model.ionic_current(p, v[:, k + 1], state))
    i_ion = torch.stack(i_ion, dim=1)  # [NS, T]
    net = istim - i_ion
    q = 0.5 * (net[:, 1:] + net[:, :-1]) * dt_ms  # charge per interval, pA·ms
    qc = torch.cat([torch.zeros_like(q[:, :1]), torch.cumsum(q, dim=1)], dim=1)  # [NS, T]
    lhs = C.unsqueeze(1) * (v[:, h:] - v[:, :-h])  # pF·mV = pA·ms
    rhs = qc[:, h:] - qc[:, :-h]
    return (lhs - rhs).reshape(N, S, T - h)


def voltage_loss(model, p_full, V, I_stim, dt_ms, h, iv_scale):
    """Mean |residual| / (iv_scale · h · dt): in units of the I–V scale (pA), like iv_loss."""
    r = voltage_residual(model, p_full, V, I_stim, dt_ms, h)
    return (r.abs() / (h * dt_ms)).mean() / iv_scale


def mask_rate(epoch: int, n_epochs: int, start: float = 0.75, end: float = 0.0) -> float:
    """Masking rate of epoch ``epoch`` (0-based): linear from ``start`` (first) to ``end`` (last)."""
    if n_epochs <= 1:
        return float(end)
    return float(start + (end - start) * epoch / (n_epochs - 1))


def mask_traces(x: torch.Tensor, rate: float, generator=None):
    """Randomly mask response traces: each step is dropped with probability ``rate`` (at least
    one kept per neuron); the kept steps are moved to the front in their original order.

    x [N, S, D] -> (x_masked [N, S, D] zero-padded, lengths [N], kept [N, S] bool)."""
    N, S, _ = x.shape
    if rate <= 0:
        return x, torch.full((N,), S, dtype=torch.int64), torch.ones(N, S, dtype=torch.bool)
    r = torch.rand(N, S, generator=generator)
    keep = r >= rate
    # guarantee one kept step: the one with the largest draw
    keep[torch.arange(N), r.argmax(1)] = True
    # stable order: kept steps first, original order preserved
    order = torch.argsort((~keep).to(torch.int64) * S + torch.arange(S), dim=1)
    xs = torch.gather(x, 1, order.to(x.device).unsqueeze(-1).expand_as(x))
    lengths = keep.sum(1)
    pad = (torch.arange(S).unsqueeze(0) >= lengths.unsqueeze(1)).to(x.device)
    xs = xs.masked_fill(pad.unsqueeze(-1), 0.0)
    return xs, lengths, keep
