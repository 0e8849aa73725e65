# Stage: classify. Sweep of scaler × reducer × classifier pipelines, selection of baselines.
#   folds:  one job per dataset × scaler (scaler + reducers fit once per CV fold)
#   shards: one job per dataset × classifier (its grid on every scaler's and reducer's folds)
wildcard_constraints:
    scaler="[a-z0-9_]+",
    classifier="[a-z0-9_]+",


# one job per dataset for every scaler's folds (one start-up instead of one per scaler); the
# shards read every scaler's folds anyway
rule classify_folds:
    input:
        cells="results/data/{dataset}/cells.csv",
        splits="results/data/{dataset}/splits.csv",
    output:
        expand("results/classify/{{dataset}}/folds/{scaler}.npz", scaler=CL["scalers"]),
    log:
        "results/logs/classify/{dataset}/folds.log",
    benchmark:
        "results/benchmarks/classify/{dataset}/folds.tsv"
    priority: PRIORITY["classify_folds"]
    conda:
        env("classify")
    threads: lambda w: res("classify_folds", "threads", 1)
    resources:
        mem_mb=lambda w: res("classify_folds", "mem_mb", 2000),
        runtime=lambda w: res("classify_folds", "runtime", 60),
    params:
        scalers=CL["scalers"],
        reducers=CL_REDUCERS,
        cv_folds=CL["cv_folds"],
        seed=config["seed"],
    script:
        "../scripts/classify_folds.py"


# one job per classifier, not per scaler × classifier: the interpreter and scikit-learn start-up
# (~2 s) is paid once for all scalers; params stay per classifier, so a changed grid reruns only
# that classifier's jobs
rule classify_shard:
    input:
        lambda w: expand(
            "results/classify/{dataset}/folds/{scaler}.npz",
            dataset=w.dataset,
            scaler=CL["scalers"],
        ),
    output:
        "results/classify/{dataset}/shards/{classifier}.csv",
    log:
        "results/logs/classify/{dataset}/shard_{classifier}.log",
    benchmark:
        "results/benchmarks/classify/{dataset}/shard_{classifier}.tsv"
    priority: PRIORITY["classify"]
    conda:
        env("classify")
    threads: lambda w: res("classify_shard", "threads", CL["shard_threads"])
    resources:
        mem_mb=lambda w: res("classify_shard", "mem_mb", 2000),
        runtime=lambda w: res("classify_shard", "runtime", 120 * len(CL["scalers"])),
    params:
        grid=lambda w: canonical(CL["grids"][w.classifier]),
        seed=config["seed"],
    script:
        "../scripts/classify_shard.py"


rule classify_merge:
    input:
        lambda w: expand(
            "results/classify/{dataset}/shards/{classifier}.csv",
            dataset=w.dataset,
            classifier=CL["classifiers"],
        ),
    output:
        "results/classify/{dataset}/sweep.csv",
    log:
        "results/logs/classify/{dataset}/merge.log",
    benchmark:
        "results/benchmarks/classify/{dataset}/merge.tsv"
    priority: PRIORITY["classify"]
    conda:
        env("classify")
    threads: 1
    resources:
        mem_mb=lambda w: res("classify_merge", "mem_mb", 2000),
        runtime=lambda w: res("classify_merge", "runtime", 10),
    script:
        "../scripts/classify_merge.py"


rule classify_select:
    input:
        sweep="results/classify/{dataset}/sweep.csv",
        cells="results/data/{dataset}/cells.csv",
        splits="results/data/{dataset}/splits.csv",
    output:
        "results/classify/{dataset}/baseline.csv",
    log:
        "results/logs/classify/{dataset}/select.log",
    benchmark:
        "results/benchmarks/classify/{dataset}/select.tsv"
    priority: PRIORITY["classify"]
    conda:
        env("classify")
    threads: 1
    resources:
        mem_mb=lambda w: res("classify_select", "mem_mb", 2000),
        runtime=lambda w: res("classify_select", "runtime", 30),
    params:
        selection=canonical(CL["selection"]),
        seed=config["seed"],
    script:
        "../scripts/classify_select.py"


rule classify_plots:
    input:
        sweep="results/classify/{dataset}/sweep.csv",
        baseline="results/classify/{dataset}/baseline.csv",
    output:
        landscape=report(
            "results/classify/{dataset}/landscape.png",
            category="Classification sweep",
            subcategory="{dataset}",
            caption="../../report/landscape.rst",
            labels={"figure": "accuracy landscape", "stage": "classify", "dataset": "{dataset}"},
        ),
        distributions=report(
            "results/classify/{dataset}/accuracy_distributions.png",
            category="Classification sweep",
            subcategory="{dataset}",
            caption="../../report/distributions.rst",
            labels={"figure": "accuracy distributions", "stage": "classify", "dataset": "{dataset}"},
        ),
    log:
        "results/logs/classify/{dataset}/plots.log",
    benchmark:
        "results/benchmarks/classify/{dataset}/plots.tsv"
    conda:
        env("plots")
    threads: 1
    resources:
        mem_mb=lambda w: res("classify_plots", "mem_mb", 2000),
        runtime=lambda w: res("classify_plots", "runtime", 10),
    params:
        selection=canonical(CL["selection"]),
    script:
        "../scripts/classify_plots.py"


add_targets(
    "classify",
    expand(
        "results/classify/{dataset}/{f}",
        dataset=CL["datasets"],
        f=["sweep.csv", "baseline.csv", "landscape.png", "accuracy_distributions.png"],
    ),
)
