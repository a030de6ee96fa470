"""Float64 numpy reference for sliding window recurrences (SWR) and the Phalanx layer.

Everything here is written from the definitions of ``spec/swr.md`` and
``spec/phalanx-layer.md``; it is the oracle the compiled kernels are tested against.
See ``docs/reference.md`` for the formulas and their derivation.

Layouts (L is the last, contiguous axis):

* gates ``a``  : ``[B, H, L]``
* drive ``x``  : ``[B, H, D, L]``
* output ``y`` : ``[B, H, D, L]``
* resets       : ``[B, L]`` bool (a flagged token starts a new sequence)
* init         : ``[B, H, D]`` state before token 0

Two forms are provided:

* :func:`transfer_matrix` / :func:`swr_dense`: the dense ``L x L`` matrix ``L_W`` built
  literally from the definition (O(L^2)), used as the oracle;
* :func:`swr_scan`: the vectorized carrier form (in-tile local scan, tile carriers
  composed over the K previous tiles), which must agree with the oracle to ~1e-12.

No log-space formulation and no division by gates is used anywhere, so gates that are
exactly 0 or 1 are legal and never produce NaN.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Union

import numpy as np

__all__ = [
    "Window",
    "transfer_matrix",
    "init_coefficients",
    "swr_dense",
    "swr_scan",
    "swr_scan_vjp",
    "SWRStream",
    "phalanx_layer",
    "activation",
    "rel_error",
    "tolerance",
    "round_to",
    "random_scan_inputs",
    "ACTIVATIONS",
]

Hops = Union[int, float]  # int >= 0 or math.inf

# --------------------------------------------------------------------------------------
# Window
# --------------------------------------------------------------------------------------


def _norm_count(value, name: str, minimum: int):
    """An int >= minimum, or math.inf (also accepted: the strings 'inf'/'infinity')."""
    if isinstance(value, str):
        s = value.strip().lower()
        if s in ("inf", "infinity", "+inf"):
            return math.inf
        try:
            value = int(s)
        except ValueError:
            raise ValueError(f"{name}: cannot parse {value!r}") from None
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an int or math.inf, got bool")
    if isinstance(value, (float, np.floating)):
        if math.isinf(value) and value > 0:
            return math.inf
        if math.isnan(value) or value != int(value):
            raise ValueError(f"{name} must be an integer or inf, got {value!r}")
        value = int(value)
    if isinstance(value, np.integer):
        value = int(value)
    if not isinstance(value, int):
        raise TypeError(f"{name} must be an int or math.inf, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


@dataclasses.dataclass(frozen=True)
class Window:
    """A sliding window W = (block BL, hops K, segment S) of spec/swr.md.

    ``hops`` (K) is an int >= 0 or ``math.inf``; ``segment`` (S) an int >= 1 or
    ``math.inf``. With ``strict=True`` (default) the block must be a power of two in
    [8, 128] (what the compiler accepts); ``strict=False`` allows any block >= 1 so
    small tests can use blocks of 1, 2 or 4.
    """

    block: int
    hops: Hops = 1
    segment: Hops = math.inf
    strict: bool = dataclasses.field(default=True, compare=False, repr=False)

    def __post_init__(self):
        block = _norm_count(self.block, "block", 1)
        if block == math.inf:
            raise ValueError("block must be finite")
        if self.strict and not (8 <= block <= 128 and block & (block - 1) == 0):
            raise ValueError(
                f"block must be a power of two in [8, 128], got {block} "
                "(use strict=False for the reference's small test blocks)"
            )
        object.__setattr__(self, "block", block)
        object.__setattr__(self, "hops", _norm_count(self.hops, "hops", 0))
        object.__setattr__(self, "segment", _norm_count(self.segment, "segment", 1))

    # -- convenience -------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str, strict: bool = True) -> "Window":
        """Parse ``"block=16,hops=1,segment=inf"`` (aliases: bl, k, s; any order)."""
        aliases = {"block": "block", "bl": "block", "hops": "hops", "k": "hops",
                   "segment": "segment", "s": "segment", "seg": "segment"}
        fields = {}
        for part in text.replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if "=" not in part:
                raise ValueError(f"window: expected key=value, got {part!r} in {text!r}")
            key, val = (p.strip() for p in part.split("=", 1))
            key = aliases.get(key.lower())
            if key is None:
                raise ValueError(f"window: unknown key in {part!r} (block, hops, segment)")
            if key in fields:
                raise ValueError(f"window: {key} given twice in {text!r}")
            fields[key] = val
        if "block" not in fields:
            raise ValueError(f"window: block is required in {text!r}")
        return cls(fields["block"], fields.get("hops", 1), fields.get("segment", math.inf),
                   strict=strict)

    @classmethod
    def exact(cls, block: int = 16) -> "Window":
        """The exact linear recurrence (K = inf, S = inf); the block is irrelevant."""
        return cls(block, math.inf, math.inf, strict=False)

    @property
    def is_exact(self) -> bool:
        return self.hops == math.inf and self.segment == math.inf

    def tile(self, t):
        return np.asarray(t) // self.block

    def seg(self, t):
        tl = self.tile(t)
        if self.segment == math.inf:
            return np.zeros_like(tl)
        return tl // self.segment

    def __str__(self) -> str:
        f = lambda v: "inf" if v == math.inf else str(v)  # noqa: E731
        return f"block={self.block},hops={f(self.hops)},segment={f(self.segment)}"


def _as_window(window) -> Window:
    if isinstance(window, Window):
        return window
    if isinstance(window, str):
        return Window.parse(window, strict=False)
    if isinstance(window, (tuple, list)):
        return Window(*window, strict=False)
    raise TypeError(f"expected a Window, got {type(window).__name__}")


# --------------------------------------------------------------------------------------
# The dense oracle (literal definition)
# --------------------------------------------------------------------------------------


def _visible_mask(L: int, window: Window, resets_1d) -> np.ndarray:
    """mask[t, j] = True iff j is in the window of t (j <= t, tiles, segment, resets)."""
    t = np.arange(L)[:, None]
    j = np.arange(L)[None, :]
    mask = j <= t
    mask &= window.tile(j) >= window.tile(t) - window.hops  # inf hops: always true
    mask &= window.seg(j) == window.seg(t)
    if resets_1d is not None:
        rs = np.asarray(resets_1d, dtype=bool).reshape(-1)
        if rs.shape[0] != L:
            raise ValueError(f"resets has length {rs.shape[0]}, expected {L}")
        # count of resets at positions <= t; a reset r with j < r <= t exists iff
        # count(<= t) - count(<= j) > 0
        c = np.cumsum(rs.astype(np.int64))
        mask &= (c[:, None] - c[None, :]) == 0
    return mask


def _gates_1d(a_1d, length):
    a = np.asarray(a_1d, dtype=np.float64)
    if a.ndim == 0:
        if length is None:
            raise ValueError("a scalar gate needs length")
        return np.full(int(length), float(a))
    a = a.reshape(-1)
    if length is not None:
        if length > a.shape[0]:
            raise ValueError(f"length {length} exceeds the {a.shape[0]} gates given")
        a = a[: int(length)]
    return a


def transfer_matrix(a_1d, window, resets_1d=None, length=None, transpose=False) -> np.ndarray:
    """The dense L x L transfer matrix L_W of one (b, h), float64, built literally.

    ``L_W[t, j] = a[j+1] * ... * a[t]`` if j is in the window of t, else 0 (diagonal 1).
    ``a_1d`` may be a scalar (then ``length`` is required) or a 1-D array (``length``
    then truncates it). With ``transpose=True`` returns ``L_W^T``.
    """
    window = _as_window(window)
    a = _gates_1d(a_1d, length)
    L = a.shape[0]
    M = np.zeros((L, L), dtype=np.float64)
    for t in range(L):
        # prods[j] = a[j+1] * ... * a[t] for j = 0..t (empty product 1 at j = t),
        # accumulated right to left by multiplication only (no division, no logs).
        prods = np.ones(t + 1, dtype=np.float64)
        if t > 0:
            prods[:t] = np.cumprod(a[t:0:-1])[::-1]
        M[t, : t + 1] = prods
    M *= _visible_mask(L, window, resets_1d)
    return M.T.copy() if transpose else M


def init_coefficients(a_1d, window, resets_1d=None, length=None) -> np.ndarray:
    """coef[t] = a[0] * ... * a[t] if the init state is visible to t, else 0.

    init is visible to t iff tile(t) < K, seg(t) == 0 and no reset in [0, t].
    """
    window = _as_window(window)
    a = _gates_1d(a_1d, length)
    L = a.shape[0]
    t = np.arange(L)
    coef = np.cumprod(a)
    vis = (window.tile(t) < window.hops) & (window.seg(t) == 0)
    if resets_1d is not None:
        rs = np.asarray(resets_1d, dtype=bool).reshape(-1)
        vis &= np.cumsum(rs) == 0
    return np.where(vis, coef, 0.0)


def swr_dense(a, x, window, resets=None, init=None, transpose=False) -> np.ndarray:
    """Apply the dense oracle L_W (or L_W^T) to a batch: y[b,h] = L_W x[b,h] (+ init)."""
    window = _as_window(window)
    a, x, resets, init = _check_inputs(a, x, resets, init, transpose)
    B, H, D, L = x.shape
    y = np.zeros((B, H, D, L), dtype=np.float64)
    for b in range(B):
        rs = None if resets is None else resets[b]
        for h in range(H):
            M = transfer_matrix(a[b, h], window, rs, transpose=transpose)
            y[b, h] = x[b, h] @ M.T  # [D, L] @ [L, L]^T: y[:, t] = sum_j M[t, j] x[:, j]
            if init is not None:
                c = init_coefficients(a[b, h], window, rs)
                y[b, h] += init[b, h][:, None] * c[None, :]
    return y


# --------------------------------------------------------------------------------------
# Input checking
# --------------------------------------------------------------------------------------


def _f64(arr, name):
    try:
        out = np.asarray(arr)
        if out.dtype == object:
            raise TypeError
        return out.astype(np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name}: cannot convert to float64") from None


def _check_inputs(a, x, resets, init, transpose):
    a = _f64(a, "a")
    x = _f64(x, "x")
    if a.ndim != 3:
        raise ValueError(f"a must be [B, H, L], got shape {a.shape}")
    if x.ndim != 4:
        raise ValueError(f"x must be [B, H, D, L], got shape {x.shape}")
    B, H, L = a.shape
    if x.shape[:2] != (B, H) or x.shape[3] != L:
        raise ValueError(f"x shape {x.shape} does not match a shape {a.shape} ([B,H,D,L])")
    if resets is not None:
        resets = np.asarray(resets)
        if resets.shape != (B, L):
            raise ValueError(f"resets must be [B, L] = {(B, L)}, got {resets.shape}")
        resets = resets.astype(bool)
    if init is not None:
        if transpose:
            raise ValueError("init is not allowed with transpose")
        init = _f64(init, "init")
        if init.shape != (B, H, x.shape[2]):
            raise ValueError(f"init must be [B, H, D] = {(B, H, x.shape[2])}, got {init.shape}")
    return a, x, resets, init


def _effective_gates(a, window: Window, resets):
    """Gates with the window's hard boundaries folded in as exact zeros.

    Every pair (j, t) excluded by a reset r (j < r <= t) or by a segment boundary
    (first token b of a segment with j < b <= t) has a[r] (resp. a[b]) among its
    factors a[j+1..t], and every pair that includes such a factor is excluded; the init
    state's coefficient a[0..t] likewise. So zeroing those gates is exact. Returns the
    new gates and the boolean mask of zeroed positions ([B, 1, L] broadcastable).
    """
    B, H, L = a.shape
    zero = np.zeros((B, 1, L), dtype=bool)
    if resets is not None:
        zero |= resets[:, None, :]
    if window.segment != math.inf:
        span = window.block * window.segment
        zero[..., span::span] = True
    return np.where(zero, 0.0, a), zero


# --------------------------------------------------------------------------------------
# The carrier form
# --------------------------------------------------------------------------------------


def _tiles(a_eff, x, BL):
    """Pad L up to T*BL (gate 1, drive 0) and reshape to tiles.

    Returns a4 [B,H,T,BL], x5 [B,H,D,T,BL], T.
    """
    B, H, D, L = x.shape
    T = max(1, -(-L // BL))
    pad = T * BL - L
    if pad:
        a_eff = np.concatenate([a_eff, np.ones((B, H, pad))], axis=-1)
        x = np.concatenate([x, np.zeros((B, H, D, pad))], axis=-1)
    return a_eff.reshape(B, H, T, BL), x.reshape(B, H, D, T, BL), T


def _local_forward(a4, x5):
    """In-tile recurrence from zero and in-tile inclusive gate product.

    s[p] = a[p] s[p-1] + x[p] (s[-1] = 0), r[p] = a[0] ... a[p]  (within each tile).
    """
    BL = a4.shape[-1]
    s = np.empty_like(x5)
    r = np.empty_like(a4)
    s[..., 0] = x5[..., 0]
    r[..., 0] = a4[..., 0]
    for p in range(1, BL):
        s[..., p] = a4[..., None, :, p] * s[..., p - 1] + x5[..., p]
        r[..., p] = r[..., p - 1] * a4[..., p]
    return s, r


def _local_backward(a4, x5):
    """In-tile transposed recurrence and in-tile exclusive suffix gate product.

    u[p] = x[p] + a[p+1] u[p+1] (u[BL-1] = x[BL-1]), q[p] = a[p+1] ... a[BL-1].
    """
    BL = a4.shape[-1]
    u = np.empty_like(x5)
    q = np.empty_like(a4)
    u[..., BL - 1] = x5[..., BL - 1]
    q[..., BL - 1] = 1.0
    for p in range(BL - 2, -1, -1):
        u[..., p] = x5[..., p] + a4[..., None, :, p + 1] * u[..., p + 1]
        q[..., p] = q[..., p + 1] * a4[..., p + 1]
    return u, q


def _shift(arr, k):
    """out[..., i] = arr[..., i - k] where 0 <= i - k < n, else 0 (along the last axis)."""
    n = arr.shape[-1]
    out = np.zeros_like(arr)
    if k >= 0:
        if k < n:
            out[..., k:] = arr[..., : n - k]
    else:
        k = -k
        if k < n:
            out[..., : n - k] = arr[..., k:]
    return out


def _forward_carries(g_e, v_e, K, T, want_terms=False):
    """Carry into each tile I = 0..T-1 from the carriers of tiles I-K..I-1.

    Tiles are indexed on an extended axis e = I + 1 (e = 0 is the init pseudo tile -1,
    whose v is the init state and whose g is never used). carry(I) = sum_{m=1..K}
    (g_{I-m+1} ... g_{I-1}) v_{I-m}, i.e. the carriers (g, v) of tiles I-K..I-1 composed
    left to right with (g1, v1) then (g2, v2) = (g1 g2, g2 v1 + v2), keeping v.
    Returns carry [..., D, T] and optionally the list of terms Cf_m [..., D, T].
    """
    if K >= T:  # every earlier tile (and init) is in the window: sequential composition
        carry = np.empty(v_e.shape[:-1] + (T,))
        c = v_e[..., 0]
        carry[..., 0] = c
        for I in range(1, T):
            c = g_e[..., None, I] * c + v_e[..., I]
            carry[..., I] = c
        return (carry, None) if want_terms else carry
    terms = []
    carry = np.zeros(v_e.shape[:-1] + (T,))
    P = np.ones(g_e.shape[:-1] + (T,))
    for m in range(1, K + 1):
        term = P[..., None, :] * _shift(v_e, m)[..., 1:]
        carry += term
        if want_terms:
            terms.append(term)
        P = P * _shift(g_e, m)[..., 1:]
    return (carry, terms) if want_terms else carry


def _backward_carries(g_e, w_e, K, T, want_terms=False):
    """Transposed carry out of each tile J = -1..T-1 (extended index e = J + 1).

    cb(J) = sum_{n=1..K} (g_{J+1} ... g_{J+n-1}) w_{J+n}, with w_I = sum_{t in I} r[t] x[t]
    (tiles beyond T-1 contribute nothing). Returns cb [..., D, T+1] (and terms Cb_n).
    """
    n_e = T + 1
    if K >= T:
        cb = np.zeros(w_e.shape)
        c = np.zeros(w_e.shape[:-1])
        for e in range(n_e - 2, -1, -1):
            c = w_e[..., e + 1] + g_e[..., None, e + 1] * c
            cb[..., e] = c
        return (cb, None) if want_terms else cb
    terms = []
    cb = np.zeros(w_e.shape)
    P = np.ones(g_e.shape)
    for n in range(1, K + 1):
        term = P[..., None, :] * _shift(w_e, -n)
        cb += term
        if want_terms:
            terms.append(term)
        P = P * _shift(g_e, -n)
    return (cb, terms) if want_terms else cb


class _Fwd:
    """Intermediates of the forward carrier form (also used by the stream and the VJP)."""


def _forward(a, x, window: Window, resets, init):
    B, H, D, L = x.shape
    BL = window.block
    a_eff, zero = _effective_gates(a, window, resets)
    a4, x5, T = _tiles(a_eff, x, BL)
    s, r = _local_forward(a4, x5)
    K = window.hops
    f = _Fwd()
    f.a_eff, f.zero, f.a4, f.x5, f.T, f.s, f.r = a_eff, zero, a4, x5, T, s, r
    f.g = r[..., -1]  # [B,H,T]     carrier gate of each tile
    f.v = s[..., -1]  # [B,H,D,T]   carrier state (terminal local state) of each tile
    if K == 0:
        f.carry = np.zeros((B, H, D, T))
        f.y5 = s
    else:
        g_e = np.concatenate([np.zeros((B, H, 1)), f.g], axis=-1)
        v0 = np.zeros((B, H, D, 1)) if init is None else init[..., None]
        v_e = np.concatenate([v0, f.v], axis=-1)
        f.carry = _forward_carries(g_e, v_e, K, T)
        f.y5 = s + r[:, :, None] * f.carry[..., None]  # y = local + r * carry
    f.y = f.y5.reshape(B, H, D, T * BL)[..., :L]
    return f


def _transpose(a, x, window: Window, resets, want=False):
    B, H, D, L = x.shape
    BL = window.block
    a_eff, zero = _effective_gates(a, window, resets)
    a4, x5, T = _tiles(a_eff, x, BL)
    u, q = _local_backward(a4, x5)
    K = window.hops
    if K == 0:
        cb = np.zeros((B, H, D, T + 1))
        y5 = u
        g_e = w_e = None
    else:
        g = np.prod(a4, axis=-1)  # carrier gate of each tile
        w = a4[:, :, None, :, 0] * u[..., 0]  # w_I = sum_t r[t] x[t] = a[I0] u[I0]
        g_e = np.concatenate([np.zeros((B, H, 1)), g], axis=-1)
        w_e = np.concatenate([np.zeros((B, H, D, 1)), w], axis=-1)
        cb = _backward_carries(g_e, w_e, K, T)
        y5 = u + q[:, :, None] * cb[..., 1:, None]  # y = local^T + q * carry_back
    y = y5.reshape(B, H, D, T * BL)[..., :L]
    if not want:
        return y
    return y, dict(u=u, q=q, cb=cb, g_e=g_e, w_e=w_e, T=T)


def swr_scan(a, x, window, resets=None, init=None, transpose=False) -> np.ndarray:
    """The SWR y = L_W x (or L_W^T x) by the carrier form, float64 [B, H, D, L].

    Inputs may be any float dtype (including ml_dtypes.bfloat16); all arithmetic is
    float64. ``resets`` [B, L] bool, ``init`` [B, H, D] (not with ``transpose``).
    """
    window = _as_window(window)
    a, x, resets, init = _check_inputs(a, x, resets, init, transpose)
    if transpose:
        return _transpose(a, x, window, resets)
    return _forward(a, x, window, resets, init).y


# --------------------------------------------------------------------------------------
# Gradients
# --------------------------------------------------------------------------------------


def swr_scan_vjp(a, x, window, dy, resets=None, init=None):
    """Vector-Jacobian product of :func:`swr_scan` (forward, not transpose).

    Returns ``(da, dx)``, or ``(da, dx, dinit)`` when ``init`` is given. dx = L_W^T dy;
    da is derived in docs/reference.md (carrier form of
    da[k] = sum_{(j,t) in window, j < k <= t} (a[j+1..k-1] x[j]) . (a[k+1..t] dy[t])).
    Gates at resets and segment starts get da = 0 (they do not influence y).
    """
    window = _as_window(window)
    a, x, resets, init = _check_inputs(a, x, resets, init, False)
    dy = _f64(dy, "dy")
    if dy.shape != x.shape:
        raise ValueError(f"dy shape {dy.shape} != x shape {x.shape}")
    B, H, D, L = x.shape
    BL, K = window.block, window.hops
    f = _forward(a, x, window, resets, init)
    dx, tb = _transpose(a, dy, window, resets, want=True)
    T = f.T
    s, r, u, q = f.s, f.r, tb["u"], tb["q"]
    # exclusive in-tile quantities at k: local state at k-1 (0 at tile start) and
    # gate product a[I0..k-1] (1 at tile start)
    s_exc = np.zeros_like(s)
    s_exc[..., 1:] = s[..., :-1]
    r_exc = np.ones_like(r)
    r_exc[..., 1:] = r[..., :-1]
    # pairs with j and t both in k's tile
    da5 = np.einsum("bhdip,bhdip->bhip", s_exc, u)
    dinit = None
    if K != 0:
        cf = f.carry  # [B,H,D,T]   sum_m Cf_m
        cb = tb["cb"]  # [B,H,D,T+1] sum_n Cb_n (extended index)
        cb_t = cb[..., 1:]
        # j in k's tile, t in a later tile:            q[k] s_exc[k] . CB(I)
        da5 += q * np.einsum("bhdip,bhdi->bhip", s_exc, cb_t)
        # j in an earlier tile (or init), t in k's tile: r_exc[k] CF(I) . u[k]
        da5 += r_exc * np.einsum("bhdi,bhdip->bhip", cf, u)
        # j earlier and t later, m + n <= K:            r_exc[k] q[k] S2(I)
        if K < T:
            g_e = np.concatenate([np.zeros((B, H, 1)), f.g], axis=-1)
            v0 = np.zeros((B, H, D, 1)) if init is None else init[..., None]
            v_e = np.concatenate([v0, f.v], axis=-1)
            _, cf_terms = _forward_carries(g_e, v_e, K, T, want_terms=True)
            _, cb_terms = _backward_carries(tb["g_e"], tb["w_e"], K, T, want_terms=True)
            s2 = np.zeros((B, H, T))
            part = np.zeros((B, H, D, T))  # sum_{n=1..p} Cb_n
            partials = [part]
            for n in range(1, K):
                part = part + cb_terms[n - 1][..., 1:]
                partials.append(part)
            for m in range(1, K):
                s2 += np.einsum("bhdi,bhdi->bhi", cf_terms[m - 1], partials[K - m])
        else:
            # all tiles visible: sum over m, n >= 1 of Cf_m . Cb_n = CF . CB
            s2 = np.einsum("bhdi,bhdi->bhi", cf, cb_t)
        da5 += r_exc * q * s2[..., None]
        if init is not None:
            dinit = cb[..., 0].copy()
    elif init is not None:
        dinit = np.zeros((B, H, D))
    da = da5.reshape(B, H, T * BL)[..., :L]
    da = np.where(f.zero, 0.0, da)
    return (da, dx) if init is None else (da, dx, dinit)


# --------------------------------------------------------------------------------------
# Streaming state (decode)
# --------------------------------------------------------------------------------------


class SWRStream:
    """Token-by-token SWR state for B batches and H heads of dim D (spec "Streaming state").

    State after token t-1 (``self.t`` tokens consumed):
      finite K: ``local`` [B,H,D] in-tile local state, ``r`` [B,H] in-tile gate product,
      ``carriers``: the (g, v) carriers of the previous (up to) K complete tiles (for
      K = 1 just the previous tile's terminal local state c with its gate product),
      ``carry`` [B,H,D] the composed carry into the current tile, and the position
      ``t % block`` in the tile;
      K = inf: ``s`` [B,H,D] (the exact recurrence; segments/resets zero the gate).
    ``prefill`` followed by ``step`` calls reproduces :func:`swr_scan` on the whole
    sequence.
    """

    def __init__(self, window, B, H, D, init=None):
        self.window = _as_window(window)
        self.B, self.H, self.D = int(B), int(H), int(D)
        self.t = 0
        self.init = None if init is None else _f64(init, "init").reshape(B, H, D)
        self.exact = self.window.hops == math.inf
        if self.exact:
            self.s = np.zeros((B, H, D)) if init is None else self.init.copy()
        else:
            self.local = np.zeros((B, H, D))
            self.r = np.ones((B, H))
            self.carry = np.zeros((B, H, D))
            self.carriers = []  # list of (g [B,H], v [B,H,D]), oldest first, <= K long
            if init is not None and self.window.hops >= 1:
                self.carriers.append((np.zeros((B, H)), self.init.copy()))

    @property
    def position_in_tile(self) -> int:
        return self.t % self.window.block

    def _gate(self, a_t, reset_t):
        W = self.window
        a_t = _f64(a_t, "a_t").reshape(self.B, self.H)
        t = self.t
        if W.segment != math.inf and t > 0 and t % (W.block * W.segment) == 0:
            a_t = np.zeros_like(a_t)  # first token of a segment
        if reset_t is not None:
            rs = np.asarray(reset_t, dtype=bool).reshape(self.B)
            a_t = np.where(rs[:, None], 0.0, a_t)
        return a_t

    def step(self, a_t, x_t, reset_t=None) -> np.ndarray:
        """Consume one token: a_t [B,H], x_t [B,H,D], reset_t [B] bool -> y_t [B,H,D]."""
        a_t = self._gate(a_t, reset_t)
        x_t = _f64(x_t, "x_t").reshape(self.B, self.H, self.D)
        W = self.window
        if self.exact:
            self.s = a_t[..., None] * self.s + x_t
            self.t += 1
            return self.s.copy()
        p = self.t % W.block
        if p == 0:  # new tile: compose the carriers of the previous K tiles
            self.local = np.zeros((self.B, self.H, self.D))
            self.r = np.ones((self.B, self.H))
            c = np.zeros((self.B, self.H, self.D))
            for g, v in self.carriers:  # (g1,v1) then (g2,v2) = (g1 g2, g2 v1 + v2)
                c = g[..., None] * c + v
            self.carry = c
        self.local = a_t[..., None] * self.local + x_t
        self.r = self.r * a_t
        y = self.local + self.r[..., None] * self.carry
        if p == W.block - 1:  # tile complete: its carrier joins the window
            if W.hops >= 1:
                self.carriers.append((self.r.copy(), self.local.copy()))
                del self.carriers[: max(0, len(self.carriers) - W.hops)]
        self.t += 1
        return y

    def prefill(self, a, x, resets=None) -> np.ndarray:
        """Consume a prompt a [B,H,L], x [B,H,D,L] (resets [B,L]); returns y [B,H,D,L]."""
        a = _f64(a, "a")
        x = _f64(x, "x")
        L = a.shape[-1]
        if self.t != 0:  # continuing: token by token (same arithmetic)
            ys = [self.step(a[..., i], x[..., i], None if resets is None else
                            np.asarray(resets)[:, i]) for i in range(L)]
            return np.stack(ys, axis=-1) if ys else np.zeros(x.shape)
        a, x, resets, init = _check_inputs(a, x, resets, self.init, False)
        W = self.window
        f = _forward(a, x, W, resets, init)
        self.t = L
        if L == 0:
            return f.y
        if self.exact:
            self.s = f.y[..., -1].copy()
            return f.y
        BL, T = W.block, f.T
        p = L % BL
        n_full = L // BL  # complete tiles
        if p:  # inside tile T-1: restore its local state, gate product and carry
            self.local = f.s[..., T - 1, p - 1].copy()
            self.r = f.r[..., T - 1, p - 1].copy()
            self.carry = f.carry[..., T - 1].copy()
        if W.hops >= 1:
            car = [(f.g[..., i].copy(), f.v[..., i].copy()) for i in range(n_full)]
            if self.init is not None:
                car.insert(0, (np.zeros((self.B, self.H)), self.init.copy()))
            self.carriers = car[max(0, len(car) - W.hops):]
        return f.y


# --------------------------------------------------------------------------------------
# The Phalanx layer
# --------------------------------------------------------------------------------------


def _sigmoid(z):
    # numerically safe for large |z| in float64
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


ACTIVATIONS = {
    "sigmoid": _sigmoid,
    "swish": lambda z: z * _sigmoid(z),
    "hard_sigmoid": lambda z: np.clip(z / 6.0 + 0.5, 0.0, 1.0),
}


def activation(name: str, z):
    """Apply a gate activation by name: sigmoid, swish (z*sigmoid(z)), hard_sigmoid."""
    try:
        fn = ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; known: {sorted(ACTIVATIONS)}") from None
    return fn(np.asarray(z, dtype=np.float64))


def phalanx_layer(x, wa, ba, wb, bb, wc, bc, wv, wo, *, heads, kv_heads, head_dim,
                  window, global_heads=0, act_a="sigmoid", act_b="sigmoid",
                  resets=None) -> np.ndarray:
    """The Phalanx layer forward (spec/phalanx-layer.md), float64 throughout.

    x [B, L, Dm]; wa [Dm, H], ba [H], wb/wc [Dm, Hkv*D], bb/bc [Hkv*D], wv [Dm, H*D],
    wo [H*D, Dm]. Heads h < global_heads use the exact recurrence, the others ``window``.
    Returns out [B, L, Dm].
    """
    window = _as_window(window)
    H, Hkv, D = int(heads), int(kv_heads), int(head_dim)
    if H % Hkv:
        raise ValueError(f"heads ({H}) must be divisible by kv_heads ({Hkv})")
    if not 0 <= global_heads <= H:
        raise ValueError(f"global_heads must be in [0, {H}], got {global_heads}")
    x = _f64(x, "x")
    if x.ndim != 3:
        raise ValueError(f"x must be [B, L, Dm], got {x.shape}")
    B, L, Dm = x.shape
    wa, ba, wb, bb, wc, bc, wv, wo = (_f64(w, n) for w, n in zip(
        (wa, ba, wb, bb, wc, bc, wv, wo), ("wa", "ba", "wb", "bb", "wc", "bc", "wv", "wo")))
    expect = {"wa": (Dm, H), "ba": (H,), "wb": (Dm, Hkv * D), "bb": (Hkv * D,),
              "wc": (Dm, Hkv * D), "bc": (Hkv * D,), "wv": (Dm, H * D), "wo": (H * D, Dm)}
    for name, w in zip(expect, (wa, ba, wb, bb, wc, bc, wv, wo)):
        if w.shape != expect[name]:
            raise ValueError(f"{name} must be {expect[name]}, got {w.shape}")
    A = activation(act_a, x @ wa + ba)  # [B, L, H]
    G = activation(act_b, x @ wb + bb).reshape(B, L, Hkv, D)
    C = (x @ wc + bc).reshape(B, L, Hkv, D)
    V = (x @ wv).reshape(B, L, H, D)
    kv = np.arange(H) // (H // Hkv)
    X = G[:, :, kv, :] * V  # [B, L, H, D]
    a_s = A.transpose(0, 2, 1)  # [B, H, L]
    x_s = X.transpose(0, 2, 3, 1)  # [B, H, D, L]
    Y = np.empty_like(x_s)
    hg = int(global_heads)
    if hg:
        Y[:, :hg] = swr_scan(a_s[:, :hg], x_s[:, :hg], Window.exact(window.block), resets)
    if hg < H:
        Y[:, hg:] = swr_scan(a_s[:, hg:], x_s[:, hg:], window, resets)
    Z = Y.transpose(0, 3, 1, 2) * C[:, :, kv, :] + V  # [B, L, H, D]
    return Z.reshape(B, L, H * D) @ wo


# --------------------------------------------------------------------------------------
# Helpers: errors, tolerances, rounding, random inputs
# --------------------------------------------------------------------------------------


def rel_error(y, ref) -> float:
    """||y - ref||_F / ||ref||_F in float64; NaN or inf anywhere in y or ref -> inf."""
    y = _f64(y, "y")
    ref = _f64(ref, "ref")
    if y.shape != ref.shape:
        raise ValueError(f"shape mismatch: {y.shape} vs {ref.shape}")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(ref))):
        return math.inf
    num = float(np.linalg.norm((y - ref).ravel()))
    den = float(np.linalg.norm(ref.ravel()))
    if den == 0.0:
        return 0.0 if num == 0.0 else math.inf
    return num / den


_DTYPE_NAMES = {
    "f32": "f32", "float32": "f32", "fp32": "f32",
    "bf16": "bf16", "bfloat16": "bf16",
    "f16": "f16", "float16": "f16", "fp16": "f16", "half": "f16",
    "f64": "f64", "float64": "f64", "fp64": "f64",
}


def _dtype_name(dtype) -> str:
    if isinstance(dtype, str):
        key = dtype.lower()
    else:
        key = np.dtype(dtype).name
    try:
        return _DTYPE_NAMES[key]
    except KeyError:
        raise ValueError(f"unsupported dtype {dtype!r} (bf16, f16, f32, f64)") from None


_TOL = {"f32": 1e-5, "bf16": 8e-3, "f16": 2e-3, "f64": 1e-12}


def tolerance(out_dtype) -> float:
    """Relative Frobenius tolerance for an output dtype: f32 1e-5, bf16 8e-3, f16 2e-3."""
    return _TOL[_dtype_name(out_dtype)]


def _round_bf16(v: np.ndarray) -> np.ndarray:
    """float64 -> bfloat16 with one round-to-nearest-even step (no f32 double rounding)."""
    import ml_dtypes

    v = np.asarray(v, dtype=np.float64)
    out = v.copy()
    fin = np.isfinite(v) & (v != 0)
    vf = v[fin]
    m, e = np.frexp(vf)  # vf = m 2^e, 0.5 <= |m| < 1
    # normal bf16: 8 significant bits; subnormal (|v| < 2^-126): spacing 2^-133
    e_eff = np.maximum(e, -125)
    q = np.rint(np.ldexp(vf, 8 - e_eff))  # np.rint rounds half to even
    out[fin] = np.ldexp(q, e_eff - 8)
    big = np.abs(out) >= 2.0 ** 128  # rounds past the largest finite bf16
    out[big] = np.copysign(np.inf, out[big])
    with np.errstate(over="ignore"):
        return out.astype(np.float32).astype(ml_dtypes.bfloat16)  # exact now


def round_to(arr, dtype_name):
    """Round to "bf16", "f16" or "f32" (nearest even); returns an array of that dtype.

    bf16 is returned as ml_dtypes.bfloat16, rounded directly from float64.
    """
    name = _dtype_name(dtype_name)
    arr = np.asarray(arr)
    if name == "bf16":
        return _round_bf16(arr)
    with np.errstate(over="ignore"):
        if name == "f16":
            return arr.astype(np.float64).astype(np.float16)
        if name == "f32":
            return arr.astype(np.float64).astype(np.float32)
    return arr.astype(np.float64)


def random_scan_inputs(rng, B, H, D, L, dtype="f32", resets=False, init=False,
                       special_gates=False, gate_range=(0.05, 0.999)):
    """Random SWR inputs as a dict with keys a, x, resets, init (None when not asked).

    Gates uniform in ``gate_range`` (inside (0, 1)); with ``special_gates`` about 5 %
    of the gates are set to exactly 0 and 5 % to exactly 1. Drive and init are standard
    normal. a, x and init are rounded to ``dtype`` ("f32", "bf16", "f16" or "f64").
    ``resets`` may be True (each token flagged with probability 0.1) or a probability.
    """
    if not isinstance(rng, np.random.Generator):
        rng = np.random.default_rng(rng)
    lo, hi = gate_range
    a = rng.uniform(lo, hi, size=(B, H, L))
    if special_gates:
        u = rng.uniform(size=a.shape)
        a[u < 0.05] = 0.0
        a[(u >= 0.05) & (u < 0.10)] = 1.0
    x = rng.standard_normal((B, H, D, L))
    out = {"a": round_to(a, dtype), "x": round_to(x, dtype), "resets": None, "init": None}
    if resets:
        p = 0.1 if resets is True else float(resets)
        out["resets"] = rng.uniform(size=(B, L)) < p
    if init:
        out["init"] = round_to(rng.standard_normal((B, H, D)), dtype)
    return out
