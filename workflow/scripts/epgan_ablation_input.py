"""Rule epgan_ablation_input: single-pass EP-GAN with upper stimuli removed / first I–V points removed."""

from neurogen.io import run_script


def main(snakemake, log):
    import torch

    from neurogen.epgan import pipeline
    from neurogen.io import write_csv

    torch.set_num_threads(snakemake.threads)
    p = snakemake.params
    be = pipeline.load_backend(snakemake.wildcards.model, p.sim_dt_ms, snakemake.input.test)
    tab = pipeline.input_ablation(
        be,
        snakemake.input.model,
        snakemake.input.test,
        traces_kept=p.traces_kept,
        iv_removed=p.iv_removed,
        batch=p.sim_batch,
    )
    write_csv(tab, snakemake.output[0])


run_script(main, snakemake)  # noqa: F821
