"""Compiled swr.scan on the CPU against the float64 reference.

Every test compiles IR with phalanx-compile and runs it through the runtime
(ctypes). Shapes, blocks and inputs are drawn from a fresh seed each run (see
conftest.py: PHALANX_SEED reproduces a failure).
"""
import math

import numpy as np
import pytest

from compiled import needs_build, random_gates, setup_env
from phalanx import ir
from phalanx.reference import Window, rel_error, round_to, swr_scan, tolerance

pytestmark = needs_build

DTYPES = ["bf16", "f16", "f32"]
INF = math.inf


@pytest.fixture(scope="module", autouse=True)
def _env(tmp_path_factory):
    setup_env(tmp_path_factory.mktemp("phx-cache"))


def compile_scan(**kw):
    import phalanx
    sequential = kw.pop("sequential", False)
    return phalanx.compile(ir.scan_module(**kw), sequential=sequential)


def inputs(rng, B, H, D, L, a_dtype, x_dtype, resets=False, init=False, init_dtype="f32"):
    a = round_to(random_gates(rng, (B, H, L), special=True), a_dtype)
    x = round_to(rng.standard_normal((B, H, D, L)), x_dtype)
    args = [a, x]
    r = s = None
    if resets:
        r = rng.random((B, L)) < 0.05
        args.append(r)
    if init:
        s = round_to(rng.standard_normal((B, H, D)), init_dtype)
        args.append(s)
    return args, a, x, r, s


def check(y, ref, y_dtype, msg):
    y = np.asarray(y, dtype=np.float64)
    assert not np.isnan(y).any(), "NaN in output " + msg
    err = rel_error(y, ref)
    assert err <= tolerance(y_dtype), f"rel_err {err:.3e} > {tolerance(y_dtype)} {msg}"
    return err


@pytest.mark.parametrize("a_dtype", DTYPES)
@pytest.mark.parametrize("x_dtype", DTYPES)
@pytest.mark.parametrize("y_dtype", DTYPES)
def test_every_dtype_combination(seeded, a_dtype, x_dtype, y_dtype):
    rng = seeded.rng
    mod = compile_scan(a_dtype=a_dtype, x_dtype=x_dtype, y_dtype=y_dtype, hops=1, block=16)
    B, H, L = int(rng.integers(1, 3)), 2, int(rng.integers(1, 200))
    args, a, x, _, _ = inputs(rng, B, H, 16, L, a_dtype, x_dtype)
    (y,) = mod("scan", *args)
    ref = swr_scan(a, x, Window(16, 1, INF))
    check(y, ref, y_dtype, f"a={a_dtype} x={x_dtype} y={y_dtype} B={B} L={L} {seeded.msg}")


WINDOWS = [(k, s) for k in (0, 1, 2, 3, INF) for s in (INF, 1, 3)]


@pytest.mark.parametrize("hops,segment", WINDOWS,
                         ids=[f"K{k}-S{s}" for k, s in WINDOWS])
@pytest.mark.parametrize("variant", ["plain", "resets", "init", "resets+init", "transpose",
                                     "transpose+resets"])
def test_windows_tiled_and_sequential(seeded, hops, segment, variant):
    rng = seeded.rng
    resets = "resets" in variant
    init = "init" in variant
    transpose = "transpose" in variant
    block = int(rng.choice([8, 16, 32]))
    D = int(rng.choice([16, 32, 64]))
    B, H = int(rng.integers(1, 3)), int(rng.integers(1, 3))
    L = int(rng.integers(1, 9 * block))
    window = Window(block, hops, segment)
    args, a, x, r, s = inputs(rng, B, H, D, L, "f32", "f32", resets, init)
    ref = swr_scan(a, x, window, resets=r, init=s, transpose=transpose)
    outs = []
    for sequential in (False, True):
        mod = compile_scan(H=None, D=D, block=block, hops=None if hops == INF else hops,
                           segment=None if segment == INF else segment, resets=resets,
                           init=init, transpose=transpose, sequential=sequential)
        (y,) = mod("scan", *args)
        what = "sequential" if sequential else "tiled"
        check(y, ref, "f32", f"{what} {window} {variant} B={B} H={H} D={D} L={L} {seeded.msg}")
        outs.append(np.asarray(y, dtype=np.float64))
    # Two independent lowerings agree far below the tolerance.
    assert rel_error(outs[0], outs[1]) <= 1e-5, seeded.msg


SCHEDULES = [
    None,
    "",
    "tiles_per_lane = 2, warps = 8",
    "cluster = 2",
    "cluster = 4, cta = halo, grid = halo",
    "local = mma",
    "lane = halo, warp = halo",
]


def test_schedule_invariance(seeded):
    """A schedule is mapping only: every accepted schedule compiles, meets the
    reference and gives the same numbers. (The CPU lowering does not read the
    schedule, so the equality is by construction here; the GPU version of this
    test, test_gpu_scan.py, is where schedules change the generated code.)"""
    rng = seeded.rng
    B, H, D, L = 2, 3, 16, int(rng.integers(100, 400))
    args, a, x, r, _ = inputs(rng, B, H, D, L, "bf16", "bf16", resets=True)
    ref = swr_scan(a, x, Window(16, 2, 4), resets=r)
    results = []
    for sched in SCHEDULES:
        mod = compile_scan(B=None, H=H, D=D, L=None, block=16, hops=2, segment=4,
                           a_dtype="bf16", x_dtype="bf16", resets=True, schedule=sched)
        (y,) = mod("scan", *args)
        check(y, ref, "f32", f"schedule <{sched}> {seeded.msg}")
        results.append(np.asarray(y))
    for sched, y in zip(SCHEDULES[1:], results[1:]):
        assert np.array_equal(y, results[0]), f"schedule <{sched}> changed results {seeded.msg}"


def test_exact_recurrence_long_sequence(seeded):
    """K = inf, S = inf over thousands of tokens equals s[t] = a[t] s[t-1] + x[t]."""
    rng = seeded.rng
    L = 5000
    args, a, x, _, _ = inputs(rng, 1, 2, 16, L, "f32", "f32")
    a[:] = rng.uniform(0.9, 1.0, a.shape)  # long memory
    mod = compile_scan(B=1, H=2, L=L, hops=None)
    (y,) = mod("scan", a, x)
    s = np.zeros((1, 2, 16))
    ref = np.empty_like(x, dtype=np.float64)
    for t in range(L):
        s = a[:, :, None, t] * s + x[..., t]
        ref[..., t] = s
    check(y, ref, "f32", seeded.msg)
