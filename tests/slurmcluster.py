"""A throwaway single-node SLURM cluster on this machine (for tests/test_slurm.py).

Needs root and the Debian packages slurm-wlm and munge (`.ci/run` installs them). Everything
the daemons write lives in one temporary directory; the ports are free ones picked at start.
Two partitions, named as in config/profiles/slurm: the default one ("main") and "gpu", on the
same node, which declares one GPU (a gres bound to /dev/null: SLURM allocates it and sets
CUDA_VISIBLE_DEVICES, though no CUDA device exists). slurmd runs "configless" (it fetches the
config from slurmctld and links it at /run/slurm/conf), so commands run inside jobs find the
config even though the executor plugin strips SLURM_CONF from a job's environment.

Facts behind this: ../shared/notes/slurm-on-one-machine.md.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

BINARIES = [
    "slurmctld",
    "slurmd",
    "munged",
    "munge",
    "unmunge",
    "sbatch",
    "squeue",
    "sinfo",
    "sacct",
    "scancel",
    "srun",
]
RUN_CONF = Path("/run/slurm/conf")


class Unavailable(Exception):
    """SLURM cannot be brought up here (the reason says why)."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _process_running(name: str) -> bool:
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() == name:
                return True
        except OSError:
            continue
    return False


def _run(cmd, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=30, **kw)


class Cluster:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.conf = self.root / "slurm.conf"
        self.jobcomp = self.root / "log" / "jobcomp.log"
        self.procs: dict[str, subprocess.Popen] = {}
        self.env = dict(os.environ, SLURM_CONF=str(self.conf))
        self._linked_run_conf = False

    # -- bring up ---------------------------------------------------------------------------
    def check_prerequisites(self) -> None:
        if os.name != "posix" or os.geteuid() != 0:
            raise Unavailable("not root: slurmd and munged need root")
        missing = [b for b in BINARIES if shutil.which(b) is None]
        if missing:
            raise Unavailable(f"SLURM/munge not installed (missing {missing}); apt-get install slurm-wlm munge")
        if Path("/etc/slurm/slurm.conf").exists():
            raise Unavailable(
                "/etc/slurm/slurm.conf exists: this machine has its own SLURM "
                "config; not starting a test cluster beside it"
            )
        if RUN_CONF.is_symlink() and (not RUN_CONF.exists() or not _process_running("slurmd")):
            RUN_CONF.unlink()  # left by a killed test run: no slurmd
        if RUN_CONF.exists():
            raise Unavailable(f"{RUN_CONF} exists: a configless slurmd already runs here")
        if not Path("/etc/munge/munge.key").exists():
            raise Unavailable("no /etc/munge/munge.key (the munge package creates it)")
        try:
            import snakemake_executor_plugin_slurm  # noqa: F401
        except ImportError:
            raise Unavailable("snakemake-executor-plugin-slurm is not installed (pip install -e '.[test]')") from None
        self.host = socket.gethostname().split(".")[0]
        try:
            socket.gethostbyname(self.host)
        except OSError:
            raise Unavailable(f"hostname {self.host!r} does not resolve") from None

    def start(self) -> None:
        self.check_prerequisites()
        for d in ("state", "spool", "log"):
            (self.root / d).mkdir(parents=True, exist_ok=True)
        self._start_munge()
        node = (_run(["slurmd", "-C"]).stdout.splitlines() or [""])[0].strip()
        if not node.startswith("NodeName="):
            raise Unavailable(f"slurmd -C printed no node line: {node!r}")
        self.cpus = int(re.search(r"\bCPUs=(\d+)", node).group(1))  # the one node's CPUs
        self.ctld_port, self.d_port = _free_port(), _free_port()
        r = self.root
        self.conf.write_text(f"""\
ClusterName=neurogentest
SlurmctldHost={self.host}
SlurmctldPort={self.ctld_port}
SlurmdPort={self.d_port}
SlurmctldParameters=enable_configless
AuthType=auth/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation={r}/state
SlurmdSpoolDir={r}/spool
SlurmctldPidFile={r}/slurmctld.pid
SlurmdPidFile={r}/slurmd.pid
SlurmctldLogFile={r}/log/slurmctld.log
SlurmdLogFile={r}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MpiDefault=none
MailProg=/bin/true
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc={self.jobcomp}
GresTypes=gpu
{node} Gres=gpu:1
PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP DefMemPerCPU=500
PartitionName=gpu Nodes=ALL MaxTime=INFINITE State=UP DefMemPerCPU=500
""")
        (self.root / "gres.conf").write_text(f"NodeName={self.host} Name=gpu Count=1 File=/dev/null\n")
        self.procs["slurmctld"] = subprocess.Popen(
            ["slurmctld", "-D", "-i"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(r / "log" / "slurmctld.out", "w"),
        )
        time.sleep(1.0)
        env_d = {k: v for k, v in os.environ.items() if k != "SLURM_CONF"}
        self.procs["slurmd"] = subprocess.Popen(
            ["slurmd", "-D", "--conf-server", f"{self.host}:{self.ctld_port}"],
            env=env_d,
            stdout=subprocess.DEVNULL,
            stderr=open(r / "log" / "slurmd.out", "w"),
        )
        self._linked_run_conf = True
        self.wait_idle(timeout=40)

    def _start_munge(self) -> None:
        if _run("munge -n | unmunge", shell=True).returncode == 0:
            return  # a munged is already running: use it
        subprocess.run(["install", "-d", "-o", "munge", "-g", "munge", "-m", "0755", "/run/munge"], check=True)
        self.procs["munged"] = subprocess.Popen(
            ["/usr/sbin/munged", "--foreground"],
            user="munge",
            group="munge",
            stdout=subprocess.DEVNULL,
            stderr=open(self.root / "log" / "munged.out", "w"),
        )
        for _ in range(50):
            if _run("munge -n | unmunge", shell=True).returncode == 0:
                return
            time.sleep(0.2)
        raise Unavailable("munged did not start: " + self._tail("munged.out"))

    def wait_idle(self, timeout: float) -> None:
        t0 = time.time()
        while time.time() - t0 < timeout:
            for name, p in self.procs.items():
                if p.poll() is not None:
                    raise Unavailable(
                        f"{name} exited ({p.returncode}): " + self._tail(f"{name}.log") + self._tail(f"{name}.out")
                    )
            st = _run(["sinfo", "-h", "-N", "-o", "%t"], env=self.env).stdout.split()
            if st and all(s == "idle" for s in st):
                return
            time.sleep(0.5)
        raise Unavailable(
            f"node not idle after {timeout:.0f} s (sinfo: {st}): "
            + self._tail("slurmctld.log")
            + self._tail("slurmd.log")
        )

    def _tail(self, name, n=8) -> str:
        p = self.root / "log" / name
        return "\n".join(p.read_text(errors="replace").splitlines()[-n:]) if p.exists() else ""

    # -- use ---------------------------------------------------------------------------------
    def sacct(self) -> list[dict]:
        """Finished jobs from the job-completion file (sacct -c: no slurmdbd needed)."""
        out = _run(["sacct", "-c", "-P", "--format=JobID,JobName,Partition,State,ExitCode,NodeList"], env=self.env)
        lines = out.stdout.strip().splitlines()
        if not lines:
            return []
        head = lines[0].split("|")
        return [dict(zip(head, line.split("|"))) for line in lines[1:]]

    # -- tear down ---------------------------------------------------------------------------
    def stop(self) -> None:
        if "slurmctld" in self.procs:
            _run(["scancel", "--user", "root"], env=self.env)
        for name in ("slurmd", "slurmctld", "munged"):
            p = self.procs.get(name)
            if p is None or p.poll() is not None:
                continue
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=5)
        if self._linked_run_conf and RUN_CONF.is_symlink() and str(os.readlink(RUN_CONF)).startswith(str(self.root)):
            RUN_CONF.unlink()
