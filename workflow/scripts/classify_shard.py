"""Rule classify_shard: one classifier's grid on every scaler's and reducer's folds (k-fold CV)."""

import json

from neurogen.io import run_script


def main(snakemake, log):
    from neurogen.classify.sweep import evaluate_classifier
    from neurogen.io import write_csv

    df = evaluate_classifier(
        list(snakemake.input),
        snakemake.wildcards.classifier,
        json.loads(snakemake.params.grid),
        seed=snakemake.params.seed,
        n_jobs=snakemake.threads,
    )
    n_err = int((df["error"] != "").sum())
    log.info(
        "%d configurations over %d scalers, %d with errors; best mean CV accuracy %.3f",
        len(df),
        len(snakemake.input),
        n_err,
        df["mean_test_accuracy"].max(),
    )
    write_csv(df, snakemake.output[0])


run_script(main, snakemake)  # noqa: F821
