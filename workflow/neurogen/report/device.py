"""What a job sees of its machine: the device the deep models would use, GPUs, SLURM allocation.

Run on a GPU node (rule ``device_check``, tagged like the deep-model rules) it answers, before
hours of training are queued, whether PyTorch sees the GPU that SLURM allocated.
"""

from __future__ import annotations

import os
import platform
import socket

from .. import NeurogenError

#: environment variables that say which GPUs and which SLURM allocation a job got
_ENV = [
    "CUDA_VISIBLE_DEVICES",
    "SLURM_JOB_ID",
    "SLURM_JOB_PARTITION",
    "SLURM_GPUS",
    "SLURM_JOB_GPUS",
    "SLURM_GPUS_ON_NODE",
    "SLURM_CPUS_PER_TASK",
    "SLURM_CPUS_PER_GPU",
]

#: distributions whose versions are recorded (those installed in the job's environment)
_PACKAGES = [
    "numpy",
    "pandas",
    "scipy",
    "scikit-learn",
    "torch",
    "imbalanced-learn",
    "pyro-ppl",
    "brian2",
    "pymoo",
    "pymoode",
    "sbi",
    "matplotlib",
    "h5py",
    "snakemake",
]


def package_versions(names=_PACKAGES) -> dict:
    """Installed versions (read from package metadata, nothing imported)."""
    from importlib import metadata

    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def device_info(preference: str = "auto", gpus_requested: int = 0) -> dict:
    """A JSON-able record of the job's device. Raises if a GPU is required but not visible.

    ``preference`` is the config's ``device`` (auto | cpu | cuda); ``gpus_requested`` the job's
    ``resources.gpu``. With ``device: cuda`` and no CUDA device visible this is an error; with
    ``auto`` and GPUs requested but none visible the record carries a warning (the deep models
    would run on the CPU).
    """
    import torch

    from ..torchutil import pick_device

    cuda = torch.cuda.is_available()
    n = torch.cuda.device_count() if cuda else 0
    info = {
        "hostname": socket.gethostname(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torch_cuda_build": torch.version.cuda,
        "cuda_available": bool(cuda),
        "cuda_device_count": int(n),
        "cuda_devices": [torch.cuda.get_device_name(i) for i in range(n)],
        "device_preference": preference,
        "gpus_requested": int(gpus_requested),
        "environment": {k: os.environ[k] for k in _ENV if k in os.environ},
        "packages": package_versions(),
        "warnings": [],
    }
    if preference == "cuda" and not cuda:
        raise NeurogenError(
            "device: cuda, but PyTorch sees no CUDA GPU in this job "
            f"(CUDA_VISIBLE_DEVICES={os.environ.get('CUDA_VISIBLE_DEVICES')!r}, torch "
            f"{torch.__version__} built for CUDA {torch.version.cuda}). Check that the job ran on "
            "a GPU partition with a GPU allocated, and that a CUDA build of torch is installed."
        )
    if gpus_requested and not cuda:
        info["warnings"].append(
            f"{gpus_requested} GPU(s) requested (gpus_per_job) but PyTorch sees no CUDA device "
            f"(CUDA_VISIBLE_DEVICES={os.environ.get('CUDA_VISIBLE_DEVICES')!r}, torch built for CUDA "
            f"{torch.version.cuda}): the deep models would run on the CPU"
        )
    info["device_used"] = str(pick_device(preference))
    return info
