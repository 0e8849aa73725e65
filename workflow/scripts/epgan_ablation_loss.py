"""Rule epgan_ablation_loss: EP-GAN trained with adversarial only / + I–V / + membrane potential."""

from neurogen.io import run_script


def main(snakemake, log):
    import json

    import numpy as np
    import pandas as pd
    import torch

    from neurogen.epgan import pipeline
    from neurogen.io import savefig, write_csv
    from neurogen.plots import epgan as plots

    torch.set_num_threads(snakemake.threads)
    p = snakemake.params
    be = pipeline.load_backend(snakemake.wildcards.model, p.sim_dt_ms, snakemake.input.test)
    per = {}
    for v, path in zip(p.variants, snakemake.input.predictions):
        preds = dict(np.load(path))
        per[v] = pipeline.per_neuron_table(be, preds, snakemake.input.test, methods=("epgan_selected", "epgan_single"))
    tab = pipeline.loss_ablation_table(per, json.loads(p.losses))
    write_csv(tab, snakemake.output.table)
    inp = pd.read_csv(snakemake.input.input_ablation)
    savefig(
        plots.ablation_bars(inp, tab, title=f"EP-GAN ablations ({snakemake.wildcards.model} model)"),
        snakemake.output.figure,
    )


run_script(main, snakemake)  # noqa: F821
