"""Simulation speed of the HH backends, side by side in one run.

    python benchmarks/hh_speed.py [--batches 1 100 1000 10000] [--sim-ms 200] [--dt 0.5]

For each batch size (neurons, each under all 11 current-clamp amplitudes = neurons x 11 rows)
and backend (torch CPU, Brian 2 numpy target, torch CUDA when present), simulates
``--sim-ms`` of model time at step ``--dt`` and reports simulated neuron-seconds per
wall-second (neurons x 11 stimuli x simulated seconds / wall seconds). Throughput per step does
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
    if torch.cuda.is_available():
        backends.append(("torch-cuda", "cuda"))
    if not a.no_brian2:
        backends.append(("brian2-numpy", None))
    print(f"# dt {a.dt} ms, {a.sim_ms} ms simulated per run, torch threads {a.threads}, "
          f"load {os.getloadavg()[0]:.1f}")
    print("backend,batch_neurons,rows,wall_s,neuron_s_per_wall_s")
    rows = []
    for b in a.batches:
        p = pmax[:b]
        for name, dev in backends:
            t0 = time.perf_counter()
            if name.startswith("torch"):
                with torch.no_grad():
                    out = simulate(torch.as_tensor(p, dtype=torch.float32, device=dev), amps, t_total_ms=a.sim_ms,
                                   step_ms=(a.sim_ms * 0.25, a.sim_ms * 0.75), record_ms=rec, dt_ms=a.dt)
                if dev == "cuda":
                    torch.cuda.synchronize()
            else:
                from neurogen.hh.brian import simulate_cclamp_brian2

                out = simulate_cclamp_brian2(p, amps, dt_ms=a.dt, record_ms=rec, t_total_ms=a.sim_ms,
                                             step_ms=(a.sim_ms * 0.25, a.sim_ms * 0.75))
            wall = time.perf_counter() - t0
            speed = b * len(amps) * a.sim_ms / 1e3 / wall
            rows.append((name, b, speed))
            print(f"{name},{b},{b * len(amps)},{wall:.2f},{speed:.1f}", flush=True)
            del out
    if a.accuracy_sets:
        from neurogen.hh.ivbounds import load_bounds
        from neurogen.hh.sampling import assign_types, classify_iv
        from neurogen.hh import steady_state_iv

        v, lo, hi = load_bounds()
        rng = shard_rng(3, 0)
        pp = sample_params(space, 40000, rng)
        t = assign_types(classify_iv(steady_state_iv(torch.as_tensor(pp), v).numpy(), v, lo, hi), rng)
        k = a.accuracy_sets
        sel = np.concatenate([np.flatnonzero(t == j)[: (k + 2) // 3] for j in range(3)])[:k]
        x = simulate_cclamp(torch.as_tensor(pp[sel]), dt_ms=a.dt).numpy()
        y = simulate_cclamp(torch.as_tensor(pp[sel]), dt_ms=a.dt / 10).numpy()
        r = np.sqrt(np.mean((x - y) ** 2, -1))
        print(f"# accuracy: RMSE dt {a.dt} vs {a.dt / 10} ms on {len(sel)} accepted sets x 11 stimuli: "
              f"max {r.max():.4f} mV, mean {r.mean():.4f} mV")


if __name__ == "__main__":
    main()
