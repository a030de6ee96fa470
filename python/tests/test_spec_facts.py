"""Facts stated in spec/swr.md, checked on the reference."""

import math

import numpy as np
import pytest

from phalanx.reference import (
    Window,
    init_coefficients,
    rel_error,
    swr_dense,
    swr_scan,
    transfer_matrix,
)


def _gates(rng, L):
    return rng.uniform(0.05, 0.999, size=L)


@pytest.mark.parametrize("block", [2, 4, 8, 16])
def test_k0_is_block_diagonal(seeded, block):
    L = 5 * block + 3
    a = _gates(seeded.rng, L)
    M = transfer_matrix(a, Window(block, 0, math.inf, strict=False))
    tiles = np.arange(L) // block
    off = tiles[:, None] != tiles[None, :]
    assert np.all(M[off] == 0), seeded.msg
    # each diagonal block is an independent recurrence from zero (full lower triangle)
    on = (tiles[:, None] == tiles[None, :]) & np.tri(L, dtype=bool)
    assert np.all(M[on] != 0), seeded.msg
    # and equals the exact recurrence run on that tile alone
    for i in range(0, L, block):
        sl = slice(i, min(i + block, L))
        Mi = transfer_matrix(a[sl], Window.exact())
        assert np.array_equal(M[sl, sl], Mi), seeded.msg


@pytest.mark.parametrize("block", [2, 4, 8, 16, 32])
def test_k1_receptive_field(seeded, block):
    L = 6 * block + block // 2 + 1
    a = _gates(seeded.rng, L)
    M = transfer_matrix(a, Window(block, 1, math.inf, strict=False))
    counts = np.count_nonzero(M, axis=1)
    t = np.arange(L)
    later = t >= block  # tokens with a full previous tile
    assert np.all(counts[later] >= block + 1), seeded.msg
    assert np.all(counts[later] <= 2 * block), seeded.msg
    # jagged: exactly block + 1 + position in tile
    assert np.array_equal(counts[later], block + 1 + t[later] % block), seeded.msg
    assert np.array_equal(counts[~later], t[~later] + 1), seeded.msg
    # both ends of the range are reached
    assert counts[later].min() == block + 1 and counts[later].max() == 2 * block


@pytest.mark.parametrize("hops", [2, 3])
def test_k_hops_receptive_field(seeded, hops):
    block, L = 4, 40
    M = transfer_matrix(_gates(seeded.rng, L), Window(block, hops, math.inf, strict=False))
    t = np.arange(L)
    expect = np.minimum(t + 1, hops * block + 1 + t % block)
    assert np.array_equal(np.count_nonzero(M, axis=1), expect), seeded.msg


def test_exact_equals_plain_recurrence(seeded):
    rng = seeded.rng
    B, H, D, L = 2, 3, 4, 77
    a = rng.uniform(0.05, 0.999, size=(B, H, L))
    a[..., 5] = 0.0
    a[..., 9] = 1.0
    x = rng.standard_normal((B, H, D, L))
    init = rng.standard_normal((B, H, D))
    s = init.copy()
    ref = np.empty_like(x)
    for t in range(L):
        s = a[..., t, None] * s + x[..., t]
        ref[..., t] = s
    for block in (2, 8, 16):
        W = Window(block, math.inf, math.inf, strict=False)
        assert rel_error(swr_scan(a, x, W, init=init), ref) <= 1e-12, seeded.msg
        assert rel_error(swr_dense(a, x, W, init=init), ref) <= 1e-12, seeded.msg
    # hops larger than the number of tiles is the same thing
    W = Window(8, 100, math.inf)
    assert rel_error(swr_scan(a, x, W, init=init), ref) <= 1e-12, seeded.msg


@pytest.mark.parametrize("window", ["block=4,hops=1,segment=inf", "block=4,hops=2,segment=2",
                                    "block=8,hops=0,segment=1", "block=2,hops=inf,segment=3"])
def test_transpose_is_matrix_transpose(seeded, window):
    W = Window.parse(window, strict=False)
    rng = seeded.rng
    L = 23
    a = rng.uniform(0.05, 0.999, size=(1, 1, L))
    x = rng.standard_normal((1, 1, 2, L))
    resets = rng.uniform(size=(1, L)) < 0.15
    M = transfer_matrix(a[0, 0], W, resets[0])
    assert np.array_equal(transfer_matrix(a[0, 0], W, resets[0], transpose=True), M.T)
    y = swr_scan(a, x, W, resets, transpose=True)
    assert rel_error(y[0, 0], x[0, 0] @ M) <= 1e-12, seeded.msg  # y = M^T x
    # adjoint identity <L x, z> = <x, L^T z>
    z = rng.standard_normal(x.shape)
    lhs = np.sum(swr_scan(a, x, W, resets) * z)
    rhs = np.sum(x * swr_scan(a, z, W, resets, transpose=True))
    assert abs(lhs - rhs) <= 1e-12 * max(1.0, abs(lhs)), seeded.msg


def test_transpose_is_not_flip_time(seeded):
    """With L % BL != 0, flipping time moves tile boundaries and shifts gates by one."""
    rng = seeded.rng
    block, L = 4, 4 * 4 + 2
    W = Window(block, 1, math.inf, strict=False)
    a = rng.uniform(0.05, 0.999, size=(1, 1, L))
    x = rng.standard_normal((1, 1, 3, L))
    yt = swr_scan(a, x, W, transpose=True)
    # naive: flip time, run forward with flipped gates, flip back
    flip = swr_scan(a[..., ::-1], x[..., ::-1], W)[..., ::-1]
    assert rel_error(flip, yt) > 1e-3, seeded.msg
    # even with the gates shifted by one to align factors, tiles still differ
    a_shift = np.concatenate([a[..., 1:], np.ones((1, 1, 1))], axis=-1)
    flip2 = swr_scan(a_shift[..., ::-1], x[..., ::-1], W)[..., ::-1]
    assert rel_error(flip2, yt) > 1e-3, seeded.msg
    # the sparsity patterns differ: L_W^T vs the flip-time operator P L_W(flipped) P
    M = transfer_matrix(a[0, 0], W)
    flip_op = transfer_matrix(a_shift[0, 0, ::-1], W)[::-1, ::-1]
    assert np.any((M.T != 0) != (flip_op != 0)), seeded.msg
    # when L is a multiple of BL, flip with shifted gates IS the transpose (sanity)
    L2 = 16
    a2, x2 = a[..., :L2], x[..., :L2]
    a2s = np.concatenate([a2[..., 1:], np.ones((1, 1, 1))], axis=-1)
    flip3 = swr_scan(a2s[..., ::-1], x2[..., ::-1], W)[..., ::-1]
    assert rel_error(flip3, swr_scan(a2, x2, W, transpose=True)) <= 1e-12, seeded.msg


@pytest.mark.parametrize("segment", [1, 2, 3])
@pytest.mark.parametrize("hops", [0, 1, 2, math.inf])
def test_no_entry_across_segments(seeded, hops, segment):
    block, L = 4, 45
    W = Window(block, hops, segment, strict=False)
    M = transfer_matrix(seeded.rng.uniform(0.05, 0.999, size=L), W)
    seg = (np.arange(L) // block) // segment
    assert np.all(M[seg[:, None] != seg[None, :]] == 0), seeded.msg
    # init is only visible inside segment 0
    c = init_coefficients(seeded.rng.uniform(0.05, 0.999, size=L), W)
    assert np.all(c[seg > 0] == 0), seeded.msg


def test_resets_block_everything_before(seeded):
    rng = seeded.rng
    L = 30
    resets = np.zeros(L, bool)
    resets[[7, 19]] = True
    for W in (Window(4, 1, math.inf, strict=False), Window(4, math.inf, math.inf, strict=False)):
        M = transfer_matrix(rng.uniform(0.05, 0.999, size=L), W, resets)
        for r in (7, 19):
            assert np.all(M[r:, :r] == 0), seeded.msg
        assert M[7, 7] == 1.0 and M[19, 19] == 1.0
        c = init_coefficients(rng.uniform(0.05, 0.999, size=L), W, resets)
        assert np.all(c[7:] == 0)


@pytest.mark.parametrize("block", [2, 4, 8])
def test_k1_local_plus_r_times_c(seeded, block):
    """K = 1: y[t] = local[t] + r[t] * c, c the previous tile's terminal LOCAL state."""
    rng = seeded.rng
    L = 7 * block + 1
    B, H, D = 2, 2, 3
    a = rng.uniform(0.05, 0.999, size=(B, H, L))
    x = rng.standard_normal((B, H, D, L))
    y = np.empty_like(x)
    c = np.zeros((B, H, D))
    for t0 in range(0, L, block):
        local = np.zeros((B, H, D))
        r = np.ones((B, H))
        for t in range(t0, min(t0 + block, L)):
            local = a[..., t, None] * local + x[..., t]
            r = r * a[..., t]
            y[..., t] = local + r[..., None] * c
        c = local  # terminal local state (own carry excluded)
    W = Window(block, 1, math.inf, strict=False)
    assert rel_error(swr_scan(a, x, W), y) <= 1e-12, seeded.msg
    assert rel_error(swr_dense(a, x, W), y) <= 1e-12, seeded.msg


def test_window_is_independent_of_schedule_quantities(seeded):
    """y on a prefix does not depend on L (causality): the op has no launch-shaped S."""
    rng = seeded.rng
    W = Window(8, 1, 2)
    a = rng.uniform(0.05, 0.999, size=(1, 2, 100))
    x = rng.standard_normal((1, 2, 3, 100))
    y = swr_scan(a, x, W)
    for L in (1, 9, 17, 33, 64):
        assert rel_error(swr_scan(a[..., :L], x[..., :L], W), y[..., :L]) <= 1e-14, seeded.msg
