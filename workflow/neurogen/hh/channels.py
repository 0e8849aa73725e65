"""The channel models, defined once, as expression strings over parameter names.

Every backend uses these definitions: the torch simulator and the steady-state I-V evaluate
them with torch functions, the Brian 2 backend pastes them into its equation strings.
Units: V mV, time ms, conductance nS, current pA, capacitance pF, [Ca2+] uM.
Expressions use ``exp``, ``log``, ``sqrt``, ``abs`` and ``**``; ``V`` is the membrane potential;
a gate name (e.g. ``EGL19_m``) is that gate's state.

Sources: the NEURON .mod files of Nicoletti et al. (PLoS ONE 2019; 2024), repository
martinanicoletti92/CelegansInterMotorNeuronsModels; each file's fixed shifts and scale factors
are folded into the parameters (resources/hh/params.csv says how, per parameter).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Gate:
    name: str  # state variable
    init: str  # parameter holding its value at t = 0 (EP-GAN's initial conditions)
    inf: str  # steady state
    tau: str  # time constant (ms)


@dataclass(frozen=True)
class Current:
    name: str
    g: str  # conductance expression (nS)
    gating: str  # open fraction
    E: str  # reversal potential parameter (mV)


def _up(p):  # increasing Boltzmann
    return f"1/(1+exp(-(V-{p}_Veq)/{p}_ka))"


def _down(p, k="ki"):
    return f"1/(1+exp((V-{p}_Veq)/{p}_{k}))"


def _bell(p):  # a/(e^{-(V-b)/c} + e^{(V-d)/e}) + f
    return f"{p}_a/(exp(-(V-{p}_b)/{p}_c)+exp((V-{p}_d)/{p}_e))+{p}_f"


def _prod(p):  # (a/(1+e^{(V-b)/c}) + d) (a/(1+e^{-(V-b)/c}) + d)
    return f"({p}_a/(1+exp((V-{p}_b)/{p}_c))+{p}_d)*({p}_a/(1+exp(-(V-{p}_b)/{p}_c))+{p}_d)"


def _sig_down(p):  # a/(1+e^{(V-b)/c}) + d
    return f"{p}_a/(1+exp((V-{p}_b)/{p}_c))+{p}_d"


def _sig_up(p):  # a/(1+e^{-(V-b)/c}) + d
    return f"{p}_a/(1+exp(-(V-{p}_b)/{p}_c))+{p}_d"


# Nanodomain [Ca2+] (uM) next to one open CaV channel (slo*egl19/slo*unc2.mod, 'calcium(v)'):
# |i_sc| / (8 pi r D F) * exp(-r / sqrt(D / (kb B))) + background; pi = 3.14 as in the .mod files.
CA_NANO = (
    "abs(Ca_nano_gsc_pS*1e-12*(V-ECa_nano)*1e-3)/(8*3.14*Ca_nano_r_nm*1e-9*Ca_nano_D_um2s*1e-12*96485.33212)"
    "*exp(-Ca_nano_r_nm*1e-9/sqrt(Ca_nano_D_um2s*1e-12/(Ca_nano_kb_uMs*1e6*Ca_nano_B_uM*1e-6)))*1e3"
    "+Ca_bkg_uM"
)

EGL19_MINF = "1/(1+exp(-(V-EGL19_m_inf_Veq)/EGL19_m_inf_ka))"
EGL19_MTAU = (
    "EGL19_m_tau_a*exp(-((V-EGL19_m_tau_b)/EGL19_m_tau_c)**2)"
    "+EGL19_m_tau_d*exp(-((V-EGL19_m_tau_e)/EGL19_m_tau_f)**2)+EGL19_m_tau_g"
)
UNC2_MINF = "1/(1+exp(-(V-UNC2_m_inf_Veq)/UNC2_m_inf_ka))"
UNC2_MTAU = "UNC2_m_tau_a/(exp(-(V-UNC2_m_tau_b)/UNC2_m_tau_c)+exp((V-UNC2_m_tau_b)/UNC2_m_tau_d))+UNC2_m_tau_e"

#: V-dependent intermediate expressions, evaluated in this order before the gates
SUBEXPRESSIONS = [
    ("EGL19_minf", EGL19_MINF),
    ("EGL19_mtau", EGL19_MTAU),
    ("UNC2_minf", UNC2_MINF),
    ("UNC2_mtau", UNC2_MTAU),
    ("Ca_nano", CA_NANO),
]
for _s in ("SLO1", "SLO2"):
    SUBEXPRESSIONS += [
        # isolated SLO: two-state model at the cell's [Ca2+] cai (slo*iso.mod)
        (f"{_s}_s0", f"1/({_s}_wyx-{_s}_wxy)"),
        (
            f"{_s}_v0",
            f"{_s}_s0*(log({_s}_w0_neg/{_s}_w0_pos)+log(1+({_s}_Kxy/Ca_i_uM)**{_s}_nxy)"
            f"-log(1+(Ca_i_uM/{_s}_Kyx)**{_s}_nyx))",
        ),
        (f"{_s}_iso_inf", f"1/(1+exp(-(V-{_s}_v0)/{_s}_s0))"),
        # CaV-coupled SLO: rates of the three-state reduction (slo*egl19 / slo*unc2.mod)
        (f"{_s}_kcm", f"{_s}_w0_neg*exp(-{_s}_wyx*V)/(1+(Ca_bkg_uM/{_s}_Kyx)**{_s}_nyx)"),
        (f"{_s}_kom", f"{_s}_w0_neg*exp(-{_s}_wyx*V)/(1+(Ca_nano/{_s}_Kyx)**{_s}_nyx)"),
        (f"{_s}_kop", f"{_s}_w0_pos*exp(-{_s}_wxy*V)/(1+({_s}_Kxy/Ca_nano)**{_s}_nxy)"),
    ]
    for _c in ("EGL19", "UNC2"):
        SUBEXPRESSIONS += [
            (f"{_s}_{_c}_alpha", f"{_c}_minf/{_c}_mtau"),
            (f"{_s}_{_c}_beta", f"1/{_c}_mtau-{_s}_{_c}_alpha"),
            (f"{_s}_{_c}_den", f"({_s}_kop+{_s}_kom)*({_s}_kcm+{_s}_{_c}_alpha)+{_s}_{_c}_beta*{_s}_kcm"),
            (f"{_s}_{_c}_tau", f"({_s}_{_c}_alpha+{_s}_{_c}_beta+{_s}_kcm)/{_s}_{_c}_den"),
        ]

GATES = [
    Gate("SHL1_m", "m_SHL1_0", _up("SHL1_m_inf"), _bell("SHL1_m_tau")),
    Gate("SHL1_hf", "dh_SHL1_f_0", _down("SHL1_h_inf", "ka"), _sig_down("SHL1_hf_tau")),
    Gate("SHL1_hs", "dh_SHL1_s_0", _down("SHL1_h_inf", "ka"), _sig_down("SHL1_hs_tau")),
    Gate("SHK1_m", "dm_SHK1_0", _up("SHK1_m_inf"), _bell("SHK1_m_tau")),
    Gate("SHK1_h", "dh_SHK1_0", _down("SHK1_h_inf", "ka"), "SHK1_tau_h+0*V"),
    Gate("EGL2_m", "dm_EGL2_0", _up("EGL2_m_inf"), _sig_down("EGL2_m_tau")),
    Gate("IRK13_m", "dm_IRK13_0", _down("IRK13_m_inf", "ka"), _bell("IRK13_m_tau")),
    Gate("UNC103_m", "dm_UNC103_0", _up("UNC103_m_inf"), _prod("UNC103_m_tau")),
    Gate("UNC103_h", "dh_UNC103_0", _down("UNC103_h_inf"), _prod("UNC103_h_tau")),
    Gate("KQT1_m", "dm_KQT1_0", _up("KQT1_m_inf"), _sig_up("KQT1_m_tau")),
    Gate(
        "KQT1_s",
        "ds_KQT1_0",
        "KQT1_s_inf_a/(1+exp((V-KQT1_s_inf_Veq_a)/KQT1_s_inf_ks_a))"
        "+KQT1_s_inf_b/(1+exp((V-KQT1_s_inf_Veq_b)/KQT1_s_inf_ks_b))",
        "KQT1_s_tau_d+KQT1_s_tau_a/(1+((V-KQT1_s_tau_b)/KQT1_s_tau_c)**2)",
    ),
    Gate("EXP2_m", "dm_EXP2_0", _up("EXP2_m_inf"), _prod("EXP2_m_tau")),
    Gate("EXP2_h", "dh_EXP2_0", _down("EXP2_h_inf"), _prod("EXP2_h_tau")),
    Gate(
        "SLO1_m",
        "dm_SLO1_0",
        "SLO1_iso_inf",
        "exp(SLO1_wxy*V)/SLO1_w0_pos*(1+(SLO1_Kxy/Ca_i_uM)**SLO1_nxy)*SLO1_iso_inf",
    ),
    Gate(
        "SLO2_m",
        "dm_SLO2_0",
        "SLO2_iso_inf",
        "exp(SLO2_wxy*V)/SLO2_w0_pos*(1+(SLO2_Kxy/Ca_i_uM)**SLO2_nxy)*SLO2_iso_inf",
    ),
    # coupled SLO gates read the CaV's activation state (EGL19_m / UNC2_m): order matters
    Gate("EGL19_m", "dm_EGL19_0", "EGL19_minf", "EGL19_mtau"),
    Gate(
        "EGL19_h",
        "dh_EGL19_0",
        "(EGL19_h_inf_a/(1+exp(-(V-EGL19_h_inf_Veq)/EGL19_h_inf_ki))+EGL19_h_inf_b)"
        "*(EGL19_h_inf_c/(1+exp((V-EGL19_h_inf_Veq_b)/EGL19_h_inf_ki_b))+EGL19_h_inf_d)",
        "EGL19_h_tau_a*(EGL19_h_tau_b/(1+exp((V-EGL19_h_tau_c)/EGL19_h_tau_d))"
        "+EGL19_h_tau_e/(1+exp((V-EGL19_h_tau_f)/EGL19_h_tau_g))+EGL19_h_tau_h)",
    ),
    Gate("UNC2_m", "dm_UNC2_0", "UNC2_minf", "UNC2_mtau"),
    Gate(
        "UNC2_h",
        "dh_UNC2_0",
        _down("UNC2_h_inf"),
        "UNC2_h_tau_a/(1+exp(-(V-UNC2_h_tau_b)/UNC2_h_tau_c))+UNC2_h_tau_d/(1+exp((V-UNC2_h_tau_e)/UNC2_h_tau_f))",
    ),
    Gate(
        "SLO1_EGL19_m",
        "dm_SLO1_EGL19_0",
        "EGL19_m*SLO1_kop*(SLO1_EGL19_alpha+SLO1_EGL19_beta+SLO1_kcm)/SLO1_EGL19_den",
        "SLO1_EGL19_tau",
    ),
    Gate(
        "SLO1_UNC2_m",
        "dm_SLO1_UNC2_0",
        "UNC2_m*SLO1_kop*(SLO1_UNC2_alpha+SLO1_UNC2_beta+SLO1_kcm)/SLO1_UNC2_den",
        "SLO1_UNC2_tau",
    ),
    Gate(
        "SLO2_EGL19_m",
        "dm_SLO2_EGL19_0",
        "EGL19_m*SLO2_kop*(SLO2_EGL19_alpha+SLO2_EGL19_beta+SLO2_kcm)/SLO2_EGL19_den",
        "SLO2_EGL19_tau",
    ),
    Gate(
        "SLO2_UNC2_m",
        "dm_SLO2_UNC2_0",
        "UNC2_m*SLO2_kop*(SLO2_UNC2_alpha+SLO2_UNC2_beta+SLO2_kcm)/SLO2_UNC2_den",
        "SLO2_UNC2_tau",
    ),
    Gate("CCA1_m", "dm_CCA1_0", _up("CCA1_m_inf"), _sig_up("CCA1_m_tau")),
    Gate("CCA1_h", "dh_CCA1_0", _down("CCA1_h_inf"), _sig_down("CCA1_h_tau")),
]

CURRENTS = [
    Current("SHL1", "SHL1_g", "SHL1_m*(SHL1_hf_frac*SHL1_hf+(1-SHL1_hf_frac)*SHL1_hs)", "VK"),
    Current("SHK1", "SHK1_g", "SHK1_m*SHK1_h", "VK"),
    Current("EGL2", "EGL2_g", "EGL2_m", "VK"),
    Current("IRK13", "IRK13_g", "IRK13_m", "VK"),
    Current("UNC103", "UNC103_g", "UNC103_m*UNC103_h", "VK"),
    Current("KQT1", "KQT1_g", "KQT1_m*KQT1_s", "VK"),
    Current("EXP2", "EXP2_g", "EXP2_m*EXP2_h**2", "VK"),
    Current("SLO1", "SLO1_g", "SLO1_m", "VK"),
    Current("SLO2", "SLO2_g", "SLO2_m", "VK"),
    Current("SLO1_EGL19", "SLO1_CaV_g*SLO1_CaV_EGL19_frac", "SLO1_EGL19_m*EGL19_h", "VK"),
    Current("SLO1_UNC2", "SLO1_CaV_g*(1-SLO1_CaV_EGL19_frac)", "SLO1_UNC2_m*UNC2_h", "VK"),
    Current("SLO2_EGL19", "SLO2_CaV_g*SLO2_CaV_EGL19_frac", "SLO2_EGL19_m*EGL19_h", "VK"),
    Current("SLO2_UNC2", "SLO2_CaV_g*(1-SLO2_CaV_EGL19_frac)", "SLO2_UNC2_m*UNC2_h", "VK"),
    Current("EGL19", "EGL19_g", "EGL19_m*EGL19_h", "ECa"),
    Current("UNC2", "UNC2_g", "UNC2_m*UNC2_h", "ECa"),
    Current("CCA1", "CCA1_g", "CCA1_m**2*CCA1_h", "ECa"),
    Current("NCA", "NCA_g", "1+0*V", "VNa"),
    Current("LEAK", "LEAK_g", "1+0*V", "VLEAK"),
]

GATE_NAMES = [g.name for g in GATES]

# --------------------------------------------------------------------------- calcium handling
# The channels read three calcium names: ECa (E of the calcium currents), ECa_nano (E in the
# coupled SLOs' nanodomain calcium) and Ca_i_uM (cai, read by the isolated SLOs).
#
# Constant (parameter Ca_pool = 0; EP-GAN's model and NEURON cells without a pool): they are the
# parameters below, fixed for the run (the torch step folds them in as constants).
CALCIUM_CONSTANT = {"ECa": "VCa", "ECa_nano": "VCa", "Ca_i_uM": "Ca_bkg_uM"}
#: names the calcium handling provides (per step in pool mode, CALCIUM_CONSTANT otherwise)
CALCIUM_NAMES = tuple(CALCIUM_CONSTANT)
#
# Pool (Ca_pool = 1; cadiff.mod): a state Ca_pool_mM (starts at dCa2_0; cai itself is Ca_bkg_uM
# at t = 0, as NEURON's cai0 until cadiff first writes it). Once per step, before the gates, with
# I_Ca (pA, inward negative) the total calcium current of the previous step:
#     Ca_pool_mM <- max(Ca_floor_mM, CA_POOL_UPDATE)           (explicit; depends on dt)
#     Ca_i_uM = 1e3 * Ca_pool_mM                               (isolated SLOs' gates read it)
# the gates advance (the nanodomain still with the previous step's E_Ca, ECa_nano), then
#     ECa = CA_NERNST(Ca_i_uM)                                 (this step's calcium currents)
# and ECa_nano takes that value for the next step. The ordering is NEURON's (cadiff registered
# first; eca recomputed from cai when the currents are evaluated). Ca_pool multiplies each pool
# value into the constant one (CA_BLEND), so one batch may mix neurons with and without a pool.
#: cadiff.mod: ca + 1e4 dt (-ica/(2 F depth) - 1e-4 beta ca), ica = I_Ca 1e-9 mA / (area 1e-8 cm2)
CA_POOL_UPDATE = "Ca_pool_mM+1e4*dt*(-(I_Ca*0.1/Ca_area_um2)/(2*Ca_F*Ca_d)-1e-4*Ca_Beta*Ca_pool_mM)"
#: Nernst E_Ca (mV), R = 8.314462618, F = 96485.33212 as NEURON 9
CA_NERNST = "1e3*8.314462618*(273.15+Ca_T_degC)/(2*96485.33212)*log(1e3*Ca_o_mM/Ca_i_uM)"
#: pool value of each calcium name for neurons with Ca_pool = 1, the constant for Ca_pool = 0
CA_BLEND = "{const}+Ca_pool*(({pool})-{const})"
#: the calcium currents are those whose E is ECa (EGL19, UNC2, CCA1): the pool integrates their sum
#: parameters the pool reads
CA_POOL_PARAMETERS = (
    "Ca_pool",
    "Ca_F",
    "Ca_d",
    "Ca_Beta",
    "dCa2_0",
    "Ca_floor_mM",
    "Ca_area_um2",
    "Ca_o_mM",
    "Ca_T_degC",
    "Ca_bkg_uM",
    "VCa",
)
assert len(GATES) == 25
