"""Job timing line (neurogen.jobtiming) and the default-run benchmark's log parsing."""

import importlib.util
import logging
import sys
from pathlib import Path

from neurogen.jobtiming import parse, timed_job

ROOT = Path(__file__).resolve().parents[1]


def _load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def test_timed_job_logs_startup_imports_and_work(caplog):
    log = logging.getLogger("neurogen.test_timing")
    with caplog.at_level(logging.INFO, logger="neurogen.test_timing"):
        with timed_job(log):
            for m in [m for m in sys.modules if m == "pydoc" or m.startswith("email")]:
                sys.modules.pop(m)
            import pydoc  # noqa: F401  (an import inside the block is counted as import time)

            sum(range(200_000))
    t = parse(caplog.text)
    assert t is not None, caplog.text
    startup, imports, work = t
    assert startup > 0 and imports > 0 and work > 0
    assert parse("no timing here") is None


def test_default_run_log_parsing_and_critical_path():
    d = _load("default_run")
    log = """
[Wed Dec  2 07:22:01 2026]
localrule a:
    input: x.csv
    output: a.csv
    log: logs/a.log
    jobid: 2
    benchmark: b/a.tsv
[Wed Dec  2 07:22:01 2026]
localrule b:
    input: x.csv
    output: b.csv
    jobid: 3
[Wed Dec  2 07:22:05 2026]
Finished jobid: 3 (Rule: b)
[Wed Dec  2 07:22:09 2026]
Finished jobid: 2 (Rule: a)
[Wed Dec  2 07:22:09 2026]
localrule c:
    input: a.csv, b.csv
    output: c.csv
    jobid: 1
[Wed Dec  2 07:22:30 2026]
Finished jobid: 1 (Rule: c)
"""
    jobs = d.parse_log(log)
    assert [j["rule"] for j in jobs] == ["a", "b", "c"]
    assert jobs[0]["benchmark"] == "b/a.tsv" and jobs[0]["log"] == ["logs/a.log"]
    path = d.critical_path(jobs)
    # c waited for a (finished last of its inputs), not b
    assert [j["rule"] for j in path] == ["a", "c"]
    assert (path[-1]["finish"] - path[-1]["start"]).total_seconds() == 21


def test_schedule_replay_starves_two_thread_jobs_and_follows_priorities():
    r = _load("schedule_replay")
    # a: 2-thread job ready at once; s1..s4: a stream of 1-thread jobs of 10 s, each releasing
    # the next pair; on 2 cores the 2-thread job waits until the stream has dried up
    jobs = [{"jobid": i, "rule": n, "start": i} for i, n in enumerate(["a", "s", "s", "s", "s"])]
    deps = {0: set(), 1: set(), 2: set(), 3: {1}, 4: {2}}
    dur = {0: 30.0, 1: 10.0, 2: 10.0, 3: 10.0, 4: 10.0}

    def durations(i, policy):
        return dur[i]

    stream_first = {"a": (2, 0), "s": (1, 10)}
    assert r.replay(jobs, deps, stream_first, 2, durations) == 50.0  # a starts at 20 s, alone
    assert r.replay(jobs, deps, {"a": (1, 10), "s": (1, 0)}, 2, durations) == 40.0  # a beside the stream
    # rule policies are read from rule text: default threads and PRIORITY names
    text = {
        "common.smk": 'PRIORITY = {\n    "x": 40,\n}\n',
        "r.smk": 'rule a:\n    priority: PRIORITY["x"]\n    threads: lambda w: res("a", "threads", 2)\n'
        "rule b:\n    threads: 1\n",
    }
    assert r.rule_policy(text) == {"a": (2, 40), "b": (1, 0)}


def test_run_parts_charges_each_step_and_estimates_cuts(tmp_path):
    rp = _load("run_parts")

    def job_log(rel, text):
        p = tmp_path / "results" / "logs" / rel
        p.parent.mkdir(parents=True)
        p.write_text(text)

    job_log(
        "augment/etype/eval_smote.log",
        "23:59:50 INFO neurogen: running on cpu (CPU)\n"
        "23:59:52 INFO neurogen: repeat 0 maxabs+none size 100: 1700 synthetic cells kept "
        "(0 non-finite, 0 out of range removed)\n"
        "23:59:59 INFO neurogen: repeat 0 size 100: distribution-level fidelity of 17 classes in 7.0 s\n"
        "00:00:04 INFO neurogen: repeat 0 smote scaled size 100 logreg_l1: accuracy 0.796\n"
        "00:00:20 INFO neurogen: repeat 0 smote scaled size 100 random_forest, study protocol "
        "(10-fold CV on real + synthetic): accuracy 0.964\n"
        "00:00:21 INFO neurogen: repeat 0 maxabs+none size 500: 8500 synthetic cells kept "
        "(0 non-finite, 0 out of range removed)\n"
        "00:01:21 INFO neurogen: repeat 0 smote scaled size 500 logreg_l1: accuracy 0.785\n"
        "not a neurogen line\n",
    )
    job_log(
        "epgan/small/infer_adv_iv.log",
        "10:00:00 INFO neurogen: selection over 20 epoch(s) (41–60) for 200 neurons\n"
        "10:01:00 INFO neurogen: selection: epochs 1–10 of 20 simulated; mean RMSE of the best so far 5.2 mV\n"
        "10:01:50 INFO neurogen: selection: epochs 11–20 of 20 simulated; mean RMSE of the best so far 4.7 mV\n",
    )
    df = rp.parts(tmp_path)
    got = {(r.rule, r.part, r.size, r.block): r.seconds for r in df.itertuples()}
    assert got[("augment_eval", "logreg_l1", 100, -1)] == 5  # across midnight
    assert got[("augment_eval", "study protocol", 100, -1)] == 16
    assert got[("augment_eval", "fidelity_dist", 100, -1)] == 7
    assert got[("augment_eval", "sample", 500, -1)] == 1
    assert got[("augment_eval", "logreg_l1", 500, -1)] == 60
    assert got[("epgan_infer", "selection", 0, 0)] == 60 and got[("epgan_infer", "selection", 0, 1)] == 50
    sc = rp.scenarios(df, wall=1000.0, cores=2).set_index("cut")["job_s"]
    assert sc["augment size 500"] == 61 and sc["study protocol"] == 16
    assert sc["distribution-level fidelity"] == 7 and sc["EP-GAN selection, first half of the epochs"] == 60
    assert sc["all of the above"] == 61 + 16 + 7 + 60
    est = rp.scenarios(df, wall=1000.0, cores=2).set_index("cut")["wall_min"]
    assert abs(est["all of the above"] - (1000 - 144 / 2) / 60) < 1e-9
