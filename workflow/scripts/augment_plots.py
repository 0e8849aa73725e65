"""Rule augment_plots: the augmentation stage's figures."""

from neurogen.io import run_script


def main(snakemake, log):
    import numpy as np
    import pandas as pd

    from neurogen.io import savefig
    from neurogen.plots import augment as P

    ds = snakemake.wildcards.dataset
    inp, out = snakemake.input, snakemake.output

    def read(path):
        try:
            return pd.read_csv(path)
        except pd.errors.EmptyDataError:
            return pd.DataFrame(columns=["generator", "mode", "size", "reference", "scaler_fit"])

    scores, rep = read(inp.scores), read(inp.repeats)
    # the figures show the held-out protocol; the study's (leaky) protocol is in the tables only
    if "protocol" in scores:
        scores = scores[scores["protocol"].fillna("held_out") == "held_out"]
    if "protocol" in rep:
        rep = rep[rep["protocol"].fillna("held_out") == "held_out"]
    fid, feat, mw, inter = read(inp.fidelity), read(inp.features), read(inp.mannwhitney), read(inp.interclass)
    savefig(P.accuracy_violins(rep, f"{ds}: held-out accuracy by generator and sample size"), out.accuracy_violins)
    savefig(P.accuracy_heatmap(rep, f"{ds}: median held-out accuracy"), out.accuracy_heatmap)
    savefig(P.top_pipelines(scores, 10, f"{ds}: top augmented pipelines"), out.top_pipelines)
    samples = {}
    files = list(inp.samples)
    k = 0
    for g in snakemake.params.generators:
        for s in snakemake.params.sizes:
            if k < len(files):
                with np.load(files[k], allow_pickle=False) as z:
                    samples[(g, int(s))] = {n: z[n] for n in z.files} if z.files else None
            k += 1
    savefig(P.pca_grid(samples, f"{ds}: PCA of real and synthetic cells (fit on real cells, repeat 0)"), out.pca)
    aug = scores[(scores["generator"] != "none") & (scores["mode"] == "scaled")] if len(scores) else scores
    if len(aug):
        best = aug.sort_values("accuracy_mean", ascending=False).iloc[0]
        g, s = best["generator"], int(best["size"])
    else:
        g, s = "", 0
    log.info("feature-error heatmap for %s %d (best scaled-mode configuration)", g, s)
    savefig(
        P.feature_mae_heatmap(
            feat, g, s, f"{ds}: per class × feature error, {g} {s} per class (best augmented configuration)"
        ),
        out.feature_mae,
    )
    savefig(
        P.fidelity_vs_natural(fid, inter, mw, f"{ds}: synthetic-to-real test MAE vs natural inter-class MAE"),
        out.fidelity_vs_natural,
    )
    savefig(
        P.fidelity_distribution(
            read(inp.fidelity_dist),
            f"{ds}: distribution-level fidelity per generator (medians over classes and repeats)",
            "pca.png",
        ),
        out.fidelity_distribution,
    )


run_script(main, snakemake)  # noqa: F821
