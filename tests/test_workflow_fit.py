"""End-to-end: the hh, epgan and fit stages on config/test.yaml (the session's run of it, in a
temporary copy): EP-GAN trained, evaluated and compared with the optimisers on the same target
neurons."""

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT, snakemake

pytestmark = pytest.mark.workflow

TEST_CFG = yaml.safe_load((ROOT / "config/test.yaml").read_text())


def _fit_only(wf):
    """A config that builds the epgan and fit stages (and what they need: the hh datasets), with
    EP-GAN's rows in the comparison."""
    p = wf / "fit_only.yaml"
    p.write_text("stages: [epgan, fit]\nfit:\n  epgan: {enabled: true}\n")
    return p


@pytest.fixture(scope="module")
def ran(request, tmp_path_factory):
    """The test config's run (conftest's, shared with the operations tests) where it builds the
    epgan and fit stages with EP-GAN's rows; else a run of just those stages."""
    if {"epgan", "fit"} <= set(TEST_CFG["stages"]) and _cfg("fit")["epgan"]["enabled"]:
        return request.getfixturevalue("test_config_run")
    from conftest import copy_workflow

    wf = copy_workflow(tmp_path_factory.mktemp("fit") / "wf")
    snakemake(wf, "--configfile", "config/test.yaml", _fit_only(wf))
    return wf


BASE = yaml.safe_load((ROOT / "config/config.yaml").read_text())


def _cfg(stage):
    """The merged config block (config.yaml overridden by test.yaml, recursively)."""

    def merge(a, b):
        out = dict(a)
        for k, v in b.items():
            out[k] = merge(a[k], v) if isinstance(v, dict) and isinstance(a.get(k), dict) else v
        return out

    return merge(BASE[stage], TEST_CFG.get(stage, {}))


def _k():
    ep = _cfg("epgan")
    return min(ep["selection_epochs"] or 10**9, ep["train"]["epochs"])


def test_comparison_tables_and_figures(ran):
    f = _cfg("fit")
    d = ran / "results" / "fit"
    cmp_ = pd.read_csv(d / "comparison.csv")
    n_targets = len(f["targets"]["indices"]) if "indices" in f["targets"] else 3 * f["targets"]["per_type"]
    extra = ["epgan", "epgan_refine"] + f["lookups"]
    for m in extra:
        assert (cmp_["method"] == m).sum() == len(f["models"]) * n_targets, m
    # every row scored at the hh stage's step, by the same function (fit_score)
    assert (cmp_["scored_dt_ms"] == _cfg("hh")["dt_ms"]).all()
    for c in [
        "rmse_pre_mV",
        "rmse_mid_mV",
        "rmse_post_mV",
        "rmse_avg_mV",
        "iv_rmse_pA",
        "train_simulations",
        "screened",
        "selection_simulations",
        "search_simulations",
        "total_simulations_per_neuron",
        "total_simulations",
        "wall_time_s",
    ]:
        assert cmp_[c].notna().all(), c
    np.testing.assert_allclose(
        cmp_["rmse_avg_mV"], cmp_[["rmse_pre_mV", "rmse_mid_mV", "rmse_post_mV"]].mean(axis=1), rtol=1e-6
    )
    np.testing.assert_allclose(
        cmp_["total_simulations_per_neuron"],
        cmp_["train_simulations"] / n_targets + cmp_["selection_simulations"] + cmp_["search_simulations"],
    )
    fitted = cmp_[~cmp_["method"].isin(extra)]
    assert len(fitted) == len(f["models"]) * len(f["budgets"]) * len(f["algorithms"]) * n_targets
    assert (fitted["rmse_avg_mV"] > 0).all() and fitted["meets_bounds"].notna().all()
    opt = fitted[fitted["method"] != "npe"]
    per = np.array(opt["budget_total"]) // n_targets
    assert (opt["samples_used"] == np.round(per / f["pop_size"]) * f["pop_size"]).all()
    assert (opt["search_simulations"] == opt["samples_used"]).all() and (opt["train_simulations"] == 0).all()
    # the optimisers' own scores (same simulator, same step) equal the shared scoring's
    np.testing.assert_allclose(opt["rmse_avg_mV"], opt["rmse_avg_search_mV"], rtol=1e-3, atol=1e-3)
    # training simulations: accepted training neurons x simulated per accepted (rejected sets included)
    acc = pd.read_csv(ran / "results" / "hh" / f["models"][0] / "acceptance.csv")
    spa = acc.loc[acc["step"] == "2_selected_balanced", "n"].sum() / acc.loc[acc["step"] == "3_accepted", "n"].sum()
    assert spa >= 1
    npe = fitted[fitted["method"] == "npe"]
    if len(npe):
        assert (npe["samples_used"] == f["npe"]["k"] + int(f["npe"]["map"])).all()
        assert (npe["search_simulations"] == npe["samples_used"]).all()
        np.testing.assert_allclose(npe["train_simulations"], npe["train_samples"] * spa)
        assert (npe["train_time_s"] > 0).all()
    ep = cmp_[cmp_["method"].isin(["epgan", "nn", "knn_sim", "epgan_refine"])]
    np.testing.assert_allclose(ep["train_simulations"], ep["train_samples"] * spa)
    k = _k()
    by = {m: cmp_[cmp_["method"] == m] for m in extra}
    assert (by["epgan"]["selection_simulations"] == k).all() and (by["epgan"]["search_simulations"] == 0).all()
    assert (by["nn"][["selection_simulations", "search_simulations"]] == 0).all().all()
    assert (by["knn_sim"]["search_simulations"] == k).all()
    assert (by["epgan_refine"]["selection_simulations"] == k).all()
    assert (
        (by["epgan_refine"]["search_simulations"] > 0)
        & (by["epgan_refine"]["search_simulations"] <= f["refine"]["budget"])
    ).all()
    med = pd.read_csv(d / "medians.csv")
    assert len(med) == len(f["models"]) * (len(f["budgets"]) * len(f["algorithms"]) + len(extra))
    assert med["total_simulations_per_neuron"].notna().all()
    cost = pd.read_csv(d / "cost.csv")
    assert 279 in set(cost["n_neurons"]) and cost["extrapolated"].any()
    for p in ("rmse.png", "cost_curve.png"):
        assert (d / p).stat().st_size > 10_000
    # every candidate recorded, the selected one within them
    z = np.load(next((d / f["models"][0]).glob("b*/nsga2/t0_candidates.npz")))
    assert len(z["x"]) == opt["samples_used"].iloc[0] and 0 <= int(z["selected"]) < len(z["x"])
    z = np.load(d / f["models"][0] / "refine" / "t0_candidates.npz")
    assert len(z["x"]) == k + by["epgan_refine"]["search_simulations"].iloc[0]


def test_epgan_outputs(ran):
    model = TEST_CFG["epgan"]["models"][0]
    d = ran / "results" / "epgan" / model
    per = pd.read_csv(d / "per_neuron.csv")
    for c in ["method", "neuron", "rmse_pre_mV", "rmse_mid_mV", "rmse_post_mV", "rmse_avg_mV", "iv_rmse_pA"]:
        assert c in per, c
    assert {"epgan_selected", "epgan_single"} <= set(per["method"])
    summ = pd.read_csv(d / "summary.csv")
    assert len(summ) and summ.filter(like="rmse").notna().any().any()
    assert len(pd.read_csv(d / "ablation_input.csv"))
    assert len(pd.read_csv(d / "speed.csv"))
    for f in ("overlays.png", "errors.png", f"{_cfg('epgan')['variant']}/training.png"):
        assert (d / f).stat().st_size > 10_000, f


def test_epgan_rows_rescored_independently(ran):
    """EP-GAN's rows are its selected parameters (the epgan stage's predictions.npz) simulated at
    the hh stage's step and scored with neurogen.hh.metrics, as every other row: recomputed here."""
    from neurogen.fit.data import read_dataset
    from neurogen.fit.simulator import HHSimulator
    from neurogen.hh.metrics import iv_rmse, response_rmse

    model = TEST_CFG["fit"]["models"][0]
    targets = pd.read_csv(ran / "results" / "fit" / model / "targets.csv")
    pred = np.load(ran / "results" / "epgan" / model / _cfg("epgan")["variant"] / "predictions.npz")
    cmp_ = pd.read_csv(ran / "results" / "fit" / "comparison.csv")
    e = cmp_[cmp_["method"] == "epgan"].set_index("neuron")
    assert sorted(e.index) == sorted(targets["neuron"])
    rows = sorted(targets["neuron"])
    ds = read_dataset(ran / "results" / "hh" / model / "test.h5", rows=rows)
    hh = _cfg("hh")
    sim = HHSimulator(
        model,
        table=str(ROOT / "resources/hh/params.csv"),
        amplitudes_pA=ds["amplitudes_pA"],
        v_mV=ds["iv_v_mV"],
        time_s=ds["time_s"],
        dt_ms=hh["dt_ms"],
        dtype=hh["precision"],
    )
    r, iv = sim.simulate_with_iv(pred["epgan_selected"][rows])
    rm = response_rmse(r, ds["responses_clean"], ds["time_s"])
    np.testing.assert_allclose(e.loc[rows, "rmse_avg_mV"], rm["avg"], rtol=1e-5)
    np.testing.assert_allclose(e.loc[rows, "iv_rmse_pA"], iv_rmse(iv, ds["iv"]), rtol=1e-5)
    assert (e["train_time_s"] > 0).all()
    opt = cmp_[~cmp_["method"].isin(["epgan", "npe", "nn", "knn_sim", "epgan_refine"])]
    assert (e["wall_time_s"] >= _k() * opt["s_per_sample"].median() * 0.999).all()
