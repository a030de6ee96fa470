#!/usr/bin/env python3
"""Phalanx layer forward on the GPU against its GEMMs and PyTorch baselines
(issue #6, docs/benchmarks.md).

    PHALANX_RT_LIB=build-rtd/lib/libphalanx_rt.so PHALANX_CACHE_DIR=.devcarry/phx-cache \
        PHALANX_BUILD_DIR=/none PYTHONPATH=python python3 bench/layer_bench.py

The compiled layer comes from phalanx.compile's artifact cache: fill it on a
machine with the compiler first (`python3 bench/layer_bench.py --prepare`
with the same PHALANX_CACHE_DIR), then carry the cache to the GPU machine.

Shape: Dm = 2048, H = 128 heads of D = 16 (kv_heads = H), window block 16,
hops 1, bf16, B x L = 32K tokens (4 x 8192 and 1 x 32768). In one run:
1. the copy bandwidth (4 GiB device copy, as bench/swr_bench.py);
2. ours: phalanx.torch.Phalanx on CUDA tensors, checked against the
   layer in separate PyTorch ops (float32 math) before timing; whole-call time
   with CUDA events, and the kernels of one call from CUPTI (torch.profiler)
   split into GEMM kernels and the rest (the fused gates / recurrence /
   post-gate kernel);
3. our GEMMs alone, as the same five projections in torch (cuBLAS);
4. the same math as separate PyTorch ops under torch.compile (the SWR by the
   block two-pass algorithm);
5. a sliding-window attention layer of the same width (QKV projection,
   FlexAttention with window 128, 16 heads of 128, output projection) under
   torch.compile.
Target (spec/performance.md): ours within 1.10x of its GEMMs alone.
"""
import argparse
import json
import math
import os
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
sys.path.insert(0, HERE)

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

DIM, HEADS, HD, BLOCK = 2048, 128, 16, 16
SPLITS = [(4, 8192), (1, 32768)]
GEMM_MARKERS = ("gemm", "nvjet", "cutlass", "xmma", "sm90_", "cublas")


def log(*a):
    print(*a, flush=True)


def make_model(device):
    from phalanx.torch import Phalanx

    torch.manual_seed(0)
    m = Phalanx(DIM, heads=HEADS, head_dim=HD, block_size=BLOCK)
    with torch.no_grad():
        for p in m.parameters():  # unsaturated gates: normal / sqrt(fan_in)
            fan_in = p.shape[-1] if p.dim() == 2 else DIM
            p.copy_(torch.randn(p.shape) / math.sqrt(fan_in))
    return m.to(device=device, dtype=torch.bfloat16)


def swr_two_pass(a, x):
    """The K = 1 window (block BLOCK) in PyTorch ops, the tiled two-pass form:
    a [B, L, H] gates, x [B, L, H, D] drive -> y [B, L, H, D] (float32)."""
    B, L, H = a.shape
    T = L // BLOCK
    cs = torch.cumsum(torch.log(a.float().clamp_min(1e-30)).view(B, T, BLOCK, H), 2)
    diff = cs.unsqueeze(3) - cs.unsqueeze(2)  # [b, t, i, j, h] = sum log a(j+1..i)
    tri = torch.tril(torch.ones(BLOCK, BLOCK, device=a.device, dtype=torch.bool))
    M = torch.where(tri[None, None, :, :, None], torch.exp(diff), torch.zeros_like(diff))
    xt = x.float().view(B, T, BLOCK, H, -1)
    local = torch.einsum("btijh,btjhd->btihd", M, xt)
    # the carrier of the previous tile: its terminal local state (zero before tile 0)
    prev = torch.cat([torch.zeros_like(local[:, :1, -1]), local[:, :-1, -1]], 1)
    y = local + torch.exp(cs).unsqueeze(-1) * prev.unsqueeze(2)
    return y.reshape(B, L, H, -1)


def torch_layer(x, wa, ba, wb, bb, wc, bc, wv, wo):
    """The layer of spec/phalanx-layer.md in separate PyTorch ops (kv_heads =
    heads, sigmoid gates, window block 16 hops 1), nn.Linear-layout weights."""
    B, L, _ = x.shape
    A = torch.sigmoid(F.linear(x, wa, ba))
    G = torch.sigmoid(F.linear(x, wb, bb)).view(B, L, HEADS, HD)
    C = F.linear(x, wc, bc).view(B, L, HEADS, HD)
    V = F.linear(x, wv).view(B, L, HEADS, HD)
    Y = swr_two_pass(A, G.float() * V.float())
    Z = (Y * C.float() + V.float()).to(x.dtype)
    return F.linear(Z.reshape(B, L, HEADS * HD), wo)


def gemms_alone(x, wa, ba, wb, bb, wc, bc, wv, wo, z):
    """The layer's five projections and nothing else."""
    F.linear(x, wa, ba)
    F.linear(x, wb, bb)
    F.linear(x, wc, bc)
    F.linear(x, wv)
    return F.linear(z, wo)


def weights(m):
    return (m.proj_a.weight, m.proj_a.bias, m.proj_b.weight, m.proj_b.bias, m.proj_c.weight,
            m.proj_c.bias, m.proj_v.weight, m.proj_out.weight)


def back_to_back_ms(fn, calls=10, reps=5, warm=3):
    """Per-call time of `calls` asynchronous calls issued back to back on the
    current stream: CUDA events around all of them / calls, median of `reps`
    (the host work of a call overlaps the GPU work of the previous ones, as in
    a model; what remains is the GPU time plus any gaps between launches)."""
    from swr_bench import events_ms

    return events_ms(fn, reps, warm=warm, calls=calls)


def host_us(fn, calls=20):
    """Host time of one call (the Python op and the launches, not waiting for
    the GPU): perf_counter around `calls` calls / calls, after a sync."""
    import time

    fn()
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(calls):
        fn()
    t1 = time.perf_counter()
    torch.cuda.synchronize()
    return (t1 - t0) / calls * 1e6


def cuda_events(fn, reps):
    """The GPU activities (CUPTI, torch.profiler) of `reps` calls of fn, in
    start order, after one call and a sync."""
    from torch.profiler import ProfilerActivity, profile

    fn()
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        for _ in range(reps):
            fn()
        torch.cuda.synchronize()
    evs = [e for e in prof.events() if e.device_type == torch.autograd.DeviceType.CUDA]
    evs.sort(key=lambda e: e.time_range.start)
    return evs


def kernels_of_one_call(fn, reps=5):
    """Median per-call kernel time (us) of GEMM kernels and of the others,
    with the names of the others, from CUPTI (torch.profiler)."""
    gemm, other, names = 0.0, 0.0, {}
    for ev in cuda_events(fn, reps):
        us = ev.time_range.elapsed_us()
        low = ev.name.lower()
        if "memcpy" in low or "memset" in low:
            names[ev.name] = names.get(ev.name, 0.0) + us / reps
            other += us
        elif any(k in low for k in GEMM_MARKERS):
            gemm += us
        else:
            names[ev.name] = names.get(ev.name, 0.0) + us / reps
            other += us
    return gemm / reps, other / reps, names


def prepare():
    from phalanx.torch import prepare as prep

    path = prep(make_model("cpu"), torch.bfloat16, "cuda")
    log("prepared %s" % path)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--prepare", action="store_true",
                   help="compile the layer into the artifact cache and exit (no GPU)")
    p.add_argument("--out", default=os.environ.get("OUT", "."))
    p.add_argument("--reps", type=int, default=20)
    p.add_argument("--no-compare", action="store_true",
                   help="skip the torch.compile layer and the SWA layer (their compilation "
                        "takes most of the run)")
    args = p.parse_args()
    if args.prepare:
        return prepare()

    from swr_bench import copy_bandwidth, events_ms

    torch.backends.cuda.matmul.allow_tf32 = True
    dev = torch.cuda.get_device_properties(0)
    log("device: %s, %d SMs" % (dev.name, dev.multi_processor_count))
    bw, copy_ms = copy_bandwidth()
    log("copy: 4 GiB device-to-device, %.3f ms, %.3f TB/s (read + write)" % (copy_ms, bw / 1e12))

    model = make_model("cuda")
    ws = weights(model)
    tl = torch.compile(torch_layer)
    rows = []
    with torch.no_grad():
        for B, L in SPLITS:
            tokens = B * L
            x = torch.randn(B, L, DIM, device="cuda", dtype=torch.bfloat16)
            row = dict(B=B, L=L, tokens=tokens)
            # correctness of the exact benchmarked configuration first
            ours = model(x)
            ref = torch_layer(x.float(), *(w.float() for w in ws))
            err = ((ours.float() - ref).norm() / ref.norm()).item()
            row["rel_err_vs_torch_f32"] = err
            ok = err < 2e-2  # bf16 inputs, bf16 Z and output, f32 math on both sides
            log("B=%d L=%d: ours vs PyTorch-ops f32 rel_err %.2e %s" % (B, L, err,
                                                                       "PASS" if ok else "FAIL"))
            if not ok:
                row["check"] = "FAIL"
                rows.append(row)
                continue
            row["check"] = "PASS"
            row["ours_call_us"] = events_ms(lambda: model(x), reps=args.reps) * 1e3
            row["ours_b2b_us"] = back_to_back_ms(lambda: model(x)) * 1e3
            row["ours_host_us"] = host_us(lambda: model(x))
            g, o, names = kernels_of_one_call(lambda: model(x))
            row.update(ours_gemm_kernels_us=g, ours_other_kernels_us=o, ours_other=names)
            z = torch.randn(B, L, HEADS * HD, device="cuda", dtype=torch.bfloat16)
            row["torch_gemms_us"] = events_ms(lambda: gemms_alone(x, *ws, z),
                                              reps=args.reps) * 1e3
            row["torch_gemms_b2b_us"] = back_to_back_ms(
                lambda: gemms_alone(x, *ws, z)) * 1e3
            if not args.no_compare:
                try:
                    row["torch_compile_layer_us"] = events_ms(lambda: tl(x, *ws),
                                                              reps=args.reps) * 1e3
                except Exception:  # noqa: BLE001
                    traceback.print_exc()
                try:
                    row["swa_layer_us"] = swa_layer_us(x, args.reps, events_ms)
                except Exception:  # noqa: BLE001
                    traceback.print_exc()
            # bytes the fused kernel must move: A, G, C, V in and Z out (bf16)
            fused_bytes = tokens * 2 * (HEADS + 2 * HEADS * HD + HEADS * HD + HEADS * HD)
            row["fused_bytes"] = fused_bytes
            rows.append(row)
            log(json.dumps({k: v for k, v in row.items() if k != "ours_other"}))
            log("  other kernels: %s" % ", ".join("%s %.1f us" % kv for kv in names.items()))
            x = z = ours = ref = None  # free before the next split
            torch.cuda.empty_cache()

    log("\n== Phalanx layer forward, Dm=%d H=%d D=%d, bf16, window block 16 hops 1; "
        "copy %.3f TB/s" % (DIM, HEADS, HD, bw / 1e12))
    log("%-9s %9s %9s %9s %7s %9s %7s %8s %8s %7s %6s %9s %9s %7s" % (
        "B x L", "call_us", "gemm_k", "fused_k", "k/gemm", "torchGEMM", "call/tg", "b2b_us",
        "tGEMMb2b", "b2b/tg", "host", "t.compile", "SWA-128", "fused%"))
    for r in rows:
        if r.get("check") != "PASS":
            log("%-9s CHECK FAIL rel_err %.2e" % ("%dx%d" % (r["B"], r["L"]),
                                                  r["rel_err_vs_torch_f32"]))
            continue
        g, o = r["ours_gemm_kernels_us"], r["ours_other_kernels_us"]
        fused_ratio = r["fused_bytes"] / (o * 1e-6) / bw if o > 0 else float("nan")
        log("%-9s %9.1f %9.1f %9.1f %6.3fx %9.1f %6.3fx %8.1f %8.1f %6.3fx %6.0f %9.1f %9.1f "
            "%6.1f%%" % (
                "%dx%d" % (r["B"], r["L"]), r["ours_call_us"], g, o, (g + o) / g if g else 0,
                r["torch_gemms_us"], r["ours_call_us"] / r["torch_gemms_us"],
                r["ours_b2b_us"], r["torch_gemms_b2b_us"],
                r["ours_b2b_us"] / r["torch_gemms_b2b_us"], r["ours_host_us"],
                r.get("torch_compile_layer_us", float("nan")),
                r.get("swa_layer_us", float("nan")), 100 * fused_ratio))
    log("k/gemm: our kernels / our GEMM kernels (CUPTI); call/tg: one call alone (events "
        "around it, synchronized) / the same GEMMs in torch timed the same way; b2b: per call "
        "of 10 calls back to back on the stream (events around all), b2b/tg against the "
        "torch GEMMs timed the same way; host: host time of one call (us, perf_counter); "
        "fused%: the non-GEMM kernels' bytes (A, G, C, V in, Z out) / time as a share of "
        "the copy bandwidth")
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "layer_bench.json"), "w") as f:
        json.dump(dict(copy_Bps=bw, rows=rows), f, indent=1)


def swa_layer_us(x, reps, events_ms):
    """Sliding-window attention layer of the same width: QKV projection,
    FlexAttention (window 128, 16 heads of 128), output projection."""
    from torch.nn.attention.flex_attention import create_block_mask, flex_attention

    B, L, _ = x.shape
    nh, hd, w = 16, 128, 128
    wqkv = torch.randn(3 * DIM, DIM, device="cuda", dtype=x.dtype) / math.sqrt(DIM)
    wout = torch.randn(DIM, DIM, device="cuda", dtype=x.dtype) / math.sqrt(DIM)

    def mask(b, h, qi, ki):
        return (qi >= ki) & (qi - ki < w)

    bm = create_block_mask(mask, None, None, L, L, device="cuda")

    def swa(x):
        q, k, v = F.linear(x, wqkv).view(B, L, 3, nh, hd).permute(2, 0, 3, 1, 4)
        o = flex_attention(q, k, v, block_mask=bm)
        return F.linear(o.transpose(1, 2).reshape(B, L, DIM), wout)

    f = torch.compile(swa)
    return events_ms(lambda: f(x), reps=reps) * 1e3


if __name__ == "__main__":
    main()
