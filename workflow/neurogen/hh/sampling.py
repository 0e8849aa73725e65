"""Step 1 of EP-GAN's training-data generation: sample parameter sets; and the filters of
steps 2 (steady-state dI/dV bounds) and 3 (membrane potential range)."""

from __future__ import annotations

import numpy as np
from scipy import stats

from neurogen import NeurogenError


def shard_rng(seed: int, *keys) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(seed), *[int(k) for k in keys]]))


def sample_params(space, n: int, rng: np.random.Generator, skew: float = 4.0, scale_frac: float = 0.4):
    """[n, P] full vectors: free conductances from a skew normal on [lo, hi] (location lo, scale
    scale_frac*(hi-lo), shape ``skew``; values outside the range are redrawn), the other free
    parameters uniform on [lo, hi]; fixed parameters at their defaults."""
    if n < 0:
        raise NeurogenError("number of samples must be >= 0")
    P = len(space.names)
    out = np.broadcast_to(space.default, (n, P)).copy()
    roles = space.roles
    for j in np.flatnonzero(space.free):
        lo, hi = space.lo[j], space.hi[j]
        if hi == lo:
            out[:, j] = lo
            continue
        if roles[j] == "conductance":
            x = np.empty(n)
            todo = np.arange(n)
            dist = stats.skewnorm(skew, loc=0.0, scale=scale_frac)
            for _ in range(100):
                if len(todo) == 0:
                    break
                d = dist.rvs(size=len(todo), random_state=rng)
                ok = (d >= 0) & (d <= 1)
                x[todo[ok]] = d[ok]
                todo = todo[~ok]
            if len(todo):
                x[todo] = rng.uniform(0, 1, len(todo))
            out[:, j] = lo + (hi - lo) * x
        else:
            out[:, j] = rng.uniform(lo, hi, n)
    return out


def iv_slopes(iv, v):
    """dI/dV (pA/mV) between consecutive clamp levels; iv [N, K]."""
    return np.diff(np.asarray(iv, float), axis=1) / np.diff(np.asarray(v, float))[None]


def classify_iv(iv, v, lo, hi):
    """Per set the response types whose dI/dV bounds hold at every interval: bool [N, T]
    (non-finite I-V: no type)."""
    s = iv_slopes(iv, v)
    ok = (s[:, None, :] >= lo[None]) & (s[:, None, :] <= hi[None])
    fin = np.isfinite(s).all(1)
    return ok.all(-1) & fin[:, None]


def assign_types(match, rng, counts=None, target=None):
    """One type per set that matches at least one (-1: none), balancing across types. A set
    matching several goes to the rarest of them in this batch that is still below ``target``
    (without a target: the one with the fewest sets so far, then the rarest). Sets beyond
    every matching type's target are dropped (-1)."""
    T = match.shape[1]
    counts = np.zeros(T, int) if counts is None else np.asarray(counts, int).copy()
    supply = match.sum(0)
    out = np.full(len(match), -1, int)
    for i in rng.permutation(len(match)):
        cand = np.flatnonzero(match[i])
        if target is not None:
            cand = cand[counts[cand] < target]
        if len(cand) == 0:
            continue
        key = supply[cand] if target is not None else counts[cand] * (supply.max() + 1) + supply[cand]
        c = cand[key == key.min()]
        t = int(rng.choice(c))
        out[i] = t
        counts[t] += 1
    return out


def voltage_ok(traces, bounds=(-100.0, 150.0)):
    """Step 3: every sample of every stimulus strictly within bounds and finite; traces [N, S, T]."""
    tr = np.asarray(traces)
    fin = np.isfinite(tr).all(axis=(1, 2))
    with np.errstate(invalid="ignore"):
        inside = (tr > bounds[0]).all(axis=(1, 2)) & (tr < bounds[1]).all(axis=(1, 2))
    return fin, fin & inside
