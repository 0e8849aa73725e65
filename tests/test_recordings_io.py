"""ABF and NWB recordings: the same traces and stimulus values as the text route, clear errors.

The tests write their own small files from a simulated neuron (small model, default parameters):
ABF1 with a response and a recorded command channel (the layout pyabf's writeABF1 uses, with two
channels), and NWB with paired response/stimulus series."""

import struct
from datetime import datetime, timezone

import numpy as np
import pytest
import torch

from neurogen import NeurogenError
from neurogen.epgan.recorded import load_cclamp, load_vclamp

AMPS = [-10.0, 0.0, 10.0, 20.0]
LEVELS = np.arange(-100.0, 41.0, 20.0)
RATE_CC = 100.0  # Hz, 12 s sweeps
T_CC = np.arange(0, 12.0, 1 / RATE_CC)
TIME = np.linspace(4.0, 11.0, 350)


@pytest.fixture(scope="module")
def neuron():
    """Current-clamp responses [S, T] mV and voltage-clamp currents [K, T] pA (+ commands)."""
    from neurogen.hh.model import Model, load_space, simulate, voltage_clamp

    torch.manual_seed(0)
    sp = load_space("small")
    model = Model(sp)
    p = torch.as_tensor(sp.default[None], dtype=torch.float64)
    v = simulate(
        p,
        AMPS,
        t_total_ms=12000.0,
        step_ms=(5000.0, 10000.0),
        record_ms=T_CC * 1e3,
        dt_ms=1.0,
        model=model,
    )[0].numpy()
    cc_cmd = np.array([[a if 5.0 <= t < 10.0 else 0.0 for t in T_CC] for a in AMPS])
    t_vc_ms = np.arange(0, 300.0, 1.0)
    r = voltage_clamp(
        p, LEVELS, hold_mV=-60.0, t_on_ms=100.0, t_step_ms=200.0, dt_ms=0.1, record_ms=t_vc_ms, model=model
    )
    i = r["I"][0].numpy()
    vc_cmd = np.array([[-60.0 if t < 100.0 else lv for t in t_vc_ms] for lv in LEVELS])
    return {"v": v, "cc_cmd": cc_cmd, "i": i, "vc_cmd": vc_cmd, "t_vc": t_vc_ms / 1e3}


# ---------------------------------------------------------------- writers
def write_abf1(path, channels, units, rate_hz):
    """ABF1 (episodic, int16) with one ADC channel per entry of ``channels`` ([S, T] each),
    interleaved as Clampex writes them; the header layout is pyabf.abfWriter.writeABF1's."""
    n_ch = len(channels)
    S, T = channels[0].shape
    n_points = S * T * n_ch
    data = bytearray(4 * 512 + n_points * 2 + 512)
    struct.pack_into("4s", data, 0, b"ABF ")
    struct.pack_into("f", data, 4, 1.3)
    struct.pack_into("h", data, 8, 5)  # episodic
    struct.pack_into("i", data, 10, n_points)
    struct.pack_into("i", data, 16, S)
    struct.pack_into("i", data, 40, 4)  # data section at block 4
    struct.pack_into("h", data, 100, 0)  # int16
    struct.pack_into("h", data, 120, n_ch)
    struct.pack_into("f", data, 122, 1e6 / rate_hz / n_ch)  # interval between samples of any channel
    struct.pack_into("i", data, 138, T * n_ch)
    struct.pack_into("i", data, 252, 2**15)
    struct.pack_into("f", data, 244, 10.0)
    scaled = []
    for c, (x, u) in enumerate(zip(channels, units)):
        scale = 10.0 ** np.floor(np.log10(32000 / (np.abs(x).max() + 1e-12) * 10 / 2**15))  # fInstrumentScaleFactor
        struct.pack_into("h", data, 410 + 2 * c, c)  # nADCSamplingSeq
        struct.pack_into("h", data, 378 + 2 * c, c)  # nADCPtoLChannelMap
        struct.pack_into("f", data, 922 + c * 4, scale)
        struct.pack_into("f", data, 1050 + c * 4, 1.0)
        struct.pack_into("f", data, 730 + c * 4, 1.0)
        struct.pack_into("8s", data, 602 + c * 8, u.ljust(8).encode())
        scaled.append(np.round(x * 2**15 / 10.0 * scale).astype("<i2"))
    inter = np.stack(scaled, axis=-1).reshape(-1)  # [S, T, ch] → sweep-major, channels interleaved
    data[4 * 512 : 4 * 512 + n_points * 2] = inter.tobytes()
    with open(path, "wb") as fh:
        fh.write(data)
    return path


def write_nwb(path, kind, resp, cmd, rate_hz, pair="table", resp_conversion=None):
    """NWB with one response + stimulus series per sweep (SI units with conversion factors)."""
    import pynwb
    from pynwb.icephys import (
        CurrentClampSeries,
        CurrentClampStimulusSeries,
        VoltageClampSeries,
        VoltageClampStimulusSeries,
    )

    nwb = pynwb.NWBFile("sim", "sim-1", datetime(2026, 1, 1, tzinfo=timezone.utc))
    dev = nwb.create_device("amp")
    el = nwb.create_icephys_electrode(name="e0", description="sim", device=dev)
    for s in range(resp.shape[0]):
        sn = np.uint32(s) if pair != "none" else None
        if kind == "cclamp":
            r = CurrentClampSeries(
                name=f"cc_{s}", data=resp[s], electrode=el, rate=rate_hz, gain=1.0, sweep_number=sn,
                conversion=resp_conversion or 1e-3,
            )  # fmt: skip
            st = CurrentClampStimulusSeries(
                name=f"ccs_{s}", data=cmd[s], electrode=el, rate=rate_hz, gain=1.0, sweep_number=sn, conversion=1e-12
            )
        else:
            r = VoltageClampSeries(
                name=f"vc_{s}", data=resp[s], electrode=el, rate=rate_hz, gain=1.0, sweep_number=sn,
                conversion=resp_conversion or 1e-12,
            )  # fmt: skip
            st = VoltageClampStimulusSeries(
                name=f"vcs_{s}", data=cmd[s], electrode=el, rate=rate_hz, gain=1.0, sweep_number=sn, conversion=1e-3
            )
        if pair == "table":
            nwb.add_intracellular_recording(electrode=el, stimulus=st, response=r)
        else:
            nwb.add_acquisition(r)
            nwb.add_stimulus(st)
    with pynwb.NWBHDF5IO(str(path), "w") as io:
        io.write(nwb)
    return path


def write_text(path, t, cols, stim):
    with open(path, "w") as fh:
        fh.write("time\t" + "\t".join(f"{a:g}" for a in stim) + "\n")
        for k, ti in enumerate(t):
            fh.write(f"{ti:.6f}\t" + "\t".join(f"{c[k]:.6f}" for c in cols) + "\n")
    return path


# ---------------------------------------------------------------- same as text
def test_abf_current_clamp_matches_the_text_route(tmp_path, neuron):
    txt = load_cclamp(write_text(tmp_path / "cc.txt", T_CC, neuron["v"], AMPS), time_s=TIME)
    abf = write_abf1(tmp_path / "cc.abf", [neuron["v"], neuron["cc_cmd"]], ["mV", "pA"], RATE_CC)
    rec = load_cclamp(abf, time_s=TIME, expected_amplitudes=AMPS + [30.0])
    np.testing.assert_array_equal(rec.amplitudes_pA, txt.amplitudes_pA)
    np.testing.assert_allclose(rec.responses, txt.responses, atol=0.02)  # int16 resolution
    assert rec.responses.shape == (1, len(AMPS), 350)


def test_abf_units_are_converted_from_the_channel_metadata(tmp_path, neuron):
    """The same sweeps stored in V and nA come back in mV and pA."""
    txt = load_cclamp(write_text(tmp_path / "cc.txt", T_CC, neuron["v"], AMPS), time_s=TIME)
    abf = write_abf1(tmp_path / "cc.abf", [neuron["v"] * 1e-3, neuron["cc_cmd"] * 1e-3], ["V", "nA"], RATE_CC)
    rec = load_cclamp(abf, time_s=TIME, expected_amplitudes=AMPS)
    np.testing.assert_array_equal(rec.amplitudes_pA, AMPS)
    np.testing.assert_allclose(rec.responses, txt.responses, atol=0.05)


def test_abf_command_from_the_epoch_table_when_no_channel_records_it(tmp_path, neuron, monkeypatch):
    """Without a command channel the protocol's epoch-table waveform (sweepC, in sweepUnitsC) is
    the stimulus; pyabf's ABF1 writer writes no epoch table, so a stand-in supplies one (in nA)."""
    import pyabf
    import pyabf.abfWriter

    class EpochABF(pyabf.ABF):
        @property
        def sweepC(self):
            return neuron["cc_cmd"][self.sweepNumber] * 1e-3

        def setSweep(self, *a, **k):
            super().setSweep(*a, **k)
            self.sweepUnitsC = "nA"

    monkeypatch.setattr(pyabf, "ABF", EpochABF)
    p = tmp_path / "cc.abf"
    pyabf.abfWriter.writeABF1(neuron["v"], str(p), RATE_CC, units="mV")
    txt = load_cclamp(write_text(tmp_path / "cc.txt", T_CC, neuron["v"], AMPS), time_s=TIME)
    rec = load_cclamp(p, time_s=TIME, expected_amplitudes=AMPS)
    np.testing.assert_array_equal(rec.amplitudes_pA, AMPS)
    np.testing.assert_allclose(rec.responses, txt.responses, atol=0.02)


def test_abf_voltage_clamp_matches_the_text_route(tmp_path, neuron):
    txt = load_vclamp(write_text(tmp_path / "vc.txt", neuron["t_vc"], neuron["i"], LEVELS))
    abf = write_abf1(tmp_path / "vc.abf", [neuron["i"], neuron["vc_cmd"]], ["pA", "mV"], 1000.0)
    iv = load_vclamp(abf)
    assert iv.shape == (1, 18)
    np.testing.assert_allclose(iv, txt, atol=0.05 + 1e-3 * np.abs(txt).max())  # int16 resolution


def test_voltage_clamp_sweeps_returning_to_hold_are_cut_at_the_step_end(tmp_path, neuron):
    """A sweep that goes back to the holding potential after the step: steady state at the step's end."""
    txt = load_vclamp(write_text(tmp_path / "vc.txt", neuron["t_vc"], neuron["i"], LEVELS))
    tail = 50  # 50 ms back at -60 mV, current relaxing towards the holding current
    i = np.concatenate([neuron["i"], np.repeat(neuron["i"][:, :100].mean(1, keepdims=True), tail, 1)], 1)
    cmd = np.concatenate([neuron["vc_cmd"], np.full((len(LEVELS), tail), -60.0)], 1)
    p = write_nwb(tmp_path / "vc.nwb", "vclamp", i, cmd, 1000.0)
    np.testing.assert_allclose(load_vclamp(p), txt, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("pair", ["table", "sweep_number"])
def test_nwb_current_and_voltage_clamp_match_the_text_route(tmp_path, neuron, pair):
    cc_txt = load_cclamp(write_text(tmp_path / "cc.txt", T_CC, neuron["v"], AMPS), time_s=TIME)
    vc_txt = load_vclamp(write_text(tmp_path / "vc.txt", neuron["t_vc"], neuron["i"], LEVELS))
    cc = write_nwb(tmp_path / "cc.nwb", "cclamp", neuron["v"], neuron["cc_cmd"], RATE_CC, pair)
    vc = write_nwb(tmp_path / "vc.nwb", "vclamp", neuron["i"], neuron["vc_cmd"], 1000.0, pair)
    rec = load_cclamp(cc, time_s=TIME, expected_amplitudes=AMPS)
    np.testing.assert_array_equal(rec.amplitudes_pA, cc_txt.amplitudes_pA)
    np.testing.assert_allclose(rec.responses, cc_txt.responses, atol=1e-4)
    np.testing.assert_allclose(load_vclamp(vc), vc_txt, rtol=1e-5, atol=1e-4)


def test_explicit_format_overrides_the_suffix(tmp_path, neuron):
    p = write_abf1(tmp_path / "cc.dat", [neuron["v"], neuron["cc_cmd"]], ["mV", "pA"], RATE_CC)
    with pytest.raises(NeurogenError, match="a binary file"):
        load_cclamp(p, time_s=TIME)  # read as text by its suffix
    assert load_cclamp(p, time_s=TIME, format="abf").responses.shape == (1, len(AMPS), 350)
    with pytest.raises(NeurogenError, match=r"format 'xls' is not one of"):
        load_cclamp(p, time_s=TIME, format="xls")


# ---------------------------------------------------------------- bad input
def test_abf_without_a_command_channel_is_missing_its_stimulus(tmp_path, neuron):
    import pyabf.abfWriter

    p = tmp_path / "cc.abf"
    pyabf.abfWriter.writeABF1(neuron["v"], str(p), RATE_CC, units="mV")
    with pytest.raises(NeurogenError, match=r"no stimulus.*injected current"):
        load_cclamp(p, time_s=TIME)


def test_voltage_clamp_abf_given_as_current_clamp_names_the_fix(tmp_path, neuron):
    import pyabf.abfWriter

    p = tmp_path / "vc.abf"
    pyabf.abfWriter.writeABF1(neuron["i"], str(p), 1000.0, units="pA")
    with pytest.raises(
        NeurogenError, match=r"given as cclamp .* looks like a voltage-clamp recording; list it under vclamp"
    ):
        load_cclamp(p, time_s=TIME)


def test_voltage_clamp_nwb_given_as_current_clamp_names_the_fix(tmp_path, neuron):
    p = write_nwb(tmp_path / "vc.nwb", "vclamp", neuron["i"], neuron["vc_cmd"], 1000.0)
    with pytest.raises(NeurogenError, match=r"given as cclamp .*VoltageClampSeries.* list it under vclamp"):
        load_cclamp(p, time_s=TIME)


def test_two_channel_voltage_clamp_abf_given_as_current_clamp_is_told_by_its_protocol(tmp_path, neuron, monkeypatch):
    """Current and voltage channels in both kinds: the protocol's command unit (DAC, mV) tells."""
    import pyabf

    class EpochABF(pyabf.ABF):
        @property
        def sweepC(self):
            return neuron["vc_cmd"][self.sweepNumber]

        def setSweep(self, *a, **k):
            super().setSweep(*a, **k)
            self.sweepUnitsC = "mV"

    p = write_abf1(tmp_path / "vc.abf", [neuron["i"], neuron["vc_cmd"]], ["pA", "mV"], 1000.0)
    monkeypatch.setattr(pyabf, "ABF", EpochABF)
    with pytest.raises(NeurogenError, match=r"given as cclamp .*stepping its command in 'mV'.* list it under vclamp"):
        load_cclamp(p, time_s=TIME)
    assert load_vclamp(p).shape == (1, 18)  # and as vclamp it reads


def test_abf_unknown_unit_is_named(tmp_path, neuron):
    p = write_abf1(tmp_path / "cc.abf", [neuron["v"], neuron["cc_cmd"]], ["mOhm", "pA"], RATE_CC)
    with pytest.raises(NeurogenError, match=r"unknown unit\(s\) channel 0 'mOhm'"):
        load_cclamp(p, time_s=TIME)


def test_abf_labelled_volts_holding_millivolts_trips_the_unit_check(tmp_path, neuron):
    """Data in mV labelled 'V' is converted to 1000x: the text route's check names it, plus the source."""
    p = write_abf1(tmp_path / "cc.abf", [neuron["v"], neuron["cc_cmd"]], ["V", "pA"], RATE_CC)
    with pytest.raises(NeurogenError, match=r"expected membrane potential in mV.*\[ABF units: response channel 0 'V'"):
        load_cclamp(p, time_s=TIME)


def test_nwb_wrong_conversion_trips_the_unit_check(tmp_path, neuron):
    p = write_nwb(tmp_path / "vc.nwb", "vclamp", neuron["i"], neuron["vc_cmd"], 1000.0, resp_conversion=1e-24)
    with pytest.raises(NeurogenError, match=r"look like amperes.*\[NWB units"):
        load_vclamp(p)


def test_nwb_without_stimulus_pairing_is_an_error(tmp_path, neuron):
    p = write_nwb(tmp_path / "cc.nwb", "cclamp", neuron["v"], neuron["cc_cmd"], RATE_CC, pair="none")
    with pytest.raises(NeurogenError, match=r"no stimulus for series 'cc_0'"):
        load_cclamp(p, time_s=TIME)


def test_time_unit_is_refused_for_files_with_their_own_clock(tmp_path, neuron):
    p = write_abf1(tmp_path / "cc.abf", [neuron["v"], neuron["cc_cmd"]], ["mV", "pA"], RATE_CC)
    with pytest.raises(NeurogenError, match=r"time_unit 'ms' applies to text recordings only"):
        load_cclamp(p, time_s=TIME, time_unit="ms")


def test_corrupt_abf_is_a_message(tmp_path):
    p = tmp_path / "x.abf"
    p.write_bytes(b"not an abf at all" * 50)
    with pytest.raises(NeurogenError, match=r"not a readable ABF file"):
        load_cclamp(p, time_s=TIME)
