# Stage: classify. Sweep of scaler × reducer × classifier pipelines, selection of baselines.
#   folds:  one job per dataset × scaler (scaler + reducers fit once per CV fold)
#   shards: one job per dataset × scaler × classifier (its grid on every reducer's folds)
from neurogen.classify.registry import expand_reducers

CL = config["classify"]
CL_REDUCERS = expand_reducers(CL["reducers"], CL.get("n_neighbors", [5, 10, 15]))
CL_DIR = "results/classify/{dataset}"


wildcard_constraints:
    scaler="[a-z0-9_]+",
    classifier="[a-z0-9_]+",


rule classify_folds:
    input:
        cells="results/data/{dataset}/cells.csv",
        splits="results/data/{dataset}/splits.csv",
    output:
        CL_DIR + "/folds/{scaler}.npz",
    params:
        reducers=CL_REDUCERS,
        cv_folds=CL["cv_folds"],
        seed=config["seed"],
    log:
        "results/logs/classify/{dataset}/folds_{scaler}.log",
    benchmark:
        "results/benchmarks/classify/{dataset}/folds_{scaler}.tsv"
    threads: lambda w: res("classify_folds", "threads", 2)
    resources:
        mem_mb=lambda w: res("classify_folds", "mem_mb", 2000),
        runtime=lambda w: res("classify_folds", "runtime", 60),
    conda:
        env("classify")
    script:
        "../scripts/classify_folds.py"


rule classify_shard:
    input:
        CL_DIR + "/folds/{scaler}.npz",
    output:
        CL_DIR + "/shards/{scaler}/{classifier}.csv",
    params:
        grid=lambda w: canonical(CL["grids"][w.classifier]),
        seed=config["seed"],
    log:
        "results/logs/classify/{dataset}/shard_{scaler}_{classifier}.log",
    benchmark:
        "results/benchmarks/classify/{dataset}/shard_{scaler}_{classifier}.tsv"
    threads: lambda w: res("classify_shard", "threads", CL.get("shard_threads", 1))
    resources:
        mem_mb=lambda w: res("classify_shard", "mem_mb", 2000),
        runtime=lambda w: res("classify_shard", "runtime", 120),
    conda:
        env("classify")
    script:
        "../scripts/classify_shard.py"


rule classify_merge:
    input:
        lambda w: expand(
            CL_DIR + "/shards/{scaler}/{classifier}.csv",
            dataset=w.dataset,
            scaler=CL["scalers"],
            classifier=CL["classifiers"],
        ),
    output:
        CL_DIR + "/sweep.csv",
    log:
        "results/logs/classify/{dataset}/merge.log",
    benchmark:
        "results/benchmarks/classify/{dataset}/merge.tsv"
    threads: 1
    resources:
        mem_mb=lambda w: res("classify_merge", "mem_mb", 2000),
        runtime=lambda w: res("classify_merge", "runtime", 10),
    conda:
        env("classify")
    script:
        "../scripts/classify_merge.py"


rule classify_select:
    input:
        sweep=CL_DIR + "/sweep.csv",
        cells="results/data/{dataset}/cells.csv",
        splits="results/data/{dataset}/splits.csv",
    output:
        CL_DIR + "/baseline.csv",
    params:
        selection=canonical(CL["selection"]),
        seed=config["seed"],
    log:
        "results/logs/classify/{dataset}/select.log",
    benchmark:
        "results/benchmarks/classify/{dataset}/select.tsv"
    threads: 1
    resources:
        mem_mb=lambda w: res("classify_select", "mem_mb", 2000),
        runtime=lambda w: res("classify_select", "runtime", 30),
    conda:
        env("classify")
    script:
        "../scripts/classify_select.py"


rule classify_plots:
    input:
        sweep=CL_DIR + "/sweep.csv",
        baseline=CL_DIR + "/baseline.csv",
    output:
        landscape=report(CL_DIR + "/landscape.png", category="Classification sweep",
                         subcategory="{dataset}", caption="../../report/landscape.rst"),
        distributions=report(CL_DIR + "/accuracy_distributions.png", category="Classification sweep",
                             subcategory="{dataset}", caption="../../report/distributions.rst"),
    params:
        selection=canonical(CL["selection"]),
    log:
        "results/logs/classify/{dataset}/plots.log",
    benchmark:
        "results/benchmarks/classify/{dataset}/plots.tsv"
    threads: 1
    resources:
        mem_mb=lambda w: res("classify_plots", "mem_mb", 2000),
        runtime=lambda w: res("classify_plots", "runtime", 10),
    conda:
        env("plots")
    script:
        "../scripts/classify_plots.py"


add_targets(
    "classify",
    expand(
        CL_DIR + "/{f}",
        dataset=CL["datasets"],
        f=["sweep.csv", "baseline.csv", "landscape.png", "accuracy_distributions.png"],
    ),
)
