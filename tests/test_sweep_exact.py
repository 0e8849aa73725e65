"""The sweep engine's shortcuts are exact: every model and every fold's score equal scikit-learn's.

- trees reused across ``max_depth`` limits (forests and decision trees): tree by tree against
  a plain scikit-learn fit at each limit (structure and probabilities), several seeds;
- candidates that differ only in parameters scikit-learn ignores (MLP ``learning_rate`` unless
  ``solver='sgd'``, linear-SVM ``gamma``/``coef0``, trees' ``min_samples_split`` below twice
  ``min_samples_leaf``): one fit, scores equal to fitting each;
- the engine end to end: every candidate's score on every fold equals GridSearchCV's.
"""

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import ALLEN
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from neurogen.classify import registry as reg
from neurogen.classify.select import build_pipeline
from neurogen.classify.sweep import FoldData, _groups, cv_splits, evaluate_classifier, forests_by_depth, transform_folds

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

DEPTHS = [None, 30, 20, 16, 13, 10, 6]


@pytest.fixture(scope="module")
def big():
    """1,500 cells × 40 features, 17 classes: trees as deep as on the e-type table (~15-25)."""
    X, y = make_classification(
        n_samples=1500,
        n_features=40,
        n_informative=12,
        n_redundant=6,
        n_classes=17,
        n_clusters_per_class=1,
        flip_y=0.05,
        random_state=1,
    )
    return X, y


@pytest.fixture(scope="module")
def small():
    X, y = make_classification(
        n_samples=300, n_features=10, n_informative=6, n_classes=4, n_clusters_per_class=1, random_state=0
    )
    return X, np.array(list("abcd"))[y]


def _same_tree(a, b):
    ta, tb = a.tree_, b.tree_
    return (
        ta.node_count == tb.node_count
        and np.array_equal(ta.children_left, tb.children_left)
        and np.array_equal(ta.feature, tb.feature)
        and np.array_equal(ta.threshold, tb.threshold)
        and np.array_equal(ta.value, tb.value)
    )


@pytest.mark.parametrize("cls", [RandomForestClassifier, ExtraTreesClassifier])
@pytest.mark.parametrize("seed,leaf", [(0, 1), (7, 2), (42, 4)])
def test_forest_trees_reused_across_depths_are_sklearns(big, cls, seed, leaf):
    X, y = big
    forest = cls(n_estimators=12, random_state=seed, min_samples_leaf=leaf)
    reused = regrown = 0
    Xq = X[::7].astype(np.float32)
    for d, trees, _, fresh, classes in forests_by_depth(forest, DEPTHS, X, y):
        ref = clone(forest).set_params(max_depth=d).fit(X, y)
        assert len(trees) == len(ref.estimators_)
        assert all(_same_tree(t, r) for t, r in zip(trees, ref.estimators_)), d
        proba = sum(t.predict_proba(Xq) for t in trees) / len(trees)
        np.testing.assert_array_equal(proba, ref.predict_proba(Xq))
        np.testing.assert_array_equal(classes, ref.classes_)
        if d is not None:
            reused += len(trees) - len(fresh)
            regrown += len(fresh)
    # the limits exercise both paths: trees shallower than the limit and trees that reach it
    assert reused > 0 and regrown > 0


@pytest.mark.parametrize("seed", [0, 3, 11])
def test_decision_tree_depths_and_min_samples_split_in_engine(small, seed):
    X, y = small
    grid = {"max_depth": [None, 12, 8, 5, 3], "min_samples_split": [2, 5, 10], "min_samples_leaf": [1, 2, 4]}
    groups = _groups("decision_tree", reg.param_candidates("decision_tree", grid))
    # min_samples_split 2 and 5 with min_samples_leaf 4 are both 8 for scikit-learn: one fit
    assert len(groups) == 8 and sum(len(g["members"]) for g in groups) == 45
    _compare_with_gridsearch(X, y, "decision_tree", grid, seed)


def test_forest_engine_every_fold_equals_gridsearchcv(big):
    X, y = big
    X, y = X[:600], y[:600]
    grid = {
        "n_estimators": [3, 8],
        "max_depth": [None, 14, 9, 4],
        "min_samples_split": [2, 5],
        "min_samples_leaf": [1, 4],
    }
    for clf in ("random_forest", "extra_trees"):
        _compare_with_gridsearch(X, y, clf, grid, seed=5, k=3)


def test_mlp_unused_parameters_share_one_fit(small):
    X, y = small
    grid = {
        "hidden_layer_sizes": [[8]],
        "solver": ["sgd", "adam", "lbfgs"],
        "learning_rate": ["constant", "adaptive", "invscaling"],
        "max_iter": [30],
    }
    groups = _groups("mlp", reg.param_candidates("mlp", grid))
    # adam, lbfgs: one fit for 3 candidates each; sgd: constant read off the adaptive run
    assert sorted(len(g["members"]) for g in groups) == [1, 2, 3, 3]
    adam = _groups("mlp", reg.param_candidates("mlp", {"solver": ["adam"], "learning_rate": ["constant", "adaptive"]}))
    assert [(g["kind"], len(g["members"])) for g in adam] == [("single", 2)]
    _compare_with_gridsearch(X, y, "mlp", grid, seed=1, k=3)


@pytest.mark.parametrize("max_iter", [15, 60, 400])
def test_mlp_sgd_constant_is_the_adaptive_run_until_its_first_plateau(small, max_iter):
    """Stopping early (at the plateau), at max_iter, and never reaching a plateau."""
    X, y = small
    grid = {
        "hidden_layer_sizes": [[6], [12]],
        "solver": ["sgd"],
        "learning_rate": ["constant", "adaptive"],
        "learning_rate_init": [0.01, 0.3],
        "tol": [1e-3],
        "n_iter_no_change": [3],
        "max_iter": [max_iter],
    }
    groups = _groups("mlp", reg.param_candidates("mlp", grid))
    assert len(groups) == 4 and all(g["kind"] == "sgd_prefix" for g in groups)
    ours = _compare_with_gridsearch(X, y, "mlp", grid, seed=4, k=3)
    # the not-converged notes are those of fitting each candidate on its own
    folds = cv_splits(y, 3, 4)
    fd = FoldData(transform_folds(X, y, "standard", ["none"], folds, 4))
    stopped = 0
    for c in reg.param_candidates("mlp", grid):
        n_conv = 0
        for k in range(3):
            Xfit, _, _, ytr, _ = fd.fold("none", k)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ConvergenceWarning)
                m = clone(reg.make_classifier("mlp", random_state=4)).set_params(**c).fit(Xfit, ytr)
            n_conv += sum(issubclass(w.category, ConvergenceWarning) for w in caught)
            stopped += c["learning_rate"] == "constant" and m.n_iter_ < max_iter
        row = ours[
            ours["params"] == json.dumps({p: (list(v) if isinstance(v, tuple) else v) for p, v in sorted(c.items())})
        ]
        assert row["note"].iloc[0] == (f"not converged (ConvergenceWarning) {n_conv}x over 3 folds" if n_conv else "")
    if max_iter == 400:
        assert stopped > 0  # the shortcut's main path (constant stops at the plateau) was exercised


def test_linear_svm_ignores_gamma_and_coef0(small):
    X, y = small
    grid = {"C": [0.5, 2], "gamma": ["scale", "auto", 0.3], "coef0": [0.0, 1.0]}
    assert len(_groups("svm_linear", reg.param_candidates("svm_linear", grid))) == 2
    assert len(_groups("svm_rbf", reg.param_candidates("svm_rbf", grid))) == 6  # coef0 unused by rbf
    for clf in ("svm_linear", "svm_rbf"):
        _compare_with_gridsearch(X, y, clf, grid, seed=2, k=3)


def test_forest_on_etype_table_equals_gridsearchcv(tmp_path):
    path = ALLEN / "e-type.csv"
    if not path.exists():
        pytest.skip(f"reference data not available: {path}")
    from neurogen.data.prepared import load_split, prepare_dataset

    prepare_dataset(path, tmp_path, test_size=0.2, repeats=1, cv_folds=10, seed=42)
    sp = load_split(tmp_path, 0)
    X, y = sp.X_train, sp.y_train
    grid = {"n_estimators": [2, 5], "max_depth": [None, 20, 10], "min_samples_leaf": [1, 4]}
    _compare_with_gridsearch(X, y, "extra_trees", grid, seed=42, k=3, scaler="yeojohnson")


def _compare_with_gridsearch(X, y, clf, grid, seed, k=4, scaler="standard"):
    folds = cv_splits(y, k, seed)
    fd = FoldData(transform_folds(X, y, scaler, ["none"], folds, seed))
    ours = evaluate_classifier(fd, clf, grid, seed=seed, n_jobs=1, fold_scores=True)
    assert (ours["error"] == "").all(), ours["error"].unique()
    pipe = build_pipeline(scaler, "none", clf, {}, seed)
    pgrid = {f"classifier__{p}": [tuple(v) if isinstance(v, list) else v for v in vals] for p, vals in grid.items()}
    gs = GridSearchCV(
        pipe,
        pgrid,
        return_train_score=True,
        cv=StratifiedKFold(k, shuffle=True, random_state=seed),
        error_score="raise",
    ).fit(X, y)
    ref = pd.DataFrame(gs.cv_results_)
    ref["params"] = [
        json.dumps({p.split("__", 1)[1]: (list(v) if isinstance(v, tuple) else v) for p, v in sorted(d.items())})
        for d in ref["params"]
    ]
    m = ours.merge(ref, on="params")
    assert len(m) == len(ours) == len(ref)
    for j in range(k):
        for part in ("test", "train"):
            np.testing.assert_array_equal(m[f"split{j}_{part}_accuracy"], m[f"split{j}_{part}_score"], err_msg=part)
    np.testing.assert_array_equal(m["mean_test_accuracy"], m["mean_test_score"])
    np.testing.assert_array_equal(m["std_test_accuracy"], m["std_test_score"])
    np.testing.assert_array_equal(m["mean_train_accuracy"], m["mean_train_score"])
    return ours
