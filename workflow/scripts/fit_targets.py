"""Rule fit_targets: choose the target neurons (rows of the test set) -> targets.csv."""

from neurogen.io import run_script


def main(snakemake, log):
    import json

    from neurogen.fit import pipeline
    from neurogen.io import write_csv

    df = pipeline.targets(snakemake.input.test, json.loads(snakemake.params.targets), snakemake.params.seed)
    write_csv(df, snakemake.output[0])
    log.info("targets: %s", df.to_dict("records"))


run_script(main, snakemake)  # noqa: F821
