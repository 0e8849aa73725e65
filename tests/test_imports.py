"""Import cost (issue 16): a job imports only what it uses; the packages' re-exports are lazy.

Each check runs a fresh interpreter and looks at ``sys.modules`` (no timings: those are in
docs/performance.md, from benchmarks/import_time.py).
"""

import ast
import importlib
import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT

LAZY_PACKAGES = ["neurogen.hh", "neurogen.data", "neurogen.fidelity", "neurogen.report"]


def loaded_after(statement: str) -> set:
    code = f"import sys, json\n{statement}\nprint(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "workflow"))
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "statement,absent",
    [
        ("import neurogen.hh", {"torch", "pandas", "scipy"}),
        # what the fit and epgan scoring code and the HH adapter import before simulating
        ("import neurogen.hh.metrics, neurogen.hh.adapter, neurogen.hh.neurons, neurogen.fit.metrics", {"torch"}),
        ("from neurogen.hh import load_neuron, PUBLISHED", {"torch"}),
        # a classify job: scikit-learn, never torch
        ("import neurogen.io, neurogen.classify.sweep, neurogen.data.prepared", {"torch"}),
        ("import neurogen.io", {"pandas", "torch", "sklearn"}),
        ("import neurogen.data, neurogen.fidelity, neurogen.report", {"sklearn", "pandas", "torch"}),
        ("import neurogen.report.device", {"pandas", "torch"}),
    ],
)
def test_import_does_not_load_what_it_does_not_use(statement, absent):
    assert not loaded_after(statement) & absent


def test_simulator_names_still_load_torch():
    assert "torch" in loaded_after("from neurogen.hh import load_space, simulate_cclamp")


@pytest.mark.parametrize("name", LAZY_PACKAGES)
def test_lazy_exports_resolve_and_agree_with_all_and_the_static_imports(name):
    pkg = importlib.import_module(name)
    init = ast.parse((ROOT / "workflow" / name.replace(".", "/") / "__init__.py").read_text())
    static = {
        a.asname or a.name
        for node in init.body
        if isinstance(node, ast.If)  # the `if TYPE_CHECKING:` block
        for imp in node.body
        if isinstance(imp, ast.ImportFrom)
        for a in imp.names
    }
    assert static == set(pkg.__all__)
    for n in pkg.__all__:
        obj = getattr(pkg, n)
        assert n in dir(pkg)
        assert getattr(obj, "__module__", name).startswith(name) or not callable(obj), n
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        pkg.nope  # noqa: B018
