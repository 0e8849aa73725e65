"""EP-GAN training: streams an HH-stage dataset in chunks, WGAN-GP with the reconstruction
losses, masking schedule, a checkpoint after every epoch (resumed after an interruption), a
per-epoch log of losses and validation error, and per-epoch parameter candidates for target
neurons (for the published selection over epochs)."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np

from .. import NeurogenError
from .. import progress as _progress
from .config import TrainConfig
from .data import H5Data, Normalizer, make_inputs, nested_subset, split_train_val
from .evaluate import iv_rmse, response_rmse

log = logging.getLogger("neurogen")


def build_net(cfg: TrainConfig, n_params, lo, hi, n_points, n_iv):
    from .nets import EPGAN

    return EPGAN(
        n_params,
        lo,
        hi,
        n_points=n_points,
        n_iv=n_iv,
        latent=cfg.latent,
        gru_layers=cfg.gru_layers,
        generator_widths=tuple(cfg.generator_widths),
        critic_widths=tuple(cfg.critic_widths),
    )


def _seed(*parts) -> int:
    return int(np.random.default_rng(list(parts)).integers(0, 2**62))


class Trainer:
    def __init__(self, cfg: TrainConfig, backend, train_path, ckpt_path=None, targets=None, device="cpu"):
        import torch

        self.cfg, self.backend, self.device = cfg, backend, torch.device(device)
        self.data = H5Data(train_path, need_params=True)
        backend.check_names(self.data.param_names, str(train_path))
        F = len(backend.free_names)
        if self.data.f["params"].shape[1] != F:
            raise NeurogenError(
                f"{train_path}: 'params' has {self.data.f['params'].shape[1]} columns, "
                f"the model has {F} free parameters"
            )
        self.rows = nested_subset(self.data.n, int(cfg.n_train))
        self.tr_idx, self.val_idx = split_train_val(self.rows, cfg.val_fraction, cfg.seed)
        self.norm = Normalizer.fit(self.data, self.tr_idx, cfg.chunk_size)
        self.lo, self.hi = backend.free_lo, backend.free_hi
        if np.any(self.hi <= self.lo):
            bad = [n for n, a, b in zip(backend.free_names, self.lo, self.hi) if b <= a]
            raise NeurogenError(f"free parameter(s) with an empty sampling range: {bad[:5]}")
        torch.manual_seed(_seed(cfg.seed, 3))
        self.net = build_net(cfg, F, self.lo, self.hi, self.data.n_points, len(self.data.iv_v)).to(self.device)
        gen_params = list(self.net.encoder.parameters()) + list(self.net.generator.parameters())
        self.opt_g = torch.optim.Adam(gen_params, lr=cfg.lr_generator, betas=tuple(cfg.betas), foreach=True)
        self.opt_d = torch.optim.Adam(
            self.net.critic.parameters(), lr=cfg.lr_critic, betas=tuple(cfg.betas), foreach=True
        )
        self.stimuli = torch.as_tensor(self.data.stimuli, dtype=torch.float32, device=self.device)
        self.iv_v = torch.as_tensor(self.data.iv_v, dtype=torch.float32, device=self.device)
        self.dt_ms = float(np.median(np.diff(self.data.time_s)) * 1000.0)
        self.ckpt_path = Path(ckpt_path) if ckpt_path else None
        self.targets = targets  # dict(responses [N,S,T], stimuli [S,T], iv [N,K]) or None
        self.epoch = 0
        self.history = []
        self.candidates = []
        self.best = (np.inf, None, -1)  # (val RMSE, state dict, epoch)
        self.val = self.data.read_index(
            self.val_idx, keys=("responses", "iv", "params") + (("responses_clean",) if self.data.has_clean else ())
        )

    # -------------------------------------------------------------- checkpointing
    def state(self):
        return {
            "epoch": self.epoch,
            "net": self.net.state_dict(),
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "history": self.history,
            "candidates": self.candidates,
            "best": self.best,
            "digest": self.cfg.digest(),
            "norm": self.norm.to_dict(),
        }

    def save_checkpoint(self):
        """Tensors + JSON text only, so resuming loads it with ``weights_only=True``."""
        import torch

        from ..io import atomic_path

        if self.ckpt_path is None:
            return
        st = self.state()
        safe = {
            "format": CHECKPOINT_FORMAT,
            "epoch": int(st["epoch"]),
            "net": st["net"],
            "opt_g": st["opt_g"],
            "opt_d": st["opt_d"],
            "digest": st["digest"],
            "candidates": [torch.as_tensor(np.asarray(c)) for c in st["candidates"]],
            "best_state": st["best"][1],
            "meta": _to_json(
                {
                    "history": st["history"],
                    "norm": st["norm"],
                    "best_score": float(st["best"][0]),
                    "best_epoch": int(st["best"][2]),
                }
            ),
        }
        with atomic_path(self.ckpt_path) as tmp:
            torch.save(safe, tmp)

    def try_resume(self) -> bool:
        import json

        import torch

        if self.ckpt_path is None or not self.ckpt_path.exists():
            return False
        try:
            raw = torch.load(self.ckpt_path, map_location=self.device, weights_only=True)
            meta = json.loads(raw["meta"])
            st = {
                "epoch": raw["epoch"],
                "net": raw["net"],
                "opt_g": raw["opt_g"],
                "opt_d": raw["opt_d"],
                "digest": raw["digest"],
                "history": meta["history"],
                "candidates": [c.cpu().numpy() for c in raw["candidates"]],
                "best": (meta["best_score"], raw["best_state"], meta["best_epoch"]),
            }
        except Exception as e:  # noqa: BLE001 - a corrupt (or old, pickled) checkpoint: start again
            log.warning("checkpoint %s unreadable (%s); training from scratch", self.ckpt_path, e)
            return False
        if st.get("digest") != self.cfg.digest():
            log.info("checkpoint %s is from other settings; training from scratch", self.ckpt_path)
            return False
        self.net.load_state_dict(st["net"])
        self.opt_g.load_state_dict(st["opt_g"])
        self.opt_d.load_state_dict(st["opt_d"])
        self.epoch, self.history, self.candidates, self.best = (
            st["epoch"],
            st["history"],
            st["candidates"],
            st["best"],
        )
        log.info("resumed from %s after epoch %d of %d", self.ckpt_path, self.epoch, self.cfg.epochs)
        return True

    # -------------------------------------------------------------- one epoch
    def _chunks(self, rng):
        idx = self.tr_idx
        n_chunks = max(1, int(np.ceil(len(idx) / self.cfg.chunk_size)))
        blocks = np.array_split(idx, n_chunks)
        for b in rng.permutation(len(blocks)):
            yield blocks[b]

    def train_epoch(self):
        import torch

        from .losses import critic_loss, generator_adversarial_loss, iv_loss, mask_rate, mask_traces, voltage_loss
        from .nets import to_physical, to_unit

        cfg, net, dev = self.cfg, self.net, self.device
        e = self.epoch
        rng = np.random.default_rng([cfg.seed, 4, e])
        gen = torch.Generator().manual_seed(_seed(cfg.seed, 5, e))
        rate = mask_rate(e, cfg.epochs, cfg.mask_start, cfg.mask_end)
        w_adv, w_iv, w_v = cfg.weight("adversarial"), cfg.weight("iv"), cfg.weight("voltage")
        lo, hi = net.lo, net.hi
        sums, counts, nb = {}, {}, 0
        t0 = time.time()
        net.train()
        for block in self._chunks(rng):
            part = self.data.read_index(block)
            order = rng.permutation(len(block))
            for b0 in range(0, len(order), cfg.batch_size):
                sel = order[b0 : b0 + cfg.batch_size]
                if len(sel) < 2:
                    continue
                resp = part["responses"][sel]
                x, ivn = make_inputs(resp, self.data.stimuli, part["iv"][sel], self.norm)
                x, ivn = x.to(dev), ivn.to(dev)
                u_real = to_unit(torch.as_tensor(part["params"][sel], device=dev), lo, hi).clamp(-1, 1)
                xm, lengths, _ = mask_traces(x, rate, gen)
                rec = {}
                if w_adv > 0:
                    with torch.no_grad():  # encoder and generator are fixed during critic steps
                        c = net.condition(xm, ivn, lengths)
                        u_fake = net.generator(c)
                    for _ in range(cfg.n_critic):
                        ld, wd, gp = critic_loss(net.critic, c, u_real, u_fake, cfg.gp_weight, gen)
                        self.opt_d.zero_grad(set_to_none=True)
                        ld.backward()
                        self.opt_d.step()
                    rec.update(critic=float(ld.detach()), wasserstein=float(wd), gp=float(gp))
                c = net.condition(xm, ivn, lengths)
                u_fake = net.generator(c)
                loss = torch.zeros((), device=dev)
                if w_adv > 0:
                    la = generator_adversarial_loss(net.critic, c, u_fake)
                    loss = loss + w_adv * la
                    rec["adv"] = float(la.detach())
                p_free = to_physical(u_fake, lo, hi)
                if w_iv > 0 or w_v > 0:
                    p_full = self.backend.full(p_free)
                if w_iv > 0:
                    li = iv_loss(
                        self.backend.steady_state_iv,
                        p_full,
                        self.iv_v,
                        torch.as_tensor(part["iv"][sel], device=dev),
                        self.norm.iv_scale,
                    )
                    loss = loss + w_iv * li
                    rec["iv"] = float(li.detach())
                if w_v > 0 and nb % cfg.voltage_every == 0:
                    S = x.shape[1]
                    ks = np.sort(rng.choice(S, size=min(cfg.voltage_traces or S, S), replace=False))
                    nv = len(sel) if cfg.voltage_neurons <= 0 else min(cfg.voltage_neurons, len(sel))
                    k = cfg.voltage_stride
                    V = torch.as_tensor(resp[:nv][:, ks, ::k], device=dev)
                    lv = voltage_loss(
                        self.backend.model,
                        p_full[:nv],
                        V,
                        self.stimuli[ks][:, ::k],
                        self.dt_ms * k,
                        cfg.voltage_h,
                        self.norm.iv_scale,
                    )
                    loss = loss + w_v * lv
                    rec["voltage"] = float(lv.detach())
                if not torch.isfinite(loss):
                    raise NeurogenError(
                        f"epoch {e + 1}: the generator loss is not finite ({rec}); "
                        "lower the learning rates or check the dataset"
                    )
                self.opt_g.zero_grad(set_to_none=True)
                loss.backward()
                self.opt_g.step()
                rec["total"] = float(loss.detach())
                for key, v in rec.items():
                    sums[key] = sums.get(key, 0.0) + v
                    counts[key] = counts.get(key, 0) + 1
                nb += 1
        row = {"epoch": e + 1, "mask_rate": rate, "n_batches": nb}
        row.update({f"loss_{k}": v / counts[k] for k, v in sums.items()})
        row["train_time_s"] = time.time() - t0
        return row

    # -------------------------------------------------------------- validation
    def predict(self, responses, stimuli, iv, batch=1024):
        import torch

        self.net.eval()
        out = []
        with torch.no_grad():
            for lo in range(0, len(responses), batch):
                x, ivn = make_inputs(responses[lo : lo + batch], stimuli, iv[lo : lo + batch], self.norm)
                out.append(self.net(x.to(self.device), ivn.to(self.device)).double().cpu().numpy())
        return np.concatenate(out, 0) if out else np.zeros((0, self.net.n_params))

    def validate(self):
        import torch

        from .nets import to_unit

        row = {}
        if len(self.val_idx) == 0:
            return row
        v = self.val
        pred = self.predict(v["responses"], self.data.stimuli, v["iv"])
        ivp = self.backend.iv(pred, self.data.iv_v)
        row["val_iv_rmse_pA"] = float(np.mean(iv_rmse(ivp, v["iv"])))
        u_p = to_unit(torch.as_tensor(pred), torch.as_tensor(self.lo), torch.as_tensor(self.hi))
        u_t = to_unit(
            torch.as_tensor(v["params"], dtype=torch.float64), torch.as_tensor(self.lo), torch.as_tensor(self.hi)
        )
        row["val_param_mae"] = float((u_p - u_t).abs().mean())
        ns = min(self.cfg.val_simulate, len(pred))
        if ns > 0:
            sim = self.backend.simulate(pred[:ns], self.data.amplitudes)
            ref = v["responses_clean"][:ns] if "responses_clean" in v else v["responses"][:ns]
            rm = response_rmse(sim, ref, self.data.time_s)
            row["val_rmse_mV"] = float(np.nanmean(rm["avg"]))
        return row

    # -------------------------------------------------------------- loop
    def fit(self, stop_after: int | None = None, progress=None):
        """Train to ``cfg.epochs`` (from the checkpoint if there is one); ``stop_after``: return
        after that many epochs of this call (used to test interruption). ``progress``: a callback
        ``progress(trainer)`` after every epoch, or None (auto: a tqdm bar over the epochs in a
        notebook or terminal, none in workflow jobs, which log every epoch) / True / False."""
        self.try_resume()
        pbar = None
        if not callable(progress):
            pbar = _progress.bar(progress, self.cfg.epochs, "EP-GAN training", unit="epoch")
            if pbar is not None:
                pbar.update(self.epoch)
        try:
            return self._fit_loop(stop_after, progress if callable(progress) else None, pbar)
        finally:
            if pbar is not None:
                pbar.close()

    def _fit_loop(self, stop_after, callback, pbar):
        done_now = 0
        while self.epoch < self.cfg.epochs:
            if stop_after is not None and done_now >= stop_after:
                return False
            row = self.train_epoch()
            t1 = time.time()
            row.update(self.validate())
            row["val_time_s"] = time.time() - t1
            if self.targets is not None:
                self.candidates.append(
                    self.predict(self.targets["responses"], self.targets["stimuli"], self.targets["iv"]).astype(
                        np.float32
                    )
                )
            score = row.get("val_rmse_mV", row.get("val_iv_rmse_pA", np.inf))
            self.epoch += 1
            if np.isfinite(score) and score < self.best[0]:
                self.best = (
                    float(score),
                    {k: t.detach().cpu().clone() for k, t in self.net.state_dict().items()},
                    self.epoch,
                )
            self.history.append(row)
            log.info(
                "epoch %d/%d  mask %.2f  %s",
                self.epoch,
                self.cfg.epochs,
                row["mask_rate"],
                "  ".join(
                    f"{k}={v:.4g}" for k, v in row.items() if k.startswith(("loss_", "val_")) and isinstance(v, float)
                ),
            )
            self.save_checkpoint()
            done_now += 1
            if pbar is not None:
                pbar.update(1)
                pbar.set_postfix_str(f"val {score:.4g}")
            if callback is not None:
                callback(self)
        return True

    def bundle(self) -> dict:
        """What rule epgan_train writes as model.pt: weights (final and best-validation epoch),
        normalisation, settings, parameter names and ranges."""
        return {
            "final": {k: t.detach().cpu() for k, t in self.net.state_dict().items()},
            "best": self.best[1],
            "best_epoch": self.best[2],
            "epochs": self.epoch,
            "norm": self.norm.to_dict(),
            "cfg": self.cfg.to_dict(),
            "free_names": self.backend.free_names,
            "lo": self.lo,
            "hi": self.hi,
            "n_points": self.data.n_points,
            "n_iv": len(self.data.iv_v),
            "amplitudes_pA": self.data.amplitudes,
            "time_s": self.data.time_s,
            "stimuli": self.data.stimuli,
            "iv_v_mV": self.data.iv_v,
        }


#: model.pt / checkpoint layouts: tensors and JSON text only (loaded with weights_only=True)
BUNDLE_FORMAT = "neurogen-epgan-bundle/1"
CHECKPOINT_FORMAT = "neurogen-epgan-checkpoint/1"
_BUNDLE_REQUIRED = (
    "cfg",
    "free_names",
    "lo",
    "hi",
    "n_points",
    "n_iv",
    "norm",
    "amplitudes_pA",
    "time_s",
    "stimuli",
    "iv_v_mV",
)


def _to_json(obj) -> str:
    import json

    from ..io import _json_default

    return json.dumps(obj, default=_json_default)


def save_bundle(bundle: dict, path) -> None:
    """Write a model.pt: state dicts and arrays as tensors, everything else as JSON text, so
    :func:`load_bundle` reads it with ``torch.load(weights_only=True)`` (no code runs on load)."""
    import torch

    from ..io import atomic_path

    arrays = {
        k: torch.from_numpy(np.ascontiguousarray(v))
        for k, v in bundle.items()
        if isinstance(v, np.ndarray) and v.dtype.kind in "biuf"
    }
    meta = {k: v for k, v in bundle.items() if k not in ("final", "best") and k not in arrays}
    blob = {
        "format": BUNDLE_FORMAT,
        "final": bundle["final"],
        "best": bundle.get("best"),
        "arrays": arrays,
        "meta": _to_json(meta),
    }
    with atomic_path(path) as tmp:
        torch.save(blob, tmp)


def load_bundle(path, which="best", device="cpu"):
    """(net, norm, bundle) from a model.pt written by rule epgan_train (:func:`save_bundle`).

    Loaded with ``weights_only=True``: a file that needs code to unpickle (a crafted file, or
    one from a neurogen before this format) is refused with a message, never executed."""
    import json

    from ..io import load_safe
    from .data import Normalizer

    path = Path(path)
    redo = "re-run rule epgan_train to rebuild it (delete the file first)"
    blob = load_safe(path, "EP-GAN model", BUNDLE_FORMAT, "epgan_train")
    try:
        b = json.loads(blob["meta"])
        b.update({k: t.numpy() for k, t in blob["arrays"].items()})
        b["final"], b["best"] = blob["final"], blob["best"]
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise NeurogenError(f"{path}: malformed EP-GAN model file (missing or broken {e}); {redo}") from None
    missing = [k for k in _BUNDLE_REQUIRED if k not in b] + ([] if isinstance(b["final"], dict) else ["final"])
    if missing:
        raise NeurogenError(f"{path}: malformed EP-GAN model file: missing {missing}; {redo}")
    try:
        cfg = TrainConfig.from_dict(b["cfg"])
        net = build_net(cfg, len(b["free_names"]), b["lo"], b["hi"], b["n_points"], b["n_iv"])
        state = b.get(which) or b["final"]
        net.load_state_dict(state)
        norm = Normalizer.from_dict(b["norm"])
    except (KeyError, TypeError, ValueError, RuntimeError) as e:
        first = str(e).strip().splitlines()[0][:300]
        raise NeurogenError(f"{path}: malformed EP-GAN model file ({type(e).__name__}: {first}); {redo}") from None
    net.to(device).eval()
    return net, norm, b
