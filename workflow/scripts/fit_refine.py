"""Rule fit_refine: NSDE seeded with EP-GAN's candidates, every target neuron side by side -> per
target a result JSON and all candidates."""

from neurogen.io import run_script


def main(snakemake, log):
    import json

    import torch

    from neurogen.fit import pipeline
    from neurogen.torchutil import pick_device

    torch.set_num_threads(snakemake.threads)
    dev = pick_device(snakemake.params.device)
    out = pipeline.refine_targets(
        snakemake.wildcards.model,
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
    pipeline.write_results(out, snakemake.output.results, snakemake.output.candidates)


run_script(main, snakemake)  # noqa: F821
