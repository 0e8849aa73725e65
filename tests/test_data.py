"""Data layer: loader, download, surrogate, small classes, splits, imputation."""

import json
import logging

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, shared_file

from neurogen import NeurogenError
from neurogen.data import filter_small_classes, load_feature_table, make_splits
from neurogen.data.download import fetch, sha256sum
from neurogen.data.prepared import load_split, prepare_dataset
from neurogen.data.surrogate import derive_stats, generate

ETYPE_SHA = "7123ccaa11bdb9f4c4a528843803de211816d0605ced11c6649a2a25091ba428"


def _table(tmp_path, sep=";", **extra):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"e-type": np.repeat(["A", "B", "C"], 20), "f1": rng.normal(size=60), "f2": rng.normal(size=60)})
    for k, v in extra.items():
        df[k] = v
    p = tmp_path / "t.csv"
    df.to_csv(p, sep=sep, index=False)
    return p, df


@pytest.mark.parametrize("sep", [";", ","])
def test_loader_reads_both_separators(tmp_path, sep):
    p, df = _table(tmp_path, sep)
    t = load_feature_table(p)
    assert list(t.X.columns) == ["f1", "f2"]
    assert t.y.tolist() == df["e-type"].tolist()
    np.testing.assert_allclose(t.X["f1"], df["f1"])


def test_missing_label_column_is_a_clear_error(tmp_path):
    p, _ = _table(tmp_path)
    with pytest.raises(NeurogenError, match="label column 'cell-type' not found"):
        load_feature_table(p, label="cell-type")


def test_non_numeric_feature_is_a_clear_error(tmp_path):
    p, _ = _table(tmp_path, bad=["x"] * 59 + ["1.0"])
    with pytest.raises(NeurogenError, match=r"\['bad'\] are not numeric"):
        load_feature_table(p)


def test_known_metadata_columns_are_dropped_and_logged(tmp_path, caplog):
    p, _ = _table(tmp_path, neuron_reconstruction_type=["full"] * 60, superseded=[False] * 60)
    logging.getLogger("neurogen").propagate = True
    with caplog.at_level(logging.INFO, logger="neurogen"):
        t = load_feature_table(p)
    assert t.dropped == ["neuron_reconstruction_type", "superseded"]
    assert "dropping non-numeric metadata columns" in caplog.text
    assert list(t.X.columns) == ["f1", "f2"]


def test_malformed_table_is_a_clear_error(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("e-type;f1\nA;1;2;3\nB;2\n")
    with pytest.raises(NeurogenError, match="malformed table"):
        load_feature_table(p)


def test_real_tables_load():
    e = load_feature_table(shared_file("data", "allen", "e-type.csv"))
    assert e.X.shape == (1856, 48) or e.X.shape[1] == 48
    assert e.y.nunique() == 17
    m = load_feature_table(shared_file("data", "allen", "mee-type.csv"))
    assert m.dropped == ["neuron_reconstruction_type", "superseded"]
    assert m.X.shape[1] == 71


def test_download_file_url_verifies_checksum(tmp_path):
    src = shared_file("data", "allen", "e-type.csv")
    out = fetch(src.resolve().as_uri(), tmp_path / "raw.csv", ETYPE_SHA)
    assert sha256sum(out) == ETYPE_SHA


def test_download_corrupt_file_fails_and_leaves_nothing(tmp_path):
    p, _ = _table(tmp_path)
    dest = tmp_path / "out" / "raw.csv"
    with pytest.raises(NeurogenError, match="checksum mismatch"):
        fetch(p.resolve().as_uri(), dest, ETYPE_SHA)
    assert not dest.exists()
    assert not list(dest.parent.glob("*"))


def test_download_failure_is_a_clear_error(tmp_path):
    with pytest.raises(NeurogenError, match="download of .* failed"):
        fetch((tmp_path / "nope.csv").as_uri(), tmp_path / "raw.csv", ETYPE_SHA)


def test_committed_surrogate_stats_hold_no_cells():
    for name in ("etype", "meetype"):
        s = json.loads((ROOT / "resources" / "surrogate" / f"{name}.json").read_text())
        assert set(s) >= {"features", "classes", "correlation", "metadata"}
        for c in s["classes"].values():
            assert set(c) == {"n", "mean", "sd", "missing"}
            assert len(c["mean"]) == len(s["features"])


def test_surrogate_matches_its_statistics_and_is_seeded():
    s = json.loads((ROOT / "resources" / "surrogate" / "etype.json").read_text())
    a, b = generate(s, seed=1), generate(s, seed=1)
    pd.testing.assert_frame_equal(a, b)
    assert not generate(s, seed=2).equals(a)
    assert len(a) == sum(c["n"] for c in s["classes"].values())
    big = generate(s, seed=3, scale=20)
    c = "Exc_3"
    i = s["features"].index("vrest")
    vals = big.loc[big["e-type"] == c, "vrest"].dropna()
    assert abs(vals.mean() - s["classes"][c]["mean"][i]) < 0.1 * s["classes"][c]["sd"][i] + 1e-9
    assert abs(vals.std() / s["classes"][c]["sd"][i] - 1) < 0.1
    miss = big.loc[big["e-type"] == c, "slow_trough_t_ramp"].isna().mean()
    assert abs(miss - s["classes"][c]["missing"][s["features"].index("slow_trough_t_ramp")]) < 0.05


def test_derive_stats_roundtrip(tmp_path):
    p, df = _table(tmp_path)
    s = derive_stats(p)
    assert s["classes"]["A"]["n"] == 20
    np.testing.assert_allclose(s["classes"]["B"]["mean"][0], df.loc[df["e-type"] == "B", "f1"].mean(), rtol=1e-5)


def test_small_classes_policies():
    y = ["A"] * 20 + ["B"] * 20 + ["C"] * 3
    mask, rep = filter_small_classes(y, 13, "drop")
    assert mask.sum() == 40 and rep.set_index("class").loc["C", "action"] == "drop"
    with pytest.raises(NeurogenError, match=r"C \(3\)"):
        filter_small_classes(y, 13, "error")
    mask, _ = filter_small_classes(y, 13, "keep")
    assert mask.all()


def test_splits_are_stratified_and_seeded():
    y = np.repeat(["A", "B", "C"], [50, 30, 20])
    s1, s2 = make_splits(y, 0.2, 3, 42), make_splits(y, 0.2, 3, 42)
    np.testing.assert_array_equal(s1, s2)
    assert s1.shape == (3, 100) and (s1.sum(axis=1) == 20).all()
    assert not np.array_equal(s1[0], s1[1])
    for c, n in [("A", 10), ("B", 6), ("C", 4)]:
        assert s1[0][y == c].sum() == n


def test_imputation_uses_training_means_only(tmp_path):
    p, df = _table(tmp_path)
    df.loc[0:5, "f1"] = np.nan
    df.to_csv(p, sep=";", index=False)
    prepare_dataset(p, tmp_path / "prep", test_size=0.25, repeats=2, cv_folds=3, seed=0)
    sp = load_split(tmp_path / "prep", repeat=1)
    cells = pd.read_csv(tmp_path / "prep" / "cells.csv")
    is_test = (pd.read_csv(tmp_path / "prep" / "splits.csv")["repeat_1"] == "test").to_numpy()
    train_mean = cells.loc[~is_test, "f1"].mean()
    filled = cells["f1"].isna().to_numpy()
    assert np.isfinite(sp.X_test).all() and np.isfinite(sp.X_train).all()
    col = sp.features.index("f1")
    np.testing.assert_allclose(sp.X_train[filled[~is_test], col], train_mean)
    np.testing.assert_allclose(sp.X_test[filled[is_test], col], train_mean)
    assert not np.isclose(train_mean, cells["f1"].mean())
