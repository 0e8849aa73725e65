"""Rule epgan_plots: training curves (losses, validation error, masking rate) of a variant."""

from neurogen.io import run_script


def main(snakemake, log):
    import pandas as pd

    from neurogen.io import savefig
    from neurogen.plots import epgan as plots

    h = pd.read_csv(snakemake.input[0])
    w = snakemake.wildcards
    savefig(
        plots.training_curves(h, title=f"EP-GAN training ({w.model} model, variant {w.variant})"), snakemake.output[0]
    )


run_script(main, snakemake)  # noqa: F821
