"""Rule epgan_train: train EP-GAN on the HH stage's training set (checkpoint each epoch, resume)."""

from neurogen.io import run_script


def main(snakemake, log):
    import json
    import os

    import numpy as np
    import torch

    from neurogen.epgan import TrainConfig, pipeline
    from neurogen.epgan.train import save_bundle
    from neurogen.io import write_csv, write_npz
    from neurogen.torchutil import pick_device, seed_all

    p = snakemake.params
    cfg = TrainConfig.from_dict(json.loads(p.train), seed=p.seed, where=f"epgan.train ({snakemake.wildcards.variant})")
    torch.set_num_threads(cfg.threads or snakemake.threads)
    seed_all(p.seed)
    dev = pick_device(p.device)
    log.info("variant %s: losses %s; %d threads", snakemake.wildcards.variant, cfg.losses, torch.get_num_threads())
    be = pipeline.load_backend(snakemake.wildcards.model, p.sim_dt_ms, snakemake.input.train)
    bundle, hist, cand = pipeline.train(be, snakemake.input.train, snakemake.input.test, cfg, p.ckpt, device=dev)
    bundle["device"] = str(dev)
    bundle["sim_dt_ms"] = be.sim_kwargs.get("dt_ms")
    save_bundle(bundle, snakemake.output.model)
    write_csv(hist, snakemake.output.history)
    write_npz(snakemake.output.candidates, candidates=cand, free_names=np.array(be.free_names))
    if os.path.exists(p.ckpt):  # finished: a later rerun (changed code) must start afresh
        os.remove(p.ckpt)


run_script(main, snakemake)  # noqa: F821
