"""Checks of the configuration beyond its JSON schema (config/schema.yaml).

Run when the workflow starts (workflow/rules/common.smk): each error names the key. The checks
that span the config (datasets, file names, resources) live here; each stage's block is checked
by its own ``neurogen.<stage>.config.check`` (:data:`STAGE_CHECKS`), which this module only calls.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from . import NeurogenError

#: config keys that name a user's file (checked for Snakemake wildcard braces)
_FILE_KEYS = ("path", "stats", "cclamp", "vclamp", "table", "iv_bounds", "didv_bounds", "reference_iv")
RULES_DIR = Path(__file__).resolve().parents[1] / "rules"
#: each stage checks its own block next to its code: ``<module>.check(config, root) -> [errors]``
STAGE_CHECKS = {
    "classify": "neurogen.classify.config",
    "hh": "neurogen.hh.config",
    "epgan": "neurogen.epgan.config",
    "fit": "neurogen.fit.config",
    "augment": "neurogen.augment.config",
}


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
    for stage, module in STAGE_CHECKS.items():
        if stage == "fit" and not (config.get("fit") and "fit" in config.get("stages", [])):
            continue  # the fit block names epgan outputs: checked only when the stage runs
        if stage in config:
            errors.extend(importlib.import_module(module).check(config, root))
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
