"""The fit stage's errors: the shared definitions of :mod:`neurogen.hh.metrics` (the epgan
stage scores with the same functions), with the fitting problem's [N, 4] array form."""

from __future__ import annotations

from ..hh.metrics import WINDOWS, iv_rmse, objectives, window_masks
from ..hh.metrics import response_rmse_array as response_rmse

__all__ = ["WINDOWS", "iv_rmse", "objectives", "response_rmse", "window_masks"]
