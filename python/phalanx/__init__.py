"""Phalanx: an MLIR-based compiler for sliding window recurrences (SWR).

This package holds the float64 numpy reference of the SWR semantics
(``spec/swr.md``) and of the Phalanx layer (``spec/phalanx-layer.md``) in
:mod:`phalanx.reference`, and the bindings to the compiled runtime in
:mod:`phalanx.runtime`. The runtime needs a built native library, so it is not
imported here: use ``import phalanx.runtime`` (or ``phalanx.runtime_module()``)
when you need it.
"""

__version__ = "0.1.0"

from .reference import (  # noqa: F401
    SWRStream,
    Window,
    phalanx_layer,
    rel_error,
    round_to,
    swr_scan,
    swr_scan_vjp,
    tolerance,
    transfer_matrix,
)

__all__ = [
    "__version__",
    "Window",
    "swr_scan",
    "swr_scan_vjp",
    "SWRStream",
    "phalanx_layer",
    "rel_error",
    "round_to",
    "tolerance",
    "transfer_matrix",
    "runtime_module",
    "compile",
    "load",
]


def runtime_module():
    """Import and return :mod:`phalanx.runtime` lazily (it loads the native library)."""
    import importlib

    return importlib.import_module(".runtime", __name__)


def compile(text, **options):
    """Compile MLIR text (or a .mlir path) with phalanx-compile and load the
    artifact: see :func:`phalanx.compiler.compile`."""
    from . import compiler

    return compiler.compile(text, **options)


def load(path, device="cpu"):
    """Load a compiled artifact file: see :func:`phalanx.compiler.load`."""
    from . import compiler

    return compiler.load(path, device=device)
