"""Lookup baselines of the training file (no network, no optimiser):

- ``nn``: the training neuron nearest to the target by input (EP-GAN's input space, normalised
  with training statistics only; :func:`neurogen.epgan.evaluate.nearest_neighbour`): 0 per-neuron
  simulations;
- ``knn_sim``: the k training neurons nearest by input, simulated, and the one whose responses
  are closest to the target's input (lowest window-averaged response RMSE) kept; k = EP-GAN's
  per-neuron selection simulations, so the lookup spends what EP-GAN's selection spends.
"""

from __future__ import annotations

import numpy as np

from .. import NeurogenError


def k_nearest(train_data, norm, responses, iv, k: int, rows=None, chunk: int = 2048) -> np.ndarray:
    """[N, k] training-row indices of the k nearest training neurons by input (closest first)."""
    from ..epgan.evaluate import input_features

    rows = np.arange(train_data.n) if rows is None else np.asarray(rows)
    k = int(k)
    if k < 1 or k > len(rows):
        raise NeurogenError(f"k-nearest lookup: k = {k} must lie in 1..{len(rows)} (training neurons)")
    q = input_features(responses, iv, norm)
    best_d = np.full((len(q), 0), np.inf)
    best_i = np.zeros((len(q), 0), dtype=np.int64)
    for lo in range(0, len(rows), chunk):
        r = rows[lo : lo + chunk]
        part = train_data.read_index(r, keys=("responses", "iv"))
        f = input_features(part["responses"], part["iv"], norm)
        d = (q**2).sum(1)[:, None] - 2 * q @ f.T + (f**2).sum(1)[None, :]
        d_all = np.concatenate([best_d, d], axis=1)
        i_all = np.concatenate([best_i, np.broadcast_to(r[None], d.shape)], axis=1)
        keep = np.argsort(d_all, axis=1, kind="stable")[:, :k]
        best_d = np.take_along_axis(d_all, keep, 1)
        best_i = np.take_along_axis(i_all, keep, 1)
    return best_i


def lookups(train_h5, responses, iv, k: int, simulator, n_train: int = 0, time_s=None, log=None) -> dict:
    """Both lookups for targets with inputs ``responses`` [N, S, T] (noisy, as recorded) and
    ``iv`` [N, K], among the same training neurons EP-GAN learns from (``n_train``: the nested
    subset of ``epgan.train.n_train``; 0 = all). Returns ``nn`` [N, F] and ``knn_sim`` [N, F]
    physical parameters, ``nn_index`` / ``knn_index`` [N] training rows, ``k``."""
    from ..epgan.data import H5Data, Normalizer, nested_subset
    from ..hh.metrics import response_rmse, window_masks

    train = H5Data(train_h5, need_params=True)
    rows = nested_subset(train.n, int(n_train))
    norm = Normalizer.fit(train, rows)
    idx = k_nearest(train, norm, responses, iv, k, rows=rows)
    params = train.read_index(idx.reshape(-1), keys=("params",))["params"].astype(np.float64)
    params = params.reshape(idx.shape[0], idx.shape[1], -1)
    run = getattr(simulator, "simulate_with_iv", None) or simulator.simulate
    resp, _ = run(params.reshape(-1, params.shape[-1]))
    resp = resp.reshape(idx.shape[0], idx.shape[1], *resp.shape[1:])
    masks = window_masks(
        simulator.time_s if time_s is None else time_s,
        step=getattr(simulator, "step_s", (5.0, 10.0)),
        window=getattr(simulator, "window_s", (4.0, 11.0)),
    )
    best = np.zeros(len(idx), dtype=np.int64)
    for i in range(len(idx)):
        r = response_rmse(resp[i], np.asarray(responses[i]), masks=masks)["avg"]
        best[i] = int(np.argmin(np.where(np.isfinite(r), r, np.inf)))
    if log is not None:
        log.info(
            "lookups among %d training neurons: nearest neighbour, and the best of the %d nearest "
            "simulated (%d simulations)",
            len(rows),
            k,
            idx.size,
        )
    return {
        "nn": params[:, 0],
        "nn_index": idx[:, 0],
        "knn_sim": params[np.arange(len(idx)), best],
        "knn_index": idx[np.arange(len(idx)), best],
        "k": int(k),
        "n_train": int(len(rows)),
    }
