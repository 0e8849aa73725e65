"""Which HH parameters can the inference recover? Parameter-space errors of the scaling runs.

Reads the scaling study's predictions (``results/epgan/{model}/scaling/*/n*/s*/predictions.npz``),
its nearest-neighbour lookups (``.../scaling/lookup/n*.npz``) and the held-out test neurons
(``results/hh/{model}/test.h5``); maps every free parameter to [-1, 1] over its sampling range
(``neurogen.epgan.nets.to_unit``, the scale the network outputs and ``val_param_mae`` uses) and
reports, per run and method:

* ``mae_unit``: mean |estimate - truth| over the test neurons and the free parameters;
* ``n_r_above_0.5`` and ``median_r``: how many parameters' estimates correlate with the truth
  across the test neurons with Pearson r > 0.5, and the median r;

next to two estimates that look at nothing: the training subset's per-parameter median, and a
random training neuron (seeded). A second table has the per-parameter r of every run.

    python benchmarks/epgan_identifiability.py --out benchmarks/results/epgan_scale

Writes ``identifiability.csv`` and ``identifiability_per_parameter.csv`` and prints a summary.
Pure post-processing: no simulation, seconds on one core.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "workflow"))

RUN = re.compile(r"scaling/(?P<variant>\w+)/n(?P<size>\d+)/s(?P<seed>\d+)/predictions\.npz$")


def correlations(est: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Pearson r per column (NaN where either side is constant)."""
    e = est - est.mean(0)
    t = truth - truth.mean(0)
    den = np.sqrt((e**2).sum(0) * (t**2).sum(0))
    den = np.where((est.std(0) > 1e-9) & (truth.std(0) > 1e-9), den, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, (e * t).sum(0) / np.where(den > 0, den, 1.0), np.nan)


def row(label: dict, est_u: np.ndarray, truth_u: np.ndarray, names) -> tuple[dict, list[dict]]:
    r = correlations(est_u, truth_u)
    summary = label | {
        "mae_unit": float(np.abs(est_u - truth_u).mean()),
        "n_r_above_0.5": int(np.sum(r > 0.5)),
        "median_r": float(np.nanmedian(r)) if np.isfinite(r).any() else np.nan,
        "n_params": len(names),
    }
    per = [label | {"parameter": n, "r": float(x)} for n, x in zip(names, r)]
    return summary, per


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--results", default=str(ROOT / "results"))
    ap.add_argument("--model", default="small")
    ap.add_argument("--seed", type=int, default=0, help="seed of the random-training-neuron estimate")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "epgan_scale"))
    a = ap.parse_args()

    import h5py
    import torch

    from neurogen.epgan import pipeline
    from neurogen.epgan.data import nested_subset
    from neurogen.epgan.nets import to_unit

    torch.set_num_threads(1)
    res = Path(a.results)
    test = res / "hh" / a.model / "test.h5"
    train = res / "hh" / a.model / "train.h5"
    scaling = res / "epgan" / a.model / "scaling"
    for p in (test, train, scaling):
        if not p.exists():
            sys.exit(f"{p} not found: build the scaling study first (docs/epgan_scale.md)")
    be = pipeline.load_backend(a.model, None, str(test))
    lo = torch.as_tensor(np.asarray(be.free_lo, float))
    hi = torch.as_tensor(np.asarray(be.free_hi, float))
    names = list(be.free_names)

    def unit(p):
        return to_unit(torch.as_tensor(np.asarray(p, float)), lo, hi).numpy()

    with h5py.File(test) as f:
        truth = unit(f["params"][:])
    runs = [
        (m.groupdict(), p) for p in sorted(scaling.glob("*/n*/s*/predictions.npz")) if (m := RUN.search(p.as_posix()))
    ]
    sizes = sorted({int(g["size"]) for g, _ in runs} | {int(p.stem[1:]) for p in scaling.glob("lookup/n*.npz")})
    rng = np.random.default_rng(a.seed)
    rows, per = [], []

    def add(label, est):
        s, pp = row(label, unit(est), truth, names)
        rows.append(s)
        per.extend(pp)

    with h5py.File(train) as f:
        all_train = f["params"][:]
        for n in sizes:
            ptr = all_train[nested_subset(len(all_train), n)]  # the subset EP-GAN and the lookup used
            add(
                {"variant": "none", "method": "training_median", "size": n, "seed": np.nan},
                np.median(ptr, 0)[None].repeat(len(truth), 0),
            )
            add(
                {"variant": "none", "method": "random_training_neuron", "size": n, "seed": a.seed},
                ptr[np.sort(rng.integers(0, n, len(truth)))],
            )
    for n in sizes:
        f = scaling / "lookup" / f"n{n}.npz"
        if f.exists():
            add(
                {"variant": "lookup", "method": "nearest_neighbour", "size": n, "seed": np.nan},
                np.load(f)["nearest_neighbour"],
            )
    for g, p in runs:
        z = np.load(p)
        for m in ("epgan_single", "epgan_selected"):
            add({"variant": g["variant"], "method": m, "size": int(g["size"]), "seed": int(g["seed"])}, z[m])
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    table = pd.DataFrame(rows).sort_values(["method", "variant", "size", "seed"])
    table.to_csv(out / "identifiability.csv", index=False)
    pd.DataFrame(per).to_csv(out / "identifiability_per_parameter.csv", index=False)
    with pd.option_context("display.width", 160):
        print(table.round(3).to_string(index=False))
    pp = pd.DataFrame(per)
    best = pp[pp.method.isin(["epgan_single", "epgan_selected", "nearest_neighbour"])].groupby("parameter").r.mean()
    print("\nparameters with mean r > 0.5 over the EP-GAN and lookup rows:")
    print(best[best > 0.5].sort_values(ascending=False).round(2).to_string())


if __name__ == "__main__":
    main()
