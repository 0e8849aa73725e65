"""Rule prepare_data: clean table, small-class policy, repeated stratified splits."""

import json

from neurogen.io import run_script


def main(snakemake, log):
    from pathlib import Path

    from neurogen.data.prepared import prepare_dataset

    split = json.loads(snakemake.params.split)
    info = prepare_dataset(
        snakemake.input[0],
        Path(snakemake.output.cells).parent,
        label=snakemake.params.label,
        drop_columns=snakemake.params.drop_columns,
        test_size=split["test_size"],
        repeats=split["repeats"],
        min_class_size=split.get("min_class_size"),
        small_classes=split["small_classes"],
        cv_folds=snakemake.params.cv_folds,
        seed=snakemake.params.seed,
        source=snakemake.params.source,
    )
    log.info("prepared: %s", info)


run_script(main, snakemake)  # noqa: F821
