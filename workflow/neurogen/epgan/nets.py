"""EP-GAN networks: GRU encoder, generator, Wasserstein critic (Kim et al. 2024, Fig. 7).

Encoder: a GRU over the stimulus sequence. Step k of the sequence is one membrane-potential
response (T points, 350 in the published protocol) concatenated with its stimulus trace (T
points), so a recording with any number of current-clamp steps is accepted. Its last hidden
state is the latent vector (1,024 in the paper), which is concatenated with the steady-state
I–V (18 points) to form the conditioning vector of both the generator and the critic.

Generator: 4 fully connected layers, LayerNorm after the first two, tanh output in [-1, 1]
(mapped to each free parameter's sampling range by :func:`to_physical`).

Critic: an MLP on (conditioning vector ⊕ parameters in [-1, 1]) returning a scalar
(Wasserstein critic, trained with a gradient penalty; no normalisation layers, as WGAN-GP
requires per-sample gradients).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence


class Encoder(nn.Module):
    def __init__(self, n_points: int = 350, latent: int = 1024, layers: int = 1):
        super().__init__()
        self.n_points = n_points
        self.latent = latent
        self.gru = nn.GRU(2 * n_points, latent, num_layers=layers, batch_first=True)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """x [N, S, 2T] (response ⊕ stimulus per step); lengths [N]: steps used per neuron
        (left-aligned, the rest padding). Returns the latent vector [N, latent]."""
        if x.dim() != 3 or x.shape[-1] != 2 * self.n_points:
            raise ValueError(f"encoder input must be [N, S, {2 * self.n_points}], got {tuple(x.shape)}")
        if lengths is None:
            _, h = self.gru(x)
        else:
            packed = pack_padded_sequence(x, lengths.to("cpu", torch.int64), batch_first=True, enforce_sorted=False)
            _, h = self.gru(packed)
        return h[-1]


class Generator(nn.Module):
    def __init__(self, in_dim: int, widths=(1536, 768, 384), n_out: int = 175, slope: float = 0.2):
        super().__init__()
        if len(widths) != 3:
            raise ValueError("generator widths must list 3 hidden layer sizes (4 FC layers)")
        w1, w2, w3 = widths
        self.net = nn.Sequential(
            nn.Linear(in_dim, w1),
            nn.LayerNorm(w1),
            nn.LeakyReLU(slope),
            nn.Linear(w1, w2),
            nn.LayerNorm(w2),
            nn.LeakyReLU(slope),
            nn.Linear(w2, w3),
            nn.LeakyReLU(slope),
            nn.Linear(w3, n_out),
            nn.Tanh(),
        )

    def forward(self, c: torch.Tensor) -> torch.Tensor:
        return self.net(c)


class Critic(nn.Module):
    def __init__(self, in_dim: int, widths=(1024, 512, 256), slope: float = 0.2):
        super().__init__()
        layers, d = [], in_dim
        for w in widths:
            layers += [nn.Linear(d, w), nn.LeakyReLU(slope)]
            d = w
        layers.append(nn.Linear(d, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, c: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([c, u], dim=-1)).squeeze(-1)


class EPGAN(nn.Module):
    """Encoder + generator + critic for F free parameters; ``lo``/``hi`` are their ranges."""

    def __init__(
        self,
        n_params: int,
        lo,
        hi,
        n_points: int = 350,
        n_iv: int = 18,
        latent: int = 1024,
        gru_layers: int = 1,
        generator_widths=(1536, 768, 384),
        critic_widths=(1024, 512, 256),
    ):
        super().__init__()
        self.encoder = Encoder(n_points, latent, gru_layers)
        self.generator = Generator(latent + n_iv, generator_widths, n_params)
        self.critic = Critic(latent + n_iv + n_params, critic_widths)
        self.register_buffer("lo", torch.as_tensor(lo, dtype=torch.float32))
        self.register_buffer("hi", torch.as_tensor(hi, dtype=torch.float32))
        self.n_params, self.n_points, self.n_iv = n_params, n_points, n_iv

    def condition(self, x, iv_n, lengths=None):
        """Conditioning vector: latent(x) ⊕ normalised I–V."""
        return torch.cat([self.encoder(x, lengths), iv_n], dim=-1)

    def forward(self, x, iv_n, lengths=None):
        """Generated free parameters in physical units [N, F] (single forward pass)."""
        return to_physical(self.generator(self.condition(x, iv_n, lengths)), self.lo, self.hi)


def to_physical(u, lo, hi):
    """[-1, 1] -> [lo, hi] per parameter."""
    return lo + (u + 1.0) * 0.5 * (hi - lo)


def to_unit(p, lo, hi):
    """[lo, hi] -> [-1, 1] per parameter (fixed-width parameters map to 0)."""
    span = hi - lo
    span = torch.where(span > 0, span, torch.ones_like(span))
    return (p - lo) / span * 2.0 - 1.0
