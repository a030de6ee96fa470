"""The vectorized carrier form (swr_scan) against the dense-matrix oracle."""

import math

import ml_dtypes
import numpy as np
import pytest

from phalanx.reference import (
    Window,
    random_scan_inputs,
    rel_error,
    round_to,
    swr_dense,
    swr_scan,
)

HOPS = [0, 1, 2, 3, math.inf]
SEGS = [1, 2, 3, math.inf]
BLOCKS = [2, 4, 8, 16]
TOL = 1e-12


def _check(seeded, window, L, *, resets=False, init=False, transpose=False,
           special=False, B=2, H=2, D=3, dtype="f64"):
    d = random_scan_inputs(seeded.rng, B, H, D, L, dtype, resets=resets, init=init,
                           special_gates=special)
    y = swr_scan(d["a"], d["x"], window, d["resets"], d["init"], transpose=transpose)
    ref = swr_dense(d["a"], d["x"], window, d["resets"], d["init"], transpose=transpose)
    assert y.dtype == np.float64 and y.shape == (B, H, D, L)
    err = rel_error(y, ref)
    assert err <= TOL, f"{window} L={L} transpose={transpose} err={err:.3e} {seeded.msg}"


@pytest.mark.parametrize("block", BLOCKS)
@pytest.mark.parametrize("segment", SEGS)
@pytest.mark.parametrize("hops", HOPS)
def test_forward_vs_oracle(seeded, hops, segment, block):
    W = Window(block, hops, segment, strict=False)
    # L not a multiple of the block, spanning several segments
    L = int(seeded.rng.integers(1, 4)) * block * 2 + int(seeded.rng.integers(1, block + 1)) - 1
    L = max(L, 1)
    if L % block == 0:
        L += 1
    _check(seeded, W, L, resets=True, init=True, special=True)
    _check(seeded, W, L, resets=False, init=False)


@pytest.mark.parametrize("block", BLOCKS)
@pytest.mark.parametrize("segment", SEGS)
@pytest.mark.parametrize("hops", HOPS)
def test_transpose_vs_oracle(seeded, hops, segment, block):
    W = Window(block, hops, segment, strict=False)
    L = 3 * block + int(seeded.rng.integers(1, block + 1)) - 1 + (block == 2)
    _check(seeded, W, L, resets=True, transpose=True, special=True)
    _check(seeded, W, L, transpose=True)


@pytest.mark.parametrize("trial", range(6))
def test_random_shapes(seeded, trial):
    rng = seeded.rng
    block = int(rng.choice([1, 2, 3, 4, 5, 8, 16]))
    hops = rng.choice([0, 1, 2, 3, 5, math.inf])
    seg = rng.choice([1, 2, 3, 4, math.inf])
    W = Window(block, hops, seg, strict=False)
    L = int(rng.integers(1, 70))
    B, H, D = (int(v) for v in rng.integers(1, 4, size=3))
    transpose = bool(rng.integers(0, 2))
    _check(seeded, W, L, resets=bool(rng.integers(0, 2)), init=not transpose and bool(rng.integers(0, 2)),
           transpose=transpose, special=bool(rng.integers(0, 2)), B=B, H=H, D=D)


def test_all_gates_zero_or_one(seeded):
    rng = seeded.rng
    for W in [Window(4, 1, math.inf, strict=False), Window(4, 2, 2, strict=False),
              Window(4, math.inf, math.inf, strict=False), Window(8, 0, 1)]:
        L = 29
        a = rng.integers(0, 2, size=(2, 2, L)).astype(np.float64)
        x = rng.standard_normal((2, 2, 3, L))
        init = rng.standard_normal((2, 2, 3))
        for tr in (False, True):
            y = swr_scan(a, x, W, init=None if tr else init, transpose=tr)
            ref = swr_dense(a, x, W, init=None if tr else init, transpose=tr)
            assert np.all(np.isfinite(y)), seeded.msg
            assert rel_error(y, ref) <= TOL, f"{W} transpose={tr} {seeded.msg}"
    # all ones, exact recurrence: y is the running sum
    a = np.ones((1, 1, 40))
    x = rng.standard_normal((1, 1, 2, 40))
    y = swr_scan(a, x, Window.exact())
    assert np.allclose(y, np.cumsum(x, axis=-1), rtol=1e-13, atol=1e-12), seeded.msg


def test_bf16_and_f16_inputs(seeded):
    W = Window(8, 1, math.inf)
    for dtype, npdt in (("bf16", ml_dtypes.bfloat16), ("f16", np.float16), ("f32", np.float32)):
        d = random_scan_inputs(seeded.rng, 2, 2, 4, 37, dtype, init=True)
        assert d["a"].dtype == np.dtype(npdt) and d["x"].dtype == np.dtype(npdt)
        y = swr_scan(d["a"], d["x"], W, init=d["init"])
        ref = swr_dense(d["a"].astype(np.float64), d["x"].astype(np.float64), W,
                        init=d["init"].astype(np.float64))
        assert y.dtype == np.float64
        assert rel_error(y, ref) <= TOL, f"{dtype} {seeded.msg}"
    # mixed input dtypes
    a = round_to(seeded.rng.uniform(0.1, 0.99, size=(1, 2, 20)), "bf16")
    x = round_to(seeded.rng.standard_normal((1, 2, 4, 20)), "f32")
    assert rel_error(swr_scan(a, x, W), swr_dense(a, x, W)) <= TOL, seeded.msg


def test_input_validation():
    W = Window(8, 1, math.inf)
    a = np.full((1, 1, 10), 0.5)
    x = np.ones((1, 1, 2, 10))
    with pytest.raises(ValueError):
        swr_scan(a, x, W, init=np.zeros((1, 1, 2)), transpose=True)
    with pytest.raises(ValueError):
        swr_scan(a[..., :9], x, W)
    with pytest.raises(ValueError):
        swr_scan(a, x, W, resets=np.zeros((1, 9), bool))
    with pytest.raises(ValueError):
        swr_scan(a, x, W, init=np.zeros((1, 1, 3)))


def test_length_shorter_than_block_and_length_one(seeded):
    for L in (1, 2, 5):
        for W in (Window(8, 1, 1), Window(16, 2, math.inf), Window(8, math.inf, 2)):
            _check(seeded, W, L, resets=True, init=True, special=True)
            _check(seeded, W, L, transpose=True)


@pytest.mark.parametrize("block", [8, 32, 128])
@pytest.mark.parametrize("hops,segment", [(1, math.inf), (2, 2), (math.inf, 3), (0, math.inf),
                                          (1, 1)])
def test_production_blocks_long(seeded, block, hops, segment):
    """Compiler-legal blocks, several hundred tokens, gates close to 1 (long memory)."""
    W = Window(block, hops, segment)
    rng = seeded.rng
    L = int(rng.integers(3 * block, 5 * block)) | 1  # odd: never a multiple of the block
    a = rng.uniform(0.97, 1.0, size=(1, 2, L))
    a[..., rng.integers(0, L, size=3)] = 1.0
    x = rng.standard_normal((1, 2, 4, L))
    init = rng.standard_normal((1, 2, 4))
    resets = rng.uniform(size=(1, L)) < 0.01
    for tr in (False, True):
        y = swr_scan(a, x, W, resets, None if tr else init, transpose=tr)
        ref = swr_dense(a, x, W, resets, None if tr else init, transpose=tr)
        err = rel_error(y, ref)
        assert err <= TOL, f"{W} L={L} transpose={tr} err={err:.3e} {seeded.msg}"
