# Stage: epgan (see docs/epgan.md). EP-GAN trained on the hh stage's simulated neurons, evaluated on
# its held-out test neurons against two baselines, with input and loss ablations and speed.
#   epgan_train      (GPU-tagged) one job per HH model × loss variant; checkpoint each epoch
#   epgan_infer      single-pass inference + the published selection over epochs (test inputs)
#   epgan_baselines  default parameter set; nearest neighbour of the training set by input
#   epgan_evaluate   per-neuron / per-type errors (the test neurons' truth is read here), figures
#   epgan_ablation_input, epgan_ablation_loss, epgan_speed, epgan_plots, epgan_recorded
wildcard_constraints:
    variant="full|adv|adv_iv",
    cell="[A-Za-z0-9_.\-]+",


rule epgan_train:
    input:
        train="results/hh/{model}/train.h5",
        test="results/hh/{model}/test.h5",
    output:
        model="results/epgan/{model}/{variant}/model.pt",
        history="results/epgan/{model}/{variant}/history.csv",
        candidates="results/epgan/{model}/{variant}/candidates.npz",
    log:
        "results/logs/epgan/{model}/train_{variant}.log",
    benchmark:
        "results/benchmarks/epgan/{model}/train_{variant}.tsv"
    priority: PRIORITY["epgan_chain"]
    conda:
        env("epgan")
    threads: lambda w: res("epgan_train", "threads", 1)
    resources:
        mem_mb=lambda w: res("epgan_train", "mem_mb", 4000),
        runtime=lambda w: res("epgan_train", "runtime", 120),
        gpu=gpus("epgan_train"),
    params:
        train=ep_train_cfg,
        seed=config["seed"],
        device=config["device"],
        sim_dt_ms=EP_SIM_DT,
        ckpt=lambda w: f"results/epgan/{w.model}/{w.variant}/resume/last.pt",
    script:
        "../scripts/epgan_train.py"


rule epgan_infer:
    input:
        model="results/epgan/{model}/{variant}/model.pt",
        candidates="results/epgan/{model}/{variant}/candidates.npz",
        test="results/hh/{model}/test.h5",
    output:
        "results/epgan/{model}/{variant}/predictions.npz",
    log:
        "results/logs/epgan/{model}/infer_{variant}.log",
    benchmark:
        "results/benchmarks/epgan/{model}/infer_{variant}.tsv"
    priority: PRIORITY["epgan_chain"]
    conda:
        env("epgan")
    threads: lambda w: res("epgan_infer", "threads", 1)
    resources:
        mem_mb=lambda w: res("epgan_infer", "mem_mb", 4000),
        runtime=lambda w: res("epgan_infer", "runtime", 60),
    params:
        selection_epochs=EP["selection_epochs"],
        sim_dt_ms=EP_SIM_DT,
        sim_batch=EP_SIM_BATCH,
    script:
        "../scripts/epgan_infer.py"


rule epgan_baselines:
    input:
        train="results/hh/{model}/train.h5",
        test="results/hh/{model}/test.h5",
    output:
        "results/epgan/{model}/baselines.npz",
    log:
        "results/logs/epgan/{model}/baselines.log",
    benchmark:
        "results/benchmarks/epgan/{model}/baselines.tsv"
    conda:
        env("epgan")
    threads: lambda w: res("epgan_baselines", "threads", 1)
    resources:
        mem_mb=lambda w: res("epgan_baselines", "mem_mb", 4000),
        runtime=lambda w: res("epgan_baselines", "runtime", 60),
    params:
        sim_dt_ms=EP_SIM_DT,
        sim_batch=EP_SIM_BATCH,
        n_train=0,  # the whole training file
    script:
        "../scripts/epgan_baselines.py"


rule epgan_evaluate:
    input:
        predictions=f"results/epgan/{{model}}/{EP_MAIN}/predictions.npz",
        baselines="results/epgan/{model}/baselines.npz",
        test="results/hh/{model}/test.h5",
    output:
        per_neuron="results/epgan/{model}/per_neuron.csv",
        summary="results/epgan/{model}/summary.csv",
        overlays=report(
            "results/epgan/{model}/overlays.png",
            category="EP-GAN",
            subcategory="{model}",
            caption="../../report/epgan_overlays.rst",
            labels={"figure": "response overlays", "stage": "epgan", "model": "{model}", "variant": "full"},
        ),
        errors=report(
            "results/epgan/{model}/errors.png",
            category="EP-GAN",
            subcategory="{model}",
            caption="../../report/epgan_errors.rst",
            labels={"figure": "errors per type", "stage": "epgan", "model": "{model}", "variant": "full"},
        ),
    log:
        "results/logs/epgan/{model}/evaluate.log",
    benchmark:
        "results/benchmarks/epgan/{model}/evaluate.tsv"
    conda:
        env("epgan")
    threads: 1
    resources:
        mem_mb=lambda w: res("epgan_evaluate", "mem_mb", 4000),
        runtime=lambda w: res("epgan_evaluate", "runtime", 30),
    params:
        sim_dt_ms=EP_SIM_DT,
        sim_batch=EP_SIM_BATCH,
    script:
        "../scripts/epgan_evaluate.py"


rule epgan_ablation_input:
    input:
        model=f"results/epgan/{{model}}/{EP_MAIN}/model.pt",
        test="results/hh/{model}/test.h5",
    output:
        "results/epgan/{model}/ablation_input.csv",
    log:
        "results/logs/epgan/{model}/ablation_input.log",
    benchmark:
        "results/benchmarks/epgan/{model}/ablation_input.tsv"
    conda:
        env("epgan")
    threads: lambda w: res("epgan_ablation_input", "threads", 1)
    resources:
        mem_mb=lambda w: res("epgan_ablation_input", "mem_mb", 4000),
        runtime=lambda w: res("epgan_ablation_input", "runtime", 60),
    params:
        traces_kept=EP["input_ablation"]["traces_kept"],
        iv_removed=EP["input_ablation"]["iv_removed"],
        sim_dt_ms=EP_SIM_DT,
        sim_batch=EP_SIM_BATCH,
    script:
        "../scripts/epgan_ablation_input.py"


rule epgan_ablation_loss:
    input:
        predictions=expand(
            "results/epgan/{model}/{variant}/predictions.npz",
            variant=EP_ABL_VARIANTS,
            allow_missing=True,
        ),
        input_ablation="results/epgan/{model}/ablation_input.csv",
        test="results/hh/{model}/test.h5",
    output:
        table="results/epgan/{model}/ablation_loss.csv",
        figure=report(
            "results/epgan/{model}/ablations.png",
            category="EP-GAN",
            subcategory="{model}",
            caption="../../report/epgan_ablations.rst",
            labels={"figure": "ablations", "stage": "epgan", "model": "{model}", "variant": "all"},
        ),
    log:
        "results/logs/epgan/{model}/ablation_loss.log",
    benchmark:
        "results/benchmarks/epgan/{model}/ablation_loss.tsv"
    conda:
        env("epgan")
    threads: 1
    resources:
        mem_mb=lambda w: res("epgan_ablation_loss", "mem_mb", 4000),
        runtime=lambda w: res("epgan_ablation_loss", "runtime", 30),
    params:
        variants=EP_ABL_VARIANTS,
        losses=canonical({v: EP_VARIANTS[v] for v in EP_ABL_VARIANTS}),
        sim_dt_ms=EP_SIM_DT,
    script:
        "../scripts/epgan_ablation_loss.py"


rule epgan_speed:
    input:
        model=f"results/epgan/{{model}}/{EP_MAIN}/model.pt",
    output:
        "results/epgan/{model}/speed.csv",
    log:
        "results/logs/epgan/{model}/speed.log",
    benchmark:
        "results/benchmarks/epgan/{model}/speed.tsv"
    conda:
        env("epgan")
    threads: lambda w: res("epgan_speed", "threads", 2)
    resources:
        mem_mb=lambda w: res("epgan_speed", "mem_mb", 8000),
        runtime=lambda w: res("epgan_speed", "runtime", 30),
        gpu=gpus("epgan_speed"),
    params:
        n=EP["speed_n"],
        device=config["device"],
    script:
        "../scripts/epgan_speed.py"


rule epgan_plots:
    input:
        "results/epgan/{model}/{variant}/history.csv",
    output:
        report(
            "results/epgan/{model}/{variant}/training.png",
            category="EP-GAN",
            subcategory="{model}",
            caption="../../report/epgan_training.rst",
            labels={"figure": "training curves", "stage": "epgan", "model": "{model}", "variant": "{variant}"},
        ),
    log:
        "results/logs/epgan/{model}/plots_{variant}.log",
    benchmark:
        "results/benchmarks/epgan/{model}/plots_{variant}.tsv"
    conda:
        env("plots")
    threads: 1
    resources:
        mem_mb=lambda w: res("epgan_plots", "mem_mb", 2000),
        runtime=lambda w: res("epgan_plots", "runtime", 10),
    script:
        "../scripts/epgan_plots.py"


rule epgan_recorded:
    input:
        model=f"results/epgan/{{model}}/{EP_MAIN}/model.pt",
        cclamp=lambda w: EP_RECORDED[w.cell]["cclamp"],
        vclamp=lambda w: EP_RECORDED[w.cell]["vclamp"],
    output:
        params="results/epgan/{model}/recorded/{cell}_params.csv",
        traces="results/epgan/{model}/recorded/{cell}_traces.npz",
    log:
        "results/logs/epgan/{model}/recorded_{cell}.log",
    benchmark:
        "results/benchmarks/epgan/{model}/recorded_{cell}.tsv"
    conda:
        env("epgan")
    threads: 1
    resources:
        mem_mb=lambda w: res("epgan_recorded", "mem_mb", 2000),
        runtime=lambda w: res("epgan_recorded", "runtime", 30),
    params:
        cell=lambda w: EP_RECORDED[w.cell],
        sim_dt_ms=EP_SIM_DT,
    script:
        "../scripts/epgan_recorded.py"


add_targets(
    "epgan",
    expand(
        "results/epgan/{model}/{f}",
        model=EP_MODELS,
        f=[
            "per_neuron.csv",
            "summary.csv",
            "overlays.png",
            "errors.png",
            "ablation_input.csv",
            "speed.csv",
            f"{EP_MAIN}/training.png",
        ]
        + (["ablation_loss.csv", "ablations.png"] if EP_ABL_VARIANTS else []),
    )
    + expand(
        "results/epgan/{model}/recorded/{cell}_params.csv",
        model=EP_MODELS,
        cell=list(EP_RECORDED),
    ),
)
