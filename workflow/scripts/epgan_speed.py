"""Rule epgan_speed: single-pass inference time for N neurons."""

from neurogen.io import run_script


def main(snakemake, log):
    import torch

    from neurogen.epgan import pipeline
    from neurogen.io import write_csv
    from neurogen.torchutil import pick_device

    torch.set_num_threads(snakemake.threads)
    dev = pick_device(snakemake.params.device)
    tab = pipeline.inference_speed(snakemake.input.model, ns=snakemake.params.n, device=str(dev))
    write_csv(tab, snakemake.output[0])


run_script(main, snakemake)  # noqa: F821
