"""Figures of the fitting comparison: RMSE per method and budget, and the cost curve T(N)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

ORDER = ["epgan", "epgan_refine", "nn", "knn_sim", "npe", "nsga2", "demo", "gde3", "nsde"]
LABEL = {
    "epgan": "EP-GAN",
    "epgan_refine": "EP-GAN\n+ NSDE",
    "nn": "nearest\nneighbour",
    "knn_sim": "k nearest\nsimulated",
    "npe": "NPE (sbi)",
    "nsga2": "NSGA-II",
    "demo": "DEMO",
    "gde3": "GDE3",
    "nsde": "NSDE",
}
#: rows whose budget is EP-GAN's training set (not a configured fit.budgets entry)
ON_TRAINING_SET = ("epgan", "epgan_refine", "nn", "knn_sim")


def _budget_key(df):
    return np.where(df["method"].isin(ON_TRAINING_SET), -1, df["budget_total"]).astype(int)


def _methods(df):
    ms = list(df["method"].unique())
    return [m for m in ORDER if m in ms] + sorted(m for m in ms if m not in ORDER)


def rmse_boxes(df: pd.DataFrame, title: str = ""):
    """Per model: box plots (with the neurons as points) of response and I–V RMSE per method x budget
    (rows that learn from or look up EP-GAN's training set in their own colour), and response RMSE
    against the total simulations per neuron (every simulation counted, docs/fit.md)."""
    df = df.assign(budget_key=_budget_key(df))
    models = sorted(df["model"].unique())
    fig, axes = plt.subplots(len(models), 3, figsize=(18, 4.2 * len(models)), squeeze=False)
    budgets = sorted(df["budget_key"].unique())
    cmap = plt.get_cmap("viridis", max(len(budgets), 2))
    for r, model in enumerate(models):
        d = df[df["model"] == model]
        methods = _methods(d)
        for c, (col, unit, name) in enumerate(
            [
                ("rmse_avg_mV", "mV", "membrane potential RMSE (pre/mid/post avg)"),
                ("iv_rmse_pA", "pA", "steady-state I–V RMSE"),
            ]
        ):
            ax = axes[r, c]
            width = 0.8 / len(budgets)
            for j, b in enumerate(budgets):
                data, pos = [], []
                for i, m in enumerate(methods):
                    v = d[(d["method"] == m) & (d["budget_key"] == b)][col].dropna().to_numpy()
                    if len(v):
                        data.append(v)
                        pos.append(i + (j - (len(budgets) - 1) / 2) * width)
                if not data:
                    continue
                bp = ax.boxplot(
                    data,
                    positions=pos,
                    widths=width * 0.85,
                    patch_artist=True,
                    showfliers=False,
                    medianprops={"color": "k"},
                )
                for p in bp["boxes"]:
                    p.set_facecolor(cmap(j))
                    p.set_alpha(0.55)
                rng = np.random.default_rng(0)
                for x, v in zip(pos, data):
                    ax.scatter(x + rng.uniform(-width * 0.2, width * 0.2, len(v)), v, s=10, color="k", zorder=3)
                n_tr = d.loc[d["budget_key"] == b, "train_samples"].max() if b < 0 else 0
                ax.plot(
                    [],
                    [],
                    "s",
                    color=cmap(j),
                    alpha=0.55,
                    label=(f"EP-GAN's training set ({n_tr:,.0f} neurons)" if b < 0 else f"budget {b:,} in total"),
                )
            ax.set_xticks(range(len(methods)))
            ax.set_xticklabels([LABEL.get(m, m) for m in methods], fontsize=8)
            ax.set_ylabel(f"{name} ({unit})")
            ax.set_title(f"{model} model: {name.split(' (')[0]}")
            ax.grid(axis="y", alpha=0.3)
            ax.legend(fontsize=8, title="budget")
        ax = axes[r, 2]
        colors = dict(zip(methods, plt.get_cmap("tab10").colors))
        for m in methods:
            g = d[d["method"] == m]
            x = g["total_simulations_per_neuron"] if "total_simulations_per_neuron" in g else g["samples_used"]
            ax.scatter(
                np.maximum(x.astype(float), 1.0),
                g["rmse_avg_mV"],
                s=14,
                color=colors[m],
                label=LABEL.get(m, m).replace("\n", " "),
            )
        tot = d["total_simulations_per_neuron"] if "total_simulations_per_neuron" in d else d["samples_used"]
        tot = np.maximum(tot.astype(float), 1.0)
        if tot.max() / tot.min() > 10:  # log only where it spans more than a decade
            ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.set_xlabel("total simulations per neuron (training / targets + selection + search)")
        ax.set_ylabel("membrane potential RMSE (mV)")
        ax.set_title(f"{model} model: error vs every simulation counted")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=7)
    fig.suptitle(title or "Fitting error per target neuron, by method and simulation budget")
    fig.tight_layout()
    return fig


def cost_curve(cost: pd.DataFrame, title: str = ""):
    """T(N) in hours vs number of neurons N, measured (solid) and extrapolated (dashed) to 279."""
    models = sorted(cost["model"].unique())
    fig, axes = plt.subplots(1, len(models), figsize=(7 * len(models), 4.8), squeeze=False)
    for ax, model in zip(axes[0], models):
        d = cost[cost["model"] == model]
        methods = _methods(d)
        colors = dict(zip(methods, plt.get_cmap("tab10").colors))
        for m in methods:
            for k, (b, g) in enumerate(d[d["method"] == m].groupby("budget_total")):
                g = g.sort_values("n_neurons")
                ls = "-" if k == 0 else ":"
                meas = g[g["n_neurons"] == g["measured_neurons"]]
                ax.plot(g["n_neurons"], g["T_hours"], ls, color=colors[m], alpha=0.45)
                ax.plot(meas["n_neurons"], meas["T_hours"], "o", color=colors[m])
                last = g.iloc[-1]
                ax.plot([], [], ls + "o", color=colors[m], label=f"{LABEL.get(m, m)}, {b:,} samples")
                ax.annotate(
                    f"{last['T_hours']:.2g} h",
                    (last["n_neurons"], last["T_hours"]),
                    fontsize=7,
                    xytext=(3, 0),
                    textcoords="offset points",
                )
        ax.axvline(279, color="0.5", lw=0.8, ls="--")
        ax.text(279, ax.get_ylim()[1], " 279 somatic neurons", fontsize=8, va="top", ha="right", rotation=90)
        ax.set_xlabel("number of neurons N")
        ax.set_ylabel("total time T(N) (hours)")
        ax.set_yscale("log")
        ax.set_title(f"{model} model: dots measured, lines the linear cost model")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=7)
    fig.suptitle(title or "Cost of inferring N neurons: amortised (data + training + inference) vs per-neuron fitting")
    fig.tight_layout()
    return fig
