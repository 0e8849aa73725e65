"""Shared machinery of the deep generators: device, seeding, standardisation, mini-batches.

Every deep generator is one class-conditional network (the class enters as a one-hot vector),
trained on the standardised training features (z-scores with the training mean/SD; constant
features get SD 1) and mapped back on sampling. Training runs on ``device`` (``auto``: CUDA
when PyTorch sees it) and logs its loss every ``log_every`` epochs.
"""

from __future__ import annotations

import logging
import time

import numpy as np

from .base import OUTLIER_REF, OUTLIER_SD, Generator

log = logging.getLogger("neurogen")


class TorchGenerator(Generator):
    name = "torch"

    def __init__(
        self,
        epochs: int = 300,
        batch_size: int = 64,
        lr: float = 1e-3,
        hidden: int = 128,
        device: str = "auto",
        log_every: int = 50,
        outlier_sd: float | None = OUTLIER_SD,
        outlier_ref: str = OUTLIER_REF,
        seed: int = 0,
    ):
        super().__init__(outlier_sd=outlier_sd, outlier_ref=outlier_ref, seed=seed)
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.hidden = hidden
        self.device = device
        self.log_every = log_every

    # standardisation -------------------------------------------------------------------------
    def _prepare(self, X, codes):
        import torch

        from ..torchutil import pick_device, seed_all

        seed_all(self.seed)
        self.device_ = pick_device(self.device)
        self.zmean_ = X.mean(axis=0)
        self.zsd_ = np.where(self.constant_, 1.0, X.std(axis=0))
        Z = (X - self.zmean_) / self.zsd_
        self.n_classes_ = len(self.classes_)
        Zt = torch.as_tensor(Z, dtype=torch.float32, device=self.device_)
        Ct = torch.as_tensor(codes, dtype=torch.long, device=self.device_)
        return Zt, Ct

    def _onehot(self, codes):
        import torch

        return torch.nn.functional.one_hot(codes, self.n_classes_).float()

    def _batches(self, n, gen):
        import torch

        perm = torch.randperm(n, generator=gen, device="cpu")
        bs = max(1, min(self.batch_size, n))
        return [perm[i : i + bs] for i in range(0, n, bs)]

    def _train(self, n, step, models):
        """Run ``epochs`` passes of ``step(idx) -> dict of losses`` over shuffled mini-batches."""
        import torch

        gen = torch.Generator().manual_seed(self.seed)
        for m in models:
            m.train()
        t0 = time.perf_counter()
        self.history_ = []
        for epoch in range(1, self.epochs + 1):
            tot = {}
            for idx in self._batches(n, gen):
                losses = step(idx.to(self.device_))
                for k, v in losses.items():
                    tot[k] = tot.get(k, 0.0) + float(v) * len(idx)
            tot = {k: v / n for k, v in tot.items()}
            self.history_.append(tot)
            if epoch == 1 or epoch % max(1, self.log_every) == 0 or epoch == self.epochs:
                log.info(
                    "%s: epoch %d/%d %s (%.1f s)",
                    self.name,
                    epoch,
                    self.epochs,
                    " ".join(f"{k} {v:.4f}" for k, v in tot.items()),
                    time.perf_counter() - t0,
                )
        for m in models:
            m.eval()
        self.fit_time_s_ = time.perf_counter() - t0

    def _codes_tensor(self, counts):
        import torch

        codes = np.repeat(np.arange(len(counts)), counts)
        return torch.as_tensor(codes, dtype=torch.long, device=self.device_), codes

    def _unstandardise(self, Z):
        return Z * self.zsd_ + self.zmean_

    def _sample_generator(self, seed):
        import torch

        g = torch.Generator(device=self.device_)
        g.manual_seed(int(seed) % 2**63)
        return g

    def _modules(self):
        return []

    def to_cpu(self):
        import torch

        self.device_ = torch.device("cpu")
        for m in self._modules():
            m.to("cpu")
        return self

    def to_device(self, device="auto"):
        """Move the fitted model to ``device`` (e.g. after unpickling on another machine)."""
        from ..torchutil import pick_device

        self.device_ = pick_device(device)
        for m in self._modules():
            m.to(self.device_)
        return self


def mlp(sizes, act="relu", out_act=None, slope=0.2):
    import torch.nn as nn

    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.LeakyReLU(slope) if act == "leaky" else nn.ReLU())
    if out_act == "sigmoid":
        layers.append(nn.Sigmoid())
    return nn.Sequential(*layers)
