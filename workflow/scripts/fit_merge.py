"""Rule fit_merge: per-neuron results (+ EP-GAN's, if configured) -> comparison, medians, cost."""
from neurogen.io import run_script


def main(snakemake, log):
    import json

    import numpy as np

    from neurogen.fit import compare
    from neurogen.io import write_csv

    rows = []
    for p in snakemake.input.results:
        with open(p) as fh:
            rows.append(json.load(fh))
    sps = [r["s_per_sample"] for r in rows if r.get("s_per_sample") and r["method"] != "npe"]
    s_per_sample = float(np.median(sps)) if sps else float("nan")
    if snakemake.params.epgan_enabled:
        import pandas as pd

        from neurogen.fit.data import read_dataset
        from neurogen.fit.epgan_io import epgan_rows

        ep = json.loads(snakemake.params.epgan)
        for i, model in enumerate(snakemake.params.models):
            n_train = read_dataset(snakemake.input.train[i], fields=())["n"]
            ep_rows = epgan_rows(model, pd.read_csv(snakemake.input.targets[i]), snakemake.input.epgan_per_neuron[i],
                                 snakemake.input.epgan_history[i], n_train,
                                 speed=ep.get("speed", "").format(model=model) or None,
                                 method=ep.get("method", "epgan_selected"),
                                 selection_k=int(snakemake.params.epgan_selection_k), s_per_sample=s_per_sample)
            log.info("EP-GAN (%s): %d rows", model, len(ep_rows))
            rows.extend(ep_rows)
    df = compare.comparison(rows)
    write_csv(df, snakemake.output.comparison)
    med = compare.medians(df)
    write_csv(med, snakemake.output.medians)
    cost = compare.cost_curve(df, s_per_sample)
    write_csv(cost, snakemake.output.cost)
    log.info("measured %.4f s per simulated sample (median over the optimiser jobs)", s_per_sample)
    for r in med.itertuples():
        log.info("%s %s %d: median response RMSE %.2f mV, I–V RMSE %.2f pA over %d neurons", r.model, r.method,
                 r.budget_total, r.rmse_avg_median_mV, r.iv_rmse_median_pA, r.n_neurons)


run_script(main, snakemake)  # noqa: F821
