"""Replay a measured run's jobs through a model of Snakemake's scheduler, under other threads /
priorities (docs/performance.md, "Scheduling"). An estimate, not a measurement.

Reads a kept run of ``benchmarks/default_run.py --keep`` (its Snakemake log: every job's rule,
wildcards, input and output files, start and finish), links the jobs by their files, and
replays them on ``--cores`` cores: whenever a core frees, the ready jobs are started by
priority (highest first; equal priorities in the order the measured run started them), each
taking its threads, a job that needs more threads than are free waiting — the behaviour that
starved the two-thread jobs. Each job lasts its measured wall time, except where a rule's
threads change: then ``--cpu-as-wall`` rules last their measured CPU seconds (what a job that
used more than one core needs on one; an upper bound when its second thread did little).

First the replay under the threads and priorities the run had (``--before``, a git revision
of this repository; they are read from its rule files), to check the model against the
measured wall time; then under the working tree's.

    python benchmarks/schedule_replay.py --log ../neurogen-default-run/default_run.log \
        --before 2dd2bfd --cpu-as-wall epgan_infer epgan_baselines
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from default_run import parse_log  # noqa: E402


def rule_policy(texts: dict[str, str]) -> dict[str, tuple[int, int]]:
    """{rule: (default threads, priority)} from rule files' text ({name: text}) and common.smk's
    PRIORITY; threads given by a config key count as 1 (every such default is 1)."""
    prio_table = {}
    common = texts.get("common.smk", "")
    m = re.search(r"^PRIORITY = \{(.*?)^\}", common, re.S | re.M)
    if m:
        prio_table = {k: int(v) for k, v in re.findall(r'"(\w+)": (-?\d+)', m.group(1))}
    out = {}
    for text in texts.values():
        for block in re.split(r"(?=^[ \t]*rule \w+:)", text, flags=re.M):
            r = re.match(r"[ \t]*rule (\w+):", block)
            if not r:
                continue
            t = re.search(r"threads: (?:lambda w: res\(\"\w+\", \"threads\", (\d+)\)|(\d+))", block)
            threads = int(next(g for g in t.groups() if g)) if t and any(t.groups()) else 1
            p = re.search(r"priority: (?:PRIORITY\[\"(\w+)\"\]|(-?\d+))", block)
            prio = (prio_table[p.group(1)] if p.group(1) else int(p.group(2))) if p else 0
            out[r.group(1)] = (threads, prio)
    return out


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout


def texts_at(rev: str | None) -> dict[str, str]:
    """The rule files' text ({name: text}) at a git revision, or the working tree's (None)."""
    rules = ROOT / "workflow" / "rules"
    if rev is None:
        return {p.name: p.read_text() for p in rules.glob("*.smk")}
    names = _git("ls-tree", "--name-only", rev, "workflow/rules/").split()
    return {Path(n).name: _git("show", f"{rev}:{n}") for n in names if n.endswith(".smk")}


def replay(jobs, deps, policy, cores, durations) -> float:
    """Makespan of the jobs under policy {rule: (threads, priority)} on cores."""
    order = {j["jobid"]: i for i, j in enumerate(sorted(jobs, key=lambda j: (j["start"], j["jobid"])))}
    waiting = {j["jobid"]: set(deps[j["jobid"]]) for j in jobs}
    rule = {j["jobid"]: j["rule"] for j in jobs}
    running, t, done = [], 0.0, set()
    while waiting or running:
        free = cores - sum(min(policy.get(rule[i], (1, 0))[0], cores) for i, _ in running)
        ready = sorted(
            (i for i, d in waiting.items() if d <= done), key=lambda i: (-policy.get(rule[i], (1, 0))[1], order[i])
        )
        for i in ready:
            need = min(policy.get(rule[i], (1, 0))[0], cores)
            if need <= free:
                running.append((i, t + durations(i, policy)))
                free -= need
                del waiting[i]
        if not running:
            raise RuntimeError("no job can run: a cycle or a missing dependency")
        running.sort(key=lambda x: x[1])
        i, t = running.pop(0)
        done.add(i)
    return t


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--log", required=True, help="Snakemake log of a kept default_run.py run")
    ap.add_argument("--before", required=True, help="git revision the run was made with")
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument(
        "--cpu-as-wall", nargs="*", default=[], help="rules whose jobs last their CPU seconds on one thread"
    )
    args = ap.parse_args()
    log = Path(args.log)
    jobs = [j for j in parse_log(log.read_text()) if "finish" in j and j["rule"] != "all"]
    producer = {f: j["jobid"] for j in jobs for f in j["output"]}
    deps = {j["jobid"]: {producer[f] for f in j["input"] if f in producer} for j in jobs}
    wall = {j["jobid"]: (j["finish"] - j["start"]).total_seconds() for j in jobs}
    cpu = {}
    for j in jobs:
        b = log.parent / j["benchmark"] if j.get("benchmark") else None
        if b is not None and b.exists():
            row = b.read_text().splitlines()[-1].split("\t")
            cpu[j["jobid"]] = float(row[-1])
    rule = {j["jobid"]: j["rule"] for j in jobs}
    t0 = min(j["start"] for j in jobs)
    measured = (max(j["finish"] for j in jobs) - t0).total_seconds()
    before, after = rule_policy(texts_at(args.before)), rule_policy(texts_at(None))

    def durations(i, policy):
        if rule[i] in args.cpu_as_wall and policy.get(rule[i], (1, 0))[0] == 1 and i in cpu:
            return cpu[i]
        return wall[i]

    print(f"{len(jobs)} jobs; measured wall {measured:.0f} s; summed job wall {sum(wall.values()):.0f} s")
    changed = {r: (before.get(r), after.get(r)) for r in sorted(set(rule.values())) if before.get(r) != after.get(r)}
    for r, (b, a) in changed.items():
        print(f"  {r}: (threads, priority) {b} -> {a}")
    for name, policy in (("before", before), ("after", after)):
        print(f"replay {name}: {replay(jobs, deps, policy, args.cores, durations):.0f} s")


if __name__ == "__main__":
    main()
