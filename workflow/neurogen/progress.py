"""tqdm progress bars for long library calls, on where a person watches and off in workflow logs.

``progress`` arguments of library functions take: ``None`` (auto: on when running interactively —
IPython/Jupyter, or stderr is a terminal — and off otherwise: in a Snakemake script job, or when
stderr goes to a log file), ``True`` / ``False`` (force), or, where documented, a callable (the
function's own callback). The environment variable ``NEUROGEN_PROGRESS=0|1`` overrides auto."""

from __future__ import annotations

import os
import sys


def interactive() -> bool:
    """True inside IPython/Jupyter or when stderr is a terminal; False in Snakemake script jobs."""
    env = os.environ.get("NEUROGEN_PROGRESS", "").strip()
    if env in ("0", "1"):
        return env == "1"
    if "snakemake.iocontainers" in sys.modules:  # a Snakemake script job (its preamble imports it):
        return False  # its stderr may be the user's terminal, but the job logs to its log file
    ip = sys.modules.get("IPython")
    if ip is not None:
        try:
            if ip.get_ipython() is not None:
                return True
        except Exception:
            pass
    try:
        return bool(sys.stderr.isatty())
    except (AttributeError, ValueError):
        return False


def wanted(progress) -> bool:
    """Whether ``progress`` (None/True/False) asks for a bar."""
    if progress is None:
        return interactive()
    if isinstance(progress, bool):
        return progress
    raise TypeError(f"progress must be None, True or False (or a callback where documented), not {progress!r}")


def bar(progress, total, desc, unit="it"):
    """A tqdm bar when ``progress`` asks for one, else None (the caller skips updates)."""
    if not wanted(progress):
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit=unit, leave=False, mininterval=0.5)
