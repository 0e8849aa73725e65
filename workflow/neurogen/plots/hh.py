"""Figures of the hh stage."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

TYPE_LABELS = ["transient outward rectifier (~RIM)", "outward rectifier (~AIY)", "bistable (~AFD)"]


def examples(d, ref, rng, title, n_per_type=3):
    """Per type: current-clamp responses of example neurons (rows) and all accepted I-V curves
    with the reference mean ± SD."""
    T = 3
    fig, axes = plt.subplots(T, n_per_type + 1, figsize=(4 * (n_per_type + 1), 3.2 * T), squeeze=False)
    t = d["time_s"]
    amps = d["amplitudes_pA"]
    cmap = plt.get_cmap("coolwarm")
    for ty in range(T):
        idx = np.flatnonzero(d["type"] == ty)
        pick = rng.choice(idx, min(n_per_type, len(idx)), replace=False) if len(idx) else []
        for j in range(n_per_type):
            ax = axes[ty, j]
            if j < len(pick):
                i = pick[j]
                for s, a in enumerate(amps):
                    ax.plot(
                        t,
                        d["responses"][i, s],
                        color=cmap(s / max(1, len(amps) - 1)),
                        lw=0.8,
                        label=f"{a:g} pA" if j == 0 and s in (0, len(amps) - 1) else None,
                    )
                ax.set_title(f"{TYPE_LABELS[ty]}\nneuron {i}", fontsize=9)
            else:
                ax.text(0.5, 0.5, "no accepted neuron", ha="center", transform=ax.transAxes)
            ax.set_xlabel("time (s)")
            ax.set_ylabel("membrane potential (mV)")
            if j == 0 and len(pick):
                ax.legend(fontsize=7, title="stimulus", title_fontsize=7)
        ax = axes[ty, -1]
        v = d["iv_v_mV"]
        for i in idx[:200]:
            ax.plot(v, d["iv"][i], color="0.6", lw=0.5, alpha=0.5)
        r = ref[ref["type"] == ty].sort_values("V_mV")
        if len(r):
            ax.errorbar(
                r["V_mV"],
                r["mean_pA"],
                yerr=r["sd_pA"],
                color="k",
                lw=1.5,
                capsize=2,
                label=f"published {r['neuron'].iloc[0]} mean ± SD",
            )
        ax.plot([], [], color="0.6", label=f"accepted (n = {len(idx)})")
        ax.set_xlabel("clamp potential (mV)")
        ax.set_ylabel("steady-state current (pA)")
        ax.set_title(f"{TYPE_LABELS[ty]}: steady-state I-V", fontsize=9)
        ax.legend(fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def param_histograms(sampled, accepted, space, title, max_panels=48):
    """Histograms of each free parameter: sampled candidates vs accepted training sets."""
    names = space.free_names
    roles = dict(zip(space.names, space.roles))
    # conductances, reversals, C, V0 first; then kinetics; initial states last
    order = sorted(
        range(len(names)),
        key=lambda j: {"conductance": 0, "reversal": 1, "capacitance": 2, "V0": 2, "kinetic": 3, "initial": 4}.get(
            roles[names[j]], 5
        ),
    )
    order = order[:max_panels]
    ncol = 8
    nrow = int(np.ceil(len(order) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(2.4 * ncol, 2.0 * nrow), squeeze=False)
    unit = dict(zip(space.names, space.table["unit"].fillna("")))
    for k, j in enumerate(order):
        ax = axes.flat[k]
        lo, hi = np.nanmin(sampled[:, j]) if len(sampled) else 0, np.nanmax(sampled[:, j]) if len(sampled) else 1
        bins = np.linspace(lo, hi if hi > lo else lo + 1, 25)
        ax.hist(sampled[:, j], bins=bins, density=True, color="0.7", label="sampled")
        ax.hist(accepted[:, j], bins=bins, density=True, histtype="step", color="C3", lw=1.2, label="accepted")
        u = unit.get(names[j], "")
        ax.set_xlabel(f"{names[j]}" + (f" ({u})" if isinstance(u, str) and u else ""), fontsize=7)
        ax.tick_params(labelsize=6)
        if k % ncol == 0:
            ax.set_ylabel("density", fontsize=7)
        if k == 0:
            ax.legend(fontsize=6)
    for k in range(len(order), nrow * ncol):
        axes.flat[k].axis("off")
    shown = "" if len(names) <= max_panels else f" (first {max_panels} of {len(names)} free parameters)"
    fig.suptitle(f"{title}{shown}: {len(sampled)} sampled, {len(accepted)} accepted")
    fig.tight_layout()
    return fig
