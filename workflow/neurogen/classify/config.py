"""Checks of the config's ``classify`` block beyond its JSON schema (the stage checks its own block;
``neurogen.config.check_config`` dispatches here). Defaults live in config/config.yaml only."""

from __future__ import annotations

from pathlib import Path

from .. import NeurogenError


def check(config: dict, root: str | Path = ".") -> list[str]:
    """Error messages (empty when the block is usable), each naming the key."""
    from ..classify import registry as reg

    c = config["classify"]
    errors = []
    for d in c.get("datasets", []):
        if d not in config.get("datasets", {}):
            errors.append(
                f"classify.datasets: {d!r} is not defined under datasets "
                f"(defined: {sorted(config.get('datasets', {}))})"
            )
    for r in c.get("reducers", []):
        try:
            reg.parse_reducer(r)
        except NeurogenError as e:
            errors.append(f"classify.reducers: {e}")
    for name in c.get("classifiers", []):
        if name not in c.get("grids", {}):
            errors.append(f"classify.grids: no grid for classifier {name!r} (use {{}} for defaults)")
    for name, grid in c.get("grids", {}).items():
        if name not in reg.CLASSIFIERS:
            errors.append(f"classify.grids: unknown classifier {name!r}; known: {', '.join(reg.CLASSIFIERS)}")
            continue
        if name in c.get("classifiers", []):
            try:
                reg.param_candidates(name, grid)
                errors.extend(reg.validate_param_values(name, grid, f"classify.grids.{name}"))
            except NeurogenError as e:
                errors.append(str(e))
    return errors
