"""Parameter space, the model (built from channels.py), steady-state I-V and the torch simulator.

All torch functions are batched over neurons, accept float32/float64 on CPU or CUDA (results
stay on the input's device) and are differentiable (no in-place ops on inputs, no .item()).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from neurogen import NeurogenError
from neurogen import progress as _progress
from neurogen.hh.channels import (
    CA_BLEND,
    CA_NERNST,
    CA_POOL_PARAMETERS,
    CA_POOL_UPDATE,
    CALCIUM_CONSTANT,
    CALCIUM_NAMES,
    CURRENTS,
    GATE_NAMES,
    GATES,
    SUBEXPRESSIONS,
)
from neurogen.hh.codegen import build
from neurogen.hh.validate import check_physical

DEFAULT_TABLE = Path(__file__).resolve().parents[3] / "resources" / "hh" / "params.csv"
MODELS = ("small", "large")

_FUNCS = {"exp": torch.exp, "log": torch.log, "sqrt": torch.sqrt, "abs": torch.abs, "__builtins__": {}}


# --------------------------------------------------------------------------- parameter space
@dataclass
class ParamSpace:
    """The full parameter vector of the model and which entries are free for one model size."""

    model: str
    names: list
    default: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    free: np.ndarray
    table: pd.DataFrame = field(repr=False)

    @property
    def free_names(self) -> list:
        return [n for n, f in zip(self.names, self.free) if f]

    @property
    def index(self) -> dict:
        return {n: i for i, n in enumerate(self.names)}

    @property
    def roles(self) -> np.ndarray:
        return self.table["role"].to_numpy()

    def full(self, free_values):
        """[N, F] free values (numpy or torch) -> [N, P] full vectors, fixed ones at default.

        Differentiable for torch input (no in-place writes into the input)."""
        F = int(self.free.sum())
        if isinstance(free_values, torch.Tensor):
            x = free_values
            if x.shape[-1] != F:
                raise NeurogenError(f"expected {F} free parameters ({self.model} model), got {x.shape[-1]}")
            lead = x.shape[:-1]
            base = torch.as_tensor(self.default, dtype=x.dtype, device=x.device).expand(*lead, len(self.names))
            idx = torch.as_tensor(np.flatnonzero(self.free), device=x.device)
            # scatter without touching x in place
            out = base.clone()
            out = (
                out.index_copy(-1, idx, x)
                if x.dim() == 1
                else out.reshape(-1, len(self.names)).index_copy(1, idx, x.reshape(-1, F)).reshape(*lead, -1)
            )
            return out
        x = np.asarray(free_values, dtype=float)
        if x.shape[-1] != F:
            raise NeurogenError(f"expected {F} free parameters ({self.model} model), got {x.shape[-1]}")
        out = np.broadcast_to(self.default, x.shape[:-1] + (len(self.names),)).copy()
        out[..., self.free] = x
        return out

    def free_of(self, p_full):
        """[N, P] -> [N, F]."""
        return p_full[..., np.flatnonzero(self.free)]

    def with_values(self, **values) -> np.ndarray:
        """The default vector with some entries replaced (by name)."""
        p = self.default.copy()
        ix = self.index
        for k, v in values.items():
            if k not in ix:
                raise NeurogenError(f"unknown HH parameter {k!r}")
            p[ix[k]] = v
        return p


def load_space(model: str = "large", table=None) -> ParamSpace:
    """Read the parameter table (resources/hh/params.csv) for the 'small' or 'large' model."""
    if model not in MODELS:
        raise NeurogenError(f"hh model must be one of {MODELS}, got {model!r}")
    path = Path(table) if table is not None else DEFAULT_TABLE
    if not path.exists():
        raise NeurogenError(f"HH parameter table not found: {path}")
    try:
        df = pd.read_csv(path)
    except Exception as e:  # noqa: BLE001
        raise NeurogenError(f"cannot read HH parameter table {path}: {e}") from e
    need = ["name", "default", "role", f"free_{model}", f"lo_{model}", f"hi_{model}"]
    miss = [c for c in need if c not in df.columns]
    if miss:
        raise NeurogenError(f"HH parameter table {path} lacks column(s) {miss}")
    names = df["name"].tolist()
    if len(set(names)) != len(names):
        raise NeurogenError(f"HH parameter table {path} has duplicate names")
    required = set(Model.required_parameters())
    absent = sorted(required - set(names))
    if absent:
        raise NeurogenError(f"HH parameter table {path} lacks parameter(s) the model uses: {absent}")
    vals = df[["default", f"lo_{model}", f"hi_{model}"]].to_numpy(float)
    if not np.isfinite(vals).all():
        bad = df.loc[~np.isfinite(vals).all(1), "name"].tolist()
        raise NeurogenError(f"HH parameter table {path}: non-finite default/range for {bad}")
    if (vals[:, 1] > vals[:, 2]).any():
        bad = df.loc[vals[:, 1] > vals[:, 2], "name"].tolist()
        raise NeurogenError(f"HH parameter table {path}: lo > hi for {bad}")
    free = df[f"free_{model}"].astype(bool).to_numpy()
    return ParamSpace(model, names, vals[:, 0].copy(), vals[:, 1].copy(), vals[:, 2].copy(), free, df)


# --------------------------------------------------------------------------- protocols
@dataclass(frozen=True)
class Protocol:
    """EP-GAN's protocols (times in s, as the paper states them)."""

    amplitudes_pA: tuple = tuple(float(a) for a in range(-15, 40, 5))
    t_total_s: float = 15.0
    step_s: tuple = (5.0, 10.0)
    window_s: tuple = (4.0, 11.0)
    n_points: int = 350
    vclamp_mV: tuple = tuple(float(v) for v in range(-120, 60, 10))
    v_bounds_mV: tuple = (-100.0, 150.0)  # step-3 constraint

    @property
    def time_s(self) -> np.ndarray:
        """The recorded sample times: n_points on a regular grid from window start (20 ms apart)."""
        a, b = self.window_s
        return a + (b - a) * np.arange(self.n_points) / self.n_points

    @property
    def record_ms(self) -> np.ndarray:
        return self.time_s * 1e3

    def stimuli(self, amplitudes=None) -> np.ndarray:
        """[S, n_points] stimulus (pA) at the recorded times."""
        amps = np.asarray(self.amplitudes_pA if amplitudes is None else amplitudes, float)
        t = self.time_s
        on = (t >= self.step_s[0]) & (t < self.step_s[1])
        return amps[:, None] * on[None, :]

    def check(self):
        a, b = self.window_s
        if not (0 <= a < b <= self.t_total_s):
            raise NeurogenError(f"protocol window {self.window_s} s outside the simulated 0..{self.t_total_s} s")
        if not (0 <= self.step_s[0] < self.step_s[1] <= self.t_total_s):
            raise NeurogenError(f"protocol step {self.step_s} s outside the simulated 0..{self.t_total_s} s")
        if self.n_points < 2:
            raise NeurogenError("protocol n_points must be >= 2")


PROTOCOL = Protocol()
#: the step of EP-GAN's current clamp (ms): config.yaml's hh.dt_ms (docs/results.md: hh, RMSE vs a
#: 10x finer step); tests/test_config_defaults.py keeps the two equal
DT_MS = 0.5

#: amplitudes the channel models were characterised for; beyond this, responses leave the
#: voltage range the .mod kinetics were fitted on
AMPLITUDE_RANGE_PA = (-200.0, 200.0)
VCLAMP_RANGE_MV = (-150.0, 100.0)


# --------------------------------------------------------------------------- the model
def _compile(expr: str, what: str):
    try:
        return compile(expr, f"<hh:{what}>", "eval")
    except SyntaxError as e:  # pragma: no cover - definitions are static
        raise NeurogenError(f"bad HH expression for {what}: {expr}") from e


_SUB = [(n, _compile(e, n)) for n, e in SUBEXPRESSIONS]
_INF = [_compile(g.inf, g.name + "_inf") for g in GATES]
_TAU = [_compile(g.tau, g.name + "_tau") for g in GATES]
_G = [_compile(c.g, c.name + "_g") for c in CURRENTS]
_GATING = [_compile(c.gating, c.name + "_gating") for c in CURRENTS]


def _names_in(code) -> set:
    return set(code.co_names)


_SUB_NAMES = [n for n, _ in SUBEXPRESSIONS]
_SUB_DEPS = {n: _names_in(c) for n, c in _SUB}


def _dynamic_set(extra=()):
    """V- or state-dependent subexpressions (the rest depend on parameters only)."""
    dyn = set()
    base = {"V"} | set(GATE_NAMES) | set(extra)
    for n in _SUB_NAMES:
        if _SUB_DEPS[n] & (base | dyn):
            dyn.add(n)
    return dyn


_DYNAMIC = _dynamic_set()  # constant E_Ca: the calcium names are parameters
_DYNAMIC_POOL = _dynamic_set(CALCIUM_NAMES)  # calcium pool: they change every step
#: the calcium pool (channels.py): update, cai and E_Ca (each blended by the Ca_pool switch)
_CA_UPDATE = _compile(CA_POOL_UPDATE, "Ca_pool_update")
_CA_I = _compile(CA_BLEND.format(const="Ca_bkg_uM", pool="1e3*Ca_pool_mM"), "Ca_i_uM")
_CA_E = _compile(CA_BLEND.format(const="VCa", pool=CA_NERNST), "ECa")
_CA_E0 = _compile(CA_BLEND.format(const="VCa", pool=CA_NERNST.replace("Ca_i_uM", "Ca_bkg_uM")), "ECa0")


class _Plan:
    """What one simulation evaluates per step: the gates and subexpressions that active currents
    need (a current whose conductance is 0 for every neuron of the batch is skipped, and so are
    gates only it reads), with parameter-only subexpressions computed once."""

    def __init__(self, active_currents, pool: bool = False):
        cur = [i for i, c in enumerate(CURRENTS) if c.name in active_currents]
        dynamic = _DYNAMIC_POOL if pool else _DYNAMIC
        need = set()
        for i in cur:
            need |= _names_in(_G[i]) | _names_in(_GATING[i])
        gates = set()
        frontier = set(need)
        while frontier:
            nxt = set()
            for n in frontier:
                if n in GATE_NAMES and n not in gates:
                    gates.add(n)
                    j = GATE_NAMES.index(n)
                    nxt |= _names_in(_INF[j]) | _names_in(_TAU[j])
                elif n in _SUB_DEPS and n not in need:
                    need.add(n)
                    nxt |= _SUB_DEPS[n]
                elif n in _SUB_DEPS:
                    nxt |= _SUB_DEPS[n] - need
            need |= frontier
            frontier = nxt - need - gates if nxt else set()
            need |= nxt
        self.currents = cur
        self.gates = [j for j, g in enumerate(GATE_NAMES) if g in gates]
        self.static_subs = [(n, c) for n, c in _SUB if n in need and n not in dynamic]
        self.dynamic_subs = [(n, c) for n, c in _SUB if n in need and n in dynamic]
        #: calcium pool: the step reads cai / E_Ca after the gates in st and also returns the
        #: calcium currents' summed conductance
        self.pool = bool(pool)
        key = (tuple(cur), self.pool)
        if key not in _BUILT:  # one generated (and at most one compiled) step per current set
            _BUILT[key] = build(
                [(n, dict(SUBEXPRESSIONS)[n]) for n, _ in self.dynamic_subs],
                [(j, GATES[j].name, GATES[j].inf, GATES[j].tau) for j in self.gates],
                [(CURRENTS[i].g, CURRENTS[i].gating, CURRENTS[i].E) for i in cur],
                GATE_NAMES + list(CALCIUM_NAMES) if pool else GATE_NAMES,
                ("ECa",) if pool else (),
            )
        self.key = key
        self.static_fn, self.step_fn = _BUILT[key]

    def compiled_step(self):
        """The step through torch.compile (inductor: needs a C/C++ compiler on CPU, Triton on
        CUDA); compiled once per current set, recompiled by torch for new shapes."""
        if self.key not in _COMPILED:
            _COMPILED[self.key] = torch.compile(self.step_fn)
        return _COMPILED[self.key]


_BUILT = {}
_COMPILED = {}


class Model:
    """The one model definition: gates (exponential Euler) and currents, from channels.py."""

    gate_names = GATE_NAMES
    current_names = [c.name for c in CURRENTS]

    def __init__(self, space: ParamSpace | None = None):
        self.space = space if space is not None else load_space("large")
        self.names = self.space.names
        self._ix = self.space.index

    # -- bookkeeping
    @staticmethod
    def required_parameters() -> list:
        used = set()
        for c in [c for _, c in _SUB] + _INF + _TAU + _G + _GATING:
            used |= _names_in(c)
        used |= {c.E for c in CURRENTS} | {g.init for g in GATES} | {"C", "V0"}
        used |= set(CALCIUM_CONSTANT.values()) | set(CA_POOL_PARAMETERS)
        defined = {n for n, _ in SUBEXPRESSIONS} | set(GATE_NAMES) | set(_FUNCS) | {"V"} | set(CALCIUM_NAMES)
        return sorted(used - defined)

    def _as_tensor(self, p_full, like=None):
        if isinstance(p_full, torch.Tensor):
            p = p_full
        else:
            dtype = like.dtype if isinstance(like, torch.Tensor) and like.is_floating_point() else torch.float64
            dev = like.device if isinstance(like, torch.Tensor) else None
            p = torch.as_tensor(np.asarray(p_full, float), dtype=dtype, device=dev)
        if p.dim() == 1:
            p = p[None]
        if p.shape[-1] != len(self.names):
            raise NeurogenError(f"expected full parameter vectors of length {len(self.names)}, got {p.shape[-1]}")
        return p

    def params(self, p_full, extra_dims: int = 0) -> dict:
        """name -> [N, 1, ...] tensor (broadcasts against V of shape [N, ...])."""
        p = self._as_tensor(p_full)
        cols = p.transpose(0, 1).contiguous().unbind(0)
        shape = (p.shape[0],) + (1,) * extra_dims
        P = {n: c.reshape(shape) for n, c in zip(self.names, cols)}
        for k, v in CALCIUM_CONSTANT.items():  # constant E_Ca; a calcium pool overrides per step
            P[k] = P[v]
        return P

    # -- kinetics
    def _namespace(self, P, V, states=None):
        ns = dict(P)
        ns["V"] = V
        if states is not None:
            ns.update(zip(GATE_NAMES, states))
        for n, c in _SUB:
            ns[n] = eval(c, _FUNCS, ns)  # noqa: S307 - static, trusted definitions
        return ns

    def rates(self, P, V, states):
        """(inf, tau) lists of the gates at V with the given states (coupled gates read CaV m)."""
        ns = self._namespace(P, V, states)
        infs = [eval(c, _FUNCS, ns) for c in _INF]  # noqa: S307
        taus = [eval(c, _FUNCS, ns) for c in _TAU]  # noqa: S307
        return infs, taus

    def steady_gates(self, P, V):
        """Every gate at its steady state at V (coupled SLO gates with the CaV m at steady state)."""
        ns = self._namespace(P, V)
        out = []
        for g, c in zip(GATES, _INF):
            val = eval(c, _FUNCS, ns)  # noqa: S307
            ns[g.name] = val
            out.append(val)
        return out

    def _conductance_terms(self, P, V, states, currents=None):
        """(sum g_i, sum g_i E_i) over currents (nS, nS·mV) for the given gates."""
        ns = dict(P)
        ns["V"] = V
        ns.update(zip(GATE_NAMES, states))
        G = 0.0
        GE = 0.0
        for i in range(len(CURRENTS)) if currents is None else currents:
            ge = eval(_G[i], _FUNCS, ns) * eval(_GATING[i], _FUNCS, ns)  # noqa: S307
            G = G + ge
            GE = GE + ge * ns[CURRENTS[i].E]
        return G, GE

    @staticmethod
    def uses_pool(P) -> bool:
        """Whether any neuron of the batch has the calcium pool switched on (parameter Ca_pool, a
        switch: by value, also when the parameters carry gradients)."""
        return bool((P["Ca_pool"].detach() != 0).any())

    def plan(self, P, prune: bool = True, pool=None) -> _Plan:
        """Evaluation plan for a batch: skip currents whose conductance is 0 in every neuron;
        pool None: the calcium pool when any neuron has Ca_pool != 0."""
        pool = self.uses_pool(P) if pool is None else pool
        if not prune:
            return _Plan({c.name for c in CURRENTS}, pool)
        active = set()
        ns = dict(P)
        for c, gc in zip(CURRENTS, _G):
            g = eval(gc, _FUNCS, ns)  # noqa: S307
            if g.requires_grad or bool((g != 0).any()):
                active.add(c.name)
        return _Plan(active, pool)

    def static_namespace(self, P, plan: _Plan) -> dict:
        """Parameter-only values of the step (subexpressions and hoisted parts), once per run."""
        ns = dict(P)
        for n, c in plan.static_subs:
            ns[n] = eval(c, _FUNCS, ns)  # noqa: S307
        ns.update(plan.static_fn(ns))  # hoisted parameter-only parts of the step (codegen.py)
        return ns

    def advance(self, ns_static, plan: _Plan, V, st, dt):
        """One step: gates by exponential Euler at V (states list updated), returns (G, GE)
        (and, for a calcium-pool plan, whose st carries cai/E_Ca after the gates, G_Ca)."""
        return plan.step_fn(ns_static, V, st, dt)

    def advance_eval(self, ns_static, plan: _Plan, V, st, dt):
        """advance() by evaluating the expressions one by one (reference for the generated code)."""
        ns = dict(ns_static)
        ns["V"] = V
        ns.update(zip(GATE_NAMES + list(CALCIUM_NAMES), st))
        for n, c in plan.dynamic_subs:
            ns[n] = eval(c, _FUNCS, ns)  # noqa: S307
        new = list(st)
        for j in plan.gates:
            i = eval(_INF[j], _FUNCS, ns)  # noqa: S307
            t = eval(_TAU[j], _FUNCS, ns)  # noqa: S307
            new[j] = i + (st[j] - i) * torch.exp(-dt / t)
        ns.update(zip(GATE_NAMES, new))
        G = 0.0
        GE = 0.0
        G_Ca = 0.0
        for i in plan.currents:
            ge = eval(_G[i], _FUNCS, ns) * eval(_GATING[i], _FUNCS, ns)  # noqa: S307
            G = G + ge
            GE = GE + ge * ns[CURRENTS[i].E]
            if CURRENTS[i].E == "ECa":
                G_Ca = G_Ca + ge
        return (new, G, GE, G_Ca) if plan.pool else (new, G, GE)

    def currents(self, p_full, V, states=None) -> dict:
        """Each channel's current (pA) at V; states None = every gate at its steady state."""
        V = torch.as_tensor(V) if not isinstance(V, torch.Tensor) else V
        p = self._as_tensor(p_full, like=V)
        V = V.to(p.dtype).to(p.device)
        P = self.params(p, max(V.dim() - 1, 0))
        st = self.steady_gates(P, V) if states is None else list(states)
        ns = dict(P)
        ns["V"] = V
        ns.update(zip(GATE_NAMES, st))
        return {
            c.name: eval(gc, _FUNCS, ns) * eval(oc, _FUNCS, ns) * (V - ns[c.E])  # noqa: S307
            for c, gc, oc in zip(CURRENTS, _G, _GATING)
        }

    # -- contract API (state: tensor [..., G] with G = 25 gates in GATE_NAMES order; E_Ca and cai
    #    are the constants VCa / Ca_bkg_uM here: the calcium pool lives in simulate / voltage_clamp)
    def init_state(self, p_full, V0_mV=None):
        """Gates at their steady state at V0_mV ([N] or scalar; None: the V0 parameter)."""
        p = self._as_tensor(p_full, like=V0_mV)
        V0 = p[:, self._ix["V0"]] if V0_mV is None else torch.as_tensor(V0_mV, dtype=p.dtype, device=p.device)
        V0 = V0.expand(p.shape[0]) if V0.dim() == 0 else V0
        P = self.params(p, V0.dim() - 1)
        return torch.stack(self.steady_gates(P, V0), dim=-1)

    def state_from_params(self, p_full):
        """EP-GAN's initial conditions: the gates' *_0 parameters, [N, G]."""
        p = self._as_tensor(p_full)
        return torch.stack([p[:, self._ix[g.init]] for g in GATES], dim=-1)

    def step(self, p_full, V_mV, state, dt_ms):
        """Advance the gates one step with V held (exponential Euler); returns the new state."""
        p = self._as_tensor(p_full, like=V_mV)
        P = self.params(p, V_mV.dim() - 1)
        st = list(state.unbind(-1))
        infs, taus = self.rates(P, V_mV, st)
        new = [i + (s - i) * torch.exp(-dt_ms / t) for s, i, t in zip(st, infs, taus)]
        return torch.stack(new, dim=-1)

    def ionic_current(self, p_full, V_mV, state):
        """Total ionic current (pA, outward positive)."""
        p = self._as_tensor(p_full, like=V_mV)
        P = self.params(p, V_mV.dim() - 1)
        G, GE = self._conductance_terms(P, V_mV, list(state.unbind(-1)))
        return G * V_mV - GE

    def capacitance(self, p_full):
        p = self._as_tensor(p_full)
        return p[:, self._ix["C"]]


def steady_state_iv(p_full, v_mV=None, model: Model | None = None):
    """[N, K] pA: the algebraic steady-state current, every gate at its steady state."""
    model = model or _default_model()
    check_physical(p_full, model)
    if v_mV is None:
        v_mV = PROTOCOL.vclamp_mV
    p = model._as_tensor(p_full)
    v = (
        torch.as_tensor(v_mV, dtype=p.dtype, device=p.device)
        if not isinstance(v_mV, torch.Tensor)
        else v_mV.to(device=p.device, dtype=p.dtype)
    )
    V = v.reshape(1, -1).expand(p.shape[0], -1)
    P = model.params(p, 1)
    if model.uses_pool(P):
        P = dict(P, **_steady_calcium(model, P, V))
    st = model.steady_gates(P, V)
    G, GE = model._conductance_terms(P, V, st)
    return G * V - GE


def _steady_calcium(model, P, V, iterations=80):
    """Calcium names at the pool's steady state at clamped V (neurons with Ca_pool = 1): the pool
    settles where cadiff's update is zero (or at its floor), ca = max(floor, c G_Ca (E_Ca(ca) - V)),
    whose right side falls as ca rises; solved by bisection on log(ca). Gradients do not flow
    through the bisection (the final evaluation is differentiable in the other parameters)."""
    ca_idx = [i for i, c in enumerate(CURRENTS) if c.E == "ECa"]
    with torch.no_grad():
        st = model.steady_gates(P, V)
        G_Ca, _ = model._conductance_terms(P, V, st, currents=ca_idx)
        G_Ca = torch.as_tensor(G_Ca, dtype=V.dtype, device=V.device)
        ns = dict(P)
        c = 0.1 / P["Ca_area_um2"] / (2 * P["Ca_F"] * P["Ca_d"]) / (1e-4 * P["Ca_Beta"])
        floor = P["Ca_floor_mM"].expand_as(V)

        def nernst(ca):
            ns["Ca_i_uM"] = 1e3 * ca
            return eval(_compile(CA_NERNST, "nernst"), _FUNCS, ns)  # noqa: S307

        hi = torch.maximum(floor, c * G_Ca * (nernst(floor) - V))
        lo = floor
        for _ in range(iterations):
            mid = torch.sqrt(lo * hi)
            up = mid - torch.maximum(floor, c * G_Ca * (nernst(mid) - V)) < 0
            lo, hi = torch.where(up, mid, lo), torch.where(up, hi, mid)
        ca = torch.sqrt(lo * hi)
    ns["Ca_pool_mM"] = ca
    cai = eval(_CA_I, _FUNCS, ns)  # noqa: S307
    ns["Ca_i_uM"] = cai
    E = eval(_CA_E, _FUNCS, ns)  # noqa: S307
    return {"Ca_i_uM": cai, "ECa": E, "ECa_nano": E}


_MODEL_CACHE = {}


def _default_model() -> Model:
    if "m" not in _MODEL_CACHE:
        _MODEL_CACHE["m"] = Model(load_space("large"))
    return _MODEL_CACHE["m"]


# --------------------------------------------------------------------------- simulator
def _check_amplitudes(amps):
    a = np.asarray(amps, float)
    lo, hi = AMPLITUDE_RANGE_PA
    if a.ndim != 1 or len(a) == 0 or not np.isfinite(a).all():
        raise NeurogenError(f"current-clamp amplitudes must be a non-empty 1-D list of numbers, got {amps!r}")
    if (a < lo).any() or (a > hi).any():
        raise NeurogenError(
            f"current-clamp amplitude(s) {a[(a < lo) | (a > hi)].tolist()} pA outside the "
            f"model's range {AMPLITUDE_RANGE_PA} pA"
        )
    return a


def _record_steps(record_ms, dt_ms, t_total_ms):
    r = np.asarray(record_ms, float)
    if (r < 0).any() or (r > t_total_ms + 1e-9).any():
        raise NeurogenError(f"recording times outside the simulated 0..{t_total_ms} ms")
    k = np.round(r / dt_ms)
    if np.abs(k * dt_ms - r).max() > 1e-6 * max(1.0, dt_ms):
        raise NeurogenError(f"dt_ms={dt_ms} does not divide the recording grid (e.g. {r[1] - r[0]} ms)")
    return k.astype(np.int64)


def _placed(model, p_full, device=None, dtype=None):
    """Parameters as a [N, P] tensor on ``device`` with ``dtype`` (each when given)."""
    p = model._as_tensor(p_full)
    if device is not None:
        p = p.to(device)
    if dtype is not None:
        p = p.to(dtype)
    return p


class _CalciumPool:
    """The cadiff calcium pool during one run (channels.py, 'calcium handling'): the pool state,
    cai and E_Ca per row, advanced once per step in NEURON's order."""

    def __init__(self, P, shape, dt):
        self.ns = dict(P)
        self.ns["dt"] = float(dt)
        ref = P["Ca_pool"]
        self.ca = P["dCa2_0"].expand(shape)  # cadiff's INITIAL ca (mM)
        self.cai = P["Ca_bkg_uM"].expand(shape)  # NEURON's cai0 until the pool first writes
        self.E = eval(_CA_E0, _FUNCS, self.ns).expand(shape)  # noqa: S307
        self.E_nano = self.E
        self.I_Ca = None
        self.floor = P["Ca_floor_mM"]
        self.dtype, self.device = ref.dtype, ref.device

    def inputs(self):
        """The step's calcium inputs in CALCIUM_NAMES order: cai, E_Ca of the previous step (the
        nanodomain during the gate update) and E_Ca of this step (the calcium currents)."""
        if self.I_Ca is not None:  # not before the first step: nothing has flowed yet
            ns = self.ns
            ns["Ca_pool_mM"] = self.ca
            ns["I_Ca"] = self.I_Ca
            self.ca = torch.maximum(eval(_CA_UPDATE, _FUNCS, ns), self.floor)  # noqa: S307
            ns["Ca_pool_mM"] = self.ca
            self.cai = eval(_CA_I, _FUNCS, ns)  # noqa: S307
            ns["Ca_i_uM"] = self.cai
            self.E_nano, self.E = self.E, eval(_CA_E, _FUNCS, ns)  # noqa: S307
        vals = {"Ca_i_uM": self.cai, "ECa_nano": self.E_nano, "ECa": self.E}
        return [vals[n] for n in CALCIUM_NAMES]

    def after(self, G_Ca, V):
        """The step's calcium current (pA) at its start-of-step V and E_Ca."""
        self.I_Ca = G_Ca * (V - self.E)


def simulate(
    p_full,
    amplitudes_pA,
    *,
    t_total_ms,
    step_ms,
    record_ms,
    dt_ms=0.1,
    init="params",
    V_init_mV=None,
    v_update="expeuler",
    model: Model | None = None,
    device=None,
    dtype=None,
    progress=None,
    prune=True,
    compile=False,
    return_cai=False,
):
    """Current clamp of N neurons x S amplitudes; returns V (mV) [N, S, len(record_ms)]
    (return_cai: also cai (mM) at the same times, (V, cai)).

    compile: run the generated step through torch.compile (fused kernels, ~1.7x faster per step
    on CPU at 10,000 neurons, docs/results.md: hh speed; the first call per batch shape pays the
    compilation, ~10-60 s). Ignored when the parameters require gradients.

    init: 'params' (EP-GAN: V0 and the *_0 gate parameters at t = 0), 'rest' (gates at their
    steady state at V_init_mV, default the V0 parameter) or the gates themselves ([N, 25] or
    [25], GATE_NAMES order, e.g. NEURON's initial states).
    Calcium: E_Ca is the parameter VCa, or, for neurons with Ca_pool = 1, the Nernst potential of
    a cadiff pool advanced every step (channels.py, 'calcium handling').
    v_update: 'expeuler' (V advanced exactly for the step's frozen conductances) or 'implicit'
    (backward Euler, as NEURON). Gates: exponential Euler with V from the start of the step.
    Non-finite values are returned as NaN/inf (callers reject and count them).
    progress: None (auto: a tqdm bar over the time steps in a notebook or terminal, none in
    workflow jobs), True/False, or a callback ``progress(step, n_steps)`` called every tenth.
    """
    model = model or _default_model()
    check_physical(p_full, model)
    amps = _check_amplitudes(amplitudes_pA)
    if not (dt_ms > 0 and math.isfinite(dt_ms)):
        raise NeurogenError(f"dt_ms must be positive, got {dt_ms}")
    p = _placed(model, p_full, device, dtype)
    N, S = p.shape[0], len(amps)
    n_steps = int(round(t_total_ms / dt_ms))
    rec = _record_steps(record_ms, dt_ms, t_total_ms)
    on0, on1 = int(round(step_ms[0] / dt_ms)), int(round(step_ms[1] / dt_ms))
    # layout [S, N]: parameters ([N]) broadcast along the outer dimension, so every elementwise
    # kernel runs contiguous over neurons (~1.3-2x faster on CPU than [N, S] with [N, 1] params)
    P = model.params(p, 0)
    C = P["C"]
    if V_init_mV is None:
        V = P["V0"].expand(S, N)
    else:
        V = torch.as_tensor(V_init_mV, dtype=p.dtype, device=p.device).reshape(1, -1).expand(S, N)
    st = _initial_gates(model, P, V, init, (S, N), p)
    if v_update not in ("expeuler", "implicit"):
        raise NeurogenError(f"v_update must be 'expeuler' or 'implicit', got {v_update!r}")
    amp = torch.as_tensor(amps, dtype=p.dtype, device=p.device).reshape(S, 1)
    zero = torch.zeros_like(amp)
    out = torch.empty((len(rec), S, N), dtype=p.dtype, device=p.device) if not p.requires_grad else None
    outs = []
    cai_out = torch.empty((len(rec), S, N), dtype=p.dtype, device=p.device) if return_cai else None
    # recording: k -> list of positions; index 0 means the initial state
    want = {}
    for j, k in enumerate(rec):
        want.setdefault(int(k), []).append(j)

    def _record(k, V):
        for j in want.get(k, ()):
            if cai_out is not None:
                cai_out[j] = (pool.cai if pool is not None else P["Ca_bkg_uM"].expand(S, N)).detach() * 1e-3
            if out is not None:
                out[j] = V
            else:
                outs.append((j, V))

    dt = float(dt_ms)
    plan = model.plan(P, prune=prune)
    pool = _CalciumPool(P, (S, N), dt) if plan.pool else None
    _record(0, V)
    last = int(rec.max()) if len(rec) else 0
    # progress: a callback (n, n_steps) every tenth of the run, or a tqdm bar (None: auto, on in a
    # notebook/terminal, off in workflow jobs) advanced every few hundred steps
    if callable(progress):
        cb, pbar, report_every = progress, None, max(1, n_steps // 10)
    else:
        pbar = _progress.bar(progress, min(n_steps, last), f"simulate {N} neuron(s) x {S} stimuli", unit="step")
        cb, report_every = (pbar.update if pbar is not None else None), max(1, min(500, n_steps // 100))
    ns0 = model.static_namespace(P, plan)
    if isinstance(C, torch.Tensor) and not plan.currents:
        raise NeurogenError("every conductance is 0: nothing to simulate")
    step = plan.compiled_step() if compile and not p.requires_grad else plan.step_fn
    for n in range(min(n_steps, last)):
        I = amp if on0 <= n < on1 else zero
        if pool is None:
            st, G, GE = step(ns0, V, st, dt)
        else:
            st, G, GE, G_Ca = step(ns0, V, st[: len(GATES)] + pool.inputs(), dt)
            pool.after(G_Ca, V)
        if v_update == "expeuler":
            Gs = G + 1e-9
            Vinf = (I + GE) / Gs
            V = Vinf + (V - Vinf) * torch.exp(-dt * Gs / C)
        else:
            V = (C / dt * V + I + GE) / (C / dt + G)
        _record(n + 1, V)
        if cb is not None and (n + 1) % report_every == 0:
            cb(n + 1, n_steps) if pbar is None else cb(report_every)
    if pbar is not None:
        pbar.close()
    if out is None:
        outs.sort(key=lambda x: x[0])
        out = torch.stack([v for _, v in outs], dim=0)
    out = out.permute(2, 1, 0).contiguous()  # [T, S, N] -> [N, S, T]
    return (out, cai_out.permute(2, 1, 0).contiguous()) if return_cai else out


def _initial_gates(model, P, V, init, shape, p):
    """The 25 gate states at t = 0 as a list of [shape] tensors (see simulate's init)."""
    if isinstance(init, str):
        if init == "params":
            return [P[g.init].expand(*shape) for g in GATES]
        if init == "rest":
            return [s.expand(*shape) for s in model.steady_gates(P, V)]
        raise NeurogenError(f"init must be 'params', 'rest' or an array of gate states, got {init!r}")
    x = torch.as_tensor(
        np.asarray(init, float) if not isinstance(init, torch.Tensor) else init, dtype=p.dtype, device=p.device
    )
    if x.dim() == 1:
        x = x[None].expand(p.shape[0], -1)
    if x.shape != (p.shape[0], len(GATES)):
        raise NeurogenError(
            f"initial gate states must have shape [N, {len(GATES)}] or [{len(GATES)}] "
            f"(GATE_NAMES order), got {tuple(x.shape)}"
        )
    return [c.expand(*shape) for c in x.unbind(-1)]


def simulate_cclamp(
    p_full,
    amplitudes_pA=None,
    dt_ms: float = DT_MS,
    device=None,
    protocol: Protocol = PROTOCOL,
    init: str = "params",
    dtype=None,
    v_update: str = "expeuler",
    model: Model | None = None,
    progress=None,
    on_nonfinite: str = "keep",
    compile: bool = False,
):
    """EP-GAN's current clamp: [N, S, 350] mV at protocol.time_s (window 4..11 s, 20 ms apart).

    on_nonfinite: 'keep' (blown-up simulations come back as NaN/inf; the data pipeline rejects
    and counts them) or 'raise' (NeurogenError naming the parameter sets)."""
    protocol.check()
    amps = protocol.amplitudes_pA if amplitudes_pA is None else amplitudes_pA
    if isinstance(amps, torch.Tensor):
        amps = amps.detach().cpu().numpy()
    out = simulate(
        p_full,
        amps,
        t_total_ms=protocol.t_total_s * 1e3,
        step_ms=(protocol.step_s[0] * 1e3, protocol.step_s[1] * 1e3),
        record_ms=protocol.record_ms,
        dt_ms=dt_ms,
        init=init,
        v_update=v_update,
        model=model,
        device=device,
        dtype=dtype,
        progress=progress,
        compile=compile,
    )
    if on_nonfinite == "raise":
        bad = torch.nonzero(~torch.isfinite(out).all(dim=-1).all(dim=-1)).flatten().tolist()
        if bad:
            raise NeurogenError(
                f"the simulation blew up (non-finite membrane potential) for parameter set(s) "
                f"{bad[:20]}{' ...' if len(bad) > 20 else ''} of {out.shape[0]}"
            )
    elif on_nonfinite != "keep":
        raise NeurogenError(f"on_nonfinite must be 'keep' or 'raise', got {on_nonfinite!r}")
    return out


def simulate_vclamp(
    p_full,
    levels_mV=None,
    *,
    hold_mV=-60.0,
    t_hold_ms=1100.0,
    t_step_ms=500.0,
    avg_ms=(450.0, 499.0),
    dt_ms=0.0125,
    V_init_mV=-65.0,
    model: Model | None = None,
    device=None,
    dtype=None,
    progress=None,
):
    """Ideal voltage clamp (NEURON scripts' protocol): gates at rest at V_init_mV, hold, step;
    returns [N, K] pA: mean ionic current over avg_ms after the step onset."""
    model = model or _default_model()
    r = voltage_clamp(
        p_full,
        levels_mV,
        hold_mV=hold_mV,
        t_on_ms=t_hold_ms,
        t_step_ms=t_step_ms,
        t_stop_ms=t_hold_ms + avg_ms[1],
        ss_ms=(t_hold_ms + avg_ms[0], t_hold_ms + avg_ms[1]),
        dt_ms=dt_ms,
        V_init_mV=V_init_mV,
        model=model,
        device=device,
        dtype=dtype,
        progress=progress,
    )
    return r["I_ss"]


def voltage_clamp(
    p_full,
    levels_mV=None,
    *,
    hold_mV=-60.0,
    t_on_ms=1100.0,
    t_step_ms=500.0,
    t_stop_ms=None,
    clamp_off_ms=None,
    dt_ms=0.0125,
    V_init_mV=-65.0,
    init="rest",
    record_ms=None,
    ss_ms=None,
    peak_ms=None,
    n_peak_min=None,
    model: Model | None = None,
    device=None,
    dtype=None,
    progress=None,
):
    """Ideal voltage clamp as the NEURON scripts run it: hold, step to each level, back to hold.

    The clamp holds V at hold_mV for t < t_on_ms, at the level for t_on_ms <= t < t_on_ms +
    t_step_ms, then at hold_mV again; from clamp_off_ms on (None: never) V is free (no current
    injected). Gates start as simulate's init ('rest' at V_init_mV, or given states); calcium as
    simulate (pool for neurons with Ca_pool = 1). The current recorded at t is the total ionic
    current (pA, outward positive, capacitive and electrode currents excluded) of the step that ends
    at t, as NEURON records it.

    Returns a dict of [N, K] tensors: I_ss (mean over ss_ms = [a, b) absolute, default the last 50
    ms of the step) and I_peak (over peak_ms, default the first 100 ms of the step: the minimum for
    the first n_peak_min levels, the maximum for the rest, as the scripts; n_peak_min None: the
    extremum of larger magnitude); with record_ms also I, V and cai ([N, K, T]; cai in mM).
    progress: None (auto: a tqdm bar over the time steps in a notebook or terminal, none in
    workflow jobs) or True/False.
    """
    model = model or _default_model()
    check_physical(p_full, model)
    levels = np.asarray(PROTOCOL.vclamp_mV if levels_mV is None else levels_mV, float)
    lo, hi = VCLAMP_RANGE_MV
    if levels.ndim != 1 or len(levels) == 0 or not np.isfinite(levels).all():
        raise NeurogenError(f"voltage-clamp levels must be a non-empty 1-D list of numbers, got {levels_mV!r}")
    if ((levels < lo) | (levels > hi)).any():
        raise NeurogenError(f"voltage-clamp level(s) outside the model's range {VCLAMP_RANGE_MV} mV")
    if not (dt_ms > 0 and math.isfinite(dt_ms)):
        raise NeurogenError(f"dt_ms must be positive, got {dt_ms}")
    t_stop_ms = t_on_ms + t_step_ms if t_stop_ms is None else float(t_stop_ms)
    ss_ms = (t_on_ms + t_step_ms - 50.0, t_on_ms + t_step_ms) if ss_ms is None else ss_ms
    peak_ms = (t_on_ms, t_on_ms + 100.0) if peak_ms is None else peak_ms
    for what, (a, b) in (("ss_ms", ss_ms), ("peak_ms", peak_ms)):
        if not (0 <= a < b <= t_stop_ms + 1e-9):
            raise NeurogenError(f"voltage clamp {what}={(a, b)} must satisfy 0 <= a < b <= t_stop_ms={t_stop_ms}")
    p = _placed(model, p_full, device, dtype)
    N, K = p.shape[0], len(levels)
    P = model.params(p, 0)  # layout [K, N], as simulate()
    V = torch.full((K, N), float(V_init_mV), dtype=p.dtype, device=p.device)
    st = _initial_gates(model, P, V, init, (K, N), p)
    Vh = torch.full_like(V, float(hold_mV))
    Vs = torch.as_tensor(levels, dtype=p.dtype, device=p.device).reshape(K, 1).expand(K, N)
    C = P["C"]
    n_stop = int(round(t_stop_ms / dt_ms))
    n_on, n_off = int(round(t_on_ms / dt_ms)), int(round((t_on_ms + t_step_ms) / dt_ms))
    n_free = n_stop + 1 if clamp_off_ms is None else int(round(clamp_off_ms / dt_ms))
    # sample k (time k dt) holds the current of step k - 1; windows [a, b) in samples
    s0, s1 = math.ceil(ss_ms[0] / dt_ms - 1e-9), math.ceil(ss_ms[1] / dt_ms - 1e-9)
    q0, q1 = math.ceil(peak_ms[0] / dt_ms - 1e-9), math.ceil(peak_ms[1] / dt_ms - 1e-9)
    rec = _record_steps(record_ms, dt_ms, t_stop_ms) if record_ms is not None else np.zeros(0, np.int64)
    want = {}
    for j, k in enumerate(rec):
        want.setdefault(int(k), []).append(j)
    Iout = [None] * len(rec)
    Vout = [None] * len(rec)
    Cout = [None] * len(rec)
    acc = torch.zeros_like(V)
    pmin = torch.full_like(V, math.inf)
    pmax = torch.full_like(V, -math.inf)
    plan = model.plan(P)
    ns0 = model.static_namespace(P, plan)
    pool = _CalciumPool(P, (K, N), dt_ms) if plan.pool else None
    bkg = P["Ca_bkg_uM"].expand(K, N)
    n_loop = max(n_stop, s1, q1)
    pbar = _progress.bar(progress, n_loop, f"voltage clamp {N} neuron(s) x {K} levels", unit="step")
    bar_every = max(1, min(500, n_loop // 100))
    for n in range(n_loop):
        if pbar is not None and (n + 1) % bar_every == 0:
            pbar.update(bar_every)
        if n < n_free:
            V = Vs if n_on <= n < n_off else Vh
        if pool is None:
            st, G, GE = model.advance(ns0, plan, V, st, dt_ms)
        else:
            st, G, GE, G_Ca = model.advance(ns0, plan, V, st[: len(GATES)] + pool.inputs(), dt_ms)
            pool.after(G_Ca, V)
        I = G * V - GE
        k = n + 1
        if s0 <= k < s1:
            acc = acc + I
        if q0 <= k < q1:
            pmin = torch.minimum(pmin, I)
            pmax = torch.maximum(pmax, I)
        for kk in (0, 1) if n == 0 else (k,):
            for j in want.get(kk, ()):
                Iout[j], Vout[j] = I, V
                Cout[j] = (pool.cai if pool is not None else bkg) * 1e-3
        if n >= n_free:
            V = (C / dt_ms * V + GE) / (C / dt_ms + G)
    if pbar is not None:
        pbar.close()
    if s1 <= s0 or q1 <= q0:
        raise NeurogenError(f"voltage clamp windows ss_ms={ss_ms}, peak_ms={peak_ms} hold no sample at dt {dt_ms} ms")
    if n_peak_min is None:
        peak = torch.where(pmax.abs() > pmin.abs(), pmax, pmin)
    else:
        first = (torch.arange(K, device=p.device) < int(n_peak_min)).reshape(K, 1)
        peak = torch.where(first, pmin, pmax)
    out = dict(I_ss=(acc / (s1 - s0)).transpose(0, 1).contiguous(), I_peak=peak.transpose(0, 1).contiguous())
    if record_ms is not None:
        for name, lst in (("I", Iout), ("V", Vout), ("cai", Cout)):
            out[name] = torch.stack([x.expand(K, N) for x in lst], 0).permute(2, 1, 0).contiguous()
    return out
