"""Import time of the library's packages: median over fresh interpreters (docs/performance.md).

    PYTHONPATH=workflow python benchmarks/import_time.py [--repeat 5] [module ...]

Each measurement is one new ``python -c`` process timing ``import <module>`` with
``time.perf_counter``; it also reports whether torch / scikit-learn ended up imported.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

MODULES = [
    "neurogen.hh",
    "neurogen.classify",
    "neurogen.classify.sweep",
    "neurogen.fit",
    "neurogen.epgan",
    "neurogen.augment",
    "neurogen.io",
    "neurogen.data",
    "neurogen.fidelity",
]

SNIPPET = (
    "import time, sys, json; t = time.perf_counter(); import {m}; dt = time.perf_counter() - t; "
    "print(json.dumps([dt, 'torch' in sys.modules, 'sklearn' in sys.modules]))"
)


def measure(module: str, repeat: int) -> dict:
    times, torch, sklearn = [], False, False
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", SNIPPET.format(m=module)], check=True, capture_output=True, text=True
        ).stdout
        dt, t, s = json.loads(out.strip().splitlines()[-1])
        times.append(dt)
        torch, sklearn = t, s
    return {"module": module, "median_s": statistics.median(times), "torch": torch, "sklearn": sklearn}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("modules", nargs="*", default=MODULES)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    print("| module | median import (s) | imports torch | imports sklearn |")
    print("|---|---:|:---:|:---:|")
    for m in args.modules:
        r = measure(m, args.repeat)
        print(
            f"| `{r['module']}` | {r['median_s']:.2f} | {'yes' if r['torch'] else 'no'} | "
            f"{'yes' if r['sklearn'] else 'no'} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
