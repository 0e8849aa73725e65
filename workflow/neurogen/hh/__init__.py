"""Hodgkin-Huxley model of C. elegans non-spiking neurons (Nicoletti et al. 2019, 2024) and
EP-GAN's training-data generation.

    from neurogen.hh import load_space, Model, steady_state_iv, simulate_cclamp, PROTOCOL
"""

from neurogen.hh.model import (  # noqa: F401
    PROTOCOL,
    Model,
    ParamSpace,
    Protocol,
    load_space,
    simulate,
    simulate_cclamp,
    simulate_vclamp,
    steady_state_iv,
    voltage_clamp,
)
from neurogen.hh.neurons import PUBLISHED, NeuronSpec, load_neuron  # noqa: F401,E402
