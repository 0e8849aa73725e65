"""Rule hh_merge: train/test HDF5 files (noise added, type-balanced test set) + acceptance report."""

import json

from neurogen.io import run_script


def main(snakemake, log):
    from neurogen.hh.generate import merge_shards, protocol_from_config
    from neurogen.hh.model import load_space

    amps = json.loads(snakemake.params.amplitudes)
    space = load_space(snakemake.wildcards.model, snakemake.input.table)
    proto = protocol_from_config({"amplitudes_pA": amps} if amps else {})
    df = merge_shards(
        list(snakemake.input.shards),
        space,
        train_path=snakemake.output.train,
        test_path=snakemake.output.test,
        acceptance_path=snakemake.output.acceptance,
        n_test=int(snakemake.params.n_test),
        noise_mV=float(snakemake.params.noise_mV),
        seed=int(snakemake.params.seed),
        protocol=proto,
        dt_ms=float(snakemake.params.dt_ms),
        log=log,
    )
    log.info("acceptance:\n%s", df.to_string(index=False))


run_script(main, snakemake)  # noqa: F821
