"""phalanx.torch.Phalanx on CUDA tensors against the float64 reference.

The GPU artifacts of every case are compiled wherever phalanx-compile exists
(CI checks that they compile); the runs need a CUDA GPU for torch and are
skipped, and counted as skipped, without one. A $PHALANX_CACHE_DIR filled by
running this file on a machine with the compiler can be carried to a GPU
machine without one (docs/pytorch.md, "On the GPU").
"""
import math
import os

import numpy as np
import pytest

from compiled import have_toolchain, setup_gpu_env

torch = pytest.importorskip("torch", reason="torch is not installed (python/requirements.txt)")

from phalanx.reference import Window, phalanx_layer, rel_error, tolerance  # noqa: E402
from phalanx.torch import Phalanx, cache_info, clear_caches, prepare  # noqa: E402

DTYPES = {"f32": torch.float32, "bf16": torch.bfloat16, "f16": torch.float16}

CASES = [
    # (dim, dtype, heads, kv_heads, head_dim, window, global_heads, act_a, act_b)
    (64, "bf16", None, None, 16, None, 0, "sigmoid", "sigmoid"),  # the published layer
    (64, "f32", None, None, 16, None, 0, "sigmoid", "sigmoid"),
    (64, "f16", 4, 2, 16, "block=16,hops=2,segment=3", 1, "sigmoid", "swish"),
    (96, "bf16", 6, 3, 16, Window(32, 1, math.inf), 2, "hard_sigmoid", "sigmoid"),
    (64, "f32", 2, 1, 32, Window(16, 0), 0, "swish", "hard_sigmoid"),
    (128, "bf16", 2, 2, 64, Window(16, math.inf), 0, "sigmoid", "sigmoid"),
]
IDS = ["%s-d%d-h%s-kv%s-hd%d-g%d" % (c[1], c[0], c[2], c[3], c[4], c[6]) for c in CASES]

gpu = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device for torch")


@pytest.fixture(scope="module", autouse=True)
def _env(tmp_path_factory):
    setup_gpu_env(tmp_path_factory, "phx-torch-gpu")


@pytest.fixture(autouse=True)
def _fresh():
    clear_caches()
    with torch.no_grad():
        yield


def make(case, device, seed):
    dim, dtype, heads, kv, hd, window, g, act_a, act_b = case
    m = Phalanx(dim, heads=heads, kv_heads=kv, head_dim=hd, window=window, global_heads=g,
                act_a=act_a, act_b=act_b)
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for p in m.parameters():
            fan_in = p.shape[-1] if p.dim() == 2 else dim
            p.copy_(torch.from_numpy(rng.standard_normal(tuple(p.shape)) / math.sqrt(fan_in)))
    return m.to(device=device, dtype=DTYPES[dtype])


def reference(model, x):
    """phalanx_layer in float64 on the values the compiled layer sees."""
    sd = {k: v.detach().cpu().double().numpy() for k, v in model.state_dict().items()}
    ws = [sd["proj_a.weight"].T, sd["proj_a.bias"], sd["proj_b.weight"].T, sd["proj_b.bias"],
          sd["proj_c.weight"].T, sd["proj_c.bias"], sd["proj_v.weight"].T,
          sd["proj_out.weight"].T]
    return phalanx_layer(x.detach().cpu().double().numpy(), *ws, heads=model.heads,
                         kv_heads=model.kv_heads, head_dim=model.head_dim,
                         window=model.window, global_heads=model.global_heads,
                         act_a=model.act_a, act_b=model.act_b)


def poison_allocator(shape, dtype):
    """Leaves a NaN-filled block of x's size in torch's caching allocator,
    which the layer's output allocation then reuses: unwritten elements show."""
    t = torch.full(shape, float("nan"), dtype=dtype, device="cuda")
    torch.cuda.synchronize()
    del t


@pytest.mark.skipif(not have_toolchain(), reason="phalanx-compile not built")
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_cuda_artifact_compiles(case):
    """Every case's GPU artifact compiles for sm_90a (no GPU needed); the
    CPU artifact too (the GPU tests compare with it; a carried cache then
    holds both)."""
    for device in ("cuda", "cpu"):
        path = prepare(make(case, "cpu", 0), DTYPES[case[1]], device)
        assert path.exists() and path.stat().st_size > 0


@gpu
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_cuda_matches_reference(case):
    seed = int(os.environ.get("PHALANX_SEED", np.random.SeedSequence().entropy % 2**31))
    model = make(case, "cuda", seed)
    dt = DTYPES[case[1]]
    for B, L in ((2, 200), (1, 1000)):  # one compiled layer, dynamic B and L
        gen = torch.Generator().manual_seed(seed + L)
        x = torch.randn(B, L, case[0], generator=gen).to(device="cuda", dtype=dt)
        poison_allocator(x.shape, dt)
        out = model(x)
        assert out.device == x.device and out.dtype == dt and out.shape == x.shape
        got = out.double().cpu().numpy()
        assert np.isfinite(got).all(), "non-finite output (unwritten?) seed %d" % seed
        err = rel_error(got, reference(model, x))
        assert err <= tolerance(case[1]), "rel_err %.3e seed %d B %d L %d" % (err, seed, B, L)
    assert cache_info()["compiles"] == 1


@gpu
def test_cuda_agrees_with_cpu_and_torch_compile():
    case = CASES[0]
    model = make(case, "cuda", 7)
    x = torch.randn(2, 300, case[0], device="cuda", dtype=torch.bfloat16)
    out = model(x)
    cpu = make(case, "cpu", 7)(x.cpu())
    assert rel_error(out.double().cpu().numpy(), cpu.double().numpy()) <= tolerance("bf16")
    compiled = torch.compile(model, backend="aot_eager", fullgraph=True)
    again = compiled(x)
    torch.testing.assert_close(again, out, rtol=0, atol=0)  # same artifact, same bits


@gpu
def test_cuda_follows_torch_stream():
    """The input is produced on torch's stream just before the call: the layer
    must see the finished values (the runtime runs on its own stream)."""
    case = CASES[0]
    model = make(case, "cuda", 3)
    base = torch.randn(1, 4096, case[0], device="cuda", dtype=torch.bfloat16)
    expect = model(base.clone())
    for _ in range(3):
        x = torch.zeros_like(base)
        x.copy_(base)  # queued on the current stream
        torch.testing.assert_close(model(x), expect, rtol=0, atol=0)


@gpu
def test_cuda_runs_on_the_current_stream():
    """The call is asynchronous on torch's current stream: on a side stream
    the input produced there just before, the output read there just after,
    agree with the default stream's result; two streams one after the other
    (the runtime orders its workspace reuse between them)."""
    case = CASES[0]
    model = make(case, "cuda", 5)
    base = torch.randn(2, 3000, case[0], device="cuda", dtype=torch.bfloat16)
    expect = model(base.clone()).clone()
    side = [torch.cuda.Stream(), torch.cuda.Stream()]
    outs = []
    for s in side + side:
        s.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(s):
            x = torch.empty_like(base)
            x.copy_(base)
            y = model(x)
            outs.append((y * 1).clone())  # consumed on the same stream
    torch.cuda.synchronize()
    for y in outs:
        torch.testing.assert_close(y, expect, rtol=0, atol=0)
