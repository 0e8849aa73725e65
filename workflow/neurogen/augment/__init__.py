"""Generative augmentation of neuron features: one interface, generators registered by name.

``make_generator("gan", epochs=300)`` builds one; every generator has ``fit(X, y) -> self`` and
``sample(n_per_class, random_state) -> (X, y)`` (class-conditional; samples beyond
``outlier_sd`` SD of the real training data, or not finite, are removed and counted in
``report_``). A new generator is one module plus one line in :data:`GENERATORS`.
"""

from __future__ import annotations

import importlib
import inspect

from .. import NeurogenError

#: name -> "module:Class" (imported on use, so the registry costs nothing to read)
GENERATORS = {
    "smote": "smote:SMOTEGenerator",
    "gan": "gan:GANGenerator",
    "vae": "vae:VAEGenerator",
    "flow": "flow:FlowGenerator",
    "ddpm": "ddpm:DDPMGenerator",
}
DEEP = ("gan", "vae", "flow", "ddpm")


def generator_class(name: str):
    if name not in GENERATORS:
        raise NeurogenError(f"unknown generator {name!r}; known: {', '.join(GENERATORS)}")
    mod, cls = GENERATORS[name].split(":")
    return getattr(importlib.import_module(f"{__name__}.{mod}"), cls)


def generator_params(name: str) -> dict:
    """The parameters a generator takes, with their defaults."""
    sig = inspect.signature(generator_class(name).__init__)
    return {k: p.default for k, p in sig.parameters.items() if k != "self"}


def check_params(name: str, params: dict, where: str = "augment.generator_params") -> None:
    valid = generator_params(name)
    for p in params or {}:
        if p not in valid:
            raise NeurogenError(f"{where}.{name}: unknown parameter {p!r}; {name} takes {sorted(valid)}")


def make_generator(name: str, **params):
    check_params(name, params)
    return generator_class(name)(**params)


__all__ = ["GENERATORS", "DEEP", "make_generator", "generator_class", "generator_params", "check_params"]
