"""Rule classify_folds: for every scaler, fit the scaler and every reducer once per CV fold of the
training split (one output file per scaler)."""

from neurogen.io import run_script


def main(snakemake, log):
    import json
    from pathlib import Path

    from neurogen.classify.sweep import cv_splits, transform_folds
    from neurogen.data.prepared import load_split

    split = load_split(Path(snakemake.input.cells).parent, repeat=0)
    folds = cv_splits(split.y_train, snakemake.params.cv_folds, snakemake.params.seed)
    scalers = list(snakemake.params.scalers)
    for i, (scaler, path) in enumerate(zip(scalers, snakemake.output)):
        out = transform_folds(
            split.X_train,
            split.y_train,
            scaler,
            snakemake.params.reducers,
            folds,
            snakemake.params.seed,
            path=path,
            n_jobs=snakemake.threads,
        )
        meta = json.loads(str(out["meta"]))
        for r, e in meta["errors"].items():
            log.warning("%s + %s failed: %s", scaler, r, e)
        log.info(
            "scaler %d/%d %s: %d reducers ok, %d failed",
            i + 1,
            len(scalers),
            scaler,
            len(meta["reducers"]) - len(meta["errors"]),
            len(meta["errors"]),
        )


run_script(main, snakemake)  # noqa: F821
