"""neurogen: synthetic neurons for cell-type classification and EP-GAN inference.

The library imports no Snakemake; the workflow's scripts call it.
"""

__version__ = "0.1.0"


class NeurogenError(ValueError):
    """Bad input or configuration, with a message naming what was wrong."""
