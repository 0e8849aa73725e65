# Stage: report. `snakemake --report report.html` collects every output wrapped in report(...)
# (the stages' figures, with their captions in report/*.rst); this stage adds
#   report_table:  every CSV target of the enabled stages as an HTML page (the report shows HTML
#                  inline but offers CSV only as a download), caption report/table.rst
#   device_check:  what a deep-model job sees (GPU, torch build, SLURM allocation); tagged
#                  resources.gpu like the deep-model rules, so on SLURM it runs where they run


report: "../../report/workflow.rst"


REPORT = config["report"]

# What each table holds (by file name); a table not listed gets a generic description.
# Plain text: it is inserted into reStructuredText (no |, * or backticks).
TABLE_DOCS = {
    "sweep.csv": "Every scaler × reducer × classifier × grid-point configuration of the "
    "classification sweep: mean and SD of its cross-validated accuracy on the training split, "
    "train accuracy, train − CV gap, rank (1 = best), fit and transform times, error and note.",
    "baseline.csv": "The pipelines selected by the study's criteria (absolute train − CV gap and SD of "
    "the CV accuracy below their limits, then the best CV accuracy), refit on the whole training "
    "split and scored once on the held-out test split (test_accuracy, test_macro_f1).",
    "per_neuron.csv": "EP-GAN and baselines on each held-out simulated test neuron: method, neuron, type, "
    "response RMSE in the pre (4-5 s), mid (5-10 s) and post (10-11 s) windows and their mean (mV, against the "
    "noise-free responses), steady-state I-V RMSE (pA), simulation_failed.",
    "summary.csv": "Mean, SD and median of each error of the per-neuron table, per method, over all test "
    "neurons (type all) and per neuron type; n and n_failed (simulations that did not stay finite).",
    "ablation_input.csv": "Single-pass EP-GAN given incomplete inputs: the lowest fraction of the current-clamp "
    "steps kept (upper stimuli removed) or the first I-V points removed and extrapolated; response RMSE (mV) and "
    "I-V RMSE (pA) over the test neurons.",
    "ablation_loss.csv": "EP-GAN trained with the adversarial loss only, adversarial + I-V, and all three losses: "
    "response RMSE (mV) and I-V RMSE (pA) over the test neurons, single pass and selected over epochs.",
    "speed.csv": "Single-pass EP-GAN inference time for N neurons (median and minimum of repeated runs, device, "
    "torch threads).",
    "acceptance.csv": "EP-GAN training-data generation of one HH model: how many parameter sets "
    "were sampled (step 1), matched each response type's dI/dV bounds and were selected for type "
    "balance (step 2), blew up (non-finite) or left (-100, 150) mV under current clamp (step 3), "
    "and were accepted, then split into train and held-out test sets; with the fraction of the "
    "sampled sets.",
    "comparison.csv": "One row per target neuron and method (NSGA-II, DEMO, GDE3, NSDE, NPE, EP-GAN when "
    "present) and total simulation budget: membrane-potential RMSE in the pre, mid and post windows and "
    "their mean (mV), steady-state I-V RMSE (pA), samples simulated for the neuron, training samples and "
    "time of amortised methods, whether the selected parameters meet the dI/dV bounds, wall time.",
    "medians.csv": "Per model, method and total budget: median (quartiles, mean, SD) of the response and "
    "I-V RMSE over the target neurons, samples per neuron, share meeting the dI/dV bounds, wall time.",
    "cost.csv": "The cost curve T(N): hours to infer N neurons per method and budget, from measured times "
    "(per-neuron fitting: N times the time per neuron; amortised: data simulation + training + N times "
    "inference); rows beyond the measured number of neurons are extrapolations (up to 279).",
    "targets.csv": "The target neurons of the fitting comparison: their row in the hh stage's test set "
    "and their response type.",
    "scores.csv": "Augmentation: per dataset, protocol (held_out: ours; study: the study's leaky protocol, "
    "preprocessing and generator fit on all cells, CV on real + synthetic cells), generator, mode, synthetic "
    "cells per class (size) and classifier, the held-out test accuracy and macro-F1 over the repeated splits (mean, SD, 95 % CI), "
    "the same classifier without augmentation (generator none) and the paired difference; synthetic "
    "cells removed as out of range or non-finite.",
    "scores_repeats.csv": "Augmentation: one row per repeat of every generator, mode, size and "
    "classifier: held-out accuracy, macro-F1, numbers of real and synthetic training cells, timings.",
    "fidelity.csv": "Fidelity: per class, MAE and Euclidean distance between the synthetic class mean "
    "profile and the real train and real test class mean profiles, with the filter counts.",
    "fidelity_dist.csv": "Distribution-level fidelity (docs/fidelity.md): per generator, mode, size, repeat and "
    "class, SD ratio, MMD and its permutation p, classifier two-sample AUC, precision, recall, density, "
    "coverage, distance to the closest real training cell and share of near-copies, train-on-synthetic "
    "accuracy; each next to its real-vs-real reference (column suffix _ref; for TSTR: trtr_accuracy and trtr_recall).",
    "fidelity_features.csv": "Fidelity: per class and feature, the absolute difference between the "
    "synthetic and the real class mean (train and test references).",
    "mannwhitney.csv": "Fidelity: one-sided Mann-Whitney U test (alternative: synthetic-to-real test MAEs "
    "are smaller than the MAEs between real test classes), U statistic and p-value per repeat.",
    "interclass.csv": "The natural reference: MAE between the mean profiles of every pair of real test "
    "classes, with the scaler fit on the training split (scaler_fit train) or refit on the test cells "
    "as the study did (scaler_fit test).",
}


wildcard_constraints:
    table_stage="[a-z]+",
    table="[A-Za-z0-9_.\-]+(/[A-Za-z0-9_.\-]+)*",


rule report_table:
    input:
        "results/{table_stage}/{table}.csv",
    output:
        report(
            "results/report/tables/{table_stage}/{table}.html",
            caption="../../report/table.rst",
            category="Tables",
            subcategory="{table_stage}",
            labels={"table": "{table}", "stage": "{table_stage}"},
        ),
    log:
        "results/logs/report/tables/{table_stage}/{table}.log",
    benchmark:
        "results/benchmarks/report/tables/{table_stage}/{table}.tsv"
    conda:
        env("report")
    threads: 1
    resources:
        mem_mb=lambda w: res("report_table", "mem_mb", 2000),
        runtime=lambda w: res("report_table", "runtime", 10),
    params:
        title=lambda w: f"{w.table_stage}: {w.table}.csv",
        description=lambda w: TABLE_DOCS.get(
            os.path.basename(w.table) + ".csv",
            f"Table {w.table}.csv of stage {w.table_stage} (columns: docs/outputs.md).",
        ),
        max_rows=REPORT["max_rows"],
    script:
        "../scripts/report_table.py"


rule device_check:
    output:
        report(
            "results/report/device.json",
            caption="../../report/device.rst",
            category="Run environment",
            labels={"file": "device and packages", "stage": "report"},
        ),
    log:
        "results/logs/report/device_check.log",
    benchmark:
        "results/benchmarks/report/device_check.tsv"
    conda:
        env("device")
    threads: 1
    resources:
        mem_mb=lambda w: res("device_check", "mem_mb", 2000),
        runtime=lambda w: res("device_check", "runtime", 10),
        gpu=gpus("device_check"),
    params:
        device=config["device"],
    script:
        "../scripts/device_check.py"


add_targets("report", report_tables() + ["results/report/device.json"])
