"""Checks of the config's ``fit`` block (the stage checks its own block; ``neurogen.config``
dispatches here). Defaults live in config/config.yaml + config/schema.yaml only."""

from __future__ import annotations

from pathlib import Path

from .. import NeurogenError


def check(config: dict, root: str | Path = ".") -> list[str]:
    """Error messages (empty when the block is usable), each naming the key."""
    from .budget import UNITS, generations, total_budget
    from .pipeline import n_targets_of
    from .run import METHODS

    root = Path(root)
    f = config["fit"]
    errors = []
    for a in f.get("algorithms", []):
        if a not in METHODS:
            errors.append(f"fit.algorithms: unknown method {a!r}; known: {', '.join(METHODS)}")
    t = f.get("targets") or {}
    if t.get("indices") is None and not t.get("per_type"):
        errors.append("fit.targets: give per_type (>= 1) or indices")
        return errors
    n_targets = n_targets_of(t)
    unit = f.get("budget_unit", "total")
    if unit not in UNITS:
        errors.append(f"fit.budget_unit: {unit!r} is not one of {', '.join(UNITS)}")
        return errors
    if any(a != "npe" for a in f.get("algorithms", [])):
        for b in f.get("budgets", []):
            try:
                generations(total_budget(int(b), n_targets, unit), n_targets, int(f["pop_size"]))
            except NeurogenError as e:
                errors.append(f"{e} (fit.budgets entry {b}, budget_unit {unit})")
    ep = f.get("epgan", {})
    if ep.get("enabled"):
        for k in ("predictions", "candidates", "history"):
            if not ep.get(k):
                errors.append(f"fit.epgan: enabled needs {k!r} (an epgan stage output, with {{model}})")
    if (f.get("refine") or {}).get("enabled") and not ep.get("enabled"):
        errors.append(
            "fit.refine.enabled: the refinement starts from EP-GAN's candidates; set "
            "fit.epgan.enabled: true or fit.refine.enabled: false"
        )
    for name in f.get("lookups") or []:
        if name not in ("nn", "knn_sim"):
            errors.append(f"fit.lookups: unknown lookup {name!r}; known: nn, knn_sim")
    b = f.get("didv_bounds")
    if b and not (root / b).exists() and not Path(b).exists():
        errors.append(f"fit.didv_bounds: file {b!r} not found")
    return errors
