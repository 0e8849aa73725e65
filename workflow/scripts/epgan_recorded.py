"""Rule epgan_recorded: parameters for a user's recorded neuron (current-clamp and voltage-clamp
recordings: text, ABF or NWB), single pass, plus the simulated responses of those parameters."""

from neurogen.io import run_script


def main(snakemake, log):
    import pandas as pd
    import torch

    from neurogen.epgan import pipeline
    from neurogen.epgan.evaluate import infer, iv_rmse, response_rmse
    from neurogen.epgan.recorded import load_cclamp, load_vclamp, stimulus_traces
    from neurogen.epgan.train import load_bundle
    from neurogen.io import write_csv, write_npz

    torch.set_num_threads(snakemake.threads)
    p = snakemake.params
    net, norm, b = load_bundle(snakemake.input.model, "best")
    cell = p.cell
    rec = load_cclamp(
        cell["cclamp"],
        time_s=b["time_s"],
        time_unit=cell.get("time_unit", "s"),
        expected_amplitudes=b["amplitudes_pA"],
        format=cell.get("format"),
    )
    iv = load_vclamp(
        cell["vclamp"],
        protocol_levels_mV=b["iv_v_mV"],
        ss_fraction=cell.get("ss_fraction", 0.1),
        time_unit=cell.get("time_unit", "s"),
        format=cell.get("format"),
    )
    stim = stimulus_traces(rec.amplitudes_pA, b["time_s"])
    params = infer(net, norm, rec.responses, stim, iv)
    be = pipeline.load_backend(snakemake.wildcards.model, p.sim_dt_ms or b.get("sim_dt_ms"))
    sim = be.simulate(params, rec.amplitudes_pA)
    rm = response_rmse(sim, rec.responses, b["time_s"])
    ivp = be.iv(params, b["iv_v_mV"])
    log.info(
        "%s: %d stimuli; response RMSE %.2f mV (pre %.2f, mid %.2f, post %.2f); I–V RMSE %.1f pA",
        snakemake.wildcards.cell,
        len(rec.amplitudes_pA),
        rm["avg"][0],
        rm["pre"][0],
        rm["mid"][0],
        rm["post"][0],
        iv_rmse(ivp, iv)[0],
    )
    write_csv(pd.DataFrame({"parameter": b["free_names"], "value": params[0]}), snakemake.output.params)
    write_npz(
        snakemake.output.traces,
        recorded=rec.responses[0],
        simulated=sim[0],
        amplitudes_pA=rec.amplitudes_pA,
        time_s=b["time_s"],
        iv_recorded=iv[0],
        iv_simulated=ivp[0],
        iv_v_mV=b["iv_v_mV"],
        rmse_avg_mV=rm["avg"][0],
    )


run_script(main, snakemake)  # noqa: F821
