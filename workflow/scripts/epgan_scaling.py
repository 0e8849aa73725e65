"""Rule epgan_scale_merge: scaling.csv, its per-neuron table and the scaling figure."""

from neurogen.io import run_script


def main(snakemake, log):
    import json

    import numpy as np
    import pandas as pd
    import torch

    from neurogen.epgan import pipeline
    from neurogen.epgan.scaling import PUBLISHED_RMSE_MV, scaling_table, seed_summary, simulation_costs
    from neurogen.io import savefig, write_csv
    from neurogen.plots import epgan as plots

    torch.set_num_threads(snakemake.threads)
    p = snakemake.params
    inp = snakemake.input
    be = pipeline.load_backend(snakemake.wildcards.model, p.sim_dt_ms, inp.test)
    runs = json.loads(p.runs)
    for run, pred, hist in zip(runs, inp.predictions, inp.histories):
        preds = dict(np.load(pred))
        run["per_neuron"] = pipeline.per_neuron_table(be, preds, inp.test, methods=("epgan_selected", "epgan_single"))
        run["history"] = pd.read_csv(hist)
    nn = [
        {
            "size": n,
            "per_neuron": pipeline.per_neuron_table(be, dict(np.load(f)), inp.test, methods=("nearest_neighbour",)),
        }
        for n, f in zip(p.sizes, inp.lookups)
    ]
    floor = pipeline.per_neuron_table(
        be, pipeline.true_parameters(be, inp.test, batch=p.sim_batch), inp.test, methods=("true_parameters",)
    )
    costs = simulation_costs(pd.read_csv(inp.acceptance))
    table, per = scaling_table(
        runs, nn, floor, costs, selection_k=p.selection_epochs, sim_dt_ms=float(be.sim_kwargs.get("dt_ms"))
    )
    for r in seed_summary(table).itertuples():
        log.info(
            "%-10s %-18s n=%-6s %.3f ± %.3f mV over %d seed(s)",
            r.variant,
            r.method,
            r.size,
            r.rmse_avg_mV_seed_mean,
            r.rmse_avg_mV_seed_sd if r.n_seeds > 1 else float("nan"),
            r.n_seeds,
        )
    write_csv(table, snakemake.output.table)
    write_csv(per, snakemake.output.per_neuron)
    n_test = int(table["n_test"].max())
    savefig(
        plots.scaling_figure(
            table,
            PUBLISHED_RMSE_MV,
            title=f"EP-GAN data scaling ({snakemake.wildcards.model} model, {n_test} held-out "
            f"test neurons, simulated at dt {be.sim_kwargs.get('dt_ms')} ms)",
        ),
        snakemake.output.figure,
    )


run_script(main, snakemake)  # noqa: F821
