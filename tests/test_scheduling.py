"""Scheduling of the default run on 2 cores (docs/performance.md, "Scheduling"; issue 16).

A job that asks for two threads waits until both cores are free at once, which a stream of
one-core jobs never leaves it; measured, `epgan_infer` (two threads) waited 24 minutes and the
run ended with 13 minutes of one job at a time. So every job of the default run takes one core
(the speed benchmark `epgan_speed` excepted: it is meant to run on a quiet machine, at the end),
and the rules on the longest paths come first.
"""

import re

import pytest
from conftest import snakemake

pytestmark = pytest.mark.workflow


def dry_run_jobs(wf):
    """(rule, threads, priority) of every job of the default config's full DAG (a dry run)."""
    p = snakemake(wf, "-n", "--forceall")
    jobs = []
    for block in re.split(r"\n(?=(?:local)?rule \w+:\n)", p.stdout):
        m = re.match(r"(?:local)?rule (\w+):\n", block)
        if not m:
            continue
        threads = re.search(r"^\s+threads: (\d+)$", block, re.M)
        prio = re.search(r"^\s+priority: (-?\d+)$", block, re.M)
        jobs.append((m.group(1), int(threads.group(1)) if threads else 1, int(prio.group(1)) if prio else 0))
    assert len(jobs) > 50, p.stdout[-3000:]
    return jobs


def test_default_run_jobs_take_one_core_and_long_chains_go_first(wf):
    jobs = dry_run_jobs(wf)
    multi = {r for r, t, _ in jobs if t > 1}
    assert multi <= {"epgan_speed"}, multi
    prio = {}
    for r, _, p in jobs:
        prio.setdefault(r, set()).add(p)
    prio = {r: p.pop() for r, p in prio.items() if len(p) == 1}
    # the folds release the classify shards; the hh -> EP-GAN chain and the classify shards
    # before the augment and fit stages; those before the short report / plot jobs
    assert prio["classify_folds"] > prio["classify_shard"] == prio["epgan_infer"] == prio["hh_shard"]
    assert prio["epgan_infer"] > prio["augment_eval"] == prio["fit_refine"] > prio["augment_plots"]
    assert prio["report_table"] == 0
