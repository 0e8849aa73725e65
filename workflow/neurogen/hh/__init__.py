"""Hodgkin-Huxley model of C. elegans non-spiking neurons (Nicoletti et al. 2019, 2024) and
EP-GAN's training-data generation.

    from neurogen.hh import load_space, Model, steady_state_iv, simulate_cclamp, PROTOCOL

The names below are imported on first use (PEP 562): ``import neurogen.hh`` and its torch-free
submodules (``metrics``, ``adapter``, ``table``, ``dataset``, ``neurons``, ...) do not import
torch; :mod:`.model` (parameter space, simulators, steady-state I–V) does.
"""

from typing import TYPE_CHECKING

from neurogen import lazy_exports

if TYPE_CHECKING:  # for static tools; at run time __getattr__ imports on first use
    from neurogen.hh.model import (
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
    from neurogen.hh.neurons import PUBLISHED, NeuronSpec, load_neuron

_EXPORTS = {
    "model": [
        "PROTOCOL",
        "Model",
        "ParamSpace",
        "Protocol",
        "load_space",
        "simulate",
        "simulate_cclamp",
        "simulate_vclamp",
        "steady_state_iv",
        "voltage_clamp",
    ],
    "neurons": ["PUBLISHED", "NeuronSpec", "load_neuron"],
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = [
    "PROTOCOL",
    "Model",
    "ParamSpace",
    "Protocol",
    "load_space",
    "simulate",
    "simulate_cclamp",
    "simulate_vclamp",
    "steady_state_iv",
    "voltage_clamp",
    "PUBLISHED",
    "NeuronSpec",
    "load_neuron",
]
