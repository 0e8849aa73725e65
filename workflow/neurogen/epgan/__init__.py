"""EP-GAN (Kim et al., eLife 2024): inferring Hodgkin–Huxley parameters from membrane-potential
responses and steady-state I–V curves. Networks (:mod:`.nets`), losses (:mod:`.losses`),
training (:mod:`.train`), inference, selection and evaluation (:mod:`.evaluate`), recorded
neurons (:mod:`.recorded`). The HH model is reached only through :class:`.backend.HHBackend`."""

from .config import TrainConfig

__all__ = ["TrainConfig"]
