"""Streaming state: prefill + token steps reproduce the full forward."""

import math

import numpy as np
import pytest

from phalanx.reference import SWRStream, Window, random_scan_inputs, rel_error, swr_scan


def _run(seeded, W, L, prefill_len, resets, init, special=False):
    B, H, D = 2, 2, 3
    d = random_scan_inputs(seeded.rng, B, H, D, L, "f64", resets=resets, init=init,
                           special_gates=special)
    a, x, rs = d["a"], d["x"], d["resets"]
    full = swr_scan(a, x, W, rs, d["init"])
    st = SWRStream(W, B, H, D, init=d["init"])
    P = prefill_len
    parts = [st.prefill(a[..., :P], x[..., :P], None if rs is None else rs[:, :P])]
    for t in range(P, L):
        parts.append(st.step(a[..., t], x[..., t], None if rs is None else rs[:, t])[..., None])
    assert st.t == L
    y = np.concatenate(parts, axis=-1)
    err = rel_error(y, full)
    assert err <= 1e-12, f"{W} L={L} prefill={P} err={err:.3e} {seeded.msg}"


@pytest.mark.parametrize("segment", [1, 2, math.inf])
@pytest.mark.parametrize("hops", [0, 1, 2, math.inf])
@pytest.mark.parametrize("block", [2, 4, 8])
def test_prefill_then_steps(seeded, block, hops, segment):
    W = Window(block, hops, segment, strict=False)
    L = 5 * block + 3
    # prefill ends: empty, inside a tile, exactly at a tile boundary, the whole sequence
    for P in (0, 1, block - 1 if block > 1 else 1, block, 2 * block + 1, 3 * block, L):
        _run(seeded, W, L, P, resets=False, init=False)
    for P in (0, block + 1, 2 * block):
        _run(seeded, W, L, P, resets=True, init=True, special=True)


def test_steps_only_and_repeated_prefill(seeded):
    W = Window(8, 1, 2)
    B, H, D, L = 1, 3, 4, 50
    d = random_scan_inputs(seeded.rng, B, H, D, L, "f64", resets=True, init=True)
    full = swr_scan(d["a"], d["x"], W, d["resets"], d["init"])
    st = SWRStream(W, B, H, D, init=d["init"])
    y1 = st.prefill(d["a"][..., :13], d["x"][..., :13], d["resets"][:, :13])
    y2 = st.prefill(d["a"][..., 13:30], d["x"][..., 13:30], d["resets"][:, 13:30])  # continues
    ys = [st.step(d["a"][..., t], d["x"][..., t], d["resets"][:, t]) for t in range(30, L)]
    y = np.concatenate([y1, y2, np.stack(ys, -1)], axis=-1)
    assert rel_error(y, full) <= 1e-12, seeded.msg


def test_k1_state_is_local_r_c(seeded):
    """For K = 1 the carry of the current tile is the previous tile's terminal local state."""
    block = 4
    W = Window(block, 1, math.inf, strict=False)
    d = random_scan_inputs(seeded.rng, 1, 1, 2, 3 * block + 2, "f64")
    st = SWRStream(W, 1, 1, 2)
    st.prefill(d["a"], d["x"])
    assert st.position_in_tile == 2
    assert len(st.carriers) == 1
    a, x = d["a"][0, 0], d["x"][0, 0]
    s = np.zeros(2)
    for t in range(2 * block, 3 * block):  # tile 2, local from zero
        s = a[t] * s + x[:, t]
    assert np.allclose(st.carry[0, 0], s, rtol=1e-13, atol=0), seeded.msg
    assert np.isclose(st.r[0, 0], a[3 * block] * a[3 * block + 1], rtol=1e-14), seeded.msg
