"""Combine the scaling tables of several sittings into one (the study's runs were built in parts:
each sitting's ``epgan_scale_merge`` scores only the runs it trained, on the same dataset).

    python benchmarks/scaling_combine.py benchmarks/results/epgan_scale/scaling.csv \
        results/epgan/small/scaling.csv --out benchmarks/results/epgan_scale/scaling.csv \
        --figure docs/epgan_scaling.png

Rows are keyed by variant × method × size × seed; a run in several tables must have the same
numbers in each up to float32 rounding (the lookups and the true-parameter floor are recomputed
by every sitting; the simulator's float32 results change by rounding with the batch size, so
they are checked to 1e-4 relative or 0.01 mV, and the last table's row is kept), otherwise the
script stops. Writes the combined table, sorted as
``scaling_table`` sorts it, prints the mean ± SD over seeds per size, and draws the scaling
figure of the combined table (``neurogen.plots.epgan.scaling_figure``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "workflow"))

KEY = ["variant", "method", "size", "seed"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tables", nargs="+")
    ap.add_argument("--out", required=True)
    ap.add_argument("--figure", default=None)
    ap.add_argument(
        "--title", default="EP-GAN data scaling (small model, 200 held-out test neurons, simulated at dt 0.5 ms)"
    )
    a = ap.parse_args()
    import numpy as np
    import pandas as pd

    from neurogen.epgan.scaling import PUBLISHED_RMSE_MV, seed_summary
    from neurogen.io import savefig, write_csv

    parts = [pd.read_csv(t) for t in a.tables]
    allrows = pd.concat(parts, ignore_index=True)
    k = allrows[KEY].astype(str).agg("/".join, axis=1)
    num = [c for c in allrows.columns if c.startswith(("rmse_", "iv_rmse_"))]
    for key, g in allrows.groupby(k, sort=False):
        if len(g) > 1:
            v = g[num].to_numpy(float)
            if not np.allclose(v, v[0], rtol=1e-4, atol=0.01, equal_nan=True):
                raise SystemExit(f"run {key}: different numbers in different tables; not combined")
    out = allrows[~k.duplicated(keep="last")]
    out = out.sort_values(KEY, na_position="last", kind="stable")
    write_csv(out, a.out)
    s = seed_summary(out)
    for r in s.itertuples():
        m, sd = r.rmse_avg_mV_seed_mean, r.rmse_avg_mV_seed_sd
        print(f"{r.variant:10s} {r.method:18s} n={r.size!s:8s} {m:.3f} ± {sd:.3f} mV ({r.n_seeds} seeds)")
    if a.figure:
        from neurogen.plots import epgan as plots

        savefig(plots.scaling_figure(out, PUBLISHED_RMSE_MV, title=a.title), a.figure)


if __name__ == "__main__":
    main()
