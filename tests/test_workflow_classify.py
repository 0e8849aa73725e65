"""End-to-end: the data + classify stages on config/test.yaml (in a temporary copy)."""

import re

import pandas as pd
import pytest
from conftest import shared_file, snakemake

pytestmark = pytest.mark.workflow


def job_stats(stdout: str) -> dict:
    """Parse Snakemake's 'Job stats' table of a dry run into {rule: count}."""
    m = re.search(r"Job stats:\n.*?\n-+\s+-+\n(.*?)\ntotal", stdout, re.S)
    assert m, stdout[-3000:]
    return {r: int(n) for r, n in re.findall(r"^(\S+)\s+(\d+)$", m.group(1), re.M)}


@pytest.fixture(scope="module")
def ran(test_config_run):
    """The test config's run (conftest's, shared: read and dry-run only)."""
    return test_config_run


def test_outputs_and_columns(ran):
    d = ran / "results" / "classify" / "etype"
    sweep = pd.read_csv(d / "sweep.csv").fillna({"error": ""})
    for c in [
        "dataset",
        "scaler",
        "reducer",
        "classifier",
        "params",
        "mean_test_accuracy",
        "std_test_accuracy",
        "mean_train_accuracy",
        "std_train_accuracy",
        "gap",
        "rank",
        "fit_time_s",
        "error",
    ]:
        assert c in sweep.columns
    # 2 scalers × 4 reducers × (2 + 2 + 1 candidates)
    assert len(sweep) == 2 * 4 * 5
    assert (sweep.loc[sweep["reducer"] == "hlle_k5", "error"] != "").all()
    ok = sweep[sweep["error"] == ""]
    assert ok["mean_test_accuracy"].between(0, 1).all() and len(ok) == 2 * 3 * 5
    assert ok["rank"].min() == 1
    base = pd.read_csv(d / "baseline.csv")
    assert 1 <= len(base) <= 2
    assert base["test_accuracy"].between(0, 1).all() and base["test_macro_f1"].notna().all()
    for f in ("landscape.png", "accuracy_distributions.png"):
        assert (d / f).stat().st_size > 10_000
    assert (ran / "results" / "data" / "etype" / "splits.csv").exists()
    assert list((ran / "results" / "benchmarks" / "classify" / "etype").glob("shard_*.tsv"))


def test_changing_one_grid_reruns_only_its_shards(ran, tmp_path):
    change = tmp_path / "change.yaml"
    change.write_text("classify:\n  grids:\n    svm_sigmoid: {C: [1, 10], gamma: [scale]}\n")
    p = snakemake(ran, "-n", "--configfile", "config/test.yaml", change)
    stats = job_stats(p.stdout)
    assert stats.pop("classify_shard") == 1  # svm_sigmoid (one job for both scalers), nothing else
    classify = {k: v for k, v in stats.items() if k.startswith("classify_")}
    assert classify == {"classify_merge": 1, "classify_select": 1, "classify_plots": 1}
    # besides: only what lies downstream of the selected baselines (the augmentation stage,
    # which retrains them) and the report pages; never the data, the folds or other stages
    others = set(stats) - set(classify) - {"all"}
    assert all(k.startswith("augment_") or k == "report_table" for k in others), others
    assert "classify_folds" not in p.stdout


def test_nothing_to_do_when_unchanged(ran):
    p = snakemake(ran, "-n", "--configfile", "config/test.yaml")
    assert "Nothing to be done" in p.stdout + p.stderr


@pytest.mark.parametrize(
    "yaml_text,message",
    [
        ("classify:\n  shuffle: true\n", "shuffle"),
        ("classify:\n  scalers: [zscore]\n", "zscore"),
        ("classify:\n  reducers: [none, umap]\n", "umap"),
        ("classify:\n  grids:\n    svm_rbf: {width: [1]}\n  classifiers: [svm_rbf]\n", "unknown parameter 'width'"),
    ],
)
def test_bad_config_fails_at_start_naming_the_key(wf, tmp_path, yaml_text, message):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml_text)
    p = snakemake(wf, "-n", "--configfile", "config/test.yaml", bad, check=False)
    assert p.returncode != 0
    assert message in p.stdout + p.stderr


def test_corrupt_download_fails_clearly(wf, tmp_path):
    src = shared_file("data", "allen", "e-type.csv")
    corrupt = tmp_path / "e-type.csv"
    corrupt.write_bytes(src.read_bytes()[:-200])
    cfg = tmp_path / "dl.yaml"
    cfg.write_text(
        "datasets:\n  etype:\n    source: download\n"
        f"    url: {corrupt.as_uri()}\n"
        "    sha256: 7123ccaa11bdb9f4c4a528843803de211816d0605ced11c6649a2a25091ba428\n"
    )
    p = snakemake(wf, "results/data/etype/raw.csv", "--configfile", "config/test.yaml", cfg, check=False)
    assert p.returncode != 0
    assert "checksum mismatch" in p.stdout + p.stderr
    assert not (wf / "results" / "data" / "etype" / "raw.csv").exists()


def test_download_rule_with_file_url(wf, tmp_path):
    src = shared_file("data", "allen", "e-type.csv")
    cfg = tmp_path / "dl.yaml"
    cfg.write_text(
        "datasets:\n  etype:\n    source: download\n"
        f"    url: {src.resolve().as_uri()}\n"
        "    sha256: 7123ccaa11bdb9f4c4a528843803de211816d0605ced11c6649a2a25091ba428\n"
    )
    snakemake(wf, "results/data/etype/cells.csv", "--configfile", "config/test.yaml", cfg)
    cells = pd.read_csv(wf / "results" / "data" / "etype" / "cells.csv")
    assert cells.shape[1] == 49 and cells["e-type"].nunique() == 17
