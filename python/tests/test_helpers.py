"""Window parsing/validation, error metric, tolerances, rounding, random inputs, package."""

import math

import ml_dtypes
import numpy as np
import pytest

import phalanx
from phalanx.reference import Window, random_scan_inputs, rel_error, round_to, tolerance


def test_package_exports():
    assert phalanx.__version__ == "0.1.0"
    for name in ("Window", "swr_scan", "phalanx_layer", "rel_error"):
        assert hasattr(phalanx, name)
    # importing phalanx must not load the runtime (it needs a built native library)
    import os
    import subprocess
    import sys

    code = "import sys, phalanx; assert 'phalanx.runtime' not in sys.modules"
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(phalanx.__file__)))
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def test_window_parse_and_validate():
    W = Window.parse("block=16,hops=1,segment=inf")
    assert (W.block, W.hops, W.segment) == (16, 1, math.inf)
    assert W == Window(16, 1, math.inf)
    assert str(W) == "block=16,hops=1,segment=inf"
    assert Window.parse(str(Window(32, math.inf, 4))) == Window(32, math.inf, 4)
    assert Window.parse("k=2, bl=8, s=3") == Window(8, 2, 3)
    assert Window.parse("block=8").hops == 1
    assert Window.parse("block=4,hops=0,segment=1", strict=False).block == 4
    assert Window.exact().is_exact
    for bad in (3, 4, 256, 0, 12):
        with pytest.raises(ValueError):
            Window(bad, 1, math.inf)
    for bl in (8, 16, 32, 64, 128):
        Window(bl)
    for bl in (1, 2, 3, 5):
        Window(bl, strict=False)
    with pytest.raises(ValueError):
        Window(0, strict=False)
    with pytest.raises(ValueError):
        Window(8, -1)
    with pytest.raises(ValueError):
        Window(8, 1, 0)
    with pytest.raises(ValueError):
        Window(8, 1.5)
    with pytest.raises(TypeError):
        Window(8, True)
    with pytest.raises(ValueError):
        Window.parse("block=8,foo=2")
    with pytest.raises(ValueError):
        Window.parse("hops=2")
    assert Window(8, 2.0, float("inf")).hops == 2


def test_rel_error():
    ref = np.array([3.0, 4.0])
    assert rel_error(ref, ref) == 0.0
    assert rel_error(np.array([3.0, 4.5]), ref) == pytest.approx(0.1)
    assert rel_error(np.array([np.nan, 4.0]), ref) == math.inf
    assert rel_error(ref, np.array([np.nan, 4.0])) == math.inf
    assert rel_error(np.array([np.inf, 4.0]), ref) == math.inf
    assert rel_error(np.zeros(2), np.zeros(2)) == 0.0
    assert rel_error(np.ones(2), np.zeros(2)) == math.inf
    assert rel_error(round_to(ref, "bf16"), ref) == 0.0


def test_tolerance():
    assert tolerance("f32") == 1e-5 and tolerance(np.float32) == 1e-5
    assert tolerance("bf16") == 8e-3 and tolerance(ml_dtypes.bfloat16) == 8e-3
    assert tolerance("f16") == 2e-3 and tolerance(np.float16) == 2e-3
    with pytest.raises(ValueError):
        tolerance("int8")


def test_round_to_bf16_is_nearest_even_from_f64():
    v = np.array([1 + 2**-8 + 2**-30,  # just above a tie: up (f32 double rounding says 1)
                  1 + 2**-8,  # tie, 1 is even: down
                  1 + 3 * 2**-8,  # tie, rounds to the even 1 + 2^-6
                  -(1 + 2**-8 + 2**-30), 0.0, -0.0, np.inf, -np.inf,
                  3.3895313892515355e38,  # max bf16
                  3.4e38,  # overflows
                  2.0**-133, 1.5 * 2.0**-133, 2.0**-135,  # subnormals
                  ])
    r = round_to(v, "bf16")
    assert r.dtype == np.dtype(ml_dtypes.bfloat16)
    f = r.astype(np.float64)
    assert f[0] == 1 + 2**-7
    assert f[1] == 1.0
    assert f[2] == 1 + 2**-6
    assert f[3] == -(1 + 2**-7)
    assert f[4] == 0.0 and f[5] == 0.0 and np.signbit(f[5])
    assert f[6] == np.inf and f[7] == -np.inf
    assert f[8] == 3.3895313892515355e38 and f[9] == np.inf
    assert f[10] == 2.0**-133 and f[11] == 2.0**-132 and f[12] == 0.0
    assert np.isnan(round_to(np.array([np.nan]), "bf16").astype(np.float64)[0])


def test_round_to_bf16_matches_ml_dtypes_from_f32(seeded):
    """For f32 inputs there is no double rounding: agree with ml_dtypes exactly."""
    v = (seeded.rng.standard_normal(10000) * 10.0 ** seeded.rng.integers(-30, 30, 10000)
         ).astype(np.float32)
    ours = round_to(v, "bf16").astype(np.float32)
    theirs = v.astype(ml_dtypes.bfloat16).astype(np.float32)
    assert np.array_equal(ours, theirs), seeded.msg


def test_round_to_f16_f32():
    assert round_to(np.array([1 + 2**-11 + 2**-40]), "f16").astype(np.float64)[0] == 1 + 2**-10
    assert round_to(np.array([0.1]), "f32").dtype == np.float32
    assert round_to(np.array([1e6]), "f16")[0] == np.inf
    with pytest.raises(ValueError):
        round_to(np.ones(2), "int8")


def test_random_scan_inputs(seeded):
    d = random_scan_inputs(seeded.rng, 2, 3, 4, 100, "bf16", resets=True, init=True,
                           special_gates=True)
    assert d["a"].shape == (2, 3, 100) and d["x"].shape == (2, 3, 4, 100)
    assert d["resets"].shape == (2, 100) and d["resets"].dtype == bool
    assert d["init"].shape == (2, 3, 4)
    a = d["a"].astype(np.float64)
    assert np.all((a >= 0) & (a <= 1))
    assert np.any(a == 0) and np.any(a == 1)
    d = random_scan_inputs(seeded.rng, 1, 1, 1, 1000, "f32")
    a = d["a"].astype(np.float64)
    assert np.all((a > 0) & (a < 1)) and d["resets"] is None and d["init"] is None
