"""What the workflow's EP-GAN rules do, one function per rule (the scripts only unpack
``snakemake`` and call these)."""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd

from .. import NeurogenError
from ..io import warn_rejections
from .data import H5Data, Normalizer
from .evaluate import drop_iv_points, infer, iv_rmse, keep_traces, nearest_neighbour, response_rmse, select_over_epochs

log = logging.getLogger("neurogen")

METHODS = ("epgan_selected", "epgan_single", "default", "nearest_neighbour", "true_parameters")


def load_backend(model: str, sim_dt_ms=None, dataset=None):
    """The HH backend; simulations at ``sim_dt_ms``, else at the step the dataset was simulated
    with (its ``dt_ms`` attribute), else 1 ms."""
    from .backend import HHBackend

    dt = sim_dt_ms
    if dt is None and dataset is not None:
        import h5py

        with h5py.File(dataset, "r") as f:
            dt = f.attrs.get("dt_ms")
    dt = float(dt) if dt is not None else 1.0
    log.info("HH model %s; simulations at dt = %g ms", model, dt)
    return HHBackend.load(model, dt_ms=dt)


def test_inputs(test: H5Data) -> dict:
    """The inputs of the target neurons (what a recording gives: noisy responses and the I–V)."""
    d = test.read(0, test.n, keys=("responses", "iv"))
    return {"responses": d["responses"], "stimuli": test.stimuli, "iv": d["iv"]}


def train(backend, train_h5, test_h5, cfg, ckpt_path, device="cpu"):
    """Rule epgan_train: returns (bundle for model.pt, history DataFrame, candidates [E, N, F])."""
    from .train import Trainer

    test = H5Data(test_h5)
    tr = Trainer(cfg, backend, train_h5, ckpt_path=ckpt_path, targets=test_inputs(test), device=device)
    log.info(
        "training EP-GAN on %s: %d training + %d validation neurons, %d stimuli × %d points, "
        "%d free parameters; %d target neurons (%s, inputs only)",
        train_h5,
        len(tr.tr_idx),
        len(tr.val_idx),
        tr.data.n_stim,
        tr.data.n_points,
        len(backend.free_names),
        test.n,
        test_h5,
    )
    t0 = time.time()
    tr.fit()
    log.info("training done in %.1f s; best validation epoch %d", time.time() - t0, tr.best[2])
    return tr.bundle(), pd.DataFrame(tr.history), np.stack(tr.candidates).astype(np.float32)


def predict(backend, model_pt, candidates, test_h5, selection_epochs=None, batch=2000):
    """Rule epgan_infer: single-pass inference and the selection over epochs, for the test
    neurons' inputs. Returns the arrays of predictions.npz."""
    from .train import load_bundle

    net, norm, b = load_bundle(model_pt, "best")
    test = H5Data(test_h5)
    tg = test_inputs(test)
    t0 = time.time()
    single = infer(net, norm, tg["responses"], tg["stimuli"], tg["iv"])
    t_inf = time.time() - t0
    log.info("single-pass inference for %d neurons: %.3f s", test.n, t_inf)
    cand = np.asarray(candidates)
    E = len(cand)
    use = np.arange(E) if not selection_epochs else np.arange(max(0, E - int(selection_epochs)), E)
    log.info("selection over %d epoch(s) (%d–%d) for %d neurons", len(use), use[0] + 1, use[-1] + 1, test.n)
    # the single-pass sets ride along with the first simulation call (the simulator's cost is
    # mostly per time step, so one call for more neurons is nearly free)
    extra = {"sim": None}

    def sim(p):
        if extra["sim"] is None:
            out = backend.simulate(np.concatenate([p, single]), test.amplitudes, batch=batch + len(single))
            extra["sim"] = out[len(p) :]
            return out[: len(p)]
        return backend.simulate(p, test.amplitudes, batch=batch)

    sel, ep, rm, sel_sim = select_over_epochs(cand[use], sim, tg["responses"], test.time_s, log=log, per_call=batch)
    ep = use[ep - 1] + 1
    single_sim = extra["sim"]
    return {
        "epgan_single": single,
        "epgan_selected": sel,
        "selected_epoch": ep,
        "selected_input_rmse": rm,
        "epgan_single_responses": single_sim,
        "epgan_selected_responses": sel_sim,
        "inference_time_s": np.float64(t_inf),
        "free_names": np.array(b["free_names"]),
    }


def baselines(backend, train_h5, test_h5, batch=2000, n_train: int = 0):
    """Rule epgan_baselines: the default parameter set, and nearest-neighbour lookup of the
    training set by input distance (inputs normalised with training statistics only). With
    ``n_train``: among the same nested subset of the training file that EP-GAN trains on."""
    from .data import nested_subset

    train = H5Data(train_h5, need_params=True)
    test = H5Data(test_h5)
    rows = nested_subset(train.n, int(n_train))
    norm = Normalizer.fit(train, rows)
    tg = test_inputs(test)
    idx, nn = nearest_neighbour(train, norm, tg["responses"], tg["iv"], rows=rows)
    default = np.tile(backend.free_default, (test.n, 1))
    log.info("baselines: default parameter set; nearest neighbour among %d training neurons", len(rows))
    sims = backend.simulate(np.concatenate([default[:1], nn]), test.amplitudes, batch=batch)
    return {
        "default": default,
        "nearest_neighbour": nn,
        "nn_index": idx,
        "default_responses": sims[:1].repeat(test.n, 0),
        "nearest_neighbour_responses": sims[1:],
    }


def true_parameters(backend, test_h5, batch=2000) -> dict:
    """Reference row: the test neurons' own parameters simulated as every method's are (at the
    evaluation's step): the floor an exact inference would reach (nonzero only through the
    simulation step and float precision)."""
    test = H5Data(test_h5, need_params=True)
    p = test.read(0, test.n, keys=("params",))["params"].astype(np.float64)
    return {"true_parameters": p, "true_parameters_responses": backend.simulate(p, test.amplitudes, batch=batch)}


def per_neuron_table(backend, preds: dict, test_h5, methods=METHODS) -> pd.DataFrame:
    """Per test neuron × method: response RMSE (pre/mid/post/avg, mV, vs the clean responses)
    and I–V RMSE (pA, vs the test I–V)."""
    test = H5Data(test_h5, need_params=True)
    truth = test.read(0, test.n, keys=("responses_clean" if test.has_clean else "responses", "iv"))
    true_v = truth["responses_clean" if test.has_clean else "responses"]
    types = test.type if test.type is not None else np.zeros(test.n, int)
    names = test.type_names or [str(t) for t in sorted(set(types))]
    rows = []
    for m in methods:
        if m not in preds:
            continue
        p = np.asarray(preds[m], dtype=np.float64)
        rmse = response_rmse(preds[f"{m}_responses"], true_v, test.time_s)
        ivr = iv_rmse(backend.iv(p, test.iv_v), truth["iv"])
        for i in range(test.n):
            rows.append(
                {
                    "method": m,
                    "neuron": i,
                    "type": names[types[i]] if types[i] < len(names) else str(types[i]),
                    "rmse_pre_mV": rmse["pre"][i],
                    "rmse_mid_mV": rmse["mid"][i],
                    "rmse_post_mV": rmse["post"][i],
                    "rmse_avg_mV": rmse["avg"][i],
                    "iv_rmse_pA": ivr[i],
                    "simulation_failed": bool(not np.isfinite(rmse["avg"][i])),
                }
            )
        warn_rejections(
            log,
            f"{m} on the test neurons",
            test.n,
            {"non-finite (blown-up) simulations": int((~np.isfinite(rmse["avg"])).sum())},
        )
    return pd.DataFrame(rows)


def summary_table(per: pd.DataFrame) -> pd.DataFrame:
    """Mean, SD, median of each error per method, over all test neurons and per type."""
    cols = ["rmse_pre_mV", "rmse_mid_mV", "rmse_post_mV", "rmse_avg_mV", "iv_rmse_pA"]
    out = []
    groups = [((m, "all"), g) for m, g in per.groupby("method", sort=False)] + [
        ((m, t), g) for (m, t), g in per.groupby(["method", "type"], sort=False)
    ]
    for (m, t), g in groups:
        row = {"method": m, "type": t, "n": len(g), "n_failed": int(g["simulation_failed"].sum())}
        for c in cols:
            v = g[c].to_numpy(dtype=float)
            v = v[np.isfinite(v)]
            row[f"{c}_mean"] = float(v.mean()) if len(v) else np.nan
            row[f"{c}_sd"] = float(v.std(ddof=1)) if len(v) > 1 else np.nan
            row[f"{c}_median"] = float(np.median(v)) if len(v) else np.nan
        out.append(row)
    return pd.DataFrame(out)


def input_ablation(
    backend, model_pt, test_h5, traces_kept=(0.75, 0.5, 0.25), iv_removed=(0.25, 0.5, 0.75), batch=2000
) -> pd.DataFrame:
    """Single-pass EP-GAN on incomplete inputs: upper stimuli removed (the responses are still
    evaluated on the whole protocol), or the first I–V points removed and extrapolated."""
    from .train import load_bundle

    net, norm, _ = load_bundle(model_pt, "best")
    test = H5Data(test_h5, need_params=True)
    d = test.read(0, test.n, keys=("responses", "iv") + (("responses_clean",) if test.has_clean else ()))
    true_v = d.get("responses_clean", d["responses"])
    cases = [("complete", 1.0, 0.0)] + [("traces", f, 0.0) for f in traces_kept] + [("iv", 1.0, f) for f in iv_removed]
    params = []
    for _kind, kept, removed in cases:
        r, st = keep_traces(d["responses"], test.stimuli, kept)
        iv = drop_iv_points(d["iv"], test.iv_v, removed)
        params.append(infer(net, norm, r, st, iv))
    sims = backend.simulate(np.concatenate(params), test.amplitudes, batch=batch)  # one call: faster
    rows = []
    for c, (kind, kept, removed) in enumerate(cases):
        p = params[c]
        sim = sims[c * test.n : (c + 1) * test.n]
        n_tr = max(1, int(round(test.n_stim * kept)))
        rm = response_rmse(sim, true_v, test.time_s)
        ivr = iv_rmse(backend.iv(p, test.iv_v), d["iv"])
        fin = np.isfinite(rm["avg"])
        row = {
            "ablation": kind,
            "traces_kept": kept,
            "n_traces": n_tr,
            "iv_removed": removed,
            "n_iv_removed": int(round(len(test.iv_v) * removed)),
            "n": test.n,
            "n_failed": int((~fin).sum()),
        }
        for k in ("pre", "mid", "post", "avg"):
            row[f"rmse_{k}_mV_mean"] = float(np.mean(rm[k][fin])) if fin.any() else np.nan
        row["rmse_avg_mV_sd"] = float(np.std(rm["avg"][fin], ddof=1)) if fin.sum() > 1 else np.nan
        row["rmse_avg_mV_median"] = float(np.median(rm["avg"][fin])) if fin.any() else np.nan
        row["iv_rmse_pA_mean"] = float(np.mean(ivr))
        row["iv_rmse_pA_sd"] = float(np.std(ivr, ddof=1)) if len(ivr) > 1 else np.nan
        log.info(
            "input ablation %s kept=%.2f iv_removed=%.2f: %.3f mV, %.2f pA",
            kind,
            kept,
            removed,
            row["rmse_avg_mV_mean"],
            row["iv_rmse_pA_mean"],
        )
        rows.append(row)
    return pd.DataFrame(rows)


def inference_speed(model_pt, ns=(1, 9, 279, 10000), repeats: int = 5, device="cpu", seed=0) -> pd.DataFrame:
    """Wall time of single-pass inference for N neurons (inputs of the model's protocol, drawn at
    random: the time does not depend on the values). Median of ``repeats`` after a warm-up."""
    import torch

    from .train import load_bundle

    net, norm, b = load_bundle(model_pt, "best", device=device)
    rng = np.random.default_rng(seed)
    S, T, K = len(b["amplitudes_pA"]), b["n_points"], b["n_iv"]
    rows = []
    for n in ns:
        r = (norm.resp_mean + norm.resp_sd * rng.standard_normal((n, S, T))).astype(np.float32)
        iv = (np.asarray(norm.iv_mean) + np.asarray(norm.iv_sd) * rng.standard_normal((n, K))).astype(np.float32)
        infer(net, norm, r[:1], b["stimuli"], iv[:1], device=torch.device(device))
        times = []
        for _ in range(repeats):
            if device != "cpu":
                torch.cuda.synchronize()
            t0 = time.perf_counter()
            infer(net, norm, r, b["stimuli"], iv, device=torch.device(device))
            if device != "cpu":
                torch.cuda.synchronize()
            times.append(time.perf_counter() - t0)
        rows.append(
            {
                "n_neurons": n,
                "device": str(device),
                "threads": torch.get_num_threads(),
                "wall_s_median": float(np.median(times)),
                "wall_s_min": float(np.min(times)),
                "per_neuron_ms": 1000 * float(np.median(times)) / n,
                "repeats": repeats,
            }
        )
        log.info("inference N=%d: %.4f s", n, rows[-1]["wall_s_median"])
    return pd.DataFrame(rows)


def loss_ablation_table(per_variant: dict, variant_losses: dict) -> pd.DataFrame:
    """per_variant: name -> per-neuron table of that variant's EP-GAN methods."""
    rows = []
    for v, per in per_variant.items():
        for m, g in per.groupby("method", sort=False):
            a = g["rmse_avg_mV"].to_numpy(float)
            fin = np.isfinite(a)
            w = variant_losses[v]
            rows.append(
                {
                    "variant": v,
                    "method": m,
                    "w_adversarial": w.get("adversarial", 0.0),
                    "w_iv": w.get("iv", 0.0),
                    "w_voltage": w.get("voltage", 0.0),
                    "n": len(g),
                    "n_failed": int((~fin).sum()),
                    "rmse_avg_mV_mean": float(a[fin].mean()) if fin.any() else np.nan,
                    "rmse_avg_mV_sd": float(a[fin].std(ddof=1)) if fin.sum() > 1 else np.nan,
                    "rmse_avg_mV_median": float(np.median(a[fin])) if fin.any() else np.nan,
                    "iv_rmse_pA_mean": float(g["iv_rmse_pA"].mean()),
                    "iv_rmse_pA_sd": float(g["iv_rmse_pA"].std(ddof=1)) if len(g) > 1 else np.nan,
                }
            )
    return pd.DataFrame(rows)


def check_free_names(backend, names, where):
    if list(names) != backend.free_names:
        raise NeurogenError(
            f"{where}: made for other parameters than the {len(backend.free_names)} free parameters of this model"
        )
