"""Fidelity (neurogen.fidelity) and the augmentation experiment (neurogen.augment.evaluate)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch  # a required dependency: no importorskip (the test must fail if it is missing)

from neurogen import NeurogenError
from neurogen.augment.evaluate import (
    classifiers_for,
    evaluate,
    evaluate_sizes,
    fit_generators,
    preprocessings,
    summarise_scores,
)
from neurogen.config import check_config
from neurogen.data.prepared import Split
from neurogen.fidelity import (
    class_means,
    feature_errors,
    interclass_mae,
    mann_whitney,
    pca_projection,
    profile_distances,
)

torch.set_num_threads(1)


def test_profile_distances_by_hand():
    Xs = np.array([[1.0, 1.0], [3.0, 1.0], [0.0, 0.0]])
    ys = np.array(["a", "a", "b"])
    Xr = np.array([[2.0, 4.0], [1.0, 1.0]])
    yr = np.array(["a", "b"])
    d = profile_distances(Xs, ys, {"test": (Xr, yr)}).set_index("class")
    # a: synthetic mean (2, 1) vs (2, 4): MAE 1.5, Euclidean 3; b: (0, 0) vs (1, 1)
    assert d.loc["a", "mae"] == pytest.approx(1.5) and d.loc["a", "euclidean"] == pytest.approx(3.0)
    assert d.loc["b", "mae"] == pytest.approx(1.0) and d.loc["b", "euclidean"] == pytest.approx(np.sqrt(2))
    assert d.loc["a", "n_synthetic"] == 2 and d.loc["a", "n_real"] == 1
    fe = feature_errors(Xs, ys, {"test": (Xr, yr)}, ["f1", "f2"])
    assert fe.set_index(["class", "feature"]).loc[("a", "f2"), "abs_error"] == pytest.approx(3.0)
    with pytest.raises(NeurogenError):
        feature_errors(Xs, ys, {"test": (Xr, yr)}, ["only_one"])


def test_interclass_reference_and_mann_whitney_direction():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [4.0, 0.0]])
    y = np.array(["a", "b", "c"])
    ref = interclass_mae(X, y)
    assert len(ref) == 3
    assert ref.set_index(["class_a", "class_b"]).loc[("a", "c"), "mae"] == pytest.approx(2.0)
    small = mann_whitney([0.1, 0.2, 0.15, 0.12, 0.11], [1.0, 2.0, 1.5, 0.9, 1.2, 1.1])
    large = mann_whitney([3.0, 2.5, 4.0, 3.3, 2.8], [1.0, 2.0, 1.5, 0.9, 1.2, 1.1])
    assert small["p_value"] < 0.01 < 0.5 < large["p_value"]
    assert small["u_statistic"] == 0
    assert np.isnan(mann_whitney([], [1.0])["p_value"])


def test_class_means_and_pca_fit_on_real_only():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(100, 4))
    other = rng.normal(size=(30, 4)) + 10
    pr, (po,), pca = pca_projection(real, [other])
    assert pr.shape == (100, 2) and po.shape == (30, 2)
    np.testing.assert_allclose(pca.mean_, real.mean(0))
    m = class_means(real, np.array(["x"] * 50 + ["y"] * 50))
    assert list(m.index) == ["x", "y"]


def _splits(n_rep=2, seed=0):
    rng = np.random.default_rng(seed)

    def mk(n):
        y = rng.integers(0, 3, n)
        return rng.normal(size=(n, 5)) + 0.8 * y[:, None], np.array([f"c{i}" for i in y], dtype=object)

    out = []
    for _ in range(n_rep):
        (Xa, ya), (Xb, yb) = mk(120), mk(40)
        out.append(Split(Xa, ya, Xb, yb, [f"feat{i}" for i in range(5)], None))
    return out


BASE = pd.DataFrame(
    [
        {
            "selection_rank": 1,
            "scaler": "standard",
            "reducer": "lda",
            "classifier": "svm_rbf",
            "params": json.dumps({"C": 1.0}),
        },
        {"selection_rank": 2, "scaler": "minmax", "reducer": "none", "classifier": "logreg_l2", "params": "{}"},
    ]
)


def test_preprocessings_and_classifiers():
    assert preprocessings(BASE, "scaled", 1) == [{"scaler": "standard", "reducer": "none"}]
    assert preprocessings(BASE, "reduced") == [{"scaler": "standard", "reducer": "lda"}]
    assert preprocessings(BASE, "scaled") == [
        {"scaler": "standard", "reducer": "none"},
        {"scaler": "minmax", "reducer": "none"},
    ]
    specs = classifiers_for({"scaler": "standard", "reducer": "none"}, BASE, {"random_forest": {}}, "scaled")
    assert [s["classifier"] for s in specs] == ["svm_rbf", "random_forest"]
    assert specs[0]["params"] == {"C": 1.0} and "lda dropped" in specs[0]["source"]
    with pytest.raises(NeurogenError, match="unknown mode"):
        preprocessings(BASE, "pca_first")


@pytest.mark.parametrize("mode", ["scaled", "reduced"])
def test_evaluate_with_and_without_augmentation(mode):
    splits = _splits()
    panel = {"random_forest": {"n_estimators": 10}}
    none = evaluate(splits, BASE, panel, mode, 1, n_baselines=1)
    assert len(none["scores"]) == 2 * 2  # repeats × (baseline + panel)
    assert none["scores"]["n_synthetic"].eq(0).all()
    assert len(none["interclass"]) and set(none["interclass"]["scaler_fit"]) == (
        {"train", "test"} if mode == "scaled" else {"train"}
    )
    models = fit_generators(splits, BASE, "smote", {}, mode, 1, n_baselines=1)
    assert len(models) == 2
    out = evaluate(
        splits,
        BASE,
        panel,
        mode,
        1,
        models=models,
        generator="smote",
        size=25,
        n_baselines=1,
        features=splits[0].features,
        keep_samples=20,
    )
    s = out["scores"]
    assert (s["n_synthetic"] + s["n_out_of_range"] + s["n_nonfinite"] == 75).all()
    assert s["test_accuracy"].between(0, 1).all() and (s["error"] == "").all()
    f = out["fidelity"]
    assert set(f["reference"]) == {"train", "test"} and len(f) == 2 * 3 * 2
    assert len(out["mannwhitney"]) == 2 and out["mannwhitney"]["p_value"].between(0, 1).all()
    feats = set(out["features"]["feature"])
    assert feats == ({f"feat{i}" for i in range(5)} if mode == "scaled" else {"component_1", "component_2"})
    assert out["samples"]["synthetic"].shape[0] == 20
    rep = pd.concat([none["scores"], s]).assign(dataset="toy")
    summ = summarise_scores(rep)
    z = summ[summ["generator"] == "none"]
    assert np.allclose(z["delta_accuracy_mean"], 0) and (summ["n_repeats"] == 2).all()
    a = summ[summ["generator"] == "smote"].iloc[0]
    manual = s[s["classifier"] == a["classifier"]]["test_accuracy"]
    assert a["accuracy_mean"] == pytest.approx(manual.mean())
    assert a["accuracy_ci95_low"] < a["accuracy_mean"] < a["accuracy_ci95_high"] or a["accuracy_sd"] == 0
    # reproducible
    again = evaluate(splits, BASE, panel, mode, 1, models=models, generator="smote", size=25, n_baselines=1)
    pd.testing.assert_series_equal(again["scores"]["test_accuracy"], s["test_accuracy"])


def test_missing_model_is_named():
    with pytest.raises(NeurogenError, match="no fitted smote for repeat 0"):
        evaluate(_splits(1), BASE, {}, "scaled", 0, models=[], generator="smote", size=5)


def _cfg(**augment):
    a = {"datasets": ["etype"], "generators": ["smote"], "sizes": [10]}
    a.update(augment)
    return {
        "datasets": {"etype": {"source": "surrogate", "stats": "resources/surrogate/etype.json"}},
        "split": {"repeats": 3},
        "classify": {"datasets": ["etype"], "grids": {}},
        "augment": a,
    }


@pytest.mark.parametrize(
    "augment,msg",
    [
        ({"generators": ["wgan"]}, "unknown generator 'wgan'"),
        ({"generator_params": {"gan": {"epoch": 3}}}, "augment.generator_params.gan: unknown parameter 'epoch'"),
        ({"generator_params": {"gan": {"seed": 3}}}, "augment.generator_params.gan.seed"),
        ({"repeats": 5}, "augment.repeats: 5 repeats"),
        ({"datasets": ["meetype"]}, "augment.datasets: 'meetype'"),
        ({"classifier_params": {"random_forest": {"trees": 3}}}, "classifier_params.random_forest: unknown parameter"),
        ({"classifiers": ["knn"]}, "augment.classifiers: unknown classifier 'knn'"),
    ],
)
def test_config_errors_name_the_key(augment, msg):
    from conftest import ROOT

    with pytest.raises(NeurogenError, match=msg.replace("(", r"\(").replace(".", r"\.")):
        check_config(_cfg(**augment), root=ROOT)


def test_valid_config_passes():
    from conftest import ROOT

    check_config(_cfg(generator_params={"gan": {"epochs": 3}}, classifiers=["random_forest"]), root=ROOT)


BASE_CAT = pd.DataFrame(
    [
        {
            "selection_rank": 1,
            "category": "reducer",
            "scaler": "standard",
            "reducer": "lda",
            "classifier": "svm_rbf",
            "params": json.dumps({"C": 1.0}),
        },
        {
            "selection_rank": 2,
            "category": "no_reducer",
            "scaler": "minmax",
            "reducer": "none",
            "classifier": "logreg_l2",
            "params": "{}",
        },
    ]
)


def test_baselines_per_category_serve_both_modes():
    # with one baseline (n_baselines=1) both modes still run, each on its own category's pipeline
    assert preprocessings(BASE_CAT, "scaled", 1) == [{"scaler": "minmax", "reducer": "none"}]
    assert preprocessings(BASE_CAT, "reduced", 1) == [{"scaler": "standard", "reducer": "lda"}]
    specs = classifiers_for({"scaler": "minmax", "reducer": "none"}, BASE_CAT, {}, "scaled", 1)
    assert [s["classifier"] for s in specs] == ["logreg_l2"] and specs[0]["source"] == "baseline_2"
    # the older table without categories: the top pipeline only, no reduced mode if it has no reducer
    old = BASE_CAT.drop(columns="category").iloc[::-1].assign(selection_rank=[1, 2])
    assert preprocessings(old, "reduced", 1) == []


def test_study_protocol_inflates_and_distribution_fidelity():
    splits = _splits(2)
    panel = {"random_forest": {"n_estimators": 10}}
    study = {"repeats": 1, "cv_folds": 3, "classifiers": []}
    dist = {"repeats": 1, "permutations": 20}
    models = fit_generators(splits, BASE_CAT, "smote", {}, "scaled", 1, n_baselines=1, study_repeats=1)
    assert sorted((m["repeat"], m["protocol"]) for m in models) == [(0, "held_out"), (0, "study"), (1, "held_out")]
    none = evaluate(splits, BASE_CAT, panel, "scaled", 1, n_baselines=1, study=study)
    out = evaluate(
        splits,
        BASE_CAT,
        panel,
        "scaled",
        1,
        models=models,
        generator="smote",
        size=40,
        n_baselines=1,
        study=study,
        dist=dist,
    )
    s = out["scores"]
    assert set(s["protocol"]) == {"held_out", "study"}
    st = s[s["protocol"] == "study"]
    assert len(st) == 2 and (st["repeat"] == 0).all()  # 1 repeat × 2 classifiers
    assert (st["n_test"] == 160 + 120).all()  # CV pool: all real + synthetic cells
    assert st["test_accuracy"].between(0, 1).all() and (st["error"] == "").all()
    summ = summarise_scores(pd.concat([none["scores"], s]).assign(dataset="toy"))
    assert set(summ["protocol"]) == {"held_out", "study"}
    sm = summ[(summ["protocol"] == "study") & (summ["generator"] == "smote")]
    assert sm["noaug_accuracy_mean"].notna().all()  # paired with the study's no-augmentation
    d = out["fidelity_dist"]
    assert set(d["class"]) == {"c0", "c1", "c2"} and (d["repeat"] == 0).all()
    for col in ("sd_ratio", "sd_ratio_ref", "c2st_auc", "c2st_auc_ref", "coverage", "tstr_accuracy", "trtr_accuracy"):
        assert d[col].notna().all(), col
    # only the classifiers asked for run under the study's protocol
    only = evaluate(
        splits,
        BASE_CAT,
        panel,
        "scaled",
        1,
        n_baselines=1,
        study={"repeats": 1, "cv_folds": 3, "classifiers": ["random_forest"]},
    )["scores"]
    assert only[only["protocol"] == "study"]["classifier"].tolist() == ["random_forest"]
    with pytest.raises(NeurogenError, match="study protocol"):
        evaluate(
            splits,
            BASE_CAT,
            panel,
            "scaled",
            1,
            models=[m for m in models if m["protocol"] != "study"],
            generator="smote",
            size=5,
            n_baselines=1,
            study=study,
        )


TIMING = ["generator_fit_time_s", "sample_time_s", "classifier_fit_time_s"]


def _same(a: pd.DataFrame, b: pd.DataFrame):
    drop = [c for c in TIMING if c in a.columns]
    pd.testing.assert_frame_equal(a.drop(columns=drop), b.drop(columns=drop))


@pytest.mark.parametrize("generator", ["smote", "gan", None])
def test_evaluate_sizes_gives_the_rows_of_one_call_per_size(generator):
    """The batched job (rule augment_eval: every size in one pass, preprocessing fit once per
    repeat) writes what one evaluate() call per size wrote, number for number."""
    splits = _splits(2)
    panel = {"random_forest": {"n_estimators": 10}}
    sizes = [40, 15] if generator else [0]
    study = {str(s): {"repeats": 1, "cv_folds": 3, "classifiers": []} for s in sizes[:1]}  # first size only
    dist = {str(s): {"repeats": 1, "k": 3, "permutations": 10} for s in sizes[:1]}
    models = None
    if generator:
        params = {"epochs": 2} if generator == "gan" else {}
        models = fit_generators(splits, BASE_CAT, generator, params, "scaled", 1, n_baselines=1, study_repeats=1)
    kw = dict(n_baselines=1, features=splits[0].features, keep_samples=20 if generator else 0)
    gen = generator or "none"
    batched = evaluate_sizes(
        splits, BASE_CAT, panel, "scaled", 1, models=models, generator=gen, sizes=sizes, study=study, dist=dist, **kw
    )
    assert list(batched) == sizes
    for size in sizes:
        one = evaluate(
            splits,
            BASE_CAT,
            panel,
            "scaled",
            1,
            models=models,
            generator=gen,
            size=size,
            study=study.get(str(size)),
            dist=dist.get(str(size)),
            **kw,
        )
        got = batched[size]
        for kind in ("scores", "fidelity", "fidelity_dist", "features", "mannwhitney", "interclass"):
            _same(got[kind], one[kind])
        assert set(got["scores"]["size"]) == {size}
        assert ("study" in set(got["scores"]["protocol"])) == (str(size) in study)
        assert (len(got["fidelity_dist"]) > 0) == (generator is not None and str(size) in dist)
        if generator:
            for k, v in one["samples"].items():
                np.testing.assert_array_equal(got["samples"][k], v)
        else:
            assert got["samples"] is None and len(got["interclass"])
