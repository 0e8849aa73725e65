"""Benchmark: EP-GAN training time per epoch, CPU vs GPU side by side, at the paper's widths.

Generates a small training set with the hh stage's own code (small HH model, EP-GAN's 15 s
protocol, ``--neurons`` training + ``--n-test`` test neurons balanced over the 3 types, noise
added as in the hh stage), then trains EP-GAN for ``--epochs`` epochs on every ``--devices`` ×
``--variants`` with the ``epgan.train`` block of ``--config`` (default ``config/full.yaml``: the
published widths, latent 1,024, 5 critic steps, the membrane-potential residual on every batch
for ``full``) and reports the training time per batch and per epoch (median over the epochs after the
first; the first, with CUDA's warm-up, apart) and the validation time. The CPU runs train on a
nested subset (``--cpu-neurons``, default one batch) for ``--cpu-epochs``: the paper-width
membrane-potential variant takes minutes per batch there, so the devices are compared per
batch. Time per epoch does not depend on
how good the model is, so a few epochs measure it. No Snakemake needed: it runs where only
PyTorch, h5py, pandas and scikit-learn are installed (a GPU machine).

    python benchmarks/epgan_train_speed.py --devices cpu cuda --neurons 1200 --epochs 3 \\
        --out results/benchmarks/epgan_train_speed.csv
    python benchmarks/epgan_train_speed.py --config config/config.yaml --devices cpu   # the default widths
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "workflow"))


def make_data(folder: Path, n_train: int, n_test: int, seed: int, device, hh: dict) -> tuple[Path, Path, float]:
    """train.h5 / test.h5 made as rules hh_shard + hh_merge make them; returns (train, test, seconds)."""
    from neurogen.hh.generate import generate_shard, merge_shards, protocol_from_config
    from neurogen.hh.ivbounds import load_bounds
    from neurogen.hh.model import load_space
    from neurogen.io import write_npz

    t0 = time.perf_counter()
    space = load_space("small")
    proto = protocol_from_config(hh)
    out = generate_shard(
        space,
        n_per_type=math.ceil((n_train + n_test) / 3),
        max_candidates=int(hh["max_candidates_per_shard"]),
        seed=seed,
        shard=0,
        bounds=load_bounds(),
        dt_ms=float(hh["dt_ms"]),
        chunk=int(hh["chunk"]),
        oversample=float(hh["oversample"]),
        batch_size=int(hh["batch_size"]),
        device=device,
        skew=float(hh["conductance_skew"]),
        scale_frac=float(hh["conductance_scale"]),
        protocol=proto,
    )
    shard = folder / "shard0.npz"
    write_npz(shard, **out)
    train, test = folder / "train.h5", folder / "test.h5"
    merge_shards(
        [shard],
        space,
        train_path=train,
        test_path=test,
        acceptance_path=folder / "acceptance.csv",
        n_test=n_test,
        noise_mV=float(hh["noise_mV"]),
        seed=seed,
        protocol=proto,
        dt_ms=float(hh["dt_ms"]),
    )
    return train, test, time.perf_counter() - t0


def train_timing(train, test, cfg, device) -> dict:
    """Train ``cfg.epochs`` epochs on ``device``; per-epoch times from the trainer's history."""
    from neurogen.epgan import pipeline
    from neurogen.epgan.data import H5Data
    from neurogen.epgan.train import Trainer

    be = pipeline.load_backend("small", None, train)
    tr = Trainer(cfg, be, train, targets=pipeline.test_inputs(H5Data(test)), device=device)
    t0 = time.perf_counter()
    tr.fit()
    wall = time.perf_counter() - t0
    h = pd.DataFrame(tr.history)
    later = h["train_time_s"].iloc[1:] if len(h) > 1 else h["train_time_s"]
    nb = int(h["n_batches"].iloc[0])
    return {
        "train_neurons": len(tr.tr_idx),
        "batches_per_epoch": nb,
        "batch_s": float(later.median()) / nb,
        "first_epoch_s": float(h["train_time_s"].iloc[0]),
        "epoch_s": float(later.median()),
        "epoch_s_min": float(later.min()),
        "epoch_s_max": float(later.max()),
        "val_s": float(h["val_time_s"].median()),
        "wall_s": wall,
        "final_val_iv_rmse_pA": float(h["val_iv_rmse_pA"].iloc[-1]),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", default=str(ROOT / "config" / "full.yaml"), help="its epgan.train block is used")
    ap.add_argument("--devices", nargs="+", default=["cpu", "cuda"])
    ap.add_argument("--variants", nargs="+", default=["adv_iv", "full"])
    ap.add_argument("--neurons", type=int, default=1200, help="training neurons (5 %% of them validate)")
    ap.add_argument("--n-test", type=int, default=30, help="test neurons (the trainer's targets)")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument(
        "--cpu-neurons",
        type=int,
        default=68,
        help="training neurons of the CPU runs (a nested subset; default 68: one batch of 64), so that "
        "the paper-width membrane-potential variant fits a short session; compare seconds per batch",
    )
    ap.add_argument("--cpu-epochs", type=int, default=1, help="epochs of the CPU runs")
    ap.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=None, help="CSV to write (default: print only)")
    a = ap.parse_args()
    import torch

    from neurogen.epgan import TrainConfig
    from neurogen.epgan.config import variant_losses
    from neurogen.torchutil import pick_device, seed_all

    torch.set_num_threads(a.threads)
    base = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    over = yaml.safe_load(Path(a.config).read_text()) or {}
    train_block = {**base["epgan"]["train"], **(over.get("epgan", {}).get("train") or {})}
    train_block["epochs"] = a.epochs
    hh = {**base["hh"], **{k: v for k, v in (over.get("hh") or {}).items() if k in base["hh"]}}
    devices = [pick_device(d) for d in a.devices]
    gpu = torch.cuda.get_device_name(0) if any(d.type == "cuda" for d in devices) else ""
    data_dev = next((d for d in devices if d.type == "cuda"), devices[0])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        train, test, gen_s = make_data(Path(tmp), a.neurons, a.n_test, a.seed, data_dev, hh)
        print(f"# data: {a.neurons} + {a.n_test} neurons on {data_dev} in {gen_s:.1f} s", flush=True)
        for variant in a.variants:
            for dev in devices:  # side by side: both devices for one variant, then the next
                losses = variant_losses(train_block.get("losses") or TrainConfig().losses)[variant]
                block = train_block | {"losses": losses}
                if dev.type == "cpu":
                    block |= {"n_train": min(a.cpu_neurons, a.neurons), "epochs": a.cpu_epochs}
                cfg = TrainConfig.from_dict(block, seed=a.seed)
                seed_all(a.seed)
                load0 = os.getloadavg()[0]
                r = train_timing(train, test, cfg, dev)
                rows.append(
                    {
                        "variant": variant,
                        "device": dev.type,
                        "config": Path(a.config).name,
                        "latent": cfg.latent,
                        "generator_widths": "-".join(map(str, cfg.generator_widths)),
                        "n_critic": cfg.n_critic,
                        "voltage_every": cfg.voltage_every,
                        "epochs": cfg.epochs,
                        **r,
                        "torch_threads": torch.get_num_threads(),
                        "gpu": gpu if dev.type == "cuda" else "",
                        "cpu": platform.processor() or platform.machine(),
                        "torch": torch.__version__,
                        "data_s": gen_s,
                        "load_before": load0,
                        "load_after": os.getloadavg()[0],
                    }
                )
                print(
                    f"{variant} on {dev}: {r['batch_s']:.3f} s per batch of {cfg.batch_size}, {r['epoch_s']:.2f} s "
                    f"per epoch of {r['batches_per_epoch']} batches (first epoch {r['first_epoch_s']:.1f} s)",
                    flush=True,
                )
                if a.out:  # after every run: a run stopped at its time limit keeps the rows it made
                    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
                    pd.DataFrame(rows).to_csv(a.out, index=False)
    df = pd.DataFrame(rows)
    for variant, g in df.groupby("variant", sort=False):
        cpu, cuda = g[g["device"] == "cpu"], g[g["device"] == "cuda"]
        if len(cpu) and len(cuda):
            ratio = cpu["batch_s"].iloc[0] / cuda["batch_s"].iloc[0]
            print(f"{variant}: GPU {ratio:.1f}× the CPU ({cpu['torch_threads'].iloc[0]} threads) per batch")
    print(df.drop(columns=["cpu", "torch", "config"]).round(3).to_string(index=False))


if __name__ == "__main__":
    main()
