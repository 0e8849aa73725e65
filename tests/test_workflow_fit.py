"""End-to-end: the hh + fit stages on config/test.yaml (in a temporary copy), with and without
EP-GAN rows."""
import json

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import ROOT, snakemake

pytestmark = pytest.mark.workflow

TEST_CFG = yaml.safe_load((ROOT / "config/test.yaml").read_text())


def _fit_only(wf):
    """A config that builds only the fit stage (and what it needs: the hh datasets)."""
    p = wf / "fit_only.yaml"
    p.write_text("stages: [fit]\n")
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
    assert len(med) == len(f["models"]) * len(f["budgets"]) * len(f["algorithms"])
    cost = pd.read_csv(d / "cost.csv")
    assert 279 in set(cost["n_neurons"]) and cost["extrapolated"].any()
    for p in ("rmse.png", "cost_curve.png"):
        assert (d / p).stat().st_size > 10_000
    # every candidate recorded, the selected one within them
    z = np.load(next((d / f["models"][0]).glob("b*/nsga2/t0_candidates.npz")))
    assert len(z["x"]) == opt["samples_used"].iloc[0] and 0 <= int(z["selected"]) < len(z["x"])


def test_epgan_rows_when_present(ran, tmp_path):
    """With fit.epgan enabled and the epgan stage's files there, EP-GAN rows join the table."""
    f = TEST_CFG["fit"]
    model = f["models"][0]
    targets = pd.read_csv(ran / "results" / "fit" / model / "targets.csv")
    ep = ran / "results" / "epgan" / model
    (ep / "full").mkdir(parents=True, exist_ok=True)
    rows = [{"method": m, "neuron": int(n), "type": "x", "rmse_pre_mV": 1.0, "rmse_mid_mV": 2.0,
             "rmse_post_mV": 3.0, "rmse_avg_mV": 2.0 if m == "epgan_selected" else 9.0, "iv_rmse_pA": 5.0,
             "simulation_failed": False} for m in ("epgan_selected", "default") for n in targets["neuron"]]
    pd.DataFrame(rows).to_csv(ep / "per_neuron.csv", index=False)
    pd.DataFrame({"epoch": [1, 2], "train_time_s": [20.0, 40.0]}).to_csv(ep / "full" / "history.csv", index=False)
    cfg = tmp_path / "ep.yaml"
    cfg.write_text("stages: [fit]\nfit:\n  epgan: {enabled: true}\n")
    snakemake(ran, "--configfile", "config/test.yaml", cfg)
    cmp_ = pd.read_csv(ran / "results" / "fit" / "comparison.csv")
    e = cmp_[cmp_["method"] == "epgan"]
    assert len(e) == len(targets) and (e["rmse_avg_mV"] == 2.0).all() and (e["train_time_s"] == 60.0).all()
    assert (e["train_samples"] > 0).all()
    cost = pd.read_csv(ran / "results" / "fit" / "cost.csv")
    assert "epgan" in set(cost["method"])
