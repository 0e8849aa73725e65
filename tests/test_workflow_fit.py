"""End-to-end: the hh, epgan and fit stages on config/test.yaml (in a temporary copy): EP-GAN
trained, evaluated and compared with the optimisers on the same target neurons."""
import json

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
def ran(tmp_path_factory):
    from conftest import copy_workflow

    wf = copy_workflow(tmp_path_factory.mktemp("fit") / "wf")
    snakemake(wf, "--configfile", "config/test.yaml", _fit_only(wf))
    return wf


def test_comparison_tables_and_figures(ran):
    f = TEST_CFG["fit"]
    d = ran / "results" / "fit"
    cmp_ = pd.read_csv(d / "comparison.csv")
    n_targets = len(f["targets"]["indices"]) if "indices" in f["targets"] else 3 * f["targets"]["per_type"]
    n_epgan = (cmp_["method"] == "epgan").sum()
    assert n_epgan == len(f["models"]) * n_targets
    cmp_ = cmp_[cmp_["method"] != "epgan"]
    assert len(cmp_) == len(f["models"]) * len(f["budgets"]) * len(f["algorithms"]) * n_targets
    for c in ["rmse_pre_mV", "rmse_mid_mV", "rmse_post_mV", "rmse_avg_mV", "iv_rmse_pA", "samples_used",
              "wall_time_s", "meets_bounds"]:
        assert cmp_[c].notna().all(), c
    assert (cmp_["rmse_avg_mV"] > 0).all()
    np.testing.assert_allclose(cmp_["rmse_avg_mV"], cmp_[["rmse_pre_mV", "rmse_mid_mV", "rmse_post_mV"]].mean(axis=1),
                               rtol=1e-6)
    opt = cmp_[cmp_["method"] != "npe"]
    per = np.array(opt["budget_total"]) // n_targets
    assert (opt["samples_used"] == np.round(per / f["pop_size"]) * f["pop_size"]).all()
    npe = cmp_[cmp_["method"] == "npe"]
    if len(npe):
        assert (npe["samples_used"] == f["npe"]["k"] + int(f["npe"]["map"])).all()
        assert npe["train_samples"].notna().all() and (npe["train_time_s"] > 0).all()
    med = pd.read_csv(d / "medians.csv")
    assert len(med) == len(f["models"]) * (len(f["budgets"]) * len(f["algorithms"]) + 1)   # + EP-GAN
    cost = pd.read_csv(d / "cost.csv")
    assert 279 in set(cost["n_neurons"]) and cost["extrapolated"].any()
    for p in ("rmse.png", "cost_curve.png"):
        assert (d / p).stat().st_size > 10_000
    # every candidate recorded, the selected one within them
    z = np.load(next((d / f["models"][0]).glob("b*/nsga2/t0_candidates.npz")))
    assert len(z["x"]) == opt["samples_used"].iloc[0] and 0 <= int(z["selected"]) < len(z["x"])


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
    for f in ("overlays.png", "errors.png", "full/training.png"):
        assert (d / f).stat().st_size > 10_000, f


def test_epgan_rows_are_the_epgan_stage_results(ran):
    """EP-GAN's rows of the comparison are the epgan stage's results on the same target neurons."""
    model = TEST_CFG["fit"]["models"][0]
    targets = pd.read_csv(ran / "results" / "fit" / model / "targets.csv")
    per = pd.read_csv(ran / "results" / "epgan" / model / "per_neuron.csv")
    per = per[per["method"] == "epgan_selected"].set_index("neuron")
    cmp_ = pd.read_csv(ran / "results" / "fit" / "comparison.csv")
    e = cmp_[cmp_["method"] == "epgan"].set_index("neuron")
    assert sorted(e.index) == sorted(targets["neuron"])
    np.testing.assert_allclose(e["rmse_avg_mV"], per.loc[e.index, "rmse_avg_mV"])
    assert (e["train_time_s"] > 0).all()
    # the selection's simulations are EP-GAN's per-neuron samples and cost
    base = yaml.safe_load((ROOT / "config/config.yaml").read_text())["epgan"]
    ep = TEST_CFG.get("epgan", {})
    sel = ep.get("selection_epochs", base["selection_epochs"])
    k = min(sel or 10**9, ep.get("train", {}).get("epochs", base["train"]["epochs"]))
    assert (e["samples_used"] == k).all()
    opt = cmp_[~cmp_["method"].isin(["epgan", "npe"])]
    assert (e["wall_time_s"] >= k * opt["s_per_sample"].median() * 0.999).all()
