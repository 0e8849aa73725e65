"""EP-GAN's three-step training-data generation, one shard at a time, and the merge."""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import torch

from neurogen import NeurogenError
from neurogen.hh.dataset import TYPE_NAMES, read_shard, write_dataset
from neurogen.hh.model import DT_MS, PROTOCOL, Model, Protocol, simulate_cclamp, steady_state_iv
from neurogen.hh.sampling import assign_types, classify_iv, sample_params, shard_rng, voltage_ok
from neurogen.io import warn_rejections

COUNT_NAMES = (
    ["sampled", "iv_nonfinite"]
    + [f"iv_match_{t}" for t in range(3)]
    + [f"selected_{t}" for t in range(3)]
    + [f"sim_nonfinite_{t}" for t in range(3)]
    + [f"vrange_reject_{t}" for t in range(3)]
    + [f"accepted_{t}" for t in range(3)]
)


def protocol_from_config(cfg) -> Protocol:
    amps = tuple(float(a) for a in cfg.get("amplitudes_pA", PROTOCOL.amplitudes_pA))
    pr = Protocol(amplitudes_pA=amps)
    pr.check()
    return pr


def generate_shard(
    space,
    *,
    n_per_type,
    max_candidates,
    seed,
    shard,
    bounds,
    dt_ms=DT_MS,
    chunk=20000,
    oversample=1.5,
    batch_size=1000,
    device="cpu",
    dtype=torch.float32,
    skew=4.0,
    scale_frac=0.4,
    protocol=PROTOCOL,
    v_bounds=(-100.0, 150.0),
    n_keep_sampled=2000,
    log=None,
) -> dict:
    """Steps 1-3 for one shard: sample in chunks until every type has ``ceil(n_per_type *
    oversample)`` sets passing the dI/dV bounds (or ``max_candidates`` are spent), simulate those
    under current clamp, keep up to ``n_per_type`` per type whose potential stays within
    ``v_bounds``. Returns arrays + counts (COUNT_NAMES)."""
    v, lo, hi = bounds
    rng = shard_rng(seed, shard)
    model = Model(space)
    T = lo.shape[0]
    target = int(math.ceil(n_per_type * oversample))
    counts = dict.fromkeys(COUNT_NAMES, 0)
    chosen_p, chosen_iv, chosen_t = [], [], []
    n_sel = np.zeros(T, int)
    sampled_keep = []
    t0 = time.time()
    while counts["sampled"] < max_candidates and (n_sel < target).any():
        n = min(chunk, max_candidates - counts["sampled"])
        p = sample_params(space, n, rng, skew=skew, scale_frac=scale_frac)
        if len(sampled_keep) * chunk < n_keep_sampled:
            sampled_keep.append(space.free_of(p[: max(0, n_keep_sampled - sum(len(s) for s in sampled_keep))]))
        counts["sampled"] += n
        with torch.no_grad():
            iv = steady_state_iv(torch.as_tensor(p, dtype=torch.float64), v, model=model).numpy()
        fin = np.isfinite(iv).all(1)
        counts["iv_nonfinite"] += int((~fin).sum())
        match = classify_iv(iv, v, lo, hi)
        for t in range(T):
            counts[f"iv_match_{t}"] += int(match[:, t].sum())
        typ = assign_types(match, rng, counts=n_sel, target=target)
        keep = typ >= 0
        for t in range(T):
            n_sel[t] += int((typ == t).sum())
        chosen_p.append(p[keep])
        chosen_iv.append(iv[keep])
        chosen_t.append(typ[keep])
        if log:
            log.info(
                f"shard {shard}: {counts['sampled']} sampled, selected per type {n_sel.tolist()} "
                f"(target {target}), {time.time() - t0:.1f} s"
            )
    P = np.concatenate(chosen_p) if chosen_p else np.zeros((0, len(space.names)))
    IV = np.concatenate(chosen_iv) if chosen_iv else np.zeros((0, len(v)))
    TY = np.concatenate(chosen_t) if chosen_t else np.zeros(0, int)
    for t in range(T):
        counts[f"selected_{t}"] = int((TY == t).sum())
    # step 3: current clamp
    R = np.zeros((len(P), len(protocol.amplitudes_pA), protocol.n_points), np.float32)
    for a in range(0, len(P), batch_size):
        b = min(len(P), a + batch_size)
        t1 = time.time()
        with torch.no_grad():
            out = simulate_cclamp(
                torch.as_tensor(P[a:b], dtype=dtype, device=device),
                protocol.amplitudes_pA,
                dt_ms=dt_ms,
                protocol=protocol,
                model=model,
            )
        R[a:b] = out.float().cpu().numpy()
        if log:
            log.info(
                f"shard {shard}: simulated {b}/{len(P)} sets x {len(protocol.amplitudes_pA)} stimuli "
                f"in {time.time() - t1:.1f} s (dt {dt_ms} ms, {device})"
            )
    fin, ok = voltage_ok(R, v_bounds)
    keep = np.zeros(len(P), bool)
    for t in range(T):
        it = TY == t
        counts[f"sim_nonfinite_{t}"] = int((it & ~fin).sum())
        counts[f"vrange_reject_{t}"] = int((it & fin & ~ok).sum())
        good = np.flatnonzero(it & ok)[:n_per_type]
        keep[good] = True
        counts[f"accepted_{t}"] = len(good)
    if log:
        log.info(
            f"shard {shard}: accepted per type {[counts[f'accepted_{t}'] for t in range(T)]}, "
            f"non-finite simulations {sum(counts[f'sim_nonfinite_{t}'] for t in range(T))}, "
            f"outside {v_bounds} mV {sum(counts[f'vrange_reject_{t}'] for t in range(T))}"
        )
    warn_rejections(
        log,
        f"shard {shard}",
        len(P),
        {
            "non-finite (blown-up) simulations": sum(counts[f"sim_nonfinite_{t}"] for t in range(T)),
            f"simulations outside {v_bounds} mV": sum(counts[f"vrange_reject_{t}"] for t in range(T)),
        },
    )
    sampled_free = np.concatenate(sampled_keep) if sampled_keep else np.zeros((0, int(space.free.sum())))
    return dict(
        p_full=P[keep],
        iv=IV[keep].astype(np.float32),
        type=TY[keep].astype(np.int8),
        responses_clean=R[keep],
        counts=np.array([counts[k] for k in COUNT_NAMES], np.int64),
        count_names=np.array(COUNT_NAMES),
        sampled_free=sampled_free.astype(np.float32),
    )


def merge_shards(
    shard_paths,
    space,
    *,
    train_path,
    test_path,
    acceptance_path,
    n_test,
    noise_mV,
    seed,
    protocol=PROTOCOL,
    iv_v=None,
    dt_ms=None,
    log=None,
):
    """Concatenate shards, hold out a type-balanced test set, add Gaussian noise, write files."""
    from neurogen.io import write_csv

    shards = [read_shard(p) for p in shard_paths]
    for p, d in zip(shard_paths, shards):
        if d["p_full"].shape[1:] != (len(space.names),):
            raise NeurogenError(
                f"HH shard {p} has {d['p_full'].shape[1]} parameters; the {space.model} model "
                f"has {len(space.names)} (stale shard from another table? delete it)"
            )
        if d["responses_clean"].shape[1:] != (len(protocol.amplitudes_pA), protocol.n_points):
            raise NeurogenError(
                f"HH shard {p}: responses shape {d['responses_clean'].shape[1:]} does not match "
                f"the protocol ({len(protocol.amplitudes_pA)} stimuli x {protocol.n_points})"
            )
    P = np.concatenate([d["p_full"] for d in shards])
    IV = np.concatenate([d["iv"] for d in shards])
    TY = np.concatenate([d["type"] for d in shards]).astype(int)
    R = np.concatenate([d["responses_clean"] for d in shards])
    counts = np.sum([d["counts"] for d in shards], axis=0)
    names = [str(x) for x in shards[0]["count_names"]]
    rng = shard_rng(seed, 10**6)
    # balanced test split
    T = 3
    per = [n_test // T + (1 if t < n_test % T else 0) for t in range(T)]
    test = np.zeros(len(P), bool)
    for t in range(T):
        idx = np.flatnonzero(TY == t)
        if len(idx) < per[t] + 1:
            raise NeurogenError(
                f"only {len(idx)} accepted sets of type {t} ({TY_NAME(t)}): too few for "
                f"{per[t]} test sets plus training data; raise hh.n_accepted or max_candidates"
            )
        test[rng.choice(idx, per[t], replace=False)] = True
    noise = rng.normal(0.0, noise_mV, R.shape).astype(np.float32) if noise_mV > 0 else np.zeros_like(R)
    Rn = R + noise
    time_s = protocol.time_s
    stim = protocol.stimuli()
    ivv = np.asarray(protocol.vclamp_mV if iv_v is None else iv_v, float)
    free_names = space.free_names
    attrs = dict(noise_mV=float(noise_mV), dt_ms=float(dt_ms or 0), n_shards=len(shards))
    for path, m in [(train_path, ~test), (test_path, test)]:
        order = np.flatnonzero(m)
        write_dataset(
            path,
            params=space.free_of(P[order]),
            param_names=free_names,
            responses=Rn[order],
            responses_clean=R[order],
            amplitudes_pA=protocol.amplitudes_pA,
            time_s=time_s,
            stimuli=stim,
            iv=IV[order],
            iv_v_mV=ivv,
            type=TY[order],
            model=space.model,
            seed=seed,
            extra_attrs=attrs,
        )
        if log:
            log.info(f"wrote {path}: {len(order)} neurons, per type {np.bincount(TY[order], minlength=3).tolist()}")
    c = dict(zip(names, counts.tolist()))
    rows = [
        dict(model=space.model, step="1_sampled", type="all", n=c["sampled"]),
        dict(model=space.model, step="2_iv_nonfinite", type="all", n=c["iv_nonfinite"]),
    ]
    for t in range(T):
        tn = TYPE_NAMES[t]
        rows += [
            dict(model=space.model, step="2_iv_match", type=tn, n=c[f"iv_match_{t}"]),
            dict(model=space.model, step="2_selected_balanced", type=tn, n=c[f"selected_{t}"]),
            dict(model=space.model, step="3_sim_nonfinite", type=tn, n=c[f"sim_nonfinite_{t}"]),
            dict(model=space.model, step="3_vrange_reject", type=tn, n=c[f"vrange_reject_{t}"]),
            dict(model=space.model, step="3_accepted", type=tn, n=c[f"accepted_{t}"]),
            dict(model=space.model, step="train", type=tn, n=int(((TY == t) & ~test).sum())),
            dict(model=space.model, step="test", type=tn, n=int(((TY == t) & test).sum())),
        ]
    df = pd.DataFrame(rows)
    df["fraction_of_sampled"] = df["n"] / max(1, c["sampled"])
    write_csv(df, acceptance_path)
    return df


def TY_NAME(t):  # noqa: N802
    return TYPE_NAMES[t]
