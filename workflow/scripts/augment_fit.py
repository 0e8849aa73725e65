"""Rule augment_fit: one generator per repeat × preprocessing, fit on the training split;
every mode in one job, one models file per mode."""

import json

from neurogen.io import run_script


def main(snakemake, log):
    from pathlib import Path

    import pandas as pd
    import torch

    from neurogen.augment.evaluate import fit_generators
    from neurogen.augment.io import save_models
    from neurogen.data.prepared import load_split

    torch.set_num_threads(snakemake.threads)
    p = snakemake.params
    gen = snakemake.wildcards.generator
    datadir = Path(snakemake.input.cells).parent
    splits = [load_split(datadir, r) for r in range(p.repeats)]
    baseline = pd.read_csv(snakemake.input.baseline)
    outputs = {Path(f).stem: f for f in snakemake.output}
    for mode in p.modes:
        models = fit_generators(
            splits,
            baseline,
            gen,
            json.loads(p.gen_params),
            mode,
            p.seed,
            n_baselines=p.n_baselines,
            device=p.device,
            study_repeats=p.study_repeats,
        )
        for m in models:
            log.info(
                "%s repeat %d %s + %s (%s protocol): %s fit in %.1f s",
                mode,
                m["repeat"],
                m["scaler"],
                m["reducer"],
                m["protocol"],
                gen,
                m["fit_time_s"],
            )
        save_models(outputs[f"{gen}_{mode}"], gen, mode, models)


run_script(main, snakemake)  # noqa: F821
