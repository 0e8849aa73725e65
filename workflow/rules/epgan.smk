# Stage: epgan (see docs/epgan.md). EP-GAN trained on the hh stage's simulated neurons, evaluated on
# its held-out test neurons against two baselines, with input and loss ablations and speed.
#   epgan_train      (GPU-tagged) one job per HH model × loss variant; checkpoint each epoch
#   epgan_infer      single-pass inference + the published selection over epochs (test inputs)
#   epgan_baselines  default parameter set; nearest neighbour of the training set by input
#   epgan_evaluate   per-neuron / per-type errors (the test neurons' truth is read here), figures
#   epgan_ablation_input, epgan_ablation_loss, epgan_speed, epgan_plots, epgan_recorded
EP = config.get("epgan", {})
EP_DIR = "results/epgan/{model}"
EP_MODELS = EP.get("models", ["small"])
EP_TRAIN = EP.get("train", {})
EP_LOSSES = EP_TRAIN.get("losses", {"adversarial": 1.0, "iv": 1.0, "voltage": 1.0})
# the loss ablation: adversarial only, + I–V, + membrane potential (= the main model, "full")
EP_VARIANTS = {
    "full": EP_LOSSES,
    "adv": {"adversarial": EP_LOSSES.get("adversarial", 1.0), "iv": 0.0, "voltage": 0.0},
    "adv_iv": {"adversarial": EP_LOSSES.get("adversarial", 1.0), "iv": EP_LOSSES.get("iv", 1.0), "voltage": 0.0},
}
EP_ABL = EP.get("loss_ablation", {"enabled": True})
EP_ABL_VARIANTS = ["adv", "adv_iv", "full"] if EP_ABL.get("enabled", True) else []
EP_SIM_DT = EP.get("sim_dt_ms")      # null: the dt_ms the dataset was simulated with
EP_SIM_BATCH = EP.get("sim_batch", 2000)
EP_RECORDED = EP.get("recorded", {})


wildcard_constraints:
    variant="full|adv|adv_iv",
    cell="[A-Za-z0-9_.\-]+",


def ep_train_cfg(w):
    t = dict(EP_TRAIN)
    t["losses"] = EP_VARIANTS[w.variant]
    if w.variant != "full" and EP_ABL.get("epochs"):
        t["epochs"] = EP_ABL["epochs"]
    return canonical(t)


rule epgan_train:
    input:
        train="results/hh/{model}/train.h5",
        test="results/hh/{model}/test.h5",
    output:
        model=EP_DIR + "/{variant}/model.pt",
        history=EP_DIR + "/{variant}/history.csv",
        candidates=EP_DIR + "/{variant}/candidates.npz",
    params:
        train=ep_train_cfg,
        seed=config["seed"],
        device=config.get("device", "auto"),
        sim_dt_ms=EP_SIM_DT,
        ckpt=lambda w: f"results/epgan/{w.model}/{w.variant}/resume/last.pt",
    log:
        "results/logs/epgan/{model}/train_{variant}.log",
    benchmark:
        "results/benchmarks/epgan/{model}/train_{variant}.tsv"
    threads: lambda w: res("epgan_train", "threads", 2)
    resources:
        mem_mb=lambda w: res("epgan_train", "mem_mb", 4000),
        runtime=lambda w: res("epgan_train", "runtime", 120),
        gpu=gpus("epgan_train"),
    conda:
        env("epgan")
    script:
        "../scripts/epgan_train.py"


rule epgan_infer:
    input:
        model=EP_DIR + "/{variant}/model.pt",
        candidates=EP_DIR + "/{variant}/candidates.npz",
        test="results/hh/{model}/test.h5",
    output:
        EP_DIR + "/{variant}/predictions.npz",
    params:
        selection_epochs=EP.get("selection_epochs"),
        sim_dt_ms=EP_SIM_DT,
        sim_batch=EP_SIM_BATCH,
    log:
        "results/logs/epgan/{model}/infer_{variant}.log",
    benchmark:
        "results/benchmarks/epgan/{model}/infer_{variant}.tsv"
    threads: lambda w: res("epgan_infer", "threads", 2)
    resources:
        mem_mb=lambda w: res("epgan_infer", "mem_mb", 4000),
        runtime=lambda w: res("epgan_infer", "runtime", 60),
    conda:
        env("epgan")
    script:
        "../scripts/epgan_infer.py"


rule epgan_baselines:
    input:
        train="results/hh/{model}/train.h5",
        test="results/hh/{model}/test.h5",
    output:
        EP_DIR + "/baselines.npz",
    params:
        sim_dt_ms=EP_SIM_DT,
        sim_batch=EP_SIM_BATCH,
        n_train=0,                # the whole training file
    log:
        "results/logs/epgan/{model}/baselines.log",
    benchmark:
        "results/benchmarks/epgan/{model}/baselines.tsv"
    threads: lambda w: res("epgan_baselines", "threads", 2)
    resources:
        mem_mb=lambda w: res("epgan_baselines", "mem_mb", 4000),
        runtime=lambda w: res("epgan_baselines", "runtime", 60),
    conda:
        env("epgan")
    script:
        "../scripts/epgan_baselines.py"


rule epgan_evaluate:
    input:
        predictions=EP_DIR + "/full/predictions.npz",
        baselines=EP_DIR + "/baselines.npz",
        test="results/hh/{model}/test.h5",
    output:
        per_neuron=EP_DIR + "/per_neuron.csv",
        summary=EP_DIR + "/summary.csv",
        overlays=report(EP_DIR + "/overlays.png", category="EP-GAN", subcategory="{model}",
                        caption="../../report/epgan_overlays.rst"),
        errors=report(EP_DIR + "/errors.png", category="EP-GAN", subcategory="{model}",
                      caption="../../report/epgan_errors.rst"),
    params:
        sim_dt_ms=EP_SIM_DT,
        sim_batch=EP_SIM_BATCH,
    log:
        "results/logs/epgan/{model}/evaluate.log",
    benchmark:
        "results/benchmarks/epgan/{model}/evaluate.tsv"
    threads: 1
    resources:
        mem_mb=lambda w: res("epgan_evaluate", "mem_mb", 4000),
        runtime=lambda w: res("epgan_evaluate", "runtime", 30),
    conda:
        env("epgan")
    script:
        "../scripts/epgan_evaluate.py"


rule epgan_ablation_input:
    input:
        model=EP_DIR + "/full/model.pt",
        test="results/hh/{model}/test.h5",
    output:
        EP_DIR + "/ablation_input.csv",
    params:
        traces_kept=EP.get("input_ablation", {}).get("traces_kept", [0.75, 0.5, 0.25]),
        iv_removed=EP.get("input_ablation", {}).get("iv_removed", [0.25, 0.5, 0.75]),
        sim_dt_ms=EP_SIM_DT,
        sim_batch=EP_SIM_BATCH,
    log:
        "results/logs/epgan/{model}/ablation_input.log",
    benchmark:
        "results/benchmarks/epgan/{model}/ablation_input.tsv"
    threads: lambda w: res("epgan_ablation_input", "threads", 2)
    resources:
        mem_mb=lambda w: res("epgan_ablation_input", "mem_mb", 4000),
        runtime=lambda w: res("epgan_ablation_input", "runtime", 60),
    conda:
        env("epgan")
    script:
        "../scripts/epgan_ablation_input.py"


rule epgan_ablation_loss:
    input:
        predictions=expand(EP_DIR + "/{variant}/predictions.npz", variant=EP_ABL_VARIANTS, allow_missing=True),
        input_ablation=EP_DIR + "/ablation_input.csv",
        test="results/hh/{model}/test.h5",
    output:
        table=EP_DIR + "/ablation_loss.csv",
        figure=report(EP_DIR + "/ablations.png", category="EP-GAN", subcategory="{model}",
                      caption="../../report/epgan_ablations.rst"),
    params:
        variants=EP_ABL_VARIANTS,
        losses=canonical({v: EP_VARIANTS[v] for v in EP_ABL_VARIANTS}),
        sim_dt_ms=EP_SIM_DT,
    log:
        "results/logs/epgan/{model}/ablation_loss.log",
    benchmark:
        "results/benchmarks/epgan/{model}/ablation_loss.tsv"
    threads: 1
    resources:
        mem_mb=lambda w: res("epgan_ablation_loss", "mem_mb", 4000),
        runtime=lambda w: res("epgan_ablation_loss", "runtime", 30),
    conda:
        env("epgan")
    script:
        "../scripts/epgan_ablation_loss.py"


rule epgan_speed:
    input:
        model=EP_DIR + "/full/model.pt",
    output:
        EP_DIR + "/speed.csv",
    params:
        n=EP.get("speed_n", [1, 9, 279, 10000]),
        device=config.get("device", "auto"),
    log:
        "results/logs/epgan/{model}/speed.log",
    benchmark:
        "results/benchmarks/epgan/{model}/speed.tsv"
    threads: lambda w: res("epgan_speed", "threads", 2)
    resources:
        mem_mb=lambda w: res("epgan_speed", "mem_mb", 8000),
        runtime=lambda w: res("epgan_speed", "runtime", 30),
        gpu=gpus("epgan_speed"),
    conda:
        env("epgan")
    script:
        "../scripts/epgan_speed.py"


rule epgan_plots:
    input:
        EP_DIR + "/{variant}/history.csv",
    output:
        report(EP_DIR + "/{variant}/training.png", category="EP-GAN", subcategory="{model}",
               caption="../../report/epgan_training.rst"),
    log:
        "results/logs/epgan/{model}/plots_{variant}.log",
    benchmark:
        "results/benchmarks/epgan/{model}/plots_{variant}.tsv"
    threads: 1
    resources:
        mem_mb=lambda w: res("epgan_plots", "mem_mb", 2000),
        runtime=lambda w: res("epgan_plots", "runtime", 10),
    conda:
        env("plots")
    script:
        "../scripts/epgan_plots.py"


rule epgan_recorded:
    input:
        model=EP_DIR + "/full/model.pt",
        cclamp=lambda w: EP_RECORDED[w.cell]["cclamp"],
        vclamp=lambda w: EP_RECORDED[w.cell]["vclamp"],
    output:
        params=EP_DIR + "/recorded/{cell}_params.csv",
        traces=EP_DIR + "/recorded/{cell}_traces.npz",
    params:
        cell=lambda w: EP_RECORDED[w.cell],
        sim_dt_ms=EP_SIM_DT,
    log:
        "results/logs/epgan/{model}/recorded_{cell}.log",
    benchmark:
        "results/benchmarks/epgan/{model}/recorded_{cell}.tsv"
    threads: 1
    resources:
        mem_mb=lambda w: res("epgan_recorded", "mem_mb", 2000),
        runtime=lambda w: res("epgan_recorded", "runtime", 30),
    conda:
        env("epgan")
    script:
        "../scripts/epgan_recorded.py"


add_targets(
    "epgan",
    expand(EP_DIR + "/{f}", model=EP_MODELS,
           f=["per_neuron.csv", "summary.csv", "overlays.png", "errors.png", "ablation_input.csv",
              "speed.csv", "full/training.png"]
             + (["ablation_loss.csv", "ablations.png"] if EP_ABL_VARIANTS else []))
    + expand(EP_DIR + "/recorded/{cell}_params.csv", model=EP_MODELS, cell=list(EP_RECORDED)),
)
