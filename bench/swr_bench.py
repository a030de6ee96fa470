#!/usr/bin/env python3
"""SWR forward benchmark on the GPU (docs/benchmarks.md).

    PHALANX_RT_LIB=build-rtd/lib/libphalanx_rt.so PYTHONPATH=python \
        python3 bench/swr_bench.py [--dir .devcarry/bench] [--out DIR] [--budget S]

Needs torch (CUDA) and the artifacts of bench/compile.sh (bf16 in and out,
D = 16, H = 128, block 16, K = 0 / 1 / inf under several schedules; other
H: compile with H=... and pass --heads H).

1. Copy bandwidth: a 4 GiB device-to-device copy (bytes read + written),
   CUDA events, median of 15 after warm-up.
2. For each artifact: correctness first (B = 1, L = 8192, fresh random
   inputs, against the runtime's float64 reference, bf16 tolerance 8e-3),
   then timing at 32K / 64K / 128K / 256K tokens in several B x L splits,
   rotating among input sets of several times the L2 (fresh random data).
   Two times per configuration:
   - kernel: the kernel's own duration from the CUDA profiler (CUPTI, via
     torch.profiler), median over the runs;
   - call: CUDA events around N back-to-back calls of the packed entry / N
     (the ABI is synchronous: each call launches on the runtime's pooled
     stream and synchronizes it, so this includes the launch latency and
     the host-side argument checks).
   Bytes moved per (b, h, t): 2 (gate) + 2 D (drive) + 2 D (y) = 66.
3. Comparison points: FlexAttention sliding window 32 / 128 (16 heads x 128,
   L = 8192, the same tokens) and the block two-pass algorithm in PyTorch
   (torch.compile), and our speedup.
"""
import argparse
import ctypes
import json
import os
import statistics
import sys
import time
import traceback

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))

import torch  # noqa: E402
from phalanx import runtime as rt  # noqa: E402

H, D, BL = 128, 16, 16
BYTES_PER_TOKEN_HEAD = 2 + 2 * D + 2 * D
TOKENS = [32768, 65536, 131072, 262144]
L2_BYTES = 60 * 2**20


def log(*a):
    print(*a, flush=True)


def events_ms(fn, reps, warm=3, calls=1):
    """Per-call time (ms) of `calls` calls issued back to back between two
    CUDA events, median of `reps`, after `warm` calls and a sync."""
    for _ in range(warm):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        s = torch.cuda.Event(enable_timing=True)
        e = torch.cuda.Event(enable_timing=True)
        s.record()
        for _ in range(calls):
            fn()
        e.record()
        e.synchronize()
        times.append(s.elapsed_time(e) / calls)
    return statistics.median(times)


def copy_bandwidth():
    n = 4 * 2**30
    src = torch.empty(n, dtype=torch.uint8, device="cuda")
    src.random_(0, 255)
    dst = torch.empty_like(src)
    ms = events_ms(lambda: dst.copy_(src), reps=15, warm=3)
    src = dst = None  # free the 8 GiB before the kernels run
    torch.cuda.empty_cache()
    return 2 * n / (ms * 1e-3), ms


class Entry:
    """A loaded artifact's entry, called on device pointers without copies."""

    def __init__(self, path):
        self.mod = rt.Module.load(path, device="cuda")
        self.e, _ = self.mod._index("scan")
        self.lib = rt.library()

    def pack(self, a, x, y):
        def tensor(t):
            dims = list(t.shape)
            sh = (ctypes.c_int64 * len(dims))(*dims)
            return rt._Tensor(t.data_ptr(), rt._DTYPE_IDS["bf16"], len(dims), sh, 1), sh

        ta, sa = tensor(a)
        tx, sx = tensor(x)
        ty, sy = tensor(y)
        args = (rt._Tensor * 2)(ta, tx)
        res = (rt._Tensor * 1)(ty)
        return (args, res, (sa, sx, sy, a, x, y))

    def call(self, packed):
        args, res, _ = packed
        rt._check(self.lib.phx_invoke_index(self.mod._h, self.e, args, 2, res, 1))


def random_inputs(B, L, gen):
    a = torch.rand((B, H, L), device="cuda", generator=gen) * 0.5 + 0.5
    x = torch.randn((B, H, D, L), device="cuda", generator=gen)
    return a.to(torch.bfloat16), x.to(torch.bfloat16)


def bf16_to_f64(t):
    return t.float().cpu().numpy().astype(np.float64)


def check(entry, ref_cache, k, seed):
    """Fresh random inputs at B = 1, L = 8192; relative error against the
    float64 reference (computed once per window on the same inputs)."""
    B, L = 1, 8192
    if k not in ref_cache:
        gen = torch.Generator(device="cuda")
        gen.manual_seed(seed)
        a, x = random_inputs(B, L, gen)
        ref = entry.mod.reference("scan", bf16_to_f64(a), bf16_to_f64(x))
        ref_cache[k] = (a, x, ref)
    a, x, ref = ref_cache[k]
    y = torch.full((B, H, D, L), float("nan"), dtype=torch.bfloat16, device="cuda")
    entry.call(entry.pack(a, x, y))
    torch.cuda.synchronize()
    got = bf16_to_f64(y)
    if np.isnan(got).any():
        return float("nan")
    return float(np.linalg.norm(got - ref) / np.linalg.norm(ref))


class Sizes:
    """Rotating input sets (several times the L2) for one B x L split."""

    def __init__(self, B, L, gen):
        per = B * H * L * (2 + 2 * D)
        self.count = max(2, min(8, -(-4 * L2_BYTES // per)))
        self.sets = []
        for _ in range(self.count):
            a, x = random_inputs(B, L, gen)
            y = torch.empty((B, H, D, L), dtype=torch.bfloat16, device="cuda")
            self.sets.append((a, x, y))


def splits(tokens, full):
    out = [(1, tokens), (tokens // 8192, 8192), (tokens // 2048, 2048)]
    return out if full else out[1:2]


def bench(args):
    t0 = time.time()
    left = lambda: args.budget - (time.time() - t0)  # noqa: E731
    torch.backends.cuda.matmul.allow_tf32 = True
    dev = torch.cuda.get_device_properties(0)
    log("device: %s, %d SMs, L2 %d MB" % (dev.name, dev.multi_processor_count,
                                          getattr(dev, "L2_cache_size", 0) // 2**20))
    bw, copy_ms = copy_bandwidth()
    log("copy: 4 GiB device-to-device, %.3f ms, %.3f TB/s (read + write)" % (copy_ms, bw / 1e12))

    rows = []
    listing = [l.rstrip("\n").split("\t") for l in open(os.path.join(args.dir, "list.tsv"))]
    listing = [r for r in listing if len(r) == 4]
    if args.only:
        listing = [r for r in listing if "%s/%s" % (r[0], r[1]) in args.only.split(",")]
    ref_cache = {}
    gen = torch.Generator(device="cuda")
    gen.manual_seed(1234)
    profiler_ok = True
    # Inputs per split are shared by every artifact (allocated once).
    size_cache = {}
    for k, name, opts, file in listing:
        if left() < 20:
            log("budget: skipping %s/%s and later" % (k, name))
            break
        try:
            entry = Entry(os.path.join(args.dir, file))
        except Exception as exc:  # noqa: BLE001
            log("LOAD FAIL k=%s %s: %s" % (k, name, exc))
            continue
        err = check(entry, ref_cache, k, seed=7)
        ok = err <= 8e-3
        log("check k=%-3s %-13s B=1 L=8192 rel_err=%.2e %s" % (k, name, err, "PASS" if ok else "FAIL"))
        if not ok and not args.time_failed:
            rows.append(dict(k=k, name=name, opts=opts, check="FAIL", err=err))
            continue
        full = name == "default" or args.full
        configs = []
        shapes = [(B * L, B, L) for B, L in args.splits] if args.splits else [
            (tokens, B, L) for tokens in (args.tokens or TOKENS) for B, L in splits(tokens, full)]
        for tokens, B, L in shapes:
            if True:
                if (B, L) not in size_cache:
                    size_cache[(B, L)] = Sizes(B, L, gen)
                sz = size_cache[(B, L)]
                packs = [entry.pack(a, x, y) for a, x, y in sz.sets]
                reps = 30 if tokens <= 65536 else 20
                configs.append((tokens, B, L, packs, reps))

        def stepper(packs):
            it = [0]

            def step():
                entry.call(packs[it[0] % len(packs)])
                it[0] += 1
            return step

        calls = [events_ms(stepper(c[3]), reps=c[4], warm=3) for c in configs]
        kern = [[] for _ in configs]
        if profiler_ok:
            try:
                warm = 2
                from torch.profiler import ProfilerActivity, profile
                with profile(activities=[ProfilerActivity.CUDA]) as prof:
                    for c in configs:
                        st = stepper(c[3])
                        for _ in range(warm + c[4]):
                            st()
                    torch.cuda.synchronize()
                evs = sorted((ev for ev in prof.events() if "_swr" in ev.name),
                             key=lambda ev: ev.time_range.start)
                expect = sum(warm + c[4] for c in configs)
                if len(evs) != expect:
                    raise RuntimeError("%d kernel events, expected %d" % (len(evs), expect))
                i = 0
                for j, c in enumerate(configs):
                    grp = evs[i + warm:i + warm + c[4]]
                    kern[j] = [ev.time_range.elapsed_us() for ev in grp]
                    i += warm + c[4]
            except Exception as exc:  # noqa: BLE001
                log("profiler unavailable (%s): ratios from call time" % exc)
                profiler_ok = False
        for j, (tokens, B, L, packs, reps) in enumerate(configs):
            call_ms = calls[j]
            k_us = statistics.median(kern[j]) if kern[j] else float("nan")
            nbytes = B * H * L * BYTES_PER_TOKEN_HEAD
            row = dict(k=k, name=name, opts=opts, tokens=tokens, B=B, L=L,
                       kernel_us=k_us, call_us=call_ms * 1e3, bytes=nbytes,
                       err=err, check="PASS" if ok else "FAIL (timed)")
            best = k_us if k_us == k_us else call_ms * 1e3
            row["tbs"] = nbytes / (best * 1e-6) / 1e12
            row["ratio"] = row["tbs"] * 1e12 / bw
            row["call_ratio"] = nbytes / (call_ms * 1e-3) / bw
            rows.append(row)
            log("k=%-3s %-13s tok=%-6d B=%-3d L=%-6d kernel %8.1f us  call %8.1f us  "
                "%6.1f MB  %5.2f TB/s  %5.1f %% of copy (call %5.1f %%)"
                % (k, name, tokens, B, L, k_us, call_ms * 1e3, nbytes / 1e6,
                   row["tbs"], 100 * row["ratio"], 100 * row["call_ratio"]))
        entry = None  # unload this artifact before the next
    size_cache.clear()
    torch.cuda.empty_cache()

    comps = []
    if not args.no_compare and left() > 60:
        try:
            comps = compare(left)
        except Exception:  # noqa: BLE001
            traceback.print_exc()
    return bw, rows, comps


def compare(left):
    """FlexAttention sliding window and the block two-pass PyTorch algorithm."""
    out = []
    from torch.nn.attention.flex_attention import create_block_mask, flex_attention
    fa = torch.compile(flex_attention)
    for tokens in (32768, 262144):
        B, L, heads, hd = tokens // 8192, 8192, 16, 128
        q = torch.randn(B, heads, L, hd, device="cuda", dtype=torch.bfloat16)
        kk = torch.randn_like(q)
        v = torch.randn_like(q)
        for w in (32, 128):
            if left() < 40:
                return out

            def mask(b, h, qi, ki, w=w):
                return (qi >= ki) & (qi - ki < w)

            bm = create_block_mask(mask, None, None, L, L, device="cuda")
            ms = events_ms(lambda: fa(q, kk, v, block_mask=bm), reps=20, warm=3)
            out.append(dict(what="flex_attention window %d" % w, tokens=tokens, us=ms * 1e3))
            log("compare: flex_attention window %-4d tokens %-6d %8.1f us" % (w, tokens, ms * 1e3))

    def two_pass(a, x):
        # a: (B, H, L), x: (B, H, D, L); K = 1, block 16 (the tiled form).
        Bn, Hn, Ln = a.shape
        T = Ln // BL
        la = torch.log(a.float().clamp_min(1e-30)).view(Bn, Hn, T, BL)
        cs = torch.cumsum(la, -1)
        diff = cs.unsqueeze(-1) - cs.unsqueeze(-2)  # [.., t, j] = sum a(j+1..t)
        tri = torch.tril(torch.ones(BL, BL, device=a.device, dtype=torch.bool))
        M = torch.where(tri, torch.exp(diff), torch.zeros_like(diff))
        xt = x.float().view(Bn, Hn, D, T, BL)
        local = torch.einsum("bhtij,bhdtj->bhdti", M, xt)
        r = torch.exp(cs)  # in-tile inclusive gate product
        carry = local[..., -1]  # terminal local state of each tile
        prev = torch.nn.functional.pad(carry[..., :-1], (1, 0))
        y = local + r.unsqueeze(2) * prev.unsqueeze(-1)
        return y.reshape(Bn, Hn, D, Ln).to(torch.bfloat16)

    tp = torch.compile(two_pass)
    for tokens in (32768, 262144):
        if left() < 40:
            return out
        B, L = tokens // 8192, 8192
        gen = torch.Generator(device="cuda")
        gen.manual_seed(5)
        a, x = random_inputs(B, L, gen)
        ms = events_ms(lambda: tp(a, x), reps=20, warm=3)
        out.append(dict(what="two-pass PyTorch (torch.compile), K=1", tokens=tokens, us=ms * 1e3))
        log("compare: two-pass torch.compile K=1 tokens %-6d %8.1f us" % (tokens, ms * 1e3))
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", default=os.path.join(HERE, "..", ".devcarry", "bench"))
    p.add_argument("--out", default=os.environ.get("OUT", "."))
    p.add_argument("--budget", type=float, default=170.0, help="seconds")
    p.add_argument("--full", action="store_true", help="every split for every schedule")
    p.add_argument("--only", default="", help="k/name,... (e.g. 1/default,inf/w8)")
    p.add_argument("--no-compare", action="store_true")
    p.add_argument("--tokens", type=lambda v: [int(t) for t in v.split(",")], default=None,
                   help="token counts to time (default 32K, 64K, 128K, 256K)")
    p.add_argument("--splits", type=lambda v: [tuple(int(n) for n in s.split("x")) for s in v.split(",")],
                   default=None, help="B x L shapes to time instead (e.g. 1x131080,2x131072)")
    p.add_argument("--heads", type=int, default=128,
                   help="H of the artifacts (bench/compile.sh with H=...)")
    p.add_argument("--time-failed", action="store_true",
                   help="time artifacts that fail their check too (diagnostic kernels)")
    args = p.parse_args()
    global H
    H = args.heads
    bw, rows, comps = bench(args)

    log("\n== copy %.3f TB/s; bf16 in/out, D=16, H=%d, block 16; kernel time (CUPTI), "
        "ratio = (66 B x B x H x L / time) / copy" % (bw / 1e12, H))
    log("%-4s %-13s %-7s %-3s %-7s %9s %9s %6s %6s %6s" %
        ("K", "schedule", "tokens", "B", "L", "kern_us", "call_us", "TB/s", "ratio", "call%"))
    for r in rows:
        if r.get("check") != "PASS":
            log("%-4s %-13s CHECK FAIL rel_err=%s" % (r["k"], r["name"], r["err"]))
            continue
        log("%-4s %-13s %-7d %-3d %-7d %9.1f %9.1f %6.2f %5.1f%% %5.1f%%" %
            (r["k"], r["name"], r["tokens"], r["B"], r["L"], r["kernel_us"], r["call_us"],
             r["tbs"], 100 * r["ratio"], 100 * r["call_ratio"]))
    # Best schedule per window and token count (median over splits).
    log("\n== best schedule per (K, tokens), L=8192 split")
    best = {}
    for r in rows:
        if r.get("check") == "PASS" and r["L"] == 8192:
            kk = (r["k"], r["tokens"])
            if kk not in best or r["ratio"] > best[kk]["ratio"]:
                best[kk] = r
    for (k, t), r in sorted(best.items(), key=lambda z: (z[0][0], z[0][1])):
        log("K=%-4s tokens=%-7d best=%-13s %.1f%% of copy (%.1f us)" %
            (k, t, r["name"], 100 * r["ratio"], r["kernel_us"]))
    for c in comps:
        ours = [r for r in rows if r.get("check") == "PASS" and r["k"] == "1" and
                r["name"] == "default" and r["tokens"] == c["tokens"] and r["B"] == c["tokens"] // 8192]
        if ours:
            o = ours[0]["kernel_us"] if ours[0]["kernel_us"] == ours[0]["kernel_us"] else ours[0]["call_us"]
            log("speedup of K=1 default over %s at %d tokens: %.1fx (%.1f vs %.1f us)" %
                (c["what"], c["tokens"], c["us"] / o, o, c["us"]))
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "bench.json"), "w") as f:
        json.dump(dict(copy_Bps=bw, rows=rows, compare=comps), f, indent=1)


if __name__ == "__main__":
    main()
