"""Distribution-level fidelity metrics on known distributions: identical samples give the
reference values; a shifted or collapsed sample moves each metric in the expected direction."""

import numpy as np
import pytest

from neurogen import NeurogenError
from neurogen.fidelity import distribution as D


@pytest.fixture
def gauss():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(150, 6))
    same = rng.normal(size=(150, 6))  # same distribution, new draw
    shifted = rng.normal(1.5, 1.0, size=(150, 6))
    collapsed = rng.normal(0.0, 0.05, size=(150, 6))  # a generator that lost the spread
    return real, same, shifted, collapsed


def test_sd_ratio(gauss):
    real, same, shifted, collapsed = gauss
    assert D.sd_ratio(real, real) == pytest.approx(1.0)
    assert 0.8 < D.sd_ratio(same, real) < 1.2
    assert D.sd_ratio(collapsed, real) < 0.1
    assert 0.8 < D.sd_ratio(shifted, real) < 1.2  # a shift keeps the spread


def test_mmd(gauss):
    real, same, shifted, collapsed = gauss
    m_same, p_same = D.mmd_rbf(real, same, n_permutations=100, seed=1)
    m_shift, p_shift = D.mmd_rbf(real, shifted, n_permutations=100, seed=1)
    m_coll, p_coll = D.mmd_rbf(real, collapsed, n_permutations=100, seed=1)
    assert abs(m_same) < 0.02 and p_same > p_shift
    assert m_shift > 10 * max(m_same, 1e-3) and p_shift < 0.02
    assert m_coll > 10 * max(m_same, 1e-3) and p_coll < 0.02
    assert D.mmd_rbf(real, shifted, n_permutations=50, seed=3) == D.mmd_rbf(real, shifted, n_permutations=50, seed=3)


def test_mmd_permutation_p_is_calibrated():
    # same distribution: p-values spread over (0, 1], not piled up near 0
    ps = []
    for s in range(16):
        r = np.random.default_rng(100 + s)
        ps.append(D.mmd_rbf(r.normal(size=(60, 4)), r.normal(size=(60, 4)), n_permutations=60, seed=s)[1])
    ps = np.array(ps)
    assert (ps < 0.05).mean() <= 0.25 and np.median(ps) > 0.2


def test_c2st(gauss):
    real, same, shifted, collapsed = gauss
    assert 0.35 < D.c2st_auc(real, same, seed=0) < 0.65
    assert D.c2st_auc(real, shifted, seed=0) > 0.9
    assert D.c2st_auc(real, collapsed, seed=0) > 0.8  # same mean, no spread: a forest sees it


def test_prdc_identical_and_collapsed(gauss):
    real, same, shifted, collapsed = gauss
    ident = D.prdc(real, real.copy(), k=5)
    assert ident["precision"] == 1 and ident["recall"] == 1 and ident["coverage"] == 1
    assert ident["density"] == pytest.approx(1.0, abs=0.05)
    coll = D.prdc(real, collapsed, k=5)
    # every collapsed cell sits in the dense middle of the real cloud (high precision), but the
    # synthetic balls are tiny: few real cells are covered
    assert coll["precision"] > 0.9
    assert coll["recall"] < 0.2 and coll["coverage"] < 0.3
    sh = D.prdc(real, shifted, k=5)
    assert sh["precision"] < 0.6 and sh["coverage"] < 0.7
    good = D.prdc(real, same, k=5)
    assert good["recall"] > 0.8 and good["coverage"] > 0.8


def test_prdc_hand_computed():
    # 1-D: real at 0, 1, 2, 3 (k=1 radius 1); synthetic at 0.5 and 10
    real = np.array([[0.0], [1.0], [2.0], [3.0]])
    syn = np.array([[0.5], [10.0], [10.2]])
    r = D.prdc(real, syn, k=1)
    assert r["precision"] == pytest.approx(1 / 3)  # only 0.5 lies in a real ball
    assert r["density"] == pytest.approx(2 / 3)  # 0.5 is in the balls of 0 and 1
    assert r["coverage"] == pytest.approx(2 / 4)  # balls of 0 and 1 hold a synthetic cell
    # synthetic radii (k=1): 0.5 -> 9.5, 10 -> 0.2, 10.2 -> 0.2: every real cell lies in 0.5's ball
    assert r["recall"] == pytest.approx(1.0)


def test_dcr_flags_copies(gauss):
    real, same, *_ = gauss
    rng = np.random.default_rng(1)
    copies = real[rng.choice(len(real), 100)] + rng.normal(0, 1e-3, size=(100, 6))
    c = D.dcr(copies, real)
    s = D.dcr(same, real)
    assert c["near_copy_share"] > 0.95
    assert s["near_copy_share"] < 0.2
    assert c["dcr_median"] < 0.01 * c["dcr_median_ref"]
    assert s["dcr_median"] == pytest.approx(s["dcr_median_ref"], rel=0.5)


def test_tstr():
    rng = np.random.default_rng(2)
    y = np.repeat(["a", "b"], 60)
    X = rng.normal(size=(120, 3)) + (y == "b")[:, None] * 3.0
    Xte = rng.normal(size=(60, 3)) + (np.repeat(["a", "b"], 30) == "b")[:, None] * 3.0
    yte = np.repeat(["a", "b"], 30)
    good = D.tstr(X + rng.normal(0, 0.1, X.shape), y, X, y, Xte, yte, seed=0)
    assert good["tstr_accuracy"] > 0.9 and good["trtr_accuracy"] > 0.9
    swapped = D.tstr(X, y[::-1], X, y, Xte, yte, seed=0)  # labels wrong: TSTR far below TRTR
    assert swapped["tstr_accuracy"] < 0.2 < good["trtr_accuracy"]
    assert set(good["tstr_recall"]) == {"a", "b"}


def test_distribution_fidelity_reference_and_flags():
    rng = np.random.default_rng(3)
    y = np.repeat(["a", "b"], 80)
    X = rng.normal(size=(160, 5)) + (y == "b")[:, None] * 2.0
    same = rng.normal(size=(160, 5)) + (y == "b")[:, None] * 2.0
    collapsed = rng.normal(0, 0.02, size=(160, 5)) + (y == "b")[:, None] * 2.0
    good = D.distribution_fidelity(same, y, X, y, X, y, seed=0, n_permutations=50)
    bad = D.distribution_fidelity(collapsed, y, X, y, X, y, seed=0, n_permutations=50)
    assert list(good["class"]) == ["a", "b"]
    for col in D.METRICS:
        assert col in good
    # the reference is computed identically for both (it uses only the real cells)
    assert np.allclose(good["sd_ratio_ref"], bad["sd_ratio_ref"])
    assert (abs(good["sd_ratio"] - good["sd_ratio_ref"]) < 0.3).all()
    assert (bad["sd_ratio"] < 0.1).all() and (bad["coverage"] < bad["coverage_ref"] - 0.3).all()
    assert (bad["c2st_auc"] > good["c2st_auc"] + 0.2).all()
    summ = D.deviation_summary(bad.assign(generator="collapsed"))
    w = summ.set_index("metric")["worse"]
    assert w["sd_ratio"] > 1 and w["coverage"] > 0.3


def test_bad_input_is_named():
    with pytest.raises(NeurogenError, match="non-finite"):
        D.sd_ratio(np.array([[np.nan, 1.0], [1.0, 2.0]]), np.ones((3, 2)))
    with pytest.raises(NeurogenError, match="different numbers of features"):
        D.prdc(np.ones((10, 2)), np.ones((10, 3)))


def test_tuning_candidates_and_score_direction():
    from neurogen.augment.tune import candidates, fidelity_score

    c = candidates({"epochs": [1, 2, 3], "lr": [0.1, 0.2]}, {"epochs": 9}, budget=4, seed=0)
    assert c[0] == {"epochs": 9} and len(c) == 4 and len({repr(x) for x in c}) == 4
    assert c == candidates({"epochs": [1, 2, 3], "lr": [0.1, 0.2]}, {"epochs": 9}, budget=4, seed=0)
    assert len(candidates({"epochs": [1]}, {}, budget=10, seed=0)) == 2  # grid exhausted
    with pytest.raises(NeurogenError, match="budget"):
        candidates({}, {}, budget=0, seed=0)
    rng = np.random.default_rng(5)
    y = np.repeat(["a", "b"], 60)
    X = rng.normal(size=(120, 4)) + (y == "b")[:, None] * 3
    same = rng.normal(size=(120, 4)) + (y == "b")[:, None] * 3
    collapsed = rng.normal(0, 0.05, size=(120, 4)) + (y == "b")[:, None] * 3
    assert fidelity_score(same, y, X, y) < fidelity_score(collapsed, y, X, y)
    assert fidelity_score(same, y, X, y) < fidelity_score(same + 2.0, y, X, y)


def test_tune_generator_selects_by_validation_fidelity():
    import torch

    from neurogen.augment.tune import tune_generator

    torch.set_num_threads(1)
    rng = np.random.default_rng(6)
    y = np.repeat(["a", "b"], 80)
    X = rng.normal(size=(160, 4)) + (y == "b")[:, None] * 3
    best, table = tune_generator(
        "vae", X, y, base={"epochs": 1, "log_every": 1000}, grid={"epochs": [40], "latent_dim": [4]}, budget=2, seed=0
    )
    assert len(table) == 2 and table["selected"].sum() == 1
    sel = table[table["selected"]].iloc[0]
    assert sel["fidelity_score"] == table["fidelity_score"].min()
    assert best["epochs"] == sel["param_epochs"]
    assert table.loc[0, "param_epochs"] == 1  # the base configuration is always tried
