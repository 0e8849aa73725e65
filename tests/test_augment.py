"""Generators (neurogen.augment): shape and labels, seeds, a known toy distribution, bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch  # a required dependency: no importorskip (the test must fail if it is missing)

from neurogen import NeurogenError
from neurogen.augment import GENERATORS, generator_params, make_generator
from neurogen.augment.base import Generator

torch.set_num_threads(1)

MU = {"a": np.array([0.0, 5.0, -3.0]), "b": np.array([4.0, 0.0, 1.0])}
SD = {"a": np.array([1.0, 2.0, 0.5]), "b": np.array([0.5, 1.0, 1.0])}
#: settings that learn the toy distribution in a few seconds on one CPU thread
FAST = {
    "smote": {},
    "gan": {"epochs": 100},
    "vae": {"epochs": 60},
    "flow": {"epochs": 40},
    "ddpm": {"epochs": 150, "sample_steps": 100},
}
#: |synthetic class mean − true mean| / true SD allowed (SMOTE interpolates real cells: tight;
#: the deep generators learn the distribution from 300 cells per class in seconds: looser)
TOL = {"smote": 0.15, "gan": 0.45, "vae": 0.3, "flow": 0.3, "ddpm": 0.45}


def toy(n=300, seed=0):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(MU["a"], SD["a"], size=(n, 3)), rng.normal(MU["b"], SD["b"], size=(n, 3))])
    return X, np.array(["a"] * n + ["b"] * n)


_FITTED = {}


def fitted(name):
    if name not in _FITTED:
        X, y = toy()
        _FITTED[name] = (
            make_generator(name, seed=3, device="cpu", **FAST[name])
            if name != "smote"
            else make_generator(name, seed=3)
        )
        _FITTED[name].fit(X, y)
    return _FITTED[name]


def test_registry_has_the_five_generators():
    assert set(GENERATORS) == {"smote", "gan", "vae", "flow", "ddpm"}
    assert generator_params("gan")["lr"] == 2e-4 and generator_params("gan")["beta1"] == 0.5
    assert generator_params("gan")["epochs"] == 300
    assert generator_params("vae")["latent_dim"] == 2 and generator_params("vae")["hidden"] == 64
    assert generator_params("vae")["lr"] == 1e-3
    assert generator_params("flow")["n_layers"] == 4
    assert generator_params("ddpm")["timesteps"] == 1000


@pytest.mark.parametrize("name", list(GENERATORS))
def test_shape_labels_and_report(name):
    g = fitted(name)
    Xs, ys = g.sample(200, random_state=1)
    assert Xs.shape[1] == 3 and len(Xs) == len(ys)
    assert set(ys) == {"a", "b"}
    rep = g.report_.set_index("class")
    assert (rep["n_requested"] == 200).all()
    for c in "ab":
        assert (ys == c).sum() == rep.loc[c, "n_kept"]
        assert rep.loc[c, "n_kept"] + rep.loc[c, "n_nonfinite"] + rep.loc[c, "n_out_of_range"] == 200
    assert rep["n_kept"].sum() >= 0.95 * 400, rep
    assert np.isfinite(Xs).all()
    # per-class dict of sizes
    Xd, yd = g.sample({"a": 5, "b": 0}, random_state=1)
    assert set(yd) <= {"a"} and len(yd) <= 5


@pytest.mark.parametrize("name", list(GENERATORS))
def test_seed_reproducibility(name):
    g = fitted(name)
    X1, y1 = g.sample(50, random_state=11)
    X2, y2 = g.sample(50, random_state=11)
    X3, _ = g.sample(50, random_state=12)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert X1.shape != X3.shape or not np.allclose(X1, X3)
    # a refit with the same seed gives the same model (2 epochs for the deep ones: fast)
    X, y = toy(60)
    kw = {} if name == "smote" else {"epochs": 2, "device": "cpu"}
    if name == "ddpm":
        kw["sample_steps"] = 10
    a = make_generator(name, seed=5, **kw).fit(X, y).sample(20, random_state=2)[0]
    b = make_generator(name, seed=5, **kw).fit(X, y).sample(20, random_state=2)[0]
    np.testing.assert_allclose(a, b)


@pytest.mark.parametrize("name", list(GENERATORS))
def test_class_means_of_a_known_distribution(name):
    g = fitted(name)
    Xs, ys = g.sample(1000, random_state=4)
    for c in "ab":
        err = np.abs(Xs[ys == c].mean(axis=0) - MU[c]) / SD[c]
        assert err.max() < TOL[name], (name, c, err)


def test_smote_samples_lie_between_real_cells_of_their_class():
    X, y = toy()
    g = fitted("smote")
    Xs, ys = g.sample(300, random_state=0)
    for c in "ab":
        lo, hi = X[y == c].min(0), X[y == c].max(0)
        assert ((Xs[ys == c] >= lo - 1e-9) & (Xs[ys == c] <= hi + 1e-9)).all()


# -- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(GENERATORS))
def test_tiny_classes_and_constant_feature(name, caplog):
    rng = np.random.default_rng(1)
    X = np.vstack([rng.normal(0, 1, (40, 3)), rng.normal(3, 1, (2, 3)), rng.normal(-3, 1, (1, 3))])
    X[:, 2] = 7.5  # constant feature
    y = np.array(["big"] * 40 + ["two"] * 2 + ["one"])
    kw = {} if name == "smote" else {"epochs": 3, "device": "cpu"}
    if name == "ddpm":
        kw["sample_steps"] = 10
    with caplog.at_level("WARNING", logger="neurogen"):
        g = make_generator(name, seed=0, **kw).fit(X, y)
    assert g.skipped_classes_ == ["one"]
    assert "fewer than 2 training cells" in caplog.text
    Xs, ys = g.sample(30, random_state=0)
    assert set(ys) <= {"big", "two"} and "one" not in set(ys)
    assert (Xs[:, 2] == 7.5).all()
    if name == "smote":
        assert g.k_used_ == {"big": 5, "two": 1}
        assert "k_neighbors reduced from 5 to 1" in caplog.text


@pytest.mark.parametrize("name", list(GENERATORS))
def test_nan_input_is_a_clear_error(name):
    X, y = toy(20)
    X[3, 1] = np.nan
    with pytest.raises(NeurogenError, match="missing or non-finite"):
        make_generator(name).fit(X, y)


def test_other_bad_input():
    X, y = toy(20)
    with pytest.raises(NeurogenError, match="unknown generator"):
        make_generator("wgan")
    with pytest.raises(NeurogenError, match="unknown parameter 'epoch'"):
        make_generator("gan", epoch=3)
    with pytest.raises(NeurogenError, match="before sample"):
        make_generator("smote").sample(5)
    with pytest.raises(NeurogenError, match="rows but y has"):
        make_generator("smote").fit(X, y[:-1])
    with pytest.raises(NeurogenError, match="no class has 2"):
        make_generator("smote").fit(X[:1], y[:1])
    with pytest.raises(NeurogenError, match="not in the training data"):
        make_generator("smote").fit(X, y).sample({"zz": 3})
    with pytest.raises(NeurogenError, match="outlier_ref"):
        make_generator("smote", outlier_ref="median")


class _Wild(Generator):
    """Returns fixed rows: fine, non-finite, far beyond the real range, beyond 3 SD of the mean."""

    name = "wild"

    def _fit(self, X, codes):
        pass

    def _sample(self, counts, seed):
        rows = np.array([[0.0, 0.0], [np.nan, 0.0], [np.inf, 0.0], [100.0, 0.0], [0.0, 2.9]])
        return rows, np.zeros(len(rows), int)


def test_nonfinite_and_out_of_range_samples_are_counted_and_removed(caplog):
    X = np.array([[-1.0, -1.0], [1.0, 1.0], [0.0, 3.0], [0.0, -3.0]])  # SD of column 1: ~2.1
    y = np.array(["a"] * 4)
    with caplog.at_level("WARNING", logger="neurogen"):
        g = _Wild(outlier_sd=1.0).fit(X, y)
        Xs, ys = g.sample(5)
    rep = g.report_.iloc[0]
    assert (rep["n_nonfinite"], rep["n_out_of_range"], rep["n_kept"]) == (2, 1, 2)
    assert "removed 3 of 5" in caplog.text
    # the study's rule (distance from the mean): 2.9 is > 1 SD from the mean of column 1
    g = _Wild(outlier_sd=1.0, outlier_ref="mean").fit(X, y)
    g.sample(5)
    assert g.report_.iloc[0]["n_out_of_range"] == 2
    g = _Wild(outlier_sd=None).fit(X, y)
    g.sample(5)
    assert g.report_.iloc[0]["n_out_of_range"] == 0


def test_fit_resample_and_pickle_roundtrip(tmp_path):
    import pickle

    X, y = toy(50)
    Xa, ya = make_generator("smote", seed=1).fit_resample(X, y, 10)
    assert len(Xa) == len(X) + 20 and (Xa[: len(X)] == X).all()
    g = make_generator("vae", epochs=2, device="cpu", seed=1).fit(X, y)
    before = g.sample(10, random_state=3)[0]
    p = tmp_path / "g.pkl"
    p.write_bytes(pickle.dumps(g.to_cpu()))
    g2 = pickle.loads(p.read_bytes()).to_device("cpu")
    np.testing.assert_allclose(g2.sample(10, random_state=3)[0], before)


def test_flow_with_more_features_than_hidden_units():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 71))  # mee-type has 71 numeric features
    y = np.array(["a", "b"] * 20)
    g = make_generator("flow", epochs=1, hidden=64, device="cpu").fit(X, y)
    Xs, _ = g.sample(3, random_state=0)
    assert Xs.shape[1] == 71
