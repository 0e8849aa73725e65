"""A small analytic stand-in for the HH simulator (same attributes as neurogen.fit.simulator)."""

import numpy as np


class ToySimulator:
    """Passive membrane + a sigmoidal K conductance, responses and I–V in closed form.

    Parameters: g_L (nS), E_L (mV), tau (ms), g_K (nS). Step currents at 5–10 s, window 4–11 s.
    """

    names = ["g_L", "E_L", "tau_ms", "g_K"]
    lo = np.array([0.05, -80.0, 50.0, 0.0])
    hi = np.array([1.0, -30.0, 1000.0, 2.0])

    def __init__(self, n_time=140):
        self.time_s = np.linspace(4, 11, n_time)
        self.amplitudes_pA = np.arange(-15, 36, 10, dtype=float)
        self.v_mV = np.linspace(-120, 50, 18)
        self.n_simulated = 0
        self.sim_time_s = 0.0

    def simulate(self, p):
        p = np.atleast_2d(p)
        gL, EL, tau, gK = (p[:, i][:, None, None] for i in range(4))
        t = self.time_s[None, None]
        I = self.amplitudes_pA[None, :, None]
        g = gL + 0.2 * gK  # effective conductance at rest
        on = np.clip(t - 5.0, 0, 5.0) * 1000.0
        off = np.clip(t - 10.0, 0, None) * 1000.0
        dv = I / g * (1 - np.exp(-on / tau)) * np.exp(-off / tau)
        resp = np.broadcast_to(EL, dv.shape) + dv
        v = self.v_mV[None]
        iv = p[:, [0]] * (v - p[:, [1]]) + p[:, [3]] / (1 + np.exp(-(v + 20) / 8)) * (v + 80)
        self.n_simulated += len(p)
        return resp, iv
