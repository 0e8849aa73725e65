"""Rule fit_method: one method x one budget on every target neuron -> per target a result JSON
and all candidates."""

from neurogen.io import run_script


def main(snakemake, log):
    import json

    import torch

    from neurogen.fit import pipeline
    from neurogen.torchutil import pick_device

    w = snakemake.wildcards
    torch.set_num_threads(snakemake.threads)
    dev = pick_device(snakemake.params.device)
    out = pipeline.fit_method(
        w.model,
        w.method,
        int(w.budget),
        test_h5=snakemake.input.test,
        targets_csv=snakemake.input.targets,
        table=snakemake.input.table,
        bounds_csv=snakemake.input.get("bounds"),
        posterior_pt=snakemake.input.get("posterior"),
        fit_cfg=json.loads(snakemake.params.fit),
        sim_cfg=json.loads(snakemake.params.sim),
        device=dev,
        seed=snakemake.params.seed,
        log=log,
    )
    pipeline.write_results(out, snakemake.output.results, snakemake.output.candidates)


run_script(main, snakemake)  # noqa: F821
