"""Rule fit_neuron: one target neuron x one method x one budget -> result JSON + all candidates."""
from neurogen.io import run_script


def main(snakemake, log):
    import json
    import zlib

    import numpy as np
    import pandas as pd
    import torch

    from neurogen import NeurogenError
    from neurogen.fit.data import read_dataset
    from neurogen.fit.run import fit_one
    from neurogen.fit.selection import load_didv_bounds
    from neurogen.fit.simulator import HHSimulator
    from neurogen.io import write_json, write_npz
    from neurogen.torchutil import pick_device

    w = snakemake.wildcards
    cfg = json.loads(snakemake.params.fit)
    sim_kw = json.loads(snakemake.params.sim)
    torch.set_num_threads(snakemake.threads)
    method, budget, slot = w.method, int(w.budget), int(w.target)
    targets = pd.read_csv(snakemake.input.targets)
    if slot >= len(targets):
        raise NeurogenError(f"{snakemake.input.targets}: no target {slot}")
    tr = targets.iloc[slot]
    ds = read_dataset(snakemake.input.test, rows=[int(tr["neuron"])])
    dev = pick_device(snakemake.params.device)
    sim = HHSimulator(model=w.model, table=snakemake.input.table, amplitudes_pA=ds["amplitudes_pA"],
                      v_mV=ds["iv_v_mV"], time_s=ds["time_s"], device=str(dev), **sim_kw)
    if list(sim.names) != list(ds["param_names"]):
        raise NeurogenError(f"{snakemake.input.test}: param_names differ from the {w.model} model's free parameters")
    bounds = None
    if snakemake.input.get("bounds"):
        allb = load_didv_bounds(snakemake.input.bounds, n_intervals=len(ds["iv_v_mV"]) - 1)
        if int(tr["type"]) not in allb:
            raise NeurogenError(f"{snakemake.input.bounds}: no dI/dV bounds for type {int(tr['type'])}")
        bounds = allb[int(tr["type"])]
    target = {"responses": ds["responses"][0], "iv": ds["iv"][0], "time_s": ds["time_s"],
              "responses_clean": ds["responses_clean"][0], "params": ds["params"][0]}
    seed = (snakemake.params.seed * 1000003 + zlib.crc32(f"{w.model}/{method}/{budget}/{slot}".encode())) % 2**31
    kw = {}
    train_time = np.nan
    train_samples = np.nan
    if method == "npe":
        from neurogen.fit.npe import load_posterior

        posterior, info, stride = load_posterior(snakemake.input.posterior)
        kw = dict(npe_posterior=posterior, npe_k=cfg["npe"]["k"], npe_map=cfg["npe"]["map"],
                  npe_stride=stride, npe_feature_mask=info["feature_mask"])
        train_time, train_samples = info["train_time_s"], info["n_train"]
    log.info("target %d = test neuron %d (type %s), method %s, total budget %d, device %s",
             slot, int(tr["neuron"]), tr["type_name"], method, budget, dev)
    row, rec = fit_one(method, sim, target, bounds=bounds, seed=seed, pop_size=cfg.get("pop_size", 600),
                       CR=cfg.get("CR", 0.3), F=cfg.get("F", 1.5), budget_total=budget, n_targets=len(targets),
                       demo_batches=cfg.get("demo_batches", 4), log=log, **kw)
    row.update(model=w.model, target=slot, neuron=int(tr["neuron"]), type=int(tr["type"]),
               type_name=str(tr["type_name"]), train_time_s=train_time, train_samples=train_samples,
               device=str(dev), s_per_sample=row["sim_time_s"] / max(row["samples_used"], 1))
    write_npz(snakemake.output.candidates, **rec, param_names=np.array(sim.names))
    write_json({k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in row.items()},
               snakemake.output.result)


run_script(main, snakemake)  # noqa: F821
