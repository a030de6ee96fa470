"""phalanx.torch.Phalanx (the PyTorch module of the compiled layer) on the CPU
against the float64 reference."""
import math

import numpy as np
import pytest

from compiled import needs_build, setup_env

torch = pytest.importorskip("torch", reason="torch is not installed (python/requirements.txt)")

import phalanx  # noqa: E402
import phalanx.runtime  # noqa: E402
from phalanx.reference import Window, phalanx_layer, rel_error, tolerance  # noqa: E402
from phalanx.torch import Phalanx, cache_info, clear_caches  # noqa: E402

pytestmark = needs_build

DIM = 64
NAMES = ["proj_a.weight", "proj_a.bias", "proj_b.weight", "proj_b.bias", "proj_c.weight",
         "proj_c.bias", "proj_v.weight", "proj_out.weight"]
TORCH_DTYPES = {"f32": torch.float32, "bf16": torch.bfloat16, "f16": torch.float16}


@pytest.fixture(scope="module", autouse=True)
def _env(tmp_path_factory):
    setup_env(tmp_path_factory.mktemp("phx-torch-cache"))


@pytest.fixture(autouse=True)
def _fresh():
    clear_caches()
    with torch.no_grad():
        yield


def randomize(model, rng):
    """Random weights (normal / sqrt(fan_in)) so the gates are not saturated."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            fan_in = p.shape[-1] if p.dim() == 2 else DIM
            p.copy_(torch.from_numpy(rng.standard_normal(tuple(p.shape)) / math.sqrt(fan_in)))


def reference(model, x):
    """phalanx_layer on exactly the values the compiled layer sees (float64)."""
    dt = x.dtype
    sd = {k: v.detach().to(dt).double().numpy() for k, v in model.state_dict().items()}
    ws = [sd["proj_a.weight"].T, sd["proj_a.bias"], sd["proj_b.weight"].T, sd["proj_b.bias"],
          sd["proj_c.weight"].T, sd["proj_c.bias"], sd["proj_v.weight"].T,
          sd["proj_out.weight"].T]
    return phalanx_layer(x.double().numpy(), *ws, heads=model.heads,
                         kv_heads=model.kv_heads, head_dim=model.head_dim,
                         window=model.window, global_heads=model.global_heads,
                         act_a=model.act_a, act_b=model.act_b)


def check(model, x, seeded, what=""):
    out = model(x)
    assert out.shape == x.shape and out.dtype == x.dtype and out.device == x.device
    got = out.double().numpy()
    assert np.isfinite(got).all(), seeded.msg
    err = rel_error(got, reference(model, x))
    tol = tolerance({torch.float32: "f32", torch.bfloat16: "bf16",
                     torch.float16: "f16"}[x.dtype])
    assert err <= tol, f"rel_err {err:.3e} > {tol} {what} {seeded.msg}"
    return out


CASES = [
    # (dtype, heads, kv_heads, head_dim, window, global_heads, act_a, act_b)
    ("f32", None, None, 16, None, 0, "sigmoid", "sigmoid"),  # the published layer
    ("bf16", None, None, 16, None, 0, "sigmoid", "sigmoid"),
    ("f32", 4, 2, 16, "block=16,hops=2,segment=3", 1, "sigmoid", "swish"),
    ("bf16", 4, 1, 16, Window(32, 1, math.inf), 2, "hard_sigmoid", "sigmoid"),
    ("f32", 2, 1, 32, Window(16, 0), 0, "swish", "hard_sigmoid"),
    ("f16", 2, 2, 32, Window(16, math.inf), 0, "sigmoid", "sigmoid"),
]


@pytest.mark.parametrize("case", CASES, ids=[
    "%s-H%s-kv%s-D%d-%s-g%d-%s-%s" % (c[0], c[1], c[2], c[3], str(c[4]).replace(",", "_"),
                                      c[5], c[6], c[7]) for c in CASES])
def test_numerics_many_shapes_one_compile(seeded, case):
    dtype, heads, kv, D, window, glob, act_a, act_b = case
    torch_dtype = TORCH_DTYPES[dtype]
    model = Phalanx(DIM, heads, kv, length=4096, dtype=torch_dtype, window=window,
                    head_dim=D, global_heads=glob, act_a=act_a, act_b=act_b)
    randomize(model, seeded.rng)
    for B, L in [(1, 1), (2, 37), (1, 128), (3, 200)]:
        x = torch.from_numpy(seeded.rng.standard_normal((B, L, DIM))).to(torch_dtype)
        check(model, x, seeded, "B=%d L=%d" % (B, L))
    info = cache_info()
    assert info["compiles"] == 1, info   # one artifact (dynamic B, L) served every shape
    assert info["hits"] == 3, info


def test_published_defaults():
    m = Phalanx(64)
    assert (m.heads, m.kv_heads, m.head_dim, m.global_heads) == (4, 4, 16, 0)
    assert m.window == Window(16, 1, math.inf)
    assert (m.act_a, m.act_b) == ("sigmoid", "sigmoid")
    assert Phalanx(64, block_size=32).window == Window(32, 1, math.inf)
    shapes = {k: tuple(v.shape) for k, v in m.state_dict().items()}
    assert shapes == {"proj_a.weight": (4, 64), "proj_a.bias": (4,),
                      "proj_b.weight": (64, 64), "proj_b.bias": (64,),
                      "proj_c.weight": (64, 64), "proj_c.bias": (64,),
                      "proj_v.weight": (64, 64), "proj_out.weight": (64, 64)}
    m2 = Phalanx(64, 8, 2, 512, 16, torch.bfloat16)  # positional, as published
    assert m2.proj_b.weight.shape == (32, 64) and m2.proj_v.weight.dtype == torch.bfloat16
    assert m2.length == 512


def test_state_dict_with_published_names(seeded):
    rng = seeded.rng
    H, Hkv, D = 4, 2, 16
    shapes = {"proj_a.weight": (H, DIM), "proj_a.bias": (H,),
              "proj_b.weight": (Hkv * D, DIM), "proj_b.bias": (Hkv * D,),
              "proj_c.weight": (Hkv * D, DIM), "proj_c.bias": (Hkv * D,),
              "proj_v.weight": (H * D, DIM), "proj_out.weight": (DIM, H * D)}
    arrays = {k: (rng.standard_normal(s) / math.sqrt(s[-1] if len(s) == 2 else DIM))
              for k, s in shapes.items()}
    sd = {k: torch.from_numpy(v).to(torch.bfloat16) for k, v in arrays.items()}
    model = Phalanx(DIM, heads=H, kv_heads=Hkv, length=2048, dtype=torch.bfloat16)
    result = model.load_state_dict(sd, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    x = torch.from_numpy(rng.standard_normal((2, 96, DIM))).to(torch.bfloat16)
    out = model(x).double().numpy()
    # the reference from the checkpoint's own arrays (nn.Linear layout -> [in, out])
    a = {k: v.double().numpy() for k, v in sd.items()}
    ref = phalanx_layer(x.double().numpy(), a["proj_a.weight"].T, a["proj_a.bias"],
                        a["proj_b.weight"].T, a["proj_b.bias"], a["proj_c.weight"].T,
                        a["proj_c.bias"], a["proj_v.weight"].T, a["proj_out.weight"].T,
                        heads=H, kv_heads=Hkv, head_dim=D, window=Window(16, 1, math.inf))
    assert rel_error(out, ref) <= tolerance("bf16"), seeded.msg
    # f32 master weights with bf16 activations: the weights are used in x's dtype
    model32 = Phalanx(DIM, heads=H, kv_heads=Hkv)
    model32.load_state_dict(sd, strict=True)
    assert model32.proj_a.weight.dtype == torch.float32
    assert torch.equal(model32(x), model(x))
    with pytest.raises(RuntimeError, match="Unexpected key|Missing key"):
        Phalanx(DIM, heads=H, kv_heads=Hkv).load_state_dict(
            {k: v for k, v in sd.items() if k != "proj_a.bias"}, strict=True)


def test_no_copies(seeded, monkeypatch):
    model = Phalanx(DIM, kv_heads=2, dtype=torch.bfloat16)
    randomize(model, seeded.rng)
    calls = []
    real = phalanx.runtime.Module.invoke_pointers

    def spy(self, entry, args, results):
        calls.append((args, results))
        return real(self, entry, args, results)

    monkeypatch.setattr(phalanx.runtime.Module, "invoke_pointers", spy)
    monkeypatch.setattr(torch.Tensor, "numpy", lambda *a, **k: pytest.fail("numpy() called"))
    x = torch.randn(2, 40, DIM, dtype=torch.bfloat16)
    out = model(x)
    out2 = model(x)
    monkeypatch.undo()
    assert len(calls) == 2
    (args, results), (args2, _) = calls
    assert args[0] == (x.data_ptr(), "bf16", (2, 40, DIM), "cpu")   # the input itself
    assert results[0][0] == out.data_ptr()                    # written in place
    assert [a[1] for a in args] == ["bf16"] * 9
    # biases are passed as they are; transposed matrices are cached and reused
    assert args[2][0] == model.proj_a.bias.data_ptr()
    assert args[4][0] == model.proj_b.bias.data_ptr()
    assert [a[0] for a in args2[1:]] == [a[0] for a in args[1:]]
    assert cache_info()["weight_copies"] == 5
    assert torch.equal(out, out2)
    # updating a weight in place invalidates its cached copy
    model.proj_out.weight.mul_(2)
    out3 = model(x)
    assert cache_info()["weight_copies"] == 6
    assert torch.allclose(out3.float(), 2 * out.float(), rtol=1e-2, atol=1e-2)
    check(model, x, seeded, "after an in-place update")
    # a non-contiguous input works (it is made contiguous: one copy)
    xt = torch.randn(40, 2, DIM, dtype=torch.bfloat16).transpose(0, 1)
    assert torch.equal(model(xt), model(xt.contiguous()))
    # empty inputs
    assert model(torch.empty(0, 5, DIM, dtype=torch.bfloat16)).shape == (0, 5, DIM)
    assert model(torch.empty(2, 0, DIM, dtype=torch.bfloat16)).shape == (2, 0, DIM)


@pytest.mark.parametrize("backend", ["eager", "aot_eager"])
def test_torch_compile(seeded, backend):
    torch._dynamo.reset()
    model = Phalanx(DIM, kv_heads=2, global_heads=1)
    randomize(model, seeded.rng)
    compiled = torch.compile(model, backend=backend, fullgraph=True)
    for B, L in [(2, 33), (1, 100)]:
        x = torch.randn(B, L, DIM)
        assert torch.equal(compiled(x), model(x))
    assert cache_info()["compiles"] == 1


def test_torch_compile_in_a_model(seeded):
    torch._dynamo.reset()
    net = torch.nn.Sequential(torch.nn.LayerNorm(DIM), Phalanx(DIM), torch.nn.GELU(),
                              torch.nn.Linear(DIM, DIM))
    compiled = torch.compile(net, backend="aot_eager", fullgraph=True, dynamic=True)
    for L in (20, 70):
        x = torch.randn(2, L, DIM)
        torch.testing.assert_close(compiled(x), net(x))


def test_opcheck():
    m = Phalanx(DIM, kv_heads=2)
    x = torch.randn(2, 24, DIM)
    args = (x, m.proj_a.weight, m.proj_a.bias, m.proj_b.weight, m.proj_b.bias,
            m.proj_c.weight, m.proj_c.bias, m.proj_v.weight, m.proj_out.weight,
            *m._op_args())
    torch.library.opcheck(torch.ops.phalanx.layer.default, args,
                          test_utils=("test_schema", "test_faketensor"))


def test_backward_not_implemented():
    torch._dynamo.reset()
    model = Phalanx(DIM)
    x = torch.randn(1, 20, DIM)
    with torch.enable_grad():
        out = model(x)
        assert out.requires_grad
        with pytest.raises(NotImplementedError, match="backward .* not implemented"):
            out.sum().backward()
        # torch.compile traces a forward with grad enabled; only the backward fails
        out = torch.compile(model, backend="aot_eager", fullgraph=True)(x)
        assert torch.equal(out.detach(), model(x).detach())
        with pytest.raises(NotImplementedError, match="backward .* not implemented"):
            out.sum().backward()


def test_bad_inputs():
    m = Phalanx(DIM)
    with pytest.raises(ValueError, match=r"shape \[B, L, dim\] \(rank 3\), got rank 2"):
        m(torch.randn(10, DIM))
    with pytest.raises(ValueError, match="rank 4"):
        m(torch.randn(1, 2, 10, DIM))
    with pytest.raises(ValueError, match="dim = 64, got last dim 32"):
        m(torch.randn(2, 10, 32))
    with pytest.raises(TypeError, match="unsupported dtype torch.float64"):
        m(torch.randn(2, 10, DIM, dtype=torch.float64))
    with pytest.raises(TypeError, match="unsupported dtype torch.int32"):
        m(torch.ones(2, 10, DIM, dtype=torch.int32))
    with pytest.raises(TypeError, match="expects a torch.Tensor"):
        m(np.zeros((2, 10, DIM), np.float32))
    meta = Phalanx(DIM, device="meta")
    with pytest.raises(RuntimeError, match="x is on cpu but proj_a.weight is on meta"):
        meta(torch.randn(2, 10, DIM))
    with pytest.raises(NotImplementedError, match="device meta is not supported"):
        meta(torch.randn(2, 10, DIM, device="meta"))
    with pytest.raises(TypeError, match="must be floating point"):
        bad = Phalanx(DIM)
        bad.proj_v.weight = torch.nn.Parameter(torch.ones(64, 64, dtype=torch.int32),
                                               requires_grad=False)
        bad(torch.randn(1, 4, DIM))


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match=r"heads \(4\) must be divisible by kv_heads \(3\)"):
        Phalanx(DIM, heads=4, kv_heads=3)
    with pytest.raises(ValueError, match="head_dim must be one of"):
        Phalanx(DIM, head_dim=24)
    with pytest.raises(ValueError, match="multiple of head_dim"):
        Phalanx(40)
    with pytest.raises(ValueError, match="act_b must be one of"):
        Phalanx(DIM, act_b="relu")
    with pytest.raises(ValueError, match="global_heads must be in"):
        Phalanx(DIM, global_heads=5)
    with pytest.raises(ValueError, match="block must be a power of two"):
        Phalanx(DIM, block_size=12)
    with pytest.raises(TypeError, match="window must be"):
        Phalanx(DIM, window=16)
