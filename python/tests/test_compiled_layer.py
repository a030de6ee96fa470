"""Compiled phalanx.layer on the CPU against the float64 reference."""
import math

import numpy as np
import pytest

from compiled import needs_build, setup_env, layer_weights as weights
from phalanx import ir
from phalanx.reference import Window, phalanx_layer, rel_error, round_to, tolerance

pytestmark = needs_build


@pytest.fixture(scope="module", autouse=True)
def _env(tmp_path_factory):
    setup_env(tmp_path_factory.mktemp("phx-cache"))


CASES = [
    # (dtype, heads, kv_heads, head_dim, hops, segment, global_heads, act_a, act_b, dynamic)
    ("f32", 4, 4, 16, 1, None, 0, "sigmoid", "sigmoid", False),
    ("f32", 4, 2, 16, 2, 3, 1, "sigmoid", "swish", False),
    ("f32", 2, 1, 32, 0, None, 0, "hard_sigmoid", "sigmoid", False),
    ("bf16", 4, 2, 16, 1, None, 2, "sigmoid", "sigmoid", False),
    ("f16", 2, 2, 64, None, None, 0, "sigmoid", "hard_sigmoid", False),
    ("f32", 4, 2, 16, 1, None, 1, "sigmoid", "sigmoid", True),
    ("bf16", 4, 4, 16, 1, None, 0, "sigmoid", "sigmoid", True),
]


@pytest.mark.parametrize("case", CASES, ids=[
    f"{c[0]}-H{c[1]}-kv{c[2]}-D{c[3]}-K{c[4]}-S{c[5]}-g{c[6]}-{c[7]}-{c[8]}"
    + ("-dyn" if c[9] else "") for c in CASES])
def test_layer(seeded, case):
    import phalanx
    dtype, heads, kv, D, hops, segment, glob, act_a, act_b, dynamic = case
    rng = seeded.rng
    dim = 64
    B, L = int(rng.integers(1, 3)), int(rng.integers(20, 120))
    mod = phalanx.compile(ir.layer_module(
        B=None if dynamic else B, L=None if dynamic else L, dim=dim, heads=heads,
        kv_heads=kv, head_dim=D, block=16, hops=hops, segment=segment,
        global_heads=glob, act_a=act_a, act_b=act_b, dtype=dtype))
    w = weights(rng, dim, heads, kv, D, dtype)
    x = round_to(rng.standard_normal((B, L, dim)), dtype)
    args = [x] + [w[k] for k in ("wa", "ba", "wb", "bb", "wc", "bc", "wv", "wo")]
    (out,) = mod("layer", *args)
    window = Window(16, math.inf if hops is None else hops,
                    math.inf if segment is None else segment)
    ref = phalanx_layer(x, *args[1:], heads=heads, kv_heads=kv, head_dim=D,
                        window=window, global_heads=glob, act_a=act_a, act_b=act_b)
    out = np.asarray(out, dtype=np.float64)
    assert not np.isnan(out).any(), seeded.msg
    err = rel_error(out, ref)
    # Z is rounded to the layer's dtype before the output projection (the GPU's
    # GEMM takes that dtype), so the layer's tolerance is the dtype's.
    assert err <= tolerance(dtype), f"rel_err {err:.3e} B={B} L={L} {seeded.msg}"
