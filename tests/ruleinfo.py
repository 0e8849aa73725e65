"""Print the workflow's rules as JSON (name, script, conda env, log, benchmark, resources).

    python tests/ruleinfo.py WORKFLOW_DIR [CONFIGFILE ...]

Runs in its own process (the Snakefile edits sys.path and os.environ); used by the tests.
"""

import json
import os
import sys
from pathlib import Path


def main(wf_dir, configfiles):
    from snakemake.api import SnakemakeApi
    from snakemake.settings.types import ConfigSettings, OutputSettings, ResourceSettings, StorageSettings

    wf_dir = Path(wf_dir).resolve()
    os.chdir(wf_dir)
    with SnakemakeApi(OutputSettings(quiet={"all"})) as api:
        w = api.workflow(
            resource_settings=ResourceSettings(),
            config_settings=ConfigSettings(configfiles=[Path(c) for c in configfiles]),
            storage_settings=StorageSettings(),
            snakefile=wf_dir / "Snakefile",
            workdir=wf_dir,
        )
        rules = []
        for r in w._workflow.rules:  # no public API lists rules with their directives
            base = str(r.basedir)
            env = r.conda_env if isinstance(r.conda_env, str) else None
            rules.append(
                {
                    "name": r.name,
                    "norun": bool(r.norun),
                    "file": str(r.snakefile),
                    "script": os.path.normpath(os.path.join(base, r.script)) if r.script else None,
                    "shell": r.shellcmd is not None,
                    "run": bool(r.is_run),
                    "conda": os.path.normpath(os.path.join(base, env)) if env else None,
                    "conda_raw": None if r.conda_env is None else str(r.conda_env),
                    "log": bool(r.log),
                    "benchmark": r.benchmark is not None,
                    "resources": sorted(k for k in r.resources.keys() if not k.startswith("_")),
                }
            )
    json.dump(rules, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
