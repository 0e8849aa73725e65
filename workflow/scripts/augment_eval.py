"""Rules augment_eval / augment_noaug: retrain the classifiers on real (+ synthetic) training
cells, score the held-out real cells, and measure the fidelity of the synthetic cells.

One job covers every mode × size of one generator (augment_noaug: of no generator, size 0) and
writes one set of part files per mode × size."""

import json

from neurogen.io import run_script

KINDS = {
    "scores": "scores.csv",
    "fidelity": "fidelity.csv",
    "fidelity_dist": "fidelity_dist.csv",
    "features": "features.csv",
    "mannwhitney": "mannwhitney.csv",
    "interclass": "interclass.csv",
}


def main(snakemake, log):
    import time
    from pathlib import Path

    import numpy as np
    import pandas as pd

    from neurogen.augment.evaluate import evaluate_sizes
    from neurogen.augment.io import load_models
    from neurogen.data.prepared import load_split
    from neurogen.io import write_csv, write_npz

    p = snakemake.params
    w = snakemake.wildcards
    dataset = w.dataset
    datadir = Path(snakemake.input.cells).parent
    splits = [load_split(datadir, r) for r in range(p.repeats)]
    baseline = pd.read_csv(snakemake.input.baseline)
    outputs = {Path(f).name: f for f in snakemake.output}
    gen = getattr(w, "generator", "none")
    model_files = {}
    if gen != "none":
        import torch

        torch.set_num_threads(snakemake.threads)
        model_files = {Path(f).stem: f for f in snakemake.input.models}
    sizes = [int(s) for s in p.sizes]
    for mode in p.modes:
        t0 = time.perf_counter()
        models = load_models(model_files[f"{gen}_{mode}"])["models"] if gen != "none" else None
        outs = evaluate_sizes(
            splits,
            baseline,
            json.loads(p.panel),
            mode,
            p.seed,
            models=models,
            generator=gen,
            sizes=sizes,
            n_baselines=p.n_baselines,
            features=splits[0].features,
            device=p.device,
            keep_samples=p.keep_samples,
            study=json.loads(p.study),
            dist=json.loads(p.dist),
        )
        for size, out in outs.items():
            stem = f"{gen}_{mode}_{size}"
            for kind, ext in KINDS.items():
                path = outputs.get(f"{stem}.{ext}")
                if path is None:
                    continue
                df = out[kind]
                if len(df):
                    df["dataset"] = dataset
                write_csv(df, path)
            path = outputs.get(f"{stem}.samples.npz")
            if path is not None:
                s = out["samples"] or {}
                arrays = {k: np.asarray(v).astype(str) if k[:2] == "y_" else np.asarray(v, float) for k, v in s.items()}
                write_npz(path, **arrays)
        log.info("%s %s: sizes %s done in %.1f s", gen, mode, ", ".join(map(str, sizes)), time.perf_counter() - t0)


run_script(main, snakemake)  # noqa: F821
