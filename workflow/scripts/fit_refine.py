"""Rule fit_refine: CMA-ES from EP-GAN's candidates for one target neuron -> result JSON + candidates."""

from neurogen.io import run_script


def main(snakemake, log):
    import json

    import torch

    from neurogen.fit import pipeline
    from neurogen.io import write_json, write_npz
    from neurogen.torchutil import pick_device

    torch.set_num_threads(snakemake.threads)
    dev = pick_device(snakemake.params.device)
    row, rec = pipeline.refine_neuron(
        snakemake.wildcards.model,
        int(snakemake.wildcards.target),
        test_h5=snakemake.input.test,
        targets_csv=snakemake.input.targets,
        table=snakemake.input.table,
        bounds_csv=snakemake.input.get("bounds"),
        candidates_npz=snakemake.input.candidates,
        k=int(snakemake.params.k),
        refine_cfg=json.loads(snakemake.params.refine),
        sim_cfg=json.loads(snakemake.params.sim),
        device=dev,
        seed=snakemake.params.seed,
        log=log,
    )
    write_npz(snakemake.output.candidates, **rec)
    write_json(pipeline.json_row(row, rec), snakemake.output.result)


run_script(main, snakemake)  # noqa: F821
