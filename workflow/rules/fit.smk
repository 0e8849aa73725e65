# Stage: fit. Evolutionary fitting baselines (NSGA-II, DEMO, GDE3, NSDE) and amortised inference
# (NPE, sbi) of the hh stage's test neurons, compared with EP-GAN at equal simulation budgets.
#   fit_targets:   which test neurons are fitted (per_type of each type, or explicit rows)
#   fit_npe_train: NPE on the first {budget} training simulations (one per model x budget)
#   fit_neuron:    one job per model x budget x method x target neuron (a cluster runs them side by side)
#   fit_merge:     comparison.csv, medians.csv, cost.csv (+ EP-GAN rows when configured)
#   fit_plots:     RMSE per method and budget; cost curve T(N)
FT = config.get("fit", {})
FT_DIR = "results/fit/{model}"


def fit_n_targets():
    t = FT.get("targets", {"per_type": 3})
    return len(t["indices"]) if t.get("indices") is not None else 3 * int(t.get("per_type", 3))


def fit_block(method):
    """The config values one method's jobs use (so a change reruns only that method's jobs)."""
    if method == "npe":
        keys = ("npe",)
    elif method == "demo":
        keys = ("pop_size", "CR", "F", "demo_batches")
    elif method == "nsga2":
        keys = ("pop_size",)
    else:
        keys = ("pop_size", "CR", "F")
    return canonical({k: FT[k] for k in keys if k in FT})


def fit_sim_settings():
    hh = config.get("hh", {})
    out = {"chunk": FT.get("sim_chunk", 256)}
    if hh.get("dt_ms") is not None:
        out["dt_ms"] = hh["dt_ms"]
    return canonical(out)


def fit_bounds_input(w):
    b = FT.get("didv_bounds")
    return {"bounds": b} if b else {}


def fit_posterior_input(w):
    if w.method == "npe":
        return {"posterior": f"results/fit/{w.model}/npe/b{w.budget}/posterior.pt"}
    return {}


def fit_results():
    return expand(FT_DIR + "/b{budget}/{method}/t{target}.json", model=FT.get("models", ["small"]),
                  budget=FT.get("budgets", [32000]), method=FT.get("algorithms", []),
                  target=range(fit_n_targets()))


def fit_epgan_inputs():
    """EP-GAN's files, only when fit.epgan.enabled (the fit stage also runs without epgan)."""
    ep = FT.get("epgan", {})
    models = FT.get("models", ["small"])
    if not ep.get("enabled", False):
        return {}
    return {"epgan_per_neuron": [ep.get("per_neuron", "results/epgan/{model}/per_neuron.csv").format(model=m)
                                 for m in models],
            "epgan_history": [ep.get("history", "results/epgan/{model}/full/history.csv").format(model=m)
                              for m in models],
            "train": [f"results/hh/{m}/train.h5" for m in models]}


wildcard_constraints:
    model="small|large",
    method="[a-z0-9]+",
    budget="[0-9]+",
    target="[0-9]+",


rule fit_targets:
    input:
        test="results/hh/{model}/test.h5",
    output:
        FT_DIR + "/targets.csv",
    params:
        targets=canonical(FT.get("targets", {"per_type": 3})),
        n_targets=fit_n_targets(),
        seed=config["seed"],
    log:
        "results/logs/fit/{model}/targets.log",
    benchmark:
        "results/benchmarks/fit/{model}/targets.tsv"
    threads: 1
    resources:
        mem_mb=lambda w: res("fit_targets", "mem_mb", 1000),
        runtime=lambda w: res("fit_targets", "runtime", 10),
    conda:
        env("fit")
    script:
        "../scripts/fit_targets.py"


rule fit_npe_train:
    input:
        train="results/hh/{model}/train.h5",
        table="resources/hh/params.csv",
    output:
        FT_DIR + "/npe/b{budget}/posterior.pt",
    params:
        npe=canonical({k: v for k, v in FT.get("npe", {}).items() if k not in ("k", "map")}),
        seed=config["seed"],
    log:
        "results/logs/fit/{model}/npe_train_b{budget}.log",
    benchmark:
        "results/benchmarks/fit/{model}/npe_train_b{budget}.tsv"
    threads: lambda w: res("fit_npe_train", "threads", FT.get("threads", 1))
    resources:
        mem_mb=lambda w: res("fit_npe_train", "mem_mb", 4000),
        runtime=lambda w: res("fit_npe_train", "runtime", 120),
        gpu=gpus("fit_npe_train"),
    conda:
        env("fit")
    script:
        "../scripts/fit_npe_train.py"


rule fit_neuron:
    input:
        unpack(fit_bounds_input),
        unpack(fit_posterior_input),
        test="results/hh/{model}/test.h5",
        targets=FT_DIR + "/targets.csv",
        table="resources/hh/params.csv",
    output:
        result=FT_DIR + "/b{budget}/{method}/t{target}.json",
        candidates=FT_DIR + "/b{budget}/{method}/t{target}_candidates.npz",
    params:
        fit=lambda w: fit_block(w.method),
        sim=fit_sim_settings(),
        device=config.get("device", "auto"),
        seed=config["seed"],
    log:
        "results/logs/fit/{model}/b{budget}/{method}/t{target}.log",
    benchmark:
        "results/benchmarks/fit/{model}/b{budget}/{method}/t{target}.tsv"
    threads: lambda w: res("fit_neuron", "threads", FT.get("threads", 1))
    resources:
        mem_mb=lambda w: res("fit_neuron", "mem_mb", 4000),
        runtime=lambda w: res("fit_neuron", "runtime", 240),
        gpu=gpus("fit_neuron"),
    conda:
        env("fit")
    script:
        "../scripts/fit_neuron.py"


rule fit_merge:
    input:
        unpack(lambda w: fit_epgan_inputs()),
        results=fit_results(),
        targets=expand(FT_DIR + "/targets.csv", model=FT.get("models", ["small"])),
    output:
        comparison="results/fit/comparison.csv",
        medians="results/fit/medians.csv",
        cost="results/fit/cost.csv",
    params:
        models=FT.get("models", ["small"]),
        epgan=lambda w: canonical(FT.get("epgan", {})),
        epgan_enabled=FT.get("epgan", {}).get("enabled", False),
        # candidates per neuron that EP-GAN's selection simulates (the last selection_epochs epochs)
        epgan_selection_k=min(int(config.get("epgan", {}).get("selection_epochs") or 10**9),
                              int(config.get("epgan", {}).get("train", {}).get("epochs", 1))),
    log:
        "results/logs/fit/merge.log",
    benchmark:
        "results/benchmarks/fit/merge.tsv"
    threads: 1
    resources:
        mem_mb=lambda w: res("fit_merge", "mem_mb", 2000),
        runtime=lambda w: res("fit_merge", "runtime", 10),
    conda:
        env("fit")
    script:
        "../scripts/fit_merge.py"


rule fit_plots:
    input:
        comparison="results/fit/comparison.csv",
        cost="results/fit/cost.csv",
    output:
        rmse=report("results/fit/rmse.png", category="Fitting vs EP-GAN",
                    caption="../../report/fit_rmse.rst"),
        cost=report("results/fit/cost_curve.png", category="Fitting vs EP-GAN",
                    caption="../../report/fit_cost.rst"),
    log:
        "results/logs/fit/plots.log",
    benchmark:
        "results/benchmarks/fit/plots.tsv"
    threads: 1
    resources:
        mem_mb=lambda w: res("fit_plots", "mem_mb", 2000),
        runtime=lambda w: res("fit_plots", "runtime", 10),
    conda:
        env("plots")
    script:
        "../scripts/fit_plots.py"


if FT:
    add_targets("fit", ["results/fit/comparison.csv", "results/fit/medians.csv", "results/fit/cost.csv",
                        "results/fit/rmse.png", "results/fit/cost_curve.png"])
