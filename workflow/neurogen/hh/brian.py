"""Brian 2 backend: the same model (channels.py) generated as Brian 2 equation strings; one
NeuronGroup per batch (row = neuron x stimulus) with per-row parameters; exponential Euler.

Uses Brian 2's numpy code-generation target (no C++ compiler needed). Units: Brian 2 sees
every quantity as dimensionless in the model's units (mV, ms, nS, pA, pF); time derivatives are
divided by ``ms``.
"""

from __future__ import annotations

import re

import numpy as np

from neurogen import NeurogenError
from neurogen.hh.channels import CA_BLEND, CA_NERNST, CA_POOL_UPDATE, CALCIUM_NAMES, CURRENTS, GATES, SUBEXPRESSIONS
from neurogen.hh.model import DT_MS, PROTOCOL, Model, _check_amplitudes, _initial_gates, _record_steps

#: the calcium pool's E_Ca and cai (channels.py, 'calcium handling'), blended by Ca_pool
_CA_E = CA_BLEND.format(const="VCa", pool=CA_NERNST)
_CA_I = CA_BLEND.format(const="Ca_bkg_uM", pool="1e3*Ca_pool_mM")


def brian2_equations(param_names) -> str:
    """The model as a Brian 2 equation string: state variables (V, gates), the gates' steady
    states and time constants and every intermediate as subexpressions, per-row parameters."""
    lines = ["V : 1", "I_amp : 1 (constant)"]
    lines.append("I_stim = I_amp * int(t >= t_on) * int(t < t_off) : 1")
    lines.append("G_tot = " + " + ".join(f"({c.g})*({c.gating})" for c in CURRENTS) + " : 1")
    lines.append("GE_tot = " + " + ".join(f"({c.g})*({c.gating})*{c.E}" for c in CURRENTS) + " : 1")
    lines.append("I_ion = G_tot * V - GE_tot : 1")
    ca = [c for c in CURRENTS if c.E == "ECa"]
    lines.append("G_Ca_tot = " + (" + ".join(f"({c.g})*({c.gating})" for c in ca) or "0") + " : 1")
    # calcium handling: per-row state, constant unless Ca_pool = 1 (advanced in the step code)
    lines += [f"{n} : 1" for n in CALCIUM_NAMES]
    lines += ["Ca_pool_mM : 1", "I_Ca_prev : 1", "Ca_started : 1"]
    for g in GATES:
        lines.append(f"{g.name} : 1")
        lines.append(f"{g.name}_ginf = {g.inf} : 1")
        lines.append(f"{g.name}_gtau = {g.tau} : 1")
    for n, e in SUBEXPRESSIONS:
        lines.append(f"{n} = {e} : 1")
    for p in param_names:
        lines.append(f"{p} : 1 (constant)")
    return "\n".join(lines)


def brian2_step_code(dt_ms: float, v_update: str = "expeuler") -> str:
    """One step as Brian 2 abstract code: every gate by exponential Euler at the step's V (all
    from the old state), then V for the new conductances (exactly, or backward Euler)."""
    dt = repr(float(dt_ms))
    update = re.sub(r"\bI_Ca\b", "I_Ca_prev", re.sub(r"\bdt\b", dt, CA_POOL_UPDATE))
    # calcium pool first (not before the first step), then E_Ca; the nanodomain keeps the
    # previous step's E_Ca during the gate update (NEURON's order, channels.py)
    lines = [
        f"tmp_ca = clip({update}, Ca_floor_mM, inf)",
        "Ca_pool_mM = Ca_started * tmp_ca + (1 - Ca_started) * Ca_pool_mM",
        f"Ca_i_uM = Ca_started * ({_CA_I}) + (1 - Ca_started) * Ca_i_uM",
        "ECa_nano = ECa",
        f"ECa = {_CA_E}",
    ]
    lines += [
        f"tmp_{g.name} = {g.name}_ginf + ({g.name} - {g.name}_ginf) * exp(-{dt_ms!r} / {g.name}_gtau)" for g in GATES
    ]
    lines += [f"{g.name} = tmp_{g.name}" for g in GATES]
    lines += ["I_Ca_prev = G_Ca_tot * (V - ECa)", "Ca_started = 1"]
    if v_update == "expeuler":
        lines.append("tmp_G = G_tot + 1e-9")
        lines.append("tmp_Vinf = (I_stim + GE_tot) / tmp_G")
        lines.append(f"V = tmp_Vinf + (V - tmp_Vinf) * exp(-{dt_ms!r} * tmp_G / C)")
    else:
        lines.append(f"V = (C / {dt_ms!r} * V + I_stim + GE_tot) / (C / {dt_ms!r} + G_tot)")
    return "\n".join(lines)


def simulate_cclamp_brian2(
    p_full,
    amplitudes_pA=None,
    dt_ms=DT_MS,
    protocol=PROTOCOL,
    init="params",
    model: Model | None = None,
    record_ms=None,
    t_total_ms=None,
    step_ms=None,
    V_init_mV=None,
    v_update="expeuler",
):
    """Current clamp with Brian 2: [N, S, len(record_ms)] mV (default EP-GAN's recorded window)."""
    import brian2 as b2
    import torch

    from neurogen.hh.model import _default_model
    from neurogen.hh.validate import check_physical

    model = model or _default_model()
    check_physical(p_full, model)
    b2.prefs.codegen.target = "numpy"
    amps = _check_amplitudes(protocol.amplitudes_pA if amplitudes_pA is None else amplitudes_pA)
    p = np.atleast_2d(np.asarray(p_full.detach().cpu().numpy() if hasattr(p_full, "detach") else p_full, float))
    N, S = len(p), len(amps)
    t_total_ms = protocol.t_total_s * 1e3 if t_total_ms is None else t_total_ms
    step_ms = (protocol.step_s[0] * 1e3, protocol.step_s[1] * 1e3) if step_ms is None else step_ms
    record_ms = protocol.record_ms if record_ms is None else np.asarray(record_ms, float)
    rec = _record_steps(record_ms, dt_ms, t_total_ms)
    names = model.names
    b2.start_scope()
    b2.defaultclock.dt = dt_ms * b2.ms
    eqs = brian2_equations(names)
    ns = {"t_on": step_ms[0] * b2.ms, "t_off": step_ms[1] * b2.ms}
    b2.prefs.codegen.loop_invariant_optimisations = False  # sympy on ~400 expressions is slow
    grp = b2.NeuronGroup(N * S, eqs, namespace=ns, dt=dt_ms * b2.ms)
    grp.run_regularly(brian2_step_code(dt_ms, v_update), dt=dt_ms * b2.ms, when="groups")
    rows = np.repeat(np.arange(N), S)
    for j, n in enumerate(names):
        setattr(grp, n, p[rows, j])
    grp.I_amp = np.tile(amps, N)
    ix = model.space.index
    V0 = p[:, ix["V0"]] if V_init_mV is None else np.full(N, float(V_init_mV))
    if isinstance(init, str) and init not in ("params", "rest"):
        raise NeurogenError(f"init must be 'params', 'rest' or an array of gate states, got {init!r}")
    with torch.no_grad():
        pt = torch.as_tensor(p)
        P = model.params(pt, 0)
        st = torch.stack(_initial_gates(model, P, torch.as_tensor(V0), init, (N,), pt), -1).numpy()
    grp.V = V0[rows]
    for j, g in enumerate(GATES):
        setattr(grp, g.name, st[rows, j])
    _init_calcium(grp, model, p, rows, ix)
    # record every step that is a recording time: a monitor at the gcd of the grid
    step_k = np.unique(rec)
    stride = int(np.gcd.reduce(np.diff(np.r_[0, step_k]))) if len(step_k) > 1 else max(1, int(step_k[0]) or 1)
    mon = b2.StateMonitor(grp, "V", record=True, dt=stride * dt_ms * b2.ms, when="start")
    net = b2.Network(grp, mon)
    net.run((int(rec.max()) + 1) * dt_ms * b2.ms, namespace=ns)
    V = np.asarray(mon.V)  # [rows, T_mon], at t = k * stride * dt
    out = V[:, rec // stride]
    return out.reshape(N, S, len(rec))


def _init_calcium(grp, model, p, rows, ix):
    """The calcium state at t = 0: pool at dCa2_0, cai at Ca_bkg_uM, E_Ca from those (model.py)."""
    import torch

    from neurogen.hh.model import _CA_E0, _FUNCS

    grp.Ca_pool_mM = p[rows, ix["dCa2_0"]]
    grp.Ca_i_uM = p[rows, ix["Ca_bkg_uM"]]
    with torch.no_grad():
        E0 = eval(_CA_E0, _FUNCS, model.params(torch.as_tensor(p), 0)).numpy()  # noqa: S307
    grp.ECa = E0[rows]
    grp.ECa_nano = E0[rows]
    grp.I_Ca_prev = 0.0
    grp.Ca_started = 0.0


def steady_state_iv_brian2(p_full, v_mV=None, model: Model | None = None):
    """[N, K] pA: the algebraic steady-state current evaluated by Brian 2 (gates at their
    steady state; CaV activation first, since the coupled SLO gates read it)."""
    import brian2 as b2

    from neurogen.hh.model import _default_model
    from neurogen.hh.validate import check_physical

    model = model or _default_model()
    check_physical(p_full, model)
    b2.prefs.codegen.target = "numpy"
    b2.prefs.codegen.loop_invariant_optimisations = False
    v = np.asarray(PROTOCOL.vclamp_mV if v_mV is None else v_mV, float)
    p = np.atleast_2d(np.asarray(p_full, float))
    N, K = len(p), len(v)
    b2.start_scope()
    grp = b2.NeuronGroup(N * K, brian2_equations(model.names), namespace={"t_on": 0 * b2.ms, "t_off": 0 * b2.ms})
    rows = np.repeat(np.arange(N), K)
    for j, n in enumerate(model.names):
        setattr(grp, n, p[rows, j])
    grp.V = np.tile(v, N)
    import torch

    from neurogen.hh.model import _steady_calcium

    with torch.no_grad():  # calcium names: constant, or the pool at its steady state (model.py)
        pt = torch.as_tensor(p)
        P = model.params(pt, 1)
        Vt = torch.as_tensor(v).reshape(1, -1).expand(N, -1)
        ca = _steady_calcium(model, P, Vt) if model.uses_pool(P) else {n: P[n].expand(N, K) for n in CALCIUM_NAMES}
    for n in CALCIUM_NAMES:
        setattr(grp, n, ca[n].expand(N, K).reshape(-1).numpy())
    for g in GATES:  # in definition order: CaV m before the coupled gates that read it
        setattr(grp, g.name, np.asarray(getattr(grp, g.name + "_ginf")))
    return np.asarray(grp.I_ion).reshape(N, K)
