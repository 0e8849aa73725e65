"""Benchmark: EP-GAN single-pass inference time for N = 1, 9, 279 and 10,000 neurons.

Times the forward pass (encoder over the 11 current-clamp steps + generator) of either a trained
model (``--model results/epgan/small/adv_iv/model.pt``) or an untrained network of the paper's
widths (latent 1,024, generator 1,536 → 768 → 384 → 175, the large HH model; the time does not
depend on the weights). Median of ``--repeats`` runs after a warm-up; inputs are random
(timing does not depend on their values). For comparison it also times the simulation a
selection over epochs needs per candidate (``--simulate``, the hh stage's simulator).

    python benchmarks/epgan_speed.py --threads 2
    python benchmarks/epgan_speed.py --model results/epgan/small/adv_iv/model.pt --device cuda
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "workflow"))


def paper_model(path, n_params=175, seed=0):
    import torch

    from neurogen.epgan import TrainConfig
    from neurogen.epgan.data import Normalizer
    from neurogen.epgan.recorded import stimulus_traces
    from neurogen.epgan.train import build_net, save_bundle

    torch.manual_seed(seed)
    # the published widths (as in config/full.yaml); the library defaults are config.yaml's
    cfg = TrainConfig(latent=1024, generator_widths=[1536, 768, 384], critic_widths=[1024, 512, 256])
    net = build_net(cfg, n_params, np.zeros(n_params), np.ones(n_params), 350, 18)
    amps = np.arange(-15.0, 36.0, 5.0)
    t = 4.0 + 7.0 * np.arange(350) / 350
    save_bundle(  # the format load_bundle reads (weights_only=True)
        {
            "final": net.state_dict(),
            "best": None,
            "best_epoch": 0,
            "epochs": 0,
            "norm": Normalizer(-40.0, 20.0, 35.0, [0.0] * 18, [50.0] * 18, 50.0).to_dict(),
            "cfg": cfg.to_dict(),
            "free_names": [f"p{i}" for i in range(n_params)],
            "lo": np.zeros(n_params),
            "hi": np.ones(n_params),
            "n_points": 350,
            "n_iv": 18,
            "amplitudes_pA": amps,
            "time_s": t,
            "stimuli": stimulus_traces(amps, t),
            "iv_v_mV": np.arange(-120.0, 51.0, 10.0),
        },
        path,
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", help="a model.pt from rule epgan_train (default: paper-width, untrained)")
    ap.add_argument("--n", type=int, nargs="+", default=[1, 9, 279, 10000])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu")
    ap.add_argument(
        "--simulate",
        type=int,
        default=0,
        metavar="N",
        help="also time simulate_cclamp for N neurons (small model, dt 1 ms)",
    )
    ap.add_argument("--out", help="CSV to write")
    a = ap.parse_args()
    import torch

    from neurogen.epgan.pipeline import inference_speed

    torch.set_num_threads(a.threads)
    with tempfile.TemporaryDirectory() as tmp:
        path = a.model
        if path is None:
            path = os.path.join(tmp, "paper.pt")
            paper_model(path)
        tab = inference_speed(path, ns=a.n, repeats=a.repeats, device=a.device)
    tab["model"] = a.model or "paper widths (untrained), 175 parameters"
    tab["load_average_1min"] = os.getloadavg()[0]
    print(tab.to_string(index=False))
    if a.simulate:
        from neurogen.hh import load_space, simulate_cclamp

        sp = load_space("small")
        p = torch.as_tensor(np.tile(sp.default, (a.simulate, 1)))
        t0 = time.perf_counter()
        simulate_cclamp(p, dt_ms=1.0)
        dt = time.perf_counter() - t0
        print(
            f"simulate_cclamp, {a.simulate} neurons × 11 steps, dt 1 ms: {dt:.2f} s "
            f"({1000 * dt / a.simulate:.1f} ms per neuron)"
        )
    if a.out:
        tab.to_csv(a.out, index=False)


if __name__ == "__main__":
    main()
