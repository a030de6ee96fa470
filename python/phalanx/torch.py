"""PyTorch front end of the compiled Phalanx layer.

    import torch
    from phalanx.torch import Phalanx

    layer = Phalanx(dim=256)                 # heads = 16, kv_heads = 16, head dim 16
    layer.load_state_dict(torch.load("layer.pt"))   # proj_a.weight, proj_a.bias, ...
    with torch.no_grad():
        out = layer(x)                       # x [B, L, 256] f32 / bf16 / f16, CPU or CUDA

`Phalanx` has the constructor arguments and the parameter names (proj_a,
proj_b, proj_c, proj_v, proj_out, each an nn.Linear) of the published module,
so existing checkpoints load with strict=True. The forward is the custom op
``torch.ops.phalanx.layer`` (torch.library), which compiles one
``phalanx.layer`` with dynamic batch and length per (layer shape, dtype,
device), caches the loaded artifact and runs it through the runtime on the
tensors' own memory (no copies of x or of the output).

See docs/pytorch.md.
"""
import math
import threading
import weakref

import torch
from torch import nn

from . import ir
from .reference import Window

__all__ = ["Phalanx", "layer", "prepare", "ACTIVATIONS", "HEAD_DIMS", "cache_info",
           "clear_caches"]

ACTIVATIONS = ("sigmoid", "swish", "hard_sigmoid")
HEAD_DIMS = (16, 32, 64)
_DTYPE_NAMES = {torch.float32: "f32", torch.bfloat16: "bf16", torch.float16: "f16"}
_ENTRY = "layer"
_INF = -1  # how the op's int arguments spell an infinite hops / segment

# ----------------------------------------------------------------------------------
# Caches: compiled modules per layer configuration, op-layout weights per parameter.
# ----------------------------------------------------------------------------------

_lock = threading.Lock()
_modules = {}  # config key -> phalanx.runtime.Module
_stats = {"compiles": 0, "hits": 0, "weight_copies": 0}
_weights = {}  # (id(tensor), dtype) -> (weakref, version, data_ptr, op-layout tensor)


def cache_info():
    """{'compiles': n, 'hits': n, 'modules': n, 'weight_copies': n, 'weights': n}:
    compiles counts configurations compiled (and loaded) in this process."""
    with _lock:
        return dict(_stats, modules=len(_modules), weights=len(_weights))


def clear_caches():
    """Drops the loaded modules and the cached op-layout weights (compiled
    artifacts stay in phalanx.compile's disk cache)."""
    with _lock:
        _modules.clear()
        _weights.clear()
        for k in _stats:
            _stats[k] = 0


def _layer_text(config, dtype_name):
    """The phalanx.layer module (dynamic B and L) of one configuration."""
    dim, heads, kv_heads, head_dim, global_heads, act_a, act_b, block, hops, segment = config
    return ir.layer_module(
        name=_ENTRY, B=None, L=None, dim=dim, heads=heads, kv_heads=kv_heads,
        head_dim=head_dim, block=block, hops=None if hops == _INF else hops,
        segment=None if segment == _INF else segment, global_heads=global_heads,
        act_a=act_a, act_b=act_b, dtype=dtype_name)


def _module_for(config, dtype_name, device):
    """The loaded runtime Module of one layer configuration (compiled once)."""
    key = config + (dtype_name, device)
    with _lock:
        mod = _modules.get(key)
        if mod is not None:
            _stats["hits"] += 1
            return mod
        import phalanx  # the package; phalanx.compile runs phalanx-compile

        mod = phalanx.compile(_layer_text(config, dtype_name), target=device)
        _modules[key] = mod
        _stats["compiles"] += 1
        return mod


def prepare(model, dtype, device):
    """Compiles `model`'s layer for (dtype, device) into phalanx.compile's disk
    cache without loading it, and returns the artifact's path: a GPU
    artifact can be prepared on a machine without a GPU (or compiler-less
    GPU machines can be given a filled $PHALANX_CACHE_DIR)."""
    from .compiler import cached_artifact

    if dtype not in _DTYPE_NAMES:
        raise TypeError("Phalanx: unsupported dtype %s; supported: float32, bfloat16, "
                        "float16" % dtype)
    device = torch.device(device).type
    if device not in ("cpu", "cuda"):
        raise NotImplementedError("Phalanx: device %s is not supported (cpu and cuda are)"
                                  % device)
    config = (model.dim,) + model._op_args()
    return cached_artifact(_layer_text(config, _DTYPE_NAMES[dtype]), target=device)


def _op_weight(t, dtype, transpose):
    """`t` (transposed when asked) as a contiguous tensor of `dtype`. Copies are
    cached per parameter and reused while its storage and version counter are
    unchanged, so a steady-state forward copies nothing."""
    if not transpose and t.dtype == dtype and t.is_contiguous():
        return t
    key = (id(t), dtype, transpose)
    try:
        version = t._version
    except RuntimeError:  # inference tensors have no version counter: no caching
        version = None
    if version is not None:
        with _lock:
            hit = _weights.get(key)
        if hit is not None:
            ref, ver, ptr, out = hit
            if ref() is t and ver == version and ptr == t.data_ptr():
                return out
    src = t.detach()
    out = (src.t() if transpose else src).to(dtype).contiguous()
    if out.data_ptr() == src.data_ptr():  # no copy was needed after all
        return out
    with _lock:
        _stats["weight_copies"] += 1
        if version is not None:
            def drop(_, key=key):
                _weights.pop(key, None)

            _weights[key] = (weakref.ref(t, drop), version, t.data_ptr(), out)
    return out


# ----------------------------------------------------------------------------------
# Checks shared by the module and the op.
# ----------------------------------------------------------------------------------


def _check_x(x, dim):
    if not isinstance(x, torch.Tensor):
        raise TypeError("Phalanx expects a torch.Tensor x of shape [B, L, dim], got %s"
                        % type(x).__name__)
    if x.dim() != 3:
        raise ValueError("Phalanx expects x of shape [B, L, dim] (rank 3), got rank %d "
                         "shape %s" % (x.dim(), list(x.shape)))
    if x.shape[-1] != dim:
        raise ValueError("Phalanx expects x of shape [B, L, dim] with dim = %d, got "
                         "last dim %d (shape %s)" % (dim, x.shape[-1], list(x.shape)))
    if x.dtype not in _DTYPE_NAMES:
        raise TypeError("Phalanx: unsupported dtype %s for x; supported: float32, "
                        "bfloat16, float16" % x.dtype)


def _check_device(x, tensors, names):
    for t, n in zip(tensors, names):
        if t.device != x.device:
            raise RuntimeError("Phalanx: x is on %s but %s is on %s; move the module "
                               "(layer.to(x.device)) or the input" % (x.device, n, t.device))
        if not t.dtype.is_floating_point:
            raise TypeError("Phalanx: %s has dtype %s; the weights must be floating point"
                            % (n, t.dtype))
    if x.device.type not in ("cpu", "cuda"):
        raise NotImplementedError("Phalanx: device %s is not supported (cpu and cuda are)"
                                  % x.device)


_WEIGHT_NAMES = ("proj_a.weight", "proj_a.bias", "proj_b.weight", "proj_b.bias",
                 "proj_c.weight", "proj_c.bias", "proj_v.weight", "proj_out.weight")

# ----------------------------------------------------------------------------------
# The custom op. Weights are in nn.Linear layout ([out, in]); the compiled layer
# takes [in, out], so the implementation hands it cached transposed copies.
# ----------------------------------------------------------------------------------


@torch.library.custom_op("phalanx::layer", mutates_args=())
def layer(x: torch.Tensor, wa: torch.Tensor, ba: torch.Tensor, wb: torch.Tensor,
          bb: torch.Tensor, wc: torch.Tensor, bc: torch.Tensor, wv: torch.Tensor,
          wo: torch.Tensor, heads: int, kv_heads: int, head_dim: int, global_heads: int,
          act_a: str, act_b: str, block: int, hops: int, segment: int) -> torch.Tensor:
    """The Phalanx layer forward on x [B, L, Dm] with nn.Linear-layout weights:
    wa [H, Dm], ba [H], wb/wc [Hkv*D, Dm], bb/bc [Hkv*D], wv [H*D, Dm],
    wo [Dm, H*D]. hops / segment = -1 mean inf. Returns [B, L, Dm] in x's dtype;
    the weights are used in x's dtype."""
    dim = wa.shape[1]
    _check_x(x, dim)
    ws = (wa, ba, wb, bb, wc, bc, wv, wo)
    _check_device(x, ws, _WEIGHT_NAMES)
    dtype_name = _DTYPE_NAMES[x.dtype]
    config = (int(dim), int(heads), int(kv_heads), int(head_dim), int(global_heads),
              str(act_a), str(act_b), int(block), int(hops), int(segment))
    device = x.device.type
    mod = _module_for(config, dtype_name, device)
    x = x.contiguous()  # no-op for contiguous inputs
    out = torch.empty(x.shape, dtype=x.dtype, device=x.device)
    if x.numel() == 0:
        return out
    # biases are used as they are; matrices are transposed to the op's [in, out]
    op_ws = [_op_weight(w, x.dtype, transpose=(w.dim() == 2)) for w in ws]
    args = [(x.data_ptr(), dtype_name, tuple(x.shape), device)]
    args += [(w.data_ptr(), dtype_name, tuple(w.shape), device) for w in op_ws]
    results = [(out.data_ptr(), dtype_name, tuple(out.shape), device)]
    if device == "cuda":
        _invoke_cuda(mod, x.device, args, results)
    else:
        mod.invoke_pointers(_ENTRY, args, results)
    return out


def _invoke_cuda(mod, dev, args, results):
    """Runs the layer on the GPU of `dev`, enqueued on torch's current stream
    of that device (no synchronization: like a torch op, the result is ready
    in the stream's order; the inputs and the cached weight copies were
    produced in it)."""
    from . import runtime as rt

    index = dev.index if dev.index is not None else torch.cuda.current_device()
    rt.set_cuda_device(index)  # the runtime's device is per thread
    # torch's default stream is the legacy default stream, handle 0, which
    # set_cuda_stream reads as "synchronous calls": name it CU_STREAM_LEGACY.
    rt.set_cuda_stream(torch.cuda.current_stream(dev).cuda_stream or rt.CU_STREAM_LEGACY)
    try:
        mod.invoke_pointers(_ENTRY, args, results)
    finally:
        rt.set_cuda_stream(None)


@layer.register_fake
def _layer_fake(x, wa, ba, wb, bb, wc, bc, wv, wo, heads, kv_heads, head_dim,
                global_heads, act_a, act_b, block, hops, segment):
    torch._check(x.dim() == 3, lambda: "phalanx::layer: x must be [B, L, dim]")
    torch._check(x.shape[-1] == wa.shape[1], lambda: "phalanx::layer: x's last dim must "
                 "be dim (wa.shape[1])")
    return x.new_empty(x.shape)


@torch.library.custom_op("phalanx::layer_backward", mutates_args=())
def _layer_backward(grad: torch.Tensor, x: torch.Tensor, wa: torch.Tensor, ba: torch.Tensor,
                    wb: torch.Tensor, bb: torch.Tensor, wc: torch.Tensor, bc: torch.Tensor,
                    wv: torch.Tensor, wo: torch.Tensor) -> list[torch.Tensor]:
    """Placeholder of the layer's backward: raises when it runs. It is an op
    (with a fake implementation) so that torch.compile can trace a forward
    with grad enabled; only running the backward fails."""
    raise NotImplementedError(
        "Phalanx: the backward of the compiled layer is not implemented yet (forward "
        "only); run the layer under torch.no_grad() / torch.inference_mode() or with "
        "parameters and input that do not require grad")


@_layer_backward.register_fake
def _layer_backward_fake(grad, x, wa, ba, wb, bb, wc, bc, wv, wo):
    return [torch.empty_like(t) for t in (x, wa, ba, wb, bb, wc, bc, wv, wo)]


def _backward(ctx, grad):
    grads = torch.ops.phalanx.layer_backward(grad, *ctx.saved_tensors)
    return tuple(grads) + (None,) * 9


def _setup_context(ctx, inputs, output):
    ctx.save_for_backward(*inputs[:9])


layer.register_autograd(_backward, setup_context=_setup_context)


# ----------------------------------------------------------------------------------
# The module.
# ----------------------------------------------------------------------------------


def _as_window(window, block_size):
    if window is None:
        return Window(block_size, 1, math.inf)
    if isinstance(window, Window):
        return window
    if isinstance(window, str):
        return Window.parse(window)
    if isinstance(window, (tuple, list)):
        return Window(*window)
    if isinstance(window, dict):
        return Window(**window)
    raise TypeError("window must be a phalanx.Window, a 'block=..,hops=..,segment=..' "
                    "string, a (block, hops, segment) tuple or a dict, got %s"
                    % type(window).__name__)


class Phalanx(nn.Module):
    """The Phalanx token mixer (spec/phalanx-layer.md), compiled by Phalanx.

    Arguments of the published module: ``dim`` (model width Dm), ``heads``
    (default dim // head_dim), ``kv_heads`` (default heads), ``length`` (the
    published module's maximum length; kept for checkpoint compatibility, the
    compiled layer takes any length), ``block_size`` (the window's block,
    default 16), ``dtype`` and ``device`` (of the parameters).

    Extensions: ``window`` (a phalanx.Window or 'block=16,hops=1,segment=inf';
    default Window(block_size, hops=1, segment=inf)), ``head_dim`` (16, 32, 64;
    default 16), ``global_heads`` (the first heads use the exact recurrence),
    ``act_a`` / ``act_b`` (sigmoid, swish, hard_sigmoid).
    """

    def __init__(self, dim, heads=None, kv_heads=None, length=None, block_size=16,
                 dtype=None, *, window=None, head_dim=16, global_heads=0,
                 act_a="sigmoid", act_b="sigmoid", device=None):
        super().__init__()
        dim = int(dim)
        head_dim = int(head_dim)
        if head_dim not in HEAD_DIMS:
            raise ValueError("head_dim must be one of %s, got %d" % (HEAD_DIMS, head_dim))
        if heads is None:
            if dim % head_dim:
                raise ValueError("dim (%d) must be a multiple of head_dim (%d) when heads "
                                 "is not given" % (dim, head_dim))
            heads = dim // head_dim
        heads = int(heads)
        kv_heads = heads if kv_heads is None else int(kv_heads)
        if dim < 1 or heads < 1 or kv_heads < 1:
            raise ValueError("dim, heads and kv_heads must be positive, got %d, %d, %d"
                             % (dim, heads, kv_heads))
        if heads % kv_heads:
            raise ValueError("heads (%d) must be divisible by kv_heads (%d)"
                             % (heads, kv_heads))
        if not 0 <= int(global_heads) <= heads:
            raise ValueError("global_heads must be in [0, heads = %d], got %s"
                             % (heads, global_heads))
        for name, act in (("act_a", act_a), ("act_b", act_b)):
            if act not in ACTIVATIONS:
                raise ValueError("%s must be one of %s, got %r" % (name, ACTIVATIONS, act))
        self.window = _as_window(window, int(block_size))
        self.dim, self.heads, self.kv_heads, self.head_dim = dim, heads, kv_heads, head_dim
        self.length = length
        self.block_size = self.window.block
        self.global_heads = int(global_heads)
        self.act_a, self.act_b = act_a, act_b
        kw = {"dtype": dtype, "device": device}
        self.proj_a = nn.Linear(dim, heads, bias=True, **kw)
        self.proj_b = nn.Linear(dim, kv_heads * head_dim, bias=True, **kw)
        self.proj_c = nn.Linear(dim, kv_heads * head_dim, bias=True, **kw)
        self.proj_v = nn.Linear(dim, heads * head_dim, bias=False, **kw)
        self.proj_out = nn.Linear(heads * head_dim, dim, bias=False, **kw)

    def _op_args(self):
        w = self.window
        return (self.heads, self.kv_heads, self.head_dim, self.global_heads, self.act_a,
                self.act_b, int(w.block), _INF if w.hops == math.inf else int(w.hops),
                _INF if w.segment == math.inf else int(w.segment))

    def forward(self, x):
        _check_x(x, self.dim)
        ws = (self.proj_a.weight, self.proj_a.bias, self.proj_b.weight, self.proj_b.bias,
              self.proj_c.weight, self.proj_c.bias, self.proj_v.weight,
              self.proj_out.weight)
        _check_device(x, ws, _WEIGHT_NAMES)
        return torch.ops.phalanx.layer(x, *ws, *self._op_args())

    def extra_repr(self):
        return ("dim=%d, heads=%d, kv_heads=%d, head_dim=%d, window=%s, global_heads=%d, "
                "act_a=%s, act_b=%s" % (self.dim, self.heads, self.kv_heads, self.head_dim,
                                        self.window, self.global_heads, self.act_a,
                                        self.act_b))
