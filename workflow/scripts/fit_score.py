"""Rule fit_score: every method's final parameters per target neuron, simulated at the fit stage's
step and scored by one function, with every simulation counted -> scored.csv (one model)."""

from neurogen.io import run_script


def main(snakemake, log):
    import json

    import torch

    from neurogen.fit import pipeline
    from neurogen.io import write_csv
    from neurogen.torchutil import pick_device

    torch.set_num_threads(snakemake.threads)
    i = snakemake.input
    p = snakemake.params
    ep = json.loads(p.epgan)
    epgan = {"predictions": i.predictions, "history": i.history, "method": ep["method"]} if ep["enabled"] else None
    df = pipeline.score(
        snakemake.wildcards.model,
        targets_csv=i.targets,
        test_h5=i.test,
        train_h5=i.train,
        acceptance_csv=i.acceptance,
        table=i.table,
        results=i.results,
        refined=i.get("refined", []),
        epgan=epgan,
        lookups=p.lookups,
        k=int(p.k),
        epgan_n_train=int(p.epgan_n_train),
        sim_cfg=json.loads(p.sim),
        device=pick_device(p.device),
        log=log,
    )
    write_csv(df, snakemake.output[0])


run_script(main, snakemake)  # noqa: F821
