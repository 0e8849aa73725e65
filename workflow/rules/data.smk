# Stage: data. Raw tables (surrogate, download or local path) -> cleaned table + repeated splits.


wildcard_constraints:
    dataset="[A-Za-z0-9]+",


def raw_inputs(wildcards):
    ds = config["datasets"][wildcards.dataset]
    if ds["source"] == "surrogate":
        return {"stats": ds["stats"]}
    if ds["source"] == "path":
        return {"table": ds["path"]}
    return {}


def raw_origin(wildcards):
    """The user's own file (or URL) behind results/data/{dataset}/raw.csv, named in errors."""
    ds = config["datasets"][wildcards.dataset]
    if ds["source"] == "path":
        return ds["path"]
    if ds["source"] == "download":
        return f"{ds['url']} (downloaded to results/data/{wildcards.dataset}/raw.csv)"
    return f"results/data/{wildcards.dataset}/raw.csv (surrogate from {ds['stats']})"


rule raw_table:
    input:
        unpack(raw_inputs),
    output:
        "results/data/{dataset}/raw.csv",
    params:
        spec=lambda w: canonical(config["datasets"][w.dataset]),
        seed=config["seed"],
    log:
        "results/logs/data/{dataset}/raw_table.log",
    benchmark:
        "results/benchmarks/data/{dataset}/raw_table.tsv"
    threads: 1
    resources:
        mem_mb=lambda w: res("raw_table", "mem_mb", 1000),
        runtime=lambda w: res("raw_table", "runtime", 15),
    conda:
        env("data")
    script:
        "../scripts/raw_table.py"


rule prepare_data:
    input:
        "results/data/{dataset}/raw.csv",
    output:
        cells="results/data/{dataset}/cells.csv",
        splits="results/data/{dataset}/splits.csv",
        classes="results/data/{dataset}/classes.csv",
    params:
        label=lambda w: config["datasets"][w.dataset].get("label", "e-type"),
        drop_columns=lambda w: config["datasets"][w.dataset].get(
            "drop_columns", ["neuron_reconstruction_type", "superseded"]
        ),
        split=canonical(config["split"]),
        cv_folds=config["classify"]["cv_folds"],
        seed=config["seed"],
        source=raw_origin,
    log:
        "results/logs/data/{dataset}/prepare.log",
    benchmark:
        "results/benchmarks/data/{dataset}/prepare.tsv"
    threads: 1
    resources:
        mem_mb=lambda w: res("prepare_data", "mem_mb", 2000),
        runtime=lambda w: res("prepare_data", "runtime", 15),
    conda:
        env("data")
    script:
        "../scripts/prepare_data.py"
