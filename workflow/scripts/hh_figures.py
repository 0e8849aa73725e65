"""Rule hh_figures: example traces + I-V per type beside the reference curves; parameter histograms."""

from neurogen.io import run_script


def main(snakemake, log):
    import numpy as np
    import pandas as pd

    from neurogen.hh.dataset import open_dataset, read_shard
    from neurogen.hh.model import load_space
    from neurogen.io import savefig
    from neurogen.plots import hh as P

    model = snakemake.wildcards.model
    space = load_space(model, snakemake.input.table)
    from neurogen.hh.ivbounds import reference_long

    if snakemake.input.reference:
        ref = reference_long(pd.read_csv(snakemake.input.reference[0]))
    else:
        log.info("no reference I-V file (hh.reference_iv): the I-V panels show the accepted curves only")
        ref = pd.DataFrame(columns=["type", "neuron", "V_mV", "mean_pA", "sd_pA"])
    with open_dataset(snakemake.input.train) as ds:
        d = ds.load()
    sampled = np.concatenate([read_shard(p)["sampled_free"] for p in snakemake.input.shards])
    rng = np.random.default_rng(int(snakemake.params.seed))
    savefig(
        P.examples(d, ref, rng, f"{model} model: accepted training neurons by response type"), snakemake.output.examples
    )
    savefig(
        P.param_histograms(sampled, d["params"], space, f"{model} model: sampled vs accepted parameters"),
        snakemake.output.histograms,
    )
    log.info("figures written")


run_script(main, snakemake)  # noqa: F821
