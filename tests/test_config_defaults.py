"""One source of defaults (issue 14): config/config.yaml holds every default. The library's
defaults for the same settings equal it (by introspection), and the rules index config[...]
without fallbacks that could contradict it. The fit stage's keys: tests/test_fit.py."""

from __future__ import annotations

import inspect
import re

import pytest
import yaml
from conftest import ROOT

CONFIG = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())


def _defaults(fn) -> dict:
    params = inspect.signature(fn).parameters.items()
    return {k: v.default for k, v in params if v.default is not inspect.Parameter.empty}


def test_augment_outlier_filter_defaults_equal_config():
    import importlib

    from neurogen.augment import GENERATORS
    from neurogen.augment.base import OUTLIER_REF, OUTLIER_SD, Generator

    a = CONFIG["augment"]
    assert (OUTLIER_SD, OUTLIER_REF) == (a["outlier_sd"], a["outlier_ref"])
    classes = [Generator]
    for spec in GENERATORS.values():
        mod, cls = spec.split(":")
        classes.append(getattr(importlib.import_module(f"neurogen.augment.{mod}"), cls))
    for cls in classes:
        d = _defaults(cls.__init__)
        assert d["outlier_sd"] == a["outlier_sd"] and d["outlier_ref"] == a["outlier_ref"], cls.__name__


def test_hh_defaults_equal_config():
    from neurogen.hh import brian, generate, model

    h = CONFIG["hh"]
    assert model.DT_MS == h["dt_ms"]
    assert _defaults(model.simulate_cclamp)["dt_ms"] == h["dt_ms"]
    assert _defaults(brian.simulate_cclamp_brian2)["dt_ms"] == h["dt_ms"]
    g = _defaults(generate.generate_shard)
    for key, arg in [
        ("dt_ms", "dt_ms"),
        ("chunk", "chunk"),
        ("oversample", "oversample"),
        ("batch_size", "batch_size"),
        ("conductance_skew", "skew"),
        ("conductance_scale", "scale_frac"),
    ]:
        assert g[arg] == h[key], f"generate_shard({arg}=...) default vs hh.{key}"


def test_epgan_train_defaults_equal_config():
    """TrainConfig's defaults are config.yaml's epgan.train, key for key, and every key of the
    block is a TrainConfig field (threads and seed are not config keys: the job's threads, the
    config's seed)."""
    from dataclasses import MISSING, fields

    from neurogen.epgan import TrainConfig

    block = CONFIG["epgan"]["train"]
    defaults = {f.name: f.default if f.default is not MISSING else f.default_factory() for f in fields(TrainConfig)}
    assert set(defaults) - set(block) == {"threads", "seed"}, "TrainConfig fields missing from epgan.train"
    for key, value in block.items():
        assert key in defaults, f"epgan.train.{key} is not a TrainConfig field"
        assert defaults[key] == value, f"TrainConfig.{key} default {defaults[key]!r} vs epgan.train.{key} {value!r}"
    assert TrainConfig() == TrainConfig.from_dict(block, seed=0)


def test_classify_selection_defaults_equal_config():
    from neurogen.classify.select import select

    d = _defaults(select)
    for key, value in CONFIG["classify"]["selection"].items():
        assert d[key] == value, f"select({key}=...) default vs classify.selection.{key}"


#: a rule reading a config block with .get(key, fallback): the fallback can contradict config.yaml
_FALLBACK = re.compile(r"\b(config|CL|AU|HH|EP|EP_TRAIN|EP_LOSSES|EP_ABL|SC|FT|REPORT)\.get\(")


@pytest.mark.parametrize("path", sorted((ROOT / "workflow" / "rules").glob("*.smk")) + [ROOT / "Snakefile"], ids=str)
def test_rules_index_config_without_fallbacks(path):
    hits = [
        f"{path.relative_to(ROOT)}, line {i}: {line.strip()}"
        for i, line in enumerate(path.read_text().splitlines(), 1)
        if _FALLBACK.search(line)
    ]
    assert not hits, "index config[...] directly (config/config.yaml holds the default):\n" + "\n".join(hits)


def test_fallback_pattern_catches_a_fallback():
    assert _FALLBACK.search('n = CL.get("n_neighbors", [5, 10, 15])')
    assert not _FALLBACK.search('n = CL["n_neighbors"]')


def test_known_contradictions_are_gone():
    """The cases named in issue 14 (rule fallbacks that differed from config.yaml)."""
    rules = "".join(p.read_text() for p in (ROOT / "workflow" / "rules").glob("*.smk"))
    assert "[5, 10, 15]" not in rules and "[32000]" not in rules
    for script in (ROOT / "workflow" / "scripts").glob("*.py"):
        text = script.read_text()
        assert "3.0)" not in text or "outlier" not in text, script


def test_epgan_variants_switch_terms_off_from_the_configured_weights():
    from neurogen.epgan.config import VARIANTS, variant_losses

    w = {"adversarial": 2.0, "iv": 3.0, "voltage": 0.5}
    v = variant_losses(w)
    assert tuple(v) == VARIANTS
    assert v["adv"] == {"adversarial": 2.0, "iv": 0.0, "voltage": 0.0}
    assert v["adv_iv"] == {"adversarial": 2.0, "iv": 3.0, "voltage": 0.0}
    assert v["full"] == w and v["full"] is not w
