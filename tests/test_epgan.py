"""EP-GAN library: shapes, masking, gradient penalty, differentiable losses vs finite
differences, checkpoint resume, selection, baselines, recorded-neuron loader errors.
The HH API is stood in for by the toy model in epgan_toy.py."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from epgan_toy import AMPS, IV_V, TIME, ToyModel, ToySpace, make_backend, steady_state_iv, write_dataset

from neurogen import NeurogenError
from neurogen.epgan import TrainConfig
from neurogen.epgan.evaluate import (
    drop_iv_points,
    keep_traces,
    nearest_neighbour,
    response_rmse,
    select_over_epochs,
    window_masks,
)
from neurogen.epgan.losses import gradient_penalty, iv_loss, mask_rate, mask_traces, voltage_loss, voltage_residual
from neurogen.epgan.nets import EPGAN, to_physical, to_unit

torch.set_num_threads(1)

TINY = dict(
    epochs=2,
    batch_size=16,
    latent=16,
    generator_widths=[32, 24, 16],
    critic_widths=[32, 16],
    n_critic=1,
    val_fraction=0.1,
    val_simulate=4,
    voltage_traces=2,
    chunk_size=20,
)


@pytest.fixture(scope="module")
def toy_h5(tmp_path_factory):
    p = tmp_path_factory.mktemp("epgan") / "train.h5"
    write_dataset(p, 60, seed=1)
    return p


# ------------------------------------------------------------------ shapes
@pytest.mark.parametrize("S", [1, 3, 11])
def test_shapes_any_number_of_stimuli(S):
    lo, hi = np.zeros(5), np.arange(1, 6.0)
    net = EPGAN(5, lo, hi, n_points=350, latent=16, generator_widths=(32, 24, 16), critic_widths=(16,))
    x = torch.randn(4, S, 700)
    iv = torch.randn(4, 18)
    p = net(x, iv)
    assert p.shape == (4, 5)
    assert torch.all(p >= torch.tensor(lo, dtype=torch.float32)) and torch.all(
        p <= torch.tensor(hi, dtype=torch.float32)
    )
    c = net.condition(x, iv)
    assert c.shape == (4, 16 + 18)
    assert net.critic(c, torch.zeros(4, 5)).shape == (4,)
    # variable lengths: padding beyond a neuron's length does not change its latent
    lengths = torch.tensor([S, max(1, S - 1), 1, S])
    z1 = net.encoder(x, lengths)
    x2 = x.clone()
    for i, L in enumerate(lengths):
        x2[i, L:] = 99.0
    assert torch.allclose(z1, net.encoder(x2, lengths), atol=1e-5)
    assert torch.allclose(net.encoder(x[2:3, :1]), z1[2:3], atol=1e-5)  # length 1 = first step alone


def test_wrong_input_width_is_an_error():
    net = EPGAN(3, np.zeros(3), np.ones(3), latent=8, generator_widths=(8, 8, 8), critic_widths=(8,))
    with pytest.raises(ValueError, match="encoder input"):
        net(torch.randn(2, 3, 100), torch.randn(2, 18))


def test_unit_physical_roundtrip():
    lo, hi = torch.tensor([0.0, -80.0]), torch.tensor([2.0, -40.0])
    p = torch.tensor([[0.5, -50.0], [2.0, -80.0]])
    assert torch.allclose(to_physical(to_unit(p, lo, hi), lo, hi), p)
    assert torch.allclose(to_unit(p, lo, hi)[1], torch.tensor([1.0, -1.0]))


# ------------------------------------------------------------------ masking
def test_mask_schedule_linear_75_to_0():
    E = 11
    rates = [mask_rate(e, E) for e in range(E)]
    assert rates[0] == pytest.approx(0.75) and rates[-1] == pytest.approx(0.0)
    assert np.allclose(np.diff(rates), -0.075)
    assert mask_rate(0, 1) == 0.0


def test_mask_traces_rate_and_order():
    g = torch.Generator().manual_seed(0)
    N, S = 2000, 11
    x = torch.arange(S, dtype=torch.float32).view(1, S, 1).expand(N, S, 4).clone() + 1
    xm, lengths, keep = mask_traces(x, 0.75, g)
    assert (lengths >= 1).all()
    frac_masked = 1 - keep.float().mean().item()
    assert 0.70 < frac_masked < 0.76  # 75 %, slightly less because one step is always kept
    for i in range(20):
        L = int(lengths[i])
        kept_steps = torch.nonzero(keep[i]).flatten()
        assert torch.equal(xm[i, :L, 0], kept_steps.float() + 1)  # kept steps in order, at the front
        assert torch.all(xm[i, L:] == 0)
    xm0, l0, k0 = mask_traces(x, 0.0, g)
    assert torch.equal(xm0, x) and (l0 == S).all() and k0.all()


# ------------------------------------------------------------------ gradient penalty
class LinearCritic(torch.nn.Module):
    def __init__(self, wc, wu):
        super().__init__()
        self.wc, self.wu = torch.nn.Parameter(wc), torch.nn.Parameter(wu)

    def forward(self, c, u):
        return c @ self.wc + u @ self.wu


def test_gradient_penalty_of_linear_critic_is_exact():
    torch.manual_seed(0)
    wc, wu = torch.randn(6), torch.randn(3)
    crit = LinearCritic(wc, wu)
    c, ur, uf = torch.randn(8, 6), torch.rand(8, 3), torch.rand(8, 3)
    gp = gradient_penalty(crit, c, ur, uf)
    norm = torch.sqrt((wc**2).sum() + (wu**2).sum())
    assert gp.item() == pytest.approx(((norm - 1) ** 2).item(), rel=1e-5)
    unit = LinearCritic(wc / norm, wu / norm)
    assert gradient_penalty(unit, c, ur, uf).item() == pytest.approx(0.0, abs=1e-8)
    gp.backward()  # differentiable w.r.t. the critic's weights
    assert crit.wu.grad is not None and torch.all(torch.isfinite(crit.wu.grad))
    # d/dw (|w| - 1)^2 = 2 (|w| - 1) w / |w|
    assert torch.allclose(crit.wu.grad, 2 * (norm - 1) * wu / norm, rtol=1e-4)


def test_gradient_penalty_nonlinear_critic_matches_manual():
    torch.manual_seed(1)
    crit = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))

    def f(c, u):
        return crit(torch.cat([c, u], -1)).squeeze(-1)

    c, ur, uf = torch.randn(4, 3), torch.rand(4, 2), torch.rand(4, 2)
    g = torch.Generator().manual_seed(5)
    gp = gradient_penalty(f, c, ur, uf, generator=g)
    eps = torch.rand(4, 1, generator=torch.Generator().manual_seed(5))
    manual = []
    for i in range(4):
        xi = torch.cat([c[i], eps[i] * ur[i] + (1 - eps[i]) * uf[i]]).requires_grad_(True)
        (gi,) = torch.autograd.grad(crit(xi).sum(), xi)
        manual.append((gi.norm() - 1) ** 2)
    assert gp.item() == pytest.approx(torch.stack(manual).mean().item(), rel=1e-5)


# ------------------------------------------------------------------ reconstruction losses
def _true_params(n=3, seed=0):
    be = make_backend()
    rng = np.random.default_rng(seed)
    return be, be.free_lo + rng.random((n, len(be.free_names))) * (be.free_hi - be.free_lo)


def _fd_check(fun, x0, h=1e-5, rtol=1e-4):
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    y = fun(x)
    (g,) = torch.autograd.grad(y, x)
    fd = np.zeros_like(x0)
    for idx in np.ndindex(*x0.shape):
        xp, xm = x0.copy(), x0.copy()
        step = h * max(1.0, abs(x0[idx]))
        xp[idx] += step
        xm[idx] -= step
        with torch.no_grad():
            fd[idx] = (fun(torch.tensor(xp)).item() - fun(torch.tensor(xm)).item()) / (2 * step)
    np.testing.assert_allclose(g.numpy(), fd, rtol=rtol, atol=1e-9 * np.abs(fd).max())


def test_iv_loss_gradient_matches_finite_differences():
    be, free = _true_params()
    target = torch.as_tensor(be.iv(free + 0.3 * (be.free_hi - be.free_lo) * 0.1, IV_V))

    # mean-squared variant is smooth everywhere; check MAE too away from kinks
    def fun(x):
        return iv_loss(steady_state_iv, be.full(x), torch.as_tensor(IV_V), target, 25.0)

    _fd_check(fun, free * 1.07)


def test_voltage_loss_gradient_matches_finite_differences():
    be, free = _true_params(2)
    V = torch.as_tensor(be.simulate(free, AMPS[[0, 6, 10]]), dtype=torch.float64)[:, :, :60]
    stim = torch.as_tensor(np.repeat(AMPS[[0, 6, 10]][:, None], 60, 1) * (TIME[:60] >= 5.0))

    def fun(x):
        return voltage_loss(ToyModel(), be.full(x), V, stim, 20.0, 2, 25.0)

    _fd_check(fun, free * 1.05)


def test_voltage_residual_small_for_true_params_large_for_wrong():
    be, free = _true_params(4, seed=3)
    sp = ToySpace()
    from epgan_toy import simulate_cclamp

    t = np.linspace(4.0, 11.0, 1401)  # 5 ms samples
    V = simulate_cclamp(be.full(torch.as_tensor(free)), AMPS, dt_ms=1.0, time_s=t).double()
    stim = torch.as_tensor(AMPS[:, None] * ((t >= 5.0) & (t < 10.0))[None, :])
    r_true = voltage_residual(ToyModel(), sp.full(torch.as_tensor(free)), V, stim, 5.0, 1)
    wrong = free.copy()
    wrong[:, 1] *= 1.5  # gL off by 50 %
    r_wrong = voltage_residual(ToyModel(), sp.full(torch.as_tensor(wrong)), V, stim, 5.0, 1)
    # away from the step edges (where the 5 ms sampling cannot resolve the jump)
    edge = np.zeros(len(t) - 1, bool)
    for te in (5.0, 10.0):
        edge |= np.abs(t[:-1] - te) < 0.03
    a = r_true[..., ~edge].abs().mean().item()
    b = r_wrong[..., ~edge].abs().mean().item()
    assert b > 20 * a


# ------------------------------------------------------------------ training, checkpoint, resume
def _trainer(path, ckpt, **over):
    from neurogen.epgan.train import Trainer

    cfg = TrainConfig.from_dict({**TINY, **over}, seed=3)
    return Trainer(cfg, make_backend(), path, ckpt_path=ckpt)


def test_training_runs_and_logs(toy_h5, tmp_path):
    tr = _trainer(toy_h5, tmp_path / "ck.pt")
    assert tr.fit()
    assert [h["epoch"] for h in tr.history] == [1, 2]
    h = tr.history[0]
    for k in (
        "loss_adv",
        "loss_iv",
        "loss_voltage",
        "loss_critic",
        "loss_gp",
        "val_iv_rmse_pA",
        "val_rmse_mV",
        "val_param_mae",
        "mask_rate",
    ):
        assert k in h and np.isfinite(h[k]), k
    assert h["mask_rate"] == pytest.approx(0.75) and tr.history[1]["mask_rate"] == 0.0
    assert (tmp_path / "ck.pt").exists()


def test_checkpoint_resume_equals_uninterrupted(toy_h5, tmp_path):
    a = _trainer(toy_h5, tmp_path / "a.pt", epochs=3)
    a.fit()
    b = _trainer(toy_h5, tmp_path / "b.pt", epochs=3)
    assert b.fit(stop_after=1) is False and b.epoch == 1  # "interrupted" after epoch 1
    c = _trainer(toy_h5, tmp_path / "b.pt", epochs=3)  # a new process resumes
    assert c.try_resume() and c.epoch == 1
    c = _trainer(toy_h5, tmp_path / "b.pt", epochs=3)
    assert c.fit()
    sa, sc = a.net.state_dict(), c.net.state_dict()
    for k in sa:
        assert torch.equal(sa[k], sc[k]), k
    assert [h["loss_total"] for h in a.history] == [h["loss_total"] for h in c.history]


def test_checkpoint_of_other_settings_is_ignored(toy_h5, tmp_path):
    a = _trainer(toy_h5, tmp_path / "a.pt", epochs=1)
    a.fit()
    b = _trainer(toy_h5, tmp_path / "a.pt", epochs=1, lr_generator=TrainConfig().lr_generator * 2)
    assert not b.try_resume()


def test_loss_switches(toy_h5, tmp_path):
    tr = _trainer(toy_h5, None, epochs=1, losses={"adversarial": 1.0, "iv": 0.0, "voltage": 0.0})
    tr.fit()
    assert "loss_iv" not in tr.history[0] and "loss_voltage" not in tr.history[0]
    tr = _trainer(toy_h5, None, epochs=1, losses={"adversarial": 0.0, "iv": 1.0, "voltage": 0.0})
    tr.fit()
    assert "loss_adv" not in tr.history[0] and "loss_critic" not in tr.history[0]


def test_config_errors_name_the_key():
    with pytest.raises(NeurogenError, match="unknown key.*epochz"):
        TrainConfig.from_dict({"epochz": 3})
    with pytest.raises(NeurogenError, match="losses"):
        TrainConfig.from_dict({"losses": {"adversarial": 0, "iv": 0, "voltage": 0}})
    with pytest.raises(NeurogenError, match="generator_widths"):
        TrainConfig.from_dict({"generator_widths": [4, 4]})


def test_dataset_errors(tmp_path):
    import h5py

    from neurogen.epgan.data import H5Data

    with pytest.raises(NeurogenError, match="not found"):
        H5Data(tmp_path / "nope.h5")
    (tmp_path / "junk.h5").write_text("not hdf5")
    with pytest.raises(NeurogenError, match="not a readable HDF5"):
        H5Data(tmp_path / "junk.h5")
    p = tmp_path / "partial.h5"
    write_dataset(p, 5)
    with h5py.File(p, "a") as f:
        del f["iv"]
    with pytest.raises(NeurogenError, match="missing dataset.*iv"):
        H5Data(p)
    p2 = tmp_path / "nan.h5"
    write_dataset(p2, 5)
    with h5py.File(p2, "a") as f:
        f["responses"][2, 0, 0] = np.nan
    with pytest.raises(NeurogenError, match="NaN.*neurons \\[2\\]"):
        H5Data(p2).read(0, 5)


# ------------------------------------------------------------------ evaluation helpers
def test_windows_and_rmse():
    m = window_masks(TIME)
    assert TIME[m["pre"]].min() > 4.0 and TIME[m["pre"]].max() <= 5.0
    assert TIME[m["mid"]].min() >= 5.0 and TIME[m["mid"]].max() <= 10.0
    assert TIME[m["post"]].min() >= 10.0 and TIME[m["post"]].max() < 11.0
    true = np.zeros((2, 3, 350))
    pred = true.copy()
    pred[0, :, m["mid"]] = 2.0
    r = response_rmse(pred, true, TIME)
    assert r["mid"][0] == pytest.approx(2.0) and r["pre"][0] == 0 and r["avg"][0] == pytest.approx(2 / 3)
    assert r["avg"][1] == 0


def test_selection_picks_lowest_rmse_epoch():
    target = np.zeros((3, 2, 350))
    cand = np.array([[[1.0], [5.0], [3.0]], [[2.0], [0.5], [4.0]], [[0.2], [9.0], [3.5]]])  # [E=3, N=3, F=1]

    def sim(p):
        return np.broadcast_to(p[:, :, None], (len(p), 2, 350))

    params, ep, rm, sims = select_over_epochs(cand, sim, target, TIME)
    assert sims.shape == (3, 2, 350) and np.allclose(sims[:, 0, 0], [0.2, 0.5, 3.0])
    assert ep.tolist() == [3, 2, 1] and params[:, 0].tolist() == [0.2, 0.5, 3.0]
    assert rm == pytest.approx([0.2, 0.5, 3.0])
    calls = []

    def sim2(p):
        return (calls.append(len(p)), sim(p))[1]

    p2, ep2, rm2, s2 = select_over_epochs(cand, sim2, target, TIME, per_call=6)  # 2 epochs per call
    assert calls == [6, 3] and ep2.tolist() == ep.tolist() and np.array_equal(s2, sims)


def test_nearest_neighbour_finds_itself(toy_h5):
    from neurogen.epgan.data import H5Data, Normalizer

    d = H5Data(toy_h5, need_params=True)
    norm = Normalizer.fit(d, np.arange(d.n))
    q = d.read_index([7, 3, 40])
    idx, params = nearest_neighbour(d, norm, q["responses"], q["iv"], chunk=16)
    assert idx.tolist() == [7, 3, 40]
    np.testing.assert_allclose(params, q["params"])


def test_input_ablation_helpers():
    r = np.arange(2 * 11 * 3).reshape(2, 11, 3)
    st = np.arange(11 * 3).reshape(11, 3)
    rr, ss = keep_traces(r, st, 0.5)
    assert rr.shape == (2, 6, 3) and ss.shape == (6, 3) and np.array_equal(rr, r[:, :6])
    iv = np.stack([2.0 * IV_V + 5, IV_V**2])
    out = drop_iv_points(iv, IV_V, 0.25)
    n = round(18 * 0.25)
    np.testing.assert_allclose(out[0], iv[0])  # a line extrapolates exactly
    np.testing.assert_allclose(out[1, n:], iv[1, n:])
    slope = (iv[1, n + 1] - iv[1, n]) / 10.0
    np.testing.assert_allclose(out[1, :n], iv[1, n] + slope * (IV_V[:n] - IV_V[n]))


# ------------------------------------------------------------------ recorded neurons
def _write_cc(path, t, cols, header=True, amps=None):
    amps = AMPS[: len(cols)] if amps is None else amps
    with open(path, "w") as fh:
        if header:
            fh.write("time_s\t" + "\t".join(f"{a:g}" for a in amps) + "\n")
        for i, ti in enumerate(t):
            fh.write(f"{ti:.6f}\t" + "\t".join(f"{c[i]:.5f}" for c in cols) + "\n")


def test_cclamp_loader_resamples(tmp_path):
    from neurogen.epgan.recorded import load_cclamp

    t = np.arange(0, 15, 0.001)
    cols = [-60 + a * 0.5 * ((t >= 5) & (t <= 10)) + 0.1 * np.sin(t) for a in AMPS]
    _write_cc(tmp_path / "cc.txt", t, cols)
    rec = load_cclamp(tmp_path / "cc.txt", expected_amplitudes=AMPS)
    assert rec.responses.shape == (1, 11, 350)
    np.testing.assert_allclose(rec.amplitudes_pA, AMPS)
    exp = np.interp(TIME, t, cols[3])
    np.testing.assert_allclose(rec.responses[0, 3], exp, atol=1e-3)
    # milliseconds, columns in another order, no header but amplitudes given
    _write_cc(tmp_path / "ms.txt", t * 1000, cols[::-1][:5], header=False)
    rec = load_cclamp(tmp_path / "ms.txt", amplitudes_pA=AMPS[::-1][:5], time_unit="ms")
    np.testing.assert_allclose(rec.amplitudes_pA, np.sort(AMPS[::-1][:5]))
    np.testing.assert_allclose(rec.responses[0, 0], np.interp(TIME, t, cols[6]), atol=1e-3)


@pytest.mark.parametrize(
    "case,match",
    [
        ("missing", "not found"),
        ("onecol", "tab-separated"),
        ("text", "line 3: non-numeric value 'abc'"),
        ("ragged", "line 4: 2 columns, expected 3"),
        ("nan", "NaN/inf value"),
        ("time", "not strictly increasing"),
        ("short", "spans 0–8 s but the protocol window is 4–11 s"),
        ("noheader", "amplitude \\(pA\\) of each column is unknown"),
        ("amp", "not in the model's protocol"),
        ("unit", "mV"),
    ],
)
def test_cclamp_loader_errors(tmp_path, case, match):
    from neurogen.epgan.recorded import load_cclamp

    p = tmp_path / f"{case}.txt"
    t = np.arange(0, 12, 0.01)
    good = [-60 + 0 * t, -50 + 0 * t]
    kw = {"expected_amplitudes": AMPS}
    if case == "missing":
        p = tmp_path / "nothing.txt"
    elif case == "onecol":
        p.write_text("0.0\n0.1\n")
    elif case == "text":
        p.write_text("time\t-15\t-10\n0\t1\t2\n0.1\tabc\t3\n")
    elif case == "ragged":
        p.write_text("time\t-15\t-10\n0\t1\t2\n0.1\t1\t3\n0.2\t1\n")
    elif case == "nan":
        p.write_text("time\t-15\t-10\n0\t1\t2\n0.1\tnan\t3\n")
    elif case == "time":
        p.write_text("time\t-15\t-10\n0\t1\t2\n0.2\t1\t3\n0.1\t1\t3\n")
    elif case == "short":
        _write_cc(p, np.arange(0, 8.001, 0.01), good)
    elif case == "noheader":
        _write_cc(p, t, good, header=False)
    elif case == "amp":
        _write_cc(p, t, good, amps=[-15, 12])
    elif case == "unit":
        _write_cc(p, t, [c * 1000 for c in good])
    with pytest.raises(NeurogenError, match=match):
        load_cclamp(p, **kw)


def test_vclamp_loader_and_extrapolation(tmp_path):
    from neurogen.epgan.recorded import load_vclamp

    levels = np.arange(-100.0, 41.0, 10.0)  # misses -120, -110 and +50
    t = np.arange(0, 0.5, 0.001)
    cols = [(3.0 * v + 10) * (1 - np.exp(-t / 0.02)) for v in levels]
    _write_cc(tmp_path / "vc.txt", t, cols, amps=levels)
    iv = load_vclamp(tmp_path / "vc.txt", ss_fraction=0.2)
    assert iv.shape == (1, 18)
    np.testing.assert_allclose(iv[0], 3.0 * IV_V + 10, rtol=1e-3, atol=0.05)
    p = tmp_path / "bad.txt"
    p.write_text("time\t-100\n0\t1\n0.1\t2\n")
    with pytest.raises(NeurogenError, match="at least 2 voltage levels"):
        load_vclamp(p)


# ------------------------------------------------------------------ the rules' library functions
def test_pipeline_end_to_end_on_toy(toy_h5, tmp_path):

    from neurogen.epgan import pipeline
    from neurogen.io import savefig
    from neurogen.plots import epgan as plots

    test_h5 = tmp_path / "test.h5"
    write_dataset(test_h5, 12, seed=9)
    be = make_backend()
    cfg = TrainConfig.from_dict({**TINY, "epochs": 3}, seed=1)
    bundle, hist, cand = pipeline.train(be, toy_h5, test_h5, cfg, tmp_path / "ck.pt")
    assert cand.shape == (3, 12, 5) and len(hist) == 3
    from neurogen.epgan.train import save_bundle

    save_bundle(bundle, tmp_path / "model.pt")
    preds = pipeline.predict(be, tmp_path / "model.pt", cand, test_h5)
    assert preds["epgan_selected"].shape == (12, 5) and set(preds["selected_epoch"]) <= {1, 2, 3}
    # the selected set is, per neuron, at least as close to the input as every epoch's candidate
    base = pipeline.baselines(be, toy_h5, test_h5)
    preds.update(base)
    preds.update(pipeline.true_parameters(be, test_h5))
    per = pipeline.per_neuron_table(be, preds, test_h5)
    assert set(per.method) == set(pipeline.METHODS) and len(per) == 5 * 12
    floor = per[per.method == "true_parameters"]["rmse_avg_mV"]
    assert floor.max() < 1e-3  # same simulator, same step: exact
    assert np.isfinite(per[["rmse_avg_mV", "iv_rmse_pA"]].to_numpy()).all()
    summ = pipeline.summary_table(per)
    assert set(summ["type"]) >= {"all"} and (summ[summ.type == "all"]["n"] == 12).all()
    inp = pipeline.input_ablation(be, tmp_path / "model.pt", test_h5)
    assert inp["n_traces"].tolist() == [11, 8, 6, 3, 11, 11, 11]
    assert inp["n_iv_removed"].tolist() == [0, 0, 0, 0, 4, 9, 14]
    sp = pipeline.inference_speed(tmp_path / "model.pt", ns=(1, 9), repeats=2)
    assert sp["n_neurons"].tolist() == [1, 9] and (sp["wall_s_median"] > 0).all()
    loss = pipeline.loss_ablation_table({"full": per[per.method.str.startswith("epgan")]}, {"full": cfg.losses})
    assert len(loss) == 2
    for fig in (
        plots.overlays(
            per,
            preds["epgan_selected_responses"],
            preds["epgan_selected_responses"],
            base["default"][:, :1].repeat(18, 1),
            be.iv(preds["epgan_selected"], IV_V),
            TIME,
            AMPS,
            IV_V,
        ),
        plots.error_distributions(per),
        plots.training_curves(hist),
        plots.ablation_bars(inp, loss),
    ):
        savefig(fig, tmp_path / "f.png")
    assert (tmp_path / "f.png").stat().st_size > 1000
