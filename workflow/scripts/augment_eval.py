"""Rules augment_eval / augment_noaug: retrain the classifiers on real (+ synthetic) training
cells, score the held-out real cells, and measure the fidelity of the synthetic cells."""

import json

from neurogen.io import run_script


def main(snakemake, log):
    from pathlib import Path

    import numpy as np
    import pandas as pd

    from neurogen.augment.evaluate import evaluate
    from neurogen.augment.io import load_models
    from neurogen.data.prepared import load_split
    from neurogen.io import write_csv, write_npz

    p = snakemake.params
    w = snakemake.wildcards
    datadir = Path(snakemake.input.cells).parent
    splits = [load_split(datadir, r) for r in range(p.repeats)]
    baseline = pd.read_csv(snakemake.input.baseline)
    models, gen, size = None, "none", 0
    if "model" in snakemake.input.keys():
        import torch

        torch.set_num_threads(snakemake.threads)
        models = load_models(snakemake.input.model)["models"]
        gen, size = w.generator, int(w.size)
    out = evaluate(
        splits,
        baseline,
        json.loads(p.panel),
        w.mode,
        p.seed,
        models=models,
        generator=gen,
        size=size,
        n_baselines=p.n_baselines,
        features=splits[0].features,
        device=p.device,
        keep_samples=getattr(p, "keep_samples", 0) if models is not None else 0,
        study=json.loads(p.study),
        dist=json.loads(getattr(p, "dist", "{}")),
    )
    for kind in ("scores", "fidelity", "fidelity_dist", "features", "mannwhitney", "interclass"):
        if kind in snakemake.output.keys():
            df = out[kind]
            if len(df):
                df["dataset"] = w.dataset
            write_csv(df, getattr(snakemake.output, kind))
    if "samples" in snakemake.output.keys():
        s = out["samples"] or {}
        write_npz(
            snakemake.output.samples,
            **{k: (np.asarray(v).astype(str) if k.startswith("y_") else np.asarray(v, float)) for k, v in s.items()},
        )


run_script(main, snakemake)  # noqa: F821
