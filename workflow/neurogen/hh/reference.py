"""NEURON reference runs (format of ../shared/data/hh/neuron_reference): load any neuron, simulate
it with our model and compare.

A reference folder holds, per neuron NAME: ``NAME_params.json`` (conductances, reversal
potentials, capacitance, geometry, temperature, calcium handling, dt, initial states, protocols
and the scripts' analysis windows), ``NAME_iclamp.csv`` (t_ms + one V column per amplitude,
``I_<pA>pA``), ``NAME_vclamp.csv`` (t_ms + one current column per step, ``I_pA_step_<mV>mV``),
``NAME_vclamp_ss.csv`` (V_mV, I_ss_pA), ``NAME_vclamp_peak.csv`` (V_mV, I_peak_pA) and optionally
``NAME_iclamp_cai.csv`` / ``NAME_vclamp_cai.csv`` (cai, mM).

    python -m neurogen.hh.reference DIR NEURON [--dt MS] [--dt-vclamp MS] [--plot PNG]

prints the comparison table, draws the overlay and exits 1 when a tolerance is missed: current
clamp RMSE <= 0.5 mV at every amplitude over the whole sweep; steady-state and peak I-V within
max(0.5 pA, 2 %) at every step.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from neurogen import NeurogenError
from neurogen.hh.neurons import NeuronSpec

#: NEURON mechanism -> our conductance parameter
MECHANISM_G = {
    "shl1": "SHL1_g",
    "shk1": "SHK1_g",
    "egl2": "EGL2_g",
    "irk": "IRK13_g",
    "unc103": "UNC103_g",
    "kqt1": "KQT1_g",
    "exp2": "EXP2_g",
    "slo1iso": "SLO1_g",
    "slo2iso": "SLO2_g",
    "egl19": "EGL19_g",
    "unc2": "UNC2_g",
    "cca1": "CCA1_g",
    "nca": "NCA_g",
    "leak": "LEAK_g",
}
#: CaV-coupled SLOs: one conductance per SLO, split by the EGL-19 fraction
MECHANISM_COUPLED = {
    "slo1egl19": ("SLO1", "EGL19"),
    "slo1unc2": ("SLO1", "UNC2"),
    "slo2egl19": ("SLO2", "EGL19"),
    "slo2unc2": ("SLO2", "UNC2"),
}
POOLS = ("cadiff",)
#: NEURON state names (initial_states_t0) -> our gates
STATE_GATE = {
    "m_shl1": "SHL1_m",
    "hf_shl1": "SHL1_hf",
    "hs_shl1": "SHL1_hs",
    "m_shk1": "SHK1_m",
    "h_shk1": "SHK1_h",
    "m_egl2": "EGL2_m",
    "m_irk": "IRK13_m",
    "m_unc103": "UNC103_m",
    "h_unc103": "UNC103_h",
    "m_kqt1": "KQT1_m",
    "s_kqt1": "KQT1_s",
    "m_exp2": "EXP2_m",
    "h_exp2": "EXP2_h",
    "m_slo1iso": "SLO1_m",
    "m_slo2iso": "SLO2_m",
    "m_egl19": "EGL19_m",
    "h_egl19": "EGL19_h",
    "m_unc2": "UNC2_m",
    "h_unc2": "UNC2_h",
    "m_slo1egl19": "SLO1_EGL19_m",
    "m_slo1unc2": "SLO1_UNC2_m",
    "m_slo2egl19": "SLO2_EGL19_m",
    "m_slo2unc2": "SLO2_UNC2_m",
    "m_cca1": "CCA1_m",
    "h_cca1": "CCA1_h",
}
#: state entries that describe the calcium pool, not a gate
CALCIUM_STATES = ("ca_cadiff", "cai_mM", "eca_mV")

TOL_RMSE_MV = 0.5
TOL_IV_PA = 0.5
TOL_IV_REL = 0.02


def _get(d, path, where):
    x = d
    for k in path:
        if not isinstance(x, dict) or k not in x:
            raise NeurogenError(f"{where}: missing key {'.'.join(path)!r}")
        x = x[k]
    return x


def _num(x, where):
    try:
        return float(x)
    except (TypeError, ValueError):
        raise NeurogenError(f"{where}: expected a number, got {x!r}") from None


def _window(text, what, where):
    """[a, b) absolute ms and 'min for the first k' from the scripts' analysis sentence."""
    m = re.search(what + r"[^;]*?(?:absolute )?\[([-\d.]+), ([-\d.]+)\) ms(?![^;]*absolute \[)", text)
    if not m:
        raise NeurogenError(f"{where}: cannot read the {what!r} window from {text!r}")
    k = re.search(what + r"[^;]*min for the first (\d+)", text)
    return (float(m.group(1)), float(m.group(2))), (int(k.group(1)) if k else None)


def load_reference(params_json) -> NeuronSpec:
    """A NeuronSpec from a NEURON reference params JSON (conductances, E, C, calcium handling,
    initial states, protocols and analysis windows)."""
    path = Path(params_json)
    if not path.exists():
        raise NeurogenError(f"reference parameters not found: {path}")
    try:
        d = json.loads(path.read_text())
    except json.JSONDecodeError as e:
        raise NeurogenError(f"{path}: not valid JSON ({e})") from e
    w = str(path)
    vals = {}
    coupled = {}
    pool = None
    for i, ch in enumerate(_get(d, ["channels"], w)):
        mech = ch.get("mechanism")
        where = f"{w}: channels[{i}] ({mech})"
        if mech in POOLS:
            pool = ch.get("other_parameters") or {}
            continue
        if mech in MECHANISM_COUPLED:
            coupled[MECHANISM_COUPLED[mech]] = _num(ch.get("g_nS"), where + ".g_nS")
            continue
        if mech not in MECHANISM_G:
            raise NeurogenError(
                f"{where}: mechanism {mech!r} has no counterpart in the model "
                f"(supported: {sorted([*MECHANISM_G, *MECHANISM_COUPLED, *POOLS])})"
            )
        vals[MECHANISM_G[mech]] = _num(ch.get("g_nS"), where + ".g_nS")
        other = ch.get("other_parameters") or {}
        if mech == "slo2iso" and _num(other.get("c2", 1.0), where + ".c2") != 1.0:
            raise NeurogenError(f"{where}: c2 = {other['c2']} scales slo2iso's tau; the model has c2 = 1 only")
        if mech == "leak":
            vals["VLEAK"] = _num(ch.get("E_rev_mV"), where + ".E_rev_mV")
        if mech == "nca":
            vals["VNa"] = _num(ch.get("E_rev_mV"), where + ".E_rev_mV")
    for slo in ("SLO1", "SLO2"):
        ge, gu = coupled.get((slo, "EGL19"), 0.0), coupled.get((slo, "UNC2"), 0.0)
        vals[f"{slo}_CaV_g"] = ge + gu
        vals[f"{slo}_CaV_EGL19_frac"] = ge / (ge + gu) if ge + gu > 0 else 1.0
    E = _get(d, ["reversal_potentials_mV"], w)
    vals["VK"] = _num(E.get("E_K"), w + ": reversal_potentials_mV.E_K")
    vals["C"] = _num(_get(d, ["capacitance", "C_pF"], w), w + ": capacitance.C_pF")
    area = _num(_get(d, ["geometry", "surface_area_um2"], w), w + ": geometry.surface_area_um2")
    vals["Ca_area_um2"] = area
    ca = d.get("calcium") or {}
    init = dict(_get(d, ["initialization", "initial_states_t0"], w))
    if pool is not None:
        wp = w + ": channels[cadiff].other_parameters"
        vals.update(
            Ca_pool=1.0,
            Ca_d=_num(pool.get("depth_um"), wp + ".depth_um"),
            Ca_Beta=_num(pool.get("beta_per_ms"), wp + ".beta_per_ms"),
            Ca_F=_num(pool.get("F_C_per_mol"), wp + ".F_C_per_mol"),
            dCa2_0=_num(pool.get("initial_ca_state_mM"), wp + ".initial_ca_state_mM"),
            Ca_floor_mM=_num(pool.get("floor_mM"), wp + ".floor_mM"),
            Ca_o_mM=_num(ca.get("cao_mM"), w + ": calcium.cao_mM"),
            Ca_T_degC=_num(_get(d, ["temperature", "celsius_degC"], w), w + ": temperature.celsius_degC"),
            Ca_bkg_uM=1e3 * _num(ca.get("cai_at_t0_mM", init.get("cai_mM")), w + ": calcium.cai_at_t0_mM"),
        )
        # VCa is not used by a pool neuron; keep E_Ca at t = 0 there for reference
        vals["VCa"] = _num(init.get("eca_mV", 60.0), w + ": initial_states_t0.eca_mV")
    else:
        if isinstance(E.get("E_Ca"), str):
            raise NeurogenError(f"{w}: E_Ca is {E['E_Ca']!r} but no calcium pool ({POOLS}) is inserted")
        vals["VCa"] = _num(E.get("E_Ca", 60.0), w + ": reversal_potentials_mV.E_Ca")
        vals["Ca_pool"] = 0.0
        if "cai_mM" in ca:
            vals["Ca_bkg_uM"] = 1e3 * _num(ca["cai_mM"], w + ": calcium.cai_mM")
    gates = {}
    for k, v in init.items():
        if k in CALCIUM_STATES:
            continue
        if k not in STATE_GATE:
            raise NeurogenError(
                f"{w}: initialization.initial_states_t0 has state {k!r} with no counterpart "
                f"(known: {sorted(STATE_GATE)})"
            )
        gates[STATE_GATE[k]] = _num(v, f"{w}: initial_states_t0.{k}")
    dt = _get(d, ["integration", "dt_effective_ms"], w)
    ic = _get(d, ["protocols", "iclamp"], w)
    iclamp = dict(
        delay_ms=_num(ic.get("delay_ms"), w + ": protocols.iclamp.delay_ms"),
        dur_ms=_num(ic.get("dur_ms"), w + ": protocols.iclamp.dur_ms"),
        tstop_ms=_num(ic.get("tstop_ms"), w + ": protocols.iclamp.tstop_ms"),
        amplitudes_pA=[_num(a, w + ": protocols.iclamp.amplitudes_pA") for a in ic.get("amplitudes_pA", [])],
        dt_ms=_num(dt.get("iclamp"), w + ": integration.dt_effective_ms.iclamp"),
    )
    vc = _get(d, ["protocols", "vclamp"], w)
    amp, dur = vc.get("amp_mV"), vc.get("dur_ms")
    if not (isinstance(amp, list) and isinstance(dur, list) and len(amp) == 3 and len(dur) == 3 and amp[1] == "step"):
        raise NeurogenError(
            f"{w}: protocols.vclamp amp_mV/dur_ms must be [hold, 'step', hold] / [3 durations], got {amp!r} / {dur!r}"
        )
    hold = _num(amp[0], w + ": protocols.vclamp.amp_mV[0]")
    if _num(amp[2], w + ": protocols.vclamp.amp_mV[2]") != hold:
        raise NeurogenError(f"{w}: protocols.vclamp.amp_mV: the clamp must return to the holding potential {hold}")
    d0, d1, d2 = (_num(x, w + ": protocols.vclamp.dur_ms") for x in dur)
    tstop = _num(vc.get("tstop_ms"), w + ": protocols.vclamp.tstop_ms")
    off = vc.get("clamp_on_until_ms", d0 + d1 + d2)
    text = str(vc.get("script_analysis", ""))
    ss, _ = _window(text, "I_ss", w + ": protocols.vclamp.script_analysis")
    peak, kmin = _window(text, "I_peak", w + ": protocols.vclamp.script_analysis")
    vclamp = dict(
        hold_mV=hold,
        t_on_ms=d0,
        t_step_ms=d1,
        tstop_ms=tstop,
        clamp_off_ms=None if off >= tstop else float(off),
        levels_mV=[_num(v, w + ": protocols.vclamp.steps_mV") for v in vc.get("steps_mV", [])],
        dt_ms=_num(dt.get("vclamp"), w + ": integration.dt_effective_ms.vclamp"),
        ss_ms=ss,
        peak_ms=peak,
        n_peak_min=kmin,
    )
    return NeuronSpec(
        str(d.get("neuron", path.stem.replace("_params", ""))),
        vals,
        iclamp,
        vclamp,
        init_gates=gates,
        V_init_mV=-65.0,
        source=f"NEURON reference {path}",
    )


def reference_params(params_json, space):
    """(full parameter vector, NeuronSpec) of a NEURON reference neuron."""
    spec = load_reference(params_json)
    return spec.params(space), spec


def _read_table(csv_path, prefix, suffix):
    p = Path(csv_path)
    if not p.exists():
        raise NeurogenError(f"reference file not found: {p}")
    df = pd.read_csv(p)
    if df.columns[0] != "t_ms":
        raise NeurogenError(f"{p}: first column must be t_ms, got {df.columns[0]!r}")
    keys = []
    for c in df.columns[1:]:
        if not (c.startswith(prefix) and c.endswith(suffix)):
            raise NeurogenError(f"{p}: column {c!r} is not {prefix}<number>{suffix}")
        keys.append(_num(c[len(prefix) : len(c) - len(suffix)], f"{p}: column {c!r}"))
    return df["t_ms"].to_numpy(float), np.asarray(keys), df.iloc[:, 1:].to_numpy(float).T


def read_iclamp(csv_path):
    """(t_ms [T], amplitudes_pA [S], V [S, T]) of a reference current clamp."""
    return _read_table(csv_path, "I_", "pA")


def _within(ours, ref):
    d = np.abs(np.asarray(ours) - np.asarray(ref))
    return d <= np.maximum(TOL_IV_PA, TOL_IV_REL * np.abs(ref))


def compare_neuron(folder, neuron, space=None, dt_ms=None, dt_vclamp_ms=None, dtype=None, device=None):
    """Simulate a reference neuron as NEURON ran it and compare.

    Returns a dict: spec, params; current clamp t_ms, amplitudes, V_neuron / V_ours [S, T],
    rmse [S] (mV), and where given cai_neuron / cai_ours [S, T] (mM); voltage clamp iv_v,
    iv_neuron / iv_ours_vclamp (steady state), peak_neuron / peak_ours, vc_t_ms, I_neuron /
    I_ours [K, T] (traces), vc_trace_max_abs [K] (pA, outside 5 ms after each command change),
    iv_ours_algebraic (every gate and the pool at steady state); ok_* flags and ok."""
    import torch

    from neurogen.hh.model import Model, load_space, steady_state_iv

    folder = Path(folder)
    space = space or load_space("large")
    model = Model(space)
    spec = load_reference(folder / f"{neuron}_params.json")
    p = spec.params(space)
    t, amps, Vn = read_iclamp(folder / f"{neuron}_iclamp.csv")
    if not np.allclose(amps, spec.iclamp["amplitudes_pA"]):
        raise NeurogenError(
            f"{folder / f'{neuron}_iclamp.csv'}: amplitudes {amps.tolist()} differ from the "
            f"params JSON's {spec.iclamp['amplitudes_pA']}"
        )
    dtype = dtype or torch.float64
    Vo, cai = spec.simulate_iclamp(
        p, dt_ms=dt_ms, record_ms=t, model=model, dtype=dtype, device=device, return_cai=True
    )
    Vo, cai = Vo[0].cpu().numpy(), cai[0].cpu().numpy()
    rmse = np.sqrt(np.mean((Vo - Vn) ** 2, axis=1))
    out = dict(spec=spec, params=p, t_ms=t, amplitudes=amps, V_neuron=Vn, V_ours=Vo, rmse=rmse)
    f = folder / f"{neuron}_iclamp_cai.csv"
    if f.exists():
        _, _, cn = _read_table(f, "cai_mM_I_", "pA")
        out.update(cai_neuron=cn, cai_ours=cai)
    ss = pd.read_csv(folder / f"{neuron}_vclamp_ss.csv")
    pk = pd.read_csv(folder / f"{neuron}_vclamp_peak.csv")
    v = ss["V_mV"].to_numpy(float)
    if not np.allclose(v, spec.vclamp["levels_mV"]) or not np.allclose(pk["V_mV"].to_numpy(float), v):
        raise NeurogenError(f"{folder}: {neuron}_vclamp_ss.csv / _peak.csv levels differ from the params JSON's steps")
    tv, lv, In = _read_table(folder / f"{neuron}_vclamp.csv", "I_pA_step_", "mV")
    dtv = float(dt_vclamp_ms or spec.vclamp["dt_ms"])
    rec = tv if np.allclose(np.round(tv / dtv) * dtv, tv, atol=1e-6) else None
    r = spec.simulate_vclamp(p, dt_ms=dtv, record_ms=rec, model=model, dtype=dtype, device=device)
    out.update(
        iv_v=v,
        iv_neuron=ss["I_ss_pA"].to_numpy(float),
        iv_ours_vclamp=r["I_ss"][0].cpu().numpy(),
        peak_neuron=pk["I_peak_pA"].to_numpy(float),
        peak_ours=r["I_peak"][0].cpu().numpy(),
    )
    if rec is not None:
        Io = r["I"][0].cpu().numpy()
        vc = spec.vclamp
        changes = [0.0, vc["t_on_ms"], vc["t_on_ms"] + vc["t_step_ms"]]
        settle = np.ones_like(tv, bool)
        for c in changes:
            settle &= ~((tv >= c) & (tv < c + 5.0))
        out.update(vc_t_ms=tv, I_neuron=In, I_ours=Io, vc_trace_max_abs=np.abs(Io - In)[:, settle].max(axis=1))
    out["iv_ours_algebraic"] = steady_state_iv(torch.as_tensor(p[None]), v, model=model)[0].numpy()
    out["ok_iclamp"] = bool((rmse <= TOL_RMSE_MV).all())
    out["ok_iv_ss"] = bool(_within(out["iv_ours_vclamp"], out["iv_neuron"]).all())
    out["ok_iv_peak"] = bool(_within(out["peak_ours"], out["peak_neuron"]).all())
    out["ok"] = out["ok_iclamp"] and out["ok_iv_ss"] and out["ok_iv_peak"]
    return out


def comparison_table(r) -> str:
    """Markdown tables: current clamp per amplitude, voltage clamp per step."""
    lines = [
        "| I (pA) | RMSE (mV) | max abs (mV) | V end of step NEURON (mV) | ours (mV) |"
        + (" max cai NEURON (uM) | ours (uM) |" if "cai_neuron" in r else ""),
        "|---|---|---|---|---|" + ("---|---|" if "cai_neuron" in r else ""),
    ]
    spec = r["spec"]
    t_end = spec.iclamp["delay_ms"] + spec.iclamp["dur_ms"] - 1.0
    k = int(np.argmin(np.abs(r["t_ms"] - t_end)))
    for s, a in enumerate(r["amplitudes"]):
        row = (
            f"| {a:g} | {r['rmse'][s]:.4f} | {np.abs(r['V_ours'][s] - r['V_neuron'][s]).max():.4f} | "
            f"{r['V_neuron'][s, k]:.3f} | {r['V_ours'][s, k]:.3f} |"
        )
        if "cai_neuron" in r:
            row += f" {1e3 * r['cai_neuron'][s].max():.4f} | {1e3 * r['cai_ours'][s].max():.4f} |"
        lines.append(row)
    lines += [
        "",
        "| V (mV) | I_ss NEURON (pA) | ours (pA) | diff | I_peak NEURON (pA) | ours (pA) | diff |"
        + (" trace max abs (pA) |" if "vc_trace_max_abs" in r else ""),
        "|---|---|---|---|---|---|---|" + ("---|" if "vc_trace_max_abs" in r else ""),
    ]
    for j, v in enumerate(r["iv_v"]):
        row = (
            f"| {v:g} | {r['iv_neuron'][j]:.3f} | {r['iv_ours_vclamp'][j]:.3f} | "
            f"{r['iv_ours_vclamp'][j] - r['iv_neuron'][j]:+.3f} | {r['peak_neuron'][j]:.3f} | "
            f"{r['peak_ours'][j]:.3f} | {r['peak_ours'][j] - r['peak_neuron'][j]:+.3f} |"
        )
        if "vc_trace_max_abs" in r:
            row += f" {r['vc_trace_max_abs'][j]:.3f} |"
        lines.append(row)
    return "\n".join(lines)


def plot_comparison(r, path, dt_label=""):
    """Overlay: current-clamp traces, voltage-clamp traces, steady-state and peak I-V."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = r["spec"].name
    has_trace = "I_ours" in r
    fig, axes = plt.subplots(1, 3 if has_trace else 2, figsize=(17 if has_trace else 12, 4.5))
    cmap = plt.get_cmap("coolwarm")
    ax = axes[0]
    S = len(r["amplitudes"])
    for s in range(S):
        c = cmap(s / max(S - 1, 1))
        ax.plot(r["t_ms"] / 1e3, r["V_neuron"][s], color=c, lw=2.5, alpha=0.45)
        ax.plot(r["t_ms"] / 1e3, r["V_ours"][s], color=c, lw=0.8, ls="--")
    ax.plot([], [], color="0.5", lw=2.5, alpha=0.45, label="NEURON 9")
    ax.plot([], [], color="0.2", lw=0.8, ls="--", label=f"neurogen torch {dt_label}")
    ax.set(
        xlabel="time (s)",
        ylabel="membrane potential (mV)",
        title=f"{n}: current clamp, max RMSE {r['rmse'].max():.3f} mV",
    )
    ax.legend(fontsize=8)
    if has_trace:
        ax = axes[1]
        K = len(r["iv_v"])
        for j in range(K):
            c = cmap(j / max(K - 1, 1))
            ax.plot(r["vc_t_ms"], r["I_neuron"][j], color=c, lw=2.5, alpha=0.45)
            ax.plot(r["vc_t_ms"], r["I_ours"][j], color=c, lw=0.8, ls="--")
        vc = r["spec"].vclamp
        ax.set_xlim(vc["t_on_ms"] - 25, vc["tstop_ms"])
        ax.set(xlabel="time (ms)", ylabel="ionic current (pA)", title=f"{n}: voltage clamp traces")
    ax = axes[-1]
    ax.plot(r["iv_v"], r["iv_neuron"], "o-", color="0.5", ms=7, alpha=0.6, label="NEURON I_ss")
    ax.plot(r["iv_v"], r["iv_ours_vclamp"], "x--", color="C3", label="neurogen I_ss (simulated clamp)")
    ax.plot(r["iv_v"], r["peak_neuron"], "s-", color="0.7", ms=6, alpha=0.6, label="NEURON I_peak")
    ax.plot(r["iv_v"], r["peak_ours"], "+--", color="C2", label="neurogen I_peak")
    ax.plot(r["iv_v"], r["iv_ours_algebraic"], ":", color="C0", label="neurogen algebraic steady state")
    d = np.abs(r["iv_ours_vclamp"] - r["iv_neuron"]).max()
    ax.set(xlabel="clamp potential (mV)", ylabel="current (pA)", title=f"{n}: I-V, max |diff| I_ss {d:.3f} pA")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m neurogen.hh.reference", description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", help="reference folder (NAME_params.json, NAME_iclamp.csv, ...)")
    ap.add_argument("neuron", help="NAME, e.g. VB6")
    ap.add_argument("--dt", type=float, default=None, help="current-clamp step (ms); default NEURON's")
    ap.add_argument("--dt-vclamp", type=float, default=None, help="voltage-clamp step (ms); default NEURON's")
    ap.add_argument("--plot", default=None, help="write the overlay figure here (PNG)")
    ap.add_argument("--device", default=None)
    a = ap.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    try:
        r = compare_neuron(a.folder, a.neuron, dt_ms=a.dt, dt_vclamp_ms=a.dt_vclamp, device=a.device)
    except NeurogenError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(
        f"# {a.neuron}: dt {a.dt or r['spec'].iclamp['dt_ms']} ms (current clamp), "
        f"{a.dt_vclamp or r['spec'].vclamp['dt_ms']} ms (voltage clamp); calcium "
        f"{'cadiff pool, Nernst E_Ca' if r['spec'].values.get('Ca_pool') else 'constant E_Ca'}"
    )
    print(comparison_table(r))
    for key, what in (
        ("ok_iclamp", f"current clamp RMSE <= {TOL_RMSE_MV} mV"),
        ("ok_iv_ss", f"steady-state I-V within max({TOL_IV_PA} pA, {TOL_IV_REL:.0%})"),
        ("ok_iv_peak", f"peak I-V within max({TOL_IV_PA} pA, {TOL_IV_REL:.0%})"),
    ):
        print(f"{'PASS' if r[key] else 'FAIL'}: {what}")
    if a.plot:
        plot_comparison(r, a.plot, f"(dt {a.dt or r['spec'].iclamp['dt_ms']} ms)")
        print("wrote", a.plot)
    return 0 if r["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
