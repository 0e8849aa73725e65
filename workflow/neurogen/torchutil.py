"""Device choice and seeding for the deep models (PyTorch)."""

from __future__ import annotations

import logging
import random

import numpy as np

from . import NeurogenError

log = logging.getLogger("neurogen")


def pick_device(preference: str = "auto"):
    """'auto' -> CUDA when available else CPU; 'cpu'; 'cuda' (error if absent). Logs the choice."""
    import torch

    if preference not in ("auto", "cpu", "cuda") and not str(preference).startswith("cuda:"):
        raise NeurogenError(f"device must be 'auto', 'cpu' or 'cuda', not {preference!r}")
    if preference == "auto":
        dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    else:
        dev = torch.device(preference)
        if dev.type == "cuda" and not torch.cuda.is_available():
            raise NeurogenError(
                "device 'cuda' was asked for but PyTorch sees no CUDA GPU "
                "(install a CUDA build of torch, or set device: auto)"
            )
    name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else "CPU"
    log.info("running on %s (%s), torch %s", dev, name, torch.__version__)
    return dev


def seed_all(seed: int) -> None:
    """Seed Python, NumPy and PyTorch (CPU and CUDA)."""
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
