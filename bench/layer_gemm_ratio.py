"""The GPU layer against its GEMMs alone (issue 6: target within 1.10x).

    python3 bench/layer_gemm_ratio.py [--tokens 32768] [--batch 1] [--iters 20]
        [--variants "default;lane=shuffle"]

Compiles (or takes from $PHALANX_CACHE_DIR) phalanx.layer at Dm = 2048,
H = 128, D = 16 (kv_heads = H), bf16, window block 16 / hops 1, for each
--gpu-options variant; runs it on torch CUDA tensors through the runtime
without copies (Module.invoke_pointers: the entry synchronizes its stream),
and times, per call (median of --iters after warm-up):

  layer   the compiled layer (4 GEMMs, the fused kernel, the output GEMM)
  gemms   the same five cuBLASLt GEMMs alone (phx_cuda_gemm_ex, same layouts,
          one stream, synchronized once per call)
  torch   x @ Wa, Wb, Wc, Wv and z @ Wo with torch.matmul (row-major; for
          orientation)
  copy    a device-to-device copy of 1 GiB (GB/s, the bandwidth reference)

and prints the ratio layer / gemms and the fused kernel's implied bandwidth
((layer - gemms) vs. its bytes: pa, pb, pc, pv read, z written). Per variant
also: the kernels of one call from CUPTI (torch.profiler: GEMM kernels and the
rest, i.e. the fused kernel(s); kern = their sum / the GEMM kernels, fused% =
the fused kernel's bytes / time against the copy bandwidth) and b2b, the
per-call time of 10 calls issued back to back on torch's stream (the runtime
set to that stream, asynchronous; CUDA events around all of them), against
the five GEMMs issued the same way.
"""
import argparse
import ctypes
import math
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))


class Gemm(ctypes.Structure):
    _fields_ = [("ab_dtype", ctypes.c_int), ("c_dtype", ctypes.c_int),
                ("trans_a", ctypes.c_int32), ("trans_b", ctypes.c_int32),
                ("m", ctypes.c_int64), ("n", ctypes.c_int64), ("k", ctypes.c_int64),
                ("a", ctypes.c_void_p), ("lda", ctypes.c_int64), ("stride_a", ctypes.c_int64),
                ("b", ctypes.c_void_p), ("ldb", ctypes.c_int64), ("stride_b", ctypes.c_int64),
                ("c", ctypes.c_void_p), ("ldc", ctypes.c_int64), ("stride_c", ctypes.c_int64),
                ("batch", ctypes.c_int64)]


def layer_gemms(x, ws, scratch, out, B, L, Dm, H, D):
    """The layer's five GEMMs as phx_cuda_gemm_ex descriptors (column-major
    cuBLAS form): x times wa / wb / wc / wv into the channel-major
    scratch[n] ([B, n, L]), then scratch[H * D] times wo into out."""
    gemms = []
    for k, n in (("wa", H), ("wb", H * D), ("wc", H * D), ("wv", H * D)):
        gemms.append(Gemm(1, 1, 1, 1, L, n, Dm, x.data_ptr(), Dm, L * Dm,
                          ws[k].data_ptr(), n, 0, scratch[n].data_ptr(), L, L * n, B))
    z = scratch[H * D]
    gemms.append(Gemm(1, 1, 0, 1, Dm, L, H * D, ws["wo"].data_ptr(), Dm, 0,
                      z.data_ptr(), L, L * H * D, out.data_ptr(), Dm, L * Dm, B))
    return gemms


def median_ms(fn, iters, sync):
    for _ in range(3):
        fn()
    sync()
    times = []
    for _ in range(iters):
        t0 = time.perf_counter()
        fn()
        sync()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tokens", type=int, default=32768)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--iters", type=int, default=20)
    p.add_argument("--dim", type=int, default=2048)
    p.add_argument("--heads", type=int, default=128)
    p.add_argument("--head-dim", type=int, default=16)
    p.add_argument("--variants", default="default;lane=shuffle")
    p.add_argument("--compile-only", action="store_true")
    args = p.parse_args()

    import phalanx
    from phalanx import compiler, ir
    Dm, H, D = args.dim, args.heads, args.head_dim
    text = ir.layer_module(dim=Dm, heads=H, kv_heads=H, head_dim=D, block=16, hops=1,
                           dtype="bf16")
    variants = [v.strip() for v in args.variants.split(";") if v.strip()]

    def extra(v):
        return () if v == "default" else ("--gpu-options=" + v,)

    paths = {v: compiler.cached_artifact(text, target="cuda", extra_args=extra(v))
             for v in variants}
    if args.compile_only:
        print("compiled:", {v: str(p) for v, p in paths.items()})
        return

    import torch
    from phalanx import runtime
    dev = torch.device("cuda")
    B = args.batch
    L = args.tokens // B
    torch.manual_seed(0)

    def w(*shape, fan_in):
        return (torch.randn(*shape, device=dev) / math.sqrt(fan_in)).to(torch.bfloat16)
    x = torch.randn(B, L, Dm, device=dev).to(torch.bfloat16)
    ws = dict(wa=w(Dm, H, fan_in=Dm), ba=w(H, fan_in=Dm), wb=w(Dm, H * D, fan_in=Dm),
              bb=w(H * D, fan_in=Dm), wc=w(Dm, H * D, fan_in=Dm), bc=w(H * D, fan_in=Dm),
              wv=w(Dm, H * D, fan_in=Dm), wo=w(H * D, Dm, fan_in=H * D))
    out = torch.empty(B, L, Dm, device=dev, dtype=torch.bfloat16)
    order = ["wa", "ba", "wb", "bb", "wc", "bc", "wv", "wo"]
    ins = [(x.data_ptr(), "bf16", list(x.shape), "cuda")] + [
        (ws[k].data_ptr(), "bf16", list(ws[k].shape), "cuda") for k in order]
    res = [(out.data_ptr(), "bf16", list(out.shape), "cuda")]
    sync = torch.cuda.synchronize

    # The five GEMMs alone, in the layer's layouts (column-major cuBLAS form).
    lib = runtime.library()
    lib.phx_cuda_gemm_ex.restype = ctypes.c_void_p
    lib.phx_cuda_gemm_ex.argtypes = [ctypes.POINTER(Gemm), ctypes.c_void_p, ctypes.c_int32]
    scratch = {n: torch.empty(B, n, L, device=dev, dtype=torch.bfloat16)
               for n in sorted({H, H * D})}
    z = scratch[H * D]
    gemms = layer_gemms(x, ws, scratch, out, B, L, Dm, H, D)

    def run_gemms():
        for g in gemms:  # (stream None: the legacy default stream, torch's)
            st = lib.phx_cuda_gemm_ex(ctypes.byref(g), None, 0)
            if st:
                raise RuntimeError("phx_cuda_gemm_ex failed")

    def run_torch():
        xf = x.view(B * L, Dm)
        for k in ("wa", "wb", "wc", "wv"):
            torch.matmul(xf, ws[k])
        torch.matmul(z.view(B * H * D, L).t() if B == 1 else z.transpose(1, 2), ws["wo"])

    big = torch.empty(1 << 29, device=dev, dtype=torch.bfloat16)
    big2 = torch.empty_like(big)
    copy_ms = median_ms(lambda: big2.copy_(big), 10, sync)
    copy_gbs = 2 * big.numel() * 2 / copy_ms / 1e6
    big = big2 = None  # free (rebinding: pyflakes reads a del as use after deletion)

    gemm_ms = median_ms(run_gemms, args.iters, sync)
    torch_ms = median_ms(run_torch, args.iters, sync)
    fused_bytes = 2 * B * L * (H + 3 * H * D) + 2 * B * L * H * D  # pa,pb,pc,pv + z
    print("# layer Dm=%d H=%d D=%d kv=%d bf16, B=%d L=%d (%d tokens), window 16/1/inf"
          % (Dm, H, D, H, B, L, B * L))
    print("# copy %.0f GB/s (1 GiB d2d); GEMMs alone %.3f ms; torch matmuls %.3f ms"
          % (copy_gbs, gemm_ms, torch_ms))
    sys.path.insert(0, os.path.join(ROOT, "bench"))
    from layer_bench import back_to_back_ms, kernels_of_one_call

    def on_stream(fn):
        def call():
            runtime.set_cuda_stream(torch.cuda.current_stream().cuda_stream
                                    or runtime.CU_STREAM_LEGACY)
            try:
                fn()
            finally:
                runtime.set_cuda_stream(None)
        return call

    gemm_b2b_ms = back_to_back_ms(on_stream(run_gemms))
    print("# GEMMs alone back to back on the stream: %.3f ms per call" % gemm_b2b_ms)
    print("%-22s %9s %9s %7s %14s %8s %8s %7s %7s %7s" % (
        "variant", "layer_ms", "gemms_ms", "ratio", "fused_GB/s(%copy)", "gemm_k", "fused_k",
        "kern", "fused%", "b2b"))
    for v in variants:
        mod = phalanx.load(str(paths[v]), device="cuda")
        layer_ms = median_ms(lambda: mod.invoke_pointers("layer", ins, res), args.iters, sync)
        extra_ms = layer_ms - gemm_ms
        bw = fused_bytes / extra_ms / 1e6 if extra_ms > 0 else float("inf")
        call = on_stream(lambda: mod.invoke_pointers("layer", ins, res))
        gk, fk, _ = kernels_of_one_call(call)
        b2b = back_to_back_ms(call)
        print("%-22s %9.3f %9.3f %7.3f %8.0f (%3.0f%%) %8.1f %8.1f %6.3fx %6.1f%% %6.3fx" % (
            v, layer_ms, gemm_ms, layer_ms / gemm_ms, bw, 100 * bw / copy_gbs, gk, fk,
            (gk + fk) / gk if gk else float("nan"),
            100 * fused_bytes / (fk * 1e3) / copy_gbs if fk else float("nan"),
            b2b / gemm_b2b_ms))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
