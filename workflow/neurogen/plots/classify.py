"""Figures of the classification sweep."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def cv_label(sweep: pd.DataFrame) -> str:
    """Axis label naming the fold count the sweep used (its ``n_folds`` column)."""
    k = sorted({int(x) for x in sweep.get("n_folds", pd.Series(dtype=float)).dropna()})
    if len(k) == 1:
        return f"mean {k[0]}-fold CV accuracy"
    if k:
        return f"mean k-fold CV accuracy (k = {', '.join(map(str, k))})"
    return "mean CV accuracy"


def _ok(sweep: pd.DataFrame):
    """Rows with an accuracy (no error) and how many were dropped."""
    ok = sweep[(sweep["error"].fillna("") == "") & sweep["mean_test_accuracy"].notna()]
    return ok, len(sweep) - len(ok)


def landscape(sweep: pd.DataFrame, baseline: pd.DataFrame | None = None, max_gap: float = 0.03, title: str = ""):
    """Mean CV accuracy vs train − CV test gap, with and without a reducer (failed configurations,
    with an error or no accuracy, are counted in the title)."""
    ok, n_failed = _ok(sweep)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), sharey=True)
    for ax, (label, part) in zip(
        axes,
        [("no reducer", ok[ok["reducer"] == "none"]), ("with a reducer (2 components)", ok[ok["reducer"] != "none"])],
    ):
        ax.axvspan(-max_gap, max_gap, color="0.9", zorder=0, label=f"|gap| < {max_gap:g}")
        clfs = sorted(part["classifier"].unique())
        cmap = plt.get_cmap("tab20", max(len(clfs), 1))
        for i, c in enumerate(clfs):
            q = part[part["classifier"] == c]
            ax.scatter(q["gap"], q["mean_test_accuracy"], s=10, alpha=0.6, color=cmap(i), label=c)
        if baseline is not None and len(baseline):
            b = baseline[(baseline["reducer"] == "none") == (label == "no reducer")]
            ax.scatter(
                b["gap"],
                b["mean_test_accuracy"],
                marker="*",
                s=220,
                facecolor="gold",
                edgecolor="k",
                zorder=5,
                label="selected baseline",
            )
        ax.set_xlabel("train − CV test accuracy (gap)")
        ax.set_title(f"{label} (n = {len(part)})")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(cv_label(sweep))
    h, lab = axes[0].get_legend_handles_labels()
    h2, lab2 = axes[1].get_legend_handles_labels()
    seen = dict(zip(lab, h))
    seen.update(dict(zip(lab2, h2)))
    fig.legend(seen.values(), seen.keys(), loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8, title="classifier")
    fig.suptitle(f"{title or 'Classification pipeline landscape'}{_shown(len(ok), n_failed)}")
    fig.tight_layout()
    return fig


def distributions(sweep: pd.DataFrame, title: str = ""):
    """Distributions of mean CV accuracy by scaler, reducer and classifier (box + points); the
    title says how many configurations are shown and how many failed (not plotted)."""
    ok, n_failed = _ok(sweep)
    fig, axes = plt.subplots(1, 3, figsize=(16, 5), sharey=True)
    rng = np.random.default_rng(0)
    for ax, col in zip(axes, ["scaler", "reducer", "classifier"]):
        order = ok.groupby(col)["mean_test_accuracy"].median().sort_values(ascending=False).index.tolist()
        data = [ok.loc[ok[col] == v, "mean_test_accuracy"].to_numpy() for v in order]
        if data:
            ax.boxplot(data, showfliers=False, widths=0.6)
            for i, d in enumerate(data, start=1):
                ax.scatter(i + rng.uniform(-0.2, 0.2, len(d)), d, s=4, alpha=0.4, color="C0")
        ax.set_xticks(range(1, len(order) + 1), order, rotation=60, ha="right", fontsize=8)
        ax.set_xlabel(col)
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel(cv_label(sweep))
    fig.suptitle(f"{title or 'Accuracy distributions of the sweep'}{_shown(len(ok), n_failed)}")
    fig.tight_layout()
    return fig


def _shown(n_ok: int, n_failed: int) -> str:
    if n_failed == 0:
        return f" ({n_ok} configurations)"
    return f" ({n_ok} of {n_ok + n_failed} configurations; {n_failed} failed, not shown)"
