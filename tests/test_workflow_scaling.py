"""End-to-end: the scaling stage on config/test.yaml (in a temporary copy): EP-GAN trained on
nested subsets, scored at the dataset's own step next to the lookup of the same subset, with
every simulation counted."""

import h5py
import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT, snakemake

pytestmark = pytest.mark.workflow

TEST_CFG = yaml.safe_load((ROOT / "config/test.yaml").read_text())


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    from conftest import copy_workflow

    wf = copy_workflow(tmp_path_factory.mktemp("scaling") / "wf")
    snakemake(wf, "--configfile", "config/test.yaml", "--config", "stages=[scaling]")
    return wf


def test_scaling_table(ran):
    sc = TEST_CFG["scaling"]
    model = TEST_CFG["epgan"]["models"][0]
    d = ran / "results" / "epgan" / model
    t = pd.read_csv(d / "scaling.csv")
    runs = t[t["method"] == "epgan_selected"]
    expect = sum(len(sc["sizes_by_variant"].get(v, sc["sizes"])) for v in sc["variants"]) * sc["seeds"]
    assert len(runs) == expect
    assert set(t[t["method"] == "nearest_neighbour"]["size"]) == set(sc["sizes"])
    assert (t["method"] == "true_parameters").sum() == 1
    with h5py.File(ran / "results" / "hh" / model / "test.h5") as f:
        n_test, dt = f["params"].shape[0], float(f.attrs["dt_ms"])
    assert (t["n_test"] == n_test).all()
    assert np.allclose(t["sim_dt_ms"], dt)  # scored at the dataset's own step
    # every simulation counted: training data (rejected sets included) >= size; selection = epochs used
    acc = pd.read_csv(ran / "results" / "hh" / model / "acceptance.csv")
    per_acc = acc.loc[acc.step == "2_selected_balanced", "n"].sum() / acc.loc[acc.step == "3_accepted", "n"].sum()
    sized = t[t["size"].notna()]
    assert np.allclose(sized["train_simulations"], np.round(sized["size"] * per_acc))
    assert (sized["train_simulations"] >= sized["size"]).all()
    assert (sized["train_screened"] >= sized["train_simulations"]).all()
    epochs = TEST_CFG["epgan"]["train"]["epochs"]
    assert (runs["selection_simulations_per_neuron"] == epochs).all()
    assert (t.loc[t["method"] != "epgan_selected", "selection_simulations_per_neuron"] == 0).all()
    assert (runs["train_time_s"] > 0).all()
    assert (runs.loc[runs["variant"] == "full", "w_voltage"] > 0).all()
    assert (runs.loc[runs["variant"] == "adv_iv", "w_voltage"] == 0).all()
    assert t["rmse_avg_mV_mean"].notna().all()
    per = pd.read_csv(d / "scaling_per_neuron.csv")
    assert len(per) == t["n_test"].sum()
    assert (d / "scaling.png").stat().st_size > 10_000


def test_subsets_are_nested():
    from neurogen.epgan.data import nested_subset

    a, b = nested_subset(1000, 100), nested_subset(1000, 400)
    assert len(a) == 100 and len(b) == 400 and set(a) <= set(b)
    assert len(nested_subset(1000, 0)) == 1000
    from neurogen import NeurogenError

    with pytest.raises(NeurogenError, match="1001"):
        nested_subset(1000, 1001)


def test_identifiability_benchmark_reads_the_scaling_runs(ran, tmp_path):
    """benchmarks/epgan_identifiability.py on the scaling stage's output: a row per run and
    method, the reference estimates, and r = 1 only where an estimate is the truth."""
    import subprocess
    import sys

    model = TEST_CFG["epgan"]["models"][0]
    out = tmp_path / "ident"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks/epgan_identifiability.py"),
            "--results",
            str(ran / "results"),
            "--model",
            model,
            "--out",
            str(out),
        ],
        check=True,
    )
    t = pd.read_csv(out / "identifiability.csv")
    sc = pd.read_csv(ran / "results" / "epgan" / model / "scaling.csv")
    runs = sc[sc["method"] == "epgan_selected"]
    assert (t["method"] == "epgan_selected").sum() == len(runs)
    assert (t["method"] == "epgan_single").sum() == len(runs)
    assert set(t.loc[t["method"] == "nearest_neighbour", "size"]) == set(TEST_CFG["scaling"]["sizes"])
    assert t["mae_unit"].between(0, 2).all()
    assert t.loc[t["method"] == "training_median", "median_r"].isna().all()  # a constant estimate
    per = pd.read_csv(out / "identifiability_per_parameter.csv")
    assert len(per) == len(t) * int(t["n_params"].iloc[0])

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from epgan_identifiability import correlations

    x = np.random.default_rng(0).normal(size=(50, 3))
    r = correlations(np.c_[x[:, 0], -x[:, 1], np.ones(50)], x)
    assert np.allclose(r[:2], [1, -1]) and np.isnan(r[2])
