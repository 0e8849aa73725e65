"""Rule classify_folds: fit the scaler and every reducer once per CV fold of the training split."""

from neurogen.io import run_script


def main(snakemake, log):
    from pathlib import Path

    from neurogen.classify.sweep import cv_splits, transform_folds
    from neurogen.data.prepared import load_split

    split = load_split(Path(snakemake.input.cells).parent, repeat=0)
    folds = cv_splits(split.y_train, snakemake.params.cv_folds, snakemake.params.seed)
    out = transform_folds(
        split.X_train,
        split.y_train,
        snakemake.wildcards.scaler,
        snakemake.params.reducers,
        folds,
        snakemake.params.seed,
        path=snakemake.output[0],
        n_jobs=snakemake.threads,
    )
    import json

    meta = json.loads(str(out["meta"]))
    for r, e in meta["errors"].items():
        log.warning("%s + %s failed: %s", snakemake.wildcards.scaler, r, e)
    log.info(
        "%s: %d reducers ok, %d failed",
        snakemake.wildcards.scaler,
        len(meta["reducers"]) - len(meta["errors"]),
        len(meta["errors"]),
    )


run_script(main, snakemake)  # noqa: F821
