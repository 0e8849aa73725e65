"""Operations, end to end on config/test.yaml (whatever stages it lists):

* interruption: a run killed mid-job (SIGKILL to Snakemake and its jobs) and restarted through
  the workstation profile finishes without redoing completed jobs, and ends with the same
  tables as an uninterrupted run;
* reproducibility: two runs with the same seed give identical result tables (timing columns
  excepted);
* partial rebuilds: changing one config value of one stage reruns (dry run) only the jobs it
  affects and what lies downstream of them;
* report: `snakemake --report` builds a self-contained HTML report holding every figure and
  every result table, each with a caption.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
import yaml
from conftest import ROOT, copy_workflow, snakemake
from opsutil import (
    finished_jobids,
    job_stats,
    result_tables,
    started_jobs,
    table_differences,
    target_files,
)

pytestmark = pytest.mark.workflow

CFG = ("--configfile", "config/test.yaml")
WORKSTATION = ("--profile", "config/profiles/workstation")


@pytest.fixture(scope="module")
def reference(test_config_run):
    """An uninterrupted run of the test config (conftest's, shared with other modules: read
    and dry-run only)."""
    return test_config_run


def _wait_for(cond, proc, timeout, what):
    t0 = time.time()
    while not cond():
        if proc.poll() is not None:
            raise AssertionError(f"the run ended (rc {proc.returncode}) before {what}")
        if time.time() - t0 > timeout:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def interrupted(reference, tmp_path_factory):
    """A run killed mid-job once a third of its jobs are done, then restarted."""
    n_total = len(finished_jobids(reference.joinpath("run.log").read_text()))
    wf = copy_workflow(tmp_path_factory.mktemp("interrupted") / "wf")
    log1 = wf / "killed.log"
    with open(log1, "w") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "snakemake", "--cores", "2", *WORKSTATION, *CFG],
            cwd=wf,
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:

        def text():
            return log1.read_text()

        # kill while jobs run: after a third of them finished and a new job started since
        _wait_for(
            lambda: len(finished_jobids(text())) >= max(2, n_total // 3), proc, 600, "a third of the jobs finished"
        )
        n_seen = len(started_jobs(text()))
        _wait_for(lambda: len(started_jobs(text())) > n_seen, proc, 600, "the next job started")
        time.sleep(0.3)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    killed_log = log1.read_text()
    jobs = started_jobs(killed_log)
    done = finished_jobids(killed_log)
    running = [jobs[j] for j in jobs if j not in done]
    done_outputs = [o for j in done if j in jobs for o in jobs[j][1]]
    before = {o: (wf / o).stat().st_mtime_ns for o in done_outputs if (wf / o).exists()}
    # a hard kill leaves Snakemake's lock: the documented restart is --unlock, then run again
    locked = snakemake(wf, *WORKSTATION, *CFG, check=False)
    snakemake(wf, "--unlock", *CFG)
    plan = job_stats(snakemake(wf, "-n", *WORKSTATION, *CFG).stdout)
    p = snakemake(wf, *WORKSTATION, *CFG)  # the restart
    return {
        "wf": wf,
        "n_total": n_total,
        "done": done,
        "jobs": jobs,
        "running": running,
        "done_outputs": done_outputs,
        "before": before,
        "plan": plan,
        "restart_log": p.stderr,
        "killed_rc": proc.returncode,
        "locked": locked,
    }


def test_interrupted_run_resumes_without_redoing_completed_jobs(interrupted):
    it = interrupted
    assert it["killed_rc"] == -signal.SIGKILL
    assert it["locked"].returncode != 0 and "--unlock" in it["locked"].stderr
    assert it["running"], "the kill should land while a job runs"
    assert 0 < len(it["done"]) < it["n_total"]
    # outputs of the jobs that had finished all exist and were not rewritten by the restart
    assert set(it["before"]) == set(it["done_outputs"])
    rewritten = [o for o, t in it["before"].items() if (it["wf"] / o).stat().st_mtime_ns != t]
    assert not rewritten, f"completed jobs redone after the restart: {rewritten}"
    # the restart planned and ran exactly the jobs that had not finished
    n_left = it["n_total"] - len(it["done"])
    assert sum(it["plan"].values()) == n_left, it["plan"]
    assert len(finished_jobids(it["restart_log"])) == n_left
    for rule, _ in it["running"]:
        assert it["plan"].get(rule, 0) >= 1, f"killed job of {rule} not redone"


def test_interrupted_run_leaves_no_corrupt_output(interrupted, reference):
    wf = interrupted["wf"]
    assert not list((wf / ".snakemake" / "incomplete").glob("*"))
    p = snakemake(wf, "-n", *CFG)
    assert "Nothing to be done" in p.stdout + p.stderr
    for name, p in result_tables(wf).items():
        assert len(pd.read_csv(p)) > 0, name
    # a job killed while writing may leave its hidden temporary file, never a final-named one
    stray = [p for p in (wf / "results").rglob("*.tmp*") if not p.name.startswith(".")]
    assert not stray


def test_same_seed_gives_identical_tables(reference, interrupted):
    """Two runs with the same seed (the second one interrupted and resumed): same tables."""
    tables = result_tables(reference)
    assert any("sweep.csv" in t for t in tables) and len(tables) >= 4
    diffs = table_differences(reference, interrupted["wf"])
    assert diffs == [], "\n".join(diffs)


def test_table_comparison_detects_a_changed_value(reference, tmp_path):
    """The comparison is not vacuous: one accuracy off by 1e-9 is a difference, timings are not."""
    import shutil

    other = tmp_path / "other"
    shutil.copytree(
        reference / "results",
        other / "results",
        ignore=shutil.ignore_patterns("logs", "benchmarks", "*.png", "*.npz", "*.html"),
    )
    p = other / "results/classify/etype/sweep.csv"
    df = pd.read_csv(p)
    df["fit_time_s"] = df["fit_time_s"] * 2
    df.to_csv(p, index=False)
    assert table_differences(reference, other) == []
    i = df["mean_test_accuracy"].first_valid_index()
    df.loc[i, "mean_test_accuracy"] += 1e-9
    df.to_csv(p, index=False)
    diffs = table_differences(reference, other)
    assert len(diffs) == 1 and "sweep.csv" in diffs[0]


# --- partial rebuilds ------------------------------------------------------------------------

#: stage -> cases of (config change, {rule: jobs expected, for rules of the changed stage},
#: rules that must not run). Jobs of other stages may run only if they lie downstream.
REBUILD_CASES = {
    "data": [("split: {test_size: 0.25}", {"prepare_data": 1}, {"raw_table", "device_check"})],
    "classify": [
        (
            "classify:\n  grids:\n    random_forest: {n_estimators: [10, 30], max_depth: [5]}\n",
            {"classify_shard": 1, "classify_merge": 1, "classify_select": 1, "classify_plots": 1},
            {"raw_table", "prepare_data", "classify_folds", "device_check"},
        ),
        (
            "classify:\n  selection: {max_gap: 0.05, max_std: 0.05, top_n: 2}\n",
            {"classify_select": 1, "classify_plots": 1},
            {"raw_table", "prepare_data", "classify_folds", "classify_shard", "classify_merge", "device_check"},
        ),
    ],
    "augment": [
        (
            "augment:\n  generator_params:\n    gan: {epochs: 4}\n",
            {"augment_fit": 1, "augment_eval": 1, "augment_merge": 1, "augment_plots": 1},
            {
                "raw_table",
                "prepare_data",
                "classify_folds",
                "classify_shard",
                "classify_select",
                "augment_noaug",
                "device_check",
            },
        ),
    ],
    "report": [("report: {max_rows: 5}\n", {"report_table": None}, {"device_check"})],
    "epgan": [
        (
            "epgan:\n  input_ablation: {traces_kept: [0.25], iv_removed: [0.25]}\n",
            {"epgan_ablation_input": 1},
            {"epgan_train", "epgan_infer", "epgan_baselines", "epgan_evaluate", "fit_refine", "device_check"},
        ),
        # the selection's k epochs: EP-GAN's selection, and the fit stage's refinement, which
        # starts from the same k candidates (its params.k); never the training
        (
            "epgan:\n  selection_epochs: 1\n",
            {"epgan_infer": 1, "epgan_evaluate": 1, "fit_refine": 1},
            {"epgan_train", "epgan_baselines", "epgan_ablation_input", "epgan_speed", "fit_search", "device_check"},
        ),
    ],
    "hh": [
        (
            "hh:\n  noise_mV: 2.0\n",
            {"hh_merge": 1, "hh_figures": 1},
            {"hh_shard", "raw_table", "prepare_data", "classify_folds", "classify_shard", "device_check"},
        )
    ],
    # NPE's K: only the NPE job (all targets) and what follows (not its training, not the optimisers)
    "fit": [
        (
            "fit:\n  npe: {k: 5}\n",
            {"fit_npe": 1, "fit_score": 1, "fit_merge": 1, "fit_plots": 1},
            {"fit_npe_train", "fit_search", "fit_targets", "fit_refine", "epgan_train", "epgan_infer", "device_check"},
        )
    ],
}


@pytest.fixture(scope="module")
def rulegraph(reference):
    return _rulegraph(reference)


def _rulegraph(wf) -> dict[str, set[str]]:
    """rule -> the rules that consume its outputs (from snakemake --rulegraph)."""
    dot = snakemake(wf, "--rulegraph", *CFG).stdout
    names = dict(re.findall(r'^\s*(\d+)\[label = "(\w+)"', dot, re.M))
    down = {n: set() for n in names.values()}
    for a, b in re.findall(r"^\s*(\d+) -> (\d+)", dot, re.M):
        down[names[a]].add(names[b])
    return down


def _descendants(graph, rules):
    out, todo = set(), list(rules)
    while todo:
        for d in graph.get(todo.pop(), ()):
            if d not in out:
                out.add(d)
                todo.append(d)
    return out


def test_every_listed_stage_has_a_rebuild_case():
    stages = yaml.safe_load((ROOT / "config/test.yaml").read_text())["stages"]
    missing = [s for s in stages if s not in REBUILD_CASES]
    assert not missing, (
        f"add a partial-rebuild case for stage(s) {missing} to REBUILD_CASES in "
        "tests/test_ops_workflow.py (one config change of the stage and the jobs "
        "it must rerun)"
    )


@pytest.mark.parametrize("stage,case", [(s, i) for s, cs in REBUILD_CASES.items() for i in range(len(cs))])
def test_changing_one_value_reruns_only_its_downstream_jobs(reference, rulegraph, tmp_path, stage, case):
    change, expect, never = REBUILD_CASES[stage][case]
    if stage != "data" and stage not in yaml.safe_load((ROOT / "config/test.yaml").read_text())["stages"]:
        pytest.skip(f"stage {stage} not in config/test.yaml")
    f = tmp_path / "change.yaml"
    f.write_text(change)
    stats = job_stats(snakemake(reference, "-n", *CFG, f).stdout)
    assert stats, "the change should rerun something"
    for rule, n in expect.items():
        if n is None:
            assert stats.get(rule, 0) >= 1, (rule, stats)
        else:
            assert stats.get(rule, 0) == n, (rule, stats)
    ran_never = set(stats) & never
    assert not ran_never, f"upstream/unrelated jobs rerun: {ran_never} ({stats})"
    allowed = set(expect) | _descendants(rulegraph, expect) | {"all"}
    assert set(stats) <= allowed, f"jobs outside the change's downstream: {set(stats) - allowed}"


# --- report ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report_html(reference):
    snakemake(reference, *CFG, "--report", "report.html")
    return reference / "report.html"


def _report_results(html: str) -> dict:
    m = re.search(r"var results = (\{.*?\});\n", html, re.S)
    assert m, "no results in the report"
    return json.loads(m.group(1))


def test_report_holds_every_figure_and_table_with_captions(reference, report_html):
    html = report_html.read_text()
    results = _report_results(html)
    figures = sorted(str(p.relative_to(reference)) for p in (reference / "results").rglob("*.png"))
    assert figures, "the test config should make figures"
    missing = [f for f in figures if f not in results]
    assert not missing, f"figures not in the report (wrap them in report(...)): {missing}"
    targets = target_files(reference.joinpath("run.log").read_text())
    tables = [t for t in targets if t.endswith(".csv") and not t.startswith("results/report/")]
    assert tables, "the test config should make tables"
    pages = {k for k in results if k.startswith("results/report/tables/")}
    expected_pages = {"results/report/tables/" + t[len("results/") : -4] + ".html" for t in tables}
    assert expected_pages <= pages, f"tables without a page: {sorted(expected_pages - pages)}"
    for path, entry in results.items():
        cap = entry["caption"]
        assert len(re.sub(r"<[^>]+>", "", cap).strip()) > 40, f"{path}: no caption"
        assert "system-message" not in cap and "ERROR/" not in cap, f"{path}: caption error {cap}"
        assert entry["data_uri"].startswith("data:"), f"{path} not embedded"
        assert entry["labels"] and all(entry["labels"].values()), f"{path}: no labels (report(..., labels={{...}}))"
    # entries with equal labels in one subcategory hide each other in the report's list
    seen = {}
    for path, entry in results.items():
        key = json.dumps(entry["labels"], sort_keys=True)
        assert key not in seen, f"{path} and {seen.get(key)} have the same labels {key}"
        seen[key] = path
    for f in figures:
        assert results[f]["mime_type"] == "image/png"
    m = re.search(r"var workflow_desc = (\".*?\");\n", html)
    assert m and "EP-GAN" in json.loads(m.group(1)), "no workflow description (report/workflow.rst)"
    # self-contained: no script or image fetched from the network when opened
    assert not re.search(r'<(script|img|link)[^>]+(src|href)="https?://', html)


def test_table_pages_show_the_tables(reference):
    page = (reference / "results/report/tables/classify/etype/sweep.html").read_text()
    sweep = pd.read_csv(reference / "results/classify/etype/sweep.csv")
    assert page.count("<tr>") == len(sweep) + 1
    assert all(f"<th>{c}</th>" in page for c in sweep.columns)
    dev = json.loads((reference / "results/report/device.json").read_text())
    assert dev["device_used"] in ("cpu", "cuda") and dev["gpus_requested"] == 0
    assert "torch" in dev["packages"]
