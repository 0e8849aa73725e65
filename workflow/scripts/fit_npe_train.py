"""Rule fit_npe_train: NPE (sbi) on the first `budget` simulations of the training set."""
from neurogen.io import run_script


def main(snakemake, log):
    import json
    import time

    import numpy as np
    import torch

    from neurogen.fit import npe
    from neurogen.fit.data import read_dataset

    p = json.loads(snakemake.params.npe)
    torch.set_num_threads(snakemake.threads)
    budget = int(snakemake.wildcards.budget)
    t0 = time.perf_counter()
    ds = read_dataset(snakemake.input.train, fields=("params",))
    n = min(budget, ds["n"])
    if n < budget:
        log.warning("training set has %d simulations, fewer than the budget %d: NPE uses all %d", ds["n"], budget, n)
    ds = read_dataset(snakemake.input.train, rows=np.arange(n), fields=("params", "responses", "iv"))
    from neurogen.fit.simulator import HHSimulator

    sim = HHSimulator(model=snakemake.wildcards.model, table=snakemake.input.table)
    if list(sim.names) != list(ds["param_names"]):
        from neurogen import NeurogenError

        raise NeurogenError(f"{snakemake.input.train}: param_names differ from the {snakemake.wildcards.model} "
                            f"model's free parameters")
    lo, hi = sim.lo, sim.hi
    theta = (ds["params"].astype(np.float64) - lo) / np.where(hi > lo, hi - lo, 1.0)
    x = npe.features(ds["responses"], ds["iv"], p["stride"])
    log.info("NPE on %d simulations (%d features, %d parameters), CPU", n, x.shape[1], theta.shape[1])
    posterior, info = npe.train(theta, x, seed=snakemake.params.seed, density=p["density"],
                                embedding_dim=p["embedding_dim"], hidden=p["hidden"],
                                max_epochs=p["max_epochs"], batch_size=p["batch_size"], log=log)
    info["train_time_s"] = time.perf_counter() - t0
    npe.save_posterior(snakemake.output[0], posterior, info, p["stride"])


run_script(main, snakemake)  # noqa: F821
