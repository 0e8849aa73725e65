"""Conditional GAN: a fully connected generator (LeakyReLU) maps standard-normal noise and the
class (one-hot) to a cell; a fully connected discriminator (LeakyReLU, sigmoid output) tells
real from synthetic cells of that class. Binary cross-entropy (the min-max loss), Adam with
lr 2e-4 and beta1 0.5, 300 epochs by default (the study's settings). Samples come from an
exponential moving average of the generator's weights (``ema``, 0.99 per step; 0 = the last
weights), which damps the oscillation of adversarial training."""

from __future__ import annotations

from .base import OUTLIER_REF, OUTLIER_SD
from .torchbase import TorchGenerator, mlp


class GANGenerator(TorchGenerator):
    name = "gan"

    def __init__(
        self,
        epochs: int = 300,
        batch_size: int = 64,
        lr: float = 2e-4,
        beta1: float = 0.5,
        noise_dim: int = 32,
        hidden: int = 128,
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
        self.beta1 = beta1
        self.noise_dim = noise_dim
        self.ema = ema

    def _modules(self):
        return [self.G_, self.D_, self.G_ema_]

    def _fit(self, X, codes):
        import torch

        Z, C = self._prepare(X, codes)
        d, k, h = X.shape[1], self.n_classes_, self.hidden
        self.G_ = mlp([self.noise_dim + k, h, h, d], act="leaky").to(self.device_)
        self.D_ = mlp([d + k, h, h, 1], act="leaky", out_act="sigmoid").to(self.device_)
        import copy

        self.G_ema_ = copy.deepcopy(self.G_)
        for p_ in self.G_ema_.parameters():
            p_.requires_grad_(False)
        optG = torch.optim.Adam(self.G_.parameters(), lr=self.lr, betas=(self.beta1, 0.999))
        optD = torch.optim.Adam(self.D_.parameters(), lr=self.lr, betas=(self.beta1, 0.999))
        bce = torch.nn.BCELoss()
        OH = self._onehot(C)
        gen = torch.Generator(device=self.device_).manual_seed(self.seed + 1)

        def step(idx):
            x, c = Z[idx], OH[idx]
            b = len(idx)
            noise = torch.randn(b, self.noise_dim, generator=gen, device=self.device_)
            fake = self.G_(torch.cat([noise, c], 1))
            ones = torch.ones(b, 1, device=self.device_)
            zeros = torch.zeros(b, 1, device=self.device_)
            optD.zero_grad()
            lossD = bce(self.D_(torch.cat([x, c], 1)), ones) + bce(self.D_(torch.cat([fake.detach(), c], 1)), zeros)
            lossD.backward()
            optD.step()
            optG.zero_grad()
            lossG = bce(self.D_(torch.cat([fake, c], 1)), ones)
            lossG.backward()
            optG.step()
            with torch.no_grad():
                for pe, pg in zip(self.G_ema_.parameters(), self.G_.parameters()):
                    pe.mul_(self.ema).add_(pg, alpha=1 - self.ema)
            return {"loss_D": lossD.item(), "loss_G": lossG.item()}

        self._train(len(Z), step, [self.G_, self.D_])
        self.G_ema_.eval()

    def _sample(self, counts, seed):
        import torch

        Ct, codes = self._codes_tensor(counts)
        g = self._sample_generator(seed)
        with torch.no_grad():
            noise = torch.randn(len(codes), self.noise_dim, generator=g, device=self.device_)
            out = self.G_ema_(torch.cat([noise, self._onehot(Ct)], 1)).cpu().numpy().astype(float)
        return self._unstandardise(out), codes
