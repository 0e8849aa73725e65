"""benchmarks/sweep_speed.py's bookkeeping: parts summed, totals after every part, --resume and --table."""

import importlib.util
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _load():
    spec = importlib.util.spec_from_file_location("sweep_speed", ROOT / "benchmarks" / "sweep_speed.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["sweep_speed"] = mod
    spec.loader.exec_module(mod)
    return mod


COMMON = {"n_cells": 100, "scaler": "yeojohnson", "jobs": 2, "plain_jobs": 2, "full": True}


def _row(name, part, cands, e, p, identical=True):
    return {
        "classifier": name,
        "part": part,
        "candidates": cands,
        "engine_s": e,
        "plain_s": p,
        "engine_configs_per_s": cands / e,
        "plain_configs_per_s": cands / p,
        "ratio": p / e,
        "identical": identical,
        "load_before": 2.0,
        "load_after": 2.2,
        "first": "engine",
    } | COMMON


def test_totals_sum_parts_and_count_the_scaler_folds(tmp_path):
    ss = _load()
    grids = yaml.safe_load((ROOT / "config" / "full.yaml").read_text())["classify"]["grids"]
    parts = ss.parse_parts(["mlp:hidden_layer_sizes,activation"])
    labels = [label for label, _ in ss.split_grid(grids["mlp"], parts["mlp"])]
    assert len(labels) == 12
    rows = [
        {"classifier": "(scaler folds)", "candidates": 0, "engine_s": 1.0, "load_before": 2.0, "load_after": 2.0}
        | COMMON
    ]
    rows += [
        _row("lda", "", 1, 1.0, 10.0),
        _row("mlp", labels[0], 36, 10.0, 20.0),
        _row("mlp", labels[1], 36, 10.0, 40.0),
    ]
    df = ss.with_totals(rows, grids, parts, COMMON)
    s = df[df["part"] == "(sum of 2 of 12 parts)"].iloc[0]
    assert (s["candidates"], s["engine_s"], s["plain_s"], s["ratio"]) == (72, 20.0, 60.0, 3.0)
    t = df[df["classifier"] == "(total)"].iloc[0]
    # scaler folds on the engine's side; every measured candidate once (not the sum row again)
    assert (t["candidates"], t["engine_s"], t["plain_s"]) == (73, 22.0, 70.0)
    assert t["ratio"] == 70.0 / 22.0 and bool(t["identical"])

    out = tmp_path / "sweep.csv"
    ss.write_atomic(df, out)
    kept = ss.measured_before(out, COMMON)  # --resume keeps measured rows only, never the summaries
    assert sorted((r["classifier"], r["part"]) for r in kept) == sorted(
        [("lda", ""), ("mlp", labels[0]), ("mlp", labels[1])]
    )
    # a sitting of one classifier (--only mlp) keeps the others' rows and skips measured parts
    units = [("mlp", label, None, None) for label in labels]
    rows_kept, done = ss.resumed(kept, units, ["mlp"])
    assert done == {("mlp", labels[0]), ("mlp", labels[1])}
    assert sorted(r["classifier"] for r in rows_kept) == ["lda", "mlp", "mlp"]
    table = ss.markdown_table(out, grids, parts)
    assert "| mlp (2 of 12 parts; ratios 2.00–4.00×) | 72 |" in table
    assert "(73 of the" in table and "**3.18×**" in table

    rows.append(_row("svm_rbf", "", 6, 1.0, 5.0, identical=False))  # one difference marks the total
    df = ss.with_totals(rows, grids, parts, COMMON)
    assert not bool(df[df["classifier"] == "(total)"].iloc[0]["identical"])


def test_docs_table_is_the_committed_csv():
    """docs/sweep_engine.md's full-grid table is `sweep_speed.py --full --table` of the committed CSV."""
    import re

    ss = _load()
    grids = yaml.safe_load((ROOT / "config" / "full.yaml").read_text())["classify"]["grids"]
    doc = (ROOT / "docs" / "sweep_engine.md").read_text()
    m = re.search(r"<!-- sweep_full table: [^\n]*-->\n(.*?)\n<!-- end sweep_full table -->", doc, re.S)
    assert m, "docs/sweep_engine.md: the sweep_full table markers are missing"
    csv = ROOT / "benchmarks" / "results" / "sweep_full" / "sweep_full.csv"
    want = ss.markdown_table(csv, grids, ss.parse_parts(ss.DEFAULT_PARTS))
    assert m.group(1).strip() == want.strip(), "regenerate: python benchmarks/sweep_speed.py --full --table"
