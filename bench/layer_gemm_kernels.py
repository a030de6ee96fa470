"""Which GPU kernels the layer's five GEMMs run as, ours against torch's
(issue 6: why 1 x 32768 back to back is further from its GEMMs than
4 x 8192).

    python3 bench/layer_gemm_kernels.py [--rounds 3]

For B x L in (4 x 8192, 1 x 32768) at Dm = 2048, H = 128, D = 16 (bf16):
ours = the five cuBLASLt GEMMs of the compiled layer (phx_cuda_gemm_ex, the
layer's column-major layouts, as bench/layer_gemm_ratio.py), torch = the
same five projections as F.linear on nn.Linear-layout weights (as
bench/layer_bench.py's "GEMMs alone"). Per round and side, from CUPTI
(torch.profiler), every device activity of one call in order with its
duration (us), then the sums; rounds alternate ours / torch so that clock
drift hits both alike. Then back to back (10 calls, CUDA events), also
alternating.
"""
import argparse
import ctypes
import math
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))
sys.path.insert(0, os.path.join(ROOT, "bench"))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from layer_gemm_ratio import Gemm, layer_gemms  # noqa: E402
from layer_bench import back_to_back_ms, cuda_events  # noqa: E402


def activities(fn, reps=3):
    evs = cuda_events(fn, reps)
    per = len(evs) // reps
    out = []
    for i in range(per):
        us = sorted(evs[i + r * per].time_range.elapsed_us() for r in range(reps))
        out.append((evs[i].name, us[reps // 2]))
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=2)
    args = p.parse_args()
    from phalanx import runtime

    lib = runtime.library()
    lib.phx_cuda_gemm_ex.restype = ctypes.c_void_p
    lib.phx_cuda_gemm_ex.argtypes = [ctypes.POINTER(Gemm), ctypes.c_void_p, ctypes.c_int32]
    Dm, H, D = 2048, 128, 16
    dev = torch.device("cuda")
    torch.manual_seed(0)
    for B, L in ((4, 8192), (1, 32768)):
        def w(*shape, fan_in):
            return (torch.randn(*shape, device=dev) / math.sqrt(fan_in)).to(torch.bfloat16)
        x = torch.randn(B, L, Dm, device=dev).to(torch.bfloat16)
        ws = dict(wa=w(Dm, H, fan_in=Dm), wb=w(Dm, H * D, fan_in=Dm),
                  wc=w(Dm, H * D, fan_in=Dm), wv=w(Dm, H * D, fan_in=Dm),
                  wo=w(H * D, Dm, fan_in=H * D))
        lin = {k: v.t().contiguous() for k, v in ws.items()}  # nn.Linear layout
        bias = {k: w(lin[k].shape[0], fan_in=Dm) for k in ("wa", "wb", "wc")}
        out = torch.empty(B, L, Dm, device=dev, dtype=torch.bfloat16)
        scratch = {n: torch.empty(B, n, L, device=dev, dtype=torch.bfloat16)
                   for n in sorted({H, H * D})}
        zt = torch.randn(B, L, H * D, device=dev, dtype=torch.bfloat16)
        gemms = layer_gemms(x, ws, scratch, out, B, L, Dm, H, D)

        def ours():
            runtime.set_cuda_stream(torch.cuda.current_stream().cuda_stream
                                    or runtime.CU_STREAM_LEGACY)
            try:
                for g in gemms:
                    if lib.phx_cuda_gemm_ex(ctypes.byref(g), None, 0):
                        raise RuntimeError("phx_cuda_gemm_ex failed")
            finally:
                runtime.set_cuda_stream(None)

        def theirs():
            F.linear(x, lin["wa"], bias["wa"])
            F.linear(x, lin["wb"], bias["wb"])
            F.linear(x, lin["wc"], bias["wc"])
            F.linear(x, lin["wv"])
            F.linear(zt, lin["wo"])

        print("== B=%d L=%d" % (B, L), flush=True)
        for r in range(args.rounds):
            for name, fn in (("ours", ours), ("torch", theirs)):
                acts = activities(fn)
                print("round %d %-5s total %.1f us: %s" % (
                    r, name, sum(u for _, u in acts),
                    "; ".join("%s %.1f" % (n[:60], u) for n, u in acts)), flush=True)
        for r in range(args.rounds):
            o = back_to_back_ms(ours) * 1e3
            t = back_to_back_ms(theirs) * 1e3
            print("round %d b2b us: ours %.1f torch %.1f ratio %.3f" % (r, o, t, o / t),
                  flush=True)
        x = out = scratch = zt = None
        torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
