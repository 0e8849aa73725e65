# Stage: scaling (docs/epgan.md#data-scaling). EP-GAN trained on nested subsets of the hh
# stage's training file (scaling.sizes) × seeds × loss variants, every run scored on the
# same held-out test neurons at the dataset's own simulation step, next to the nearest-neighbour
# lookup of the same subset.
#   epgan_scale_train  (GPU-tagged) one job per model × variant × size × seed (epgan_train.py)
#   epgan_scale_infer  single pass + the published selection over epochs (epgan_infer.py)
#   epgan_scale_nn     nearest neighbour among the subset's neurons (epgan_baselines.py)
#   epgan_scale_merge  scaling.csv, scaling_per_neuron.csv, scaling.png
wildcard_constraints:
    size="[0-9]+",
    seed="[0-9]+",


rule epgan_scale_train:
    input:
        train="results/hh/{model}/train.h5",
        test="results/hh/{model}/test.h5",
    output:
        model="results/epgan/{model}/scaling/{variant}/n{size}/s{seed}/model.pt",
        history="results/epgan/{model}/scaling/{variant}/n{size}/s{seed}/history.csv",
        candidates="results/epgan/{model}/scaling/{variant}/n{size}/s{seed}/candidates.npz",
    log:
        "results/logs/epgan/{model}/scaling/train_{variant}_n{size}_s{seed}.log",
    benchmark:
        "results/benchmarks/epgan/{model}/scaling/train_{variant}_n{size}_s{seed}.tsv"
    conda:
        env("epgan")
    threads: lambda w: res("epgan_scale_train", "threads", 1)
    resources:
        mem_mb=lambda w: res("epgan_scale_train", "mem_mb", 4000),
        runtime=lambda w: res("epgan_scale_train", "runtime", 600),
        gpu=gpus("epgan_scale_train"),
    params:
        train=sc_train_cfg,
        seed=lambda w: config["seed"] + int(w.seed),
        device=config["device"],
        sim_dt_ms=SC["sim_dt_ms"],
        ckpt=lambda w: f"results/epgan/{w.model}/scaling/{w.variant}/n{w.size}/s{w.seed}/resume/last.pt",
    script:
        "../scripts/epgan_train.py"


rule epgan_scale_infer:
    input:
        model="results/epgan/{model}/scaling/{variant}/n{size}/s{seed}/model.pt",
        candidates="results/epgan/{model}/scaling/{variant}/n{size}/s{seed}/candidates.npz",
        test="results/hh/{model}/test.h5",
    output:
        "results/epgan/{model}/scaling/{variant}/n{size}/s{seed}/predictions.npz",
    log:
        "results/logs/epgan/{model}/scaling/infer_{variant}_n{size}_s{seed}.log",
    benchmark:
        "results/benchmarks/epgan/{model}/scaling/infer_{variant}_n{size}_s{seed}.tsv"
    conda:
        env("epgan")
    threads: lambda w: res("epgan_scale_infer", "threads", 1)
    resources:
        mem_mb=lambda w: res("epgan_scale_infer", "mem_mb", 4000),
        runtime=lambda w: res("epgan_scale_infer", "runtime", 60),
    params:
        selection_epochs=EP["selection_epochs"],
        sim_dt_ms=SC["sim_dt_ms"],
        sim_batch=EP["sim_batch"],
    script:
        "../scripts/epgan_infer.py"


rule epgan_scale_nn:
    input:
        train="results/hh/{model}/train.h5",
        test="results/hh/{model}/test.h5",
    output:
        "results/epgan/{model}/scaling/lookup/n{size}.npz",
    log:
        "results/logs/epgan/{model}/scaling/nn_n{size}.log",
    benchmark:
        "results/benchmarks/epgan/{model}/scaling/nn_n{size}.tsv"
    conda:
        env("epgan")
    threads: lambda w: res("epgan_scale_nn", "threads", 1)
    resources:
        mem_mb=lambda w: res("epgan_scale_nn", "mem_mb", 4000),
        runtime=lambda w: res("epgan_scale_nn", "runtime", 60),
    params:
        sim_dt_ms=SC["sim_dt_ms"],
        sim_batch=EP["sim_batch"],
        n_train=lambda w: int(w.size),
    script:
        "../scripts/epgan_baselines.py"


rule epgan_scale_merge:
    input:
        predictions=[f"results/epgan/{{model}}/scaling/{v}/n{n}/s{s}/predictions.npz" for v, n, s in sc_runs()],
        histories=[f"results/epgan/{{model}}/scaling/{v}/n{n}/s{s}/history.csv" for v, n, s in sc_runs()],
        lookups=expand(
            "results/epgan/{model}/scaling/lookup/n{size}.npz",
            size=sorted({n for _, n, _ in sc_runs()}),
            allow_missing=True,
        ),
        test="results/hh/{model}/test.h5",
        acceptance="results/hh/{model}/acceptance.csv",
    output:
        table="results/epgan/{model}/scaling.csv",
        per_neuron="results/epgan/{model}/scaling_per_neuron.csv",
        figure=report(
            "results/epgan/{model}/scaling.png",
            category="EP-GAN",
            subcategory="{model}",
            caption="../../report/epgan_scaling.rst",
            labels={"figure": "data scaling", "stage": "scaling", "model": "{model}", "variant": "all"},
        ),
    log:
        "results/logs/epgan/{model}/scaling/merge.log",
    benchmark:
        "results/benchmarks/epgan/{model}/scaling/merge.tsv"
    conda:
        env("epgan")
    threads: 1
    resources:
        mem_mb=lambda w: res("epgan_scale_merge", "mem_mb", 4000),
        runtime=lambda w: res("epgan_scale_merge", "runtime", 30),
    params:
        runs=canonical(
            [
                {
                    "variant": v,
                    "size": n,
                    "seed": s,
                    "losses": EP_VARIANTS[v],
                    "train": sc_train(v, n),
                }
                for v, n, s in sc_runs()
            ]
        ),
        sizes=sorted({n for _, n, _ in sc_runs()}),
        selection_epochs=EP["selection_epochs"],
        sim_dt_ms=SC["sim_dt_ms"],
        sim_batch=EP["sim_batch"],
    script:
        "../scripts/epgan_scaling.py"


add_targets(
    "scaling",
    expand(
        "results/epgan/{model}/{f}",
        model=EP_MODELS,
        f=["scaling.csv", "scaling_per_neuron.csv", "scaling.png"],
    ),
)
