"""HH model: channel forms vs the .mod files, API contract, filters, dataset, reproducibility."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from neurogen import NeurogenError
from neurogen.hh import Model, Protocol, load_space, simulate_cclamp, steady_state_iv
from neurogen.hh.channels import GATE_NAMES
from neurogen.hh.sampling import assign_types, classify_iv, sample_params, shard_rng, voltage_ok

torch.set_num_threads(1)
V = np.array([-120.0, -85.0, -60.0, -33.0, -10.0, 0.0, 17.0, 45.0])


@pytest.fixture(scope="module")
def space():
    return load_space("large")


@pytest.fixture(scope="module")
def model(space):
    return Model(space)


def _rates(model, space, p=None):
    p = space.default if p is None else p
    P = model.params(torch.as_tensor(p[None]), 1)
    Vt = torch.as_tensor(V[None])
    st = model.steady_gates(P, Vt)
    infs, taus = model.rates(P, Vt, st)
    return ({g: i[0].numpy() for g, i in zip(GATE_NAMES, infs)}, {g: t[0].numpy() for g, t in zip(GATE_NAMES, taus)})


# hand-written from the published .mod files (raw constants, shifts and factors as written there)
def _mod_forms(v):
    e = np.exp
    out = {}
    out["SHL1_m_inf"] = 1 / (1 + e(-(v - 10.26 + 10) / 16.25))
    out["SHL1_h_inf"] = 1 / (1 + e((v + 40 + 10) / 8.3))
    out["SHL1_m_tau"] = (13.8 / (e(-(v + 40) / 12.9213) + e((v + 40) / 6.4876)) + 1.8849) / 2
    out["SHL1_hf_tau"] = (539.158 / (1 + e((v + 60) / 4.9199)) + 27.2811) / 3
    out["EGL2_m_tau"] = (16.78 / (1 + e((v + 122.568) / 13.7976)) + 8.0969) * 0.5
    out["IRK13_m_inf"] = 1 / (1 + e((v + 52 + 30) / 13))
    out["IRK13_m_tau"] = 17.0752 / (e(-(v + 17.8258) / 20.3154) + e((v + 43.4414) / 11.1691)) + 3.8329
    out["UNC103_m_tau"] = ((87.4088 / (1 + e((v + 28.3339) / 13.0998))) + 0.2562) * (
        (87.4088 / (1 + e(-(v + 28.3339) / 13.0998))) + 0.2562
    )
    out["KQT1_s_inf"] = 0.41 / (1 + e((v + 86.84) / 15.05)) + 0.59 / (1 + e((v - 70.13) / 13.37))
    out["KQT1_s_tau"] = 1077 + 185845 / (1 + ((v - 39.44) / 7.34) ** 2)
    out["EXP2_h_tau"] = ((1.279 / (1 + e((v + 89.0175) / 49.3492))) + 0.8739) * (
        (1.279 / (1 + e(-(v + 89.0175) / 49.3492))) + 0.8739
    )
    out["EGL19_m_inf"] = 1 / (1 + e(-(v - 5.6 + 10) / 7.5))
    out["EGL19_h_inf"] = (1.4314 / (1 + e(-(v - 24.8573 + 10) / 11.9541)) + 0.1427) * (
        5.9589 / (1 + e((v + 10.5428 + 10) / 8.0552)) + 0.6038
    )
    out["EGL19_m_tau"] = (
        2.3359 + 2.9324 * e(-((v - 5.2357 + 10) ** 2) / 36) + 1.8739 * e(-((v - 1.393 + 10) ** 2) / 900)
    )
    out["EGL19_h_tau"] = 0.4 * (
        (0.55 * 81.1179) / (1 + e((v + 22.9723 + 10) / 5))
        + 43.0937
        + (0.9 * 40.4885) / (1 + e((v - 28.7251 + 10) / 3.7125))
    )
    out["UNC2_m_inf"] = 1 / (1 + e(-(v + 12.17 + 25) / 3.97))
    out["UNC2_m_tau"] = (1.4969 / (e(-(v + 8.1761 + 30) / 9.0753) + e((v + 8.1761 + 30) / 15.3456)) + 0.1029) * 3
    out["UNC2_h_tau"] = (
        83.8037 / (1 + e((v - 52.8997 + 30) / 3.4557)) + 72.0995 / (1 + e(-(v - 23.9009 + 30) / 3.5903))
    ) * 1.7
    out["CCA1_m_inf"] = 1 / (1 + e(-(v + 42.65 + 15) / (1.7 * 1.4)))
    out["CCA1_h_inf"] = 1 / (1 + e((v + 58 + 15) / (7 * 1.15)))
    out["CCA1_m_tau"] = ((40 / (1 + e(-(v + 62.5393 + 30) / (-12.4758 * 1.7)))) + 0.6947) * 0.5
    out["CCA1_h_tau"] = ((280 / (1 + e((v + 60.7312 + 15) / (8.5224 * 1.1)))) + 19.7456) * 0.08
    # slo1iso at cai = 0.05 uM
    wom, wop, wyx, wxy, kxy, nxy, kyx, nyx, ca = (
        3.15296,
        0.156217,
        0.012643,
        -0.027527,
        55.7262,
        1.2992,
        34.3388,
        1e-4,
        0.05,
    )
    s0 = 1 / (wyx - wxy)
    v0 = s0 * (np.log(wom / wop) + np.log(1 + (kxy / ca) ** nxy) - np.log(1 + (ca / kyx) ** nyx))
    out["SLO1_m_inf"] = 1 / (1 + e(-(v - v0) / s0))
    out["SLO1_m_tau"] = e(wxy * v) / wop * (1 + (kxy / ca) ** nxy) * out["SLO1_m_inf"]
    return out


def test_channel_forms_match_mod_files(model, space):
    inf, tau = _rates(model, space)
    ref = _mod_forms(V)
    pairs = {
        "SHL1_m_inf": inf["SHL1_m"],
        "SHL1_h_inf": inf["SHL1_hf"],
        "SHL1_m_tau": tau["SHL1_m"],
        "SHL1_hf_tau": tau["SHL1_hf"],
        "EGL2_m_tau": tau["EGL2_m"],
        "IRK13_m_inf": inf["IRK13_m"],
        "IRK13_m_tau": tau["IRK13_m"],
        "UNC103_m_tau": tau["UNC103_m"],
        "KQT1_s_inf": inf["KQT1_s"],
        "KQT1_s_tau": tau["KQT1_s"],
        "EXP2_h_tau": tau["EXP2_h"],
        "EGL19_m_inf": inf["EGL19_m"],
        "EGL19_h_inf": inf["EGL19_h"],
        "EGL19_m_tau": tau["EGL19_m"],
        "EGL19_h_tau": tau["EGL19_h"],
        "UNC2_m_inf": inf["UNC2_m"],
        "UNC2_m_tau": tau["UNC2_m"],
        "UNC2_h_tau": tau["UNC2_h"],
        "CCA1_m_inf": inf["CCA1_m"],
        "CCA1_h_inf": inf["CCA1_h"],
        "CCA1_m_tau": tau["CCA1_m"],
        "CCA1_h_tau": tau["CCA1_h"],
        "SLO1_m_inf": inf["SLO1_m"],
        "SLO1_m_tau": tau["SLO1_m"],
    }
    for k, ours in pairs.items():
        np.testing.assert_allclose(ours, ref[k], rtol=1e-6, atol=1e-12, err_msg=k)


def test_nanodomain_calcium_hand_value(model, space):
    # |40 pS * (0 - 60 mV)| / (8 * 3.14 * 13 nm * 250 um^2/s * F) * exp(-r/sqrt(D/(kb B))) + 0.05 uM
    P = model.params(torch.as_tensor(space.default[None]), 1)
    ns = model._namespace(P, torch.zeros(1, 1, dtype=torch.float64))
    i = 40e-12 * 60e-3
    c = i / (8 * 3.14 * 13e-9 * 250e-12 * 96485.33212) * math.exp(-13e-9 / math.sqrt(250e-12 / (500e6 * 30e-6)))
    assert float(ns["Ca_nano"]) == pytest.approx(c * 1e3 + 0.05, rel=1e-9)


def test_space_counts_and_full(space):
    small = load_space("small")
    assert space.free.sum() == 175 and small.free.sum() == 47 and len(space.names) == len(small.names)
    x = small.free_of(small.default[None])
    np.testing.assert_array_equal(small.full(x)[0], small.default)
    xt = torch.tensor(x, requires_grad=True)
    full = small.full(xt)
    full.sum().backward()
    assert xt.grad.shape == xt.shape and torch.all(xt.grad == 1)
    with pytest.raises(NeurogenError, match="free parameters"):
        small.full(np.zeros((2, 3)))
    with pytest.raises(NeurogenError, match="small"):
        load_space("medium")


def test_steady_state_iv_contract(space):
    p = torch.tensor(sample_params(space, 4, shard_rng(0, 0)), dtype=torch.float32, requires_grad=True)
    iv = steady_state_iv(p)
    assert iv.shape == (4, 18) and iv.dtype == torch.float32
    iv.sum().backward()
    assert torch.isfinite(p.grad).all() and p.grad.abs().sum() > 0
    iv64 = steady_state_iv(p.detach().double(), torch.tensor([-50.0, 0.0]))
    np.testing.assert_allclose(iv64.numpy(), iv.detach().numpy()[:, [7, 12]], rtol=1e-4, atol=1e-3)


def test_model_step_api(model, space):
    p = torch.tensor(sample_params(space, 3, shard_rng(0, 1)))
    st = model.init_state(p, torch.full((3,), -40.0))
    assert st.shape == (3, 25)
    V = torch.full((3,), -40.0)
    st2 = model.step(p, V.double(), st, 0.1)
    np.testing.assert_allclose(st2.numpy(), st.numpy(), atol=1e-12)  # at rest: unchanged
    I = model.ionic_current(p, V.double(), st)
    np.testing.assert_allclose(I.numpy(), steady_state_iv(p, torch.tensor([-40.0]))[:, 0].numpy(), rtol=1e-10)
    assert model.capacitance(p).shape == (3,)


def test_simulate_errors(space):
    p = space.default[None]
    with pytest.raises(NeurogenError, match="amplitude"):
        simulate_cclamp(p, [0.0, 500.0], dt_ms=1.0)
    with pytest.raises(NeurogenError, match="divide"):
        simulate_cclamp(p, [0.0], dt_ms=0.3)
    with pytest.raises(NeurogenError, match="window"):
        simulate_cclamp(p, [0.0], protocol=Protocol(window_s=(4.0, 20.0)))
    with pytest.raises(NeurogenError, match=r"C = -1 \(must be > 0"):  # caught before simulating
        simulate_cclamp(space.with_values(C=-1.0)[None], [0.0], dt_ms=10.0)
    blow = space.with_values(LEAK_g=1e308)  # overflowing conductance: V becomes non-finite
    with pytest.raises(NeurogenError, match="blew up"):
        simulate_cclamp(blow[None], [0.0], dt_ms=10.0, protocol=Protocol(t_total_s=12.0), on_nonfinite="raise")
    zero = space.with_values(**{n: 0.0 for n, r in zip(space.names, space.roles) if r == "conductance"})
    with pytest.raises(NeurogenError, match="conductance"):
        simulate_cclamp(zero[None], [0.0], dt_ms=1.0)


SHORT = Protocol(t_total_s=2.0, step_s=(0.8, 1.6), window_s=(0.6, 1.8), n_points=60)


def test_step_size_convergence(space):
    """RMSE of the default step (0.5 ms) against a 10x finer step < 0.1 mV (short protocol)."""
    from neurogen.hh.ivbounds import load_bounds

    v, lo, hi = load_bounds()
    rng = shard_rng(5, 0)
    p = sample_params(space, 20000, rng)
    iv = steady_state_iv(torch.as_tensor(p), v).numpy()
    t = assign_types(classify_iv(iv, v, lo, hi), rng)
    sel = np.concatenate([np.flatnonzero(t == k)[:1] for k in range(3)])
    p = torch.as_tensor(p[sel])
    a = simulate_cclamp(p, [-15.0, 0.0, 35.0], dt_ms=0.5, protocol=SHORT).numpy()
    b = simulate_cclamp(p, [-15.0, 0.0, 35.0], dt_ms=0.05, protocol=SHORT).numpy()
    rmse = np.sqrt(np.mean((a - b) ** 2, axis=-1))
    assert np.isfinite(rmse).all() and rmse.max() < 0.1, rmse


def test_iv_filter_rejects_each_violation():
    from neurogen.hh.ivbounds import load_bounds

    v, lo, hi = load_bounds()
    mid = (lo + hi) / 2
    for t in range(3):
        iv = np.r_[0.0, np.cumsum(mid[t] * np.diff(v))][None]
        assert classify_iv(iv, v, lo, hi)[0, t]
        for k in range(len(v) - 1):  # break one interval's slope: no longer of type t
            bad = iv.copy()
            bad[0, k + 1 :] += (hi[t, k] - lo[t, k] + 1.0) * 10
            assert not classify_iv(bad, v, lo, hi)[0, t]
    assert not classify_iv(np.full((1, len(v)), np.nan), v, lo, hi).any()


def test_voltage_filter_rejects_each_violation():
    ok = np.zeros((1, 2, 5))
    for val, finite in [(-100.5, True), (150.5, True), (np.nan, False), (np.inf, False)]:
        tr = ok.copy()
        tr[0, 1, 3] = val
        fin, good = voltage_ok(tr)
        assert fin[0] == finite and not good[0]
    assert voltage_ok(ok)[1][0]


def test_assign_types_balances():
    rng = np.random.default_rng(0)
    m = np.zeros((300, 3), bool)
    m[:, 0] = True
    m[:100, 1] = True
    m[:30, 2] = True
    t = assign_types(m, rng, target=30)
    assert np.bincount(t[t >= 0], minlength=3).tolist() == [30, 30, 30]


def _tiny_shard(space, shard, seed=3):
    from neurogen.hh.generate import generate_shard
    from neurogen.hh.ivbounds import load_bounds

    return generate_shard(
        space,
        n_per_type=2,
        max_candidates=60000,
        seed=seed,
        shard=shard,
        bounds=load_bounds(),
        dt_ms=5.0,
        protocol=SHORT.__class__(t_total_s=2.0, step_s=(0.8, 1.6), window_s=(0.6, 1.8), n_points=60),
        oversample=1.5,
        batch_size=50,
    )


def test_generation_reproducible_and_dataset_schema(tmp_path):
    from neurogen.hh.dataset import open_dataset, read_shard
    from neurogen.hh.generate import merge_shards
    from neurogen.io import write_npz

    space = load_space("small")
    a, b, c = _tiny_shard(space, 0), _tiny_shard(space, 0), _tiny_shard(space, 1)
    for k in ("p_full", "responses_clean", "iv", "type", "counts"):
        np.testing.assert_array_equal(a[k], b[k])
    assert not np.array_equal(a["p_full"], c["p_full"])
    paths = []
    for i, d in enumerate([a, c]):
        paths.append(tmp_path / f"{i}.npz")
        write_npz(paths[-1], **d)
    proto = Protocol(t_total_s=2.0, step_s=(0.8, 1.6), window_s=(0.6, 1.8), n_points=60)
    acc = merge_shards(
        paths,
        space,
        train_path=tmp_path / "train.h5",
        test_path=tmp_path / "test.h5",
        acceptance_path=tmp_path / "acc.csv",
        n_test=3,
        noise_mV=1.0,
        seed=3,
        protocol=proto,
    )
    assert set(acc["step"]) >= {"1_sampled", "2_iv_match", "3_accepted", "train", "test"}
    with open_dataset(tmp_path / "test.h5") as ds:
        assert ds.n == 3 and ds.model == "small" and ds.seed == 3
        assert ds.params.shape == (3, 47) and len(ds.param_names) == 47
        assert ds.responses.shape == (3, 11, 60) and ds.stimuli.shape == (11, 60)
        assert ds.iv.shape == (3, 18) and sorted(ds.type[()].tolist()) == [0, 1, 2]
        noise = ds.responses[()] - ds.responses_clean[()]
        assert 0.5 < noise.std() < 1.5
    # corrupt files are reported by name
    bad = tmp_path / "bad.h5"
    bad.write_bytes(b"not an hdf5 file")
    with pytest.raises(NeurogenError, match="bad.h5"):
        open_dataset(bad)
    import h5py

    with h5py.File(tmp_path / "train.h5", "a") as f:
        del f["iv"]
    with pytest.raises(NeurogenError, match="'iv'"):
        open_dataset(tmp_path / "train.h5")
    (tmp_path / "broken.npz").write_bytes(paths[0].read_bytes()[:200])
    with pytest.raises(NeurogenError, match="broken.npz"):
        read_shard(tmp_path / "broken.npz")


@pytest.mark.parametrize("active", [None, ("LEAK", "SHK1", "SLO1_EGL19", "CCA1")])
def test_generated_step_matches_literal_evaluation(model, space, active):
    """The optimised step (codegen.py: hoisting, flattening, sigmoid/lerp/addcmul) computes the
    expressions of channels.py: same gates and conductance sums as evaluating them one by one."""
    from neurogen.hh.channels import CURRENTS, GATES
    from neurogen.hh.model import _Plan

    p = torch.as_tensor(sample_params(space, 40, shard_rng(5, 0)), dtype=torch.float64)
    P = model.params(p, 1)
    plan = model.plan(P) if active is None else _Plan(set(active))
    if active is not None:
        assert len(plan.currents) == len(active)
    ns = model.static_namespace(P, plan)
    V = P["V0"] + torch.linspace(-60.0, 60.0, 9, dtype=torch.float64)
    st = [P[g.init].expand(40, 9) for g in GATES]
    for dt in (0.1, 2.0):
        a, G1, GE1 = model.advance(ns, plan, V, st, dt)
        b, G2, GE2 = model.advance_eval(ns, plan, V, st, dt)
        for j in plan.gates:
            assert torch.allclose(a[j], b[j], rtol=1e-10, atol=1e-13), GATES[j].name
        assert torch.allclose(G1, G2, rtol=1e-10) and torch.allclose(GE1, GE2, rtol=1e-10, atol=1e-9)
    # the optimisation is real: far fewer per-step statements than literal operations
    n_stmt = sum(1 for line in plan.step_fn.source.splitlines() if line.strip().startswith("_t"))
    assert n_stmt < 400 if active is None else n_stmt < 150
    assert len(CURRENTS) == 18
