# neurogen — synthetic neurons for cell-type classification, and EP-GAN inference of
# Hodgkin–Huxley parameters. Run: snakemake --cores N   (see README.md)
import os
import sys

from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config/config.yaml"


validate(config, "config/schema.yaml")

# The library lives in workflow/neurogen; make this checkout's copy importable by every job
# (local, conda or cluster), whether or not it was pip-installed: put it first on PYTHONPATH,
# then declare PYTHONPATH with envvars so that remote executors pass it on to the jobs.
_LIB = os.path.join(workflow.basedir, "workflow")
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (_LIB, os.environ.get("PYTHONPATH")) if p)
sys.path.insert(0, _LIB)


envvars:
    "PYTHONPATH",


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/classify.smk"
include: "workflow/rules/augment.smk"
include: "workflow/rules/hh.smk"
include: "workflow/rules/epgan.smk"
include: "workflow/rules/scaling.smk"
include: "workflow/rules/fit.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        all_targets(),
