"""EP-GAN training settings (the config's ``epgan.train`` block), with defaults and checks."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from .. import NeurogenError

#: the loss variants: adversarial only, + steady-state I–V, + membrane-potential residual
VARIANTS = ("adv", "adv_iv", "full")


def variant_losses(losses: dict) -> dict[str, dict]:
    """Each variant's loss weights, from the configured ``epgan.train.losses`` (the ``full``
    variant uses them as given; the others switch terms off)."""
    return {
        "adv": {"adversarial": losses["adversarial"], "iv": 0.0, "voltage": 0.0},
        "adv_iv": {"adversarial": losses["adversarial"], "iv": losses["iv"], "voltage": 0.0},
        "full": dict(losses),
    }


@dataclass
class TrainConfig:
    """The ``epgan.train`` block. The defaults equal config/config.yaml's (the one source of
    defaults; tests/test_config_defaults.py checks it); config/full.yaml has the paper's
    settings (latent 1024, widths 1536/768/384 and 1024/512/256, lr 1e-4, n_critic 5)."""

    epochs: int = 60
    batch_size: int = 64
    chunk_size: int = 4096  # neurons read from the HDF5 file at a time
    latent: int = 256  # GRU hidden size = latent vector
    gru_layers: int = 1
    generator_widths: list = field(default_factory=lambda: [512, 256, 128])
    critic_widths: list = field(default_factory=lambda: [256, 128])
    lr_generator: float = 0.0005
    lr_critic: float = 0.0005
    betas: list = field(default_factory=lambda: [0.5, 0.9])
    n_critic: int = 2  # critic updates per generator update
    gp_weight: float = 10.0
    mask_start: float = 0.75
    mask_end: float = 0.0
    losses: dict = field(default_factory=lambda: {"adversarial": 1.0, "iv": 1.0, "voltage": 1.0})
    voltage_h: int = 2  # samples between finite-difference points
    voltage_traces: int = 2  # stimuli per batch in the voltage residual (0 = all)
    voltage_neurons: int = 16  # neurons per batch in the voltage residual (0 = all)
    voltage_stride: int = 2  # use every k-th sample of the trace (gates stepped k·Δt)
    voltage_every: int = 4  # voltage residual on every k-th batch (cost on a CPU)
    val_fraction: float = 0.05
    n_train: int = 0  # neurons of the training file used (nested subsets; 0 = all)
    val_simulate: int = 0  # validation neurons simulated per epoch for response RMSE (0: I–V only)
    # not keys of epgan.train: the job's threads (0: Snakemake's threads), the config's seed
    threads: int = 0  # torch threads (0: leave as is)
    seed: int = 0

    @classmethod
    def from_dict(cls, d: dict | None, seed: int | None = None, where: str = "epgan.train"):
        d = dict(d or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise NeurogenError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        if seed is not None:
            d.setdefault("seed", seed)
        cfg = cls(**d)
        cfg.check(where)
        return cfg

    def check(self, where="epgan.train"):
        bad = []
        for k in ("epochs", "batch_size", "chunk_size", "latent", "gru_layers"):
            if int(getattr(self, k)) < 1:
                bad.append(f"{k} must be >= 1")
        if len(self.generator_widths) != 3:
            bad.append("generator_widths must list 3 sizes (4 fully connected layers)")
        if not 0 <= self.mask_end <= 1 or not 0 <= self.mask_start <= 1:
            bad.append("mask_start/mask_end must be in [0, 1]")
        unknown = set(self.losses) - {"adversarial", "iv", "voltage"}
        if unknown:
            bad.append(f"losses: unknown term(s) {sorted(unknown)} (adversarial, iv, voltage)")
        if not any(float(v) > 0 for v in self.losses.values()):
            bad.append("losses: at least one weight must be > 0")
        for k in ("voltage_h", "voltage_stride", "voltage_every"):
            if getattr(self, k) < 1:
                bad.append(f"{k} must be >= 1")
        if int(self.n_train) < 0:
            bad.append("n_train must be >= 0 (0: the whole training file)")
        if not 0 <= self.val_fraction < 1:
            bad.append("val_fraction must be in [0, 1)")
        if bad:
            raise NeurogenError(f"{where}: " + "; ".join(bad))

    def weight(self, term):
        return float(self.losses.get(term, 0.0))

    def to_dict(self):
        return asdict(self)

    def digest(self) -> str:
        d = self.to_dict()
        d.pop("threads", None)
        return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:16]


def check(config: dict, root: str | Path = ".") -> list[str]:
    """Errors in the config's ``epgan`` block (and ``scaling.train`` over it), each naming the key;
    ``neurogen.config.check_config`` dispatches here."""
    root = Path(root)
    e = config["epgan"]
    errors = []
    try:
        TrainConfig.from_dict(e.get("train", {}), seed=config.get("seed", 0))
    except NeurogenError as err:
        errors.append(str(err))
    sc = config.get("scaling")
    if sc and "scaling" in config.get("stages", []):
        try:
            TrainConfig.from_dict(
                {**e.get("train", {}), **sc.get("train", {})},
                seed=config.get("seed", 0),
                where="scaling.train (over epgan.train)",
            )
        except NeurogenError as err:
            errors.append(str(err))
        extra = sorted(set(sc.get("sizes_by_variant", {})) - set(sc.get("variants", [])))
        if extra:
            errors.append(f"scaling.sizes_by_variant: {extra} not in scaling.variants {sc.get('variants')}")
    for name, cell in (e.get("recorded") or {}).items():
        for k in ("cclamp", "vclamp"):
            f = cell.get(k)
            if f and not (root / f).exists() and not Path(f).exists():
                errors.append(f"epgan.recorded.{name}.{k}: file {f!r} not found")
    return errors
