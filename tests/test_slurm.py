"""The SLURM profile against a real single-node SLURM cluster brought up on this machine.

Runs the test config (every stage but scaling; its sweep shrunk to one scaler, two reducers and
two classifiers, one generator, two fit methods) once locally and once through
`--profile config/profiles/slurm`, with gpus_per_job: 1 so GPU-tagged rules ask SLURM for a
GPU. Checks with `sacct -c` (the job-completion log; no slurmdbd) that every job went through
SLURM and completed, that GPU-tagged jobs ran on the "gpu" partition with a GPU allocated, and
that the result tables equal the local run's. Skips where SLURM cannot start (not root,
packages absent); with NEUROGEN_REQUIRE_SLURM=1 (set by .ci/run) that is a failure instead.

    pytest -m slurm            # run it alone
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

import pytest
import yaml
from conftest import ROOT, copy_workflow
from opsutil import table_differences
from slurmcluster import Cluster, Unavailable

pytestmark = [pytest.mark.slurm, pytest.mark.workflow]

REQUIRE = os.environ.get("NEUROGEN_REQUIRE_SLURM") == "1"
SMALL = """\
gpus_per_job: 1
classify:
  scalers: [standard]
  reducers: [none, lda]
  classifiers: [random_forest, multinomial_nb]
augment:
  generators: [smote]
fit:
  algorithms: [nsga2, npe]
"""
# A guard against a hung run, not a performance bound. The test config builds every stage but
# scaling (epgan and fit included: 51 jobs here, ~40 SLURM jobs after grouping) on a one-node
# cluster of this machine's CPUs, so the SLURM jobs (each two Snakemake start-ups, ~25-50 s on
# a loaded 2-core machine) run mostly one or two at a time, and the ~12 GPU-tagged ones share
# one GPU; the run took ~20 min at load 6-10 (docs/cluster_gpu.md#slurm-tested), 420 s before
# epgan and fit were in the test config. 1.5x that; the local run beside it has the same bound.
RUN_LIMIT_S = 1800


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = Cluster(tmp_path_factory.mktemp("slurm"))
    try:
        c.start()
    except (Unavailable, OSError, subprocess.SubprocessError) as e:
        c.stop()
        msg = f"SLURM test cluster not available: {e}"
        if REQUIRE:
            pytest.fail(msg + " (NEUROGEN_REQUIRE_SLURM=1)")
        pytest.skip(msg)
    yield c
    c.stop()


@pytest.fixture(scope="module")
def runs(cluster, tmp_path_factory):
    base = tmp_path_factory.mktemp("runs")
    local = copy_workflow(base / "local")
    wf = copy_workflow(base / "slurm")
    for d in (local, wf):
        (d / "small.yaml").write_text(SMALL)
    # the local run goes on beside the SLURM run (which mostly waits for its jobs), with the
    # SLURM jobs' thread counts (--cores caps both): EP-GAN's torch results and speed.csv's
    # threads column depend on them. Its log goes to a file: a pipe read only at the end fills
    # (64 KiB, ~45 jobs' log) and blocks Snakemake
    cores = str(cluster.cpus)
    local_log = local / "local_run.log"
    with open(local_log, "w") as fh:
        local_run = subprocess.Popen(
            [sys.executable, "-m", "snakemake", "--cores", cores, "--configfile", "config/test.yaml", "small.yaml"],
            cwd=local,
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
    cmd = [
        "timeout",
        "-k",
        "30",
        str(RUN_LIMIT_S),
        sys.executable,
        "-m",
        "snakemake",
        "--profile",
        "config/profiles/slurm",
        "--configfile",
        "config/test.yaml",
        "small.yaml",
        # test-cluster settings on top of the profile: no accounts, first status check after
        # 10 s (most jobs here take less; the plugin adds 10 s per check that finds none done)
        "--slurm-no-account",
        "--slurm-init-seconds-before-status-checks",
        "10",
        "--latency-wait",
        "5",
        "--slurm-keep-successful-logs",
        # the most CPUs a job may ask for: the node's (the profile's cores: 16 is more than this
        # machine has; a group job of small rules asking for more would pend forever)
        "--cores",
        cores,
    ]
    t0 = time.time()
    p = subprocess.run(cmd, cwd=wf, capture_output=True, text=True, env=cluster.env, timeout=RUN_LIMIT_S + 60)
    wall = time.time() - t0
    local_run.wait(timeout=RUN_LIMIT_S)
    log = p.stdout + p.stderr
    (wf / "slurm_run.log").write_text(log)
    assert local_run.returncode == 0, f"local run failed:\n{local_log.read_text()[-4000:]}"
    assert p.returncode == 0, f"SLURM run failed ({p.returncode}):\n{log[-6000:]}"
    print(f"SLURM run: {wall:.0f} s wall")
    return {"local": local, "slurm": wf, "log": log, "sacct": cluster.sacct(), "wall": wall}


def _submitted(run) -> dict[str, dict]:
    """SLURM job id -> {"unit": rule_X or group_Y, "rules": rules run inside it}, from
    Snakemake's 'submitted with SLURM jobid' lines and each SLURM job's own log."""
    out = {}
    for jid, path, unit in re.findall(
        r"submitted with SLURM jobid (\d+) \(log: (\S*/slurm_logs/((?:rule|group)_\w+)/\S*)\)", run["log"]
    ):
        inner = (run["slurm"] / path).read_text() if (run["slurm"] / path).exists() else ""
        # the job runs each of its rules through srun in a Snakemake that logs "localrule X:"
        rules = re.findall(r"^localrule (\w+):", inner, re.M)
        out[jid] = {"unit": unit, "rules": rules}
    return out


def test_every_job_went_through_slurm(runs):
    submitted = _submitted(runs)
    acct = {r["JobID"]: r for r in runs["sacct"]}
    for jid, sub in submitted.items():
        assert jid in acct, f"SLURM job {jid} ({sub['unit']}) not in sacct -c"
        assert acct[jid]["State"] == "COMPLETED" and acct[jid]["ExitCode"] == "0:0", acct[jid]
        assert acct[jid]["NodeList"] and sub["rules"], sub
    # every job of the run except the local rule all ran inside a SLURM job
    done = re.findall(r"Finished jobid: \d+ \(Rule: (\w+)\)", runs["log"])
    ran_in_slurm = sorted(r for sub in submitted.values() for r in sub["rules"])
    assert ran_in_slurm == sorted(r for r in done if r != "all")
    every_stage = {"raw_table", "classify_folds", "classify_shard", "classify_select", "augment_fit", "hh_shard"}
    every_stage |= {"epgan_train", "epgan_evaluate", "fit_search", "fit_refine", "fit_score", "report_table"}
    assert every_stage | {"device_check"} <= set(ran_in_slurm)


def test_gpu_tagged_jobs_ran_on_the_gpu_partition_with_a_gpu(runs):
    acct = {r["JobID"]: r for r in runs["sacct"]}
    parts = {}
    for jid, sub in _submitted(runs).items():
        for rule in sub["rules"]:
            parts.setdefault(rule, set()).add(acct[jid]["Partition"])
    # GPU-tagged rules are sent to their partition by the profile's set-resources ("gpu");
    # every other rule to the cluster's default partition ("main")
    prof = yaml.safe_load((ROOT / "config/profiles/slurm/config.yaml").read_text())
    want = {rule: (prof.get("set-resources") or {}).get(rule, {}).get("slurm_partition", "main") for rule in parts}
    assert want["device_check"] == "gpu"
    assert parts == {rule: {p} for rule, p in want.items()}
    dev = json.loads((runs["slurm"] / "results/report/device.json").read_text())
    env = dev["environment"]
    assert env["SLURM_JOB_PARTITION"] == "gpu" and env.get("CUDA_VISIBLE_DEVICES") == "0"
    assert dev["gpus_requested"] == 1


def test_slurm_results_equal_local_results(runs):
    diffs = table_differences(runs["local"], runs["slurm"])
    assert diffs == [], "\n".join(diffs)
    assert (runs["slurm"] / "results/classify/etype/landscape.png").stat().st_size > 10_000


def test_cluster_reports_why_it_cannot_start(monkeypatch, tmp_path):
    """Without root the cluster is 'unavailable' (the fixture then skips), before touching
    anything on the machine."""
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    c = Cluster(tmp_path)
    with pytest.raises(Unavailable, match="not root"):
        c.start()
    c.stop()
    assert not c.procs and not c.conf.exists()
