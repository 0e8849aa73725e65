"""Conditional masked autoregressive flow (MAF), 4 layers by default (the study's architecture).

Each layer is an affine autoregressive transform u = (x − m(x<i, c)) · exp(−s(x<i, c)) whose
shift m and log-scale s come from a MADE network (hidden width at least the number of features)
conditioned on the class (Pyro's
``pyro.nn.ConditionalAutoRegressiveNN``); consecutive layers use different variable orders.
Trained by maximum likelihood (Adam, lr 1e-3): the density direction is one parallel pass;
sampling inverts each layer in D sequential passes (D = number of features).
"""

from __future__ import annotations

import logging
import math

import numpy as np

from .base import OUTLIER_REF, OUTLIER_SD
from .torchbase import TorchGenerator

log = logging.getLogger("neurogen")


class FlowGenerator(TorchGenerator):
    name = "flow"

    def __init__(
        self,
        epochs: int = 300,
        batch_size: int = 64,
        lr: float = 1e-3,
        n_layers: int = 4,
        hidden: int = 64,
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
        self.n_layers = n_layers

    def _modules(self):
        return list(self.layers_)

    def _fit(self, X, codes):
        import torch
        from pyro.nn import ConditionalAutoRegressiveNN

        Z, C = self._prepare(X, codes)
        d, k, h = X.shape[1], self.n_classes_, self.hidden
        if h < d:  # a MADE layer needs at least as many units as inputs
            log.info("flow: hidden units raised from %d to %d (the number of features)", h, d)
            h = d
        self.d_ = d
        g = torch.Generator().manual_seed(self.seed + 3)
        layers = []
        for i in range(self.n_layers):
            perm = torch.arange(d) if i == 0 else (torch.arange(d).flip(0) if i % 2 else torch.randperm(d, generator=g))
            if d == 1:
                perm = torch.zeros(1, dtype=torch.long)
            layers.append(
                ConditionalAutoRegressiveNN(d, k, [h, h], param_dims=[1, 1], permutation=perm, skip_connections=False)
            )
        self.layers_ = torch.nn.ModuleList(layers).to(self.device_)
        opt = torch.optim.Adam(self.layers_.parameters(), lr=self.lr)
        OH = self._onehot(C)

        def step(idx):
            lp = self._log_prob(Z[idx], OH[idx])
            loss = -lp.mean()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.layers_.parameters(), 10.0)
            opt.step()
            return {"nll": loss.item()}

        self._train(len(Z), step, [self.layers_])

    def _ms(self, layer, x, c):
        m, s = layer(x, context=c)
        return m, s.clamp(-6.0, 6.0)

    def _log_prob(self, x, c):
        logdet = 0.0
        for layer in self.layers_:
            m, s = self._ms(layer, x, c)
            x = (x - m) * (-s).exp()
            logdet = logdet - s.sum(1)
        base = -0.5 * (x**2).sum(1) - 0.5 * x.shape[1] * math.log(2 * math.pi)
        return base + logdet

    def log_prob(self, X, y):
        """Log density of cells X of classes y, in the standardised feature space."""
        import torch

        Z = torch.as_tensor((np.asarray(X, float) - self.zmean_) / self.zsd_, dtype=torch.float32, device=self.device_)
        codes = torch.as_tensor(np.searchsorted(self.classes_, np.asarray(y).astype(str)), device=self.device_)
        with torch.no_grad():
            return self._log_prob(Z, self._onehot(codes)).cpu().numpy()

    def _sample(self, counts, seed):
        import torch

        Ct, codes = self._codes_tensor(counts)
        g = self._sample_generator(seed)
        with torch.no_grad():
            c = self._onehot(Ct)
            u = torch.randn(len(codes), self.d_, generator=g, device=self.device_)
            for layer in reversed(self.layers_):
                x = torch.zeros_like(u)
                for _ in range(self.d_):
                    m, s = self._ms(layer, x, c)
                    x = u * s.exp() + m
                u = x
            out = u.cpu().numpy().astype(float)
        return self._unstandardise(out), codes
