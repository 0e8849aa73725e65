# Stage: hh. EP-GAN's training data from the Hodgkin-Huxley model of C. elegans non-spiking neurons.
#   hh_shard:   one job per model x shard: sample -> steady-state dI/dV filter (type-balanced)
#               -> current clamp -> (-100, 150) mV filter. Finished shards are kept: a rerun
#               after an interruption only redoes the missing ones.
#   hh_merge:   train.h5 / test.h5 (type-balanced held-out set, Gaussian noise), acceptance.csv
#   hh_figures: example traces and I-V per type vs the reference curves; parameter histograms
wildcard_constraints:
    model="small|large",
    shard="[0-9]+",


rule hh_shard:
    input:
        table=HH["table"],
        bounds=HH["iv_bounds"],
    output:
        "results/hh/{model}/shards/{shard}.npz",
    log:
        "results/logs/hh/{model}/shard_{shard}.log",
    benchmark:
        "results/benchmarks/hh/{model}/shard_{shard}.tsv"
    priority: PRIORITY["epgan_chain"]
    conda:
        env("hh")
    threads: lambda w: res("hh_shard", "threads", HH["shard_threads"])
    resources:
        mem_mb=lambda w: res("hh_shard", "mem_mb", 4000),
        runtime=lambda w: res("hh_shard", "runtime", 120),
        gpu=gpus("hh_shard"),
    params:
        hh=hh_shard_params(),
        seed=config["seed"],
        device=config["device"],
    script:
        "../scripts/hh_shard.py"


rule hh_merge:
    input:
        table=HH["table"],
        shards=expand(
            "results/hh/{model}/shards/{shard}.npz",
            shard=HH_SHARDS,
            allow_missing=True,
        ),
    output:
        train="results/hh/{model}/train.h5",
        test="results/hh/{model}/test.h5",
        acceptance="results/hh/{model}/acceptance.csv",
    log:
        "results/logs/hh/{model}/merge.log",
    benchmark:
        "results/benchmarks/hh/{model}/merge.tsv"
    priority: PRIORITY["epgan_chain"]
    conda:
        env("hh")
    threads: 1
    resources:
        mem_mb=lambda w: res("hh_merge", "mem_mb", 8000),
        runtime=lambda w: res("hh_merge", "runtime", 30),
    params:
        n_test=HH["n_test"],
        noise_mV=HH["noise_mV"],
        amplitudes=canonical(HH["amplitudes_pA"]),
        dt_ms=HH["dt_ms"],
        seed=config["seed"],
    script:
        "../scripts/hh_merge.py"


rule hh_figures:
    input:
        train="results/hh/{model}/train.h5",
        shards=expand(
            "results/hh/{model}/shards/{shard}.npz",
            shard=HH_SHARDS,
            allow_missing=True,
        ),
        table=HH["table"],
        # the published I-V curves are reference data, not shipped: drawn when the file exists
        reference=lambda w: [p] if os.path.exists(p := HH["reference_iv"]) else [],
    output:
        examples=report(
            "results/hh/{model}/examples.png",
            category="HH training data",
            subcategory="{model}",
            caption="../../report/hh_examples.rst",
            labels={"figure": "example responses", "stage": "hh", "model": "{model}"},
        ),
        histograms=report(
            "results/hh/{model}/param_histograms.png",
            category="HH training data",
            subcategory="{model}",
            caption="../../report/hh_histograms.rst",
            labels={"figure": "parameter histograms", "stage": "hh", "model": "{model}"},
        ),
    log:
        "results/logs/hh/{model}/figures.log",
    benchmark:
        "results/benchmarks/hh/{model}/figures.tsv"
    conda:
        env("hh")
    threads: 1
    resources:
        mem_mb=lambda w: res("hh_figures", "mem_mb", 4000),
        runtime=lambda w: res("hh_figures", "runtime", 10),
    params:
        seed=config["seed"],
    script:
        "../scripts/hh_figures.py"


add_targets(
    "hh",
    expand(
        "results/hh/{model}/{f}",
        model=HH_MODELS,
        f=[
            "train.h5",
            "test.h5",
            "acceptance.csv",
            "examples.png",
            "param_histograms.png",
        ],
    ),
)
