"""The HH model against NEURON: reference runs (../shared/data/hh/neuron_reference).

    python benchmarks/hh_neuron_reference.py [--dt 0.1] [--neurons RIM AIY] [--out docs/hh_neuron_overlay.png]

(VB6, with its calcium pool, and the full comparison incl. peak I-V and voltage-clamp traces:
``python -m neurogen.hh.reference DIR VB6 --plot docs/hh_vb6_overlay.png``.)

Simulates both neurons with their NEURON settings (conductances, E_Ca, start at -65 mV with
gates at rest, NEURON's protocols), prints the RMSE per amplitude and the steady-state I-V
differences, and draws the overlay figure shown in docs/hh.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "workflow"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dt", type=float, default=0.25)
    ap.add_argument("--dt-vclamp", type=float, default=0.1)
    ap.add_argument("--shared", default=os.environ.get("NEUROGEN_SHARED", str(ROOT.parent / "shared")))
    ap.add_argument("--out", default=str(ROOT / "docs" / "hh_neuron_overlay.png"))
    ap.add_argument("--neurons", nargs="+", default=["RIM", "AIY"])
    a = ap.parse_args()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    import torch

    from neurogen.hh.reference import compare_neuron

    torch.set_num_threads(1)
    folder = Path(a.shared) / "data" / "hh" / "neuron_reference"
    fig, axes = plt.subplots(len(a.neurons), 2, figsize=(13, 4 * len(a.neurons)), squeeze=False)
    for row, n in enumerate(a.neurons):
        t0 = time.time()
        r = compare_neuron(folder, n, dt_ms=a.dt, dt_vclamp_ms=a.dt_vclamp)
        print(f"{n}: dt {a.dt} ms, {time.time() - t0:.1f} s (load {os.getloadavg()[0]:.1f})")
        print("  RMSE per amplitude (mV):", dict(zip(r["amplitudes"].tolist(), r["rmse"].round(4).tolist())))
        d = r["iv_ours_vclamp"] - r["iv_neuron"]
        rel = np.abs(d) / np.maximum(np.abs(r["iv_neuron"]), 1e-12)
        print(f"  I-V (simulated clamp) max |diff| {np.abs(d).max():.4f} pA, max rel {rel.max():.4%}")
        da = r["iv_ours_algebraic"] - r["iv_neuron"]
        print(f"  I-V (algebraic steady state) max |diff| {np.abs(da).max():.3f} pA")
        ax = axes[row, 0]
        cmap = plt.get_cmap("coolwarm")
        S = len(r["amplitudes"])
        for s in range(S):
            c = cmap(s / (S - 1))
            ax.plot(r["t_ms"] / 1e3, r["V_neuron"][s], color=c, lw=2.5, alpha=0.45)
            ax.plot(r["t_ms"] / 1e3, r["V_ours"][s], color=c, lw=0.8, ls="--")
        ax.plot([], [], color="0.5", lw=2.5, alpha=0.45, label="NEURON 9 (dt 0.025 ms)")
        ax.plot([], [], color="0.2", lw=0.8, ls="--", label=f"neurogen torch (dt {a.dt} ms)")
        ax.set_xlabel("time (s)")
        ax.set_ylabel("membrane potential (mV)")
        ax.set_title(
            f"{n}: current clamp {r['amplitudes'].min():g}…{r['amplitudes'].max():g} pA, "
            f"max RMSE {r['rmse'].max():.3f} mV"
        )
        ax.legend(fontsize=8)
        ax = axes[row, 1]
        ax.plot(r["iv_v"], r["iv_neuron"], "o-", color="0.5", ms=7, alpha=0.6, label="NEURON (scripts' I_ss)")
        ax.plot(r["iv_v"], r["iv_ours_vclamp"], "x--", color="C3", label="neurogen, simulated clamp")
        ax.plot(r["iv_v"], r["iv_ours_algebraic"], ":", color="C0", label="neurogen, algebraic steady state")
        ax.set_xlabel("clamp potential (mV)")
        ax.set_ylabel("steady-state current (pA)")
        ax.set_title(f"{n}: voltage clamp, max |diff| {np.abs(d).max():.3f} pA")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(a.out, dpi=120)
    print("wrote", a.out)


if __name__ == "__main__":
    main()
