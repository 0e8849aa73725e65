"""Tabular denoising diffusion (DDPM, Ho et al. 2020) for feature vectors.

Forward process: 1,000 steps, linear beta schedule 1e-4 … 0.02. The noise-prediction network
is an MLP (SiLU) of the noisy cell, a sinusoidal embedding of the step and the class (one-hot);
trained with the simple loss ||ε − ε_θ(x_t, t, c)||², Adam lr 1e-3; samples use an exponential
moving average of the network's weights (``ema``, 0.99 per step). Sampling is ancestral
(σ_t² = β_t) from pure noise through all steps, or — ``sample_steps`` < timesteps — through an
evenly respaced subsequence of them (Nichol & Dhariwal 2021: β's recomputed from the ᾱ's of
the kept steps), which costs sample_steps/timesteps of the full chain. (The study fine-tuned Google's pretrained
image DDPM; a network for images does not fit 48 features, so this one is trained from
scratch on the training cells.)
"""

from __future__ import annotations

import math

from .base import OUTLIER_REF, OUTLIER_SD
from .torchbase import TorchGenerator


class DDPMGenerator(TorchGenerator):
    name = "ddpm"

    def __init__(
        self,
        epochs: int = 300,
        batch_size: int = 64,
        lr: float = 1e-3,
        timesteps: int = 1000,
        beta_start: float = 1e-4,
        beta_end: float = 0.02,
        hidden: int = 256,
        t_embed: int = 32,
        sample_steps: int | None = None,
        ema: float = 0.99,
        device: str = "auto",
        log_every: int = 50,
        outlier_sd: float | None = OUTLIER_SD,
        outlier_ref: str = OUTLIER_REF,
        seed: int = 0,
    ):
        super().__init__(
            epochs=epochs,
            batch_size=batch_size,
            lr=lr,
            hidden=hidden,
            device=device,
            log_every=log_every,
            outlier_sd=outlier_sd,
            outlier_ref=outlier_ref,
            seed=seed,
        )
        self.timesteps = timesteps
        self.beta_start = beta_start
        self.beta_end = beta_end
        self.t_embed = t_embed
        self.sample_steps = sample_steps
        self.ema = ema

    def _modules(self):
        return [self.net_, self.net_ema_]

    def _schedule(self):
        import torch

        betas = torch.linspace(self.beta_start, self.beta_end, self.timesteps, dtype=torch.float64)
        alphas = 1.0 - betas
        abar = torch.cumprod(alphas, 0)
        return betas.float(), alphas.float(), abar.float()

    def _embed(self, t):
        import torch

        half = self.t_embed // 2
        freqs = torch.exp(-math.log(10000.0) * torch.arange(half, device=t.device) / max(1, half - 1))
        a = t.float()[:, None] * freqs[None]
        return torch.cat([a.sin(), a.cos()], 1)

    def _eps(self, x, t, c, net=None):
        import torch

        return (net or self.net_)(torch.cat([x, self._embed(t), c], 1))

    def _fit(self, X, codes):
        import torch
        import torch.nn as nn

        Z, C = self._prepare(X, codes)
        d, k, h = X.shape[1], self.n_classes_, self.hidden
        self.net_ = nn.Sequential(
            nn.Linear(d + 2 * (self.t_embed // 2) + k, h),
            nn.SiLU(),
            nn.Linear(h, h),
            nn.SiLU(),
            nn.Linear(h, h),
            nn.SiLU(),
            nn.Linear(h, d),
        ).to(self.device_)
        import copy

        self.net_ema_ = copy.deepcopy(self.net_)
        for p_ in self.net_ema_.parameters():
            p_.requires_grad_(False)
        _, _, abar = self._schedule()
        abar = abar.to(self.device_)
        opt = torch.optim.Adam(self.net_.parameters(), lr=self.lr)
        OH = self._onehot(C)
        gen = torch.Generator(device=self.device_).manual_seed(self.seed + 4)

        def step(idx):
            x0, c = Z[idx], OH[idx]
            t = torch.randint(0, self.timesteps, (len(idx),), generator=gen, device=self.device_)
            eps = torch.randn(x0.shape, generator=gen, device=self.device_)
            ab = abar[t][:, None]
            xt = ab.sqrt() * x0 + (1 - ab).sqrt() * eps
            loss = ((self._eps(xt, t, c) - eps) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            with torch.no_grad():
                for pe, pn in zip(self.net_ema_.parameters(), self.net_.parameters()):
                    pe.mul_(self.ema).add_(pn, alpha=1 - self.ema)
            return {"mse": loss.item()}

        self._train(len(Z), step, [self.net_])
        self.net_ema_.eval()

    def _sample(self, counts, seed):
        import torch

        Ct, codes = self._codes_tensor(counts)
        g = self._sample_generator(seed)
        import numpy as np

        _, _, abar_full = self._schedule()
        n = self.timesteps if not self.sample_steps else max(1, min(int(self.sample_steps), self.timesteps))
        steps = np.unique(np.round(np.linspace(0, self.timesteps - 1, n)).astype(int))
        abar = abar_full[steps]
        abar_prev = torch.cat([torch.ones(1), abar[:-1]])
        betas = (1 - abar / abar_prev).clamp(max=0.999)
        abar, betas = abar.to(self.device_), betas.to(self.device_)
        alphas = 1 - betas
        with torch.no_grad():
            c = self._onehot(Ct)
            x = torch.randn(len(codes), self.n_features_in_, generator=g, device=self.device_)
            for i in range(len(steps) - 1, -1, -1):
                tt = torch.full((len(codes),), int(steps[i]), device=self.device_, dtype=torch.long)
                eps = self._eps(x, tt, c, self.net_ema_)
                mean = (x - betas[i] / (1 - abar[i]).sqrt() * eps) / alphas[i].sqrt()
                if i > 0:
                    x = mean + betas[i].sqrt() * torch.randn(x.shape, generator=g, device=self.device_)
                else:
                    x = mean
            out = x.cpu().numpy().astype(float)
        return self._unstandardise(out), codes
