"""Rule epgan_baselines: the default parameter set and nearest-neighbour lookup of the training set."""
from neurogen.io import run_script


def main(snakemake, log):
    import torch

    from neurogen.epgan import pipeline
    from neurogen.epgan.backend import HHBackend
    from neurogen.io import write_npz

    torch.set_num_threads(snakemake.threads)
    be = HHBackend.load(snakemake.wildcards.model, dt_ms=snakemake.params.sim_dt_ms)
    out = pipeline.baselines(be, snakemake.input.train, snakemake.input.test, batch=snakemake.params.sim_batch)
    write_npz(snakemake.output[0], **out)


run_script(main, snakemake)  # noqa: F821
