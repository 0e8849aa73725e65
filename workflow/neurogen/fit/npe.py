"""Amortised baseline: neural posterior estimation (sbi's NPE) on the simulated training set.

theta = the free parameters in normalised [0, 1] coordinates (prior: uniform box; the training
set's own sampling distribution is what the posterior learns from). x = the responses subsampled
every ``stride`` points in time, concatenated over sweeps, plus the 18-point I–V; sbi z-scores x
with training statistics and an MLP embedding reduces it before a masked autoregressive flow.
Per target neuron: K posterior samples (+ the posterior's MAP if asked) are simulated and the
published selection rule picks one.
"""

from __future__ import annotations

import numpy as np

from .. import NeurogenError


def features(responses, iv, stride: int = 5) -> np.ndarray:
    r = np.asarray(responses, dtype=np.float32)[..., ::stride]
    return np.concatenate([r.reshape(len(r), -1), np.asarray(iv, dtype=np.float32)], axis=1)


def train(
    theta,
    x,
    seed: int,
    density: str = "maf",
    embedding_dim: int = 32,
    hidden: int = 128,
    max_epochs: int = 200,
    batch_size: int = 256,
    stop_after_epochs: int = 20,
    log=None,
):
    """Train NPE; returns (posterior, info dict)."""
    import torch
    from sbi.inference import NPE
    from sbi.neural_nets import posterior_nn
    from sbi.neural_nets.embedding_nets import FCEmbedding
    from sbi.utils import BoxUniform

    from ..torchutil import seed_all

    theta = np.asarray(theta, dtype=np.float32)
    x = np.asarray(x, dtype=np.float32)
    if len(theta) != len(x):
        raise NeurogenError(f"NPE: {len(theta)} parameter sets but {len(x)} simulations")
    if len(theta) < 5:
        raise NeurogenError(f"NPE: need at least 5 training simulations (got {len(theta)})")
    keep = np.isfinite(x).all(axis=1) & np.isfinite(theta).all(axis=1)
    if not keep.all() and log is not None:
        log.warning("NPE: dropping %d training simulations with NaN/inf", int((~keep).sum()))
    theta, x = theta[keep], x[keep]
    # constant features (e.g. a clamped sweep) break z-scoring: tiny jitter-free guard
    sd = x.std(axis=0)
    x = x[:, sd > 0]
    seed_all(seed)
    eps = 1e-4
    theta = np.clip(theta, eps, 1 - eps)
    F = theta.shape[1]
    prior = BoxUniform(torch.zeros(F), torch.ones(F))
    emb = FCEmbedding(input_dim=x.shape[1], output_dim=embedding_dim, num_layers=2, num_hiddens=hidden)
    est = posterior_nn(model=density, embedding_net=emb, hidden_features=hidden // 2)
    import shutil
    import tempfile

    from torch.utils.tensorboard import SummaryWriter

    # sbi writes TensorBoard logs to ./sbi-logs by default: keep them out of the user's workdir
    tb_dir = tempfile.mkdtemp(prefix="neurogen-sbi-")
    writer = SummaryWriter(log_dir=tb_dir)
    try:
        inf = NPE(prior=prior, density_estimator=est, show_progress_bars=False, summary_writer=writer)
        _log_epochs(inf, max_epochs, log)
        inf.append_simulations(torch.as_tensor(theta), torch.as_tensor(x))
        inf.train(
            training_batch_size=batch_size,
            max_num_epochs=max_epochs,
            stop_after_epochs=stop_after_epochs,
            show_train_summary=False,
        )
    finally:
        writer.close()
        shutil.rmtree(tb_dir, ignore_errors=True)
    s = inf.summary
    info = {
        "epochs": len(s.get("training_loss", s.get("train_log_probs", []))),
        "best_validation_loss": float(np.min(s["validation_loss"])) if s.get("validation_loss") else float("nan"),
        "n_train": int(len(theta)),
        "feature_mask": (sd > 0),
        "theta_dim": int(F),
        "x_dim": int(x.shape[1]),
        "density": density,
        "embedding_dim": int(embedding_dim),
        "hidden": int(hidden),
    }
    if log is not None:
        log.info(
            "NPE trained on %d simulations, %d epochs, best validation loss %.3f",
            info["n_train"],
            info["epochs"],
            info["best_validation_loss"],
        )
    posterior = inf.build_posterior()
    return posterior, info


def _log_epochs(inf, max_epochs, log):
    """Log every epoch of sbi's training loop (sbi itself reports only at the end)."""
    if log is None:
        return
    orig = getattr(inf, "_summarize_epoch", None)
    if orig is None:
        log.warning("NPE: this sbi version has no per-epoch hook; progress is logged at the end only")
        return

    def each(train_loss, val_loss, *a, **k):
        orig(train_loss, val_loss, *a, **k)
        log.info(
            "NPE epoch %d (at most %d): training loss %.4f, validation loss %.4f",
            inf.epoch + 1,
            max_epochs,
            float(train_loss),
            float(val_loss),
        )

    inf._summarize_epoch = each


def _estimator(info):
    """An untrained density estimator of the shape ``train`` builds (weights loaded after)."""
    import torch
    from sbi.neural_nets import posterior_nn
    from sbi.neural_nets.embedding_nets import FCEmbedding

    emb = FCEmbedding(
        input_dim=info["x_dim"], output_dim=info["embedding_dim"], num_layers=2, num_hiddens=info["hidden"]
    )
    build = posterior_nn(model=info["density"], embedding_net=emb, hidden_features=info["hidden"] // 2)
    g = torch.Generator().manual_seed(0)
    return build(torch.rand(16, info["theta_dim"], generator=g), torch.randn(16, info["x_dim"], generator=g))


def save_posterior(posterior, info: dict, stride: int, path) -> None:
    """The posterior as weights + plain settings (loadable with ``torch.load(weights_only=True)``)."""
    import torch

    from ..io import atomic_path

    blob = {
        "state": posterior.posterior_estimator.state_dict(),
        "stride": int(stride),
        "info": {k: (torch.as_tensor(np.asarray(v)) if k == "feature_mask" else v) for k, v in info.items()},
    }
    with atomic_path(path) as tmp:
        torch.save(blob, tmp)


def load_posterior(path) -> tuple:
    """(posterior, info, stride) from :func:`save_posterior`'s file."""
    import torch
    from sbi.inference.posteriors import DirectPosterior
    from sbi.utils import BoxUniform

    try:
        blob = torch.load(path, weights_only=True, map_location="cpu")
    except Exception as e:  # torch raises several kinds on a corrupt or foreign file
        raise NeurogenError(
            f"{path}: not an NPE posterior file this version can load safely ({type(e).__name__}); "
            "re-run rule fit_npe_train to rebuild it (delete the file first)"
        ) from None
    for k in ("state", "info", "stride"):
        if not isinstance(blob, dict) or k not in blob:
            raise NeurogenError(f"{path}: NPE posterior lacks {k!r} (rerun fit_npe_train)")
    info = dict(blob["info"])
    info["feature_mask"] = np.asarray(info["feature_mask"].numpy(), dtype=bool)
    net = _estimator(info)
    net.load_state_dict(blob["state"])
    net.eval()
    F = info["theta_dim"]
    posterior = DirectPosterior(net, prior=BoxUniform(torch.zeros(F), torch.ones(F)))
    return posterior, info, int(blob["stride"])


def candidates(
    posterior, x_o, k: int, seed: int, use_map: bool = True, feature_mask=None, map_iter: int = 100
) -> tuple[np.ndarray, np.ndarray]:
    """K posterior samples (+ MAP) in [0, 1] coordinates, and a label per candidate."""
    import torch

    from ..torchutil import seed_all

    seed_all(seed)
    x = np.asarray(x_o, dtype=np.float32)[None]
    if feature_mask is not None:
        x = x[:, feature_mask]
    xt = torch.as_tensor(x)
    if not torch.isfinite(xt).all():
        raise NeurogenError("NPE: the target's features contain NaN/inf")
    # no rejection of samples outside the box: a flow trained on few simulations can put most of
    # its mass outside, and rejection sampling then never ends; such samples are clipped instead
    st = posterior.sample((int(k),), x=xt, show_progress_bars=False, reject_outside_prior=False)
    st = st.detach()
    samples = st.numpy()
    labels = ["sample"] * len(samples)
    if use_map:
        posterior.set_default_x(xt)
        init = torch.clamp(st, 1e-4, 1 - 1e-4)
        m = posterior.map(
            num_iter=map_iter,
            init_method=init,
            num_init_samples=len(init),
            num_to_optimize=min(len(init), 20),
            show_progress_bars=False,
        )
        samples = np.concatenate([samples, m.detach().numpy().reshape(1, -1)])
        labels.append("map")
    return np.clip(samples, 0, 1), np.array(labels)
