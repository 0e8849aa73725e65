"""The configuration reference (config/README.md), generated from config/schema.yaml.

Every key of the schema carries a ``description:``; the default shown for a key is its value in
config/config.yaml (the one source of defaults), or the schema's ``default:`` where the default
config leaves the key out. Regenerate after changing either file::

    python -m neurogen.configdoc > config/README.md

``tests/test_configdoc.py`` fails when a schema key lacks a description or when the committed
config/README.md differs from what this module generates.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import NeurogenError

#: placeholder segment for the keys of a mapping whose names the user chooses
#: (``datasets.<name>``, ``resources.<name>``, ...)
ANY = "<name>"

_MISSING = object()


@dataclass
class Key:
    path: tuple[str, ...]  # e.g. ("classify", "selection", "max_gap"); ANY for user-chosen names
    node: dict  # the key's schema (after $ref resolution)
    required: bool

    @property
    def name(self) -> str:
        return ".".join(self.path)


def load_yaml(path: str | Path) -> dict:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as e:
        raise NeurogenError(f"{path}: cannot read ({e.strerror})") from e
    except yaml.YAMLError as e:
        raise NeurogenError(f"{path}: not valid YAML: {e}") from e
    if not isinstance(data, dict):
        raise NeurogenError(f"{path}: expected a mapping at the top level, got {type(data).__name__}")
    return data


def _resolve(node, root: dict) -> dict:
    """The schema ``node`` with a local ``$ref`` (``#/definitions/x``) merged in (the node's own
    keys win, so a description next to the $ref overrides the definition's)."""
    if not isinstance(node, dict) or "$ref" not in node:
        return node
    ref = node["$ref"]
    if not ref.startswith("#/"):
        raise NeurogenError(f"config schema: only local $ref are supported, got {ref!r}")
    target = root
    for part in ref[2:].split("/"):
        try:
            target = target[part]
        except (KeyError, TypeError) as e:
            raise NeurogenError(f"config schema: $ref {ref!r} does not resolve") from e
    merged = dict(_resolve(target, root))
    merged.update({k: v for k, v in node.items() if k != "$ref"})
    return merged


def iter_keys(schema: dict) -> list[Key]:
    """Every key of the schema, depth first in schema order: the entries of each ``properties``
    and, for mappings with user-chosen names, their ``additionalProperties`` schema (as ANY)."""
    out: list[Key] = []

    def walk(node, path):
        node = _resolve(node, schema)
        if not isinstance(node, dict):
            return
        required = set(node.get("required", []))
        for name, sub in (node.get("properties") or {}).items():
            sub = _resolve(sub, schema)
            out.append(Key(path + (name,), sub, name in required))
            walk(sub, path + (name,))
        extra = _resolve(node.get("additionalProperties"), schema)
        if isinstance(extra, dict) and node.get("properties") is None and _is_mapping(extra):
            out.append(Key(path + (ANY,), extra, False))
            walk(extra, path + (ANY,))

    walk(schema, ())
    return out


def _is_mapping(node: dict) -> bool:
    t = node.get("type")
    types = t if isinstance(t, list) else [t]
    return "object" in types or "properties" in node or "additionalProperties" in node


def missing_descriptions(schema: dict) -> list[str]:
    """Names of the schema keys without a non-empty ``description``."""
    return [k.name for k in iter_keys(schema) if not str(k.node.get("description", "")).strip()]


def config_value(config: dict, path: tuple[str, ...]):
    """The value at ``path`` in ``config`` (_MISSING when absent or below a user-chosen name)."""
    cur = config
    for part in path:
        if part == ANY or not isinstance(cur, dict) or part not in cur:
            return _MISSING
        cur = cur[part]
    return cur


def _fmt_value(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return v
    if isinstance(v, (int, float)):
        return repr(v)
    text = yaml.safe_dump(v, default_flow_style=True, sort_keys=False, width=10**6).strip()
    return text


def _code(text: str) -> str:
    text = text.replace("|", "\\|")
    return f"`{text}`"


def _type_text(node: dict, root: dict) -> str:
    """A short human reading of a key's schema: type, allowed values, bounds."""
    if "enum" in node:
        return "one of " + ", ".join(_code(_fmt_value(v)) for v in node["enum"])
    t = node.get("type")
    types = t if isinstance(t, list) else ([t] if t else [])
    nullable = "null" in types
    types = [x for x in types if x != "null"]
    base = "/".join(types) if types else "any"
    if base == "array":
        items = _resolve(node.get("items", {}), root) if isinstance(node.get("items"), dict) else {}
        inner = _type_text(items, root) if items else "any"
        base = f"list of {inner}" if "enum" not in items else f"list, each {inner}"
        n_min, n_max = node.get("minItems"), node.get("maxItems")
        if n_min is not None and n_min == n_max:
            base += f" ({n_min} items)"
        elif n_min:
            base += f" (≥ {n_min} items)"
        if node.get("uniqueItems"):
            base += ", unique"
    elif base in ("integer", "number"):
        bounds = []
        if "minimum" in node:
            bounds.append(f"≥ {node['minimum']}")
        if "exclusiveMinimum" in node:
            bounds.append(f"> {node['exclusiveMinimum']}")
        if "maximum" in node:
            bounds.append(f"≤ {node['maximum']}")
        if "exclusiveMaximum" in node:
            bounds.append(f"< {node['exclusiveMaximum']}")
        if bounds:
            base += " " + ", ".join(bounds)
    elif base == "object" or ("properties" in node or "additionalProperties" in node):
        base = "mapping"
    elif base == "string" and "pattern" in node:
        base += f" matching {_code(node['pattern'])}"
    if nullable:
        base += " or null"
    return base


def _default_text(key: Key, config: dict) -> str:
    v = config_value(config, key.path)
    if v is not _MISSING:
        if isinstance(v, dict) and key.node.get("properties"):
            return "(see its keys)"
        return _code(_fmt_value(v))
    if "default" in key.node:
        return _code(_fmt_value(key.node["default"])) + " (schema)"
    return "—"


def _cell(text: str) -> str:
    return " ".join(str(text).split())


def render(schema: dict, config: dict, schema_name="config/schema.yaml", config_name="config/config.yaml") -> str:
    """config/README.md: one table per top-level key (sections in schema order)."""
    missing = missing_descriptions(schema)
    if missing:
        raise NeurogenError(
            f"{schema_name}: keys without a description: {', '.join(missing)} (add `description:` to each)"
        )
    keys = iter_keys(schema)
    lines = [
        "# Configuration reference",
        "",
        f"<!-- Generated by `python -m neurogen.configdoc > config/README.md` from {schema_name} "
        f"(descriptions) and {config_name} (defaults). Do not edit by hand: edit those files and "
        "regenerate; tests/test_configdoc.py fails when this file is stale. -->",
        "",
        f"Every key the workflow reads, with the default run's value ({config_name}) and what it "
        f"means ({schema_name}, which validates the configuration when the workflow starts).",
        "A second file given with `--configfile` (e.g. `config/full.yaml`, `config/test.yaml`) "
        "overrides keys one by one; lists are replaced whole. Unknown keys stop the run with a "
        "message naming the key. `<name>` stands for a name you choose (a dataset, a rule, a "
        "recorded cell, …). A default marked *(schema)* is the schema's, used when the key is left "
        "out; `—`: no default (optional, or required only in some cases).",
        "",
    ]
    tops = [k for k in keys if len(k.path) == 1]
    lines.append(
        "Sections: " + ", ".join(f"[`{k.name}`](#{k.name.lower()})" for k in tops if _has_children(k, keys)) + "."
    )
    lines.append("")
    lines += ["## Top-level keys", "", "| key | type | default | description |", "| --- | --- | --- | --- |"]
    for k in tops:
        lines.append(_row(k, config, schema))
    lines.append("")
    for top in tops:
        children = [k for k in keys if len(k.path) > 1 and k.path[0] == top.path[0]]
        if not children:
            continue
        lines += [
            f"## {top.name}",
            "",
            _cell(top.node["description"]),
            "",
            "| key | type | default | description |",
            "| --- | --- | --- | --- |",
        ]
        lines += [_row(k, config, schema) for k in children]
        lines.append("")
    return "\n".join(lines)


def _has_children(key: Key, keys: list[Key]) -> bool:
    return any(len(k.path) > 1 and k.path[0] == key.path[0] for k in keys)


def _row(k: Key, config: dict, root: dict) -> str:
    name = _code(k.name) + (" (required)" if k.required else "")
    desc = " ".join(str(k.node["description"]).split()).replace("|", "\\|")
    return f"| {name} | {_type_text(k.node, root)} | {_default_text(k, config)} | {desc} |"


def generate(root: str | Path = ".") -> str:
    root = Path(root)
    return render(load_yaml(root / "config" / "schema.yaml"), load_yaml(root / "config" / "config.yaml"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m neurogen.configdoc", description=__doc__.splitlines()[0])
    ap.add_argument("--root", default=".", help="the workflow's root folder (holds config/)")
    ap.add_argument("--check", metavar="FILE", help="compare with FILE instead of printing; exit 1 if it differs")
    args = ap.parse_args(argv)
    try:
        text = generate(args.root)
    except NeurogenError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.check:
        old = Path(args.check).read_text() if Path(args.check).exists() else ""
        if old != text:
            print(f"{args.check} is stale: run python -m neurogen.configdoc > {args.check}", file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
