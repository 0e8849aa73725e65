"""Fitting stage: budgets, selection, the pymoo problem, each algorithm's recovery of known
parameters, NPE, the comparison/cost tables, bad input."""

import json

import numpy as np
import pandas as pd
import pytest
from fittoy import ToySimulator

from neurogen import NeurogenError
from neurogen.fit import compare
from neurogen.fit.algorithms import ALGORITHMS, DEMO, make_algorithm, run_algorithm
from neurogen.fit.budget import generations, per_neuron_budget
from neurogen.fit.data import choose_targets, read_dataset
from neurogen.fit.metrics import response_rmse, window_masks
from neurogen.fit.problem import PENALTY, FitProblem
from neurogen.fit.run import fit_one
from neurogen.fit.selection import didv, load_didv_bounds, select, within_bounds

TRUE = np.array([0.3, -55.0, 300.0, 1.0])


@pytest.fixture(autouse=True)
def _one_thread():
    import torch

    torch.set_num_threads(1)


def toy_target(sim=None, p=TRUE):
    sim = sim or ToySimulator()
    r, iv = sim.simulate(p[None])
    return sim, {"responses": r[0], "iv": iv[0], "time_s": sim.time_s, "responses_clean": r[0], "params": p}


# --- budget ---------------------------------------------------------------------------------


def test_budget_as_published():
    assert per_neuron_budget(32000, 9) == 3555
    assert generations(32000, 9, 600) == 6  # 3.6k samples per neuron
    assert generations(64000, 9, 600) == 12  # 7.2k
    assert generations(1000, 1, 100) == 10


@pytest.mark.parametrize(
    "args,msg",
    [
        ((100, 9, 600), "less than one population"),
        ((1000, 0, 10), "at least one target"),
        ((0, 9, 10), "positive"),
        ((1000, 1, 2), "pop_size"),
    ],
)
def test_budget_errors(args, msg):
    with pytest.raises(NeurogenError, match=msg):
        generations(*args)


# --- metrics and selection ------------------------------------------------------------------


def test_windows_and_rmse():
    t = np.linspace(4, 11, 351)
    m = window_masks(t)
    assert m["pre"].sum() + m["mid"].sum() + m["post"].sum() >= len(t) - 1
    target = np.zeros((2, len(t)))
    sim = np.zeros((1, 2, len(t)))
    only_pre = m["pre"] & ~m["mid"]  # t = 5 s belongs to both pre (4, 5] and mid [5, 10]
    sim[0][:, only_pre] = 2.0
    assert m["pre"][t == 5.0].all() and m["mid"][t == 5.0].all()
    r = response_rmse(sim, target, m)[0]
    assert (
        r[0] == pytest.approx(2.0 * np.sqrt(only_pre.sum() / m["pre"].sum()))
        and r[1] == 0
        and r[2] == 0
        and r[3] == pytest.approx(r[0] / 3)
    )
    with pytest.raises(NeurogenError, match="post"):
        window_masks(np.linspace(4, 9, 10))


def test_didv_bounds_and_selection():
    v = np.array([-100.0, -50.0, 0.0])
    iv = np.array(
        [
            [-10.0, 0.0, 10.0],  # slope 0.2, 0.2
            [-10.0, 0.0, 50.0],  # 0.2, 1.0
            [0.0, 0.0, np.nan],
        ]
    )
    np.testing.assert_allclose(didv(iv[:2], v), [[0.2, 0.2], [0.2, 1.0]])
    ok = within_bounds(iv, v, lo=[0.1, 0.1], hi=[0.3, np.nan])
    assert ok.tolist() == [True, True, False]
    ok = within_bounds(iv, v, lo=[0.1, 0.1], hi=[0.3, 0.5])
    assert ok.tolist() == [True, False, False]
    # lowest averaged RMSE among those within bounds, not overall
    assert select([5.0, 1.0, 0.5], ok) == (0, True)
    # nothing within bounds: the overall best, flagged
    assert select([5.0, 1.0, np.nan], [False] * 3) == (1, False)
    with pytest.raises(NeurogenError, match="intervals"):
        within_bounds(iv, v, lo=[0.1], hi=[0.3])


def test_load_bounds(tmp_path):
    p = tmp_path / "b.csv"
    pd.DataFrame({"type": [0, 0, 1, 1], "lo": [0.1, 0.2, np.nan, 0.0], "hi": [1, 2, 3, 4]}).to_csv(p, index=False)
    b = load_didv_bounds(p, n_intervals=2)
    assert set(b) == {0, 1} and np.isnan(b[1][0][0])
    with pytest.raises(NeurogenError, match="intervals"):
        load_didv_bounds(p, n_intervals=3)
    pd.DataFrame({"type": [0], "low": [1]}).to_csv(p, index=False)
    with pytest.raises(NeurogenError, match="'lo'"):
        load_didv_bounds(p)
    # the hh stage's layout (slope_lo/slope_hi, ordered by v_lo_mV)
    pd.DataFrame({"type": [0, 0], "v_lo_mV": [-110, -120], "slope_lo": [2.0, 1.0], "slope_hi": [3.0, 4.0]}).to_csv(
        p, index=False
    )
    lo, hi = load_didv_bounds(p, n_intervals=2)[0]
    assert lo.tolist() == [1.0, 2.0] and hi.tolist() == [4.0, 3.0]


# --- the problem ----------------------------------------------------------------------------


def test_problem_batch_records_and_penalty():
    sim, tgt = toy_target()
    calls = []

    class Counting(ToySimulator):
        def simulate(self, p):
            calls.append(len(p))
            r, iv = super().simulate(p)
            r[p[:, 0] > 0.9] = np.nan  # some parameter sets blow up
            return r, iv

    pr = FitProblem(Counting(), tgt["responses"], tgt["iv"], free=[0, 1])
    X = np.random.default_rng(0).random((30, 2))
    F = pr.evaluate(X, return_values_of=["F"])
    assert calls == [30]  # one batch for the whole population
    assert F.shape == (30, 2) and pr.n_evaluated == 30
    bad = pr.to_physical(X)[:, 0] > 0.9
    assert bad.any() and (F[bad] == PENALTY).all() and np.isfinite(F[~bad]).all()
    rec = pr.recorded()
    np.testing.assert_array_equal(rec["x"], X.astype(np.float32))
    # the true parameters have zero error; x <-> physical round trip
    x_true = pr.to_normalised(TRUE[None])
    np.testing.assert_allclose(pr.to_physical(x_true)[0, :2], TRUE[:2])


@pytest.mark.parametrize("name", ALGORITHMS)
def test_each_algorithm_recovers_known_parameters(name):
    """Three free parameters of the model, the fourth fixed at its true value."""
    sim, tgt = toy_target()
    row, rec = fit_one(
        name,
        sim,
        tgt,
        seed=3,
        pop_size=30,
        CR=0.3,
        F=1.5 if name != "nsga2" else 0.5,
        budget_total=1200,
        n_targets=1,
        free=[0, 1, 2],
        fixed=TRUE,
    )
    assert row["samples_used"] == 1200 and row["n_gen"] == 40
    assert len(rec["x"]) == 1200  # every candidate recorded
    assert row["rmse_avg_mV"] < 1.0, row
    p = rec["params"][int(rec["selected"])]
    span = ToySimulator.hi - ToySimulator.lo
    assert np.all(np.abs(p[:3] - TRUE[:3]) / span[:3] < 0.05), (name, p)
    # the search improves on its random initial population
    assert row["rmse_avg_mV"] < np.nanmin(rec["rmse"][:30, 3])


def test_algorithm_reproducible_and_demo_population():
    sim, tgt = toy_target()
    out = []
    for _ in range(2):
        pr = FitProblem(sim, tgt["responses"], tgt["iv"], free=[0, 1, 2], fixed=TRUE)
        res = run_algorithm(pr, "demo", 12, 5, seed=11)
        out.append(pr.recorded()["x"])
        assert len(res.algorithm.pop) == 12 and pr.n_evaluated == 60
    np.testing.assert_array_equal(out[0], out[1])


TARGETS = [TRUE, np.array([0.6, -40.0, 150.0, 2.0]), np.array([0.1, -70.0, 450.0, 0.5])]


@pytest.mark.parametrize("name", ALGORITHMS)
def test_lockstep_equals_each_target_alone(name):
    """Targets fitted side by side (one simulator call per generation) give, target by target,
    exactly the candidates of pymoo.minimize on that target alone with the same seed."""
    from neurogen.fit.run import fit_many

    sim = ToySimulator()
    tgts = [toy_target(sim, p)[1] for p in TARGETS]
    seeds = [5, 17, 29]
    calls = []
    real = sim.simulate
    sim.simulate = lambda P: (calls.append(len(P)), real(P))[1]
    out = fit_many(name, sim, tgts, seeds=seeds, pop_size=12, budget_total=48, n_targets=1, demo_batches=2)
    # one call per generation for all 3 targets (DEMO: one per block of 6 parents after the first)
    assert calls == ([36] + [18] * 6 if name == "demo" else [36] * 4), calls
    sim.simulate = real
    for (row, rec), t, s in zip(out, tgts, seeds):
        pr = FitProblem(sim, t["responses"], t["iv"], target_clean=t["responses_clean"])
        run_algorithm(pr, name, 12, 4, seed=s, demo_batches=2)
        alone = pr.recorded()
        assert row["samples_used"] == 48
        for k in ("x", "F", "rmse", "iv"):
            np.testing.assert_array_equal(rec[k], alone[k], err_msg=f"{name} {k}")
    # the caller's random state is left as it was
    np.random.seed(123)
    a = np.random.random()
    np.random.seed(123)
    fit_many(name, sim, tgts[:2], seeds=seeds[:2], pop_size=12, budget_total=24, n_targets=1, demo_batches=2)
    assert np.random.random() == a


def test_methods_side_by_side_equal_each_method_alone():
    """Every evolutionary method on every target in one lockstep run (rule fit_search): one
    simulator call per generation of all method x target runs, and each method's candidates
    exactly those of that method run on its own."""
    from neurogen.fit.run import fit_many, fit_methods

    sim = ToySimulator()
    tgts = [toy_target(sim, p)[1] for p in TARGETS[:2]]
    seeds = {m: [3 + i, 40 + i] for i, m in enumerate(ALGORITHMS)}
    calls = []
    real = sim.simulate
    sim.simulate = lambda P: (calls.append(len(P)), real(P))[1]
    kw = dict(pop_size=12, budget_total=24, n_targets=1, demo_batches=1)
    out = fit_methods(list(ALGORITHMS), sim, tgts, seeds=seeds, **kw)
    assert calls == [12 * 2 * len(ALGORITHMS)] * 2, calls
    sim.simulate = real
    for m in ALGORITHMS:
        alone = fit_many(m, sim, tgts, seeds=seeds[m], **kw)
        assert len(out[m]) == len(tgts)
        for (row, rec), (row1, rec1) in zip(out[m], alone):
            assert row["method"] == m and row["samples_used"] == row1["samples_used"] == 24
            assert row["rmse_avg_mV"] == row1["rmse_avg_mV"]
            for k in ("x", "F", "rmse", "iv"):
                np.testing.assert_array_equal(rec[k], rec1[k], err_msg=f"{m} {k}")
    with pytest.raises(NeurogenError, match="one seed per target"):
        fit_methods(["nsga2", "gde3"], sim, tgts, seeds={"nsga2": [1, 2]}, **kw)


def test_refine_lockstep_equals_each_target_alone():
    from neurogen.fit.run import refine_many, refine_one

    sim = ToySimulator()
    tgts = [toy_target(sim, p)[1] for p in TARGETS]
    rng = np.random.default_rng(0)
    cands = [np.clip(p + rng.normal(0, 0.1, (5, 4)) * (sim.hi - sim.lo), sim.lo, sim.hi) for p in TARGETS]
    out = refine_many(sim, tgts, cands, budget=20, seeds=[1, 2, 3])
    for (row, rec), t, c, s in zip(out, tgts, cands, [1, 2, 3]):
        row1, rec1 = refine_one(ToySimulator(), t, c, budget=20, seed=s)
        assert row["refine_budget"] == row1["refine_budget"] == 20
        np.testing.assert_array_equal(rec["x"], rec1["x"])


def test_demo_replacement_rule():
    """A trial that dominates its parent replaces it; a dominated one is discarded."""
    from pymoo.core.population import Population

    sim, tgt = toy_target()
    pr = FitProblem(sim, tgt["responses"], tgt["iv"], free=[0, 1, 2], fixed=TRUE)
    algo = DEMO(pop_size=4, n_batches=1)
    algo.setup(pr, termination=("n_eval", 100), seed=1)
    pop = Population.new(X=np.full((4, 3), 0.5))
    pop.set("F", np.array([[1.0, 1.0], [1.0, 1.0], [1.0, 1.0], [1.0, 1.0]]))
    pop.set("CV", np.zeros((4, 1)))
    algo.pop = pop
    algo._next_parent = 0
    off = Population.new(X=np.full((4, 3), 0.1))
    off.set("F", np.array([[0.5, 0.5], [2.0, 2.0], [0.5, 2.0], [2.0, 0.5]]))
    off.set("CV", np.zeros((4, 1)))
    off.set("parent", np.arange(4))
    algo._advance(infills=off)
    F = algo.pop.get("F")
    assert len(F) == 4
    assert [0.5, 0.5] in F.tolist() and [2.0, 2.0] not in F.tolist()


def test_unknown_algorithm():
    with pytest.raises(NeurogenError, match="unknown algorithm"):
        make_algorithm("cmaes", 10)
    sim, tgt = toy_target()
    with pytest.raises(NeurogenError, match="unknown method"):
        fit_one("cmaes", sim, tgt)


# --- NPE ------------------------------------------------------------------------------------


def test_npe_recovers_parameters():
    from neurogen.fit import npe

    sim = ToySimulator(n_time=70)
    rng = np.random.default_rng(0)
    x = rng.random((1500, 4))
    pr = FitProblem(sim, *sim.simulate(TRUE[None])[0][0:1], sim.simulate(TRUE[None])[1][0])
    r, iv = sim.simulate(pr.to_physical(x))
    post, info = npe.train(x, npe.features(r, iv, stride=5), seed=0, max_epochs=60, hidden=64, embedding_dim=16)
    assert info["n_train"] == 1500
    sim2, tgt = toy_target(ToySimulator(n_time=70))
    row, rec = fit_one(
        "npe",
        sim2,
        tgt,
        seed=1,
        npe_posterior=post,
        npe_k=29,
        npe_map=True,
        npe_stride=5,
        npe_feature_mask=info["feature_mask"],
    )
    assert row["samples_used"] == 30 and row["selected"] in ("sample", "map")
    assert row["param_mae_norm"] < 0.1, row
    # better than the average random draw from the prior
    rand = FitProblem(sim2, tgt["responses"], tgt["iv"])
    rand.evaluate(rng.random((30, 4)))
    assert row["rmse_avg_mV"] < np.median(rand.recorded()["rmse"][:, 3])
    with pytest.raises(NeurogenError, match="at least 5"):
        npe.train(x[:4], npe.features(r[:4], iv[:4]), seed=0)


def test_npe_posterior_saved_as_weights(tmp_path, caplog):
    """posterior.pt holds weights and plain settings only (torch.load(weights_only=True)); the
    reloaded posterior gives the same candidates; every epoch is logged."""
    import logging

    import torch

    from neurogen.fit import npe

    sim = ToySimulator(n_time=70)
    rng = np.random.default_rng(0)
    x = rng.random((200, 4))
    r, iv = sim.simulate(sim.lo + x * (sim.hi - sim.lo))
    feats = npe.features(r, iv, stride=5)
    with caplog.at_level(logging.INFO, logger="npe-test"):
        post, info = npe.train(
            x, feats, seed=0, max_epochs=3, hidden=16, embedding_dim=8, log=logging.getLogger("npe-test")
        )
    assert sum("NPE epoch" in m for m in caplog.messages) == info["epochs"] >= 1
    npe.save_posterior(post, info, 5, tmp_path / "posterior.pt")
    torch.load(tmp_path / "posterior.pt", weights_only=True)
    post2, info2, stride = npe.load_posterior(tmp_path / "posterior.pt")
    assert stride == 5 and info2["n_train"] == 200
    np.testing.assert_array_equal(info2["feature_mask"], info["feature_mask"])
    a, _ = npe.candidates(post, feats[0], 5, seed=3, use_map=False, feature_mask=info["feature_mask"])
    b, _ = npe.candidates(post2, feats[0], 5, seed=3, use_map=False, feature_mask=info2["feature_mask"])
    np.testing.assert_allclose(a, b, atol=1e-5)
    (tmp_path / "bad.pt").write_bytes(b"not a posterior")
    with pytest.raises(NeurogenError, match="bad.pt"):
        npe.load_posterior(tmp_path / "bad.pt")


# --- data, targets, comparison ---------------------------------------------------------------


def _write_h5(path, n=12, drop=None):
    import h5py

    sim = ToySimulator()
    rng = np.random.default_rng(1)
    p = sim.lo + rng.random((n, 4)) * (sim.hi - sim.lo)
    r, iv = sim.simulate(p)
    with h5py.File(path, "w") as f:
        data = {
            "params": p.astype("f4"),
            "responses": r.astype("f4"),
            "responses_clean": r.astype("f4"),
            "iv": iv.astype("f4"),
            "type": (np.arange(n) % 3).astype("i1"),
            "time_s": sim.time_s,
            "amplitudes_pA": sim.amplitudes_pA,
            "iv_v_mV": sim.v_mV,
            "param_names": np.array(sim.names, dtype="S"),
        }
        for k, v in data.items():
            if k != drop:
                f[k] = v
        f.attrs["type_names"] = ["transient", "outward", "bistable"]


def test_read_dataset_and_targets(tmp_path):
    p = tmp_path / "test.h5"
    _write_h5(p)
    ds = read_dataset(p, rows=[5, 1])
    assert ds["params"].shape == (2, 4) and ds["rows"].tolist() == [1, 5]
    assert ds["param_names"] == ToySimulator.names and ds["type_names"][2] == "bistable"
    idx = choose_targets(read_dataset(p, fields=("type",))["type"], per_type=2, seed=0)
    types = np.arange(12) % 3
    assert len(idx) == 6 and sorted(np.bincount(types[idx]).tolist()) == [2, 2, 2]
    assert choose_targets(types, per_type=2, seed=0).tolist() == idx.tolist()
    with pytest.raises(NeurogenError, match="only 4"):
        choose_targets(types, per_type=5)
    with pytest.raises(NeurogenError, match="0..11"):
        choose_targets(types, indices=[3, 40])
    _write_h5(tmp_path / "bad.h5", drop="iv")
    with pytest.raises(NeurogenError, match="bad.h5: missing dataset 'iv'"):
        read_dataset(tmp_path / "bad.h5")
    (tmp_path / "junk.h5").write_text("not hdf5")
    with pytest.raises(NeurogenError, match="junk.h5"):
        read_dataset(tmp_path / "junk.h5")


def test_comparison_medians_cost():
    rows = []
    for m, t_neuron in [("nsga2", 10.0), ("npe", 2.0)]:
        for k in range(3):
            rows.append(
                {
                    "model": "small",
                    "method": m,
                    "budget_total": 900,
                    "target": k,
                    "neuron": k,
                    "rmse_avg_mV": float(k + 1),
                    "iv_rmse_pA": 2.0 * k,
                    "samples_used": 300,
                    "wall_time_s": t_neuron,
                    "train_time_s": 100.0 if m == "npe" else np.nan,
                    "train_samples": 900 if m == "npe" else np.nan,
                    "meets_bounds": True,
                }
            )
    df = compare.comparison(rows)
    assert list(df.columns[: len(compare.COLUMNS)]) == compare.COLUMNS
    med = compare.medians(df).set_index("method")
    assert med.loc["nsga2", "rmse_avg_median_mV"] == 2.0 and med.loc["nsga2", "n_neurons"] == 3
    cost = compare.cost_curve(df, s_per_sample=0.5).set_index(["method", "n_neurons"])
    assert cost.loc[("nsga2", 279), "T_hours"] == pytest.approx(279 * 10 / 3600)
    # amortised: data (900 x 0.5 s) + training (100 s) + N x inference
    assert cost.loc[("npe", 279), "T_hours"] == pytest.approx((450 + 100 + 279 * 2) / 3600)
    assert cost.loc[("npe", 279), "extrapolated"] and not cost.loc[("npe", 3), "extrapolated"]
    with pytest.raises(NeurogenError):
        compare.cost_curve(df, s_per_sample=float("nan"))


def test_config_checks():
    from pathlib import Path

    from neurogen.fit.config import check as _check_fit

    base = {"algorithms": ["nsga2", "npe"], "budgets": [900], "pop_size": 100, "targets": {"per_type": 1}}
    assert _check_fit({"fit": base}, Path(".")) == []
    errs = _check_fit({"fit": dict(base, algorithms=["cmaes"])}, Path("."))
    assert any("unknown method 'cmaes'" in e for e in errs)
    errs = _check_fit({"fit": dict(base, budgets=[100])}, Path("."))
    assert any("less than one population" in e for e in errs)
    errs = _check_fit({"fit": dict(base, epgan={"enabled": True, "history": "h.csv"})}, Path("."))
    assert any("fit.epgan" in e and "predictions" in e for e in errs)
    errs = _check_fit({"fit": dict(base, refine={"enabled": True}, epgan={"enabled": False})}, Path("."))
    assert any("fit.refine.enabled" in e for e in errs)
    errs = _check_fit({"fit": dict(base, budget_unit="per_neuron", budgets=[100], pop_size=100)}, Path("."))
    assert errs == []  # 100 per neuron = one population
    errs = _check_fit({"fit": dict(base, budget_unit="per_day")}, Path("."))
    assert any("fit.budget_unit" in e for e in errs)
    errs = _check_fit({"fit": dict(base, didv_bounds="nope.csv")}, Path("."))
    assert any("fit.didv_bounds" in e for e in errs)
    from neurogen.config import check_config

    with pytest.raises(NeurogenError, match="unknown method 'cmaes'"):
        check_config({"stages": ["fit"], "fit": dict(base, algorithms=["cmaes"])})


# --- the real HH model ------------------------------------------

HH_SHORT = dict(t_total_s=1.5, step_s=(0.5, 1.0), window_s=(0.4, 1.1), n_points=70, amplitudes_pA=(-15.0, 5.0, 25.0))


@pytest.fixture(scope="module")
def hh_sim():
    from conftest import ROOT

    from neurogen.fit.simulator import HHSimulator

    # the published protocol shortened 10x (same shape: rest, step, recovery) to keep the test fast
    return HHSimulator("small", table=str(ROOT / "resources/hh/params.csv"), dt_ms=2.0, protocol=HH_SHORT)


@pytest.mark.parametrize("name", ALGORITHMS)
def test_each_algorithm_recovers_hh_conductances(hh_sim, name):
    """Three conductances of the small HH model free, all other parameters fixed at the truth."""
    sim = hh_sim
    p_true = sim.lo + 0.5 * (sim.hi - sim.lo)
    free = [sim.names.index(n) for n in ("SHK1_g", "LEAK_g", "EGL19_g")]
    r, iv = sim.simulate_with_iv(p_true[None])
    tgt = {"responses": r[0], "iv": iv[0], "time_s": sim.time_s, "params": p_true, "responses_clean": r[0]}
    row, rec = fit_one(
        name, sim, tgt, seed=1, pop_size=24, budget_total=192, n_targets=1, free=free, fixed=p_true, demo_batches=1
    )
    assert row["samples_used"] == 192
    p = rec["params"][int(rec["selected"])]
    err = np.abs(p[free] - p_true[free]) / (sim.hi - sim.lo)[free]
    assert row["rmse_avg_mV"] < 1.0 and np.all(err < 0.1), (name, row["rmse_avg_mV"], err)
    assert row["rmse_avg_mV"] < np.nanmin(rec["rmse"][:24, 3]) or row["rmse_avg_mV"] < 0.3


# --- budget-honest comparison: counting, one scoring function, lookups, refinement ----------------


def test_counts_and_budget_units():
    from neurogen.fit.budget import total_budget
    from neurogen.fit.score import counts

    costs = {"simulated": 1.5, "screened": 40.0}
    c = counts(9, n_train=32000, costs=costs, selection=100, search=300)
    assert c["train_simulations"] == 48000 and c["screened"] == 32000 * 40
    assert c["total_simulations_per_neuron"] == 48000 / 9 + 100 + 300
    assert c["total_simulations"] == 48000 + 9 * 400
    c = counts(9, search=3600)
    assert c["train_simulations"] == 0 and c["total_simulations_per_neuron"] == 3600
    with pytest.raises(NeurogenError, match="acceptance"):
        counts(9, n_train=10)
    assert total_budget(3600, 9, "per_neuron") == 32400 and total_budget(32400, 9, "total") == 32400
    assert generations(total_budget(3600, 9, "per_neuron"), 9, 600) == 6
    with pytest.raises(NeurogenError, match="budget_unit"):
        total_budget(1, 1, "weekly")


def _toy_adapter(ds=None):
    import epgan_toy as T

    from neurogen.hh.adapter import HHAdapter

    kw = {} if ds is None else dict(amplitudes_pA=ds["amplitudes_pA"], v_mV=ds["iv_v_mV"], time_s=ds["time_s"])
    return HHAdapter(T.ToySpace(), T.ToyModel(), T.steady_state_iv, T.simulate_cclamp, {"dt_ms": 10.0}, **kw)


def test_one_adapter_for_both_stages(caplog):
    import logging

    import epgan_toy as T

    from neurogen.epgan.backend import HHBackend
    from neurogen.hh.adapter import HHAdapter

    assert HHBackend is HHAdapter
    be = _toy_adapter()
    be.amplitudes_pA, be.v_mV, be.time_s = T.AMPS, T.IV_V, T.TIME
    x = be.free_lo + 0.3 * (be.free_hi - be.free_lo)
    r1 = be.simulate(np.stack([x, x]), T.AMPS)
    r2, iv = be.simulate_with_iv(np.stack([x, x]))
    np.testing.assert_allclose(r1, r2, rtol=1e-5)
    np.testing.assert_allclose(iv, be.iv(np.stack([x, x]), T.IV_V))
    assert be.n_simulated == 4 and be.sim_time_s > 0
    be.log, be.log_every_s, be.chunk = logging.getLogger("toy"), 0.0, 1
    with caplog.at_level(logging.INFO, logger="toy"):
        be.simulate_with_iv(np.stack([x, x, x]))
    assert any("parameter sets" in m for m in caplog.messages)


def test_knn_lookup_agrees_with_nearest_neighbour(tmp_path):
    import epgan_toy as T

    from neurogen.epgan.data import H5Data, Normalizer
    from neurogen.epgan.evaluate import nearest_neighbour
    from neurogen.fit.lookup import k_nearest, lookups

    T.write_dataset(tmp_path / "train.h5", 25, seed=0)
    _, clean, iv = T.write_dataset(tmp_path / "test.h5", 3, seed=1)
    tr = H5Data(tmp_path / "train.h5", need_params=True)
    norm = Normalizer.fit(tr, np.arange(tr.n))
    te = H5Data(tmp_path / "test.h5").read(0, 3, keys=("responses", "iv"))
    idx = k_nearest(tr, norm, te["responses"], te["iv"], 4, chunk=7)  # chunks smaller than the file
    nn_i, _ = nearest_neighbour(tr, norm, te["responses"], te["iv"])
    np.testing.assert_array_equal(idx[:, 0], nn_i)
    ds = {"amplitudes_pA": T.AMPS, "iv_v_mV": T.IV_V, "time_s": T.TIME}
    sim = _toy_adapter(ds)
    lk = lookups(tmp_path / "train.h5", te["responses"], te["iv"], 4, sim)
    assert sim.n_simulated == 3 * 4 and lk["k"] == 4
    assert all(lk["knn_index"][i] in idx[i] for i in range(3))
    with pytest.raises(NeurogenError, match="k = 40"):
        k_nearest(tr, norm, te["responses"], te["iv"], 40)


def test_refinement_counts_and_improves():
    from neurogen.fit.run import refine_one

    sim, tgt = toy_target()
    sim.n_simulated = 0
    rng = np.random.default_rng(0)
    cand = TRUE + rng.normal(0, 0.15, (5, 4)) * (sim.hi - sim.lo)
    cand = np.clip(cand, sim.lo, sim.hi)
    row, rec = refine_one(sim, tgt, cand, budget=60, seed=3)
    # whole generations of 5 within 60: 12 generations
    assert row["samples_used"] == 5 + 60 and sim.n_simulated == 65
    assert row["n_epgan_candidates"] == 5 and row["refine_budget"] == 60
    _, rec3 = refine_one(ToySimulator(), tgt, cand[:2], budget=10, seed=3)  # 2 candidates: padded to 4
    assert len(rec3["x"]) == 2 + 2 + 4 + 4  # padding + 2 generations of 4 = 10
    start = float(np.min(rec["rmse"][:5, 3]))
    assert row["rmse_avg_fit_mV"] <= start
    assert len(rec["selected_params"]) == 4
    row2, _ = refine_one(ToySimulator(), tgt, cand, budget=60, seed=3)
    assert row2["rmse_avg_mV"] == row["rmse_avg_mV"]  # seeded


def test_score_every_method_by_one_function(tmp_path, monkeypatch):
    """Every row of every method goes through score_final once, with one simulator; EP-GAN's row
    equals an independent simulation of its predictions.npz parameters; every sample is counted."""

    import epgan_toy as T

    from neurogen.fit import pipeline
    from neurogen.hh.metrics import response_rmse

    T.write_dataset(tmp_path / "train.h5", 30, seed=0)
    T.write_dataset(tmp_path / "test.h5", 6, seed=1)
    pd.DataFrame({"step": ["1_sampled", "2_selected_balanced", "3_accepted"], "n": [300, 60, 36]}).to_csv(
        tmp_path / "acceptance.csv", index=False
    )
    tg = pd.DataFrame({"target": [0, 1], "neuron": [2, 4], "type": [0, 1], "type_name": ["a", "b"]})
    tg.to_csv(tmp_path / "targets.csv", index=False)
    be = _toy_adapter()
    rng = np.random.default_rng(0)
    F = len(be.free_names)

    def draw(n):
        return be.free_lo + rng.random((n, F)) * (be.free_hi - be.free_lo)

    paths = []
    for method, extra in (
        ("nsga2", {"samples_used": 16}),
        ("npe", {"samples_used": 7, "train_samples": 20}),
        ("epgan_refine", {"samples_used": 9, "n_epgan_candidates": 3, "refine_budget": 6}),
    ):
        for t in (0, 1):
            p = tmp_path / f"{method}_{t}.json"
            p.write_text(
                json.dumps(
                    {
                        "method": method,
                        "budget_total": 32,
                        "target": t,
                        "s_per_sample": 0.01,
                        "selected_params": draw(1)[0].tolist(),
                        **extra,
                    }
                )
            )
            paths.append(p)
    sel = draw(6)
    np.savez(tmp_path / "predictions.npz", epgan_selected=sel, inference_time_s=np.float64(0.06))
    pd.DataFrame({"train_time_s": [1.0, 2.0]}).to_csv(tmp_path / "history.csv", index=False)
    monkeypatch.setattr(pipeline, "simulator", lambda model, table, sim, device, ds, log=None: _toy_adapter(ds))
    calls = []
    real = pipeline.score_final

    def spy(sim, params, *a, **k):
        calls.append(len(params))
        return real(sim, params, *a, **k)

    monkeypatch.setattr(pipeline, "score_final", spy)
    df = pipeline.score(
        "small",
        targets_csv=tmp_path / "targets.csv",
        test_h5=tmp_path / "test.h5",
        train_h5=tmp_path / "train.h5",
        acceptance_csv=tmp_path / "acceptance.csv",
        table=None,
        results=[p for p in paths if "refine" not in p.name],
        refined=[p for p in paths if "refine" in p.name],
        epgan={
            "predictions": tmp_path / "predictions.npz",
            "history": tmp_path / "history.csv",
            "method": "epgan_selected",
        },
        lookups=["nn", "knn_sim"],
        k=3,
        epgan_n_train=0,
        sim_cfg={"dt_ms": 10.0},
    )
    assert calls == [len(df)]  # one call scored every row
    assert sorted(df["method"].unique()) == ["epgan", "epgan_refine", "knn_sim", "nn", "npe", "nsga2"]
    assert (df.groupby("method")["target"].nunique() == 2).all()
    spa = 60 / 36
    c = df.set_index("method")
    assert (c.loc["nsga2", "search_simulations"] == 16).all() and (c.loc["nsga2", "train_simulations"] == 0).all()
    np.testing.assert_allclose(c.loc["npe", "train_simulations"], 20 * spa)
    np.testing.assert_allclose(c.loc["epgan", "train_simulations"], 30 * spa)
    np.testing.assert_allclose(c.loc["epgan", "screened"], 30 * 300 / 36)
    assert (c.loc["epgan", "selection_simulations"] == 3).all() and (c.loc["knn_sim", "search_simulations"] == 3).all()
    assert (c.loc["nn", "search_simulations"] == 0).all()
    assert (c.loc["epgan_refine", "selection_simulations"] == 3).all()
    assert (c.loc["epgan_refine", "search_simulations"] == 6).all()
    np.testing.assert_allclose(
        df["total_simulations_per_neuron"],
        df["train_simulations"] / 2 + df["selection_simulations"] + df["search_simulations"],
    )
    # EP-GAN's row recomputed independently
    test = read_dataset(tmp_path / "test.h5", rows=[2, 4])
    r = be.simulate(sel[[2, 4]], T.AMPS)
    want = response_rmse(r, test["responses_clean"], T.TIME)["avg"]
    got = df[df["method"] == "epgan"].sort_values("target")["rmse_avg_mV"].to_numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_library_defaults_equal_config():
    """One source of defaults: the library's defaults for the fit keys equal config/config.yaml's,
    and the rules read config["fit"] without fallbacks."""
    import inspect

    import yaml
    from conftest import ROOT

    from neurogen.fit import algorithms, run

    cfg = yaml.safe_load((ROOT / "config/config.yaml").read_text())["fit"]

    def defaults(fn):
        return {
            k: v.default
            for k, v in inspect.signature(fn).parameters.items()
            if v.default is not inspect.Parameter.empty
        }

    d = defaults(run.fit_methods)
    for key, arg in [
        ("pop_size", "pop_size"),
        ("CR", "CR"),
        ("F", "F"),
        ("demo_batches", "demo_batches"),
        ("budget_unit", "budget_unit"),
    ]:
        assert d[arg] == cfg[key], key
    for key, arg in [("k", "npe_k"), ("map", "npe_map"), ("stride", "npe_stride")]:
        assert d[arg] == cfg["npe"][key], key
    r = defaults(run.refine_many)
    assert r["budget"] == cfg["refine"]["budget"] and r["CR"] == cfg["refine"]["CR"] and r["F"] == cfg["refine"]["F"]
    assert defaults(algorithms.make_algorithm)["demo_batches"] == cfg["demo_batches"]
    assert defaults(algorithms.run_algorithm)["demo_batches"] == cfg["demo_batches"]
    assert defaults(algorithms.DEMO.__init__)["n_batches"] == cfg["demo_batches"]
    assert defaults(algorithms.DEMO.__init__)["pop_size"] == cfg["pop_size"]
    rules = (ROOT / "workflow/rules/fit.smk").read_text()
    assert "FT.get(" not in rules and 'config.get("fit"' not in rules
    for script in (ROOT / "workflow/scripts").glob("fit_*.py"):
        assert '.get("pop_size"' not in script.read_text() and "demo_batches" not in script.read_text(), script
