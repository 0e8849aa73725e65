"""Rule epgan_evaluate: per-neuron and per-type errors of EP-GAN and the baselines on the
held-out test neurons (touched here, once), and the overlay / error figures."""

from neurogen.io import run_script


def main(snakemake, log):
    import numpy as np
    import torch

    from neurogen.epgan import pipeline
    from neurogen.epgan.data import H5Data
    from neurogen.io import savefig, write_csv
    from neurogen.plots import epgan as plots

    torch.set_num_threads(snakemake.threads)
    model = snakemake.wildcards.model
    be = pipeline.load_backend(model, snakemake.params.sim_dt_ms, snakemake.input.test)
    preds = dict(np.load(snakemake.input.predictions))
    preds.update(dict(np.load(snakemake.input.baselines)))
    preds.update(pipeline.true_parameters(be, snakemake.input.test, batch=snakemake.params.sim_batch))
    per = pipeline.per_neuron_table(be, preds, snakemake.input.test)
    summ = pipeline.summary_table(per)
    for r in summ[summ["type"] == "all"].itertuples():
        log.info(
            "%-18s response RMSE %.3f ± %.3f mV (median %.3f), I–V RMSE %.2f ± %.2f pA, %d failed",
            r.method,
            r.rmse_avg_mV_mean,
            r.rmse_avg_mV_sd,
            r.rmse_avg_mV_median,
            r.iv_rmse_pA_mean,
            r.iv_rmse_pA_sd,
            r.n_failed,
        )
    write_csv(per, snakemake.output.per_neuron)
    write_csv(summ, snakemake.output.summary)
    test = H5Data(snakemake.input.test, need_params=True)
    d = test.read(0, test.n, keys=("responses_clean" if test.has_clean else "responses", "iv"))
    true_v = d["responses_clean" if test.has_clean else "responses"]
    m = "epgan_selected"
    fig = plots.overlays(
        per,
        true_v,
        preds[f"{m}_responses"],
        d["iv"],
        be.iv(preds[m], test.iv_v),
        test.time_s,
        test.amplitudes,
        test.iv_v,
        method=m,
        title=f"EP-GAN ({model} model, selected over epochs): predicted vs true, held-out simulated neurons",
    )
    savefig(fig, snakemake.output.overlays)
    savefig(
        plots.error_distributions(
            per, title=f"EP-GAN vs baselines on {test.n} held-out simulated neurons ({model} model)"
        ),
        snakemake.output.errors,
    )


run_script(main, snakemake)  # noqa: F821
