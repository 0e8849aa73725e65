"""Calcium pool (cadiff) with a Nernst E_Ca, the generalised voltage clamp, published-neuron
presets and the NEURON reference loader / command (VB6, RIM, AIY)."""

from __future__ import annotations

import json
import math
import shutil

import numpy as np
import pandas as pd
import pytest
import torch
from conftest import shared_file

from neurogen import NeurogenError
from neurogen.hh import Model, load_neuron, load_space, simulate, steady_state_iv, voltage_clamp
from neurogen.hh.channels import CALCIUM_NAMES, GATE_NAMES
from neurogen.hh.model import _CalciumPool, _steady_calcium

torch.set_num_threads(1)
R, F = 8.314462618, 96485.33212


@pytest.fixture(scope="module")
def space():
    return load_space("large")


@pytest.fixture(scope="module")
def model(space):
    return Model(space)


def _nernst(cai_mM, cao_mM=2.0, celsius=6.3):
    return 1e3 * R * (273.15 + celsius) / (2 * F) * math.log(cao_mM / cai_mM)


def test_pool_update_and_nernst_hand_values(model, space):
    """E_Ca at t = 0 from cai0 = 5e-5 mM; one cadiff update by hand (its floor included)."""
    p = load_neuron("VB6").params(space)[None]
    P = model.params(torch.as_tensor(p), 0)
    pool = _CalciumPool(P, (2, 1), 0.025)
    first = dict(zip(CALCIUM_NAMES, pool.inputs()))
    assert float(first["ECa"][0, 0]) == pytest.approx(_nernst(5e-5), abs=1e-9)
    assert float(first["Ca_i_uM"][0, 0]) == pytest.approx(0.05)
    # an inward calcium current of 40 pA (row 0) and none (row 1, stays at the floor)
    pool.I_Ca = torch.tensor([[-40.0], [0.0]], dtype=torch.float64)
    nxt = dict(zip(CALCIUM_NAMES, pool.inputs()))
    ica = -40.0 * 1e-9 / (524.64 * 1e-8)  # mA/cm2
    ca = 1e-4 + 1e4 * 0.025 * (-ica / (2 * 96485.0 * 0.1) - 1e-4 * 1.0 * 1e-4)
    assert ca > 1e-4
    assert float(nxt["Ca_i_uM"][0, 0]) == pytest.approx(1e3 * ca, rel=1e-12)
    assert float(nxt["Ca_i_uM"][1, 0]) == pytest.approx(1e3 * 1e-4, rel=1e-12)
    assert float(nxt["ECa"][0, 0]) == pytest.approx(_nernst(ca), abs=1e-9)
    # the nanodomain keeps the previous step's E_Ca during the gate update
    assert float(nxt["ECa_nano"][0, 0]) == pytest.approx(_nernst(5e-5), abs=1e-9)


def test_pool_step_matches_literal_evaluation(model, space):
    """The generated step with the pool (calcium names read per step) equals the expressions."""
    p = torch.as_tensor(load_neuron("VB6").params(space, n=3))
    P = model.params(p, 0)
    plan = model.plan(P)
    assert plan.pool
    ns = model.static_namespace(P, plan)
    g = torch.Generator().manual_seed(3)
    V = -80 + 120 * torch.rand(3, generator=g, dtype=torch.float64)
    st = [torch.rand(3, generator=g, dtype=torch.float64) for _ in GATE_NAMES]
    calcium = {
        "Ca_i_uM": torch.tensor([0.1, 0.3, 0.9], dtype=torch.float64),
        "ECa_nano": torch.tensor([119.0, 110.0, 100.0], dtype=torch.float64),
        "ECa": torch.tensor([118.0, 109.0, 99.0], dtype=torch.float64),
    }
    st = st + [calcium[n] for n in CALCIUM_NAMES]
    a = model.advance(ns, plan, V, st, 0.1)
    b = model.advance_eval(ns, plan, V, st, 0.1)
    assert len(a) == len(b) == 4
    for x, y in zip(a[0], b[0]):
        torch.testing.assert_close(x, y, rtol=1e-10, atol=1e-13)
    for x, y in zip(a[1:], b[1:]):
        torch.testing.assert_close(torch.as_tensor(x), torch.as_tensor(y), rtol=1e-10, atol=1e-12)


def test_constant_path_has_no_pool(model, space):
    """Ca_pool = 0 everywhere: the step reads no calcium inputs (the speed path is unchanged)."""
    P = model.params(torch.as_tensor(space.default[None]), 0)
    plan = model.plan(P)
    assert not plan.pool
    assert f"st[{len(GATE_NAMES)}]" not in plan.step_fn.source
    assert not set(plan.step_fn.inputs) & set(CALCIUM_NAMES)  # folded into hoisted constants


def test_mixed_batch_equals_separate_runs(space):
    """A batch with and without the pool gives each neuron its own run's trace."""
    vb6 = load_neuron("VB6")
    p_pool = vb6.params(space)
    p_const = p_pool.copy()
    p_const[space.index["Ca_pool"]] = 0.0
    kw = dict(
        t_total_ms=300.0,
        step_ms=(50.0, 250.0),
        record_ms=np.arange(0, 301, 10.0),
        dt_ms=0.25,
        init="rest",
        V_init_mV=-65.0,
        v_update="implicit",
        dtype=torch.float64,
    )
    both, cai = simulate(np.stack([p_pool, p_const]), [0.0, 30.0], return_cai=True, **kw)
    alone_pool = simulate(p_pool[None], [0.0, 30.0], **kw)
    alone_const = simulate(p_const[None], [0.0, 30.0], **kw)
    torch.testing.assert_close(both[0], alone_pool[0], rtol=0, atol=1e-9)
    torch.testing.assert_close(both[1], alone_const[0], rtol=0, atol=1e-9)
    assert (both[0] - both[1]).abs().max() > 1.0  # the pool matters at +30 pA
    assert float(cai[0, 1].max()) > 1e-4 and float(cai[1].max()) == pytest.approx(5e-5)


def test_steady_calcium_is_the_pool_fixed_point(model, space):
    """The algebraic steady state puts cai where cadiff's update is zero (or at its floor)."""
    p = torch.as_tensor(load_neuron("VB6").params(space)[None])
    v = torch.tensor([[-80.0, -20.0, 0.0, 40.0]], dtype=torch.float64)
    P = model.params(p, 1)
    ca = _steady_calcium(model, P, v)
    cai_mM = ca["Ca_i_uM"] * 1e-3
    st = model.steady_gates(P, v)
    idx = [i for i, n in enumerate(model.current_names) if n in ("EGL19", "UNC2", "CCA1")]
    G, _ = model._conductance_terms(P, v, st, currents=idx)
    ica = G * (v - ca["ECa"]) * 1e-9 / (524.64e-8)
    rhs = (-ica / (2 * 96485.0 * 0.1) / (1e-4 * 1.0)).clamp(min=1e-4)
    torch.testing.assert_close(cai_mM, rhs, rtol=1e-9, atol=1e-15)
    assert float(cai_mM[0, 0]) == pytest.approx(1e-4) and float(cai_mM[0, 2]) > 1e-4
    # and the pool changes the I-V: compare with E_Ca fixed at its t = 0 value
    pc = p.clone()
    pc[0, space.index["Ca_pool"]] = 0.0
    assert (steady_state_iv(p, v[0]) - steady_state_iv(pc, v[0])).abs().max() > 0.5


def test_voltage_clamp_traces_peak_and_clamp_off(space):
    p = load_neuron("RIM").params(space)[None]
    dt = 0.1
    rec = np.round(np.arange(0, 400.0 + 1e-9, dt), 10)
    r = voltage_clamp(
        p,
        [-40.0, 20.0],
        t_on_ms=100.0,
        t_step_ms=200.0,
        t_stop_ms=400.0,
        clamp_off_ms=350.0,
        dt_ms=dt,
        record_ms=rec,
        ss_ms=(250.0, 300.0),
        peak_ms=(100.0, 150.0),
        n_peak_min=1,
        dtype=torch.float64,
    )
    I, V = r["I"][0].numpy(), r["V"][0].numpy()
    w = (rec >= 250.0) & (rec < 300.0)
    np.testing.assert_allclose(r["I_ss"][0].numpy(), I[:, w].mean(1), rtol=1e-12)
    q = (rec >= 100.0) & (rec < 150.0)
    assert r["I_peak"][0, 0] == pytest.approx(I[0, q].min()) and r["I_peak"][0, 1] == pytest.approx(I[1, q].max())
    on = (rec > 101.0) & (rec < 300.0)
    np.testing.assert_allclose(V[:, on], np.array([[-40.0], [20.0]]).repeat(on.sum(), 1))
    assert np.all(V[:, (rec > 300.5) & (rec < 350.0)] == -60.0)
    free = rec > 351.0
    assert np.abs(np.diff(V[:, free], axis=1)).max() > 1e-3  # V moves once the clamp is off
    with pytest.raises(NeurogenError, match="ss_ms"):
        voltage_clamp(p, [0.0], t_on_ms=10.0, t_step_ms=10.0, ss_ms=(15.0, 30.0), dt_ms=0.5)


def test_load_neuron_presets(space):
    with pytest.raises(NeurogenError, match="unknown neuron 'XYZ'.*RIM"):
        load_neuron("XYZ")
    rim = load_neuron("RIM").params(space)
    ix = space.index
    assert rim[ix["SLO1_g"]] == 0.0 and rim[ix["Ca_pool"]] == 0.0 and rim[ix["SHL1_g"]] > 0.9
    vb6 = load_neuron("VB6")
    assert vb6.params(space)[ix["Ca_pool"]] == 1.0
    assert vb6.params(space, n=4).shape == (4, len(space.names))
    st = vb6.initial_gates(vb6.params(space))
    assert st.shape == (1, len(GATE_NAMES)) and st[0, GATE_NAMES.index("SLO1_UNC2_m")] == pytest.approx(
        2.2356103300242364e-05
    )


def test_load_reference_errors(tmp_path):
    from neurogen.hh.reference import load_reference

    src = shared_file("data", "hh", "neuron_reference", "VB6_params.json")
    d = json.loads(src.read_text())
    bad = dict(d, channels=d["channels"] + [{"mechanism": "kcnl", "g_nS": 1.0}])
    f = tmp_path / "X_params.json"
    f.write_text(json.dumps(bad))
    with pytest.raises(NeurogenError, match=r"X_params.json: channels\[\d+\] \(kcnl\).*no counterpart"):
        load_reference(f)
    nopool = dict(d, channels=[c for c in d["channels"] if c["mechanism"] != "cadiff"])
    f.write_text(json.dumps(nopool))
    with pytest.raises(NeurogenError, match="E_Ca is 'dynamic.*no calcium pool"):
        load_reference(f)
    f.write_text(json.dumps({k: v for k, v in d.items() if k != "protocols"}))
    with pytest.raises(NeurogenError, match="missing key 'protocols.iclamp'"):
        load_reference(f)


@pytest.mark.shared
@pytest.mark.parametrize("neuron", ["RIM", "AIY", "VB6"])
def test_presets_match_reference(neuron, space):
    from neurogen.hh.reference import load_reference

    ref = load_reference(shared_file("data", "hh", "neuron_reference", f"{neuron}_params.json"))
    pre = load_neuron(neuron)
    np.testing.assert_allclose(pre.params(space), ref.params(space), rtol=1e-12, atol=0)
    np.testing.assert_allclose(
        pre.initial_gates(pre.params(space)), ref.initial_gates(ref.params(space)), rtol=0, atol=1e-15
    )
    assert pre.iclamp == ref.iclamp
    for k, v in pre.vclamp.items():
        assert ref.vclamp[k] == (tuple(v) if isinstance(v, list) and k.endswith("_ms") else v), k


@pytest.mark.shared
@pytest.mark.parametrize("neuron", ["VB6", "RIM", "AIY"])
def test_reference_command_passes(neuron, capsys):
    """python -m neurogen.hh.reference DIR NEURON: every tolerance met (current clamp RMSE <= 0.5
    mV per amplitude over the whole sweep; steady-state and peak I-V within max(0.5 pA, 2 %))."""
    from neurogen.hh.reference import main

    folder = shared_file("data", "hh", "neuron_reference", f"{neuron}_params.json").parent
    rc = main([str(folder), neuron, "--dt", "0.5", "--dt-vclamp", "0.1"])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert out.count("PASS") == 3 and "FAIL" not in out


@pytest.mark.shared
def test_reference_command_fails_on_a_missed_tolerance(tmp_path, capsys):
    """A NEURON steady-state current moved by 1 pA: the command exits 1 and says which check."""
    from neurogen.hh.reference import main

    folder = shared_file("data", "hh", "neuron_reference", "VB6_params.json").parent
    for f in folder.glob("VB6_*"):
        shutil.copy(f, tmp_path / f.name)
    ss = pd.read_csv(tmp_path / "VB6_vclamp_ss.csv")
    ss.loc[3, "I_ss_pA"] += 1.0
    ss.to_csv(tmp_path / "VB6_vclamp_ss.csv", index=False)
    rc = main([str(tmp_path), "VB6", "--dt", "0.5", "--dt-vclamp", "0.5"])
    out = capsys.readouterr().out
    assert rc == 1
    assert "FAIL: steady-state I-V" in out and "PASS: current clamp" in out


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_pool_on_cuda_equals_cpu(space):
    p = load_neuron("VB6").params(space, n=2)
    kw = dict(
        t_total_ms=200.0,
        step_ms=(50.0, 150.0),
        record_ms=np.arange(0, 201, 5.0),
        dt_ms=0.25,
        init="rest",
        V_init_mV=-65.0,
        v_update="implicit",
        dtype=torch.float64,
    )
    a = simulate(p, [0.0, 30.0], **kw)
    b = simulate(p, [0.0, 30.0], device="cuda", **kw).cpu()
    torch.testing.assert_close(a, b, rtol=0, atol=1e-8)


def test_gradients_keep_the_constant_path(model, space):
    """Parameters with gradients (EP-GAN) and Ca_pool = 0: no pool in the plan; the pool path
    itself is differentiable in the conductances."""
    x = torch.as_tensor(space.default[None]).clone().requires_grad_(True)
    assert not model.plan(model.params(x, 0)).pool
    p = torch.as_tensor(load_neuron("VB6").params(space)[None]).clone().requires_grad_(True)
    V = simulate(
        p,
        [20.0],
        t_total_ms=40.0,
        step_ms=(10.0, 30.0),
        record_ms=[0.0, 20.0, 40.0],
        dt_ms=0.5,
        init="rest",
        V_init_mV=-65.0,
        v_update="implicit",
    )
    V[0, 0, 1].backward()
    g = p.grad[0, space.index["EGL19_g"]]
    assert torch.isfinite(p.grad).all() and float(g) != 0.0
