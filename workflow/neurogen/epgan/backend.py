"""The HH model as EP-GAN sees it: :class:`neurogen.hh.adapter.HHAdapter`, the one adapter the
epgan and fit stages share (kept importable here as ``HHBackend``)."""

from __future__ import annotations

from ..hh.adapter import HHAdapter as HHBackend

__all__ = ["HHBackend"]
