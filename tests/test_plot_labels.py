"""What users see: figure labels and counts from the data, named tests, key columns first."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from neurogen.plots import augment as PA
from neurogen.plots import classify as PC
from neurogen.report import table_html
from neurogen.report.tables import key_columns_first


def _sweep(n_folds=3, n=8, failed=2):
    rng = np.random.default_rng(0)
    d = pd.DataFrame(
        {
            "scaler": rng.choice(["standard", "robust"], n),
            "reducer": rng.choice(["none", "pca"], n),
            "classifier": rng.choice(["svm", "knn"], n),
            "mean_test_accuracy": rng.uniform(0.5, 0.9, n),
            "gap": rng.uniform(-0.05, 0.05, n),
            "n_folds": n_folds,
            "error": "",
        }
    )
    d.loc[: failed - 1, "error"] = "ValueError: boom"
    d.loc[: failed - 1, "mean_test_accuracy"] = np.nan
    return d


@pytest.mark.parametrize("k", [3, 10])
def test_cv_label_takes_the_fold_count_from_the_sweep(k):
    sweep = _sweep(n_folds=k)
    for fig in (PC.distributions(sweep, "ds"), PC.landscape(sweep, None, 0.03, "ds")):
        assert fig.axes[0].get_ylabel() == f"mean {k}-fold CV accuracy"
    mixed = pd.concat([_sweep(3), _sweep(5)])
    assert PC.cv_label(mixed) == "mean k-fold CV accuracy (k = 3, 5)"


def test_distributions_title_counts_failed_configurations():
    fig = PC.distributions(_sweep(n=8, failed=2), "ds: mean CV accuracy")
    title = fig._suptitle.get_text()
    assert "6 of 8 configurations; 2 failed, not shown" in title
    n_points = sum(len(c.get_offsets()) for ax in fig.axes[:1] for c in ax.collections)
    assert n_points == 6
    assert "(8 configurations)" in PC.distributions(_sweep(n=8, failed=0), "ds")._suptitle.get_text()


def test_fidelity_p_values_name_the_test_even_with_a_custom_title():
    fid = pd.DataFrame({"mode": "scaled", "reference": "test", "generator": "gan", "size": 10, "mae": [0.1, 0.2, 0.15]})
    inter = pd.DataFrame({"mode": "scaled", "scaler_fit": "train", "mae": [0.5, 0.6, 0.7]})
    mw = pd.DataFrame({"generator": ["gan"], "size": [10], "mode": ["scaled"], "p_value": [0.01]})
    fig = PA.fidelity_vs_natural(fid, inter, mw, "ds: custom title")
    title = fig.axes[0].get_title()
    assert "ds: custom title" in title and "one-sided Mann–Whitney U" in title


def test_table_pages_open_on_key_columns():
    cols = [f"param_{i}" for i in range(28)] + ["fit_time_s", "accuracy_mean", "dataset", "generator", "delta_ci95_low"]
    order = key_columns_first(cols)
    assert order[:5] == ["dataset", "generator", "accuracy_mean", "delta_ci95_low", "param_0"]
    assert sorted(order) == sorted(cols)
    df = pd.DataFrame([range(len(cols))], columns=cols)
    page = table_html(df, "t")
    assert page.index("<th>accuracy_mean</th>") < page.index("<th>param_0</th>")
    assert "result columns come first" in page
    plain = table_html(df, "t", key_first=False)
    assert plain.index("<th>param_0</th>") < plain.index("<th>accuracy_mean</th>")
