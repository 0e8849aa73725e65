"""EP-GAN inputs: the HH stage's HDF5 datasets (read in chunks), normalisation fit on the
training neurons only, and the encoder's input tensor (response ⊕ stimulus per step)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .. import NeurogenError

REQUIRED = ("responses", "amplitudes_pA", "time_s", "stimuli", "iv", "iv_v_mV")


class H5Data:
    """An HH-stage dataset (``results/hh/{model}/{train,test}.h5``), h5py-backed.

    Small arrays (amplitudes, time, stimuli, I–V voltages, names, types) are read at once;
    ``responses``, ``responses_clean``, ``iv`` and ``params`` are read by index range
    (:meth:`read`), so a trainer can stream a dataset larger than memory."""

    def __init__(self, path, need_params: bool = False):
        import h5py

        self.path = Path(path)
        if not self.path.is_file():
            raise NeurogenError(f"{self.path}: dataset file not found")
        try:
            self.f = h5py.File(self.path, "r")
        except OSError as e:
            raise NeurogenError(f"{self.path}: not a readable HDF5 file ({e})") from None
        need = REQUIRED + (("params",) if need_params else ())
        missing = [k for k in need if k not in self.f]
        if missing:
            raise NeurogenError(
                f"{self.path}: missing dataset(s) {', '.join(missing)} (has: {', '.join(sorted(self.f.keys()))})"
            )
        r = self.f["responses"]
        if r.ndim != 3:
            raise NeurogenError(f"{self.path}: 'responses' must be [N, S, T], has shape {r.shape}")
        self.n, self.n_stim, self.n_points = r.shape
        self.amplitudes = np.asarray(self.f["amplitudes_pA"][()], dtype=np.float64)
        self.time_s = np.asarray(self.f["time_s"][()], dtype=np.float64)
        self.stimuli = np.asarray(self.f["stimuli"][()], dtype=np.float32)
        self.iv_v = np.asarray(self.f["iv_v_mV"][()], dtype=np.float64)
        checks = {
            "amplitudes_pA": (self.amplitudes.shape, (self.n_stim,)),
            "time_s": (self.time_s.shape, (self.n_points,)),
            "stimuli": (self.stimuli.shape, (self.n_stim, self.n_points)),
            "iv": (self.f["iv"].shape, (self.n, len(self.iv_v))),
        }
        if "params" in self.f:
            checks["params"] = (self.f["params"].shape[:1], (self.n,))
        if "responses_clean" in self.f:
            checks["responses_clean"] = (self.f["responses_clean"].shape, r.shape)
        for k, (got, want) in checks.items():
            if tuple(got) != tuple(want):
                raise NeurogenError(f"{self.path}: dataset '{k}' has shape {tuple(got)}, expected {tuple(want)}")
        self.param_names = None
        if "param_names" in self.f:
            self.param_names = [_s(x) for x in self.f["param_names"][()]]
        elif "params" in self.f and "param_names" in self.f["params"].attrs:
            self.param_names = [_s(x) for x in self.f["params"].attrs["param_names"]]
        self.type = np.asarray(self.f["type"][()], dtype=np.int64) if "type" in self.f else None
        tn = self.f.attrs.get("type_names", self.f["type"].attrs.get("type_names") if "type" in self.f else None)
        self.type_names = [_s(x) for x in tn] if tn is not None else None
        self.model = _s(self.f.attrs.get("model", ""))
        self.has_clean = "responses_clean" in self.f

    def read(self, start: int, stop: int, keys=("responses", "iv", "params")) -> dict:
        out = {}
        for k in keys:
            if k not in self.f:
                raise NeurogenError(f"{self.path}: missing dataset '{k}'")
            a = np.asarray(self.f[k][start:stop], dtype=np.float32)
            if not np.isfinite(a).all():
                bad = np.unique(np.nonzero(~np.isfinite(a.reshape(len(a), -1)))[0] + start)
                raise NeurogenError(
                    f"{self.path}: dataset '{k}' has NaN/inf values "
                    f"(neurons {bad[:10].tolist()}{'…' if len(bad) > 10 else ''})"
                )
            out[k] = a
        return out

    def read_index(self, idx, keys=("responses", "iv", "params")) -> dict:
        """Rows ``idx`` (any order), read in one sorted pass."""
        idx = np.asarray(idx, dtype=np.int64)
        uniq, inv = np.unique(idx, return_inverse=True)  # h5py wants increasing, unique rows
        out = {}
        for k in keys:
            if k not in self.f:
                raise NeurogenError(f"{self.path}: missing dataset '{k}'")
            if len(uniq) == 0:
                a = np.asarray(self.f[k][0:0], dtype=np.float32)
            elif len(uniq) == uniq[-1] - uniq[0] + 1:  # contiguous: one slice read
                a = np.asarray(self.f[k][int(uniq[0]) : int(uniq[-1]) + 1], dtype=np.float32)
            else:
                a = np.asarray(self.f[k][uniq.tolist()], dtype=np.float32)
            if not np.isfinite(a).all():
                bad = uniq[np.unique(np.nonzero(~np.isfinite(a.reshape(len(a), -1)))[0])]
                raise NeurogenError(
                    f"{self.path}: dataset '{k}' has NaN/inf values "
                    f"(neurons {bad[:10].tolist()}{'…' if len(bad) > 10 else ''})"
                )
            out[k] = a[inv]
        return out

    def close(self):
        self.f.close()

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()


def _s(x):
    return x.decode() if isinstance(x, bytes) else str(x)


@dataclass
class Normalizer:
    """Input scaling fit on the training neurons only."""

    resp_mean: float
    resp_sd: float
    stim_scale: float
    iv_mean: list
    iv_sd: list
    iv_scale: float  # one pA scale for the reconstruction losses (SD of all I–V values)

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, d):
        return cls(**d)

    @classmethod
    def fit(cls, data: H5Data, index: np.ndarray, chunk: int = 4096):
        """Streaming moments of responses (one scalar) and of the I–V (per voltage)."""
        index = np.sort(np.asarray(index))
        n = s = ss = 0.0
        ivn, ivs, ivss = 0, 0.0, 0.0
        for lo in range(0, len(index), chunk):
            part = data.read_index(index[lo : lo + chunk], keys=("responses", "iv"))
            r = part["responses"].astype(np.float64)
            n += r.size
            s += r.sum()
            ss += (r**2).sum()
            iv = part["iv"].astype(np.float64)
            ivn += len(iv)
            ivs = ivs + iv.sum(0)
            ivss = ivss + (iv**2).sum(0)
        if n == 0:
            raise NeurogenError("no training neurons to fit the input normalisation on")
        m = s / n
        sd = np.sqrt(max(ss / n - m * m, 1e-12))
        ivm = ivs / ivn
        ivsd = np.sqrt(np.maximum(ivss / ivn - ivm**2, 1e-12))
        iv_all_m = ivs.sum() / (ivn * len(ivm))
        iv_all_sd = float(np.sqrt(max(ivss.sum() / (ivn * len(ivm)) - iv_all_m**2, 1e-12)))
        return cls(
            float(m),
            float(sd),
            float(max(np.abs(data.stimuli).max(), 1.0)),
            ivm.tolist(),
            np.maximum(ivsd, 1e-3).tolist(),
            iv_all_sd,
        )


def make_inputs(responses, stimuli, iv, norm: Normalizer):
    """Encoder input x [N, S, 2T] and normalised I–V [N, K] (torch float32 tensors).

    responses [N, S, T] mV; stimuli [S, T] or [N, S, T] pA; iv [N, K] pA."""
    import torch

    r = torch.as_tensor(np.asarray(responses), dtype=torch.float32)
    st = torch.as_tensor(np.asarray(stimuli), dtype=torch.float32)
    if st.dim() == 2:
        st = st.unsqueeze(0).expand(r.shape[0], -1, -1)
    if st.shape != r.shape:
        raise NeurogenError(f"stimuli shape {tuple(st.shape)} does not match responses {tuple(r.shape)}")
    x = torch.cat([(r - norm.resp_mean) / norm.resp_sd, st / norm.stim_scale], dim=-1)
    ivt = torch.as_tensor(np.asarray(iv), dtype=torch.float32)
    ivn = (ivt - torch.tensor(norm.iv_mean, dtype=torch.float32)) / torch.tensor(norm.iv_sd, dtype=torch.float32)
    return x, ivn


def nested_subset(n_total: int, n: int) -> np.ndarray:
    """Sorted row indices of the first ``n`` rows of one fixed permutation of ``n_total`` rows:
    the subsets of a training file are nested (the 2,000 contain the 400, and so on) and the
    same whatever the training seed. ``n`` = 0 or ≥ n_total: every row."""
    if n <= 0 or n >= n_total:
        if n > n_total:
            raise NeurogenError(f"asked for {n} training neurons; the training file has {n_total}")
        return np.arange(n_total)
    return np.sort(np.random.default_rng([20240, n_total]).permutation(n_total)[:n])


def split_train_val(n, val_fraction: float, seed: int):
    """Seeded split of the training file's rows (``n`` rows, or the given row indices) into
    (train, validation) indices."""
    rows = np.arange(n) if np.ndim(n) == 0 else np.asarray(n)
    n = len(rows)
    rng = np.random.default_rng([seed, 1])
    perm = rows[rng.permutation(n)]
    n_val = int(round(n * val_fraction))
    if val_fraction > 0:
        n_val = max(n_val, 1)
    if n - n_val < 2:
        raise NeurogenError(f"training set too small: {n} neurons with validation fraction {val_fraction}")
    return np.sort(perm[n_val:]), np.sort(perm[:n_val])
