# Stage: hh. EP-GAN's training data from the Hodgkin-Huxley model of C. elegans non-spiking neurons.
#   hh_shard:   one job per model x shard: sample -> steady-state dI/dV filter (type-balanced)
#               -> current clamp -> (-100, 150) mV filter. Finished shards are kept: a rerun
#               after an interruption only redoes the missing ones.
#   hh_merge:   train.h5 / test.h5 (type-balanced held-out set, Gaussian noise), acceptance.csv
#   hh_figures: example traces and I-V per type vs the reference curves; parameter histograms
HH = config.get("hh", {})
HH_DIR = "results/hh/{model}"
HH_MODELS = HH.get("models", ["small"])
HH_SHARDS = list(range(int(HH.get("shards", 1))))


wildcard_constraints:
    model="small|large",
    shard="[0-9]+",


def hh_shard_params():
    keys = ["table", "iv_bounds", "n_accepted", "shards", "max_candidates_per_shard", "chunk",
            "oversample", "amplitudes_pA", "dt_ms", "batch_size", "conductance_skew",
            "conductance_scale", "precision"]
    return canonical({k: HH.get(k) for k in keys})


rule hh_shard:
    input:
        table=HH.get("table", "resources/hh/params.csv"),
        bounds=HH.get("iv_bounds", "resources/hh/iv_bounds.csv"),
    output:
        HH_DIR + "/shards/{shard}.npz",
    params:
        hh=hh_shard_params(),
        seed=config["seed"],
        device=config.get("device", "auto"),
    log:
        "results/logs/hh/{model}/shard_{shard}.log",
    benchmark:
        "results/benchmarks/hh/{model}/shard_{shard}.tsv"
    threads: lambda w: res("hh_shard", "threads", HH.get("shard_threads", 1))
    resources:
        mem_mb=lambda w: res("hh_shard", "mem_mb", 4000),
        runtime=lambda w: res("hh_shard", "runtime", 120),
        gpu=gpus("hh_shard"),
    conda:
        env("hh")
    script:
        "../scripts/hh_shard.py"


rule hh_merge:
    input:
        table=HH.get("table", "resources/hh/params.csv"),
        shards=expand(HH_DIR + "/shards/{shard}.npz", shard=HH_SHARDS, allow_missing=True),
    output:
        train=HH_DIR + "/train.h5",
        test=HH_DIR + "/test.h5",
        acceptance=HH_DIR + "/acceptance.csv",
    params:
        n_test=HH.get("n_test", 200),
        noise_mV=HH.get("noise_mV", 1.0),
        amplitudes=canonical(HH.get("amplitudes_pA")),
        dt_ms=HH.get("dt_ms", 0.5),
        seed=config["seed"],
    log:
        "results/logs/hh/{model}/merge.log",
    benchmark:
        "results/benchmarks/hh/{model}/merge.tsv"
    threads: 1
    resources:
        mem_mb=lambda w: res("hh_merge", "mem_mb", 8000),
        runtime=lambda w: res("hh_merge", "runtime", 30),
    conda:
        env("hh")
    script:
        "../scripts/hh_merge.py"


rule hh_figures:
    input:
        train=HH_DIR + "/train.h5",
        shards=expand(HH_DIR + "/shards/{shard}.npz", shard=HH_SHARDS, allow_missing=True),
        table=HH.get("table", "resources/hh/params.csv"),
        # the published I-V curves are reference data, not shipped: drawn when the file exists
        reference=lambda w: [p] if os.path.exists(p := HH.get("reference_iv", "../shared/data/hh/reference_iv.csv")) else [],
    output:
        examples=report(HH_DIR + "/examples.png", category="HH training data", subcategory="{model}",
                        caption="../../report/hh_examples.rst"),
        histograms=report(HH_DIR + "/param_histograms.png", category="HH training data",
                          subcategory="{model}", caption="../../report/hh_histograms.rst"),
    params:
        seed=config["seed"],
    log:
        "results/logs/hh/{model}/figures.log",
    benchmark:
        "results/benchmarks/hh/{model}/figures.tsv"
    threads: 1
    resources:
        mem_mb=lambda w: res("hh_figures", "mem_mb", 4000),
        runtime=lambda w: res("hh_figures", "runtime", 10),
    conda:
        env("hh")
    script:
        "../scripts/hh_figures.py"


add_targets(
    "hh",
    expand(HH_DIR + "/{f}", model=HH_MODELS,
           f=["train.h5", "test.h5", "acceptance.csv", "examples.png", "param_histograms.png"]),
)
