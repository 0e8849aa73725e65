"""Rule fit_npe_train: NPE (sbi) on the first simulations of the training set (the budget's)."""

from neurogen.io import run_script


def main(snakemake, log):
    import json

    import torch

    from neurogen.fit import npe, pipeline

    p = json.loads(snakemake.params.npe)
    torch.set_num_threads(snakemake.threads)
    posterior, info = pipeline.npe_train(
        snakemake.input.train,
        snakemake.input.table,
        snakemake.wildcards.model,
        int(snakemake.params.n_sims),
        p,
        snakemake.params.seed,
        log=log,
    )
    npe.save_posterior(posterior, info, p["stride"], snakemake.output[0])


run_script(main, snakemake)  # noqa: F821
