"""What the workflow's fit rules do, one function per rule (the scripts only unpack
``snakemake``, call these and write the outputs). Values come from the config as arguments; no
function here carries a default that could contradict ``config/config.yaml``."""

from __future__ import annotations

import json
import logging
import time
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from .. import NeurogenError
from .score import COUNT_COLUMNS, counts, score_final

log = logging.getLogger("neurogen")


def job_seed(seed: int, *parts) -> int:
    """A seed per job from the config's seed and the job's identity (model, method, budget, target)."""
    return (int(seed) * 1000003 + zlib.crc32("/".join(str(p) for p in parts).encode())) % 2**31


def n_targets_of(targets_cfg: dict) -> int:
    """Number of target neurons ``fit.targets`` asks for (3 types × per_type, or the indices)."""
    if targets_cfg.get("indices") is not None:
        return len(targets_cfg["indices"])
    return 3 * int(targets_cfg["per_type"])


def simulator(model: str, table, sim: dict, device="cpu", ds: dict | None = None, log=None):
    """The one HH adapter of the fit stage: step ``sim["dt_ms"]`` (the hh stage's ``hh.dt_ms``),
    precision ``sim["dtype"]``, ``sim["chunk"]`` neurons per call; axes of dataset ``ds``."""
    from .simulator import HHSimulator

    kw = {}
    if ds is not None:
        kw = dict(amplitudes_pA=ds["amplitudes_pA"], v_mV=ds["iv_v_mV"], time_s=ds["time_s"])
    s = HHSimulator(
        model=model,
        table=table,
        dt_ms=sim["dt_ms"],
        chunk=sim["chunk"],
        dtype=sim["dtype"],
        device=str(device),
        log=log,
        **kw,
    )
    if ds is not None and list(s.names) != list(ds["param_names"]):
        raise NeurogenError(f"dataset param_names differ from the {model} model's free parameters")
    return s


# --- rule fit_targets -------------------------------------------------------------------------
def targets(test_h5, targets_cfg: dict, seed: int) -> pd.DataFrame:
    """targets.csv: target, neuron (test-set row), type, type_name."""
    from .data import choose_targets, read_dataset

    ds = read_dataset(test_h5, fields=("type",))
    idx = choose_targets(
        ds["type"], per_type=targets_cfg.get("per_type"), indices=targets_cfg.get("indices"), seed=seed
    )
    names = ds["type_names"]
    types = ds["type"][idx].astype(int)
    df = pd.DataFrame(
        {
            "target": range(len(idx)),
            "neuron": idx,
            "type": types,
            "type_name": [names[i] if i < len(names) else str(i) for i in types],
        }
    )
    if len(df) != n_targets_of(targets_cfg):
        raise NeurogenError(f"fit.targets: expected {n_targets_of(targets_cfg)} targets, chose {len(df)}")
    return df


# --- rule fit_npe_train -----------------------------------------------------------------------
def npe_train(train_h5, table, model: str, n_sims: int, npe_cfg: dict, seed: int, log=log):
    """NPE on the first ``n_sims`` simulations of the training file -> (posterior, info)."""
    from . import npe
    from .data import read_dataset
    from .simulator import HHSimulator

    t0 = time.perf_counter()
    n_all = read_dataset(train_h5, fields=())["n"]
    n = min(int(n_sims), n_all)
    if n < n_sims:
        log.warning("training set has %d simulations, fewer than the budget %d: NPE uses all %d", n_all, n_sims, n)
    ds = read_dataset(train_h5, rows=np.arange(n), fields=("params", "responses", "iv"))
    sim = HHSimulator(model=model, table=table)
    if list(sim.names) != list(ds["param_names"]):
        raise NeurogenError(f"{train_h5}: param_names differ from the {model} model's free parameters")
    lo, hi = sim.lo, sim.hi
    theta = (ds["params"].astype(np.float64) - lo) / np.where(hi > lo, hi - lo, 1.0)
    x = npe.features(ds["responses"], ds["iv"], npe_cfg["stride"])
    log.info("NPE on %d simulations (%d features, %d parameters), CPU", n, x.shape[1], theta.shape[1])
    posterior, info = npe.train(
        theta,
        x,
        seed=seed,
        density=npe_cfg["density"],
        embedding_dim=npe_cfg["embedding_dim"],
        hidden=npe_cfg["hidden"],
        max_epochs=npe_cfg["max_epochs"],
        batch_size=npe_cfg["batch_size"],
        log=log,
    )
    info["train_time_s"] = time.perf_counter() - t0
    return posterior, info


# --- rule fit_search --------------------------------------------------------------------------
def _targets(test_h5, targets_csv):
    """targets.csv, the test set's rows of every target, and one target dict per target."""
    from .data import read_dataset

    tg = pd.read_csv(targets_csv)
    if len(tg) == 0:
        raise NeurogenError(f"{targets_csv}: no target neurons")
    ds = read_dataset(test_h5, rows=sorted(set(tg["neuron"].astype(int))))
    pos = np.searchsorted(ds["rows"], tg["neuron"].astype(int).to_numpy())
    targets = [
        {
            "responses": ds["responses"][i],
            "iv": ds["iv"][i],
            "time_s": ds["time_s"],
            "responses_clean": ds["responses_clean"][i],
            "params": ds["params"][i],
        }
        for i in pos
    ]
    return tg, ds, targets


def _bounds(bounds_csv, ds, tg):
    """Per target: the (lo, hi) dI/dV bounds of its type, or None without a bounds file."""
    if not bounds_csv:
        return [None] * len(tg)
    from .selection import load_didv_bounds

    allb = load_didv_bounds(bounds_csv, n_intervals=len(ds["iv_v_mV"]) - 1)
    out = []
    for t in tg["type"].astype(int):
        if t not in allb:
            raise NeurogenError(f"{bounds_csv}: no dI/dV bounds for type {t}")
        out.append(allb[t])
    return out


def json_row(row: dict, rec: dict) -> dict:
    """The result JSON of a job: the row (NaN as null) and the selected parameters (physical)."""
    out = {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in row.items()}
    out["selected_params"] = [float(v) for v in rec["selected_params"]]
    return out


def write_results(out, json_paths, npz_paths):
    """Write each target's result JSON and candidates (``out`` in targets.csv order, one path per
    target)."""
    from ..io import write_json, write_npz

    if not (len(out) == len(json_paths) == len(npz_paths)):
        raise NeurogenError(f"{len(out)} target results for {len(json_paths)} output files (targets.csv changed?)")
    for (row, rec), pj, pn in zip(out, json_paths, npz_paths):
        write_npz(pn, **rec)
        write_json(json_row(row, rec), pj)


def _row_meta(row, model, tr, device, sim, rec):
    rec["param_names"] = np.array(sim.names)
    row.update(
        model=model,
        target=int(tr["target"]),
        neuron=int(tr["neuron"]),
        type=int(tr["type"]),
        type_name=str(tr["type_name"]),
        device=str(device),
        s_per_sample=row["sim_time_s"] / max(row["samples_used"], 1),
    )
    return row


def fit_search(
    model: str,
    methods,
    budget: int,
    *,
    test_h5,
    targets_csv,
    table,
    bounds_csv,
    posterior_pt,
    fit_cfg: dict,
    sim_cfg: dict,
    device,
    seed: int,
    log=log,
) -> dict:
    """Every method of ``methods`` at one configured budget on every target neuron, side by side
    (one simulator call per generation of all evolutionary methods × targets) ->
    ``{method: [(row, recorded candidates)] in targets.csv order}``."""
    from .run import fit_methods

    methods = list(methods)
    tg, ds, targets = _targets(test_h5, targets_csv)
    sim = simulator(model, table, sim_cfg, device, ds, log=log)
    kw = {}
    train_time, train_samples = np.nan, np.nan
    if "npe" in methods:
        from .npe import load_posterior

        if not posterior_pt:
            raise NeurogenError("method npe needs its trained posterior (rule fit_npe_train)")
        posterior, info, stride = load_posterior(posterior_pt)
        kw = dict(
            npe_posterior=posterior,
            npe_k=fit_cfg["npe"]["k"],
            npe_map=fit_cfg["npe"]["map"],
            npe_stride=stride,
            npe_feature_mask=info["feature_mask"],
        )
        train_time, train_samples = info["train_time_s"], info["n_train"]
    log.info(
        "methods %s, budget %d (%s), %d target neurons (test rows %s), device %s, dt %s ms",
        ", ".join(methods),
        budget,
        fit_cfg["budget_unit"],
        len(tg),
        ", ".join(str(int(n)) for n in tg["neuron"]),
        device,
        sim_cfg["dt_ms"],
    )
    kw.update({k: fit_cfg[k] for k in ("pop_size", "CR", "F", "demo_batches") if k in fit_cfg})
    out = fit_methods(
        methods,
        sim,
        targets,
        bounds=_bounds(bounds_csv, ds, tg),
        seeds={m: [job_seed(seed, model, m, budget, int(t)) for t in tg["target"]] for m in methods},
        budget_total=budget,
        n_targets=len(tg),
        budget_unit=fit_cfg["budget_unit"],
        log=log,
        **kw,
    )
    res = {}
    for m in methods:
        res[m] = []
        for (row, rec), (_, tr) in zip(out[m], tg.iterrows()):
            if m == "npe":
                row.update(train_time_s=train_time, train_samples=train_samples)
            else:
                row.update(train_time_s=np.nan, train_samples=np.nan)
            row["budget"] = int(budget)
            res[m].append((_row_meta(row, model, tr, device, sim, rec), rec))
    return res


# --- rule fit_refine --------------------------------------------------------------------------
def epgan_candidates(candidates_npz, neuron: int, k: int, names=None) -> np.ndarray:
    """EP-GAN's per-epoch candidates [k, F] for test neuron ``neuron``: the last ``k`` epochs of
    the epgan stage's ``full/candidates.npz`` (the sets its selection over epochs simulates)."""
    z = np.load(candidates_npz)
    if "candidates" not in z:
        raise NeurogenError(f"{candidates_npz}: no 'candidates' array (an epgan_train output?)")
    cand = z["candidates"]
    if cand.ndim != 3 or not (0 <= neuron < cand.shape[1]):
        raise NeurogenError(f"{candidates_npz}: candidates {cand.shape} have no test neuron {neuron}")
    if names is not None and "free_names" in z and list(z["free_names"]) != list(names):
        raise NeurogenError(f"{candidates_npz}: free_names differ from the model's free parameters")
    E = cand.shape[0]
    return cand[max(0, E - int(k)) :, neuron].astype(np.float64)


def refine_targets(
    model: str,
    *,
    test_h5,
    targets_csv,
    table,
    bounds_csv,
    candidates_npz,
    k: int,
    refine_cfg: dict,
    sim_cfg: dict,
    device,
    seed: int,
    log=log,
):
    """``epgan_refine`` for every target neuron (side by side) -> [(row, recorded candidates)]."""
    from .run import refine_many

    tg, ds, targets = _targets(test_h5, targets_csv)
    sim = simulator(model, table, sim_cfg, device, ds, log=log)
    cands = [epgan_candidates(candidates_npz, int(n), k, names=sim.names) for n in tg["neuron"]]
    log.info(
        "%d target neurons: NSDE from %d EP-GAN candidates each, budget %d per neuron, dt %s ms",
        len(tg),
        len(cands[0]),
        refine_cfg["budget"],
        sim_cfg["dt_ms"],
    )
    out = refine_many(
        sim,
        targets,
        cands,
        budget=int(refine_cfg["budget"]),
        CR=float(refine_cfg["CR"]),
        F=float(refine_cfg["F"]),
        bounds=_bounds(bounds_csv, ds, tg),
        seeds=[job_seed(seed, model, "epgan_refine", int(t)) for t in tg["target"]],
        log=log,
    )
    return [(_row_meta(row, model, tr, device, sim, rec), rec) for (row, rec), (_, tr) in zip(out, tg.iterrows())]


# --- rule fit_score ---------------------------------------------------------------------------
def _read_json(p):
    try:
        with open(p) as fh:
            return json.load(fh)
    except (OSError, ValueError) as e:
        raise NeurogenError(f"{p}: cannot read a fit result ({e})") from None


def _costs(acceptance_csv):
    from ..epgan.scaling import simulation_costs

    try:
        a = pd.read_csv(acceptance_csv)
    except (OSError, ValueError) as e:
        raise NeurogenError(f"{acceptance_csv}: cannot read the hh stage's acceptance table ({e})") from None
    if "step" not in a or "n" not in a:
        raise NeurogenError(f"{acceptance_csv}: needs columns 'step' and 'n' (the hh stage's acceptance.csv)")
    return simulation_costs(a)


def score(
    model: str,
    *,
    targets_csv,
    test_h5,
    train_h5,
    acceptance_csv,
    table,
    results=(),
    refined=(),
    epgan: dict | None = None,
    lookups=(),
    k: int = 0,
    epgan_n_train: int = 0,
    sim_cfg: dict,
    device="cpu",
    log=log,
) -> pd.DataFrame:
    """Rule fit_score: every method's final parameter vector per target neuron, simulated with
    one simulator at the fit stage's step and scored by :func:`.score.score_final`, with the
    counting columns of :mod:`.score`. ``epgan``: paths ``predictions``, ``history`` and the
    ``method`` (key of predictions.npz) when EP-GAN rows are wanted."""
    from ..epgan.data import nested_subset
    from .data import read_dataset

    tg = pd.read_csv(targets_csv)
    n_t = len(tg)
    neurons = tg["neuron"].astype(int).to_numpy()
    ds = read_dataset(test_h5, rows=None, fields=("params", "responses", "responses_clean", "iv", "type"))
    sim = simulator(model, table, sim_cfg, device, ds, log=log)
    costs = _costs(acceptance_csv)
    n_file = read_dataset(train_h5, fields=())["n"]
    n_ep = len(nested_subset(n_file, int(epgan_n_train)))
    log.info(
        "scoring at dt %s ms; %s simulations and %s screenings per accepted training neuron",
        sim_cfg["dt_ms"],
        f"{costs['simulated']:.3f}",
        f"{costs['screened']:.3f}",
    )
    rows, params = [], []
    by_t = tg.set_index("target")

    def add(row, p):
        t = by_t.loc[int(row["target"])]
        row.update(model=model, neuron=int(t["neuron"]), type=int(t["type"]), type_name=str(t["type_name"]))
        rows.append(row)
        params.append(np.asarray(p, dtype=np.float64))

    # optimisers and NPE (fit_search), refinement (fit_refine): their selected candidate
    for p in list(results) + list(refined):
        r = _read_json(p)
        if r.get("model", model) != model:
            continue
        if "selected_params" not in r:
            raise NeurogenError(f"{p}: no 'selected_params' (written by an older fit job; rerun it)")
        sel = r.pop("selected_params")
        if r["method"] == "npe":
            c = counts(n_t, n_train=r["train_samples"], costs=costs, search=r["samples_used"])
        elif r["method"] == "epgan_refine":
            r["budget_total"] = r["budget"] = n_ep
            r["train_samples"] = n_ep
            c = counts(n_t, n_train=n_ep, costs=costs, selection=r["n_epgan_candidates"], search=r["refine_budget"])
        else:
            c = counts(n_t, search=r["samples_used"])
        r.update(c)
        add(r, sel)
    sps = [r["s_per_sample"] for r in rows if r.get("s_per_sample") and r["method"] not in ("npe",)]
    # EP-GAN: its selected (or single-pass) parameters from the epgan stage's predictions.npz
    if epgan:
        z = np.load(epgan["predictions"])
        m = epgan["method"]
        if m not in z:
            raise NeurogenError(f"{epgan['predictions']}: no {m!r} array (fit.epgan.method)")
        P = z[m]
        if len(P) <= neurons.max():
            raise NeurogenError(f"{epgan['predictions']}: {len(P)} test neurons, targets need row {neurons.max()}")
        hist = pd.read_csv(epgan["history"])
        if "train_time_s" not in hist:
            raise NeurogenError(f"{epgan['history']}: no column 'train_time_s'")
        train_time = float(hist["train_time_s"].sum())
        kk = int(k) if m == "epgan_selected" else 0
        t_inf = float(z["inference_time_s"]) / len(P) if "inference_time_s" in z else 0.0
        for t in tg.itertuples():
            row = {
                "method": "epgan",
                "budget_total": n_ep,
                "budget": n_ep,
                "target": int(t.target),
                "train_samples": n_ep,
                "train_time_s": train_time,
                "samples_used": kk,
                "selected": m,
                "meets_bounds": np.nan,
                "inference_time_s": t_inf,
            }
            row.update(counts(n_t, n_train=n_ep, costs=costs, selection=kk))
            add(row, P[int(t.neuron)])
    # lookups of the training file (the same training neurons EP-GAN learns from)
    if lookups:
        from .lookup import lookups as run_lookups

        t0 = time.perf_counter()
        lk = run_lookups(
            train_h5, ds["responses"][neurons], ds["iv"][neurons], max(1, int(k)), sim, n_train=epgan_n_train, log=log
        )
        per = (time.perf_counter() - t0) / n_t
        for name in lookups:
            for j, t in enumerate(tg.itertuples()):
                kk = lk["k"] if name == "knn_sim" else 0
                row = {
                    "method": name,
                    "budget_total": n_ep,
                    "budget": n_ep,
                    "target": int(t.target),
                    "train_samples": n_ep,
                    "train_time_s": 0.0,
                    "samples_used": kk,
                    "wall_time_s": per,
                    "selected": f"train row {int(lk['nn_index' if name == 'nn' else 'knn_index'][j])}",
                }
                row.update(counts(n_t, n_train=n_ep, costs=costs, search=kk))
                add(row, lk[name][j])
    if not rows:
        raise NeurogenError(f"fit_score ({model}): no method results to score")
    # every row scored by the same function, with one simulator, at one step
    idx = np.searchsorted(ds["rows"], [int(r["neuron"]) for r in rows])
    sc = score_final(sim, np.stack(params), ds["responses_clean"][idx], ds["iv"][idx], time_s=ds["time_s"])
    s_per_sample = float(np.median(sps)) if sps else sim.sim_time_s / max(sim.n_simulated, 1)
    df = pd.DataFrame(rows)
    # what a job measured itself (the optimisers at the same step: equal to the score) is kept aside
    df = df.rename(
        columns={
            c: c.replace("_mV", "_search_mV").replace("_pA", "_search_pA")
            for c in sc.columns
            if c in df and c != "simulation_failed"
        }
    )
    for c in sc.columns:
        df[c] = sc[c].to_numpy()
    df["s_per_sample"] = df.get("s_per_sample", pd.Series(np.nan, index=df.index)).fillna(s_per_sample)
    if epgan:
        df.loc[df["method"] == "epgan_refine", "train_time_s"] = train_time
    ep = df["method"] == "epgan"
    if ep.any():  # single-pass inference + the selection's simulations, at the measured rate
        df.loc[ep, "wall_time_s"] = df.loc[ep, "inference_time_s"] + df.loc[ep, "selection_simulations"] * s_per_sample
    df["scored_dt_ms"] = sim_cfg["dt_ms"]
    log.info("scored %d rows (%d methods) for %d target neurons", len(df), df["method"].nunique(), n_t)
    return df


# --- rule fit_merge ---------------------------------------------------------------------------
def merge(scored_csvs) -> tuple:
    """comparison.csv, medians.csv, cost.csv from the per-model scored tables."""
    from . import compare

    parts = []
    for p in scored_csvs:
        if not Path(p).exists():
            raise NeurogenError(f"{p}: scored table not found (made by fit_score)")
        parts.append(pd.read_csv(p))
    df = compare.comparison(pd.concat(parts, ignore_index=True).to_dict("records"))
    opt = df[~df["method"].isin(compare.AMORTISED)]
    s = opt["s_per_sample"].median() if len(opt) else df["s_per_sample"].median()
    med = compare.medians(df)
    cost = compare.cost_curve(df, float(s))
    log.info("measured %.4f s per simulated sample (median over the optimiser jobs)", s)
    for r in med.itertuples():
        log.info(
            "%s %s %d: median response RMSE %.2f mV, I–V RMSE %.2f pA over %d neurons; %.0f simulations "
            "per neuron in total",
            r.model,
            r.method,
            r.budget_total,
            r.rmse_avg_median_mV,
            r.iv_rmse_median_pA,
            r.n_neurons,
            r.total_simulations_per_neuron,
        )
    return df, med, cost


__all__ = [
    "COUNT_COLUMNS",
    "epgan_candidates",
    "fit_search",
    "job_seed",
    "json_row",
    "merge",
    "n_targets_of",
    "npe_train",
    "refine_targets",
    "write_results",
    "score",
    "simulator",
    "targets",
]
