"""Shared test fixtures: this checkout's library on sys.path, ../shared lookup, workflow runs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "workflow"))
SHARED = Path(os.environ.get("NEUROGEN_SHARED", ROOT.parent / "shared"))
ALLEN = SHARED / "data" / "allen"
HH_DATA = SHARED / "data" / "hh"

#: what a copy of the workflow needs (tests run Snakemake in a temporary copy, so parallel
#: tests never share a .snakemake/ lock or results/)
WORKFLOW_FILES = ["Snakefile", "config", "workflow", "resources", "envs", "report"]


def shared_file(*parts) -> Path:
    """Path under ../shared, or skip the test when ../shared (or the file) is absent."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"reference data not available: {p}")
    return p


def copy_workflow(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for name in WORKFLOW_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif src.exists():
            shutil.copy2(src, dest / name)
    return dest


def snakemake(workdir: Path, *args, check=True, timeout=1800, env=None) -> subprocess.CompletedProcess:
    """Run Snakemake in ``workdir`` (this interpreter's), return the completed process."""
    cmd = [sys.executable, "-m", "snakemake", "--cores", "2", *map(str, args)]
    e = dict(os.environ, **(env or {}))
    p = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, timeout=timeout, env=e)
    if check and p.returncode != 0:
        raise AssertionError(
            f"snakemake {' '.join(map(str, args))} failed ({p.returncode}):\n{p.stdout[-4000:]}\n{p.stderr[-8000:]}"
        )
    return p


@pytest.fixture
def wf(tmp_path):
    """A fresh copy of the workflow in a temporary directory."""
    return copy_workflow(tmp_path / "wf")


@pytest.fixture(scope="session")
def test_config_run(tmp_path_factory):
    """One uninterrupted run of config/test.yaml (every stage it lists) in a temporary copy,
    its Snakemake log in run.log. Shared by the end-to-end tests that only read its outputs or
    dry-run on it (test_ops_workflow, test_workflow_classify, test_workflow_fit), so a session
    runs the test config once; a test that changes files works on its own copy."""
    wf = copy_workflow(tmp_path_factory.mktemp("test_config_run") / "wf")
    p = snakemake(wf, "--configfile", "config/test.yaml")
    wf.joinpath("run.log").write_text(p.stderr)
    return wf
