"""Rule augment_merge: the per-job parts of one dataset -> the stage's tables."""

from neurogen.io import run_script


def main(snakemake, log):
    import pandas as pd

    from neurogen.augment.evaluate import summarise_scores
    from neurogen.io import write_csv

    def cat(paths):
        parts = []
        for f in paths:
            try:
                parts.append(pd.read_csv(f))
            except pd.errors.EmptyDataError:
                log.info("%s is empty (nothing to evaluate for that mode)", f)
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()

    rep = cat(snakemake.input.scores)
    lead = ["dataset", "protocol", "generator", "mode", "size", "repeat"]
    if rep.empty:
        from neurogen import NeurogenError

        raise NeurogenError(
            "no scores: no selected baseline fits augment.modes (mode 'reduced' needs "
            "a baseline with a reducer); add mode 'scaled'"
        )
    rep = rep[lead + [c for c in rep.columns if c not in lead]]
    write_csv(rep, snakemake.output.repeats)
    summary = summarise_scores(rep).sort_values("accuracy_mean", ascending=False, kind="stable")
    write_csv(summary, snakemake.output.scores)
    best = summary[(summary["generator"] != "none") & (summary["protocol"] == "held_out")].head(3)
    for _, r in best.iterrows():
        log.info(
            "best: %s %s size %d %s + %s + %s: %.3f ± %.3f (no augmentation %.3f)",
            r.generator,
            r["mode"],
            r["size"],
            r.scaler,
            r.reducer,
            r.classifier,
            r.accuracy_mean,
            r.accuracy_sd,
            r.noaug_accuracy_mean,
        )
    for _, r in summary[summary["protocol"] == "study"].iterrows():
        log.info(
            "study protocol: %s %s size %d %s: %.3f (the held-out protocol's numbers are the ones to trust)",
            r.generator,
            r["mode"],
            r["size"],
            r.classifier,
            r.accuracy_mean,
        )
    for name in ("fidelity", "fidelity_dist", "features", "mannwhitney", "interclass"):
        df = cat(getattr(snakemake.input, name))
        if len(df):
            first = [c for c in lead if c in df.columns]
            df = df[first + [c for c in df.columns if c not in first]]
        write_csv(df, getattr(snakemake.output, name))


run_script(main, snakemake)  # noqa: F821
