"""Rule epgan_baselines: the default parameter set and nearest-neighbour lookup of the training set."""

from neurogen.io import run_script


def main(snakemake, log):
    import torch

    from neurogen.epgan import pipeline
    from neurogen.io import write_npz

    torch.set_num_threads(snakemake.threads)
    be = pipeline.load_backend(snakemake.wildcards.model, snakemake.params.sim_dt_ms, snakemake.input.test)
    out = pipeline.baselines(
        be,
        snakemake.input.train,
        snakemake.input.test,
        batch=snakemake.params.sim_batch,
        n_train=snakemake.params.n_train,
    )
    write_npz(snakemake.output[0], **out)


run_script(main, snakemake)  # noqa: F821
