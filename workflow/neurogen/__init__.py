"""neurogen: synthetic neurons for cell-type classification and EP-GAN inference.

The library imports no Snakemake; the workflow's scripts call it.
"""

__version__ = "0.1.0"


class NeurogenError(ValueError):
    """Bad input or configuration, with a message naming what was wrong."""


def lazy_exports(package: str, exports: dict):
    """PEP 562 ``__getattr__`` and ``__dir__`` for a package that re-exports names of its
    submodules without importing them up front (``import neurogen.hh`` stays cheap; torch,
    scikit-learn or pandas load with the first name that needs them).

    ``exports`` maps submodule (relative to ``package``) -> names; use in the package's
    ``__init__``: ``__getattr__, __dir__ = lazy_exports(__name__, {"model": ["Model", ...]})``.
    """
    import importlib
    import sys

    where = {name: mod for mod, names in exports.items() for name in names}

    def __getattr__(name):
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{where[name]}"), name)
        setattr(sys.modules[package], name, value)  # later look-ups skip __getattr__
        return value

    def __dir__():
        return sorted(set(vars(sys.modules[package])) | set(where))

    return __getattr__, __dir__
