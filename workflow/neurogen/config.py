"""Checks of the configuration beyond its JSON schema (config/schema.yaml).

Run when the workflow starts (workflow/rules/common.smk): each error names the key.
"""

from __future__ import annotations

from pathlib import Path

from . import NeurogenError

#: config keys that name a user's file (checked for Snakemake wildcard braces)
_FILE_KEYS = ("path", "stats", "cclamp", "vclamp", "table", "iv_bounds", "didv_bounds", "reference_iv")
RULES_DIR = Path(__file__).resolve().parents[1] / "rules"


def rule_names(rules_dir: str | Path = RULES_DIR) -> list[str]:
    """Every rule the workflow defines (``rule <name>:`` lines of the .smk files)."""
    import re

    names = set()
    for f in sorted(Path(rules_dir).glob("*.smk")):
        names.update(re.findall(r"^rule\s+([A-Za-z_][A-Za-z0-9_]*)\s*:", f.read_text(), re.MULTILINE))
    return sorted(names | {"all"})


class _StrictLoader:
    """A yaml.SafeLoader whose mappings reject a repeated key (built lazily: yaml import)."""

    cls = None

    @classmethod
    def get(cls):
        if cls.cls is None:
            import yaml

            class Loader(yaml.SafeLoader):
                pass

            def mapping(loader, node, deep=False):
                seen = {}
                for k, _ in node.value:
                    key = loader.construct_object(k, deep=deep)
                    try:
                        hash(key)
                    except TypeError:
                        continue
                    if key in seen:
                        raise NeurogenError(
                            f"{loader.name}, line {k.start_mark.line + 1}: key {key!r} appears twice in the "
                            f"same mapping (first at line {seen[key]}); YAML keeps only the last one: "
                            f"delete or merge the duplicate"
                        )
                    seen[key] = k.start_mark.line + 1
                return yaml.SafeLoader.construct_mapping(loader, node, deep)

            Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
            cls.cls = Loader
        return cls.cls


def load_yaml_strict(path) -> object:
    """Load a YAML file; a key repeated in one mapping is a NeurogenError naming file and line."""
    import yaml

    path = Path(path)
    with open(path) as fh:
        loader = _StrictLoader.get()(fh)
        loader.name = str(path)
        try:
            return loader.get_single_data()
        except yaml.YAMLError as e:
            raise NeurogenError(f"{path}: not valid YAML: {e}") from None
        finally:
            loader.dispose()


def check_config_files(paths) -> None:
    """The user's config files (``configfile`` + ``--configfile``) have no repeated keys."""
    for p in paths:
        load_yaml_strict(p)


def check_config(config: dict, root: str | Path = ".") -> None:
    root = Path(root)
    errors = []
    errors.extend(_check_paths(config))
    errors.extend(_check_resources(config))
    for name, ds in config.get("datasets", {}).items():
        src = ds.get("source")
        key = f"datasets.{name}"
        if src == "surrogate":
            if "stats" not in ds:
                errors.append(f"{key}: source 'surrogate' needs 'stats' (a JSON of class statistics)")
            elif not (root / ds["stats"]).exists():
                errors.append(f"{key}.stats: file {ds['stats']!r} not found")
        elif src == "download":
            for k in ("url", "sha256"):
                if k not in ds:
                    errors.append(f"{key}: source 'download' needs {k!r}")
        elif src == "path":
            if "path" not in ds:
                errors.append(f"{key}: source 'path' needs 'path'")
            elif not (root / ds["path"]).exists() and not Path(ds["path"]).exists():
                errors.append(f"{key}.path: file {ds['path']!r} not found")
    if "classify" in config:
        errors.extend(_check_classify(config))
    if "hh" in config:
        errors.extend(_check_hh(config, root))
    if "epgan" in config:
        errors.extend(_check_epgan(config, root))
    if config.get("fit") and "fit" in config.get("stages", []):
        errors.extend(_check_fit(config, root))
    if "augment" in config:
        errors.extend(_check_augment(config))
    if errors:
        raise NeurogenError("invalid configuration:\n  " + "\n  ".join(errors))


def _check_paths(config) -> list[str]:
    """User file names with '{' or '}' would be read by Snakemake as wildcards."""
    errors = []

    def walk(obj, key):
        if isinstance(obj, dict):
            for k, v in obj.items():
                walk(v, f"{key}.{k}" if key else str(k))
        elif isinstance(obj, str) and key.rsplit(".", 1)[-1] in _FILE_KEYS and ("{" in obj or "}" in obj):
            if key.startswith(("fit.epgan.",)):
                return  # those name workflow outputs with a {model} placeholder on purpose
            errors.append(
                f"{key}: file name {obj!r} contains '{{' or '}}', which Snakemake reads as a "
                f"wildcard; rename the file (or link it) to a path without braces"
            )

    for block in ("datasets", "hh", "epgan", "fit"):
        walk(config.get(block) or {}, block)
    return errors


def _check_resources(config) -> list[str]:
    """resources: {rule: {...}} must name rules that exist (a typo would be ignored silently)."""
    import difflib

    given = list((config.get("resources") or {}).keys())
    if not given:
        return []
    known = rule_names()
    errors = []
    for r in given:
        if r not in known:
            near = difflib.get_close_matches(r, known, n=3)
            errors.append(
                f"resources.{r}: no rule named {r!r}"
                + (f" (did you mean {', '.join(near)}?)" if near else "")
                + f"; rules: {', '.join(known)}"
            )
    return errors


def _check_classify(config) -> list[str]:
    from .classify import registry as reg

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


def _check_hh(config, root) -> list[str]:
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


def _check_epgan(config, root) -> list[str]:
    from .epgan.config import TrainConfig

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


def _check_fit(config, root) -> list[str]:
    from .fit.config import check

    return check(config, root)


def _check_augment(config) -> list[str]:
    from .augment import GENERATORS, check_params
    from .classify import registry as reg

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
