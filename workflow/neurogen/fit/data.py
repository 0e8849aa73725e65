"""Reading the hh stage's datasets (results/hh/{model}/{train,test}.h5) and choosing targets."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import NeurogenError

_NEEDED = ("params", "responses", "iv", "type", "time_s", "amplitudes_pA", "iv_v_mV")


def _names(f):
    if "param_names" in f:
        return [n.decode() if isinstance(n, bytes) else str(n) for n in f["param_names"][()]]
    if "param_names" in f.attrs:
        return [n.decode() if isinstance(n, bytes) else str(n) for n in f.attrs["param_names"]]
    raise NeurogenError(f"{f.filename}: no 'param_names' dataset or attribute")


def read_dataset(path, rows=None, fields=("params", "responses", "responses_clean", "iv", "type")) -> dict:
    """Arrays of an hh dataset (only ``rows`` if given), plus its axes and names.

    Raises NeurogenError naming the file and the missing/corrupt dataset.
    """
    import h5py

    path = Path(path)
    if not path.exists():
        raise NeurogenError(f"{path}: dataset not found (made by the hh stage)")
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise NeurogenError(f"{path}: not a readable HDF5 file ({e})") from None
    with f:
        for k in _NEEDED:
            if k not in f:
                raise NeurogenError(f"{path}: missing dataset {k!r}")
        out = {
            "param_names": _names(f),
            "time_s": f["time_s"][()].astype(np.float64),
            "amplitudes_pA": f["amplitudes_pA"][()].astype(np.float64),
            "iv_v_mV": f["iv_v_mV"][()].astype(np.float64),
            "n": int(f["params"].shape[0]),
            "type_names": [
                t.decode() if isinstance(t, bytes) else str(t)
                for t in f["type"].attrs.get("type_names", f.attrs.get("type_names", []))
            ],
        }
        sel = slice(None) if rows is None else np.sort(np.asarray(rows, dtype=int))
        if rows is not None and len(sel) and (sel.min() < 0 or sel.max() >= out["n"]):
            raise NeurogenError(f"{path}: rows {sel.tolist()} outside 0..{out['n'] - 1}")
        for k in fields:
            if k not in f:
                raise NeurogenError(f"{path}: missing dataset {k!r}")
            try:
                out[k] = f[k][sel] if rows is None else f[k][list(sel)]
            except Exception as e:  # h5py raises various errors on corrupt data
                raise NeurogenError(f"{path}: cannot read dataset {k!r} ({e})") from None
        out["rows"] = np.arange(out["n"]) if rows is None else sel
    S, T = len(out["amplitudes_pA"]), len(out["time_s"])
    if "responses" in out and out["responses"].shape[1:] != (S, T):
        raise NeurogenError(f"{path}: responses have shape {out['responses'].shape}, expected [N,{S},{T}]")
    return out


def choose_targets(types, per_type: int | None = None, indices=None, seed: int = 0) -> np.ndarray:
    """Test-set rows to fit: ``indices`` as given, or ``per_type`` rows of each type (seeded)."""
    types = np.asarray(types)
    n = len(types)
    if indices is not None:
        idx = np.asarray(indices, dtype=int)
        if len(idx) == 0 or idx.min() < 0 or idx.max() >= n:
            raise NeurogenError(f"fit.targets.indices: must lie in 0..{n - 1} (test set size {n})")
        return idx
    if per_type is None or per_type < 1:
        raise NeurogenError("fit.targets: give per_type (>= 1) or indices")
    rng = np.random.default_rng(seed)
    out = []
    for t in np.unique(types):
        rows = np.flatnonzero(types == t)
        if len(rows) < per_type:
            raise NeurogenError(
                f"fit.targets.per_type={per_type}: the test set has only {len(rows)} neurons of type {int(t)}"
            )
        out.extend(rng.permutation(rows)[:per_type].tolist())
    return np.asarray(out, dtype=int)
