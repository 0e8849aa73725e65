"""A small, budgeted hyper-parameter search for the deep generators, selected by fidelity.

The training cells are split (stratified, seeded) into a fit part and a validation part; each
candidate configuration is fit on the fit part, samples as many cells per class as the
validation part holds, and is scored by :func:`fidelity_score` against the validation cells.
The test split is never used: selection is by a fidelity metric, not by test accuracy.

Candidates: the base configuration first (so tuning can only match or improve the score), then
``budget - 1`` configurations drawn (seeded, without repetition) from the grid.
"""

from __future__ import annotations

import itertools
import logging
import time

import numpy as np
import pandas as pd

from .. import NeurogenError

log = logging.getLogger("neurogen")

#: default search spaces (epochs, width, latent size, learning rate) per deep generator
GRIDS = {
    "gan": {"epochs": [100, 300, 600], "hidden": [64, 128, 256], "noise_dim": [8, 32], "lr": [2e-4, 1e-3]},
    "vae": {"epochs": [100, 300, 600], "hidden": [64, 128, 256], "latent_dim": [2, 8, 16], "lr": [1e-3, 3e-3]},
    "flow": {"epochs": [50, 150, 300], "hidden": [64, 128], "n_layers": [4, 8], "lr": [3e-4, 1e-3]},
    "ddpm": {"epochs": [100, 300, 600], "hidden": [128, 256], "lr": [3e-4, 1e-3]},
}


def fidelity_score(X_syn, y_syn, X_val, y_val, k: int = 5) -> float:
    """Lower is better: mean over classes of |log SD ratio| + (1 − precision) + (1 − coverage)
    of the synthetic cells against real validation cells (spread, fidelity and diversity)."""
    from ..fidelity.distribution import prdc, sd_ratio

    y_syn, y_val = np.asarray(y_syn).astype(str), np.asarray(y_val).astype(str)
    parts = []
    for c in np.unique(y_val):
        V, S = X_val[y_val == c], X_syn[y_syn == c]
        if len(V) < 3 or len(S) < 3:
            continue
        kk = max(1, min(k, len(V) - 1, len(S) - 1))
        r = sd_ratio(S, V)
        p = prdc(V, S, kk)
        parts.append(abs(np.log(max(r, 1e-6))) + (1 - p["precision"]) + (1 - p["coverage"]))
    if not parts:
        raise NeurogenError("fidelity_score: no class has 3 or more validation and synthetic cells")
    return float(np.mean(parts))


def candidates(grid: dict, base: dict, budget: int, seed: int) -> list[dict]:
    """The base configuration, then ``budget - 1`` distinct grid points drawn at random."""
    if budget < 1:
        raise NeurogenError("tune: budget must be >= 1")
    keys = sorted(grid)
    points = [dict(zip(keys, v)) for v in itertools.product(*(grid[k] for k in keys))]
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(points))
    out = [dict(base)]
    for i in order:
        cand = {**base, **points[i]}
        if cand not in out:
            out.append(cand)
        if len(out) >= budget:
            break
    return out


def tune_generator(
    name: str,
    X,
    y,
    base: dict | None = None,
    grid: dict | None = None,
    budget: int = 4,
    val_frac: float = 0.25,
    seed: int = 0,
    k: int = 5,
):
    """Pick a configuration of generator ``name`` on a validation split of (X, y).

    Returns ``(best_params, table)``; ``table`` has one row per candidate: its parameters,
    ``fidelity_score`` (lower is better), ``fit_time_s`` and ``selected``.
    """
    from sklearn.model_selection import train_test_split

    from . import make_generator

    X = np.asarray(X, float)
    y = np.asarray(y).astype(str)
    grid = GRIDS.get(name, {}) if grid is None else grid
    base = dict(base or {})
    Xf, Xv, yf, yv = train_test_split(X, y, test_size=val_frac, stratify=y, random_state=seed)
    counts = pd.Series(yv).value_counts().to_dict()
    rows = []
    for i, params in enumerate(candidates(grid, base, budget, seed)):
        t0 = time.perf_counter()
        g = make_generator(name, **{**params, "seed": seed}).fit(Xf, yf)
        Xs, ys = g.sample({c: counts.get(c, 0) for c in g.classes_}, random_state=seed + 1)
        score = fidelity_score(Xs, ys, Xv, yv, k)
        dt = time.perf_counter() - t0
        log.info("tune %s candidate %d/%d %s: fidelity score %.3f (%.0f s)", name, i + 1, budget, params, score, dt)
        rows.append(
            {
                "generator": name,
                "candidate": i,
                **{f"param_{p}": v for p, v in params.items()},
                "params": repr(params),
                "fidelity_score": score,
                "fit_time_s": dt,
            }
        )
    table = pd.DataFrame(rows)
    best = int(table["fidelity_score"].idxmin())
    table["selected"] = table.index == best
    return candidates(grid, base, budget, seed)[best], table
