"""swr.scan on the GPU (target cuda) against the float64 reference.

Compiling runs everywhere phalanx-compile and ptxas exist (CI checks that every
case compiles for sm_90a); running needs a CUDA GPU and is skipped, and
counted as skipped, without one. The artifacts are cached by content in
$PHALANX_CACHE_DIR, so a cache filled here can be carried to a GPU machine that
has no compiler (see docs/gpu-lowering.md, "Running the GPU tests").

Outputs are poisoned with NaN on the device before each run, so an element a
kernel fails to write fails the check.
"""
import math
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from compiled import BUILD, random_gates, setup_gpu_env
from phalanx import ir
from phalanx.reference import Window, rel_error, round_to, swr_scan, tolerance

ROOT = Path(__file__).resolve().parents[2]
CASES_FILE = ROOT / "test" / "Integration" / "gpu" / "schedules.txt"


@pytest.fixture(scope="module", autouse=True)
def _env(tmp_path_factory):
    setup_gpu_env(tmp_path_factory, "phx-gpu-cache")


def _inf(text):
    return None if text == "inf" else int(text)


def parse_cases():
    cases = []
    for line in CASES_FILE.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, window, schedule, types, extras, dims = [f.strip() for f in line.split("|")]
        block, hops, segment = window.split()
        tin, tout = types.split()
        B, H, D, L = (int(v) for v in dims.split())
        cases.append(dict(name=name, block=int(block), hops=_inf(hops), segment=_inf(segment),
                          schedule=None if schedule == "default" else schedule,
                          tin=tin, tout=tout, resets="resets" in extras,
                          init="init" in extras, transpose="transpose" in extras,
                          B=B, H=H, D=D, L=L))
    return cases


CASES = parse_cases()

# One window, one schedule per carrier route: the numbers must not move.
ROUTE_SCHEDULES = [
    "warps = 4, grid = halo",                                  # lane shuffle, warp smem
    "warps = 4, grid = flags",                                 # global flags
    "warps = 4, lane = halo, grid = halo",                     # recomputed halos
    "tiles_per_lane = 2, warps = 2, cluster = 2, grid = flags",  # dsmem
    "tiles_per_lane = 2, warps = 2, cluster = 4, cta = bulk, grid = flags",  # bulk
    "warps = 2, cluster = 2, cta = halo, grid = halo",
    "tiles_per_lane = 4, warps = 1, grid = halo",
]
INVARIANCE_WINDOWS = [(16, 0, None), (16, 1, None), (8, 2, 3), (16, 3, None)]
INF_SCHEDULES = [s for s in ROUTE_SCHEDULES if "halo" not in s] + ["warps = 8", "warps = 1",
    "local = mma, warps = 4",                                   # tensor-core local states
    "local = mma, tiles_per_lane = 2, warps = 2, cluster = 2"]

DTYPES = ["bf16", "f16", "f32"]


def cuda_module(text):
    import phalanx
    return phalanx.compile(text, target="cuda", device="cuda")


def case_text(c, schedule="keep"):
    sched = c["schedule"] if schedule == "keep" else schedule
    return ir.scan_module(B=None, H=c["H"], D=c["D"], L=None, block=c["block"], hops=c["hops"],
                          segment=c["segment"], a_dtype=c["tin"], x_dtype=c["tin"],
                          y_dtype=c["tout"], resets=c["resets"], init=c["init"],
                          transpose=c["transpose"], schedule=sched)


def all_texts():
    texts = [case_text(c) for c in CASES]
    for block, hops, segment in INVARIANCE_WINDOWS:
        for sched in ROUTE_SCHEDULES:
            texts.append(ir.scan_module(B=None, H=4, D=16, L=None, block=block, hops=hops,
                                        segment=segment, resets=True, schedule=sched))
    for sched in INF_SCHEDULES:
        texts.append(ir.scan_module(B=None, H=4, D=16, L=None, block=16, hops=None,
                                    resets=True, init=True, schedule=sched))
    for a in DTYPES:
        for y in DTYPES:
            texts.append(ir.scan_module(B=None, H=4, D=16, L=None, block=16, hops=1,
                                        a_dtype=a, x_dtype=a, y_dtype=y))
    return texts


def have_compiler():
    return (BUILD / "bin" / "phalanx-compile").exists() and (
        os.path.exists("/usr/local/cuda/bin/ptxas") or shutil.which("ptxas") is not None)


def gpu():
    try:
        from phalanx.runtime import cuda_available
    except Exception:  # the runtime library is not built
        return False
    return cuda_available()[0]


needs_gpu = pytest.mark.skipif(not gpu(), reason="no CUDA GPU or driver on this machine")


@pytest.mark.skipif(not have_compiler(), reason="phalanx-compile or ptxas missing")
def test_every_gpu_case_compiles_for_sm90a():
    """Every case, schedule and dtype used below compiles to a cubin (ptxas, sm_90a)."""
    from phalanx import compiler
    for text in all_texts():
        compiler.cached_artifact(text, target="cuda")


def run_scan(mod, c, rng):
    B, H, D, L = c["B"], c["H"], c["D"], c["L"]
    a = round_to(random_gates(rng, (B, H, L), special=True), c["tin"])
    x = round_to(rng.standard_normal((B, H, D, L)), c["tin"])
    args = [a, x]
    r = s = None
    if c["resets"]:
        r = rng.random((B, L)) < 0.02
        args.append(r)
    if c["init"]:
        s = rng.standard_normal((B, H, D))
        args.append(s)
    (y,) = mod("scan", *args)
    window = Window(c["block"], math.inf if c["hops"] is None else c["hops"],
                    math.inf if c["segment"] is None else c["segment"])
    ref = swr_scan(a, x, window, resets=r, init=s, transpose=c["transpose"])
    y = np.asarray(y, dtype=np.float64)
    return y, ref


@needs_gpu
@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_gpu_case(seeded, case):
    mod = cuda_module(case_text(case))
    y, ref = run_scan(mod, case, seeded.rng)
    assert not np.isnan(y).any(), f"unwritten or NaN outputs {seeded.msg}"
    err = rel_error(y, ref)
    assert err <= tolerance(case["tout"]), f"{case['name']}: rel_err {err:.3e} {seeded.msg}"


@needs_gpu
@pytest.mark.parametrize("window", INVARIANCE_WINDOWS + [(16, None, None)],
                         ids=lambda w: "BL%d-K%s-S%s" % w)
def test_gpu_schedule_invariance(seeded, window):
    """Same inputs, every schedule: every result meets the reference and all agree."""
    block, hops, segment = window
    schedules = INF_SCHEDULES if hops is None else ROUTE_SCHEDULES
    c = dict(block=block, hops=hops, segment=segment, tin="f32", tout="f32", resets=True,
             init=hops is None, transpose=False, B=2, H=4, D=16, L=7001)
    outs = []
    for sched in schedules:
        text = ir.scan_module(B=None, H=4, D=16, L=None, block=block, hops=hops,
                              segment=segment, resets=True, init=c["init"], schedule=sched)
        rng = np.random.default_rng(seeded.seed)  # same inputs for every schedule
        y, ref = run_scan(cuda_module(text), c, rng)
        err = rel_error(y, ref)
        assert err <= 1e-5, f"schedule <{sched}>: rel_err {err:.3e} {seeded.msg}"
        outs.append(y)
    for sched, y in zip(schedules[1:], outs[1:]):
        assert rel_error(y, outs[0]) <= 1e-6, f"schedule <{sched}> moved the numbers {seeded.msg}"


@needs_gpu
@pytest.mark.parametrize("a_dtype", DTYPES)
@pytest.mark.parametrize("y_dtype", DTYPES)
def test_gpu_dtypes(seeded, a_dtype, y_dtype):
    c = dict(block=16, hops=1, segment=None, tin=a_dtype, tout=y_dtype, resets=False,
             init=False, transpose=False, B=2, H=4, D=16, L=3333)
    mod = cuda_module(ir.scan_module(B=None, H=4, D=16, L=None, block=16, hops=1,
                                     a_dtype=a_dtype, x_dtype=a_dtype, y_dtype=y_dtype))
    y, ref = run_scan(mod, c, seeded.rng)
    err = rel_error(y, ref)
    assert err <= tolerance(y_dtype), f"{a_dtype}->{y_dtype}: rel_err {err:.3e} {seeded.msg}"
