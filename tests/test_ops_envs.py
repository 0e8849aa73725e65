"""Per-rule environments and resource tags: every rule names an envs/*.yaml that lists what its
script imports (with the library code it uses), declares log, benchmark, mem_mb and runtime,
and every GPU-tagged rule is routed to the GPU partition by the SLURM profile."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml
from conftest import ROOT, copy_workflow
from importscan import Scanner, conda_name, env_packages


@pytest.fixture(scope="module")
def rules(tmp_path_factory):
    """The workflow's rules (loaded from a copy, on config/test.yaml)."""
    wf = copy_workflow(tmp_path_factory.mktemp("rules") / "wf")
    p = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "ruleinfo.py"), str(wf), "config/test.yaml"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 0, p.stderr[-4000:]
    out = json.loads(p.stdout)
    for r in out:  # paths relative to the copy, so messages name the project's files
        for k in ("file", "script", "conda"):
            if r[k]:
                r[k] = str(__import__("pathlib").Path(r[k]).relative_to(wf))
    return [r for r in out if not r["norun"]]


def test_rules_were_found(rules):
    names = {r["name"] for r in rules}
    assert {"raw_table", "prepare_data", "classify_shard", "report_table", "device_check"} <= names


def test_every_rule_names_an_existing_env(rules):
    bad = []
    for r in rules:
        if r["run"]:
            bad.append(f"{r['name']}: uses run: (no conda env possible); use a script")
        elif not r["conda"]:
            bad.append(f"{r['name']} ({r['file']}): no conda: directive")
        elif not (r["conda"].startswith("envs/") and (ROOT / r["conda"]).is_file()):
            bad.append(f"{r['name']}: conda env {r['conda_raw']!r} is not a file under envs/")
    assert not bad, "\n".join(bad)


def test_every_rule_declares_log_benchmark_and_resources(rules):
    bad = []
    for r in rules:
        missing = [k for k in ("log", "benchmark") if not r[k]]
        missing += [k for k in ("mem_mb", "runtime") if k not in r["resources"]]
        if missing:
            bad.append(f"{r['name']} ({r['file']}): missing {', '.join(missing)}")
    assert not bad, "\n".join(bad)


def test_envs_are_valid_conda_files():
    envs = sorted((ROOT / "envs").glob("*.yaml"))
    assert envs
    for p in envs:
        env = yaml.safe_load(p.read_text())
        assert env.get("channels"), f"{p.name}: no channels"
        names = env_packages(env)
        assert "python" in names, f"{p.name}: python not pinned"


def test_each_env_lists_what_its_scripts_import(rules):
    scanner = Scanner(ROOT / "workflow")
    missing = []
    for r in rules:
        if not (r["script"] and r["conda"]):
            continue
        needs = scanner.script_needs(ROOT / r["script"])
        have = env_packages(yaml.safe_load((ROOT / r["conda"]).read_text()))
        for imp, where in sorted(needs.items()):
            if conda_name(imp) not in have and imp.lower() not in have:
                missing.append(
                    f"{r['conda']} (rule {r['name']}): lacks {conda_name(imp)!r}, "
                    f"imported by {', '.join(sorted(where))}"
                )
    assert not missing, "\n".join(sorted(set(missing)))


def test_scanner_sees_lazy_and_transitive_imports(tmp_path):
    """The scanner itself: lazy imports count only for the functions a script uses."""
    pkg = tmp_path / "neurogen"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("import numpy\n")
    (pkg / "sub" / "__init__.py").write_text("from .mod import f\n")
    (pkg / "sub" / "mod.py").write_text(
        "import pandas\n\ndef f():\n    return _g()\n\ndef _g():\n    import torch\n\ndef h():\n    import matplotlib\n"
    )
    script = tmp_path / "s.py"
    script.write_text("import json\nfrom neurogen.sub.mod import f\n\ndef main():\n    import yaml\n")
    needs = Scanner(tmp_path).script_needs(script)
    assert set(needs) == {"numpy", "pandas", "torch", "yaml"}  # not matplotlib (h unused)
    assert conda_name("yaml") == "pyyaml" and conda_name("torch") == "pytorch"


def test_library_imports_no_snakemake():
    bad = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "workflow" / "neurogen").rglob("*.py")
        if "snakemake" in Scanner(ROOT / "workflow").script_needs(p)
    ]
    assert not bad, f"library modules import snakemake: {bad}"


def test_gpu_rules_are_routed_to_the_gpu_partition(rules):
    """Every rule tagged resources.gpu has a GPU partition in the SLURM profile, and the
    workstation profile caps concurrent GPU jobs."""
    slurm = yaml.safe_load((ROOT / "config/profiles/slurm/config.yaml").read_text())
    setres = slurm.get("set-resources") or {}
    default_part = (slurm.get("default-resources") or {}).get("slurm_partition")
    gpu_rules = sorted(r["name"] for r in rules if "gpu" in r["resources"])
    assert "device_check" in gpu_rules
    bad = [
        n
        for n in gpu_rules
        if not (setres.get(n) or {}).get("slurm_partition") or setres[n]["slurm_partition"] == default_part
    ]
    assert not bad, (
        "GPU-tagged rules without a GPU partition in config/profiles/slurm/config.yaml "
        f"(add them under set-resources with slurm_partition): {bad}"
    )
    grouped = [g.split("=")[0] for g in slurm.get("groups", [])]
    unknown = sorted((set(setres) | set(grouped)) - {r["name"] for r in rules})
    assert not unknown, f"the SLURM profile names rules that do not exist: {unknown}"
    assert not set(gpu_rules) & set(grouped), "GPU rules must not be grouped with CPU rules"
    ws = yaml.safe_load((ROOT / "config/profiles/workstation/config.yaml").read_text())
    assert "gpu=1" in ws.get("resources", [])


def _gpu_job_intervals(tmp_path, *extra):
    """Run two 1-second GPU-tagged jobs through the workstation profile; their (start, end)."""
    tmp_path.mkdir()
    (tmp_path / "Snakefile").write_text(
        "rule all:\n    input: expand('{n}.txt', n=['a', 'b'])\n\n"
        "rule gpu_job:\n    output: '{n}.txt'\n    resources: gpu=1\n"
        '    shell: \'python3 -c "import time; print(time.time())" > {output}; sleep 1; '
        'python3 -c "import time; print(time.time())" >> {output}\'\n'
    )
    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "--cores",
            "2",
            "--profile",
            str(ROOT / "config/profiles/workstation"),
            *extra,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr[-3000:]
    return sorted(tuple(map(float, (tmp_path / f"{n}.txt").read_text().split())) for n in "ab")


def test_workstation_profile_runs_one_gpu_job_at_a_time(tmp_path):
    (a0, a1), (b0, b1) = _gpu_job_intervals(tmp_path / "one")
    assert b0 >= a1, "two GPU jobs overlapped under the workstation profile"
    # control: with two GPUs offered the same jobs do run side by side
    (a0, a1), (b0, b1) = _gpu_job_intervals(tmp_path / "two", "--resources", "gpu=2")
    assert b0 < a1
