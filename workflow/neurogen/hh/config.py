"""Checks of the config's ``hh`` block beyond its JSON schema (the stage checks its own block;
``neurogen.config.check_config`` dispatches here). Defaults live in config/config.yaml only."""

from __future__ import annotations

from pathlib import Path


def check(config: dict, root: str | Path = ".") -> list[str]:
    """Error messages (empty when the block is usable), each naming the key."""
    root = Path(root)
    h = config["hh"]
    errors = []
    for key in ("table", "iv_bounds"):
        if key in h and not (root / h[key]).exists() and not Path(h[key]).exists():
            errors.append(f"hh.{key}: file {h[key]!r} not found")
    amps = h.get("amplitudes_pA", [])
    if any(not -200 <= a <= 200 for a in amps):
        errors.append(f"hh.amplitudes_pA: {amps} outside the model's range -200..200 pA")
    if "n_test" in h and "n_accepted" in h and h["n_test"] >= h["n_accepted"]:
        errors.append(f"hh.n_test ({h['n_test']}) must be smaller than hh.n_accepted ({h['n_accepted']})")
    dt = h.get("dt_ms")
    if dt is not None and abs(20.0 / dt - round(20.0 / dt)) > 1e-6:
        errors.append(f"hh.dt_ms: {dt} ms does not divide the 20 ms recording grid (e.g. 0.1, 0.25, 0.5, 1, 2)")
    return errors
