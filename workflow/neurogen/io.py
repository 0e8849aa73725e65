"""Small I/O helpers shared by every stage: atomic writes and logging."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd


def get_logger(name: str = "neurogen", logfile: str | os.PathLike | None = None) -> logging.Logger:
    """A logger writing to stderr and, if given, to ``logfile`` (the rule's log)."""
    log = logging.getLogger(name)
    log.setLevel(logging.INFO)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")
    if not any(isinstance(h, logging.StreamHandler) and getattr(h, "_neurogen", False) for h in log.handlers):
        h = logging.StreamHandler(sys.stderr)
        h.setFormatter(fmt)
        h._neurogen = True
        log.addHandler(h)
    if logfile is not None:
        Path(logfile).parent.mkdir(parents=True, exist_ok=True)
        fh = logging.FileHandler(logfile, mode="w")
        fh.setFormatter(fmt)
        log.addHandler(fh)
    log.propagate = False
    return log


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike):
    """Yield a temporary path next to ``path``; rename onto it only on success.

    Nothing half-written is left behind if the block raises or the job is killed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp" + "".join(path.suffixes), dir=path.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_csv(df: pd.DataFrame, path, **kw) -> None:
    kw.setdefault("index", False)
    with atomic_path(path) as tmp:
        df.to_csv(tmp, **kw)


def write_json(obj, path) -> None:
    with atomic_path(path) as tmp:
        with open(tmp, "w") as fh:
            json.dump(obj, fh, indent=2, sort_keys=True, default=_json_default)
            fh.write("\n")


def write_npz(path, **arrays) -> None:
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, **arrays)


def savefig(fig, path, dpi: int = 150) -> None:
    """Save a matplotlib figure atomically (format from the suffix) and close it."""
    import matplotlib.pyplot as plt

    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight", format=Path(path).suffix.lstrip("."))
    plt.close(fig)


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"not JSON serialisable: {type(o)}")


def load_safe(path, what: str, fmt: str, rule: str) -> dict:
    """The dict a neurogen model file holds, read with ``torch.load(weights_only=True)`` (nothing
    in the file is executed) and checked for its ``format`` tag. ``what`` names the kind of file
    and ``rule`` the rule that rebuilds it, for the error messages."""
    import torch

    from . import NeurogenError

    path = Path(path)
    redo = f"re-run rule {rule} to rebuild it (delete the file first)"
    if not path.is_file():
        raise NeurogenError(f"{path}: no such {what} file")
    try:
        blob = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # noqa: BLE001 - zip/pickle/UnpicklingError variants
        first = str(e).strip().splitlines()[0][:200] if str(e).strip() else type(e).__name__
        kind = f"{_article(what)} {what} file"
        raise NeurogenError(
            f"{path}: not {kind} this version can load safely ({type(e).__name__}: {first}); {redo}"
        ) from None
    if not isinstance(blob, dict) or blob.get("format") != fmt:
        got = blob.get("format") if isinstance(blob, dict) else type(blob).__name__
        raise NeurogenError(f"{path}: not {_article(what)} {what} file (format {got!r}, expected {fmt!r}); {redo}")
    return blob


def _article(word: str) -> str:
    return "an" if word[:1].upper() in "AEIOU" else "a"


def run_script(main, snakemake) -> None:
    """Run a rule script's ``main(snakemake, log)``; bad input ends with its message, not a traceback.

    The log goes to the rule's ``log`` file (and stderr). A :class:`NeurogenError` is written
    as one clear line and the job exits with status 1. The job's start-up, import and work
    seconds end the log (:mod:`neurogen.jobtiming`).
    """
    from . import NeurogenError
    from .jobtiming import timed_job

    logfile = snakemake.log[0] if len(snakemake.log) else None
    log = get_logger("neurogen", logfile)
    try:
        with timed_job(log):
            main(snakemake, log)
    except NeurogenError as e:
        log.error("%s", e)
        sys.stderr.write(f"\nneurogen: {e}\n")
        sys.exit(1)


#: fraction of simulated neurons whose rejection is logged at WARNING rather than INFO
REJECT_WARN_FRACTION = 0.05


def warn_rejections(log, where: str, n_total: int, rejected: dict, frac: float = REJECT_WARN_FRACTION):
    """Log each rejection count above ``frac`` of ``n_total`` at WARNING (a silent drop of many
    blown-up neurons usually means bad parameters or a too coarse dt)."""
    if log is None or n_total <= 0:
        return
    for what, n in rejected.items():
        if n > frac * n_total:
            log.warning(
                "%s: %d of %d (%.1f%%) %s rejected (more than %.0f%%): check the parameter ranges and dt_ms",
                where,
                n,
                n_total,
                100.0 * n / n_total,
                what,
                100 * frac,
            )
