"""The habits CI enforces (.ci/run), runnable locally: ruff (lint + format), snakefmt and
snakemake --lint find nothing. The tools come with the test extra (pip install -e '.[test]')."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, copy_workflow


def _tool(name: str) -> str:
    """The tool next to this interpreter (the venv's), else on PATH; a clear failure if absent."""
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if not found:
        pytest.fail(f"{name} not found: install the test extra (pip install -e '.[test]')")
    return found


def _run(args, cwd=ROOT):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(
    "args",
    [
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
        ["snakefmt", "--check", "Snakefile", "workflow/rules"],
    ],
    ids=["ruff-check", "ruff-format", "snakefmt"],
)
def test_format_and_lint_clean(args):
    r = _run([_tool(args[0]), *args[1:]])
    hint = "fix them, or run it without --check"
    assert r.returncode == 0, f"{' '.join(args)} found issues ({hint}):\n{r.stdout}{r.stderr}"


def _snakemake_lint(wf: Path):
    return _run([_tool("snakemake"), "--lint"], cwd=wf)


def test_snakemake_lint_clean(tmp_path):
    r = _snakemake_lint(copy_workflow(tmp_path / "wf"))
    out = r.stdout + r.stderr
    assert r.returncode == 0 and "Lints for" not in out, f"snakemake --lint found issues:\n{out}"


def test_snakemake_lint_fails_on_findings(tmp_path):
    """CI relies on the exit code: a finding (path composition with +) must make it non-zero."""
    wf = copy_workflow(tmp_path / "wf")
    smk = wf / "workflow" / "rules" / "data.smk"
    smk.write_text(smk.read_text() + '\n\nBAD_DIR = "results/x"\nBAD = BAD_DIR + "/y.txt"\n')
    r = _snakemake_lint(wf)
    out = r.stdout + r.stderr
    assert r.returncode != 0 and "Lints for snakefile" in out and "data.smk" in out, out
