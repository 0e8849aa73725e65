"""The NEURON reference runs (../shared/data/hh/neuron_reference): settings -> parameter vectors,
and the comparison of our simulator with NEURON's traces (used by the tests and the figure in docs/hh.md)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from neurogen import NeurogenError

#: NEURON mechanism -> our conductance parameter
MECHANISM_G = {"shl1": "SHL1_g", "shk1": "SHK1_g", "egl2": "EGL2_g", "irk": "IRK13_g", "unc103": "UNC103_g",
               "kqt1": "KQT1_g", "exp2": "EXP2_g", "slo1iso": "SLO1_g", "slo2iso": "SLO2_g",
               "slo1egl19": "SLO1_CaV_g", "slo2egl19": "SLO2_CaV_g", "egl19": "EGL19_g", "unc2": "UNC2_g",
               "cca1": "CCA1_g", "nca": "NCA_g", "leak": "LEAK_g"}


def reference_params(params_json, space):
    """Full parameter vector for a NEURON reference neuron (its conductances, E, C); every other
    conductance 0. Returns (p_full, settings dict)."""
    d = json.loads(Path(params_json).read_text())
    vals = {g: 0.0 for g in MECHANISM_G.values()}
    vals.update({"SLO1_CaV_g": 0.0, "SLO2_CaV_g": 0.0})
    for ch in d["channels"]:
        mech = ch["mechanism"]
        if mech not in MECHANISM_G:
            raise NeurogenError(f"{params_json}: mechanism {mech!r} has no counterpart in the model")
        vals[MECHANISM_G[mech]] = float(ch["g_nS"])
        if mech == "leak":
            vals["VLEAK"] = float(ch["E_rev_mV"])
        if mech == "nca":
            vals["VNa"] = float(ch["E_rev_mV"])
    E = d["reversal_potentials_mV"]
    vals["VK"] = float(E["E_K"])
    vals["VCa"] = float(E["E_Ca"])
    vals["C"] = float(d["capacitance"]["C_pF"])
    vals["SLO1_CaV_EGL19_frac"] = 1.0
    vals["SLO2_CaV_EGL19_frac"] = 1.0
    ic = d["protocols"]["iclamp"]
    vc = d["protocols"]["vclamp"]
    settings = dict(neuron=d["neuron"], V_init_mV=-65.0,
                    delay_ms=float(ic["delay_ms"]), dur_ms=float(ic["dur_ms"]), tstop_ms=float(ic["tstop_ms"]),
                    amplitudes_pA=[float(a) for a in ic["amplitudes_pA"]],
                    dt_iclamp_ms=float(d["integration"]["dt_effective_ms"]["iclamp"]),
                    dt_vclamp_ms=float(d["integration"]["dt_effective_ms"]["vclamp"]),
                    vclamp_steps_mV=[float(v) for v in vc["steps_mV"]])
    return space.with_values(**vals), settings


def read_iclamp(csv_path):
    df = pd.read_csv(csv_path)
    t = df["t_ms"].to_numpy(float)
    amps = [float(c[2:-2]) for c in df.columns[1:]]
    return t, np.asarray(amps), df.iloc[:, 1:].to_numpy(float).T  # [S, T]


def compare_neuron(folder, neuron, space=None, dt_ms=None, v_update="implicit", dtype=None, dt_vclamp_ms=None):
    """Simulate a NEURON reference neuron with our torch simulator.

    Returns dict: t_ms, amplitudes, V_neuron [S,T], V_ours [S,T], rmse [S] (mV),
    iv_v, iv_neuron, iv_ours_vclamp (simulated clamp, the scripts' window), iv_ours_algebraic."""
    import torch

    from neurogen.hh.model import Model, load_space, simulate, simulate_vclamp, steady_state_iv

    folder = Path(folder)
    space = space or load_space("large")
    model = Model(space)
    p, s = reference_params(folder / f"{neuron}_params.json", space)
    t, amps, Vn = read_iclamp(folder / f"{neuron}_iclamp.csv")
    dt = dt_ms or s["dt_iclamp_ms"]
    Vo = simulate(p[None], amps, t_total_ms=s["tstop_ms"], step_ms=(s["delay_ms"], s["delay_ms"] + s["dur_ms"]),
                  record_ms=t, dt_ms=dt, init="rest", V_init_mV=s["V_init_mV"], v_update=v_update,
                  model=model, dtype=dtype or torch.float64)[0].numpy()
    rmse = np.sqrt(np.mean((Vo - Vn) ** 2, axis=1))
    ss = pd.read_csv(folder / f"{neuron}_vclamp_ss.csv")
    v = ss["V_mV"].to_numpy(float)
    iv_vc = simulate_vclamp(p[None], v, dt_ms=dt_vclamp_ms or s["dt_vclamp_ms"], model=model,
                            dtype=torch.float64)[0].numpy()
    iv_alg = steady_state_iv(torch.as_tensor(p[None]), v, model=model)[0].numpy()
    return dict(t_ms=t, amplitudes=amps, V_neuron=Vn, V_ours=Vo, rmse=rmse, iv_v=v,
                iv_neuron=ss["I_ss_pA"].to_numpy(float), iv_ours_vclamp=iv_vc, iv_ours_algebraic=iv_alg,
                params=p, settings=s)
