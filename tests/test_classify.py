"""Classification sweep: registries, components, the engine vs GridSearchCV, selection."""

import json

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from neurogen import NeurogenError
from neurogen.classify import registry as reg
from neurogen.classify.components import OutOfSampleEmbedding, ShiftedBoxCox, ShiftedMultinomialNB
from neurogen.classify.select import build_pipeline, select
from neurogen.classify.sweep import FoldData, cv_splits, evaluate_classifier, transform_folds
from neurogen.config import check_config


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=240, n_features=8, n_informative=5, n_classes=3, n_clusters_per_class=1, random_state=0
    )
    X[:, 0] -= 3.0  # negative values: Box-Cox and multinomial NB must cope
    return X, np.array(["a", "b", "c"])[y]


def test_schema_enums_match_registries():
    schema = yaml.safe_load((ROOT / "config" / "schema.yaml").read_text())
    cl = schema["properties"]["classify"]["properties"]
    assert set(cl["scalers"]["items"]["enum"]) == set(reg.SCALERS)
    assert set(cl["classifiers"]["items"]["enum"]) == set(reg.CLASSIFIERS)
    for r in reg.REDUCERS:
        assert r in cl["reducers"]["items"]["pattern"]


def test_every_component_builds():
    from sklearn.base import BaseEstimator

    for s in reg.SCALERS:
        assert isinstance(reg.make_scaler(s), BaseEstimator), s
    for r in reg.REDUCERS:
        m = reg.make_reducer(r)
        assert m is None or isinstance(m, BaseEstimator), r
    for c in reg.CLASSIFIERS:
        m = reg.make_classifier(c)
        assert isinstance(m, BaseEstimator) and hasattr(m, "fit") and hasattr(m, "predict"), c


def test_unknown_names_are_clear_errors():
    with pytest.raises(NeurogenError, match="unknown scaler 'zscore'"):
        reg.make_scaler("zscore")
    with pytest.raises(NeurogenError, match="unknown reducer 'umap'"):
        reg.parse_reducer("umap")
    with pytest.raises(NeurogenError, match="only .* take a neighbourhood size"):
        reg.parse_reducer("pca_k5")
    with pytest.raises(NeurogenError, match="unknown parameter 'depth'"):
        reg.param_candidates("random_forest", {"depth": [3]})


def test_expand_reducers():
    assert reg.expand_reducers(["none", "isomap", "lle_k7"], [5, 10]) == ["none", "isomap_k5", "isomap_k10", "lle_k7"]


def test_boxcox_handles_non_positive_input(data):
    X, _ = data
    assert (X <= 0).any()
    t = ShiftedBoxCox().fit(X[:200])
    out = t.transform(X[200:] - 5.0)  # test values below the training minimum
    assert np.isfinite(out).all()


def test_multinomial_nb_handles_negative_input(data):
    X, y = data
    clf = ShiftedMultinomialNB().fit(X, y)
    assert (clf.predict(X - 10) != None).all()  # noqa: E711 - runs without a ValueError


def test_out_of_sample_embedding_places_new_points_near_neighbours():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 0.1, (30, 3)), rng.normal(5, 0.1, (30, 3))])
    from sklearn.manifold import TSNE

    e = OutOfSampleEmbedding(TSNE(n_components=2, perplexity=10, random_state=0), n_neighbors=5)
    emb = e.fit_transform(X)
    np.testing.assert_allclose(e.transform(X), emb)  # training cells keep their place
    new = e.transform(np.array([[0.0, 0, 0], [5.0, 5, 5]]))
    c0, c1 = emb[:30].mean(0), emb[30:].mean(0)
    assert np.linalg.norm(new[0] - c0) < np.linalg.norm(new[0] - c1)
    assert np.linalg.norm(new[1] - c1) < np.linalg.norm(new[1] - c0)


@pytest.mark.parametrize(
    "scaler,reducer,clf,grid",
    [
        ("yeojohnson", "none", "svm_sigmoid", {"C": [0.1, 1], "gamma": ["scale", "auto"]}),
        ("standard", "pca", "logreg_l2", {"C": [0.1, 1]}),
        ("minmax", "lda", "decision_tree", {"max_depth": [2, 4]}),
        ("robust", "none", "random_forest", {"n_estimators": [5, 12], "max_depth": [3, None]}),
        ("boxcox", "none", "extra_trees", {"n_estimators": [4, 9]}),
    ],
)
def test_engine_scores_equal_gridsearchcv(data, scaler, reducer, clf, grid):
    X, y = data
    seed, k = 3, 4
    folds = cv_splits(y, k, seed)
    fd = FoldData(transform_folds(X, y, scaler, [reducer], folds, seed))
    ours = evaluate_classifier(fd, clf, grid, seed=seed, n_jobs=1)
    pipe = build_pipeline(scaler, reducer, clf, {}, seed)
    gs = GridSearchCV(
        pipe,
        {f"classifier__{p}": v for p, v in grid.items()},
        return_train_score=True,
        cv=StratifiedKFold(k, shuffle=True, random_state=seed),
    ).fit(X, y)
    ref = pd.DataFrame(gs.cv_results_)
    ref["params"] = [json.dumps({p.split("__", 1)[1]: v for p, v in sorted(d.items())}) for d in ref["params"]]
    m = ours.merge(ref, on="params")
    assert len(m) == len(ours) == len(ref)
    np.testing.assert_array_equal(m["mean_test_accuracy"], m["mean_test_score"])
    np.testing.assert_array_equal(m["std_test_accuracy"], m["std_test_score"])
    np.testing.assert_array_equal(m["mean_train_accuracy"], m["mean_train_score"])


def test_every_scaler_in_one_call_equals_one_call_per_scaler(data, tmp_path):
    """The classify_shard job's form (all scalers' folds files at once, one pool) gives the
    rows of one call per scaler, concatenated in the order given."""
    X, y = data
    folds = cv_splits(y, 3, 1)
    paths = []
    for s in ("standard", "boxcox"):
        p = tmp_path / f"{s}.npz"
        transform_folds(X, y, s, ["none", "pca", "hlle_k5"], folds, 1, path=p)
        paths.append(str(p))
    grid = {"n_estimators": [3, 6], "max_depth": [3]}
    each = pd.concat([evaluate_classifier(p, "random_forest", grid, seed=1) for p in paths], ignore_index=True)
    timing = ["fit_time_s", "transform_time_s"]
    for n_jobs in (1, 2):
        both = evaluate_classifier(paths, "random_forest", grid, seed=1, n_jobs=n_jobs)
        assert list(both["scaler"].unique()) == ["standard", "boxcox"]
        pd.testing.assert_frame_equal(both.drop(columns=timing), each.drop(columns=timing))


def test_failing_configuration_is_recorded_not_fatal(data):
    X, y = data
    folds = cv_splits(y, 3, 0)
    fd = FoldData(transform_folds(X, y, "standard", ["none", "hlle_k5"], folds, 0))
    df = evaluate_classifier(fd, "gaussian_nb", {}, seed=0)
    bad = df[df["reducer"] == "hlle_k5"]
    good = df[df["reducer"] == "none"]
    assert bad["error"].str.contains("n_neighbors").all() and bad["mean_test_accuracy"].isna().all()
    assert (good["error"] == "").all() and good["mean_test_accuracy"].notna().all()


def test_selection_criteria():
    sw = pd.DataFrame(
        {
            "scaler": ["s"] * 4,
            "reducer": ["none"] * 4,
            "classifier": ["a", "b", "c", "d"],
            "params": ["{}"] * 4,
            "mean_test_accuracy": [0.9, 0.8, 0.75, 0.7],
            "std_test_accuracy": [0.01, 0.2, 0.02, 0.01],
            "gap": [0.1, 0.0, 0.01, -0.02],
            "error": [""] * 4,
        }
    )
    sel = select(sw, max_gap=0.03, max_std=0.05, top_n=3, per_category=False)
    assert sel["classifier"].tolist() == ["c", "d"]  # a overfits, b is unstable
    assert sel["meets_criteria"].all()
    none = select(sw.assign(gap=0.5), max_gap=0.03, max_std=0.05, top_n=1, per_category=False)
    assert none["classifier"].tolist() == ["a"] and not none["meets_criteria"].any()


def test_selection_per_category_keeps_one_with_and_one_without_reducer():
    sw = pd.DataFrame(
        {
            "scaler": ["s"] * 5,
            "reducer": ["none", "none", "lda", "pca", "lda"],
            "classifier": ["a", "b", "c", "d", "e"],
            "params": ["{}"] * 5,
            "mean_test_accuracy": [0.9, 0.85, 0.8, 0.7, 0.95],
            "std_test_accuracy": [0.01] * 5,
            "gap": [0.0, 0.0, 0.0, 0.0, 0.2],
            "error": [""] * 5,
        }
    )
    sel = select(sw, max_gap=0.03, max_std=0.05, top_n=1, per_category=True)
    # e overfits; the best without a reducer is a, the best with one c
    assert sel["classifier"].tolist() == ["a", "c"]
    assert sel["category"].tolist() == ["no_reducer", "reducer"]
    assert sel["selection_rank"].tolist() == [1, 2] and sel["meets_criteria"].all()
    # the top pipelines overall (no categories) would have dropped the reducer entirely
    assert (select(sw, top_n=2, per_category=False)["reducer"] == "none").all()
    # a category whose every pipeline fails the criteria still gets its best one
    only_bad_reducers = sw.assign(gap=[0.0, 0.0, 0.5, 0.5, 0.5])
    sel = select(only_bad_reducers, top_n=1, per_category=True).set_index("category")
    assert sel.loc["reducer", "classifier"] == "e" and not sel.loc["reducer", "meets_criteria"]
    assert sel.loc["no_reducer", "meets_criteria"]
    # no pipeline with a reducer ran: one row, no error
    assert select(sw[sw["reducer"] == "none"], top_n=1, per_category=True)["category"].tolist() == ["no_reducer"]


def test_check_config_names_the_bad_key():
    cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    check_config(cfg, ROOT)
    bad = json.loads(json.dumps(cfg))
    bad["classify"]["grids"]["svm_rbf"]["kernel_width"] = [1]
    with pytest.raises(NeurogenError, match="classify.grids.svm_rbf: unknown parameter 'kernel_width'"):
        check_config(bad, ROOT)
    bad = json.loads(json.dumps(cfg))
    bad["classify"]["datasets"] = ["ephys"]
    with pytest.raises(NeurogenError, match="'ephys' is not defined under datasets"):
        check_config(bad, ROOT)
