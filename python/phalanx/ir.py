"""Builders for small MLIR modules: one swr.scan or one phalanx.layer as an
entry function. Used by the tests and handy for users who want IR without
writing it by hand."""


def _tensor(dims, dtype):
    return "tensor<" + "x".join("?" if d is None else str(d) for d in dims) + "x" + dtype + ">"


def _inf(value):
    return "inf" if value is None or value == float("inf") else str(int(value))


def window_attr(block, hops, segment=None):
    """`<block = .., hops = .., segment = ..>`; None or inf mean inf."""
    return "<block = %d, hops = %s, segment = %s>" % (block, _inf(hops), _inf(segment))


def scan_module(*, name="scan", B=None, H=2, D=16, L=None, block=16, hops=1,
                segment=None, a_dtype="f32", x_dtype="f32", y_dtype="f32",
                resets=False, init=False, init_dtype="f32", transpose=False,
                schedule=None):
    """A func.func `name` wrapping one swr.scan. None dims are dynamic.
    Argument order: a, x, [resets], [init]."""
    ta = _tensor([B, H, L], a_dtype)
    tx = _tensor([B, H, D, L], x_dtype)
    ty = _tensor([B, H, D, L], y_dtype)
    args = ["%%a: %s" % ta, "%%x: %s" % tx]
    types = [ta, tx]
    extras = ""
    if resets:
        tr = _tensor([B, L], "i1")
        args.append("%%r: %s" % tr)
        types.append(tr)
        extras += " resets(%r)"
    if init:
        ti = _tensor([B, H, D], init_dtype)
        args.append("%%s: %s" % ti)
        types.append(ti)
        extras += " init(%s)"
    sched = " schedule <%s>" % schedule if schedule is not None else ""
    tr_kw = " transpose" if transpose else ""
    return (
        "func.func @%s(%s) -> %s {\n"
        "  %%y = swr.scan %%a, %%x%s window %s%s%s : (%s) -> %s\n"
        "  return %%y : %s\n}\n"
        % (name, ", ".join(args), ty, extras, window_attr(block, hops, segment), sched,
           tr_kw, ", ".join(types), ty, ty))


def layer_module(*, name="layer", B=None, L=None, dim=64, heads=4, kv_heads=None,
                 head_dim=16, block=16, hops=1, segment=None, global_heads=0,
                 act_a="sigmoid", act_b="sigmoid", dtype="f32", out_dtype=None):
    """A func.func `name` wrapping one phalanx.layer with weights as arguments
    (x, wa, ba, wb, bb, wc, bc, wv, wo)."""
    kv = kv_heads or heads
    out_dtype = out_dtype or dtype
    shapes = {"x": [B, L, dim], "wa": [dim, heads], "ba": [heads],
              "wb": [dim, kv * head_dim], "bb": [kv * head_dim],
              "wc": [dim, kv * head_dim], "bc": [kv * head_dim],
              "wv": [dim, heads * head_dim], "wo": [heads * head_dim, dim]}
    order = ["x", "wa", "ba", "wb", "bb", "wc", "bc", "wv", "wo"]
    types = [_tensor(shapes[k], dtype) for k in order]
    tout = _tensor([B, L, dim], out_dtype)
    args = ", ".join("%%%s: %s" % (k, t) for k, t in zip(order, types))
    attrs = ("heads = %d, kv_heads = %d, head_dim = %d, global_heads = %d, "
             "act_a = #phalanx.activation<%s>, act_b = #phalanx.activation<%s>, "
             "window = #swr.window%s" % (heads, kv, head_dim, global_heads, act_a, act_b,
                                         window_attr(block, hops, segment)))
    return (
        "func.func @%s(%s) -> %s {\n"
        "  %%o = phalanx.layer %%x, a(%%wa, %%ba), b(%%wb, %%bb), c(%%wc, %%bc), v(%%wv), "
        "out(%%wo) {%s} : (%s) -> %s\n"
        "  return %%o : %s\n}\n" % (name, args, tout, attrs, ", ".join(types), tout, tout))
