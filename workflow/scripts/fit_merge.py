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
    if snakemake.input.get("epgan"):
        from neurogen.fit.epgan_io import epgan_rows

        targets = {m: p for m, p in zip(snakemake.params.models, snakemake.input.targets)}
        ep_cfg = json.loads(snakemake.params.epgan)
        timing = {m: ep_cfg["timing"].format(model=m) for m in snakemake.params.models} if ep_cfg.get("timing") else None
        ep = epgan_rows(list(snakemake.input.epgan), targets, timing=timing, log=log)
        log.info("EP-GAN: %d rows", len(ep))
        rows.extend(ep)
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
