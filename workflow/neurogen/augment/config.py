"""Checks of the config's ``augment`` block beyond its JSON schema (the stage checks its own block;
``neurogen.config.check_config`` dispatches here). Defaults live in config/config.yaml only."""

from __future__ import annotations

from pathlib import Path

from .. import NeurogenError


def check(config: dict, root: str | Path = ".") -> list[str]:
    """Error messages (empty when the block is usable), each naming the key."""
    from ..classify import registry as reg
    from . import GENERATORS, check_params

    a = config["augment"]
    errors = []
    cl_ds = config.get("classify", {}).get("datasets", [])
    for d in a.get("datasets", []):
        if d not in config.get("datasets", {}):
            errors.append(f"augment.datasets: {d!r} is not defined under datasets")
        elif d not in cl_ds:
            errors.append(
                f"augment.datasets: {d!r} is not in classify.datasets (augmentation "
                f"retrains the baselines selected there)"
            )
    reps = a.get("repeats", 3)
    have = config.get("split", {}).get("repeats", 1)
    if reps > have:
        errors.append(f"augment.repeats: {reps} repeats asked for but split.repeats is {have}")
    for name in a.get("generators") or []:
        if name not in GENERATORS:
            errors.append(f"augment.generators: unknown generator {name!r}; known: {', '.join(GENERATORS)}")
    for name, params in (a.get("generator_params") or {}).items():
        if name not in GENERATORS:
            errors.append(f"augment.generators: unknown generator {name!r}; known: {', '.join(GENERATORS)}")
            continue
        try:
            check_params(name, params or {})
        except NeurogenError as e:
            errors.append(str(e))
        for k in ("seed", "device"):
            if k in (params or {}):
                errors.append(
                    f"augment.generator_params.{name}.{k}: set at the top level of the config, not per generator"
                )
    for name in a.get("classifiers") or []:
        if name not in reg.CLASSIFIERS:
            errors.append(f"augment.classifiers: unknown classifier {name!r}; known: {', '.join(reg.CLASSIFIERS)}")
    for block in ("study_protocol", "fidelity_dist"):
        b = a.get(block) or {}
        if b.get("repeats", 0) > reps:
            errors.append(f"augment.{block}.repeats: {b['repeats']} but augment.repeats is {reps}")
        for size in b.get("sizes") or []:
            if size not in (a.get("sizes") or []):
                errors.append(f"augment.{block}.sizes: {size} is not one of augment.sizes {a.get('sizes')}")
    for name in (a.get("study_protocol") or {}).get("classifiers") or []:
        if name not in reg.CLASSIFIERS:
            errors.append(
                f"augment.study_protocol.classifiers: unknown classifier {name!r}; known: {', '.join(reg.CLASSIFIERS)}"
            )
    for name, params in (a.get("classifier_params") or {}).items():
        if name not in reg.CLASSIFIERS:
            errors.append(
                f"augment.classifier_params: unknown classifier {name!r}; known: {', '.join(reg.CLASSIFIERS)}"
            )
            continue
        valid = reg.make_classifier(name).get_params()
        for p in params or {}:
            if p not in valid:
                errors.append(
                    f"augment.classifier_params.{name}: unknown parameter {p!r}; {name} takes {sorted(valid)}"
                )
        if all(p in valid for p in params or {}):
            errors.extend(
                reg.validate_param_values(
                    name, {p: [v] for p, v in (params or {}).items()}, f"augment.classifier_params.{name}"
                )
            )
    return errors
