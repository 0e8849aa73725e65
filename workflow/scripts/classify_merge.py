"""Rule classify_merge: all shards of a dataset -> sweep.csv (ranked)."""

from neurogen.io import run_script


def main(snakemake, log):
    import pandas as pd

    from neurogen.classify.sweep import merge
    from neurogen.io import write_csv

    frames = [pd.read_csv(p, keep_default_na=True).fillna({"error": "", "note": ""}) for p in snakemake.input]
    df = merge(frames, snakemake.wildcards.dataset)
    write_csv(df, snakemake.output[0])
    ok = df[df["error"] == ""]
    log.info(
        "%d configurations (%d failed); best %s",
        len(df),
        len(df) - len(ok),
        ok.iloc[0][["scaler", "reducer", "classifier", "mean_test_accuracy"]].to_dict() if len(ok) else None,
    )


run_script(main, snakemake)  # noqa: F821
