"""Physical-parameter checks at the public boundary of the HH simulators.

A membrane capacitance C <= 0, a negative conductance or a non-finite parameter gives numbers
that look like a simulation but are not one (C = 0 returns finite, meaningless traces), so
every public simulator entry point calls :func:`check_physical` first and stops with a
:class:`NeurogenError` naming the parameter, the parameter set and the value.
"""

from __future__ import annotations

import numpy as np
import torch

from neurogen import NeurogenError


def _masks(model):
    roles = np.asarray(model.space.roles).astype(str)
    return roles == "capacitance", roles == "conductance"


def check_physical(p_full, model=None) -> None:
    """Raise if any parameter set has C <= 0, a conductance < 0, or a non-finite value.

    ``p_full``: [N, P] or [P] full parameter vectors (numpy or torch, any device);
    ``model``: the :class:`~neurogen.hh.model.Model` (default: the large model)."""
    from neurogen.hh.model import _default_model

    model = model or _default_model()
    p = model._as_tensor(p_full.detach() if isinstance(p_full, torch.Tensor) else p_full)
    cap, cond = _masks(model)
    ci, gi = np.flatnonzero(cap), np.flatnonzero(cond)
    if p.device.type == "cpu":
        # numpy: no copy, and ~50x faster than torch's threaded kernels on a busy machine
        pb = p.numpy()
        if np.isfinite(pb).all() and (pb[:, ci] > 0).all() and (pb[:, gi] >= 0).all():
            return
    else:
        with torch.no_grad():
            cit, git = torch.as_tensor(ci, device=p.device), torch.as_tensor(gi, device=p.device)
            ok = torch.isfinite(p).all() & (p.index_select(1, cit) > 0).all() & (p.index_select(1, git) >= 0).all()
            if bool(ok):
                return
            pb = p.cpu().numpy()
    bad = ~np.isfinite(pb)
    bad[:, cap] |= ~(pb[:, cap] > 0)
    bad[:, cond] |= ~(pb[:, cond] >= 0)
    rows = np.flatnonzero(bad.any(axis=1)).tolist()
    i = rows[0]
    names = model.names
    what = []
    for j in np.flatnonzero(bad[i])[:5]:
        v = pb[i, j]
        need = (
            "finite" if not np.isfinite(v) else "> 0 (membrane capacitance, pF)" if cap[j] else ">= 0 (conductance, nS)"
        )
        what.append(f"{names[j]} = {v:g} (must be {need})")
    raise NeurogenError(
        f"invalid HH parameters in {len(rows)} of {pb.shape[0]} parameter set(s) (first: set {i}: "
        f"{'; '.join(what)}); fix the parameter table or the values passed in"
    )
