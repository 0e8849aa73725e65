"""Every optional part of the science switched off at once (docs/performance.md, "What a cut
would buy"): the run completes, and the tables say what is not there. A run with
``augment.fidelity_dist.repeats: 0`` (documented as "off") used to fail at the report."""

import shutil

import pandas as pd
import pytest
from conftest import snakemake

pytestmark = pytest.mark.workflow

OFF = """
augment:
  classifiers: []
  fidelity_dist: {repeats: 0}
  study_protocol: {enabled: false}
fit:
  refine: {enabled: false}
  epgan: {enabled: false}
  lookups: []
epgan:
  input_ablation: {traces_kept: [], iv_removed: []}
"""


def test_a_run_with_the_optional_parts_switched_off_completes(test_config_run, tmp_path):
    wf = tmp_path / "wf"
    # the finished test-config run with its Snakemake metadata, so only what the change touches reruns
    shutil.copytree(test_config_run, wf, symlinks=True, ignore=shutil.ignore_patterns("locks"))
    off = tmp_path / "off.yaml"
    off.write_text(OFF)
    snakemake(wf, "--configfile", "config/test.yaml", off)
    res = wf / "results"
    assert "No rows." in (res / "report/tables/augment/etype/fidelity_dist.html").read_text()
    scores = pd.read_csv(res / "augment/etype/scores.csv")
    assert set(scores["protocol"]) == {"held_out"} and "panel" not in set(scores["source"])
    methods = set(pd.read_csv(res / "fit/comparison.csv")["method"])
    assert methods == {"nsga2", "demo", "npe"}, methods
    assert list(pd.read_csv(res / "epgan/small/ablation_input.csv")["ablation"]) == ["complete"]
