# Stage: scaling (docs/epgan.md#data-scaling). EP-GAN trained on nested subsets of the hh
# stage's training file (scaling.sizes) × seeds × loss variants, every run scored on the
# same held-out test neurons at the dataset's own simulation step, next to the nearest-neighbour
# lookup of the same subset.
#   epgan_scale_train  (GPU-tagged) one job per model × variant × size × seed (epgan_train.py)
#   epgan_scale_infer  single pass + the published selection over epochs (epgan_infer.py)
#   epgan_scale_nn     nearest neighbour among the subset's neurons (epgan_baselines.py)
#   epgan_scale_merge  scaling.csv, scaling_per_neuron.csv, scaling.png
SC = config.get("scaling", {})
SC_DIR = EP_DIR + "/scaling"


wildcard_constraints:
    size="[0-9]+",
    seed="[0-9]+",


def sc_runs():
    """(variant, size, seed) of every training run of the study."""
    by = SC.get("sizes_by_variant", {})
    return [(v, n, s) for v in SC.get("variants", ["adv_iv"]) for n in by.get(v, SC.get("sizes", []))
            for s in range(int(SC.get("seeds", 1)))]


def sc_train(variant, size):
    """epgan.train with the study's overrides, the variant's loss weights and the subset size."""
    t = dict(EP_TRAIN)
    t.update(SC.get("train", {}))
    t["losses"] = EP_VARIANTS[variant]
    t["n_train"] = int(size)
    return t


def sc_train_cfg(w):
    return canonical(sc_train(w.variant, w.size))


rule epgan_scale_train:
    input:
        train="results/hh/{model}/train.h5",
        test="results/hh/{model}/test.h5",
    output:
        model=SC_DIR + "/{variant}/n{size}/s{seed}/model.pt",
        history=SC_DIR + "/{variant}/n{size}/s{seed}/history.csv",
        candidates=SC_DIR + "/{variant}/n{size}/s{seed}/candidates.npz",
    params:
        train=sc_train_cfg,
        seed=lambda w: config["seed"] + int(w.seed),
        device=config["device"],
        sim_dt_ms=SC.get("sim_dt_ms"),
        ckpt=lambda w: f"results/epgan/{w.model}/scaling/{w.variant}/n{w.size}/s{w.seed}/resume/last.pt",
    log:
        "results/logs/epgan/{model}/scaling/train_{variant}_n{size}_s{seed}.log",
    benchmark:
        "results/benchmarks/epgan/{model}/scaling/train_{variant}_n{size}_s{seed}.tsv"
    threads: lambda w: res("epgan_scale_train", "threads", 1)
    resources:
        mem_mb=lambda w: res("epgan_scale_train", "mem_mb", 4000),
        runtime=lambda w: res("epgan_scale_train", "runtime", 600),
        gpu=gpus("epgan_scale_train"),
    conda:
        env("epgan")
    script:
        "../scripts/epgan_train.py"


rule epgan_scale_infer:
    input:
        model=SC_DIR + "/{variant}/n{size}/s{seed}/model.pt",
        candidates=SC_DIR + "/{variant}/n{size}/s{seed}/candidates.npz",
        test="results/hh/{model}/test.h5",
    output:
        SC_DIR + "/{variant}/n{size}/s{seed}/predictions.npz",
    params:
        selection_epochs=EP["selection_epochs"],
        sim_dt_ms=SC.get("sim_dt_ms"),
        sim_batch=EP["sim_batch"],
    log:
        "results/logs/epgan/{model}/scaling/infer_{variant}_n{size}_s{seed}.log",
    benchmark:
        "results/benchmarks/epgan/{model}/scaling/infer_{variant}_n{size}_s{seed}.tsv"
    threads: lambda w: res("epgan_scale_infer", "threads", 1)
    resources:
        mem_mb=lambda w: res("epgan_scale_infer", "mem_mb", 4000),
        runtime=lambda w: res("epgan_scale_infer", "runtime", 60),
    conda:
        env("epgan")
    script:
        "../scripts/epgan_infer.py"


rule epgan_scale_nn:
    input:
        train="results/hh/{model}/train.h5",
        test="results/hh/{model}/test.h5",
    output:
        SC_DIR + "/lookup/n{size}.npz",
    params:
        sim_dt_ms=SC.get("sim_dt_ms"),
        sim_batch=EP["sim_batch"],
        n_train=lambda w: int(w.size),
    log:
        "results/logs/epgan/{model}/scaling/nn_n{size}.log",
    benchmark:
        "results/benchmarks/epgan/{model}/scaling/nn_n{size}.tsv"
    threads: lambda w: res("epgan_scale_nn", "threads", 1)
    resources:
        mem_mb=lambda w: res("epgan_scale_nn", "mem_mb", 4000),
        runtime=lambda w: res("epgan_scale_nn", "runtime", 60),
    conda:
        env("epgan")
    script:
        "../scripts/epgan_baselines.py"


rule epgan_scale_merge:
    input:
        predictions=[SC_DIR + f"/{v}/n{n}/s{s}/predictions.npz" for v, n, s in sc_runs()],
        histories=[SC_DIR + f"/{v}/n{n}/s{s}/history.csv" for v, n, s in sc_runs()],
        lookups=expand(SC_DIR + "/lookup/n{size}.npz", size=sorted({n for _, n, _ in sc_runs()}),
                       allow_missing=True),
        test="results/hh/{model}/test.h5",
        acceptance="results/hh/{model}/acceptance.csv",
    output:
        table=EP_DIR + "/scaling.csv",
        per_neuron=EP_DIR + "/scaling_per_neuron.csv",
        figure=report(EP_DIR + "/scaling.png", category="EP-GAN", subcategory="{model}",
                      caption="../../report/epgan_scaling.rst", labels={"figure": "data scaling"}),
    params:
        runs=canonical([{"variant": v, "size": n, "seed": s, "losses": EP_VARIANTS[v],
                         "train": sc_train(v, n)}
                        for v, n, s in sc_runs()]),
        sizes=sorted({n for _, n, _ in sc_runs()}),
        selection_epochs=EP["selection_epochs"],
        sim_dt_ms=SC.get("sim_dt_ms"),
        sim_batch=EP["sim_batch"],
    log:
        "results/logs/epgan/{model}/scaling/merge.log",
    benchmark:
        "results/benchmarks/epgan/{model}/scaling/merge.tsv"
    threads: 1
    resources:
        mem_mb=lambda w: res("epgan_scale_merge", "mem_mb", 4000),
        runtime=lambda w: res("epgan_scale_merge", "runtime", 30),
    conda:
        env("epgan")
    script:
        "../scripts/epgan_scaling.py"


add_targets(
    "scaling",
    expand(EP_DIR + "/{f}", model=EP_MODELS, f=["scaling.csv", "scaling_per_neuron.csv", "scaling.png"]),
)
