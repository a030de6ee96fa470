"""The Phalanx layer against a direct per-head loop built on the dense oracle."""

import math

import numpy as np
import pytest

from phalanx.reference import (
    Window,
    activation,
    phalanx_layer,
    rel_error,
    transfer_matrix,
)


def _sig(z):
    return 1.0 / (1.0 + np.exp(-z))


ACT = {
    "sigmoid": _sig,
    "swish": lambda z: z * _sig(z),
    "hard_sigmoid": lambda z: np.minimum(1.0, np.maximum(0.0, z / 6.0 + 0.5)),
}


def _weights(rng, Dm, H, Hkv, D):
    s = 1.0 / math.sqrt(Dm)
    return dict(
        wa=rng.standard_normal((Dm, H)) * s, ba=rng.standard_normal(H) + 1.0,
        wb=rng.standard_normal((Dm, Hkv * D)) * s, bb=rng.standard_normal(Hkv * D),
        wc=rng.standard_normal((Dm, Hkv * D)) * s, bc=rng.standard_normal(Hkv * D),
        wv=rng.standard_normal((Dm, H * D)) * s, wo=rng.standard_normal((H * D, Dm)) * s,
    )


def _loop_layer(x, w, H, Hkv, D, W, Hg, act_a, act_b):
    """Direct form: every (b, h) separately, the recurrence as a dense matrix product."""
    B, L, Dm = x.shape
    out = np.zeros((B, L, Dm))
    group = H // Hkv
    for b in range(B):
        Z = np.zeros((L, H * D))
        for h in range(H):
            k = h // group
            A = ACT[act_a](x[b] @ w["wa"][:, h] + w["ba"][h])  # [L]
            G = ACT[act_b](x[b] @ w["wb"][:, k * D:(k + 1) * D] + w["bb"][k * D:(k + 1) * D])
            C = x[b] @ w["wc"][:, k * D:(k + 1) * D] + w["bc"][k * D:(k + 1) * D]
            V = x[b] @ w["wv"][:, h * D:(h + 1) * D]  # [L, D]
            Xh = G * V
            Wh = Window(W.block, math.inf, math.inf, strict=False) if h < Hg else W
            M = transfer_matrix(A, Wh)
            Y = M @ Xh
            Z[:, h * D:(h + 1) * D] = Y * C + V
        out[b] = Z @ w["wo"]
    return out


CASES = [
    # B, L, Dm, H, Hkv, D, window, global heads
    (2, 37, 16, 4, 4, 4, Window(8, 1, math.inf), 0),
    (1, 50, 24, 6, 2, 4, Window(8, 1, 2), 0),       # kv groups of 3
    (2, 29, 16, 4, 1, 8, Window(8, 2, math.inf), 0),  # one kv head
    (1, 41, 16, 4, 2, 4, Window(4, 1, math.inf, strict=False), 2),  # hybrid: 2 global heads
    (1, 33, 16, 4, 4, 4, Window(8, 0, 1), 4),        # all heads global
]


@pytest.mark.parametrize("case", range(len(CASES)))
@pytest.mark.parametrize("acts", [("sigmoid", "sigmoid"), ("swish", "sigmoid"),
                                  ("hard_sigmoid", "swish"), ("sigmoid", "hard_sigmoid")])
def test_layer_vs_loop(seeded, case, acts):
    B, L, Dm, H, Hkv, D, W, Hg = CASES[case]
    rng = seeded.rng
    w = _weights(rng, Dm, H, Hkv, D)
    x = rng.standard_normal((B, L, Dm))
    out = phalanx_layer(x, **w, heads=H, kv_heads=Hkv, head_dim=D, window=W,
                        global_heads=Hg, act_a=acts[0], act_b=acts[1])
    ref = _loop_layer(x, w, H, Hkv, D, W, Hg, *acts)
    assert out.shape == (B, L, Dm) and out.dtype == np.float64
    err = rel_error(out, ref)
    assert err <= 1e-12, f"case {case} {acts} err={err:.3e} {seeded.msg}"


def test_global_heads_differ_from_windowed(seeded):
    rng = seeded.rng
    B, L, Dm, H, Hkv, D = 1, 64, 16, 4, 2, 4
    w = _weights(rng, Dm, H, Hkv, D)
    w["ba"] = w["ba"] + 3.0  # gates near 1: long memory, so the window matters
    x = rng.standard_normal((B, L, Dm))
    kw = dict(heads=H, kv_heads=Hkv, head_dim=D, window=Window(8, 1, math.inf))
    o0 = phalanx_layer(x, **w, **kw, global_heads=0)
    o2 = phalanx_layer(x, **w, **kw, global_heads=2)
    assert rel_error(o2, o0) > 1e-6, seeded.msg
    # early tokens (inside the first two tiles) see everything either way
    assert rel_error(o2[:, :9], o0[:, :9]) <= 1e-13, seeded.msg


def test_activations():
    z = np.array([-1000.0, -30.0, -3.0, 0.0, 2.5, 3.0, 40.0, 1000.0])
    s = activation("sigmoid", z)
    assert np.all(np.isfinite(s)) and s[0] == 0.0 and s[-1] == 1.0 and s[3] == 0.5
    assert np.allclose(s[1:-1], 1 / (1 + np.exp(-z[1:-1])), rtol=1e-15)
    assert np.allclose(activation("swish", z)[1:-1], z[1:-1] * s[1:-1], rtol=1e-15)
    hs = activation("hard_sigmoid", z)
    assert hs[2] == 0.0 and hs[3] == 0.5 and hs[5] == 1.0 and hs[4] == 2.5 / 6 + 0.5
    with pytest.raises(ValueError):
        activation("relu", z)


def test_layer_validation(seeded):
    w = _weights(seeded.rng, 8, 4, 2, 2)
    x = seeded.rng.standard_normal((1, 5, 8))
    with pytest.raises(ValueError):
        phalanx_layer(x, **w, heads=4, kv_heads=3, head_dim=2, window=Window(8))
    with pytest.raises(ValueError):
        phalanx_layer(x, **w, heads=4, kv_heads=2, head_dim=4, window=Window(8))
