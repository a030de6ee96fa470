"""Gradients of the windowed and exact forms against finite differences and a literal form."""

import math

import numpy as np
import pytest

from phalanx.reference import (
    Window,
    random_scan_inputs,
    rel_error,
    swr_scan,
    swr_scan_vjp,
    transfer_matrix,
)


def _literal_da(a, x, dy, W, resets):
    """da[k] = sum over window pairs (j, t), j < k <= t, of dy[t].x[j] prod_{i in (j,t], i!=k} a[i]."""
    B, H, D, L = x.shape
    da = np.zeros((B, H, L))
    for b in range(B):
        rs = None if resets is None else resets[b]
        for h in range(H):
            mask = transfer_matrix(np.ones(L), W, rs) != 0
            G = dy[b, h].T @ x[b, h]  # G[t, j] = dy[t] . x[j]
            for t in range(L):
                for j in range(t):
                    if not mask[t, j]:
                        continue
                    seg = a[b, h, j + 1: t + 1]
                    for k in range(j + 1, t + 1):
                        da[b, h, k] += G[t, j] * np.prod(np.delete(seg, k - j - 1))
    return da


@pytest.mark.parametrize("segment", [1, 2, math.inf])
@pytest.mark.parametrize("hops", [0, 1, 2, 3, math.inf])
def test_vjp_vs_finite_differences(seeded, hops, segment):
    W = Window(2, hops, segment, strict=False)
    rng = seeded.rng
    B, H, D, L = 1, 2, 2, 11
    d = random_scan_inputs(rng, B, H, D, L, "f64", resets=True, init=True,
                           gate_range=(0.3, 0.95))
    a, x, rs, init = d["a"], d["x"], d["resets"], d["init"]
    dy = rng.standard_normal(x.shape)
    da, dx, dinit = swr_scan_vjp(a, x, W, dy, rs, init)

    def f(a_, x_, i_):
        return float(np.sum(swr_scan(a_, x_, W, rs, i_) * dy))

    h = 1e-6

    def fd(arr, which):
        g = np.zeros_like(arr)
        for idx in np.ndindex(arr.shape):
            p, m = arr.copy(), arr.copy()
            p[idx] += h
            m[idx] -= h
            args_p = {"a": (p, x, init), "x": (a, p, init), "i": (a, x, p)}[which]
            args_m = {"a": (m, x, init), "x": (a, m, init), "i": (a, x, m)}[which]
            g[idx] = (f(*args_p) - f(*args_m)) / (2 * h)
        return g

    # y is multilinear in the gates, so central differences are exact up to rounding
    for name, got, arr in (("da", da, a), ("dx", dx, x), ("dinit", dinit, init)):
        want = fd(arr, name[1] if name != "dinit" else "i")
        err = rel_error(got, want)
        assert err <= 1e-7, f"{W} {name} err={err:.3e} {seeded.msg}"


@pytest.mark.parametrize("window", ["block=2,hops=1,segment=inf", "block=3,hops=2,segment=2",
                                    "block=2,hops=3,segment=inf", "block=4,hops=inf,segment=inf",
                                    "block=2,hops=0,segment=inf", "block=1,hops=2,segment=3"])
def test_vjp_vs_literal(seeded, window):
    """Exact comparison (1e-12) with the literal triple sum, including 0 and 1 gates."""
    W = Window.parse(window, strict=False)
    rng = seeded.rng
    d = random_scan_inputs(rng, 1, 2, 2, 13, "f64", resets=True, special_gates=True)
    dy = rng.standard_normal(d["x"].shape)
    da, dx = swr_scan_vjp(d["a"], d["x"], W, dy, d["resets"])
    ref = _literal_da(d["a"], d["x"], dy, W, d["resets"])
    assert rel_error(da, ref) <= 1e-12, f"{W} {seeded.msg}"
    assert rel_error(dx, swr_scan(d["a"], dy, W, d["resets"], transpose=True)) == 0.0


def test_exact_da_formula(seeded):
    """Exact recurrence: da[t] = sum_d dx[t, d] s[t-1, d]."""
    rng = seeded.rng
    d = random_scan_inputs(rng, 2, 2, 3, 40, "f64", init=True)
    a, x, init = d["a"], d["x"], d["init"]
    W = Window.exact()
    dy = rng.standard_normal(x.shape)
    da, dx, dinit = swr_scan_vjp(a, x, W, dy, init=init)
    s = swr_scan(a, x, W, init=init)
    s_prev = np.concatenate([init[..., None], s[..., :-1]], axis=-1)
    assert rel_error(da, np.einsum("bhdt,bhdt->bht", dx, s_prev)) <= 1e-12, seeded.msg
    assert rel_error(dinit, a[..., 0, None] * dx[..., 0]) <= 1e-12, seeded.msg


def test_vjp_long_sequence_finite_k(seeded):
    """Many tiles (K < T path), random spot checks of da against finite differences."""
    rng = seeded.rng
    W = Window(8, 2, 3)
    d = random_scan_inputs(rng, 1, 1, 4, 150, "f64", resets=0.02, gate_range=(0.5, 0.99))
    a, x, rs = d["a"], d["x"], d["resets"]
    dy = rng.standard_normal(x.shape)
    da, _ = swr_scan_vjp(a, x, W, dy, rs)
    h = 1e-6
    for k in rng.choice(150, size=12, replace=False):
        p, m = a.copy(), a.copy()
        p[..., k] += h
        m[..., k] -= h
        num = (np.sum(swr_scan(p, x, W, rs) * dy) - np.sum(swr_scan(m, x, W, rs) * dy)) / (2 * h)
        assert abs(num - da[0, 0, k]) <= 1e-7 * max(1.0, abs(num)), f"k={k} {seeded.msg}"
