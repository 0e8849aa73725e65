"""Rule epgan_infer: single-pass inference and the published selection over epochs (test inputs)."""

from neurogen.io import run_script


def main(snakemake, log):
    import numpy as np
    import torch

    from neurogen.epgan import pipeline
    from neurogen.io import write_npz

    torch.set_num_threads(snakemake.threads)
    p = snakemake.params
    be = pipeline.load_backend(snakemake.wildcards.model, p.sim_dt_ms, snakemake.input.test)
    cand = np.load(snakemake.input.candidates)
    pipeline.check_free_names(be, cand["free_names"], snakemake.input.candidates)
    out = pipeline.predict(
        be,
        snakemake.input.model,
        cand["candidates"],
        snakemake.input.test,
        selection_epochs=p.selection_epochs,
        batch=p.sim_batch,
    )
    write_npz(snakemake.output[0], **out)


run_script(main, snakemake)  # noqa: F821
