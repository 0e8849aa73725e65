"""Published neurons as named parameter sets with their protocols (Nicoletti et al. 2024, repository
martinanicoletti92/CelegansInterMotorNeuronsModels @ 84726a7, run as NEURON runs the authors'
scripts: start at -65 mV with every gate at rest, fixed-step backward Euler).

    from neurogen.hh import load_neuron
    rim = load_neuron("RIM")
    V = rim.simulate_iclamp()                         # [1, 11, T] mV on a 1 ms grid, dt 0.025 ms
    vb6 = load_neuron("VB6")                          # motor neuron with a cadiff calcium pool
    r = vb6.simulate_vclamp(device="cuda")            # dict: I_ss, I_peak [1, 14] pA
    p = vb6.params(n=1000)                            # a batch, e.g. to perturb and simulate

A neuron is a ``NeuronSpec``: parameter values that differ from the table's defaults (every
conductance it does not list is 0), the gates' states at t = 0 where they are not the steady
state at ``V_init_mV``, and its current- and voltage-clamp protocols. ``reference.py`` builds the
same object from a NEURON reference folder (params JSON + CSVs); a test checks the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from neurogen import NeurogenError

#: every conductance of the model: a neuron sets those it has, the rest are 0
CONDUCTANCES = (
    "SHL1_g",
    "SHK1_g",
    "EGL2_g",
    "IRK13_g",
    "UNC103_g",
    "KQT1_g",
    "EXP2_g",
    "SLO1_g",
    "SLO2_g",
    "SLO1_CaV_g",
    "SLO2_CaV_g",
    "EGL19_g",
    "UNC2_g",
    "CCA1_g",
    "NCA_g",
    "LEAK_g",
)


@dataclass
class NeuronSpec:
    """One neuron: parameter values, initial state and protocols (times ms, mV, pA)."""

    name: str
    values: dict  # parameter -> value (conductances not listed are 0)
    iclamp: dict  # delay_ms, dur_ms, tstop_ms, amplitudes_pA, dt_ms
    vclamp: dict  # hold_mV, t_on_ms, t_step_ms, tstop_ms, clamp_off_ms, levels_mV,
    # dt_ms, ss_ms, peak_ms, n_peak_min
    init_gates: dict = field(default_factory=dict)  # gate -> state at t = 0 (others: rest at V_init)
    V_init_mV: float = -65.0
    source: str = ""

    def params(self, space=None, n: int | None = None) -> np.ndarray:
        """The full parameter vector [P] (or n copies, [n, P]) in ``space`` (default: large)."""
        from neurogen.hh.model import load_space

        space = space or load_space("large")
        vals = {g: 0.0 for g in CONDUCTANCES}
        vals.update(self.values)
        try:
            p = space.with_values(**vals)
        except NeurogenError as e:
            raise NeurogenError(f"neuron {self.name}: {e}") from e
        return p if n is None else np.repeat(p[None], int(n), axis=0)

    def initial_gates(self, p_full, model=None):
        """[N, 25] gate states at t = 0: rest at V_init_mV, then the listed states."""
        import torch

        from neurogen.hh.channels import GATE_NAMES
        from neurogen.hh.model import _default_model

        model = model or _default_model()
        p = torch.as_tensor(np.atleast_2d(np.asarray(p_full, float)))
        with torch.no_grad():
            st = model.init_state(p, torch.full((p.shape[0],), float(self.V_init_mV), dtype=p.dtype)).numpy()
        for g, v in self.init_gates.items():
            if g not in GATE_NAMES:
                raise NeurogenError(f"neuron {self.name}: initial state for unknown gate {g!r}")
            st[:, GATE_NAMES.index(g)] = float(v)
        return st

    def simulate_iclamp(
        self,
        p_full=None,
        *,
        dt_ms=None,
        record_ms=None,
        amplitudes_pA=None,
        model=None,
        device=None,
        dtype=None,
        return_cai=False,
        **kw,
    ):
        """The neuron's current clamp: V [N, S, T] mV (record_ms default: 1 ms grid, 0..tstop)."""
        import torch

        from neurogen.hh.model import simulate

        ic = self.iclamp
        p = self.params() if p_full is None else p_full
        dt = float(dt_ms or ic["dt_ms"])
        rec = np.arange(0.0, ic["tstop_ms"] + 1e-9, 1.0) if record_ms is None else np.asarray(record_ms, float)
        return simulate(
            np.atleast_2d(p),
            ic["amplitudes_pA"] if amplitudes_pA is None else amplitudes_pA,
            t_total_ms=ic["tstop_ms"],
            step_ms=(ic["delay_ms"], ic["delay_ms"] + ic["dur_ms"]),
            record_ms=rec,
            dt_ms=dt,
            init=self.initial_gates(p, model),
            V_init_mV=self.V_init_mV,
            v_update="implicit",
            model=model,
            device=device,
            dtype=dtype or torch.float64,
            return_cai=return_cai,
            **kw,
        )

    def simulate_vclamp(
        self, p_full=None, *, dt_ms=None, record_ms=None, levels_mV=None, model=None, device=None, dtype=None
    ):
        """The neuron's voltage clamp (model.voltage_clamp): dict with I_ss, I_peak [N, K] pA and,
        with record_ms, the traces I, V, cai [N, K, T]."""
        import torch

        from neurogen.hh.model import voltage_clamp

        vc = self.vclamp
        p = self.params() if p_full is None else p_full
        return voltage_clamp(
            np.atleast_2d(p),
            vc["levels_mV"] if levels_mV is None else levels_mV,
            hold_mV=vc["hold_mV"],
            t_on_ms=vc["t_on_ms"],
            t_step_ms=vc["t_step_ms"],
            t_stop_ms=vc["tstop_ms"],
            clamp_off_ms=vc.get("clamp_off_ms"),
            dt_ms=float(dt_ms or vc["dt_ms"]),
            V_init_mV=self.V_init_mV,
            init=self.initial_gates(p, model),
            record_ms=record_ms,
            ss_ms=vc["ss_ms"],
            peak_ms=vc["peak_ms"],
            n_peak_min=vc.get("n_peak_min"),
            model=model,
            device=device,
            dtype=dtype or torch.float64,
        )


def _vclamp(t_on, t_step, levels, n_peak_min=7, ss=None, peak=None):
    return dict(
        hold_mV=-60.0,
        t_on_ms=t_on,
        t_step_ms=t_step,
        tstop_ms=1700.0,
        clamp_off_ms=None,
        levels_mV=[float(v) for v in levels],
        dt_ms=0.0125,
        ss_ms=ss or (t_on + t_step - 50.0, t_on + t_step - 1.0),
        peak_ms=peak or (t_on, t_on + 100.0),
        n_peak_min=n_peak_min,
    )


_AMPS_RIM = [float(a) for a in range(-15, 40, 5)]
_SRC = (
    "Nicoletti et al. 2024, martinanicoletti92/CelegansInterMotorNeuronsModels@84726a7 "
    "(*_simulation*.py conductances via g_to_Scm2; NEURON 9 defaults: v_init -65 mV, dt on the 40/ms grid)"
)

#: the published neurons (g in nS as the scripts compute them from their S/cm2 and area)
PUBLISHED = {
    "RIM": NeuronSpec(
        "RIM",
        values=dict(
            SHL1_g=0.9350978319574788,
            EGL2_g=0.14587932043062982,
            IRK13_g=0.33821679859626325,
            CCA1_g=0.8734213928323223,
            UNC2_g=0.10000000000000005,
            EGL19_g=0.33074812969801215,
            LEAK_g=0.10000000000000005,
            VK=-80.0,
            VCa=60.0,
            VLEAK=-50.0,
            C=1.5501,
            SLO1_CaV_EGL19_frac=1.0,
            SLO2_CaV_EGL19_frac=1.0,
            Ca_pool=0.0,
            Ca_area_um2=103.34,
        ),
        iclamp=dict(delay_ms=5000.0, dur_ms=5000.0, tstop_ms=14000.0, amplitudes_pA=_AMPS_RIM, dt_ms=0.025),
        vclamp=_vclamp(1100.0, 500.0, range(-100, 60, 10)),
        source=_SRC,
    ),
    "AIY": NeuronSpec(
        "AIY",
        # E_Ca: NEURON's Nernst value at the default cai (slo1iso reads cai; nothing writes it)
        values=dict(
            EGL19_g=0.10000000000000002,
            SLO1_CaV_g=0.9200000000000003,
            NCA_g=0.06,
            LEAK_g=0.14000000000000004,
            SLO1_g=1.0,
            KQT1_g=0.20000000000000004,
            SHL1_g=0.5,
            VK=-80.0,
            VCa=127.58951061761749,
            VLEAK=-89.57,
            VNa=30.0,
            C=1.05424,
            SLO1_CaV_EGL19_frac=1.0,
            SLO2_CaV_EGL19_frac=1.0,
            Ca_pool=0.0,
            Ca_area_um2=65.89,
        ),
        iclamp=dict(delay_ms=1000.0, dur_ms=5000.0, tstop_ms=11000.0, amplitudes_pA=_AMPS_RIM, dt_ms=0.025),
        vclamp=_vclamp(1100.0, 500.0, range(-120, 60, 10)),
        init_gates={"SLO1_EGL19_m": 4.243646354566338e-06},
        source=_SRC,
    ),
    "VB6": NeuronSpec(
        "VB6",
        # slo1egl19 0.2 + slo1unc2 1 nS, slo2egl19 1.75 + slo2unc2 1 nS; cca1 inserted with g = 0;
        # cadiff pool (depth 0.1 um, beta 1/ms, floor 1e-4 mM), E_Ca by Nernst (cao 2 mM, 6.3 degC)
        values=dict(
            SLO1_CaV_g=1.2,
            SLO1_CaV_EGL19_frac=0.2 / 1.2,
            SLO2_CaV_g=2.75,
            SLO2_CaV_EGL19_frac=1.75 / 2.75,
            SLO1_g=1.0,
            SLO2_g=2.0,
            EGL19_g=0.1,
            UNC2_g=0.1,
            CCA1_g=0.0,
            IRK13_g=1.0,
            SHK1_g=0.4,
            NCA_g=0.03,
            LEAK_g=0.13,
            VK=-80.0,
            VLEAK=-52.0,
            VNa=30.0,
            C=7.8696,
            VCa=127.58951061761749,
            Ca_pool=1.0,
            Ca_F=96485.0,
            Ca_d=0.1,
            Ca_Beta=1.0,
            dCa2_0=1e-4,
            Ca_floor_mM=1e-4,
            Ca_area_um2=524.64,
            Ca_o_mM=2.0,
            Ca_T_degC=6.3,
            Ca_bkg_uM=0.05,
        ),
        iclamp=dict(
            delay_ms=5000.0,
            dur_ms=1000.0,
            tstop_ms=7000.0,
            amplitudes_pA=[float(a) for a in range(-30, 40, 10)],
            dt_ms=0.025,
        ),
        vclamp=_vclamp(1025.0, 600.0, range(-60, 80, 10), ss=(1600.0, 1625.0), peak=(1025.0, 1100.0)),
        init_gates={
            "SLO2_EGL19_m": 2.082553269541722e-06,
            "SLO1_EGL19_m": 4.243646354566338e-06,
            "SLO2_UNC2_m": 1.0966539711300782e-05,
            "SLO1_UNC2_m": 2.2356103300242364e-05,
        },
        source=_SRC,
    ),
}


def load_neuron(name: str) -> NeuronSpec:
    """A published neuron by name (``PUBLISHED``: RIM, AIY, VB6)."""
    if name not in PUBLISHED:
        raise NeurogenError(f"unknown neuron {name!r}; published presets: {sorted(PUBLISHED)}")
    return PUBLISHED[name]
