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
