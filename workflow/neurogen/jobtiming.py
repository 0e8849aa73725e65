"""Where a rule job's time goes: start-up, imports, work (one log line per job).

``run_script`` wraps a rule script's ``main`` in :func:`timed_job`; at the end of the job it logs

    neurogen job timing: startup_s=0.812 import_s=1.934 work_s=12.301

* ``startup_s``: from the process's creation (``/proc``) to the start of ``main``: the
  interpreter, Snakemake's script preamble (unpickling its ``snakemake`` object) and the
  script's module-level imports;
* ``import_s``: time spent in ``import`` statements executed inside ``main`` (outermost import
  calls only: an import that triggers others is counted once);
* ``work_s``: the rest of ``main``.

``benchmarks/default_run.py`` reads these lines from every job's log: a job's start-up overhead
is ``startup_s + import_s``. Standard library only, so it adds nothing to a job's start-up.
"""

from __future__ import annotations

import builtins
import contextlib
import os
import re
import threading
import time

#: the line written at the end of every rule job (parsed by benchmarks/default_run.py)
LINE = "neurogen job timing: startup_s={startup:.3f} import_s={imports:.3f} work_s={work:.3f}"
PATTERN = re.compile(r"neurogen job timing: startup_s=([0-9.]+) import_s=([0-9.]+) work_s=([0-9.]+)")


def process_age_s() -> float | None:
    """Seconds since this process was created (Linux ``/proc``, 10-ms ticks; None elsewhere)."""
    try:
        with open("/proc/self/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        return max(0.0, uptime - int(fields[19]) / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):  # pragma: no cover - not Linux
        return None


@contextlib.contextmanager
def timed_job(log):
    """Time the block (a rule's ``main``): log start-up, import and work seconds at its end."""
    startup = process_age_s()
    spent = [0.0]
    depth = threading.local()
    original = builtins.__import__

    def timed_import(*args, **kwargs):
        if getattr(depth, "n", 0):
            return original(*args, **kwargs)
        depth.n = 1
        t = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - t
            depth.n = 0

    builtins.__import__ = timed_import
    t0 = time.perf_counter()
    try:
        yield
    finally:
        builtins.__import__ = original
        total = time.perf_counter() - t0
        log.info(
            LINE.format(
                startup=startup if startup is not None else float("nan"),
                imports=spent[0],
                work=max(0.0, total - spent[0]),
            )
        )


def parse(text: str) -> tuple[float, float, float] | None:
    """(startup_s, import_s, work_s) from a job's log text, or None."""
    m = PATTERN.search(text)
    return tuple(float(x) for x in m.groups()) if m else None
