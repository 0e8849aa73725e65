"""Figures of the augmentation stage: accuracy by generator × size, top pipelines, PCA of real vs
synthetic cells, per class × feature errors, fidelity against the natural inter-class variability."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

GEN_ORDER = ["none", "smote", "gan", "vae", "flow", "ddpm"]


def _gens(df):
    present = list(dict.fromkeys(df["generator"]))
    return [g for g in GEN_ORDER if g in present] + [g for g in present if g not in GEN_ORDER]


def _empty(ax, msg):
    ax.text(0.5, 0.5, msg, ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()


def accuracy_violins(rep: pd.DataFrame, title: str = ""):
    """Held-out accuracy over repeats × classifiers, per generator (x) and size (colour), per mode."""
    modes = list(dict.fromkeys(rep["mode"])) or ["scaled"]
    fig, axes = plt.subplots(len(modes), 1, figsize=(11, 3.8 * len(modes)), squeeze=False)
    for ax, mode in zip(axes[:, 0], modes):
        d = rep[(rep["mode"] == mode) & rep["test_accuracy"].notna()]
        if d.empty:
            _empty(ax, f"mode {mode}: no scores")
            continue
        sizes = sorted(d.loc[d["generator"] != "none", "size"].unique())
        cmap = plt.get_cmap("viridis", max(len(sizes), 1))
        pos, ticks, labels = 0.0, [], []
        for g in _gens(d):
            groups = (
                [(0, d[d["generator"] == g])]
                if g == "none"
                else [(s, d[(d["generator"] == g) & (d["size"] == s)]) for s in sizes]
            )
            start = pos
            for s, q in groups:
                if len(q) == 0:
                    continue
                color = "0.6" if g == "none" else cmap(sizes.index(s))
                if len(q) > 1 and q["test_accuracy"].nunique() > 1:
                    v = ax.violinplot(q["test_accuracy"], positions=[pos], widths=0.8, showmedians=True)
                    for b in v["bodies"]:
                        b.set_facecolor(color)
                        b.set_alpha(0.7)
                ax.scatter(np.full(len(q), pos), q["test_accuracy"], s=6, color="k", alpha=0.5, zorder=3)
                pos += 1
            ticks.append((start + pos - 1) / 2)
            labels.append("no augmentation" if g == "none" else g)
            pos += 0.7
        ax.set_xticks(ticks, labels)
        ax.set_ylabel("held-out test accuracy")
        ax.set_title(f"preprocessing before sampling: {mode}")
        ax.grid(axis="y", alpha=0.3)
        handles = [plt.Rectangle((0, 0), 1, 1, color=cmap(i), alpha=0.7) for i in range(len(sizes))]
        ax.legend(handles, [f"{s} per class" for s in sizes], title="synthetic cells", fontsize=8, loc="lower right")
    fig.suptitle(title or "Held-out accuracy by generator and sample size (repeats × classifiers)")
    fig.tight_layout()
    return fig


def accuracy_heatmap(rep: pd.DataFrame, title: str = ""):
    """Median held-out accuracy (over repeats × classifiers) per generator × size, per mode."""
    modes = list(dict.fromkeys(rep["mode"])) or ["scaled"]
    fig, axes = plt.subplots(1, len(modes), figsize=(5.5 * len(modes), 4), squeeze=False)
    for ax, mode in zip(axes[0], modes):
        d = rep[(rep["mode"] == mode) & rep["test_accuracy"].notna()]
        if d.empty:
            _empty(ax, f"mode {mode}: no scores")
            continue
        none = d[d["generator"] == "none"]["test_accuracy"].median()
        d = d[d["generator"] != "none"]
        if d.empty:
            _empty(ax, "no augmented scores")
            continue
        tab = d.pivot_table(index="generator", columns="size", values="test_accuracy", aggfunc="median")
        tab = tab.reindex([g for g in _gens(d) if g in tab.index])
        im = ax.imshow(tab.to_numpy(), cmap="viridis", aspect="auto")
        ax.set_xticks(range(tab.shape[1]), [str(c) for c in tab.columns])
        ax.set_yticks(range(tab.shape[0]), tab.index)
        for i in range(tab.shape[0]):
            for j in range(tab.shape[1]):
                v = tab.iat[i, j]
                if np.isfinite(v):
                    ax.text(
                        j,
                        i,
                        f"{v:.3f}",
                        ha="center",
                        va="center",
                        color="w" if v < np.nanmean(tab.to_numpy()) else "k",
                        fontsize=9,
                    )
        ax.set_xlabel("synthetic cells per class")
        ax.set_ylabel("generator")
        ax.set_title(f"{mode} (no augmentation: {none:.3f})")
        fig.colorbar(im, ax=ax, label="median held-out accuracy")
    fig.suptitle(title or "Median held-out accuracy")
    fig.tight_layout()
    return fig


def top_pipelines(scores: pd.DataFrame, n: int = 10, title: str = ""):
    """The ``n`` best augmented configurations (mean ± SD over repeats) next to their
    no-augmentation accuracy."""
    d = scores[(scores["generator"] != "none") & scores["accuracy_mean"].notna()]
    d = d.sort_values("accuracy_mean", ascending=False).head(n).iloc[::-1]
    fig, ax = plt.subplots(figsize=(10, 0.45 * max(len(d), 2) + 1.5))
    if d.empty:
        _empty(ax, "no augmented scores")
        return fig
    y = np.arange(len(d))
    labels = [
        f"{r.generator} {r['size']} ({r['mode']}) · {r.scaler}+{r.reducer}+{r.classifier}" for _, r in d.iterrows()
    ]
    ax.barh(y, d["accuracy_mean"], xerr=d["accuracy_sd"], color="tab:blue", alpha=0.8, label="with augmentation")
    ax.scatter(
        d["noaug_accuracy_mean"],
        y,
        marker="|",
        s=300,
        color="tab:red",
        zorder=4,
        label="same classifier, no augmentation",
    )
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlabel("held-out test accuracy (mean ± SD over repeats)")
    lo = max(
        0.0, float(np.nanmin(np.r_[d["accuracy_mean"] - d["accuracy_sd"].fillna(0), d["noaug_accuracy_mean"]])) - 0.05
    )
    ax.set_xlim(lo, min(1.0, float(np.nanmax(d["accuracy_mean"] + d["accuracy_sd"].fillna(0))) + 0.03))
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(title or f"Top {len(d)} augmented pipelines")
    fig.tight_layout()
    return fig


def pca_grid(samples: dict, title: str = ""):
    """``samples``: {(generator, size): npz dict}. PCA fit on the real (train + test) cells."""
    from ..fidelity.profiles import pca_projection

    keys = [k for k in samples if samples[k] is not None and "synthetic" in samples[k]]
    gens = [g for g in GEN_ORDER if any(k[0] == g for k in keys)]
    sizes = sorted({k[1] for k in keys})
    if not keys:
        fig, ax = plt.subplots(figsize=(5, 3))
        _empty(ax, "no synthetic samples")
        return fig
    fig, axes = plt.subplots(len(gens), len(sizes), figsize=(3.6 * len(sizes), 3.2 * len(gens)), squeeze=False)
    for i, g in enumerate(gens):
        for j, s in enumerate(sizes):
            ax = axes[i, j]
            d = samples.get((g, s))
            if d is None or len(d["synthetic"]) == 0:
                _empty(ax, f"{g} {s}: no samples")
                continue
            real = np.vstack([d["train"], d["test"]])
            pr, (ps,), pca = pca_projection(real, [d["synthetic"]])
            ev = pca.explained_variance_ratio_
            ax.scatter(pr[:, 0], pr[:, 1], s=3, alpha=0.5, color="tab:blue", label="real (train + test)")
            ax.scatter(ps[:, 0], ps[:, 1], s=3, alpha=0.3, color="tab:orange", label="synthetic")
            ax.set_title(f"{g}, {s} per class", fontsize=9)
            ax.set_xlabel(f"PC1 ({100 * ev[0]:.0f} %)", fontsize=8)
            if pca.n_components_ > 1:
                ax.set_ylabel(f"PC2 ({100 * ev[1]:.0f} %)", fontsize=8)
            ax.tick_params(labelsize=7)
    axes[0, 0].legend(fontsize=7, markerscale=3, loc="best")
    fig.suptitle(title or "PCA of real and synthetic cells (PCA fit on real cells; repeat 0)")
    fig.tight_layout()
    return fig


def feature_mae_heatmap(features: pd.DataFrame, generator: str, size: int, title: str = ""):
    """|synthetic − real| class-mean error per class × feature (mean over repeats), vs train and test."""
    d = features[(features["generator"] == generator) & (features["size"] == size) & (features["mode"] == "scaled")]
    refs = [r for r in ("train", "test") if r in set(d.get("reference", []))]
    if d.empty or not refs:
        fig, ax = plt.subplots(figsize=(5, 3))
        _empty(ax, "no per-feature errors")
        return fig
    feats = list(dict.fromkeys(d["feature"]))
    fig, axes = plt.subplots(len(refs), 1, figsize=(max(8, 0.22 * len(feats) + 3), 4.2 * len(refs)), squeeze=False)
    vmax = d.groupby(["reference", "class", "feature"])["abs_error"].mean().quantile(0.99)
    for ax, ref in zip(axes[:, 0], refs):
        tab = d[d["reference"] == ref].pivot_table(
            index="class", columns="feature", values="abs_error", aggfunc="mean"
        )[feats]
        im = ax.imshow(tab.to_numpy(), aspect="auto", cmap="magma", vmin=0, vmax=vmax)
        ax.set_yticks(range(len(tab.index)), tab.index, fontsize=7)
        ax.set_xticks(range(len(feats)), feats, rotation=90, fontsize=6)
        ax.set_title(f"vs real {ref} cells (mean class MAE {tab.to_numpy().mean():.3f})")
        fig.colorbar(im, ax=ax, label="|synthetic − real| class mean (scaled units)")
    fig.suptitle(title or f"Per class × feature error of {generator} ({size} per class)")
    fig.tight_layout()
    return fig


P_TEST = "p: one-sided Mann–Whitney U test (synthetic-to-real MAE < real inter-class MAE)"


def fidelity_vs_natural(fidelity: pd.DataFrame, interclass: pd.DataFrame, mannwhitney: pd.DataFrame, title: str = ""):
    """Synthetic-to-real-test class MAEs per generator × size (mode scaled) against the MAEs
    between real test classes; median one-sided Mann–Whitney p over repeats above each box."""
    f = fidelity[(fidelity["mode"] == "scaled") & (fidelity["reference"] == "test")]
    ref = interclass[(interclass["mode"] == "scaled") & (interclass["scaler_fit"] == "train")]
    fig, ax = plt.subplots(figsize=(11, 4.5))
    if f.empty or ref.empty:
        _empty(ax, "no fidelity data")
        return fig
    groups, labels, pvals = [ref["mae"].to_numpy()], ["real inter-class\n(reference)"], [None]
    for g in _gens(f):
        for s in sorted(f.loc[f["generator"] == g, "size"].unique()):
            groups.append(f[(f["generator"] == g) & (f["size"] == s)]["mae"].to_numpy())
            labels.append(f"{g}\n{s}")
            m = mannwhitney[
                (mannwhitney["generator"] == g) & (mannwhitney["size"] == s) & (mannwhitney["mode"] == "scaled")
            ]
            pvals.append(m["p_value"].median() if len(m) else np.nan)
    bp = ax.boxplot(groups, patch_artist=True, widths=0.6)
    for k, b in enumerate(bp["boxes"]):
        b.set_facecolor("0.75" if k == 0 else "tab:orange")
        b.set_alpha(0.7)
    ax.set_xticks(range(1, len(labels) + 1), labels, fontsize=8)
    ax.axhline(np.mean(groups[0]), color="k", ls="--", lw=1, label=f"mean inter-class MAE {np.mean(groups[0]):.3f}")
    top = max(np.nanmax(g) if len(g) else 0 for g in groups)
    for k, p in enumerate(pvals):
        if p is not None and np.isfinite(p):
            ax.text(k + 1, top * 1.04, f"p={p:.2g}", ha="center", fontsize=7)
    ax.set_ylim(0, top * 1.12)
    ax.set_ylabel("MAE between class mean profiles (scaled units)")
    ax.legend(fontsize=8, loc="lower right", framealpha=0.9)
    ax.grid(axis="y", alpha=0.3)
    ax.set_title(
        f"{title or 'Fidelity: synthetic-to-real test class MAE vs natural inter-class MAE'}\n"
        f"{P_TEST}, median p over repeats",
        fontsize=10,
    )
    fig.tight_layout()
    return fig


DIST_METRICS = [
    ("sd_ratio", "SD ratio"),
    ("c2st_auc", "C2ST AUC"),
    ("mmd2", "MMD²"),
    ("precision", "precision"),
    ("recall", "recall"),
    ("density", "density"),
    ("coverage", "coverage"),
    ("near_copy_share", "near copies"),
    ("tstr_accuracy", "TSTR acc."),
]


def fidelity_distribution(dist: pd.DataFrame, title: str = "", pca_ref: str = "pca.png"):
    """Generators (rows) × distribution-level metrics (columns), coloured by how far each median
    (over classes and repeats) lies from its real-vs-real reference, in the bad direction
    (white: as close as two halves of the real cells; dark red: SD ratio or density off by 4×,
    AUC 1, recall / coverage / precision / TSTR accuracy 0, every cell a near-copy; MMD²
    relative to the farthest generator). Cells show the value and, below, the reference. One panel per mode × size."""
    from ..fidelity.distribution import deviation_summary

    if dist is None or dist.empty or "generator" not in dist:
        fig, ax = plt.subplots(figsize=(8, 3))
        _empty(ax, "no distribution-level fidelity (augment.fidelity_dist.repeats = 0?)")
        return fig
    keys = ["mode", "size"] if {"mode", "size"} <= set(dist.columns) else []
    panels = list(dist.groupby(keys, sort=True)) if keys else [((), dist)]
    ncols = len(DIST_METRICS)
    heights = [0.55 * max(1, d["generator"].nunique()) + 1.2 for _, d in panels]
    fig, axes = plt.subplots(
        len(panels),
        1,
        figsize=(1.25 * ncols + 2.5, sum(heights)),
        squeeze=False,
        gridspec_kw={"height_ratios": heights},
    )
    for ax, (key, d) in zip(axes[:, 0], panels):
        s = deviation_summary(d, ["generator"])
        gens = _gens(d)
        val = s.pivot(index="generator", columns="metric", values="value").reindex(index=gens)
        ref = s.pivot(index="generator", columns="metric", values="reference").reindex(index=gens)
        worse = s.pivot(index="generator", columns="metric", values="worse").reindex(index=gens)
        cols = [m for m, _ in DIST_METRICS if m in worse.columns]
        w = worse[cols].copy()
        # fixed scales where the metric has one (full colour: SD ratio off by 4×, AUC 1, nothing
        # recalled / covered, every cell a near-copy); MMD² relative to the farthest generator
        scale = {"sd_ratio": np.log(4), "density": np.log(4), "c2st_auc": 0.5, "near_copy_share": 0.95}
        for m in cols:
            if m in scale:
                sc = scale[m]
            elif m == "mmd2":
                sc = w[m].max()
            else:
                sc = ref[m].max()
            w[m] = w[m] / sc if sc and np.isfinite(sc) and sc > 0 else 0.0
        norm = w.clip(0, 1)
        ax.imshow(norm.fillna(0).to_numpy(float), cmap="Reds", vmin=0, vmax=1.15, aspect="auto")
        for i, g in enumerate(gens):
            for j, m in enumerate(cols):
                v, r = val.loc[g, m], ref.loc[g, m]
                ax.text(
                    j,
                    i,
                    f"{v:.2f}\n({r:.2f})",
                    ha="center",
                    va="center",
                    fontsize=7.5,
                    color="white" if (norm.loc[g, m] or 0) > 0.7 else "black",
                )
        ax.set_xticks(range(len(cols)), [dict(DIST_METRICS)[m] for m in cols], rotation=30, ha="right")
        ax.set_yticks(range(len(gens)), gens)
        ax.set_title(
            ("mode {}, {} per class".format(*key) if keys else "")
            + "   value (real-vs-real reference); colour: distance from the reference in the bad direction",
            fontsize=9,
        )
    fig.suptitle((title + "\n" if title else "") + f"PCA overlay of each generator: {pca_ref}", fontsize=10)
    fig.tight_layout()
    return fig
