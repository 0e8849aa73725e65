"""Fitted generators on disk without pickle: tensors + JSON, loaded with ``weights_only=True``.

Rule augment_fit writes ``{generator, mode, models}`` (models: a list of ``{repeat, scaler,
reducer, model, fit_time_s}``, ``model`` a fitted :class:`~neurogen.augment.base.Generator`);
rule augment_eval reads it back. A pickle would run whatever code a swapped file carries, so
the file holds only:

- the generator's name and constructor parameters (JSON),
- its fitted attributes: arrays and tensors as tensors, torch modules as state dicts, plain
  values (numbers, strings, lists, dicts, class labels) as JSON.

Loading rebuilds the generator from the registry (:func:`make_generator`), lets it create its
networks with the same architecture by fitting 0 epochs on placeholder data, then restores
every fitted attribute and loads the network weights. Nothing in the file is executed.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import numpy as np

from .. import NeurogenError

FORMAT = "neurogen-augment-models/1"


def _json_default(o):
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    if isinstance(o, np.bool_):
        return bool(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def _init_params(g) -> dict:
    sig = inspect.signature(type(g).__init__)
    return {k: getattr(g, k) for k in sig.parameters if k != "self" and hasattr(g, k)}


def _encode(g, prefix: str, tensors: dict) -> dict:
    """Fitted attributes of ``g`` -> JSON-able description; tensors go into ``tensors``."""
    import pandas as pd
    import torch

    attrs = {}
    for k, v in vars(g).items():
        key = f"{prefix}{k}"
        if isinstance(v, torch.nn.Module):
            for n, t in v.state_dict().items():
                tensors[f"{key}/{n}"] = t.detach().cpu()
            attrs[k] = {"kind": "module"}
        elif isinstance(v, torch.Tensor):
            tensors[key] = v.detach().cpu()
            attrs[k] = {"kind": "tensor"}
        elif isinstance(v, np.ndarray) and v.dtype.kind in "biuf":
            tensors[key] = torch.from_numpy(np.ascontiguousarray(v))
            attrs[k] = {"kind": "array"}
        elif isinstance(v, np.ndarray) and v.dtype.kind in "UO":
            attrs[k] = {"kind": "str_array", "value": [str(x) for x in v.tolist()]}
        elif isinstance(v, torch.device):
            attrs[k] = {"kind": "device", "value": str(v)}
        elif isinstance(v, pd.DataFrame):
            attrs[k] = {"kind": "frame", "value": json.loads(v.to_json(orient="split"))}
        else:
            try:
                json.dumps(v, default=_json_default)
            except (TypeError, ValueError):
                raise NeurogenError(
                    f"{type(g).__name__}.{k}: a {type(v).__name__} cannot be saved "
                    f"without pickle; extend neurogen.augment.io"
                ) from None
            attrs[k] = {"kind": "json", "value": v}
    return attrs


def save_models(path, generator: str, mode: str, models: list[dict]) -> None:
    """Write rule augment_fit's output (see the module docstring)."""
    import torch

    from ..io import atomic_path

    tensors, entries = {}, []
    for i, m in enumerate(models):
        g = m["model"]
        entries.append(
            {
                "repeat": m["repeat"],
                "scaler": m["scaler"],
                "reducer": m["reducer"],
                "fit_time_s": m["fit_time_s"],
                "params": _init_params(g),
                "attrs": _encode(g, f"{i}/", tensors),
            }
        )
        extra = set(m) - {"repeat", "scaler", "reducer", "fit_time_s", "model"}
        if extra:
            entries[-1]["extra"] = {k: m[k] for k in extra}
    meta = {"generator": generator, "mode": mode, "models": entries}
    blob = {"format": FORMAT, "meta": json.dumps(meta, default=_json_default), "tensors": tensors}
    with atomic_path(path) as tmp:
        torch.save(blob, tmp)


def _rebuild(name: str, entry: dict, tensors: dict, prefix: str, path):
    import pandas as pd
    import torch

    from . import generator_params, make_generator

    params = {k: v for k, v in entry["params"].items() if k in generator_params(name)}
    if "device" in params:
        params["device"] = "cpu"
    attrs = entry["attrs"]
    g = make_generator(name, **params)
    mods = [k for k, a in attrs.items() if a["kind"] == "module"]
    if mods:
        # let the generator build its networks (same architecture) on placeholder data
        if "epochs" not in params:
            raise NeurogenError(f"{path}: generator {name!r} has networks but no 'epochs' parameter")
        classes = attrs["classes_"]["value"]
        d = int(attrs["n_features_in_"]["value"])
        rng = np.random.default_rng(0)
        X = rng.standard_normal((3 * len(classes), d))
        y = np.repeat(np.asarray(classes), 3)
        import logging

        lg = logging.getLogger("neurogen")
        level = lg.level
        lg.setLevel(logging.ERROR)
        try:
            g = make_generator(name, **{**params, "epochs": 0}).fit(X, y)
        finally:
            lg.setLevel(level)
        g.epochs = params["epochs"]
    for k, a in attrs.items():
        kind = a["kind"]
        key = f"{prefix}{k}"
        if kind == "module":
            mod = getattr(g, k, None)
            if not isinstance(mod, torch.nn.Module):
                raise NeurogenError(f"{path}: {name} model has no network {k!r} to load weights into")
            sd = {n[len(key) + 1 :]: t for n, t in tensors.items() if n.startswith(key + "/")}
            mod.load_state_dict(sd)
            mod.eval()
        elif kind == "tensor":
            setattr(g, k, tensors[key])
        elif kind == "array":
            setattr(g, k, tensors[key].numpy())
        elif kind == "str_array":
            setattr(g, k, np.asarray(a["value"]))
        elif kind == "device":
            setattr(g, k, torch.device("cpu"))
        elif kind == "frame":
            v = a["value"]
            setattr(g, k, pd.DataFrame(v["data"], index=v["index"], columns=v["columns"]))
        elif kind == "json":
            setattr(g, k, a["value"])
        else:
            raise NeurogenError(f"{path}: unknown attribute kind {kind!r}")
    return g


def load_models(path) -> dict:
    """Read rule augment_fit's output: ``{generator, mode, models}`` (generators on the CPU)."""

    from ..io import load_safe

    path = Path(path)
    redo = "re-run rule augment_fit to rebuild it (delete the file first)"
    blob = load_safe(path, "generator-model", FORMAT, "augment_fit")
    try:
        meta = json.loads(blob["meta"])
        tensors = blob["tensors"]
        name = meta["generator"]
        models = []
        for i, e in enumerate(meta["models"]):
            g = _rebuild(name, e, tensors, f"{i}/", path)
            models.append(
                {
                    "repeat": e["repeat"],
                    "scaler": e["scaler"],
                    "reducer": e["reducer"],
                    "model": g,
                    "fit_time_s": e["fit_time_s"],
                    **e.get("extra", {}),
                }
            )
    except NeurogenError:
        raise
    except (KeyError, TypeError, ValueError, RuntimeError, AttributeError) as e:
        first = str(e).strip().splitlines()[0][:300]
        raise NeurogenError(f"{path}: malformed generator-model file ({type(e).__name__}: {first}); {redo}") from None
    return {"generator": name, "mode": meta["mode"], "models": models}
