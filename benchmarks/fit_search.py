"""The fit stage's evolutionary methods side by side in one lockstep run (rule fit_search) against
one run per method (the former fit_method jobs), interleaved in one process.

    python benchmarks/fit_search.py --test results/hh/small/test.h5 \
        --targets results/fit/small/targets.csv [--budgets 150 300] [--repeats 2]

Settings are config/config.yaml's ``fit`` block (methods, population, CR, F, DEMO blocks,
``sim_chunk``) and ``hh`` block (step, precision); the seeds are the workflow's
(``pipeline.job_seed``). For each budget and repeat it times A = ``fit_methods`` (every method
× target in one run, one simulator call per generation) and B = ``fit_many`` per method (one
call per generation per method), alternating which goes first, and compares every method ×
target's candidates in A and B (same candidates; largest difference of a candidate's and of the
selected response RMSE: the float32 simulator's results change by rounding with the batch
size, docs/fit.md). Writes one row per budget × repeat (``--out``, default
benchmarks/results/fit_search/fit_search.csv): wall seconds of A and B, simulator calls and
seconds inside the simulator, the ratio B / A, the comparison, the 1-minute load before and
after. Interpreter start-up per job is not included (B's jobs paid it once each).
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "workflow"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--test", required=True, help="the hh stage's test.h5 (default config)")
    ap.add_argument("--targets", required=True, help="rule fit_targets' targets.csv")
    ap.add_argument("--budgets", type=int, nargs="+", default=None, help="default: fit.budgets")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--model", default="small")
    ap.add_argument("--sim-chunk", type=int, default=None, help="default: fit.sim_chunk")
    ap.add_argument("--out", default=str(ROOT / "benchmarks/results/fit_search/fit_search.csv"))
    a = ap.parse_args()

    import numpy as np
    import torch
    import yaml

    from neurogen.fit import pipeline
    from neurogen.fit.algorithms import ALGORITHMS
    from neurogen.fit.run import fit_many, fit_methods

    torch.set_num_threads(1)
    cfg = yaml.safe_load(open(ROOT / "config/config.yaml"))
    ft, hh = cfg["fit"], cfg["hh"]
    methods = [m for m in ft["algorithms"] if m in ALGORITHMS]
    budgets = a.budgets or ft["budgets"]
    tg, ds, targets = pipeline._targets(a.test, a.targets)
    sim_cfg = {"chunk": a.sim_chunk or ft["sim_chunk"], "dt_ms": hh["dt_ms"], "dtype": hh["precision"]}
    bounds = pipeline._bounds(str(ROOT / ft["didv_bounds"]), ds, tg)
    kw = {k: ft[k] for k in ("pop_size", "CR", "F", "demo_batches", "budget_unit")}

    class Counting:
        """The fit stage's simulator, counting calls and the seconds spent in them."""

        def __init__(self):
            self.s = pipeline.simulator(a.model, ROOT / hh["table"], sim_cfg, "cpu", ds)
            self.calls, self.secs = 0, 0.0

        def __getattr__(self, name):
            return getattr(self.s, name)

        def simulate_with_iv(self, p):
            t0 = time.perf_counter()
            out = self.s.simulate_with_iv(p)
            self.calls += 1
            self.secs += time.perf_counter() - t0
            return out

    def side_by_side(budget):
        sim = Counting()
        seeds = {m: [pipeline.job_seed(cfg["seed"], a.model, m, budget, int(t)) for t in tg["target"]] for m in methods}
        t0 = time.perf_counter()
        out = fit_methods(
            methods, sim, targets, bounds=bounds, seeds=seeds, budget_total=budget, n_targets=len(tg), **kw
        )
        return time.perf_counter() - t0, sim.calls, sim.secs, out

    def one_by_one(budget):
        wall = calls = secs = 0.0
        out = {}
        for m in methods:
            sim = Counting()  # a job per method: its own simulator
            seeds = [pipeline.job_seed(cfg["seed"], a.model, m, budget, int(t)) for t in tg["target"]]
            t0 = time.perf_counter()
            out[m] = fit_many(m, sim, targets, bounds=bounds, seeds=seeds, budget_total=budget, n_targets=len(tg), **kw)
            wall += time.perf_counter() - t0
            calls += sim.calls
            secs += sim.secs
        return wall, int(calls), secs, out

    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    rows = []
    for r in range(a.repeats):
        for b in budgets:
            load0 = os.getloadavg()[0]
            order = [("A", side_by_side), ("B", one_by_one)]
            if r % 2:
                order.reverse()
            res = {k: f(b) for k, f in order}
            # the HH simulator's float32 results change by rounding with the batch they are
            # simulated in (docs/fit.md), so A and B are compared candidate by candidate
            x_same = [
                np.array_equal(ra[1]["x"], rb[1]["x"])
                for m in methods
                for ra, rb in zip(res["A"][3][m], res["B"][3][m])
            ]
            d_sel = [
                abs(ra[0]["rmse_avg_mV"] - rb[0]["rmse_avg_mV"])
                for m in methods
                for ra, rb in zip(res["A"][3][m], res["B"][3][m])
            ]
            d_all = [
                float(np.nanmax(np.abs(ra[1]["rmse"] - rb[1]["rmse"])))
                for m in methods
                for ra, rb in zip(res["A"][3][m], res["B"][3][m])
                if ra[1]["rmse"].shape == rb[1]["rmse"].shape
            ]
            row = {
                "budget": b,
                "repeat": r,
                "methods": " ".join(methods),
                "targets": len(tg),
                "first": order[0][0],
                "side_by_side_s": round(res["A"][0], 2),
                "one_by_one_s": round(res["B"][0], 2),
                "ratio": round(res["B"][0] / res["A"][0], 3),
                "side_by_side_calls": res["A"][1],
                "one_by_one_calls": res["B"][1],
                "side_by_side_sim_s": round(res["A"][2], 2),
                "one_by_one_sim_s": round(res["B"][2], 2),
                "sim_chunk": sim_cfg["chunk"],
                "runs_same_candidates": f"{sum(x_same)}/{len(x_same)}",
                "max_abs_diff_candidate_rmse_mV": float(max(d_all)) if d_all else np.nan,
                "max_abs_diff_selected_rmse_mV": float(max(d_sel)),
                "load_before": round(load0, 2),
                "load_after": round(os.getloadavg()[0], 2),
            }
            print(row, flush=True)
            rows.append(row)
            with open(a.out, "w", newline="") as f:
                w = csv.DictWriter(f, fieldnames=list(rows[0]))
                w.writeheader()
                w.writerows(rows)


if __name__ == "__main__":
    main()
