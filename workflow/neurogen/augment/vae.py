"""Conditional VAE: 2-D latent space; encoder of 64-unit ReLU layers (cell + one-hot class ->
mean and log-variance), mirrored decoder (latent + class -> cell). Loss = reconstruction
(squared error, summed over features) + KL divergence to N(0, I); Adam lr 1e-3 (the study's
architecture). Samples: z ~ N(0, I) through the decoder."""

from __future__ import annotations

from .base import OUTLIER_REF, OUTLIER_SD
from .torchbase import TorchGenerator, mlp


class VAEGenerator(TorchGenerator):
    name = "vae"

    def __init__(
        self,
        epochs: int = 300,
        batch_size: int = 64,
        lr: float = 1e-3,
        latent_dim: int = 2,
        hidden: int = 64,
        beta: float = 1.0,
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
        self.latent_dim = latent_dim
        self.beta = beta

    def _modules(self):
        return [self.enc_, self.dec_]

    def _fit(self, X, codes):
        import torch

        Z, C = self._prepare(X, codes)
        d, k, h, L = X.shape[1], self.n_classes_, self.hidden, self.latent_dim
        self.enc_ = mlp([d + k, h, h, 2 * L]).to(self.device_)
        self.dec_ = mlp([L + k, h, h, d]).to(self.device_)
        opt = torch.optim.Adam(list(self.enc_.parameters()) + list(self.dec_.parameters()), lr=self.lr)
        OH = self._onehot(C)
        gen = torch.Generator(device=self.device_).manual_seed(self.seed + 2)

        def step(idx):
            x, c = Z[idx], OH[idx]
            mu, logvar = self.enc_(torch.cat([x, c], 1)).chunk(2, dim=1)
            logvar = logvar.clamp(-10, 10)
            eps = torch.randn(mu.shape, generator=gen, device=self.device_)
            z = mu + eps * torch.exp(0.5 * logvar)
            rec = self.dec_(torch.cat([z, c], 1))
            rl = ((rec - x) ** 2).sum(1).mean()
            kl = (-0.5 * (1 + logvar - mu**2 - logvar.exp()).sum(1)).mean()
            loss = rl + self.beta * kl
            opt.zero_grad()
            loss.backward()
            opt.step()
            return {"loss": loss.item(), "recon": rl.item(), "kl": kl.item()}

        self._train(len(Z), step, [self.enc_, self.dec_])

    def _sample(self, counts, seed):
        import torch

        Ct, codes = self._codes_tensor(counts)
        g = self._sample_generator(seed)
        with torch.no_grad():
            z = torch.randn(len(codes), self.latent_dim, generator=g, device=self.device_)
            out = self.dec_(torch.cat([z, self._onehot(Ct)], 1)).cpu().numpy().astype(float)
        return self._unstandardise(out), codes
