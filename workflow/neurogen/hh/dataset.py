"""EP-GAN training data files: HDF5 writer and reader; shard (npz) reader.

Datasets in train.h5 / test.h5 (see docs/outputs.md):
  params [N,F] float32 (free parameters, physical units), param_names [F],
  responses [N,S,350] float32 mV (with noise), responses_clean [N,S,350],
  amplitudes_pA [S], time_s [350], stimuli [S,350] pA, iv [N,18] pA, iv_v_mV [18],
  type [N] int8; attributes model, seed, n, type_names, noise_mV, dt_ms.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neurogen import NeurogenError
from neurogen.io import atomic_path

REQUIRED = [
    "params",
    "param_names",
    "responses",
    "responses_clean",
    "amplitudes_pA",
    "time_s",
    "stimuli",
    "iv",
    "iv_v_mV",
    "type",
]
TYPE_NAMES = ["transient_outward_rectifier", "outward_rectifier", "bistable"]


def write_dataset(
    path,
    *,
    params,
    param_names,
    responses,
    responses_clean,
    amplitudes_pA,
    time_s,
    stimuli,
    iv,
    iv_v_mV,
    type,
    model,
    seed,
    extra_attrs=None,
    extra_datasets=None,
):  # noqa: A002
    import h5py

    n = len(params)
    for name, arr in [("responses", responses), ("responses_clean", responses_clean), ("iv", iv), ("type", type)]:
        if len(arr) != n:
            raise NeurogenError(f"dataset {path}: {name} has {len(arr)} rows, params {n}")
    with atomic_path(path) as tmp:
        with h5py.File(tmp, "w") as f:
            kw = dict(compression="gzip", compression_opts=4, shuffle=True)
            chunk = lambda a: (max(1, min(len(a), 256)),) + tuple(a.shape[1:]) if len(a) else None  # noqa: E731
            for name, arr, dt in [
                ("params", params, np.float32),
                ("responses", responses, np.float32),
                ("responses_clean", responses_clean, np.float32),
                ("iv", iv, np.float32),
            ]:
                a = np.asarray(arr, dt)
                f.create_dataset(name, data=a, chunks=chunk(a), **kw)
            f.create_dataset("type", data=np.asarray(type, np.int8))
            f.create_dataset("param_names", data=np.array(param_names, dtype=h5py.string_dtype()))
            f.create_dataset("amplitudes_pA", data=np.asarray(amplitudes_pA, np.float32))
            f.create_dataset("time_s", data=np.asarray(time_s, np.float32))
            f.create_dataset("stimuli", data=np.asarray(stimuli, np.float32))
            f.create_dataset("iv_v_mV", data=np.asarray(iv_v_mV, np.float32))
            for k, v in (extra_datasets or {}).items():
                f.create_dataset(k, data=v)
            f.attrs["model"] = model
            f.attrs["seed"] = int(seed)
            f.attrs["n"] = int(n)
            f.attrs["type_names"] = np.array(TYPE_NAMES, dtype=h5py.string_dtype())
            f.attrs["param_names"] = np.array(param_names, dtype=h5py.string_dtype())
            for k, v in (extra_attrs or {}).items():
                f.attrs[k] = v


class HHDataset:
    """h5py-backed view of a train/test file: ``ds.params[i:j]`` reads only those rows."""

    def __init__(self, path):
        import h5py

        self.path = Path(path)
        if not self.path.exists():
            raise NeurogenError(f"HH dataset not found: {self.path}")
        try:
            self._f = h5py.File(self.path, "r")
        except Exception as e:  # noqa: BLE001 - h5py raises OSError variants
            raise NeurogenError(f"HH dataset {self.path} is not a readable HDF5 file ({e})") from e
        f = self._f
        for k in REQUIRED:
            if k not in f:
                self.close()
                raise NeurogenError(f"HH dataset {self.path} lacks dataset '{k}'")
        for k in ("model", "seed", "n"):
            if k not in f.attrs:
                self.close()
                raise NeurogenError(f"HH dataset {self.path} lacks attribute '{k}'")
        n = int(f.attrs["n"])
        S, T = len(f["amplitudes_pA"]), len(f["time_s"])
        F = len(f["param_names"])
        shapes = {
            "params": (n, F),
            "responses": (n, S, T),
            "responses_clean": (n, S, T),
            "iv": (n, len(f["iv_v_mV"])),
            "type": (n,),
            "stimuli": (S, T),
        }
        for k, shp in shapes.items():
            if tuple(f[k].shape) != shp:
                self.close()
                raise NeurogenError(
                    f"HH dataset {self.path}: dataset '{k}' has shape {tuple(f[k].shape)}, "
                    f"expected {shp} (corrupt or truncated file?)"
                )
        try:  # touch the first and last chunk so a truncated file fails here, not mid-training
            if n:
                f["responses"][0]
                f["responses"][n - 1]
                f["params"][n - 1]
        except Exception as e:  # noqa: BLE001
            self.close()
            raise NeurogenError(f"HH dataset {self.path}: dataset 'responses' is unreadable ({e})") from e
        self.model = str(f.attrs["model"])
        self.seed = int(f.attrs["seed"])
        self.n = n
        self.type_names = [str(x) for x in f.attrs.get("type_names", TYPE_NAMES)]
        self.param_names = [x.decode() if isinstance(x, bytes) else str(x) for x in f["param_names"][()]]
        self.attrs = dict(f.attrs)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        f = self.__dict__.get("_f")
        if f is not None and name in f:
            return f[name]
        raise AttributeError(f"HH dataset has no dataset '{name}'")

    def __len__(self):
        return self.n

    def load(self) -> dict:
        """Everything as numpy arrays."""
        out = {k: self._f[k][()] for k in REQUIRED if k != "param_names"}
        out["param_names"] = self.param_names
        return out

    def close(self):
        f = self.__dict__.get("_f")
        if f is not None:
            f.close()
            self.__dict__["_f"] = None

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()


def open_dataset(path) -> HHDataset:
    """Open train.h5 / test.h5; NeurogenError naming the file and the missing/corrupt dataset."""
    return HHDataset(path)


SHARD_KEYS = ["p_full", "iv", "type", "responses_clean", "counts", "count_names", "sampled_free"]


def read_shard(path) -> dict:
    """A generation shard (npz); NeurogenError naming the shard if it is missing or corrupt."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as z:
            d = {k: z[k] for k in z.files}
    except FileNotFoundError as e:
        raise NeurogenError(f"HH shard not found: {path}") from e
    except Exception as e:  # noqa: BLE001 - zipfile/pickle/ValueError variants
        raise NeurogenError(f"HH shard {path} is corrupt ({type(e).__name__}: {e}); delete it and rerun") from e
    miss = [k for k in SHARD_KEYS if k not in d]
    if miss:
        raise NeurogenError(f"HH shard {path} is corrupt: lacks {miss}; delete it and rerun")
    n = len(d["p_full"])
    for k in ("iv", "type", "responses_clean"):
        if len(d[k]) != n:
            raise NeurogenError(f"HH shard {path} is corrupt: '{k}' has {len(d[k])} rows, expected {n}")
    return d
