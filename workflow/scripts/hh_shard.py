"""Rule hh_shard: steps 1-3 of EP-GAN's training-data generation for one shard."""

import json

from neurogen.io import run_script


def main(snakemake, log):
    import math

    import torch

    from neurogen.hh.generate import generate_shard, protocol_from_config
    from neurogen.hh.ivbounds import load_bounds
    from neurogen.hh.model import load_space
    from neurogen.io import write_npz
    from neurogen.torchutil import pick_device

    hh = json.loads(snakemake.params.hh)
    model = snakemake.wildcards.model
    shard = int(snakemake.wildcards.shard)
    torch.set_num_threads(max(1, snakemake.threads))
    space = load_space(model, snakemake.input.table)
    device = pick_device(snakemake.params.device)
    log.info(f"hh shard {model}/{shard}: device {device}, torch threads {torch.get_num_threads()}")
    n_shards = int(hh["shards"])
    per_type_total = int(hh["n_accepted"]) / 3
    n_per_type = int(math.ceil(per_type_total / n_shards))
    dtype = torch.float64 if hh["precision"] == "float64" else torch.float32
    out = generate_shard(
        space,
        n_per_type=n_per_type,
        max_candidates=int(hh["max_candidates_per_shard"]),
        seed=int(snakemake.params.seed),
        shard=shard,
        bounds=load_bounds(snakemake.input.bounds),
        dt_ms=float(hh["dt_ms"]),
        chunk=int(hh["chunk"]),
        oversample=float(hh["oversample"]),
        batch_size=int(hh["batch_size"]),
        device=device,
        dtype=dtype,
        skew=float(hh["conductance_skew"]),
        scale_frac=float(hh["conductance_scale"]),
        protocol=protocol_from_config(hh),
        log=log,
    )
    write_npz(snakemake.output[0], **out)
    log.info(f"wrote {snakemake.output[0]} ({len(out['p_full'])} accepted sets)")


run_script(main, snakemake)  # noqa: F821
