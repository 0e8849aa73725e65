# Stage: augment. Generative augmentation of the training split and the fidelity benchmark.
#   augment_fit:    one job per dataset × generator × mode: the generator fit on the training
#                   split of every repeat, in the space of the selected baseline's preprocessing
#   augment_eval:   one job per dataset × generator × mode × size: sample, retrain the
#                   classifiers on real + synthetic cells, score the held-out real cells, fidelity
#   augment_noaug:  the same classifiers without augmentation (+ the natural inter-class reference)
#   augment_merge:  per dataset: scores.csv, scores_repeats.csv, fidelity.csv,
#                   fidelity_dist.csv, fidelity_features.csv, mannwhitney.csv, interclass.csv
# Protocols (scores column protocol): held_out (ours) and, when augment.study_protocol.enabled,
# study (the study's leaky protocol: preprocessing + generator fit on all cells, K-fold CV on
# real + synthetic cells), so the inflation is measured.
#   augment_plots:  figures
AU = config.get("augment", {})
AU_DIR = "results/augment/{dataset}"
AU_GENS = list(AU.get("generators", []))
AU_DEEP = ("gan", "vae", "flow", "ddpm")


wildcard_constraints:
    generator="smote|gan|vae|flow|ddpm",
    mode="scaled|reduced",
    size="[0-9]+",


def au_panel():
    """The classifier panel: name -> parameters, in the order of augment.classifiers."""
    cp = AU.get("classifier_params", {}) or {}
    return {c: (cp.get(c) or {}) for c in AU.get("classifiers", [])}


def au_study(size=None):
    """The study-protocol block for one job ({} when off or not at this size)."""
    sp = AU.get("study_protocol") or {}
    if not sp.get("enabled", False):
        return {}
    if size is not None and int(size) > 0 and sp.get("sizes") and int(size) not in sp["sizes"]:
        return {}
    return {"repeats": sp["repeats"], "cv_folds": sp["cv_folds"], "classifiers": list(sp.get("classifiers") or [])}


def au_dist(size):
    """The distribution-fidelity block for one eval job ({} when not at this size)."""
    fd = AU.get("fidelity_dist") or {}
    if not fd.get("repeats", 0) or (fd.get("sizes") and int(size) not in fd["sizes"]):
        return {}
    return {"repeats": fd["repeats"], "k": fd["k"], "permutations": fd["permutations"]}


def au_common_params():
    return dict(
        repeats=AU.get("repeats", 3),
        n_baselines=AU.get("baselines", 1),
        seed=config["seed"],
        device=config.get("device", "auto"),
    )


rule augment_fit:
    input:
        cells="results/data/{dataset}/cells.csv",
        splits="results/data/{dataset}/splits.csv",
        baseline="results/classify/{dataset}/baseline.csv",
    output:
        AU_DIR + "/models/{generator}_{mode}.pt",
    params:
        gen_params=lambda w: canonical({**(AU.get("generator_params", {}).get(w.generator) or {}),
                                        "outlier_sd": AU.get("outlier_sd", 3.0),
                                        "outlier_ref": AU.get("outlier_ref", "range")}),
        study_repeats=au_study().get("repeats", 0),
        **au_common_params(),
    log:
        "results/logs/augment/{dataset}/fit_{generator}_{mode}.log",
    benchmark:
        "results/benchmarks/augment/{dataset}/fit_{generator}_{mode}.tsv"
    threads: lambda w: res("augment_fit", "threads", AU.get("threads", 1))
    resources:
        mem_mb=lambda w: res("augment_fit", "mem_mb", 4000),
        runtime=lambda w: res("augment_fit", "runtime", 240),
        gpu=gpus("augment_fit"),
    conda:
        env("augment")
    script:
        "../scripts/augment_fit.py"


rule augment_eval:
    input:
        cells="results/data/{dataset}/cells.csv",
        splits="results/data/{dataset}/splits.csv",
        baseline="results/classify/{dataset}/baseline.csv",
        model=AU_DIR + "/models/{generator}_{mode}.pt",
    output:
        scores=AU_DIR + "/parts/{generator}_{mode}_{size}.scores.csv",
        fidelity=AU_DIR + "/parts/{generator}_{mode}_{size}.fidelity.csv",
        features=AU_DIR + "/parts/{generator}_{mode}_{size}.features.csv",
        mannwhitney=AU_DIR + "/parts/{generator}_{mode}_{size}.mannwhitney.csv",
        fidelity_dist=AU_DIR + "/parts/{generator}_{mode}_{size}.fidelity_dist.csv",
        samples=AU_DIR + "/parts/{generator}_{mode}_{size}.samples.npz",
    params:
        panel=canonical(au_panel()),
        study=lambda w: canonical(au_study(w.size)),
        dist=lambda w: canonical(au_dist(w.size)),
        keep_samples=AU.get("pca_points", 3000),
        **au_common_params(),
    log:
        "results/logs/augment/{dataset}/eval_{generator}_{mode}_{size}.log",
    benchmark:
        "results/benchmarks/augment/{dataset}/eval_{generator}_{mode}_{size}.tsv"
    threads: lambda w: res("augment_eval", "threads", AU.get("threads", 1))
    resources:
        mem_mb=lambda w: res("augment_eval", "mem_mb", 4000),
        runtime=lambda w: res("augment_eval", "runtime", 240),
        gpu=gpus("augment_eval"),
    conda:
        env("augment")
    script:
        "../scripts/augment_eval.py"


rule augment_noaug:
    input:
        cells="results/data/{dataset}/cells.csv",
        splits="results/data/{dataset}/splits.csv",
        baseline="results/classify/{dataset}/baseline.csv",
    output:
        scores=AU_DIR + "/parts/none_{mode}_0.scores.csv",
        interclass=AU_DIR + "/parts/none_{mode}_0.interclass.csv",
    params:
        panel=canonical(au_panel()),
        study=canonical(au_study()),
        **au_common_params(),
    log:
        "results/logs/augment/{dataset}/noaug_{mode}.log",
    benchmark:
        "results/benchmarks/augment/{dataset}/noaug_{mode}.tsv"
    threads: 1
    resources:
        mem_mb=lambda w: res("augment_noaug", "mem_mb", 2000),
        runtime=lambda w: res("augment_noaug", "runtime", 60),
    conda:
        env("augment")
    script:
        "../scripts/augment_eval.py"


def au_parts(w, kind):
    gens = [g for g in AU_GENS]
    out = expand(AU_DIR + "/parts/{generator}_{mode}_{size}." + kind, dataset=w.dataset,
                 generator=gens, mode=AU.get("modes", ["scaled"]), size=AU.get("sizes", [100]))
    return out


rule augment_merge:
    input:
        scores=lambda w: au_parts(w, "scores.csv")
        + expand(AU_DIR + "/parts/none_{mode}_0.scores.csv", dataset=w.dataset, mode=AU.get("modes", ["scaled"])),
        interclass=lambda w: expand(AU_DIR + "/parts/none_{mode}_0.interclass.csv", dataset=w.dataset,
                                    mode=AU.get("modes", ["scaled"])),
        fidelity=lambda w: au_parts(w, "fidelity.csv"),
        features=lambda w: au_parts(w, "features.csv"),
        mannwhitney=lambda w: au_parts(w, "mannwhitney.csv"),
        fidelity_dist=lambda w: au_parts(w, "fidelity_dist.csv"),
    output:
        scores=AU_DIR + "/scores.csv",
        repeats=AU_DIR + "/scores_repeats.csv",
        fidelity=AU_DIR + "/fidelity.csv",
        fidelity_dist=AU_DIR + "/fidelity_dist.csv",
        features=AU_DIR + "/fidelity_features.csv",
        mannwhitney=AU_DIR + "/mannwhitney.csv",
        interclass=AU_DIR + "/interclass.csv",
    log:
        "results/logs/augment/{dataset}/merge.log",
    benchmark:
        "results/benchmarks/augment/{dataset}/merge.tsv"
    threads: 1
    resources:
        mem_mb=lambda w: res("augment_merge", "mem_mb", 2000),
        runtime=lambda w: res("augment_merge", "runtime", 10),
    conda:
        env("augment")
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
        scores=AU_DIR + "/scores.csv",
        repeats=AU_DIR + "/scores_repeats.csv",
        fidelity=AU_DIR + "/fidelity.csv",
        fidelity_dist=AU_DIR + "/fidelity_dist.csv",
        features=AU_DIR + "/fidelity_features.csv",
        mannwhitney=AU_DIR + "/mannwhitney.csv",
        interclass=AU_DIR + "/interclass.csv",
        samples=lambda w: expand(AU_DIR + "/parts/{generator}_scaled_{size}.samples.npz", dataset=w.dataset,
                                 generator=AU_GENS, size=AU.get("sizes", [100]))
        if "scaled" in AU.get("modes", ["scaled"]) else [],
    output:
        **{k: report(AU_DIR + f"/{k}.png", category="Augmentation", subcategory="{dataset}",
                     caption=f"../../report/{v}") for k, v in AU_FIGS.items()},
    params:
        sizes=AU.get("sizes", [100]),
        generators=AU_GENS,
    log:
        "results/logs/augment/{dataset}/plots.log",
    benchmark:
        "results/benchmarks/augment/{dataset}/plots.tsv"
    threads: 1
    resources:
        mem_mb=lambda w: res("augment_plots", "mem_mb", 2000),
        runtime=lambda w: res("augment_plots", "runtime", 10),
    conda:
        env("plots")
    script:
        "../scripts/augment_plots.py"


add_targets(
    "augment",
    expand(
        AU_DIR + "/{f}",
        dataset=AU.get("datasets", []),
        f=["scores.csv", "scores_repeats.csv", "fidelity.csv", "fidelity_dist.csv", "fidelity_features.csv",
           "mannwhitney.csv",
           "interclass.csv"] + [f"{k}.png" for k in AU_FIGS],
    ),
)
