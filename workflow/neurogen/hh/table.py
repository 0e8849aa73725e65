"""Derive the project's HH parameter table (resources/hh/params.csv).

Run:  python -m neurogen.hh.table ../shared/data/hh/generic_params.csv resources/hh/params.csv

Names follow EP-GAN's 203-parameter table (generic_params.csv) wherever one maps. Kinetic
defaults are the values of the published NEURON .mod files of Nicoletti et al. (PLoS ONE 2019,
2024; repository martinanicoletti92/CelegansInterMotorNeuronsModels, commit 84726a7), with each
file's fixed shifts and scale factors folded into the generic parameterisation (e.g. the
effective half-activation is ``Veq - shift``, an effective amplitude ``a * const``), and with
the constants NEURON 9 rounds to 6 significant digits written as NEURON uses them.
Sampling ranges: conductances, reversal potentials, capacitance, V0 and initial gating states
from the table's EP-GAN training ranges (``sample_*`` columns); kinetic parameters the
default ± 50 % (large model); fixed parameters lo = hi = default.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

MOD_SRC = "Nicoletti et al. 2024 .mod (martinanicoletti92/CelegansInterMotorNeuronsModels@84726a7)"

#: .mod values in the generic parameterisation: name -> (value, how it was obtained)
MOD = {
    # SHL1 (shl1.mod): m*(0.8 hf + 0.2 hs); shift 10 mV; tau_m /2; tau_hf /3
    "SHL1_m_inf_Veq": (0.26, "vashal 10.26 - shift 10"),
    "SHL1_m_inf_ka": (16.25, "kashal"),
    "SHL1_h_inf_Veq": (-50.0, "vishal -40 - shift 10"),
    "SHL1_h_inf_ka": (8.3, "kishal"),
    "SHL1_m_tau_a": (6.9, "ptmshal1 13.8 / 2"),
    "SHL1_m_tau_b": (-40.0, "ptmshal2"),
    "SHL1_m_tau_c": (12.9213, "ptmshal3"),
    "SHL1_m_tau_d": (-40.0, "ptmshal4"),
    "SHL1_m_tau_e": (6.4876, "ptmshal5"),
    "SHL1_m_tau_f": (0.94245, "ptmshal6 1.8849 / 2"),
    "SHL1_hf_tau_a": (539.158 / 3, "pthfshal1 539.158 (NEURON-rounded) / 3"),
    "SHL1_hf_tau_b": (-60.0, "pthfshal2"),
    "SHL1_hf_tau_c": (4.9199, "pthfshal3"),
    "SHL1_hf_tau_d": (27.2811 / 3, "pthfshal4 27.2811 / 3"),
    "SHL1_hs_tau_a": (8422.0, "pthsshal1"),
    "SHL1_hs_tau_b": (-60.0, "pthsshal2"),
    "SHL1_hs_tau_c": (6.3785, "pthsshal3"),
    "SHL1_hs_tau_d": (118.898, "pthsshal4 118.8983 (NEURON-rounded)"),
    # SHK1 (shk1.mod); constants NEURON-rounded; c/e: the mod's order (15.36 in the e^- term)
    "SHK1_m_inf_Veq": (2.0, "vashak"),
    "SHK1_m_inf_ka": (10.0, "kashak"),
    "SHK1_h_inf_Veq": (-6.95, "vishak"),
    "SHK1_h_inf_ka": (5.8, "kishak"),
    "SHK1_m_tau_a": (26.5715, "ptmshak1 (NEURON-rounded)"),
    "SHK1_m_tau_b": (-33.7416, "ptmshak2"),
    "SHK1_m_tau_c": (15.3649, "ptmshak4 (the e^{-(V-b)/c} term)"),
    "SHK1_m_tau_d": (-33.7416, "ptmshak2"),
    "SHK1_m_tau_e": (15.7579, "ptmshak3 (the e^{(V-d)/e} term)"),
    "SHK1_m_tau_f": (1.99004, "ptmshak5"),
    "SHK1_tau_h": (1400.0, "pthshak"),
    # EGL2 (egl2.mod): tau *0.5
    "EGL2_m_inf_Veq": (-6.8594, "va_egl2"),
    "EGL2_m_inf_ka": (14.9131, "ka_egl2"),
    "EGL2_m_tau_a": (16.78 * 0.5, "p1tmegl2 * 0.5"),
    "EGL2_m_tau_b": (-122.568, "p2tmegl2 (NEURON-rounded)"),
    "EGL2_m_tau_c": (13.7976, "p3tmegl2"),
    "EGL2_m_tau_d": (8.0969 * 0.5, "p4tmegl2 * 0.5"),
    # IRK (irk.mod): +30 mV shift on m_inf
    "IRK13_m_inf_Veq": (-82.0, "va_kir -52 - 30"),
    "IRK13_m_inf_ka": (13.0, "ka_kir"),
    "IRK13_m_tau_a": (17.0752, "p1tmkir"),
    "IRK13_m_tau_b": (-17.8258, "p2tmkir"),
    "IRK13_m_tau_c": (20.3154, "p3tmkir"),
    "IRK13_m_tau_d": (-43.4414, "p4tmkir"),
    "IRK13_m_tau_e": (11.1691, "p5tmkir"),
    "IRK13_m_tau_f": (3.8329, "p6tmkir"),
    # UNC-103 (unc103.mod): product time constants
    "UNC103_m_inf_Veq": (-15.1, "va"),
    "UNC103_m_inf_ka": (7.85, "ka"),
    "UNC103_h_inf_Veq": (-48.0, "vi"),
    "UNC103_h_inf_ki": (28.0, "ki"),
    "UNC103_m_tau_a": (87.4088, "tm1"),
    "UNC103_m_tau_b": (-28.3339, "tm2"),
    "UNC103_m_tau_c": (13.0998, "tm3"),
    "UNC103_m_tau_d": (0.2562, "tm4"),
    "UNC103_h_tau_a": (8.1559, "th1"),
    "UNC103_h_tau_b": (-25.289, "th2"),
    "UNC103_h_tau_c": (29.5074, "th3"),
    "UNC103_h_tau_d": (0.23, "th4"),
    # KQT1 (kqt1.mod)
    "KQT1_m_inf_Veq": (-17.6053, "va"),
    "KQT1_m_inf_ka": (9.5843, "ka"),
    "KQT1_s_inf_Veq_a": (-86.84, "s2"),
    "KQT1_s_inf_ks_a": (15.05, "s3"),
    "KQT1_s_inf_a": (0.41, "s1"),
    "KQT1_s_inf_Veq_b": (70.13, "s5"),
    "KQT1_s_inf_ks_b": (13.37, "s6"),
    "KQT1_s_inf_b": (0.59, "s4"),
    "KQT1_m_tau_a": (895.9, "p2tmkqt1"),
    "KQT1_m_tau_b": (-18.01, "p3tmkqt1"),
    "KQT1_m_tau_c": (31.04, "p4tmkqt1"),
    "KQT1_m_tau_d": (10.0, "p1tmkqt1"),
    "KQT1_s_tau_a": (185845.0, "p2tskqt1"),
    "KQT1_s_tau_b": (39.44, "p3tskqt1"),
    "KQT1_s_tau_c": (7.34, "p4tskqt1"),
    "KQT1_s_tau_d": (1077.0, "p1tskqt1"),
    # EXP-2 (exp2.mod): m h^2, product time constants
    "EXP2_m_inf_Veq": (-17.0, "va_exp2"),
    "EXP2_m_inf_ka": (6.5, "ka_exp2"),
    "EXP2_h_inf_Veq": (-50.0, "vi_exp2"),
    "EXP2_h_inf_ki": (10.0, "ki_exp2"),
    "EXP2_m_tau_a": (40.0, "ptm1_exp2"),
    "EXP2_m_tau_b": (-20.5284, "ptm2_exp2"),
    "EXP2_m_tau_c": (4.7071, "ptm3_exp2"),
    "EXP2_m_tau_d": (2.4025, "ptm4_exp2"),
    "EXP2_h_tau_a": (1.279, "pth1_exp2"),
    "EXP2_h_tau_b": (-89.0175, "pth2_exp2"),
    "EXP2_h_tau_c": (49.3492, "pth3_exp2"),
    "EXP2_h_tau_d": (0.8739, "pth4_exp2"),
    # SLO-1 (slo1iso/slo1egl19/slo1unc2.mod), NEURON-rounded
    "SLO1_wyx": (0.012643, "wyx"),
    "SLO1_wxy": (-0.027527, "wxy"),
    "SLO1_w0_neg": (3.15296, "wom 3.152961 (NEURON-rounded)"),
    "SLO1_w0_pos": (0.156217, "wop"),
    "SLO1_Kxy": (55.7262, "kxy (NEURON-rounded)"),
    "SLO1_nxy": (1.2992, "nxy (NEURON-rounded)"),
    "SLO1_Kyx": (34.3388, "kyx (NEURON-rounded)"),
    "SLO1_nyx": (1e-4, "nyx 0.0001"),
    # SLO-2 (slo2iso/slo2egl19/slo2unc2.mod)
    "SLO2_wyx": (0.019405, "wyx1"),
    "SLO2_wxy": (-0.024123, "wxy1"),
    "SLO2_w0_neg": (0.896395, "wom1"),
    "SLO2_w0_pos": (0.026719, "wop1"),
    "SLO2_Kxy": (93.4494, "kxy1 (NEURON-rounded)"),
    "SLO2_nxy": (1.83507, "nxy1 (NEURON-rounded)"),
    "SLO2_Kyx": (3294.55, "kyx1 (NEURON-rounded)"),
    "SLO2_nyx": (1e-5, "nyx1 0.00001"),
    # EGL-19 (egl19.mod): shift 10 mV everywhere; tau_h = 0.4*(...)
    "EGL19_m_inf_Veq": (-4.4, "va_egl19 5.6 - shift 10"),
    "EGL19_m_inf_ka": (7.5, "ka_egl19"),
    "EGL19_h_inf_Veq": (14.8573, "p2hegl19 24.8573 - 10"),
    "EGL19_h_inf_ki": (11.9541, "p3hegl19"),
    "EGL19_h_inf_Veq_b": (-20.5428, "p6hegl19 -10.5428 - 10"),
    "EGL19_h_inf_ki_b": (8.0552, "p7hegl19"),
    "EGL19_h_inf_a": (1.4314, "p1hegl19"),
    "EGL19_h_inf_b": (0.1427, "p4hegl19"),
    "EGL19_h_inf_c": (5.9589, "p5hegl19"),
    "EGL19_h_inf_d": (0.6038, "p8hegl19"),
    "EGL19_m_tau_a": (2.9324, "pdg2"),
    "EGL19_m_tau_b": (-4.7643, "pdg3 5.2357 - 10"),
    "EGL19_m_tau_c": (6.0, "pdg4"),
    "EGL19_m_tau_d": (1.8739, "pdg5"),
    "EGL19_m_tau_e": (-8.607, "pdg6 1.393 - 10"),
    "EGL19_m_tau_f": (30.0, "pdg7"),
    "EGL19_m_tau_g": (2.3359, "pdg1"),
    "EGL19_h_tau_a": (0.4, "pds1"),
    "EGL19_h_tau_b": (0.55 * 81.1179, "pds2 * pds3"),
    "EGL19_h_tau_c": (-32.9723, "pds4 -22.9723 - 10"),
    "EGL19_h_tau_d": (5.0, "pds5"),
    "EGL19_h_tau_e": (0.9 * 40.4885, "pds7 * pds8"),
    "EGL19_h_tau_f": (18.7251, "pds9 28.7251 - 10"),
    "EGL19_h_tau_g": (3.7125, "pds10"),
    "EGL19_h_tau_h": (43.0937, "pds6 (+ pds11 = 0)"),
    # UNC-2 (unc2.mod): shifts 25 (inf) / 30 (tau) mV; tau_m *3; tau_h *1.7
    "UNC2_m_inf_Veq": (-37.17, "va_unc2 -12.17 - 25"),
    "UNC2_m_inf_ka": (3.97, "ka_unc2"),
    "UNC2_h_inf_Veq": (-77.47, "vi_unc2 -52.47 - 25"),
    "UNC2_h_inf_ki": (5.6, "ki_unc2"),
    "UNC2_m_tau_a": (1.4969 * 3, "p1tmunc2 * 3"),
    "UNC2_m_tau_b": (-38.1761, "p2tmunc2 -8.1761 - 30"),
    "UNC2_m_tau_c": (9.0753, "p3tmunc2"),
    "UNC2_m_tau_d": (15.3456, "p4tmunc2"),
    "UNC2_m_tau_e": (0.1029 * 3, "p5tmunc2 * 3"),
    "UNC2_h_tau_a": (83.8037 * 1.7, "p1thunc2 * 1.7"),
    "UNC2_h_tau_b": (22.8997, "p2thunc2 52.8997 - 30"),
    "UNC2_h_tau_c": (-3.4557, "-p3thunc2"),
    "UNC2_h_tau_d": (72.0995 * 1.7, "p4thunc2 * 1.7"),
    "UNC2_h_tau_e": (-6.0991, "p5thunc2 23.9009 - 30"),
    "UNC2_h_tau_f": (-3.5903, "-p6thunc2"),
    # CCA-1 (cca1.mod): m^2 h; shifts 15/30/15 mV; slope factors 1.4, 1.15, 1.7, 1.1; tau *0.5, *0.08
    "CCA1_m_inf_Veq": (-57.65, "va_cca1 -42.65 - 15"),
    "CCA1_m_inf_ka": (1.7 * 1.4, "ka_cca1 * fcca"),
    "CCA1_h_inf_Veq": (-73.0, "vi_cca1 -58 - 15"),
    "CCA1_h_inf_ki": (7.0 * 1.15, "ki_cca1 * f2cca1"),
    "CCA1_m_tau_a": (40.0 * 0.5, "p1tmcca1 * 0.5"),
    "CCA1_m_tau_b": (-92.5393, "p2tmcca1 -62.5393 - 30"),
    "CCA1_m_tau_c": (-12.4758 * 1.7, "p3tmcca1 * f3ca"),
    "CCA1_m_tau_d": (0.6947 * 0.5, "p4tmcca1 * 0.5"),
    "CCA1_h_tau_a": (280.0 * 0.08, "p1thcca1 * 0.08"),
    "CCA1_h_tau_b": (-75.7312, "p2thcca1 -60.7312 - 15"),
    "CCA1_h_tau_c": (8.5224 * 1.1, "p3thcca1 * f4ca"),
    "CCA1_h_tau_d": (19.7456 * 0.08, "p4thcca1 * 0.08"),
    # conductances: the table's defaults (the RIM model) except EGL-19 / UNC-2, swapped there
    "EGL19_g": (0.3307, "RIM model (Nicoletti 2024): the table swaps EGL19_g and UNC2_g"),
    "UNC2_g": (0.1, "RIM model (Nicoletti 2024): the table swaps EGL19_g and UNC2_g"),
}

#: parameters the .mod forms need that the generic table lacks (all fixed by default)
ADDED = [
    # name, default, unit, role, note
    ("SHL1_hf_frac", 0.8, "", "kinetic_fixed", "shl1.mod a: I = g m (a hf + (1-a) hs)"),
    (
        "SLO1_CaV_EGL19_frac",
        1.0,
        "",
        "kinetic_fixed",
        "share of SLO1_CaV_g on EGL-19-coupled complexes (rest: UNC-2-coupled); "
        "the .mod files have separate slo1egl19 / slo1unc2 mechanisms",
    ),
    ("SLO2_CaV_EGL19_frac", 1.0, "", "kinetic_fixed", "as SLO1_CaV_EGL19_frac, for SLO-2"),
    (
        "Ca_bkg_uM",
        0.05,
        "uM",
        "kinetic_fixed",
        "background [Ca2+]: slo*iso read cai = 5e-5 mM (NEURON default); 'fondo'/'bkg' of the coupled .mod files",
    ),
    ("Ca_nano_gsc_pS", 40.0, "pS", "kinetic_fixed", "single CaV channel conductance (gsc)"),
    ("Ca_nano_r_nm", 13.0, "nm", "kinetic_fixed", "CaV-SLO distance (r)"),
    ("Ca_nano_D_um2s", 250.0, "um2/s", "kinetic_fixed", "Ca2+ diffusion coefficient (d)"),
    ("Ca_nano_kb_uMs", 500.0, "1/(uM s)", "kinetic_fixed", "buffer binding rate (kb = 500e6 /M/s)"),
    ("Ca_nano_B_uM", 30.0, "uM", "kinetic_fixed", "buffer concentration (b = 30e-6 M)"),
    # calcium pool (cadiff.mod) with E_Ca from Nernst; off by default (constant VCa, EP-GAN's model)
    (
        "Ca_pool",
        0.0,
        "",
        "kinetic_fixed",
        "calcium handling switch: 0 = constant E_Ca (VCa) and cai = Ca_bkg_uM; 1 = cadiff pool (Ca_F, Ca_d, "
        "Ca_Beta, dCa2_0, Ca_floor_mM, Ca_area_um2) with E_Ca = Nernst(Ca_o_mM, Ca_T_degC) every step",
    ),
    ("Ca_floor_mM", 1e-4, "mM", "kinetic_fixed", "cadiff.mod: ca = max(1e-4, ca) after every update"),
    (
        "Ca_area_um2",
        103.34,
        "um2",
        "kinetic_fixed",
        "membrane area converting the calcium current (pA) to cadiff's density (default: the RIM cell)",
    ),
    ("Ca_o_mM", 2.0, "mM", "kinetic_fixed", "extracellular [Ca2+] of the Nernst E_Ca (NEURON cao0_ca_ion)"),
    ("Ca_T_degC", 6.3, "degC", "kinetic_fixed", "temperature of the Nernst E_Ca (NEURON's default celsius)"),
]

CONDUCTANCES = [
    "SHL1_g",
    "SHK1_g",
    "EGL2_g",
    "IRK13_g",
    "UNC103_g",
    "KQT1_g",
    "EXP2_g",
    "SLO1_g",
    "SLO1_CaV_g",
    "SLO2_g",
    "SLO2_CaV_g",
    "EGL19_g",
    "UNC2_g",
    "CCA1_g",
    "NCA_g",
    "LEAK_g",
]
REVERSALS = ["VK", "VCa", "VNa", "VLEAK"]
UNUSED = ["Ca_A"]
#: cadiff.mod's constants, used by the calcium pool (Ca_pool = 1) and fixed
CA_POOL = ["Ca_F", "Ca_d", "Ca_Beta", "dCa2_0"]


def _role(name: str, trainable: bool) -> str:
    if name in CONDUCTANCES:
        return "conductance"
    if name in REVERSALS:
        return "reversal"
    if name == "C":
        return "capacitance"
    if name == "V0":
        return "V0"
    if name in CA_POOL:
        return "kinetic_fixed"
    if name.endswith("_0"):
        return "initial"
    if name in UNUSED:
        return "unused"
    return "kinetic" if trainable else "kinetic_fixed"


def build_table(generic: pd.DataFrame) -> pd.DataFrame:
    need = {
        "index",
        "name",
        "default",
        "unit",
        "trainable",
        "sample_lower_large",
        "sample_upper_large",
        "sample_lower_small",
        "sample_upper_small",
    }
    missing = need - set(generic.columns)
    if missing:
        raise ValueError(f"generic table lacks columns {sorted(missing)}")
    rows = []
    for r in generic.itertuples(index=False):
        name = r.name
        trainable = bool(r.trainable)
        role = _role(name, trainable)
        gdef = float(r.default)
        if name in MOD:
            default, how = MOD[name]
            source = MOD_SRC + ": " + how
        else:
            default, source = gdef, "EP-GAN generic table (generic_params.csv)"
        default = float(default)
        if role == "kinetic":
            lo_l, hi_l = sorted((default * 0.5, default * 1.5))
            lo_s = hi_s = default
        elif role in ("conductance", "reversal", "capacitance", "V0", "initial"):
            lo_l, hi_l = float(r.sample_lower_large), float(r.sample_upper_large)
            lo_s, hi_s = float(r.sample_lower_small), float(r.sample_upper_small)
            if not (lo_l <= default <= hi_l):
                # e.g. initial states (default 0 outside the sampled (0.001, 0.999)); keep as is
                pass
        else:
            lo_l = hi_l = lo_s = hi_s = default
        dev = ""
        if not np.isclose(default, gdef, rtol=1e-3, atol=1e-9):
            dev = f"generic default {gdef:g} -> {default:g}"
        if name in ("SLO1_nyx", "SLO2_nyx"):
            dev = f"generic '10e-{4 if name == 'SLO1_nyx' else 5}' parses as {gdef:g}; .mod {default:g}"
        rows.append(
            dict(
                name=name,
                default=default,
                unit=r.unit if isinstance(r.unit, str) else "",
                role=role,
                free_large=trainable,
                free_small=trainable and role != "kinetic",
                lo_large=lo_l,
                hi_large=hi_l,
                lo_small=lo_s,
                hi_small=hi_s,
                generic_index=int(r.index),
                generic_default=gdef,
                deviation=dev,
                source=source,
            )
        )
    for name, default, unit, role, note in ADDED:
        rows.append(
            dict(
                name=name,
                default=default,
                unit=unit,
                role=role,
                free_large=False,
                free_small=False,
                lo_large=default,
                hi_large=default,
                lo_small=default,
                hi_small=default,
                generic_index=-1,
                generic_default=np.nan,
                deviation="added (not in the generic table)",
                source=MOD_SRC + ": " + note,
            )
        )
    df = pd.DataFrame(rows)
    assert df.free_large.sum() == 175 and df.free_small.sum() == 47, (df.free_large.sum(), df.free_small.sum())
    return df


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print(__doc__)
        raise SystemExit(2)
    df = build_table(pd.read_csv(argv[0]))
    df.to_csv(argv[1], index=False, float_format="%.10g")
    print(
        f"wrote {argv[1]}: {len(df)} parameters, {df.free_large.sum()} free (large), "
        f"{df.free_small.sum()} free (small), {(df.deviation != '').sum()} deviations"
    )


if __name__ == "__main__":
    main()
