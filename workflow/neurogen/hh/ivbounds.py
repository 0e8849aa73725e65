"""dI/dV bounds of the three C. elegans non-spiking response types, from published I-V curves.

Run:  python -m neurogen.hh.ivbounds ../shared/data/hh/reference_iv.csv resources/hh/iv_bounds.csv

Type 0: transient outward rectifier (RIM), 1: outward rectifier (AIY), 2: bistable (AFD).
For each interval [V_k, V_k+1] of the 18-step voltage-clamp grid, the slope of the mean curve
(I_k+1 - I_k) / dV, with a 98 % interval mean ± z SD, z = 2.326, treating the currents at
the two steps as independent normals with the published SDs: SD = sqrt(sd_k^2 + sd_k+1^2) / dV.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from neurogen import NeurogenError

TYPE_NAMES = ["transient_outward_rectifier", "outward_rectifier", "bistable"]
TYPE_NEURONS = ["RIM", "AIY", "AFD"]
Z98 = 2.3263478740408408  # two-sided 98 %
DEFAULT_BOUNDS = Path(__file__).resolve().parents[3] / "resources" / "hh" / "iv_bounds.csv"


def derive_bounds(ref: pd.DataFrame, z: float = Z98) -> pd.DataFrame:
    need = ["voltage_mV"] + [f"{n}_{s}_pA" for n in TYPE_NEURONS for s in ("mean", "sd")]
    miss = [c for c in need if c not in ref.columns]
    if miss:
        raise NeurogenError(f"reference I-V table lacks column(s) {miss}")
    v = ref["voltage_mV"].to_numpy(float)
    dv = np.diff(v)
    rows = []
    for t, n in enumerate(TYPE_NEURONS):
        m = ref[f"{n}_mean_pA"].to_numpy(float)
        sd = ref[f"{n}_sd_pA"].to_numpy(float)
        slope = np.diff(m) / dv
        s = np.sqrt(sd[1:] ** 2 + sd[:-1] ** 2) / dv
        for k in range(len(dv)):
            rows.append(
                dict(
                    type=t,
                    type_name=TYPE_NAMES[t],
                    neuron=n,
                    v_lo_mV=v[k],
                    v_hi_mV=v[k + 1],
                    slope_mean=slope[k],
                    slope_lo=slope[k] - z * s[k],
                    slope_hi=slope[k] + z * s[k],
                )
            )
    return pd.DataFrame(rows)


def load_bounds(path=None):
    """-> (v_grid [K], lo [3, K-1], hi [3, K-1]) in pA/mV."""
    path = Path(path) if path is not None else DEFAULT_BOUNDS
    if not path.exists():
        raise NeurogenError(f"I-V bounds file not found: {path}")
    df = pd.read_csv(path)
    need = {"type", "v_lo_mV", "v_hi_mV", "slope_lo", "slope_hi"}
    if not need <= set(df.columns):
        raise NeurogenError(f"I-V bounds file {path} lacks column(s) {sorted(need - set(df.columns))}")
    types = sorted(df["type"].unique())
    lo = np.stack([df[df.type == t].sort_values("v_lo_mV")["slope_lo"].to_numpy(float) for t in types])
    hi = np.stack([df[df.type == t].sort_values("v_lo_mV")["slope_hi"].to_numpy(float) for t in types])
    d0 = df[df.type == types[0]].sort_values("v_lo_mV")
    v = np.r_[d0["v_lo_mV"].to_numpy(float), d0["v_hi_mV"].to_numpy(float)[-1]]
    return v, lo, hi


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print(__doc__)
        raise SystemExit(2)
    df = derive_bounds(pd.read_csv(argv[0]))
    df.to_csv(argv[1], index=False, float_format="%.6g")
    print(f"wrote {argv[1]}: {len(df)} rows")


def reference_long(ref: pd.DataFrame) -> pd.DataFrame:
    """The published mean/SD I-V table (wide: voltage_mV, <neuron>_mean_pA, <neuron>_sd_pA) in
    long format (type, type_name, neuron, V_mV, mean_pA, sd_pA), for figures."""
    miss = [
        c
        for c in ["voltage_mV"] + [f"{n}_{s}_pA" for n in TYPE_NEURONS for s in ("mean", "sd")]
        if c not in ref.columns
    ]
    if miss:
        raise NeurogenError(f"reference I-V table lacks column(s) {miss}")
    return pd.concat(
        [
            pd.DataFrame(
                dict(
                    type=t,
                    type_name=TYPE_NAMES[t],
                    neuron=n,
                    V_mV=ref["voltage_mV"],
                    mean_pA=ref[f"{n}_mean_pA"],
                    sd_pA=ref[f"{n}_sd_pA"],
                )
            )
            for t, n in enumerate(TYPE_NEURONS)
        ],
        ignore_index=True,
    )


if __name__ == "__main__":
    main()
