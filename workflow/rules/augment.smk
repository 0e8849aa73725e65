# Stage: augment. Generative augmentation of the training split and the fidelity benchmark.
#   augment_fit:    one job per dataset × generator: for every mode, the generator fit on the
#                   training split of every repeat, in the space of the selected baseline's
#                   preprocessing (one models file per mode)
#   augment_eval:   one job per dataset × generator, every mode × size: sample, retrain the
#                   classifiers on real + synthetic cells, score the held-out real cells, fidelity
#                   (one set of part files per mode × size)
#   augment_noaug:  per dataset, every mode: the same classifiers without augmentation
#                   (+ the natural inter-class reference)
#   augment_merge:  per dataset: scores.csv, scores_repeats.csv, fidelity.csv,
#                   fidelity_dist.csv, fidelity_features.csv, mannwhitney.csv, interclass.csv
# A job covers all modes and sizes because most of a small job was start-up (torch +
# scikit-learn imports, docs/performance.md); a changed generator setting still reruns only
# that generator's jobs.
# Protocols (scores column protocol): held_out (ours) and, when augment.study_protocol.enabled,
# study (the study's leaky protocol: preprocessing + generator fit on all cells, K-fold CV on
# real + synthetic cells), so the inflation is measured.
#   augment_plots:  figures
wildcard_constraints:
    generator="smote|gan|vae|flow|ddpm",
    mode="scaled|reduced",
    size="[0-9]+",


rule augment_fit:
    input:
        cells="results/data/{dataset}/cells.csv",
        splits="results/data/{dataset}/splits.csv",
        baseline="results/classify/{dataset}/baseline.csv",
    output:
        expand("results/augment/{{dataset}}/models/{{generator}}_{mode}.pt", mode=AU["modes"]),
    log:
        "results/logs/augment/{dataset}/fit_{generator}.log",
    benchmark:
        "results/benchmarks/augment/{dataset}/fit_{generator}.tsv"
    priority: PRIORITY["augment"]
    conda:
        env("augment")
    threads: lambda w: res("augment_fit", "threads", AU["threads"])
    resources:
        mem_mb=lambda w: res("augment_fit", "mem_mb", 4000),
        runtime=lambda w: res("augment_fit", "runtime", 240),
        gpu=gpus("augment_fit"),
    params:
        **au_common_params(),
        modes=AU["modes"],
        gen_params=lambda w: canonical(
            {
                **(AU["generator_params"].get(w.generator) or {}),
                "outlier_sd": AU["outlier_sd"],
                "outlier_ref": AU["outlier_ref"],
            }
        ),
        study_repeats=au_study().get("repeats", 0),
    script:
        "../scripts/augment_fit.py"


rule augment_eval:
    input:
        cells="results/data/{dataset}/cells.csv",
        splits="results/data/{dataset}/splits.csv",
        baseline="results/classify/{dataset}/baseline.csv",
        models=expand("results/augment/{{dataset}}/models/{{generator}}_{mode}.pt", mode=AU["modes"]),
    output:
        scores=au_part_files("{{generator}}", "scores.csv", AU["sizes"]),
        fidelity=au_part_files("{{generator}}", "fidelity.csv", AU["sizes"]),
        features=au_part_files("{{generator}}", "features.csv", AU["sizes"]),
        mannwhitney=au_part_files("{{generator}}", "mannwhitney.csv", AU["sizes"]),
        fidelity_dist=au_part_files("{{generator}}", "fidelity_dist.csv", AU["sizes"]),
        samples=au_part_files("{{generator}}", "samples.npz", AU["sizes"]),
    log:
        "results/logs/augment/{dataset}/eval_{generator}.log",
    benchmark:
        "results/benchmarks/augment/{dataset}/eval_{generator}.tsv"
    priority: PRIORITY["augment"]
    conda:
        env("augment")
    threads: lambda w: res("augment_eval", "threads", AU["threads"])
    resources:
        mem_mb=lambda w: res("augment_eval", "mem_mb", 4000),
        runtime=lambda w: res("augment_eval", "runtime", 240),
        gpu=gpus("augment_eval"),
    params:
        **au_common_params(),
        modes=AU["modes"],
        sizes=AU["sizes"],
        panel=canonical(au_panel()),
        study=canonical({str(s): au_study(s) for s in AU["sizes"]}),
        dist=canonical({str(s): au_dist(s) for s in AU["sizes"]}),
        keep_samples=AU["pca_points"],
    script:
        "../scripts/augment_eval.py"


rule augment_noaug:
    input:
        cells="results/data/{dataset}/cells.csv",
        splits="results/data/{dataset}/splits.csv",
        baseline="results/classify/{dataset}/baseline.csv",
    output:
        scores=au_part_files("none", "scores.csv", [0]),
        interclass=au_part_files("none", "interclass.csv", [0]),
    log:
        "results/logs/augment/{dataset}/noaug.log",
    benchmark:
        "results/benchmarks/augment/{dataset}/noaug.tsv"
    conda:
        env("augment")
    threads: 1
    resources:
        mem_mb=lambda w: res("augment_noaug", "mem_mb", 2000),
        runtime=lambda w: res("augment_noaug", "runtime", 60),
    params:
        **au_common_params(),
        modes=AU["modes"],
        sizes=[0],
        panel=canonical(au_panel()),
        study=canonical({"0": au_study()}),
        dist=canonical({}),
        keep_samples=0,
    script:
        "../scripts/augment_eval.py"


rule augment_merge:
    input:
        scores=lambda w: au_parts(w, "scores.csv")
        + expand(
            "results/augment/{dataset}/parts/none_{mode}_0.scores.csv",
            dataset=w.dataset,
            mode=AU["modes"],
        ),
        interclass=lambda w: expand(
            "results/augment/{dataset}/parts/none_{mode}_0.interclass.csv",
            dataset=w.dataset,
            mode=AU["modes"],
        ),
        fidelity=lambda w: au_parts(w, "fidelity.csv"),
        features=lambda w: au_parts(w, "features.csv"),
        mannwhitney=lambda w: au_parts(w, "mannwhitney.csv"),
        fidelity_dist=lambda w: au_parts(w, "fidelity_dist.csv"),
    output:
        scores="results/augment/{dataset}/scores.csv",
        repeats="results/augment/{dataset}/scores_repeats.csv",
        fidelity="results/augment/{dataset}/fidelity.csv",
        fidelity_dist="results/augment/{dataset}/fidelity_dist.csv",
        features="results/augment/{dataset}/fidelity_features.csv",
        mannwhitney="results/augment/{dataset}/mannwhitney.csv",
        interclass="results/augment/{dataset}/interclass.csv",
    log:
        "results/logs/augment/{dataset}/merge.log",
    benchmark:
        "results/benchmarks/augment/{dataset}/merge.tsv"
    conda:
        env("augment")
    threads: 1
    resources:
        mem_mb=lambda w: res("augment_merge", "mem_mb", 2000),
        runtime=lambda w: res("augment_merge", "runtime", 10),
    script:
        "../scripts/augment_merge.py"


AU_FIGS = {
    "accuracy_violins": "augment_violins.rst",
    "accuracy_heatmap": "augment_heatmap.rst",
    "top_pipelines": "augment_top.rst",
    "pca": "augment_pca.rst",
    "feature_mae": "augment_feature_mae.rst",
    "fidelity_vs_natural": "augment_fidelity.rst",
    "fidelity_distribution": "augment_fidelity_dist.rst",
}


rule augment_plots:
    input:
        scores="results/augment/{dataset}/scores.csv",
        repeats="results/augment/{dataset}/scores_repeats.csv",
        fidelity="results/augment/{dataset}/fidelity.csv",
        fidelity_dist="results/augment/{dataset}/fidelity_dist.csv",
        features="results/augment/{dataset}/fidelity_features.csv",
        mannwhitney="results/augment/{dataset}/mannwhitney.csv",
        interclass="results/augment/{dataset}/interclass.csv",
        samples=lambda w: (
            expand(
                "results/augment/{dataset}/parts/{generator}_scaled_{size}.samples.npz",
                dataset=w.dataset,
                generator=AU_GENS,
                size=AU["sizes"],
            )
            if "scaled" in AU["modes"]
            else []
        ),
    output:
        **{
            k: report(
                f"results/augment/{{dataset}}/{k}.png",
                category="Augmentation",
                subcategory="{dataset}",
                caption=f"../../report/{v}",
                labels={"figure": k.replace("_", " "), "stage": "augment", "dataset": "{dataset}"},
            )
            for k, v in AU_FIGS.items()
        },
    log:
        "results/logs/augment/{dataset}/plots.log",
    benchmark:
        "results/benchmarks/augment/{dataset}/plots.tsv"
    conda:
        env("plots")
    threads: 1
    resources:
        mem_mb=lambda w: res("augment_plots", "mem_mb", 2000),
        runtime=lambda w: res("augment_plots", "runtime", 10),
    params:
        sizes=AU["sizes"],
        generators=AU_GENS,
    script:
        "../scripts/augment_plots.py"


add_targets(
    "augment",
    expand(
        "results/augment/{dataset}/{f}",
        dataset=AU["datasets"],
        f=[
            "scores.csv",
            "scores_repeats.csv",
            "fidelity.csv",
            "fidelity_dist.csv",
            "fidelity_features.csv",
            "mannwhitney.csv",
            "interclass.csv",
        ]
        + [f"{k}.png" for k in AU_FIGS],
    ),
)
