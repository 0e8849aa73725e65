# Helpers shared by every stage. Each stage file registers its final outputs with
# add_targets(stage, paths); rule all asks for the targets of the stages in config["stages"].
import json
from pathlib import Path

from neurogen.config import check_config, check_config_files

check_config_files(workflow.configfiles)
check_config(config)

RESULTS = "results"
_TARGETS = {}


def add_targets(stage, paths):
    _TARGETS.setdefault(stage, []).extend(paths)


def all_targets():
    out = []
    for stage in config["stages"]:
        out.extend(_TARGETS.get(stage, []))
    return out


def stage_enabled(stage):
    return stage in config["stages"]


def res(rule_name, key, default):
    """Per-rule resource override: config['resources'][rule][key], else default."""
    return config.get("resources", {}).get(rule_name, {}).get(key, default)


def env(stage):
    return f"../../envs/{stage}.yaml"


def canonical(obj):
    """A stable string of a config block, used as a rule param so a change reruns the rule."""
    return json.dumps(obj, sort_keys=True)


def gpus(rule_name):
    """GPU tag of a deep-model rule (resources.gpu): per-rule override, else gpus_per_job."""
    return res(rule_name, "gpu", config.get("gpus_per_job", 0))
