"""Rule classify_shard: one classifier's grid on every reducer of one scaler (10-fold CV)."""

import json

from neurogen.io import run_script


def main(snakemake, log):
    from neurogen.classify.sweep import evaluate_classifier
    from neurogen.io import write_csv

    df = evaluate_classifier(
        snakemake.input[0],
        snakemake.wildcards.classifier,
        json.loads(snakemake.params.grid),
        seed=snakemake.params.seed,
        n_jobs=snakemake.threads,
    )
    n_err = int((df["error"] != "").sum())
    log.info(
        "%d configurations, %d with errors; best mean CV accuracy %.3f", len(df), n_err, df["mean_test_accuracy"].max()
    )
    write_csv(df, snakemake.output[0])


run_script(main, snakemake)  # noqa: F821
