"""The YAML files of the workflow: no key given twice (YAML keeps the last one silently, so a
duplicated stage block in config/schema.yaml would quietly drop that stage's validation), and
every config file validates against the schema."""

import jsonschema
import pytest
import yaml
from conftest import ROOT

FILES = sorted(
    str(p.relative_to(ROOT))
    for p in [*(ROOT / "config").glob("*.yaml"), *(ROOT / "config" / "profiles").glob("*/config.yaml")]
)


class _StrictLoader(yaml.SafeLoader):
    pass


def _mapping(loader, node, deep=False):
    keys = [loader.construct_object(k, deep=deep) for k, _ in node.value]
    dup = sorted({str(k) for k in keys if keys.count(k) > 1})
    if dup:
        raise AssertionError(f"duplicate key(s) {dup} in the mapping at line {node.start_mark.line + 1}")
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def strict_load(text):
    return yaml.load(text, Loader=_StrictLoader)


@pytest.mark.parametrize("path", FILES)
def test_no_duplicate_keys(path):
    strict_load((ROOT / path).read_text())


def test_duplicate_key_is_detected():
    with pytest.raises(AssertionError, match="duplicate"):
        strict_load("a: 1\nb: {c: 1}\na: 2\n")


def test_schema_has_a_block_for_every_stage():
    schema = strict_load((ROOT / "config/schema.yaml").read_text())
    stages = schema["properties"]["stages"]["items"]["enum"]
    for s in stages:
        if s == "report":
            continue
        block = schema["properties"].get(s)
        assert block and block.get("additionalProperties") is False and block.get("properties"), (
            f"config/schema.yaml: stage {s!r} needs a block with properties and additionalProperties: false"
        )


@pytest.mark.parametrize("name", ["test.yaml", "full.yaml", "scale.yaml"])
def test_config_files_validate_merged_over_the_default(name):
    base = strict_load((ROOT / "config/config.yaml").read_text())
    over = strict_load((ROOT / "config" / name).read_text())

    def merge(a, b):
        out = dict(a)
        for k, v in b.items():
            out[k] = merge(a[k], v) if isinstance(v, dict) and isinstance(a.get(k), dict) else v
        return out

    schema = strict_load((ROOT / "config/schema.yaml").read_text())
    jsonschema.validate(base, schema)
    jsonschema.validate(merge(base, over), schema)
