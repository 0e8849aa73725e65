"""Simulation speed of the HH backends, side by side in one run.

    python benchmarks/hh_speed.py [--batches 1 100 1000 10000] [--sim-ms 200] [--dt 0.5]

For each batch size (neurons, each under all 11 current-clamp amplitudes = neurons x 11 rows)
and backend (torch CPU eager, torch CPU with ``compile=True`` — its compilation for the shape
timed apart —, Brian 2 numpy target, torch CUDA when present), simulates
``--sim-ms`` of model time at step ``--dt`` and reports simulated neuron-seconds per
wall-second (neurons x 11 stimuli x simulated seconds / wall seconds), the median of
``--repeats`` interleaved runs (min and max beside it). Throughput per step does
not depend on the simulated duration, so a short duration keeps the large batches affordable.
Accuracy at that step: RMSE of the recorded window against a 10x finer step on a few accepted
sets (EP-GAN's full 15 s protocol).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "workflow"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batches", type=int, nargs="+", default=[1, 100, 1000, 10000])
    ap.add_argument("--sim-ms", type=float, default=200.0)
    ap.add_argument("--dt", type=float, default=0.5)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--no-brian2", action="store_true")
    ap.add_argument("--no-compile", action="store_true", help="skip the torch.compile row")
    ap.add_argument("--repeats", type=int, default=3, help="interleaved repeats; the median is reported")
    ap.add_argument("--accuracy-sets", type=int, default=0, help="accepted sets for the RMSE check (0: skip)")
    a = ap.parse_args()
    import numpy as np
    import torch

    from neurogen.hh import load_space, simulate, simulate_cclamp
    from neurogen.hh.sampling import sample_params, shard_rng

    torch.set_num_threads(a.threads)
    space = load_space("large")
    amps = np.arange(-15, 40, 5, dtype=float)
    pmax = sample_params(space, max(a.batches), shard_rng(0, 0))
    rec = np.arange(0, a.sim_ms + 1e-9, 20.0)
    backends = [("torch-cpu", "cpu")]
    if not a.no_compile:
        backends.append(("torch-cpu-compiled", "cpu"))
    if torch.cuda.is_available():
        backends.append(("torch-cuda", "cuda"))
    if not a.no_brian2:
        backends.append(("brian2-numpy", None))
    print(f"# dt {a.dt} ms, {a.sim_ms} ms simulated per run, torch threads {a.threads}, load {os.getloadavg()[0]:.1f}")
    print("backend,batch_neurons,rows,wall_s,wall_min_s,wall_max_s,neuron_s_per_wall_s,compile_s")
    rows = []

    def run_torch(p, dev, sim_ms, compiled):
        with torch.no_grad():
            out = simulate(
                torch.as_tensor(p, dtype=torch.float32, device=dev),
                amps,
                t_total_ms=sim_ms,
                step_ms=(sim_ms * 0.25, sim_ms * 0.75),
                record_ms=rec[rec <= sim_ms],
                dt_ms=a.dt,
                compile=compiled,
            )
        if dev == "cuda":
            torch.cuda.synchronize()
        return out

    def run_brian2(p):
        from neurogen.hh.brian import simulate_cclamp_brian2

        return simulate_cclamp_brian2(
            p, amps, dt_ms=a.dt, record_ms=rec, t_total_ms=a.sim_ms, step_ms=(a.sim_ms * 0.25, a.sim_ms * 0.75)
        )

    for b in a.batches:
        p = pmax[:b]
        compile_s = {}
        for name, dev in backends:
            if name.endswith("compiled"):  # compilation for this shape, timed apart
                t0 = time.perf_counter()
                run_torch(p, dev, 20.0, True)
                compile_s[name] = time.perf_counter() - t0
        walls = {name: [] for name, _ in backends}
        for _ in range(a.repeats):  # interleaved repeats: load changes hit every backend
            for name, dev in backends:
                t0 = time.perf_counter()
                out = (
                    run_brian2(p)
                    if name.startswith("brian2")
                    else run_torch(p, dev, a.sim_ms, name.endswith("compiled"))
                )
                walls[name].append(time.perf_counter() - t0)
                del out
        for name, _ in backends:
            wall = float(np.median(walls[name]))
            speed = b * len(amps) * a.sim_ms / 1e3 / wall
            rows.append((name, b, speed))
            print(
                f"{name},{b},{b * len(amps)},{wall:.2f},{min(walls[name]):.2f},{max(walls[name]):.2f},"
                f"{speed:.1f},{compile_s.get(name, 0.0):.1f}",
                flush=True,
            )
    if a.accuracy_sets:
        from neurogen.hh import steady_state_iv
        from neurogen.hh.ivbounds import load_bounds
        from neurogen.hh.sampling import assign_types, classify_iv

        v, lo, hi = load_bounds()
        rng = shard_rng(3, 0)
        pp = sample_params(space, 40000, rng)
        t = assign_types(classify_iv(steady_state_iv(torch.as_tensor(pp), v).numpy(), v, lo, hi), rng)
        k = a.accuracy_sets
        sel = np.concatenate([np.flatnonzero(t == j)[: (k + 2) // 3] for j in range(3)])[:k]
        x = simulate_cclamp(torch.as_tensor(pp[sel]), dt_ms=a.dt).numpy()
        y = simulate_cclamp(torch.as_tensor(pp[sel]), dt_ms=a.dt / 10).numpy()
        r = np.sqrt(np.mean((x - y) ** 2, -1))
        print(
            f"# accuracy: RMSE dt {a.dt} vs {a.dt / 10} ms on {len(sel)} accepted sets x 11 stimuli: "
            f"max {r.max():.4f} mV, mean {r.mean():.4f} mV"
        )


if __name__ == "__main__":
    main()
