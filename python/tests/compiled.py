"""Helpers for tests that compile IR and run it through the runtime."""
import math
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("PHALANX_BUILD_DIR", ROOT / "build"))


def have_toolchain():
    return (BUILD / "bin" / "phalanx-compile").exists() and (
        BUILD / "lib" / "libphalanx_rt.so").exists()


needs_build = pytest.mark.skipif(not have_toolchain(),
                                 reason="phalanx-compile / libphalanx_rt not built")


def setup_env(tmp_cache):
    os.environ.setdefault("PHALANX_BUILD_DIR", str(BUILD))
    os.environ.setdefault("PHALANX_RT_LIB", str(BUILD / "lib" / "libphalanx_rt.so"))
    os.environ["PHALANX_CACHE_DIR"] = str(tmp_cache)


def setup_gpu_env(tmp_path_factory, name):
    """Env of the GPU tests: the build's runtime and compiler unless set, and
    an artifact cache of their own unless $PHALANX_CACHE_DIR is given (a
    carried cache on a GPU machine without the compiler)."""
    os.environ.setdefault("PHALANX_BUILD_DIR", str(BUILD))
    os.environ.setdefault("PHALANX_RT_LIB", str(BUILD / "lib" / "libphalanx_rt.so"))
    if "PHALANX_CACHE_DIR" not in os.environ:
        os.environ["PHALANX_CACHE_DIR"] = str(tmp_path_factory.mktemp(name))


def layer_weights(rng, dim, heads, kv, D, dtype):
    """Random phalanx.layer weights in the op's layout ([in, out]), normal /
    sqrt(fan_in) so the gates are not saturated, rounded to `dtype`."""
    from phalanx.reference import round_to

    def w(fan_in, *shape):
        return round_to(rng.standard_normal(shape) / math.sqrt(fan_in), dtype)
    return dict(wa=w(dim, dim, heads), ba=w(dim, heads), wb=w(dim, dim, kv * D),
                bb=w(dim, kv * D), wc=w(dim, dim, kv * D), bc=w(dim, kv * D),
                wv=w(dim, dim, heads * D), wo=w(heads * D, heads * D, dim))


def random_gates(rng, shape, special=False):
    a = rng.uniform(0.05, 0.999, shape)
    if special:  # exact 0 and 1 gates are legal
        mask = rng.random(shape)
        a[mask < 0.03] = 0.0
        a[mask > 0.97] = 1.0
    return a
