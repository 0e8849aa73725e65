"""Patch-clamp sweeps from ABF (pyabf) and NWB (pynwb) files, in the form the text reader parses.

``read_sweeps(path, kind, fmt)`` returns :class:`Sweeps`: one time axis (s, each sweep's own
clock: its first sample is t = 0), the responses ``[T, S]`` (current clamp: membrane potential in
mV; voltage clamp: current in pA) and each sweep's command waveform ``[T, S]`` (current clamp: pA;
voltage clamp: mV). :mod:`neurogen.epgan.recorded` turns the command into one stimulus value per
sweep and runs the same checks as for text files, so everything downstream is unchanged.

Units come from the files' own metadata:

- ABF: the unit of each ADC channel (``sweepUnitsY``; time from the sample rate, ``sweepUnitsX``
  seconds). The response is the first channel in a voltage unit (current clamp) or a current unit
  (voltage clamp); the command is the first channel in the other unit (the amplifier's command or
  monitor output, recorded), else the protocol's epoch-table waveform (``sweepC``) when it steps.
- NWB: ``CurrentClampSeries`` / ``VoltageClampSeries`` in ``acquisition`` (data × ``conversion`` +
  ``offset`` in volts / amperes; time from ``rate`` or ``timestamps``), each paired with its
  stimulus series (``CurrentClampStimulusSeries`` / ``VoltageClampStimulusSeries``) through the
  intracellular-recordings table or, without one, by ``sweep_number``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import NeurogenError

FORMATS = ("text", "abf", "nwb")

# unit strings as acquisition software writes them → factor to mV or pA
_VOLT = {"v": 1e3, "volt": 1e3, "volts": 1e3, "mv": 1.0, "uv": 1e-3, "µv": 1e-3, "μv": 1e-3}
_AMP = {
    "a": 1e12,
    "amp": 1e12,
    "amps": 1e12,
    "ampere": 1e12,
    "amperes": 1e12,
    "ma": 1e9,
    "ua": 1e6,
    "µa": 1e6,
    "μa": 1e6,
    "na": 1e3,
    "pa": 1.0,
    "fa": 1e-3,
}
_WHAT = {"cclamp": ("membrane potential", "mV", _VOLT), "vclamp": ("current", "pA", _AMP)}
_CMD = {"cclamp": ("injected current", "pA", _AMP), "vclamp": ("holding potential", "mV", _VOLT)}


@dataclass
class Sweeps:
    time_s: np.ndarray  # [T] s, the sweep's own clock (first sample at 0)
    response: np.ndarray  # [T, S] mV (cclamp) or pA (vclamp)
    command: np.ndarray  # [T, S] pA (cclamp) or mV (vclamp)
    source: str  # where the units came from, for error messages


def resolve_format(path, fmt=None) -> str:
    """``fmt`` if given (text, abf, nwb), else from the suffix: .abf, .nwb, anything else text."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise NeurogenError(f"{path}: format {fmt!r} is not one of {list(FORMATS)}")
        return fmt
    suffix = Path(path).suffix.lower()
    return {".abf": "abf", ".nwb": "nwb"}.get(suffix, "text")


def _unit_kind(u):
    u = (u or "").strip().lower()
    if u in _VOLT:
        return "V"
    if u in _AMP:
        return "A"
    return None


def read_sweeps(path, kind: str, fmt: str) -> Sweeps:
    """Sweeps of a current-clamp (``kind="cclamp"``) or voltage-clamp (``"vclamp"``) recording."""
    if kind not in _WHAT:
        raise ValueError(kind)
    path = Path(path)
    if not path.is_file():
        raise NeurogenError(f"{path}: file not found")
    if fmt == "abf":
        return _read_abf(path, kind)
    if fmt == "nwb":
        return _read_nwb(path, kind)
    raise ValueError(fmt)


def _wrong_kind(path, kind, found):
    other = "vclamp" if kind == "cclamp" else "cclamp"
    what = "voltage-clamp" if kind == "cclamp" else "current-clamp"
    return NeurogenError(
        f"{path}: given as {kind} but it records {found}, not {_WHAT[kind][0]}: it looks like a "
        f"{what} recording; list it under {other} for this cell"
    )


# ---------------------------------------------------------------- ABF
def _read_abf(path, kind):
    import pyabf

    try:
        abf = pyabf.ABF(str(path))
    except Exception as e:  # pyabf raises assorted errors on foreign files
        raise NeurogenError(f"{path}: not a readable ABF file ({type(e).__name__}: {e})") from None
    units = [str(u).strip() for u in abf.adcUnits]
    want = "V" if kind == "cclamp" else "A"
    cmd_kind = "A" if kind == "cclamp" else "V"
    kinds = [_unit_kind(u) for u in units]
    if want not in kinds:
        unknown = [f"channel {i} {u!r}" for i, (u, k) in enumerate(zip(units, kinds)) if k is None]
        if unknown:
            raise NeurogenError(
                f"{path}: unknown unit(s) {', '.join(unknown)} (ABF channel units); expected "
                f"{_WHAT[kind][0]} in one of {sorted(_WHAT[kind][2])}"
            )
        raise _wrong_kind(path, kind, f"{_WHAT['vclamp' if kind == 'cclamp' else 'cclamp'][0]} ({', '.join(units)})")
    ch = kinds.index(want)
    cmd_ch = kinds.index(cmd_kind) if cmd_kind in kinds else None
    _check_protocol_kind(path, abf, kind, ch)
    ys, cs = [], []
    for s in abf.sweepList:
        abf.setSweep(s, channel=ch)
        t = np.asarray(abf.sweepX, dtype=np.float64)
        y = np.asarray(abf.sweepY, dtype=np.float64) * _WHAT[kind][2][units[ch].lower()]
        if cmd_ch is not None:
            abf.setSweep(s, channel=cmd_ch)
            c = np.asarray(abf.sweepY, dtype=np.float64) * _CMD[kind][2][units[cmd_ch].lower()]
            csrc = f"channel {cmd_ch} ({units[cmd_ch]})"
        else:
            cu = str(abf.sweepUnitsC or "").strip()
            c = np.asarray(abf.sweepC, dtype=np.float64)
            if _unit_kind(cu) != cmd_kind or len(c) != len(y):
                c = None
            else:
                c = c * _CMD[kind][2][cu.lower()]
                csrc = f"epoch-table command ({cu})"
        if c is None:
            raise NeurogenError(
                f"{path}: no stimulus: no channel records the {_CMD[kind][0]} (channel units "
                f"{units}) and the protocol has no command waveform in {_CMD[kind][1]}; record the "
                f"command (or the amplifier's monitor output) as a second channel, or export text"
            )
        ys.append(y)
        cs.append(c)
    if len(cs) > 1 and np.ptp(np.stack(cs)) == 0:
        raise NeurogenError(
            f"{path}: no stimulus: the command ({csrc}) is the same constant in every sweep; "
            f"record the {_CMD[kind][0]} as a channel"
        )
    src = f"ABF units: response channel {ch} {units[ch]!r}, command {csrc}"
    return Sweeps(t, np.stack(ys, 1), np.stack(cs, 1), src)


def _check_protocol_kind(path, abf, kind, ch):
    """A protocol that steps its command (DAC) in the other clamp's unit (mV in a file listed as
    current clamp, pA as voltage clamp) is the other kind of recording: a file with both a
    voltage and a current channel cannot tell by its channels alone."""
    abf.setSweep(abf.sweepList[-1], channel=ch)
    du = str(abf.sweepUnitsC or "").strip()
    k = _unit_kind(du)
    if k is None or k == ("A" if kind == "cclamp" else "V"):
        return
    try:
        c = np.asarray(abf.sweepC, dtype=np.float64)
    except Exception:  # no usable epoch table
        return
    if c.size and np.ptp(c) > 0:
        raise _wrong_kind(path, kind, f"a protocol stepping its command in {du!r} (DAC)")


# ---------------------------------------------------------------- NWB
def _series_time(s):
    if s.timestamps is not None:
        t = np.asarray(s.timestamps, dtype=np.float64)
        return t - t[0]
    n = len(s.data)
    return np.arange(n, dtype=np.float64) / float(s.rate)


def _in_unit(path, s, factors, what):
    u = str(s.unit).strip()
    if u.lower() not in factors:
        raise NeurogenError(f"{path}: series {s.name!r} has unit {u!r}; expected {what} in one of {sorted(factors)}")
    return np.asarray(s.get_data_in_units(), dtype=np.float64).reshape(len(s.data)) * factors[u.lower()]


def _read_nwb(path, kind):
    import pynwb
    from pynwb.icephys import (
        CurrentClampSeries,
        CurrentClampStimulusSeries,
        VoltageClampSeries,
        VoltageClampStimulusSeries,
    )

    resp_t = CurrentClampSeries if kind == "cclamp" else VoltageClampSeries
    other_t = VoltageClampSeries if kind == "cclamp" else CurrentClampSeries
    stim_t = CurrentClampStimulusSeries if kind == "cclamp" else VoltageClampStimulusSeries
    try:
        io = pynwb.NWBHDF5IO(str(path), "r")
        nwb = io.read()
    except Exception as e:
        raise NeurogenError(f"{path}: not a readable NWB file ({type(e).__name__}: {e})") from None
    try:
        acq = [s for s in nwb.acquisition.values() if isinstance(s, resp_t)]
        if not acq:
            others = [s.name for s in nwb.acquisition.values() if isinstance(s, other_t)]
            if others:
                raise _wrong_kind(path, kind, f"{other_t.__name__} series {others}")
            raise NeurogenError(f"{path}: no {resp_t.__name__} in the file's acquisition group")
        pairs = {}
        table = nwb.intracellular_recordings
        if table is not None and len(table) > 0:
            df = table.to_dataframe()
            for _, row in df.iterrows():
                r = row[("responses", "response")]
                st = row[("stimuli", "stimulus")]
                if r is not None and st is not None:
                    pairs[id(r.timeseries)] = st.timeseries
        stims = [s for s in nwb.stimulus.values() if isinstance(s, stim_t)]
        ys, cs, ts = [], [], []
        for s in sorted(acq, key=lambda s: (s.sweep_number if s.sweep_number is not None else 0, s.name)):
            st = pairs.get(id(s))
            if st is None and s.sweep_number is not None:
                st = next((x for x in stims if x.sweep_number == s.sweep_number), None)
            if st is None:
                raise NeurogenError(
                    f"{path}: no stimulus for series {s.name!r}: pair it with a {stim_t.__name__} in the "
                    f"intracellular-recordings table or give both the same sweep_number"
                )
            y = _in_unit(path, s, _WHAT[kind][2], _WHAT[kind][0])
            c = _in_unit(path, st, _CMD[kind][2], _CMD[kind][0])
            t = _series_time(s)
            if len(c) != len(y):
                raise NeurogenError(
                    f"{path}: stimulus {st.name!r} has {len(c)} samples, its response {s.name!r} {len(y)}"
                )
            ys.append(y)
            cs.append(c)
            ts.append(t)
        if any(len(t) != len(ts[0]) or not np.allclose(t, ts[0]) for t in ts):
            raise NeurogenError(
                f"{path}: the {resp_t.__name__} sweeps differ in length or sampling; give sweeps of one protocol"
            )
        src = f"NWB units: {acq[0].unit!r} × conversion {acq[0].conversion:g}"
        return Sweeps(ts[0], np.stack(ys, 1), np.stack(cs, 1), src)
    finally:
        io.close()
