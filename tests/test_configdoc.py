"""config/README.md is generated from config/schema.yaml (descriptions) and config/config.yaml
(defaults): every schema key is described, and the committed file is what the generator makes."""

import pytest
from conftest import ROOT

from neurogen import NeurogenError, configdoc


def _schema():
    return configdoc.load_yaml(ROOT / "config" / "schema.yaml")


def test_every_schema_key_has_a_description():
    schema = _schema()
    keys = configdoc.iter_keys(schema)
    assert len(keys) > 100  # the walk reaches nested blocks, not just the top level
    missing = configdoc.missing_descriptions(schema)
    assert not missing, (
        "config/schema.yaml: add a `description:` to "
        + ", ".join(missing)
        + "; then run python -m neurogen.configdoc > config/README.md"
    )


def test_walk_reaches_nested_refs_and_user_named_keys():
    names = {k.name for k in configdoc.iter_keys(_schema())}
    for expected in [
        "seed",
        "classify.selection.max_gap",
        "epgan.train.losses.voltage",
        "datasets.<name>.source",
        "classify.grids.<name>",
        "resources.<name>.gpu",
        "epgan.recorded.<name>.cclamp",
        "fit.npe.k",
    ]:
        assert expected in names


def test_a_key_without_description_is_found():
    schema = {
        "type": "object",
        "properties": {
            "a": {"type": "integer", "description": "fine"},
            "b": {"type": "object", "description": "block", "properties": {"c": {"type": "number"}}},
            "d": {
                "type": "object",
                "description": "named",
                "additionalProperties": {"type": "object", "properties": {"e": {"type": "string", "description": "x"}}},
            },
            "f": {"$ref": "#/definitions/g"},
        },
        "definitions": {"g": {"type": "integer"}},
    }
    assert configdoc.missing_descriptions(schema) == ["b.c", "d.<name>", "f"]
    with pytest.raises(NeurogenError, match="b.c"):
        configdoc.render(schema, {})


def test_defaults_come_from_config_yaml():
    config = configdoc.load_yaml(ROOT / "config" / "config.yaml")
    text = configdoc.render(_schema(), config)
    row = next(line for line in text.splitlines() if line.startswith("| `fit.demo_batches`"))
    assert f"| `{config['fit']['demo_batches']}` |" in row
    row = next(line for line in text.splitlines() if line.startswith("| `augment.outlier_sd`"))
    assert f"| `{config['augment']['outlier_sd']}` |" in row
    # a changed default changes the generated reference
    config["fit"]["demo_batches"] = 123
    assert "| `123` |" in configdoc.render(_schema(), config)


def test_committed_config_readme_is_up_to_date():
    committed = (ROOT / "config" / "README.md").read_text()
    assert committed == configdoc.generate(ROOT), (
        "config/README.md is stale: run `python -m neurogen.configdoc > config/README.md` in the repository root"
    )


def test_cli_check(tmp_path, capsys):
    assert configdoc.main(["--root", str(ROOT), "--check", str(ROOT / "config" / "README.md")]) == 0
    stale = tmp_path / "README.md"
    stale.write_text("old\n")
    assert configdoc.main(["--root", str(ROOT), "--check", str(stale)]) == 1
    assert "stale" in capsys.readouterr().err


def test_unreadable_schema_names_the_file(tmp_path):
    bad = tmp_path / "schema.yaml"
    bad.write_text("a: [1, 2\n")
    with pytest.raises(NeurogenError, match="schema.yaml"):
        configdoc.load_yaml(bad)
