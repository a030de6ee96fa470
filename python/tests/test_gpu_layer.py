"""phalanx.layer on the GPU (target cuda) against the float64 reference.

The compiled entry has the CPU layer's signature (x [B, L, Dm], wa, ba, wb, bb,
wc, bc, wv, wo; result [B, L, Dm]) and runs on device pointers: four cuBLASLt
GEMMs with channel-major outputs, one fused gate / recurrence / post-gate
kernel (two with global heads) and the output GEMM (docs/gpu-lowering.md, "The
layer").

Compiling runs wherever phalanx-compile and ptxas exist (every dtype x head
dim x kv grouping x global-head split compiles for sm_90a); running needs a
CUDA GPU and is skipped, and counted as skipped, without one. Outputs are
poisoned with NaN on the device before each run (phalanx.runtime), so an
element that is never written fails the check.
"""
import math

import numpy as np
import pytest

from compiled import setup_gpu_env, layer_weights as weights
from phalanx import ir
from phalanx.reference import Window, phalanx_layer, rel_error, round_to, tolerance
from test_gpu_scan import have_compiler, needs_gpu


@pytest.fixture(scope="module", autouse=True)
def _env(tmp_path_factory):
    setup_gpu_env(tmp_path_factory, "phx-gpu-cache")


DTYPES = ["bf16", "f16", "f32"]
HEAD_DIMS = [16, 32, 64]
# (heads, kv_heads, global_heads): no grouping / groups of 2; none, some, all global.
HEAD_SPLITS = [(4, 4, 0), (4, 2, 0), (4, 2, 1), (4, 4, 4)]


def combo_text(dtype, head_dim, heads, kv, glob):
    return ir.layer_module(dim=64, heads=heads, kv_heads=kv, head_dim=head_dim, block=16,
                           hops=1, global_heads=glob, dtype=dtype)


# Numerics cases: (dtype, heads, kv, D, block, hops, segment, global, act_a, act_b, B, L).
CASES = [
    ("bf16", 4, 4, 16, 16, 1, None, 0, "sigmoid", "sigmoid", 2, 300),
    ("f16", 4, 2, 16, 16, 1, None, 0, "sigmoid", "sigmoid", 1, 1000),
    ("f32", 4, 2, 16, 16, 1, None, 1, "sigmoid", "swish", 2, 513),
    ("f32", 2, 1, 32, 16, 0, None, 0, "hard_sigmoid", "sigmoid", 3, 97),
    ("bf16", 4, 2, 32, 16, 2, 3, 2, "swish", "hard_sigmoid", 2, 777),
    ("f16", 2, 2, 64, 16, None, None, 0, "sigmoid", "hard_sigmoid", 2, 640),
    ("f32", 4, 1, 64, 32, 1, None, 3, "sigmoid", "sigmoid", 1, 2049),
    ("bf16", 8, 2, 16, 16, 4, None, 8, "sigmoid", "sigmoid", 1, 4096),
    ("f32", 4, 4, 16, 16, 1, None, 0, "sigmoid", "sigmoid", 1, 1),
    ("bf16", 4, 2, 16, 16, 1, None, 2, "sigmoid", "sigmoid", 1, 9000),
    # K = 1 with segments (the warp's halo tile cut at its first token), a
    # non-sigmoid gate, block 32 (the warp's halo over 32 lanes).
    ("bf16", 4, 2, 16, 16, 1, 2, 0, "swish", "sigmoid", 2, 1100),
    ("f16", 4, 4, 16, 32, 1, 3, 1, "hard_sigmoid", "swish", 1, 3001),
]


def case_id(c):
    return "%s-H%d-kv%d-D%d-BL%d-K%s-S%s-g%d-%s-%s-B%dL%d" % c


# layer-gates = kernel: a gate kernel computes act_a(pa + ba) once per
# (b, h, t) before the fused kernel (docs/gpu-lowering.md, "The layer").
GATE_KERNEL = ("--gpu-options=layer-gates=kernel",)


def cuda_module(text, extra_args=()):
    import phalanx
    return phalanx.compile(text, target="cuda", device="cuda", extra_args=extra_args)


def layer_text(c, dim=64):
    dtype, heads, kv, D, block, hops, segment, glob, act_a, act_b, _, _ = c
    return ir.layer_module(dim=dim, heads=heads, kv_heads=kv, head_dim=D, block=block,
                           hops=hops, segment=segment, global_heads=glob, act_a=act_a,
                           act_b=act_b, dtype=dtype)


# One artifact, several (B, L) in a row.
DYNAMIC_CASE = ("f32", 4, 2, 16, 16, 2, None, 1, "sigmoid", "swish", 0, 0)


def dtype_case(dtype, head_dim):
    return (dtype, 4, 2, head_dim, 16, 1, None, 1, "sigmoid", "sigmoid", 2, 1500)


def all_texts():
    texts = [combo_text(dt, d, h, kv, g) for dt in DTYPES for d in HEAD_DIMS
             for (h, kv, g) in HEAD_SPLITS]
    texts += [layer_text(c) for c in CASES]
    texts += [layer_text(dtype_case(dt, d)) for dt in DTYPES for d in HEAD_DIMS]
    texts.append(layer_text(DYNAMIC_CASE))
    return texts


def all_builds():
    """(text, extra compile args) of every artifact the tests below use."""
    builds = [(t, ()) for t in all_texts()]
    builds += [(layer_text(c), GATE_KERNEL) for c in CASES]
    return builds


@pytest.mark.skipif(not have_compiler(), reason="phalanx-compile or ptxas missing")
def test_every_gpu_layer_compiles_for_sm90a():
    """Every dtype x head dim x kv grouping x global-head split (and every case
    below) compiles to a cubin for sm_90a with the runtime's GEMM calls."""
    from phalanx import compiler
    for text, extra in all_builds():
        path = compiler.cached_artifact(text, target="cuda", extra_args=extra)  # raises
        assert path.exists() and b'"device":"cuda"' in path.read_bytes().replace(b" ", b"")


def run_layer(mod, c, rng, dim=64):
    dtype, heads, kv, D, block, hops, segment, glob, act_a, act_b, B, L = c
    w = weights(rng, dim, heads, kv, D, dtype)
    x = round_to(rng.standard_normal((B, L, dim)), dtype)
    args = [x] + [w[k] for k in ("wa", "ba", "wb", "bb", "wc", "bc", "wv", "wo")]
    (out,) = mod("layer", *args)
    window = Window(block, math.inf if hops is None else hops,
                    math.inf if segment is None else segment)
    ref = phalanx_layer(x, *args[1:], heads=heads, kv_heads=kv, head_dim=D, window=window,
                        global_heads=glob, act_a=act_a, act_b=act_b)
    return np.asarray(out, dtype=np.float64), ref


@needs_gpu
@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_gpu_layer(seeded, case):
    mod = cuda_module(layer_text(case))
    out, ref = run_layer(mod, case, seeded.rng)
    assert not np.isnan(out).any(), f"unwritten or NaN outputs {seeded.msg}"
    err = rel_error(out, ref)
    print(f"REL {case_id(case)} {err:.3e}")
    # The projection outputs and Z are rounded to the layer's dtype (the
    # GEMMs' input and output type), so the tolerance is the dtype's.
    assert err <= tolerance(case[0]), f"{case_id(case)}: rel_err {err:.3e} {seeded.msg}"


@needs_gpu
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("head_dim", HEAD_DIMS)
def test_gpu_layer_dtypes_head_dims(seeded, dtype, head_dim):
    c = dtype_case(dtype, head_dim)
    out, ref = run_layer(cuda_module(layer_text(c)), c, seeded.rng)
    assert not np.isnan(out).any(), seeded.msg
    err = rel_error(out, ref)
    print(f"REL {dtype}-D{head_dim} {err:.3e}")
    assert err <= tolerance(dtype), f"{dtype} D={head_dim}: rel_err {err:.3e} {seeded.msg}"


@needs_gpu
def test_gpu_layer_dynamic_shapes_one_artifact(seeded):
    """One artifact (dynamic B and L) serves several shapes in a row, the
    cached workspace growing and shrinking back."""
    c0 = DYNAMIC_CASE
    mod = cuda_module(layer_text(c0))
    for B, L in [(1, 64), (3, 2500), (2, 17), (1, 5000)]:
        c = c0[:10] + (B, L)
        out, ref = run_layer(mod, c, seeded.rng)
        assert out.shape == (B, L, 64)
        err = rel_error(out, ref)
        print(f"REL dynamic-B{B}L{L} {err:.3e}")
        assert err <= tolerance("f32"), f"B={B} L={L}: rel_err {err:.3e} {seeded.msg}"


@needs_gpu
@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_gpu_layer_gate_kernel(seeded, case):
    """layer-gates = kernel: the same numbers within the dtype's tolerance
    (the gates are stored in f16 for 16-bit layers, f32 for f32 ones)."""
    mod = cuda_module(layer_text(case), GATE_KERNEL)
    out, ref = run_layer(mod, case, seeded.rng)
    assert not np.isnan(out).any(), f"unwritten or NaN outputs {seeded.msg}"
    err = rel_error(out, ref)
    print(f"REL gates=kernel {case_id(case)} {err:.3e}")
    assert err <= tolerance(case[0]), f"{case_id(case)}: rel_err {err:.3e} {seeded.msg}"
