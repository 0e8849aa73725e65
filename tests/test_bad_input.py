"""Bad input never gives a silent wrong result (issue 13): each class of bad input gets a clear
error naming the file / line / column / key and what to do, or a documented, logged handling.
docs/bad_input.md lists the classes; the item numbers below follow the issue."""

import copy
import logging
import re

import numpy as np
import pytest
import torch
import yaml
from conftest import ROOT

from neurogen import NeurogenError
from neurogen.data import load_feature_table
from neurogen.data.prepared import prepare_dataset


def _write(tmp_path, text, name="t.csv", mode="w"):
    p = tmp_path / name
    if mode == "wb":
        p.write_bytes(text)
    else:
        p.write_text(text)
    return p


def _table_text(n=12, classes=("A", "B", "C"), sep=";", label=lambda c, i: c):
    rng = np.random.default_rng(0)
    rows = ["e-type;f1;f2".replace(";", sep)]
    for i in range(n * len(classes)):
        c = classes[i % len(classes)]
        rows.append(sep.join([label(c, i), f"{rng.normal():.4f}", f"{rng.normal():.4f}"]))
    return "\n".join(rows) + "\n"


def _prepare(tmp_path, raw, **kw):
    kw.setdefault("cv_folds", 3)
    kw.setdefault("repeats", 1)
    return prepare_dataset(raw, tmp_path / "out", **kw)


# ---------------------------------------------------------------- 1. one-class table
def test_one_class_table_is_an_error_not_accuracy_1(tmp_path):
    p = _write(tmp_path, _table_text(classes=("Exc_1",)), "mine.csv")
    with pytest.raises(NeurogenError, match=r"mine\.csv: only 1 class \(Exc_1 \(12\)\).*at least 2 classes"):
        _prepare(tmp_path, p)
    assert not (tmp_path / "out" / "cells.csv").exists()  # nothing for the sweep to score


# ---------------------------------------------------------------- 2. ragged rows
def test_short_row_is_an_error_with_its_line(tmp_path):
    text = _table_text().splitlines()
    text[5] = text[5].rsplit(";", 1)[0]  # a truncated row: the last cell is missing
    p = _write(tmp_path, "\n".join(text) + "\n")
    with pytest.raises(NeurogenError, match=r"t\.csv, line 6: malformed table: 2 cells but the header has 3"):
        load_feature_table(p)


# ---------------------------------------------------------------- 3. label variants
def test_label_whitespace_is_stripped_and_logged(tmp_path, caplog):
    p = _write(tmp_path, _table_text(label=lambda c, i: c + (" " if i % 2 else "")))
    logging.getLogger("neurogen").propagate = True
    with caplog.at_level(logging.INFO, logger="neurogen"):
        t = load_feature_table(p)
    assert t.classes == ["A", "B", "C"]
    assert "stripped surrounding whitespace" in caplog.text


def test_labels_differing_only_in_case_are_an_error_naming_them(tmp_path):
    p = _write(tmp_path, _table_text(classes=("Exc_1", "Inh_2"), label=lambda c, i: c.lower() if i == 4 else c))
    with pytest.raises(NeurogenError, match=r"differ only in upper/lower case: 'Exc_1' vs 'exc_1' \(first at line 6\)"):
        load_feature_table(p)


# ---------------------------------------------------------------- 4. inf cells, duplicate columns
def test_inf_cell_is_an_error_naming_column_and_line(tmp_path):
    text = _table_text().splitlines()
    text[3] = text[3].rsplit(";", 1)[0] + ";inf"
    p = _write(tmp_path, "\n".join(text) + "\n")
    with pytest.raises(NeurogenError, match=r"line 4: column 'f2' holds an infinite value \(inf\).*empty cell"):
        load_feature_table(p)


def test_duplicate_column_names_are_an_error(tmp_path):
    p = _write(tmp_path, "e-type;avg_isi;avg_isi\nA;1;2\nB;3;4\n")
    with pytest.raises(NeurogenError, match=r"line 1: column name\(s\) \['avg_isi'\] appear more than once"):
        load_feature_table(p)


# ---------------------------------------------------------------- 5. recorded neurons: units
TIME = np.linspace(4.0, 11.0, 350)
AMPS = [-15.0, -10.0, 0.0, 10.0, 15.0]


def _cc(path, t, scale=1.0, amps=AMPS, flat=False):
    with open(path, "w") as fh:
        fh.write("time\t" + "\t".join(f"{a:g}" for a in amps) + "\n")
        for ti in t:
            on = 5.0 <= (ti if t[-1] < 100 else ti / 1000) <= 10.0
            fh.write(
                f"{ti:.6f}\t" + "\t".join(f"{scale * (-60 + (0 if flat else 0.5 * a * on)):.6f}" for a in amps) + "\n"
            )
    return path


def test_cclamp_good_file_loads(tmp_path):
    from neurogen.epgan.recorded import load_cclamp

    rec = load_cclamp(_cc(tmp_path / "cc.txt", np.arange(0, 15, 0.01)), time_s=TIME)
    assert rec.responses.shape == (1, 5, 350)
    assert rec.responses[0, -1].max() == pytest.approx(-60 + 7.5, abs=1e-3)


@pytest.mark.parametrize(
    "case,match",
    [
        ("ms_time", r"runs to 14990 s .* looks like milliseconds; set time_unit: ms"),
        ("volts", r"within ±1 .* look like volts; give them in mV"),
        ("flat", r"no response to the current steps"),
        ("dup_amp", r"amplitude\(s\) \[10.0\] pA appear in more than one column \(columns \[4, 5\]\)"),
        ("binary", r"a binary file"),
        ("s_as_ms", r"looks like seconds: remove time_unit: ms"),
    ],
)
def test_cclamp_implausible_units_stop_with_the_suspected_unit(tmp_path, case, match):
    from neurogen.epgan.recorded import load_cclamp

    p, kw = tmp_path / "cc.txt", {}
    t = np.arange(0, 15, 0.01)
    if case == "ms_time":
        _cc(p, t * 1000)  # milliseconds, time_unit left at 's'
    elif case == "volts":
        _cc(p, t, scale=1e-3)
    elif case == "flat":
        _cc(p, t, flat=True)
    elif case == "dup_amp":
        _cc(p, t, amps=[-10.0, 0.0, 10.0, 10.0])
    elif case == "binary":
        p.write_bytes(b"\x00\x01\x02HDF\x00" * 10)
    elif case == "s_as_ms":
        _cc(p, t)
        kw["time_unit"] = "ms"
    with pytest.raises(NeurogenError, match=match):
        load_cclamp(p, time_s=TIME, **kw)


@pytest.mark.parametrize(
    "case,match",
    [
        ("volts", r"holding potentials .* look like volts"),
        ("amperes", r"look like amperes; give them in pA"),
        ("dup", r"holding potential\(s\) \[-50.0\] mV appear in more than one column"),
    ],
)
def test_vclamp_implausible_units_and_duplicates(tmp_path, case, match):
    from neurogen.epgan.recorded import load_vclamp

    levels = np.arange(-100.0, 41.0, 10.0)
    cur = 3.0 * levels + 10
    if case == "volts":
        levels = levels / 1000
    elif case == "amperes":
        cur = cur * 1e-12
    elif case == "dup":
        levels[6] = levels[5]
    t = np.arange(0, 0.5, 0.01)
    p = tmp_path / "vc.txt"
    with open(p, "w") as fh:
        fh.write("time\t" + "\t".join(f"{v:g}" for v in levels) + "\n")
        for ti in t:
            fh.write(f"{ti:.4f}\t" + "\t".join(f"{c:.6g}" for c in cur) + "\n")
    with pytest.raises(NeurogenError, match=match):
        load_vclamp(p)


def test_recorded_rule_writes_params_only_after_the_checks():
    """The script loads and checks both recordings before anything is written."""
    src = (ROOT / "workflow" / "scripts" / "epgan_recorded.py").read_text()
    first_write = min(src.index("write_csv("), src.index("write_npz("))
    assert src.index("load_cclamp(") < first_write and src.index("load_vclamp(") < first_write


# ---------------------------------------------------------------- 6. constant feature, Box-Cox
def test_boxcox_drops_constant_training_features(caplog):
    from neurogen.classify.select import build_pipeline

    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 4))
    X[:, 2] = 5.0
    y = np.repeat(["a", "b", "c"], 30)
    logging.getLogger("neurogen").propagate = True
    with caplog.at_level(logging.WARNING, logger="neurogen"):
        pipe = build_pipeline("boxcox", "none", "random_forest", {"n_estimators": 5}, seed=0)
        pipe.fit(X[::2], y[::2])
        acc = (pipe.predict(X[1::2]) == y[1::2]).mean()
    assert np.isfinite(acc)
    assert re.search(r"Box-Cox: dropping 1 feature\(s\) constant in the training data \(columns \[2\]\)", caplog.text)


# ---------------------------------------------------------------- 7. physical HH parameters
@pytest.fixture(scope="module")
def small():
    from neurogen.hh.model import Model, load_space

    sp = load_space("small")
    return sp, Model(sp)


@pytest.mark.parametrize(
    "values,match",
    [
        ({"C": 0.0}, r"C = 0 \(must be > 0"),
        ({"SHL1_g": -0.5}, r"SHL1_g = -0.5 \(must be >= 0"),
        ({"V0": float("nan")}, r"V0 = nan \(must be finite\)"),
    ],
)
def test_unphysical_hh_parameters_are_rejected_at_every_entry_point(small, values, match):
    from neurogen.hh.model import simulate_cclamp, simulate_vclamp, steady_state_iv

    sp, model = small
    p = np.tile(sp.default, (3, 1))
    for k, v in values.items():
        p[2, sp.index[k]] = v
    calls = [
        lambda: steady_state_iv(p, model=model),
        lambda: simulate_cclamp(torch.as_tensor(p), [0.0], dt_ms=5.0, model=model),
        lambda: simulate_vclamp(p, [-60.0], dt_ms=1.0, model=model),
    ]
    for call in calls:
        with pytest.raises(
            NeurogenError, match=r"invalid HH parameters in 1 of 3 parameter set\(s\) \(first: set 2: " + match
        ):
            call()


def test_many_rejections_are_logged_at_warning(caplog):
    from neurogen.io import warn_rejections

    log = logging.getLogger("neurogen")
    log.propagate = True
    with caplog.at_level(logging.INFO, logger="neurogen"):
        warn_rejections(log, "shard 0", 100, {"non-finite simulations": 3})
        assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
        warn_rejections(log, "shard 0", 100, {"non-finite simulations": 12})
    warns = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warns) == 1 and "12 of 100 (12.0%) non-finite simulations rejected" in warns[0].getMessage()


# ---------------------------------------------------------------- 8. crashes -> messages
def test_latin1_header_names_the_line(tmp_path):
    p = _write(tmp_path, "e-type;f1;\xb5_isi\nA;1;2\nB;2;3\n".encode("latin-1"), mode="wb")
    with pytest.raises(NeurogenError, match=r"t\.csv, line 1: not UTF-8 text \(byte 0xb5.*re-save the file as UTF-8"):
        load_feature_table(p)


def test_binary_table_is_a_message(tmp_path):
    p = _write(tmp_path, b"\x89HDF\r\n\x1a\n\x00\x00\x00" * 20, mode="wb")
    with pytest.raises(NeurogenError, match="a binary file, not a text table"):
        load_feature_table(p)


def test_header_only_table_is_a_message(tmp_path):
    p = _write(tmp_path, "e-type;f1;f2\n")
    with pytest.raises(NeurogenError, match=r"t\.csv: no data rows \(only a header line\)"):
        load_feature_table(p)


def test_malformed_model_bundle_is_a_message(tmp_path):
    from neurogen.epgan.train import BUNDLE_FORMAT, load_bundle

    p = tmp_path / "model.pt"
    torch.save({"format": BUNDLE_FORMAT, "final": {}, "best": None, "arrays": {}, "meta": '{"cfg": {}}'}, p)
    with pytest.raises(NeurogenError, match=r"model\.pt: malformed EP-GAN model file: missing \['free_names'"):
        load_bundle(p)
    torch.save({"final": {}}, p)  # an old / foreign layout: no bare KeyError
    with pytest.raises(NeurogenError, match=r"not an EP-GAN model file \(format None"):
        load_bundle(p)
    p.write_text("not a zip")
    with pytest.raises(NeurogenError, match="not an EP-GAN model file this version can load safely"):
        load_bundle(p)


def _config(**over):
    base = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    test = yaml.safe_load((ROOT / "config" / "test.yaml").read_text())

    def merge(a, b):
        for k, v in b.items():
            if isinstance(v, dict) and isinstance(a.get(k), dict):
                merge(a[k], v)
            else:
                a[k] = copy.deepcopy(v)
        return a

    return merge(merge(base, test), over)


def test_wildcard_braces_in_a_user_path_are_a_config_error(tmp_path):
    from neurogen.config import check_config

    (tmp_path / "cells{2024}.csv").write_text("e-type;f1\nA;1\n")
    cfg = _config(datasets={"mine": {"source": "path", "path": str(tmp_path / "cells{2024}.csv")}})
    with pytest.raises(
        NeurogenError, match=r"datasets\.mine\.path: file name .*cells\{2024\}\.csv.* Snakemake reads as a wildcard"
    ):
        check_config(cfg, root=ROOT)


# ---------------------------------------------------------------- 9. config typos and ranges
def test_unknown_resources_rule_name_is_an_error():
    from neurogen.config import check_config, rule_names

    assert {"prepare_data", "epgan_train", "classify_shard"} <= set(rule_names())
    cfg = _config(resources={"epgan_trian": {"mem_mb": 4000}, "prepare_data": {"mem_mb": 2000}})
    with pytest.raises(
        NeurogenError, match=r"resources\.epgan_trian: no rule named 'epgan_trian' \(did you mean epgan_train"
    ):
        check_config(cfg, root=ROOT)
    check_config(_config(resources={"prepare_data": {"mem_mb": 2000}}), root=ROOT)


def test_duplicate_key_in_a_user_config_is_an_error(tmp_path):
    from neurogen.config import check_config_files

    p = tmp_path / "mine.yaml"
    p.write_text("seed: 1\nclassify:\n  cv_folds: 3\n  cv_folds: 5\n")
    with pytest.raises(NeurogenError, match=r"mine\.yaml, line 4: key 'cv_folds' appears twice .*first at line 3"):
        check_config_files([ROOT / "config" / "config.yaml", p])
    check_config_files([ROOT / "config" / name for name in ("config.yaml", "test.yaml", "full.yaml")])


@pytest.mark.parametrize(
    "clf,grid,match",
    [
        (
            "random_forest",
            {"n_estimators": [-10, 10]},
            r"classify\.grids\.random_forest\.n_estimators: -10 is not valid",
        ),
        ("svm_sigmoid", {"C": [-1], "gamma": ["scale"]}, r"classify\.grids\.svm_sigmoid\.C: -1 is not valid"),
        ("logreg_l2", {"C": [0.0]}, r"classify\.grids\.logreg_l2\.C: 0\.0 is not valid"),
    ],
)
def test_grid_values_out_of_range_stop_at_start_up(clf, grid, match):
    from neurogen.config import check_config

    cfg = _config()
    cfg["classify"]["classifiers"] = [clf]
    cfg["classify"]["grids"] = {clf: grid}
    with pytest.raises(NeurogenError, match=match):
        check_config(cfg, root=ROOT)


# ---------------------------------------------------------------- 10. messages name the user's file
def test_errors_name_the_users_file_not_the_copy(tmp_path):
    raw = _write(tmp_path, "e-type;f1\nA;1\nB\n", "raw.csv")
    with pytest.raises(NeurogenError, match=r"^/data/lab/my_cells\.csv, line 3") as e:
        _prepare(tmp_path, raw, source="/data/lab/my_cells.csv")
    assert "raw.csv" not in str(e.value)
    one = _write(tmp_path, _table_text(classes=("A",)), "raw1.csv")
    with pytest.raises(NeurogenError, match=r"^/data/lab/my_cells\.csv: only 1 class"):
        _prepare(tmp_path, one, source="/data/lab/my_cells.csv")


def test_prepare_rule_passes_the_users_file():
    smk = (ROOT / "workflow" / "rules" / "data.smk").read_text()
    assert "source=raw_origin" in smk
    assert "source=snakemake.params.source" in (ROOT / "workflow" / "scripts" / "prepare_data.py").read_text()


# ---------------------------------------------------------------- 11. no code runs from a model file
class _Payload:
    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))  # would create the marker file if unpickled


def test_crafted_model_file_does_not_run_code(tmp_path):
    from neurogen.augment.io import load_models
    from neurogen.epgan.train import load_bundle
    from neurogen.fit.npe import load_posterior

    marker = tmp_path / "pwned"
    p = tmp_path / "model.pt"
    torch.save({"format": "x", "final": _Payload(marker)}, p)
    for load in (load_bundle, load_models, load_posterior):
        with pytest.raises(NeurogenError, match="can load safely"):
            load(p)
    assert not marker.exists()


def test_generator_models_roundtrip_without_pickle(tmp_path):
    from neurogen.augment import make_generator
    from neurogen.augment.io import load_models, save_models

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    X[:, 1] = 2.0
    y = np.repeat(["a", "b"], 20)
    gens = [make_generator("smote", k_neighbors=3), make_generator("vae", epochs=2, device="cpu", seed=1)]
    models = [
        {"repeat": 0, "scaler": "standard", "reducer": "pca", "model": g.fit(X, y).to_cpu(), "fit_time_s": 0.1}
        for g in gens
    ]
    for g, m in zip(("smote", "vae"), models):
        save_models(tmp_path / f"{g}.pt", g, "scaled", [m])
        back = load_models(tmp_path / f"{g}.pt")
        assert back["generator"] == g and back["mode"] == "scaled"
        a = m["model"].sample(4, random_state=3)
        b = back["models"][0]["model"].sample(4, random_state=3)
        np.testing.assert_allclose(a[0], b[0])
        assert list(a[1]) == list(b[1])


_UNSAFE = [
    (re.compile(r"torch\.load\((?![^)]*weights_only\s*=\s*True)[^)]*\)"), "torch.load without weights_only=True"),
    (re.compile(r"\bpickle\.loads?\("), "pickle.load"),
    (re.compile(r"\b(?:joblib|dill|cloudpickle)\.load\("), "joblib/dill load"),
    (re.compile(r"allow_pickle\s*=\s*True"), "np.load(allow_pickle=True)"),
    (re.compile(r"\bread_pickle\("), "pandas.read_pickle"),
]


def test_no_unsafe_deserialisation_in_the_library_and_scripts():
    hits = []
    for f in sorted((ROOT / "workflow").rglob("*.py")) + sorted((ROOT / "workflow").rglob("*.smk")):
        text = f.read_text()
        for rx, what in _UNSAFE:
            for m in rx.finditer(text):
                hits.append(f"{f.relative_to(ROOT)}:{text[: m.start()].count(chr(10)) + 1}: {what}: {m.group(0)}")
    assert not hits, "\n".join(hits)


def test_the_grep_finds_what_it_looks_for():
    bad = [
        "x = torch.load(p)",
        "torch.load(p, weights_only=False)",
        "pickle.load(fh)",
        "pickle.loads(b)",
        "np.load(p, allow_pickle=True)",
    ]
    for line in bad:
        assert any(rx.search(line) for rx, _ in _UNSAFE), line
    assert not any(rx.search("torch.load(p, map_location='cpu', weights_only=True)") for rx, _ in _UNSAFE)


# ---------------------------------------------------------------- the same checks when Snakemake starts
def test_workflow_start_up_stops_on_bad_config(wf):
    from conftest import snakemake

    (wf / "dup.yaml").write_text("seed: 1\nsplit:\n  repeats: 2\n  repeats: 3\n")
    p = snakemake(wf, "-n", "--configfile", "config/test.yaml", "dup.yaml", check=False, timeout=300)
    assert p.returncode != 0
    assert re.search(r"dup\.yaml, line 4: key 'repeats' appears twice", p.stdout + p.stderr)
    (wf / "cells{x}.csv").write_text("e-type;f1\nA;1\n")
    (wf / "brace.yaml").write_text(
        "datasets:\n  mine: {source: path, path: 'cells{x}.csv'}\nresources:\n  prepare_dta: {mem_mb: 100}\n"
    )
    p = snakemake(wf, "-n", "--configfile", "config/test.yaml", "brace.yaml", check=False, timeout=300)
    out = p.stdout + p.stderr
    assert p.returncode != 0
    assert "datasets.mine.path: file name 'cells{x}.csv' contains" in out
    assert "resources.prepare_dta: no rule named 'prepare_dta' (did you mean prepare_data" in out


def test_npe_posterior_roundtrip_without_pickle(tmp_path):
    from neurogen.fit import npe

    rng = np.random.default_rng(0)
    theta = rng.random((120, 2))
    x = np.c_[theta @ rng.standard_normal((2, 4)) + 0.05 * rng.standard_normal((120, 4)), np.ones(120)]
    post, info = npe.train(theta, x, seed=0, max_epochs=3, hidden=8, embedding_dim=3, batch_size=40)
    npe.save_posterior(post, info, 5, tmp_path / "posterior.pt")
    back, info2, stride = npe.load_posterior(tmp_path / "posterior.pt")
    assert stride == 5 and info2["n_train"] == 120
    np.testing.assert_array_equal(info2["feature_mask"], info["feature_mask"])  # the constant column
    xo = torch.as_tensor(x[:1, info["feature_mask"]], dtype=torch.float32)
    th = torch.as_tensor(theta[:5], dtype=torch.float32)
    torch.testing.assert_close(
        back.log_prob(th, x=xo, norm_posterior=False), post.log_prob(th, x=xo, norm_posterior=False)
    )
