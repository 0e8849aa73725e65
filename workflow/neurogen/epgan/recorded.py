"""Recorded neurons: current-clamp and voltage-clamp recordings → EP-GAN inputs.

Tab-separated text is read here; ABF and NWB sweeps by :mod:`neurogen.epgan.recordings_io` (chosen
by suffix or ``format``), which hands back the same columns, so every check below applies to all.

File format (both kinds): tab-separated, one row per sample, first column time, then one column
per stimulus (current clamp: membrane potential in mV for each injected current; voltage clamp:
current in pA for each holding potential). An optional header row names the columns; numeric
column names are taken as the stimulus values (pA for current clamp, mV for voltage clamp).
Lines starting with ``#`` are comments.

Current clamp: traces are linearly resampled onto the protocol's recorded window (350 points,
4–11 s by default). Time must be in seconds (``time_unit="ms"`` for milliseconds) on the
protocol's clock (stimulus on at 5 s); the recording must cover the window.
Voltage clamp: the steady-state current of each level is the mean over the last
``ss_fraction`` of the trace; levels are matched to the protocol's 18 voltages, and missing
levels at the ends are filled by linear extrapolation (logged)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import NeurogenError
from .recordings_io import read_sweeps, resolve_format

log = logging.getLogger("neurogen")


@dataclass
class Recording:
    responses: np.ndarray  # [1, S, T] mV on the protocol window
    amplitudes_pA: np.ndarray  # [S]
    time_s: np.ndarray  # [T]


def _read_table(path):
    path = Path(path)
    if not path.is_file():
        raise NeurogenError(f"{path}: file not found")
    header = None
    rows = []
    raw = path.read_bytes()
    if b"\x00" in raw[:65536]:
        raise NeurogenError(
            f"{path}: a binary file, not a tab-separated text recording (time, then one "
            f"column per stimulus); export the traces as text"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        bad_line = raw[: e.start].count(b"\n") + 1
        raise NeurogenError(
            f"{path}, line {bad_line}: not UTF-8 text (byte 0x{raw[e.start]:02x}); re-save the file as UTF-8 text"
        ) from None
    if True:
        for ln, line in enumerate(text.splitlines(), 1):
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            cells = [c.strip() for c in line.rstrip("\n\r").split("\t")]
            if len(cells) < 2:
                raise NeurogenError(
                    f"{path}, line {ln}: expected tab-separated columns "
                    f"(time, then one column per stimulus), got {s[:60]!r}"
                )
            try:
                vals = [float(c) for c in cells]
            except ValueError:
                if header is None and not rows:
                    header = cells
                    continue
                bad = next(c for c in cells if not _isfloat(c))
                raise NeurogenError(f"{path}, line {ln}: non-numeric value {bad!r}") from None
            if rows and len(vals) != len(rows[0]):
                raise NeurogenError(f"{path}, line {ln}: {len(vals)} columns, expected {len(rows[0])}")
            rows.append(vals)
    if len(rows) < 2:
        raise NeurogenError(f"{path}: fewer than 2 data rows")
    a = np.asarray(rows, dtype=np.float64)
    if header is not None and len(header) != a.shape[1]:
        raise NeurogenError(f"{path}: header has {len(header)} columns, data has {a.shape[1]}")
    if not np.isfinite(a).all():
        r, c = np.argwhere(~np.isfinite(a))[0]
        raise NeurogenError(f"{path}: NaN/inf value in data row {r + 1}, column {c + 1}")
    return header, a


def _isfloat(c):
    try:
        float(c)
        return True
    except ValueError:
        return False


def _stim_values(path, header, n, given, what):
    if given is not None:
        given = np.asarray(given, dtype=np.float64)
        if len(given) != n:
            raise NeurogenError(f"{path}: {n} {what} columns but {len(given)} {what} values given")
        return given
    if header is None or not all(_isfloat(h) for h in header[1:]):
        raise NeurogenError(
            f"{path}: the {what} of each column is unknown: give a header row with "
            f"numeric column names (time, then one {what} per column) or pass them"
        )
    return np.asarray([float(h) for h in header[1:]])


def load_cclamp(
    path, amplitudes_pA=None, time_s=None, time_unit: str = "s", expected_amplitudes=None, format=None
) -> Recording:
    """Current-clamp traces resampled onto ``time_s`` (default: the protocol's 350-point window).

    ``expected_amplitudes``: the model's protocol; the file's amplitudes must be a subset of
    it (any number of steps works, as the encoder is recurrent). ``format``: text, abf or nwb
    (None: from the suffix, see :mod:`neurogen.epgan.recordings_io`)."""
    fmt = resolve_format(path, format)
    if time_s is None:
        time_s = np.linspace(4.0, 11.0, 350)
    time_s = np.asarray(time_s, dtype=np.float64)
    if fmt == "text":
        header, a = _read_table(path)
        t = a[:, 0] * {"s": 1.0, "ms": 1e-3}[_unit(time_unit)]
        if np.any(np.diff(t) <= 0):
            i = int(np.argmax(np.diff(t) <= 0))
            raise NeurogenError(f"{path}: time column is not strictly increasing (row {i + 2})")
        amps = _stim_values(path, header, a.shape[1] - 1, amplitudes_pA, "amplitude (pA)")
        return _cclamp(path, t, a, amps, time_s, time_unit, expected_amplitudes)
    _binary_time_unit(path, fmt, time_unit)
    sw = read_sweeps(path, "cclamp", fmt)
    a = np.column_stack([sw.time_s, sw.response])
    amps = (
        np.asarray(amplitudes_pA, dtype=np.float64)
        if amplitudes_pA is not None
        else _step_amplitudes(path, sw, expected_amplitudes)
    )
    try:
        return _cclamp(path, sw.time_s, a, amps, time_s, "s", expected_amplitudes)
    except NeurogenError as e:
        raise NeurogenError(f"{e} [{sw.source}]") from None


def _binary_time_unit(path, fmt, time_unit):
    if time_unit != "s":
        raise NeurogenError(
            f"{path}: time_unit {time_unit!r} applies to text recordings only; a {fmt} file carries "
            f"its own sampling rate: remove time_unit for this cell"
        )


def _step_amplitudes(path, sw, expected=None, on_s=5.0, off_s=10.0):
    """Injected current of each sweep: the median command over the middle 80 % of the
    protocol's step (5–10 s on the sweep's clock), snapped to the nearest protocol amplitude
    when within max(1 pA, 2 %)."""
    edge = 0.1 * (off_s - on_s)
    mid = (sw.time_s >= on_s + edge) & (sw.time_s <= off_s - edge)
    if not mid.any():
        raise NeurogenError(
            f"{path}: sweeps last {sw.time_s[-1]:g} s and do not reach the step (on at {on_s:g} s on the "
            f"sweep's clock, which starts at its first sample): the recording must cover 4–11 s (a "
            f"voltage-clamp recording listed under cclamp?)"
        )
    amps = np.median(sw.command[mid], axis=0)
    if expected is not None:
        exp = np.asarray(expected, dtype=np.float64)
        for j, x in enumerate(amps):
            k = int(np.argmin(np.abs(exp - x)))
            if abs(exp[k] - x) <= max(1.0, 0.02 * abs(exp[k])):
                amps[j] = exp[k]
    return amps


def _cclamp(path, t, a, amps, time_s, time_unit, expected_amplitudes):
    _no_duplicates(path, amps, "amplitude", "pA")
    tol = 0.5 * float(np.median(np.diff(time_s)))
    unit = f"time_unit '{time_unit}'"
    if time_unit == "s" and t[-1] > 20 * time_s[-1]:
        raise NeurogenError(
            f"{path}: time column runs to {t[-1]:g} s (sampling interval {np.median(np.diff(t)):g} s) "
            f"but the protocol lasts ~{time_s[-1]:g} s: the time looks like milliseconds; set "
            f"time_unit: ms for this cell (or convert the column to seconds)"
        )
    if t[0] > time_s[0] + tol or t[-1] < time_s[-1] - tol:
        hint = (
            " the time looks like seconds: remove time_unit: ms"
            if time_unit == "ms" and a[-1, 0] >= time_s[-1] - tol
            else " time in seconds, or set time_unit: ms"
        )
        raise NeurogenError(
            f"{path}: recording spans {t[0]:g}–{t[-1]:g} s but the protocol window is "
            f"{time_s[0]:g}–{time_s[-1]:g} s (stimulus on at 5 s; read with {unit});{hint}"
        )
    if expected_amplitudes is not None:
        exp = np.asarray(expected_amplitudes, dtype=np.float64)
        unknown = [x for x in amps if not np.any(np.isclose(exp, x))]
        if unknown:
            raise NeurogenError(f"{path}: amplitude(s) {unknown} pA are not in the model's protocol ({exp.tolist()})")
    order = np.argsort(amps)
    v = np.stack([np.interp(time_s, t, a[:, 1 + j]) for j in order])
    vmax = float(np.abs(a[:, 1:]).max())
    if vmax > 500:
        raise NeurogenError(
            f"{path}: |V| up to {vmax:.0f}: expected membrane potential in mV (microvolts? divide by 1000)"
        )
    if vmax < 1.0:
        raise NeurogenError(
            f"{path}: every membrane potential is within ±1 (|V| <= {vmax:.3g}): the "
            f"traces look like volts; give them in mV (multiply by 1000)"
        )
    stim = np.asarray(amps[order]) != 0
    on = (time_s >= 5.0) & (time_s <= 10.0)
    if stim.any() and on.any():
        # a current step must move the membrane: flat traces mean the window missed the steps
        # (wrong time unit or clock) or the columns are not the injected steps
        resp = (
            np.abs(v[stim][:, on] - v[stim][:, ~on].mean(axis=1, keepdims=True)).max()
            if (~on).any()
            else np.ptp(v[stim])
        )
        if resp < 0.5:
            raise NeurogenError(
                f"{path}: no response to the current steps (largest change {resp:.3g} mV during "
                f"5–10 s): check the time unit ({unit}; the step is on at 5 s on the protocol's "
                f"clock) and that the columns are membrane potentials in mV"
            )
    return Recording(v[None].astype(np.float32), amps[order], time_s)


def _no_duplicates(path, values, what, unit):
    vals = np.asarray(values, dtype=np.float64)
    dup = sorted({float(x) for x in vals if np.isclose(vals, x).sum() > 1})
    if dup:
        cols = [int(j) + 2 for j in np.flatnonzero(np.isin(vals, dup))]
        raise NeurogenError(
            f"{path}: {what}(s) {dup} {unit} appear in more than one column (columns "
            f"{cols}); keep one column per {what}"
        )


def load_vclamp(
    path, levels_mV=None, protocol_levels_mV=None, ss_fraction: float = 0.1, time_unit: str = "s", format=None
):
    """Steady-state I–V [1, K] pA on ``protocol_levels_mV`` (default −120 … 50 mV, 18 levels)
    from voltage-clamp traces (text: time column + one current column per holding level; abf,
    nwb: one sweep per level, the level being the command's median over the same last
    ``ss_fraction`` of the sweep whose mean current is the steady state)."""
    fmt = resolve_format(path, format)
    if not 0 < ss_fraction <= 1:
        raise NeurogenError(f"ss_fraction must be in (0, 1], got {ss_fraction}")
    if fmt == "text":
        header, a = _read_table(path)
        t = a[:, 0] * {"s": 1.0, "ms": 1e-3}[_unit(time_unit)]
        if np.any(np.diff(t) <= 0):
            raise NeurogenError(f"{path}: time column is not strictly increasing")
        levels = _stim_values(path, header, a.shape[1] - 1, levels_mV, "holding potential (mV)")
        return _vclamp(path, t, a, levels, protocol_levels_mV, ss_fraction)
    _binary_time_unit(path, fmt, time_unit)
    sw = _until_step_end(path, read_sweeps(path, "vclamp", fmt))
    n_ss = max(1, int(round(len(sw.time_s) * ss_fraction)))
    levels = np.asarray(levels_mV, dtype=np.float64) if levels_mV is not None else np.median(sw.command[-n_ss:], axis=0)
    try:
        return _vclamp(
            path, sw.time_s, np.column_stack([sw.time_s, sw.response]), levels, protocol_levels_mV, ss_fraction
        )
    except NeurogenError as e:
        raise NeurogenError(f"{e} [{sw.source}]") from None


def _until_step_end(path, sw, tol_mV=0.5):
    """Voltage-clamp sweeps that return to a common holding potential after the step are cut at
    the step's end (the last sample where the sweeps' commands still differ by > ``tol_mV``),
    so the steady state is taken at the end of the step, as for text files that stop there."""
    varying = np.ptp(sw.command, axis=1) > tol_mV
    if sw.command.shape[1] < 2 or not varying.any() or varying[-1]:
        return sw
    end = int(np.flatnonzero(varying)[-1]) + 1
    log.info(
        "%s: sweeps return to %.3g mV after the step; steady state taken before %.4g s (the step's end)",
        path,
        float(np.median(sw.command[-1])),
        sw.time_s[end - 1],
    )
    return type(sw)(sw.time_s[:end], sw.response[:end], sw.command[:end], sw.source)


def _vclamp(path, t, a, levels, protocol_levels_mV, ss_fraction):
    _no_duplicates(path, levels, "holding potential", "mV")
    if len(levels) >= 2 and np.abs(levels).max() <= 1.0:
        raise NeurogenError(
            f"{path}: holding potentials {np.asarray(levels).tolist()} are all within ±1: "
            f"they look like volts; give them in mV (e.g. -120 … 50)"
        )
    imax = float(np.abs(a[:, 1:]).max())
    if 0 < imax < 1e-6:
        raise NeurogenError(
            f"{path}: every current is below 1e-6 in size (max {imax:.3g}): the "
            f"currents look like amperes; give them in pA (multiply by 1e12)"
        )
    n_ss = max(1, int(round(len(t) * ss_fraction)))
    ss = a[-n_ss:, 1:].mean(0)
    return resample_iv(levels, ss, protocol_levels_mV, where=str(path))


def resample_iv(levels, currents, protocol_levels_mV=None, where="I–V"):
    """Currents at ``levels`` onto the protocol levels: linear interpolation inside, linear
    extrapolation from the two nearest measured levels outside (logged)."""
    if protocol_levels_mV is None:
        protocol_levels_mV = np.arange(-120.0, 51.0, 10.0)
    lv = np.asarray(levels, dtype=np.float64)
    cur = np.asarray(currents, dtype=np.float64)
    order = np.argsort(lv)
    lv, cur = lv[order], cur[order]
    if len(lv) < 2:
        raise NeurogenError(f"{where}: need at least 2 voltage levels, got {len(lv)}")
    if np.any(np.diff(lv) <= 0):
        raise NeurogenError(f"{where}: repeated holding potential")
    pv = np.asarray(protocol_levels_mV, dtype=np.float64)
    out = np.interp(pv, lv, cur)
    lo, hi = pv < lv[0], pv > lv[-1]
    if lo.any():
        s = (cur[1] - cur[0]) / (lv[1] - lv[0])
        out[lo] = cur[0] + s * (pv[lo] - lv[0])
    if hi.any():
        s = (cur[-1] - cur[-2]) / (lv[-1] - lv[-2])
        out[hi] = cur[-1] + s * (pv[hi] - lv[-1])
    if lo.any() or hi.any():
        log.info(
            "%s: %d protocol level(s) outside the recorded %g…%g mV extrapolated linearly",
            where,
            int(lo.sum() + hi.sum()),
            lv[0],
            lv[-1],
        )
    return out[None]


def _unit(u):
    if u not in ("s", "ms"):
        raise NeurogenError(f"time_unit must be 's' or 'ms', not {u!r}")
    return u


def stimulus_traces(amplitudes_pA, time_s, on_s=5.0, off_s=10.0):
    """Current-clamp stimulus [S, T] pA in the window: amplitude during [on, off], else 0."""
    t = np.asarray(time_s, dtype=np.float64)
    on = ((t >= on_s) & (t <= off_s)).astype(np.float32)
    return np.asarray(amplitudes_pA, dtype=np.float32)[:, None] * on[None, :]
