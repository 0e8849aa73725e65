"""Rule fit_neuron: one target neuron x one method x one budget -> result JSON + all candidates."""

from neurogen.io import run_script


def main(snakemake, log):
    import json

    import torch

    from neurogen.fit import pipeline
    from neurogen.io import write_json, write_npz
    from neurogen.torchutil import pick_device

    w = snakemake.wildcards
    torch.set_num_threads(snakemake.threads)
    dev = pick_device(snakemake.params.device)
    row, rec = pipeline.fit_neuron(
        w.model,
        w.method,
        int(w.budget),
        int(w.target),
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
    write_npz(snakemake.output.candidates, **rec)
    write_json(pipeline.json_row(row, rec), snakemake.output.result)


run_script(main, snakemake)  # noqa: F821
