"""Errors, the published selection over epochs, single-pass inference, the baselines and the
input ablations."""

from __future__ import annotations

import numpy as np

from .. import NeurogenError
from ..hh.metrics import iv_rmse, response_rmse, window_masks  # noqa: F401 (the one implementation)


def select_over_epochs(candidates, simulate, target_responses, time_s, log=None, per_call: int | None = None):
    """The published selection: for each target neuron, the epoch whose generated parameters'
    simulated responses have the lowest RMSE averaged over pre/mid/post (vs the target's input).

    candidates [E, N, F]; simulate(params [M, F]) -> [M, S, T]. Epochs are simulated together,
    ``per_call`` parameter sets per call (default: one epoch per call) — the simulator's cost is
    mostly per time step, so large calls are faster. Returns (params [N, F], epoch [N] (1-based),
    rmse [N], simulated responses of the chosen sets [N, S, T])."""
    cand = np.asarray(candidates)
    E, N, F = cand.shape
    per_call = max(N, per_call or N)
    k = max(1, per_call // N)  # epochs per call
    best = np.full(N, np.inf)
    best_e = np.zeros(N, dtype=np.int64)
    best_sim = None
    for e0 in range(0, E, k):
        es = list(range(e0, min(E, e0 + k)))
        sims = simulate(cand[es].reshape(-1, F))
        sims = sims.reshape(len(es), N, *sims.shape[1:])
        for j, e in enumerate(es):
            sim = sims[j]
            if best_sim is None:
                best_sim = np.full(sim.shape, np.nan, dtype=np.float32)
            r = response_rmse(sim, target_responses, time_s)["avg"]
            r = np.where(np.isfinite(r), r, np.inf)
            better = r < best
            best[better], best_e[better] = r[better], e
            best_sim[better] = sim[better]
        if log:
            fin = np.isfinite(best)
            log.info(
                "selection: epochs %d–%d of %d simulated; mean RMSE of the best so far %.3f mV",
                es[0] + 1,
                es[-1] + 1,
                E,
                float(np.mean(best[fin])) if fin.any() else np.nan,
            )
    return cand[best_e, np.arange(N)], best_e + 1, best, best_sim


def infer(net, norm, responses, stimuli, iv, batch: int = 4096, device=None):
    """Single-pass inference: free parameters [N, F] for N neurons (any number of steps S)."""
    import torch

    from .data import make_inputs

    dev = device or next(net.parameters()).device
    out = []
    net.eval()
    with torch.no_grad():
        for lo in range(0, len(responses), batch):
            st = stimuli if np.ndim(stimuli) == 2 else stimuli[lo : lo + batch]
            x, ivn = make_inputs(responses[lo : lo + batch], st, iv[lo : lo + batch], norm)
            out.append(net(x.to(dev), ivn.to(dev)).double().cpu().numpy())
    return np.concatenate(out, 0)


def input_features(responses, iv, norm):
    """Flattened normalised responses ⊕ normalised I–V (the nearest-neighbour input space)."""
    r = (np.asarray(responses, np.float64) - norm.resp_mean) / norm.resp_sd
    ivn = (np.asarray(iv, np.float64) - np.asarray(norm.iv_mean)) / np.asarray(norm.iv_sd)
    r = r.reshape(len(r), -1) / np.sqrt(r.shape[1] * r.shape[2] / ivn.shape[1])  # equal weight to V and I–V
    return np.concatenate([r, ivn], axis=1)


def nearest_neighbour(train_data, norm, responses, iv, chunk: int = 2048, rows=None):
    """Baseline: for each query, the training neuron nearest in input space (Euclidean on
    :func:`input_features`) among ``rows`` of the training file (default: all); returns (its row
    index [N], its parameters [N, F])."""
    rows = np.arange(train_data.n) if rows is None else np.asarray(rows)
    q = input_features(responses, iv, norm)
    best_d = np.full(len(q), np.inf)
    best_i = np.zeros(len(q), dtype=np.int64)
    for lo in range(0, len(rows), chunk):
        r = rows[lo : lo + chunk]
        part = train_data.read_index(r, keys=("responses", "iv"))
        f = input_features(part["responses"], part["iv"], norm)
        d = (q**2).sum(1)[:, None] - 2 * q @ f.T + (f**2).sum(1)[None, :]
        j = d.argmin(1)
        dj = d[np.arange(len(q)), j]
        better = dj < best_d
        best_d[better], best_i[better] = dj[better], r[j[better]]
    params = train_data.read_index(best_i, keys=("params",))["params"]
    return best_i, params.astype(np.float64)


def keep_traces(responses, stimuli, fraction: float):
    """Input ablation: keep the lowest ``fraction`` of the stimulus steps (upper stimuli removed)."""
    S = responses.shape[1]
    k = max(1, int(round(S * fraction)))
    return responses[:, :k], (stimuli[:k] if np.ndim(stimuli) == 2 else stimuli[:, :k])


def drop_iv_points(iv, v_mV, fraction: float):
    """Input ablation: remove the first ``fraction`` of the I–V points and replace them by linear
    extrapolation of the first two points that remain."""
    iv = np.array(iv, dtype=np.float64, copy=True)
    v = np.asarray(v_mV, dtype=np.float64)
    K = iv.shape[1]
    n = int(round(K * fraction))
    if n <= 0:
        return iv
    if n > K - 2:
        raise NeurogenError(f"cannot remove {n} of {K} I–V points (two must remain to extrapolate)")
    slope = (iv[:, n + 1] - iv[:, n]) / (v[n + 1] - v[n])
    iv[:, :n] = iv[:, [n]] + slope[:, None] * (v[None, :n] - v[n])
    return iv
