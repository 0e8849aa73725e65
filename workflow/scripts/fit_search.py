"""Rule fit_search: every method at one budget on every target neuron, side by side -> per
method x target a result JSON and all candidates."""

from neurogen.io import run_script


def main(snakemake, log):
    import json

    import torch

    from neurogen.fit import pipeline
    from neurogen.torchutil import pick_device

    w = snakemake.wildcards
    p = snakemake.params
    torch.set_num_threads(snakemake.threads)
    out = pipeline.fit_search(
        w.model,
        p.methods,
        int(w.budget),
        test_h5=snakemake.input.test,
        targets_csv=snakemake.input.targets,
        table=snakemake.input.table,
        bounds_csv=snakemake.input.get("bounds"),
        posterior_pt=snakemake.input.get("posterior"),
        fit_cfg=json.loads(p.fit),
        sim_cfg=json.loads(p.sim),
        device=pick_device(p.device),
        seed=p.seed,
        log=log,
    )
    n = len(snakemake.output.results) // max(len(p.methods), 1)
    for i, m in enumerate(p.methods):  # outputs are method-major (fit_search_files)
        res = snakemake.output.results[i * n : (i + 1) * n]
        cand = snakemake.output.candidates[i * n : (i + 1) * n]
        for j, path in enumerate(res):
            if f"/{m}/t{j}." not in path.replace("\\", "/"):
                raise RuntimeError(f"fit_search: output {path} is not method {m}, target {j} (a bug)")
        pipeline.write_results(out[m], res, cand)


run_script(main, snakemake)  # noqa: F821
