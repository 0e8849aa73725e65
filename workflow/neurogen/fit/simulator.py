"""The batched simulator a fitting problem calls.

A simulator exposes ``names`` (its free parameters), ``lo``/``hi`` (their sampling ranges, physical
units), ``time_s`` [T], ``amplitudes_pA`` [S], ``v_mV`` [K] and ``simulate_with_iv(params [N,F]) ->
(responses [N,S,T] mV, iv [N,K] pA)`` (numpy, float64; a stand-in may name it ``simulate``).
The HH model is :class:`neurogen.hh.adapter.HHAdapter`, the adapter the epgan stage uses too;
the tests also use a small analytic stand-in.
"""

from __future__ import annotations

from ..hh.adapter import HHAdapter


def HHSimulator(
    model: str = "small",
    table: str | None = None,
    amplitudes_pA=None,
    v_mV=None,
    time_s=None,
    dt_ms: float | None = None,
    device: str = "cpu",
    chunk: int = 256,
    dtype: str = "float32",
    protocol: dict | None = None,
    log=None,
) -> HHAdapter:
    """The HH model (``neurogen.hh``) over the small (47) or large (175) free-parameter set, for
    fitting: populations simulated in chunks of ``chunk`` neurons (all sweeps at once) on
    ``device`` at step ``dt_ms`` (the hh stage's ``hh.dt_ms``)."""
    return HHAdapter.load(
        model,
        table,
        dt_ms=dt_ms,
        protocol=protocol,
        amplitudes_pA=amplitudes_pA,
        v_mV=v_mV,
        time_s=time_s,
        device=device,
        chunk=chunk,
        dtype=dtype,
        log=log,
    )
