"""EP-GAN figures: predicted vs true traces and I–V per neuron type, error distributions against
the baselines, training curves, input ablation."""

from __future__ import annotations

import numpy as np
import pandas as pd

LABELS = {
    "epgan_selected": "EP-GAN (selected over epochs)",
    "epgan_single": "EP-GAN (single pass)",
    "default": "default parameters",
    "nearest_neighbour": "nearest neighbour (training set)",
    "true_parameters": "true parameters (simulation floor)",
}


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def overlays(
    per: pd.DataFrame, true_v, pred_v, true_iv, pred_iv, time_s, amplitudes, iv_v, method="epgan_selected", title=""
):
    """One row per neuron type: the test neuron with the median RMSE of ``method``; left: true
    (black) and predicted (red) responses for every stimulus; right: the I–V."""
    plt = _plt()
    g = per[per.method == method]
    types = list(dict.fromkeys(g["type"]))
    fig, axes = plt.subplots(
        len(types), 2, figsize=(11, 3.2 * len(types)), squeeze=False, gridspec_kw={"width_ratios": [2.2, 1]}
    )
    for r, t in enumerate(types):
        gt = g[(g["type"] == t) & np.isfinite(g["rmse_avg_mV"])].sort_values("rmse_avg_mV")
        ax, ax2 = axes[r]
        if not len(gt):
            ax.set_title(f"{t}: no successful simulation")
            continue
        row = gt.iloc[len(gt) // 2]
        i = int(row["neuron"])
        for s in range(true_v.shape[1]):
            ax.plot(time_s, true_v[i, s], color="k", lw=1.0, label="true" if s == 0 else None)
            ax.plot(time_s, pred_v[i, s], color="tab:red", lw=0.9, ls="--", label="predicted" if s == 0 else None)
        ax.set_xlabel("time (s)")
        ax.set_ylabel("membrane potential (mV)")
        ax.set_title(
            f"{t} — test neuron {i} (median of its type): RMSE {row['rmse_avg_mV']:.2f} mV "
            f"(pre {row['rmse_pre_mV']:.2f} / mid {row['rmse_mid_mV']:.2f} / post {row['rmse_post_mV']:.2f})",
            fontsize=9,
        )
        ax.legend(loc="upper right", fontsize=8)
        ax2.plot(iv_v, true_iv[i], "k-o", ms=3, label="true")
        ax2.plot(iv_v, pred_iv[i], "--o", color="tab:red", ms=3, label="predicted")
        ax2.set_xlabel("holding potential (mV)")
        ax2.set_ylabel("steady-state current (pA)")
        ax2.set_title(f"I–V RMSE {row['iv_rmse_pA']:.1f} pA", fontsize=9)
        ax2.legend(fontsize=8)
    fig.suptitle(
        title
        or f"{LABELS.get(method, method)} on held-out simulated neurons "
        f"(stimuli {amplitudes[0]:g} … {amplitudes[-1]:g} pA)"
    )
    fig.tight_layout()
    return fig


def error_distributions(per: pd.DataFrame, title=""):
    """Box plots of the per-neuron response RMSE (avg) and I–V RMSE, by method and type."""
    plt = _plt()
    methods = [m for m in LABELS if m in set(per.method)]
    types = list(dict.fromkeys(per["type"]))
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
    for ax, col, unit in (
        (axes[0], "rmse_avg_mV", "response RMSE, mean of pre/mid/post (mV)"),
        (axes[1], "iv_rmse_pA", "steady-state I–V RMSE (pA)"),
    ):
        pos, data, colors = [], [], []
        for j, m in enumerate(methods):
            for k, t in enumerate(types):
                v = per[(per.method == m) & (per["type"] == t)][col].to_numpy(float)
                data.append(v[np.isfinite(v)])
                pos.append(j * (len(types) + 1) + k)
                colors.append(f"C{k}")
        bp = ax.boxplot(data, positions=pos, widths=0.8, patch_artist=True, showfliers=False)
        for patch, c in zip(bp["boxes"], colors):
            patch.set_facecolor(c)
            patch.set_alpha(0.6)
        ax.set_xticks([j * (len(types) + 1) + (len(types) - 1) / 2 for j in range(len(methods))])
        ax.set_xticklabels([LABELS[m].replace(" (", "\n(") for m in methods], fontsize=8)
        ax.set_ylabel(unit)
        ax.set_yscale("log")
    handles = [plt.Rectangle((0, 0), 1, 1, color=f"C{k}", alpha=0.6) for k in range(len(types))]
    axes[1].legend(handles, types, title="neuron type", fontsize=8)
    fig.suptitle(title or "Errors on the held-out simulated test neurons (boxes: quartiles, whiskers 1.5 IQR)")
    fig.tight_layout()
    return fig


def training_curves(history: pd.DataFrame, title=""):
    plt = _plt()
    fig, axes = plt.subplots(1, 3, figsize=(14, 3.8))
    e = history["epoch"]
    for c, lab in (("loss_iv", "I–V reconstruction"), ("loss_voltage", "membrane-potential residual")):
        if c in history:
            axes[0].plot(e, history[c], "-o", ms=3, label=lab)
    axes[0].set_ylabel("loss (units of the training I–V SD)")
    axes[0].set_yscale("log")
    for c, lab in (("loss_wasserstein", "critic's Wasserstein estimate"), ("loss_adv", "generator adversarial")):
        if c in history:
            axes[1].plot(e, history[c], "-o", ms=3, label=lab)
    axes[1].set_ylabel("adversarial terms")
    if "val_iv_rmse_pA" in history:
        axes[2].plot(e, history["val_iv_rmse_pA"], "-o", ms=3, color="C2", label="validation I–V RMSE (pA)")
        axes[2].set_ylabel("I–V RMSE (pA)")
    if "val_rmse_mV" in history:
        ax3 = axes[2].twinx()
        ax3.plot(e, history["val_rmse_mV"], "-s", ms=3, color="C3", label="validation response RMSE (mV)")
        ax3.set_ylabel("response RMSE (mV)")
        ax3.legend(loc="upper center", fontsize=8)
    for ax in axes:
        ax.set_xlabel("epoch")
        ax.legend(fontsize=8, loc="upper right")
    ax2 = axes[0].twinx()
    ax2.plot(e, history["mask_rate"], color="grey", lw=0.8, ls=":")
    ax2.set_ylabel("masking rate", color="grey")
    fig.suptitle(title or "EP-GAN training")
    fig.tight_layout()
    return fig


def ablation_bars(inp: pd.DataFrame, loss: pd.DataFrame | None = None, title=""):
    plt = _plt()
    n = 2 if loss is not None and len(loss) else 1
    fig, axes = plt.subplots(1, n, figsize=(6 * n, 4), squeeze=False)
    ax = axes[0, 0]
    lab = [
        (
            "complete"
            if r.ablation == "complete"
            else f"{r.traces_kept:.0%} traces"
            if r.ablation == "traces"
            else f"I–V −{r.n_iv_removed} pts"
        )
        for r in inp.itertuples()
    ]
    ax.bar(range(len(inp)), inp["rmse_avg_mV_mean"], yerr=inp["rmse_avg_mV_sd"], capsize=3, color="C0")
    ax.set_xticks(range(len(inp)))
    ax.set_xticklabels(lab, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("response RMSE (mV), mean ± SD")
    ax.set_title("input ablation (single pass)", fontsize=10)
    if n == 2:
        ax = axes[0, 1]
        lab = [f"{r.variant}\n{r.method.replace('epgan_', '')}" for r in loss.itertuples()]
        ax.bar(range(len(loss)), loss["rmse_avg_mV_mean"], yerr=loss["rmse_avg_mV_sd"], capsize=3, color="C1")
        ax.set_xticks(range(len(loss)))
        ax.set_xticklabels(lab, fontsize=8)
        ax.set_ylabel("response RMSE (mV), mean ± SD")
        ax.set_title("loss ablation", fontsize=10)
    fig.suptitle(title or "EP-GAN ablations on the held-out test neurons")
    fig.tight_layout()
    return fig


def scaling_figure(table: pd.DataFrame, published_mV: float, title=""):
    """Data scaling: mean response RMSE on the held-out test neurons vs training-set size (log x),
    one line per loss variant (mean over seeds, error bars SD over seeds, seeds as dots), the
    nearest-neighbour lookup of the same subset, the true parameters' floor and the published
    figure; right: training time per run."""
    plt = _plt()
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(12, 4.6), gridspec_kw={"width_ratios": [1.6, 1]})
    runs = table[table["method"] == "epgan_selected"]
    colours = {}
    for i, (v, g) in enumerate(runs.groupby("variant", sort=False)):
        c = colours.setdefault(v, f"C{i}")
        w = g.iloc[0]
        label = f"EP-GAN {v} (adv {w['w_adversarial']:g}, I–V {w['w_iv']:g}, V {w['w_voltage']:g}), selected"
        s = g.groupby("size")["rmse_avg_mV_mean"].agg(["mean", "std", "count"]).reset_index()
        ax.errorbar(s["size"], s["mean"], yerr=s["std"].fillna(0), color=c, marker="o", capsize=3, label=label)
        ax.scatter(g["size"], g["rmse_avg_mV_mean"], color=c, s=10, alpha=0.5)
        ax2.scatter(g["size"], g["train_time_s"] / 60, color=c, label=f"{v} ({int(s['count'].max())} seed(s) max)")
    single = table[(table["method"] == "epgan_single")]
    for v, g in single.groupby("variant", sort=False):
        s = g.groupby("size")["rmse_avg_mV_mean"].mean()
        ax.plot(s.index, s.values, color=colours.get(v, "grey"), ls=":", marker=".", label=f"EP-GAN {v}, single pass")
    nn = table[table["method"] == "nearest_neighbour"].sort_values("size")
    if len(nn):
        ax.plot(nn["size"], nn["rmse_avg_mV_mean"], "k--s", ms=4, label="nearest neighbour (same subset)")
    fl = table[table["method"] == "true_parameters"]
    if len(fl):
        ax.axhline(
            float(fl["rmse_avg_mV_mean"].iloc[0]), color="grey", lw=1, label="true parameters (simulation-step floor)"
        )
    ax.axhline(published_mV, color="tab:red", ls="-.", lw=1.2, label=f"published EP-GAN ({published_mV} mV)")
    n_test = int(table["n_test"].max()) if len(table) else 0
    ax.set_xscale("log")
    ax.set_xlabel("training neurons (nested subsets of one training file)")
    ax.set_ylabel(f"mean response RMSE on {n_test} test neurons (mV)")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    ax2.set_xscale("log")
    ax2.set_xlabel("training neurons")
    ax2.set_ylabel("training wall time (min)")
    ax2.legend(fontsize=7)
    ax2.grid(alpha=0.3)
    fig.suptitle(title or "EP-GAN data scaling")
    fig.tight_layout()
    return fig
