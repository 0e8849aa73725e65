# Functions and constants only (no rules: `snakemake --lint` wants the two apart), included
# first. Each stage file registers its final outputs with add_targets(stage, paths); the
# workflow's default target asks for the targets of the stages in config["stages"].
# Values come from config[...] directly: config/config.yaml holds every default.
import json

from neurogen.classify.registry import expand_reducers
from neurogen.config import check_config, check_config_files
from neurogen.epgan.config import variant_losses

check_config_files(workflow.configfiles)
check_config(config)

_TARGETS = {}


def add_targets(stage, paths):
    _TARGETS.setdefault(stage, []).extend(paths)


def all_targets():
    out = []
    for stage in config["stages"]:
        out.extend(_TARGETS.get(stage, []))
    return out


def res(rule_name, key, default):
    """A resource of one job: config['resources'][rule_name][key] when set, else default."""
    return config["resources"].get(rule_name, {}).get(key, default)


# Scheduling priorities (docs/performance.md, "Scheduling"). Among ready jobs Snakemake starts
# the highest first. Every job of the default run takes one core, so none waits for two free
# cores while one-core jobs stream past it; the priorities follow the longest path of measured
# job times from each rule to the end of the run, so that the long jobs start early and only
# short ones are left for the end.
PRIORITY = {
    # data -> folds -> shards -> selection -> augment: the longest path (~540 s measured)
    "classify_folds": 50,
    # hh shards -> merge -> EP-GAN training -> inference -> fit scoring (~510 s)
    "epgan_chain": 40,
    # classify shards -> merge -> selection: they release the augment stage (~470 s)
    "classify": 40,
    # the generator fits and evaluations (the run's longest single jobs, ~300 s) and the fit
    # stage's searches and refinement (~150-200 s to the end): before the short report jobs
    "augment": 20,
    "fit": 20,
}


def env(stage):
    return f"../../envs/{stage}.yaml"


def canonical(obj):
    """A stable string of a config block, used as a rule param so a change reruns the rule."""
    return json.dumps(obj, sort_keys=True)


def gpus(rule_name):
    """GPU tag of a deep-model job (resources.gpu): the override in config["resources"], else gpus_per_job."""
    return res(rule_name, "gpu", config["gpus_per_job"])


# --- data (data.smk) ----------------------------------------------------------
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


# --- classify (classify.smk) --------------------------------------------------
CL = config["classify"]
CL_REDUCERS = expand_reducers(CL["reducers"], CL["n_neighbors"])


# --- augment (augment.smk) ----------------------------------------------------
AU = config["augment"]
AU_GENS = list(AU["generators"])


def au_panel():
    """The classifier panel: name -> parameters, in the order of augment.classifiers."""
    cp = AU["classifier_params"] or {}
    return {c: (cp.get(c) or {}) for c in AU["classifiers"]}


def au_study(size=None):
    """The study-protocol block for one job ({} when off or not at this size)."""
    sp = AU["study_protocol"]
    if not sp["enabled"]:
        return {}
    if size is not None and int(size) > 0 and sp["sizes"] and int(size) not in sp["sizes"]:
        return {}
    return {
        "repeats": sp["repeats"],
        "cv_folds": sp["cv_folds"],
        "classifiers": list(sp["classifiers"] or []),
    }


def au_dist(size):
    """The distribution-fidelity block for one eval job ({} when not at this size)."""
    fd = AU["fidelity_dist"]
    if not fd["repeats"] or (fd["sizes"] and int(size) not in fd["sizes"]):
        return {}
    return {"repeats": fd["repeats"], "k": fd["k"], "permutations": fd["permutations"]}


def au_common_params():
    return dict(
        repeats=AU["repeats"],
        n_baselines=AU["baselines"],
        seed=config["seed"],
        device=config["device"],
    )


def au_parts(w, kind):
    gens = [g for g in AU_GENS]
    out = expand(
        f"results/augment/{{dataset}}/parts/{{generator}}_{{mode}}_{{size}}.{kind}",
        dataset=w.dataset,
        generator=gens,
        mode=AU["modes"],
        size=AU["sizes"],
    )
    return out


def au_part_files(generator, kind, sizes):
    """One augment_eval / augment_noaug job's part files of one kind: every mode × size.
    ``generator``: a name, or "{{generator}}" to keep the wildcard (as {dataset} is kept)."""
    return expand(
        f"results/augment/{{{{dataset}}}}/parts/{generator}_{{mode}}_{{size}}.{kind}",
        mode=AU["modes"],
        size=sizes,
    )


# --- hh (hh.smk) --------------------------------------------------------------
HH = config["hh"]
HH_MODELS = HH["models"]
HH_SHARDS = list(range(int(HH["shards"])))


def hh_shard_params():
    keys = [
        "table",
        "iv_bounds",
        "n_accepted",
        "shards",
        "max_candidates_per_shard",
        "chunk",
        "oversample",
        "amplitudes_pA",
        "dt_ms",
        "batch_size",
        "conductance_skew",
        "conductance_scale",
        "precision",
    ]
    return canonical({k: HH[k] for k in keys})


# --- epgan (epgan.smk) --------------------------------------------------------
EP = config["epgan"]
EP_MODELS = EP["models"]
EP_TRAIN = EP["train"]
EP_LOSSES = EP_TRAIN["losses"]
# loss variants: adversarial only, + I–V, + membrane potential; weights from epgan.train.losses
EP_VARIANTS = variant_losses(EP_LOSSES)
EP_ABL = EP["loss_ablation"]
# the main model (epgan.variant): downstream rules read results/epgan/{model}/{EP_MAIN}/
EP_MAIN = EP["variant"]
# variants trained for the loss ablation: the configured ones + the main model, in a fixed order
EP_ABL_VARIANTS = [v for v in EP_VARIANTS if v in set(EP_ABL["variants"]) | {EP_MAIN}] if EP_ABL["enabled"] else []
EP_SIM_DT = EP["sim_dt_ms"]  # null: the dt_ms the dataset was simulated with
EP_SIM_BATCH = EP["sim_batch"]
EP_RECORDED = EP["recorded"]


def ep_train_cfg(w):
    t = dict(EP_TRAIN)
    t["losses"] = EP_VARIANTS[w.variant]
    if w.variant != EP_MAIN and EP_ABL["epochs"]:
        t["epochs"] = EP_ABL["epochs"]
    return canonical(t)


# --- scaling (scaling.smk) ----------------------------------------------------
SC = config["scaling"]


def sc_runs():
    """(variant, size, seed) of every training run of the study."""
    if SC["runs"]:  # an explicit list replaces the grid
        return [(str(v), int(n), int(s)) for v, n, s in SC["runs"]]
    by = SC["sizes_by_variant"]
    seeds = {int(k): int(v) for k, v in SC["seeds_by_size"].items()}
    return [
        (v, n, s)
        for v in SC["variants"]
        for n in by.get(v, SC["sizes"])
        for s in range(seeds.get(int(n), int(SC["seeds"])))
    ]


def sc_train(variant, size):
    """epgan.train with the study's overrides, the variant's loss weights and the subset size."""
    t = dict(EP_TRAIN)
    t.update(SC["train"])
    t["losses"] = EP_VARIANTS[variant]
    t["n_train"] = int(size)
    return t


def sc_train_cfg(w):
    return canonical(sc_train(w.variant, w.size))


# --- fit (fit.smk) ------------------------------------------------------------
FT = config["fit"]


def fit_n_targets():
    t = FT["targets"]
    return len(t["indices"]) if t.get("indices") is not None else 3 * int(t["per_type"])


def fit_target_files(pattern):
    """One output file per target neuron (pattern with {target}; other wildcards doubled)."""
    return expand(pattern, target=range(fit_n_targets()))


def fit_total_budget(budget):
    """Total simulations over all targets of a configured budget (fit.budget_unit)."""
    b = int(budget)
    return b * fit_n_targets() if FT["budget_unit"] == "per_neuron" else b


FIT_EVO = [m for m in FT["algorithms"] if m != "npe"]  # the evolutionary methods (rule fit_search)


def fit_search_files(methods, suffix):
    """fit_search / fit_npe outputs: one file per method x target neuron, method-major (the
    order the script writes them in)."""
    return expand(
        "results/fit/{{model}}/b{{budget}}/{method}/t{target}{suffix}",
        method=methods,
        target=range(fit_n_targets()),
        suffix=[suffix],
    )


def fit_search_block(methods):
    """The config values these methods' jobs use (a change reruns only the jobs that use it:
    fit_search for the evolutionary methods, fit_npe for NPE)."""
    keys = ["budget_unit"]
    if any(m != "npe" for m in methods):
        keys += ["pop_size", "CR", "F"]
    if "demo" in methods:
        keys.append("demo_batches")
    if "npe" in methods:
        keys.append("npe")
    return canonical({k: FT[k] for k in keys})


def fit_sim_settings():
    """The fit stage's one simulator: the hh stage's step and precision."""
    return canonical(
        {
            "chunk": FT["sim_chunk"],
            "dt_ms": config["hh"]["dt_ms"],
            "dtype": config["hh"]["precision"],
        }
    )


def fit_epgan_k():
    """Candidates per neuron EP-GAN's selection simulates (the last selection_epochs epochs)."""
    ep = config["epgan"]
    return min(int(ep["selection_epochs"] or 10**9), int(ep["train"]["epochs"]))


def fit_epgan_path(key, model):
    """fit.epgan.<key> with {model} and {variant} (epgan.variant, the main model) filled in."""
    return FT["epgan"][key].format(model=model, variant=config["epgan"]["variant"])


def fit_refine_enabled():
    return bool(FT["refine"]["enabled"]) and bool(FT["epgan"]["enabled"])


def fit_bounds_input(w):
    b = FT["didv_bounds"]
    return {"bounds": b} if b else {}


def fit_posterior_input(w):
    return {"posterior": f"results/fit/{w.model}/npe/b{w.budget}/posterior.pt"}


def fit_results(w):
    return expand(
        "results/fit/{model}/b{budget}/{method}/t{target}.json",
        model=w.model,
        budget=FT["budgets"],
        method=FT["algorithms"],
        target=range(fit_n_targets()),
    )


def fit_score_inputs(w):
    out = {"results": fit_results(w)}
    ep = FT["epgan"]
    if ep["enabled"]:
        out["predictions"] = fit_epgan_path("predictions", w.model)
        out["history"] = fit_epgan_path("history", w.model)
    if fit_refine_enabled():
        out["refined"] = expand(
            "results/fit/{model}/refine/t{target}.json",
            model=w.model,
            target=range(fit_n_targets()),
        )
    return out


# --- report (report.smk) ------------------------------------------------------
def report_tables():
    """CSV targets of every enabled stage (other than this one), as report_table outputs."""
    out = []
    for stage in config["stages"]:
        if stage == "report":
            continue
        for t in _TARGETS.get(stage, []):
            if t.startswith("results/") and t.endswith(".csv"):
                stem = t.removeprefix("results/").removesuffix(".csv")
                out.append(f"results/report/tables/{stem}.html")
    return out
