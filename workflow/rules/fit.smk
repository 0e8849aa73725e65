# Stage: fit. Evolutionary fitting baselines (NSGA-II, DEMO, GDE3, NSDE), amortised inference
# (NPE, sbi), lookups of the training file (nn, knn_sim), EP-GAN and EP-GAN + local refinement
# (NSDE seeded with its candidates), all scored by one function at the hh stage's step, every simulation counted (docs/fit.md).
#   fit_targets:   which test neurons are fitted (per_type of each type, or explicit rows)
#   fit_npe_train: NPE on the first (total budget) training simulations (one per model x budget)
#   fit_search:    one job per model x budget: every evolutionary method on every target neuron side
#                  by side, each generation of all methods x targets simulated in one call (neurogen.fit.lockstep)
#   fit_npe:       one job per model x budget: NPE's candidates for every target neuron, simulated in one call
#   fit_refine:    one job per model, every target: NSDE seeded with EP-GAN's candidates (fit.refine.budget)
#   fit_score:     per model: every method's final parameters simulated and scored, counts -> scored.csv
#   fit_merge:     comparison.csv, medians.csv, cost.csv
#   fit_plots:     RMSE per method and budget; cost curve T(N)


wildcard_constraints:
    model="small|large",
    method="[a-z0-9]+",
    budget="[0-9]+",
    target="[0-9]+",


rule fit_targets:
    input:
        test="results/hh/{model}/test.h5",
    output:
        "results/fit/{model}/targets.csv",
    log:
        "results/logs/fit/{model}/targets.log",
    benchmark:
        "results/benchmarks/fit/{model}/targets.tsv"
    conda:
        env("fit")
    threads: 1
    resources:
        mem_mb=lambda w: res("fit_targets", "mem_mb", 1000),
        runtime=lambda w: res("fit_targets", "runtime", 10),
    params:
        targets=canonical(FT["targets"]),
        seed=config["seed"],
    script:
        "../scripts/fit_targets.py"


rule fit_npe_train:
    input:
        train="results/hh/{model}/train.h5",
        table=config["hh"]["table"],
    output:
        "results/fit/{model}/npe/b{budget}/posterior.pt",
    log:
        "results/logs/fit/{model}/npe_train_b{budget}.log",
    benchmark:
        "results/benchmarks/fit/{model}/npe_train_b{budget}.tsv"
    conda:
        env("fit")
    threads: lambda w: res("fit_npe_train", "threads", FT["threads"])
    resources:
        mem_mb=lambda w: res("fit_npe_train", "mem_mb", 4000),
        runtime=lambda w: res("fit_npe_train", "runtime", 120),
        gpu=gpus("fit_npe_train"),
    params:
        npe=canonical({k: v for k, v in FT["npe"].items() if k not in ("k", "map")}),
        n_sims=lambda w: fit_total_budget(w.budget),
        seed=config["seed"],
    script:
        "../scripts/fit_npe_train.py"


if FIT_EVO:

    rule fit_search:
        input:
            unpack(fit_bounds_input),
            test="results/hh/{model}/test.h5",
            targets="results/fit/{model}/targets.csv",
            table=config["hh"]["table"],
        output:
            results=fit_search_files(FIT_EVO, ".json"),
            candidates=fit_search_files(FIT_EVO, "_candidates.npz"),
        log:
            "results/logs/fit/{model}/b{budget}/search.log",
        benchmark:
            "results/benchmarks/fit/{model}/b{budget}/search.tsv"
        priority: PRIORITY["fit"]
        conda:
            env("fit")
        threads: lambda w: res("fit_search", "threads", FT["threads"])
        resources:
            mem_mb=lambda w: res("fit_search", "mem_mb", 4000),
            runtime=lambda w: res("fit_search", "runtime", 480),
            gpu=gpus("fit_search"),
        params:
            methods=FIT_EVO,
            fit=fit_search_block(FIT_EVO),
            sim=fit_sim_settings(),
            device=config["device"],
            seed=config["seed"],
        script:
            "../scripts/fit_search.py"


if "npe" in FT["algorithms"]:

    rule fit_npe:
        input:
            unpack(fit_bounds_input),
            unpack(fit_posterior_input),
            test="results/hh/{model}/test.h5",
            targets="results/fit/{model}/targets.csv",
            table=config["hh"]["table"],
        output:
            results=fit_search_files(["npe"], ".json"),
            candidates=fit_search_files(["npe"], "_candidates.npz"),
        log:
            "results/logs/fit/{model}/b{budget}/npe.log",
        benchmark:
            "results/benchmarks/fit/{model}/b{budget}/npe.tsv"
        priority: PRIORITY["fit"]
        conda:
            env("fit")
        threads: lambda w: res("fit_npe", "threads", FT["threads"])
        resources:
            mem_mb=lambda w: res("fit_npe", "mem_mb", 4000),
            runtime=lambda w: res("fit_npe", "runtime", 120),
            gpu=gpus("fit_npe"),
        params:
            methods=["npe"],
            fit=fit_search_block(["npe"]),
            sim=fit_sim_settings(),
            device=config["device"],
            seed=config["seed"],
        script:
            "../scripts/fit_search.py"


rule fit_refine:
    input:
        unpack(fit_bounds_input),
        candidates=lambda w: fit_epgan_path("candidates", w.model),
        test="results/hh/{model}/test.h5",
        targets="results/fit/{model}/targets.csv",
        table=config["hh"]["table"],
    output:
        results=fit_target_files("results/fit/{{model}}/refine/t{target}.json"),
        candidates=fit_target_files("results/fit/{{model}}/refine/t{target}_candidates.npz"),
    log:
        "results/logs/fit/{model}/refine.log",
    benchmark:
        "results/benchmarks/fit/{model}/refine.tsv"
    priority: PRIORITY["fit"]
    conda:
        env("fit")
    threads: lambda w: res("fit_refine", "threads", FT["threads"])
    resources:
        mem_mb=lambda w: res("fit_refine", "mem_mb", 4000),
        runtime=lambda w: res("fit_refine", "runtime", 120),
        gpu=gpus("fit_refine"),
    params:
        refine=canonical({k: FT["refine"][k] for k in ("budget", "CR", "F")}),
        k=fit_epgan_k(),
        sim=fit_sim_settings(),
        device=config["device"],
        seed=config["seed"],
    script:
        "../scripts/fit_refine.py"


rule fit_score:
    input:
        unpack(fit_score_inputs),
        targets="results/fit/{model}/targets.csv",
        test="results/hh/{model}/test.h5",
        train="results/hh/{model}/train.h5",
        acceptance="results/hh/{model}/acceptance.csv",
        table=config["hh"]["table"],
    output:
        "results/fit/{model}/scored.csv",
    log:
        "results/logs/fit/{model}/score.log",
    benchmark:
        "results/benchmarks/fit/{model}/score.tsv"
    conda:
        env("fit")
    threads: lambda w: res("fit_score", "threads", FT["threads"])
    resources:
        mem_mb=lambda w: res("fit_score", "mem_mb", 4000),
        runtime=lambda w: res("fit_score", "runtime", 60),
        gpu=gpus("fit_score"),
    params:
        epgan=canonical({k: FT["epgan"][k] for k in ("enabled", "method")}),
        lookups=FT["lookups"],
        k=fit_epgan_k(),
        epgan_n_train=config["epgan"]["train"]["n_train"],
        sim=fit_sim_settings(),
        device=config["device"],
    script:
        "../scripts/fit_score.py"


rule fit_merge:
    input:
        scored=expand("results/fit/{model}/scored.csv", model=FT["models"]),
    output:
        comparison="results/fit/comparison.csv",
        medians="results/fit/medians.csv",
        cost="results/fit/cost.csv",
    log:
        "results/logs/fit/merge.log",
    benchmark:
        "results/benchmarks/fit/merge.tsv"
    conda:
        env("fit")
    threads: 1
    resources:
        mem_mb=lambda w: res("fit_merge", "mem_mb", 2000),
        runtime=lambda w: res("fit_merge", "runtime", 10),
    script:
        "../scripts/fit_merge.py"


rule fit_plots:
    input:
        comparison="results/fit/comparison.csv",
        cost="results/fit/cost.csv",
    output:
        rmse=report(
            "results/fit/rmse.png",
            category="Fitting vs EP-GAN",
            caption="../../report/fit_rmse.rst",
            labels={"figure": "RMSE per method and budget", "stage": "fit"},
        ),
        cost=report(
            "results/fit/cost_curve.png",
            category="Fitting vs EP-GAN",
            caption="../../report/fit_cost.rst",
            labels={"figure": "cost curve", "stage": "fit"},
        ),
    log:
        "results/logs/fit/plots.log",
    benchmark:
        "results/benchmarks/fit/plots.tsv"
    conda:
        env("plots")
    threads: 1
    resources:
        mem_mb=lambda w: res("fit_plots", "mem_mb", 2000),
        runtime=lambda w: res("fit_plots", "runtime", 10),
    script:
        "../scripts/fit_plots.py"


add_targets(
    "fit",
    [
        "results/fit/comparison.csv",
        "results/fit/medians.csv",
        "results/fit/cost.csv",
        "results/fit/rmse.png",
        "results/fit/cost_curve.png",
    ],
)
