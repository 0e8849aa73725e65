# Stage: data. Raw tables (surrogate, download or local path) -> cleaned table + repeated splits.


wildcard_constraints:
    dataset="[A-Za-z0-9]+",


rule raw_table:
    input:
        unpack(raw_inputs),
    output:
        "results/data/{dataset}/raw.csv",
    log:
        "results/logs/data/{dataset}/raw_table.log",
    benchmark:
        "results/benchmarks/data/{dataset}/raw_table.tsv"
    conda:
        env("data")
    threads: 1
    resources:
        mem_mb=lambda w: res("raw_table", "mem_mb", 1000),
        runtime=lambda w: res("raw_table", "runtime", 15),
    params:
        spec=lambda w: canonical(config["datasets"][w.dataset]),
        seed=config["seed"],
    script:
        "../scripts/raw_table.py"


rule prepare_data:
    input:
        "results/data/{dataset}/raw.csv",
    output:
        cells="results/data/{dataset}/cells.csv",
        splits="results/data/{dataset}/splits.csv",
        classes="results/data/{dataset}/classes.csv",
    log:
        "results/logs/data/{dataset}/prepare.log",
    benchmark:
        "results/benchmarks/data/{dataset}/prepare.tsv"
    conda:
        env("data")
    threads: 1
    resources:
        mem_mb=lambda w: res("prepare_data", "mem_mb", 2000),
        runtime=lambda w: res("prepare_data", "runtime", 15),
    params:
        # label and drop_columns: the schema's defaults, filled in by validate() in the Snakefile
        label=lambda w: config["datasets"][w.dataset]["label"],
        drop_columns=lambda w: config["datasets"][w.dataset]["drop_columns"],
        split=canonical(config["split"]),
        cv_folds=config["classify"]["cv_folds"],
        seed=config["seed"],
        source=raw_origin,
    script:
        "../scripts/prepare_data.py"
