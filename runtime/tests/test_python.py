"""Tests of python/phalanx/runtime.py against the test artifact.

Run by ctest (phalanx-rt-python) when a Python with numpy is found:
    python test_python.py LIBPATH ARTIFACT
"""
import itertools
import math
import os
import sys

import numpy as np

lib, artifact = sys.argv[1], sys.argv[2]
os.environ["PHALANX_RT_LIB"] = lib
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import importlib.util  # noqa: E402

# Import runtime.py without executing the package's __init__ (owned elsewhere).
spec = importlib.util.spec_from_file_location(
    "phalanx_runtime", os.path.join(sys.path[0], "phalanx", "runtime.py"))
rt = importlib.util.module_from_spec(spec)
spec.loader.exec_module(rt)

failures = 0


def check(cond, what):
    global failures
    print(("PASS " if cond else "FAIL ") + what)
    failures += 0 if cond else 1


m = rt.Module.load(artifact)
check(m.entries == ["add", "scan", "noop", "layer_noop"], "entries")
sig = m.signature("scan")
check(sig["args"][0]["role"] == "gates" and sig["op"]["kind"] == "swr.scan", "signature")
(c,) = m("add", np.arange(4, dtype=np.float32), np.ones(4))
check(c.dtype == np.float32 and list(c) == [1, 2, 3, 4], "invoke add (f64 input converted)")
rng = np.random.default_rng(0)
g = rng.uniform(0.05, 0.999, (2, 2, 13)).astype(np.float32)
x = rng.standard_normal((2, 2, 4, 13)).astype(np.float32)
(y,) = m("scan", g, x)
ref = m.reference("scan", g, x)
check(rt.relative_error(y, ref) < 1e-6, "scan matches reference")
check(np.array_equal(ref, rt.reference(sig["op"], g, x)), "reference(op) == module.reference")
try:
    m("scan", g, x[..., :12])
    check(False, "mismatch raises")
except rt.PhalanxError as e:
    check("both are L" in str(e) and e.code == "INVALID_ARGUMENT", "mismatch raises: " + str(e))
try:
    rt.Module.load(artifact + ".missing")
    check(False, "missing file raises")
except rt.PhalanxError as e:
    check(e.code == "NOT_FOUND", "missing file raises: " + str(e))

# Cross-check the C++ f64 reference with the numpy reference when present.
try:
    from phalanx import reference as R  # noqa: E402
except Exception as e:  # pragma: no cover
    R = None
    print("SKIP cross-check with phalanx.reference (%s)" % e)
if R is not None and hasattr(R, "swr_scan") and hasattr(R, "Window"):
    worst = 0.0
    for K, S, res, ini, tr in itertools.product([0, 1, 2, "inf"], [1, 2, "inf"], [0, 1], [0, 1], [0, 1]):
        if ini and tr:
            continue
        B, H, D, L, BL = 2, 2, 3, int(rng.integers(1, 40)), int(rng.integers(1, 6))
        a = rng.uniform(0.05, 0.999, (B, H, L))
        xx = rng.standard_normal((B, H, D, L))
        args = [a, xx]
        op = {"kind": "swr.scan", "block": BL, "hops": K, "segment": S,
              "transpose": bool(tr), "gates": 0, "drive": 1}
        rs = (rng.random((B, L)) < 0.1) if res else None
        it = rng.standard_normal((B, H, D)) if ini else None
        if res:
            op["resets"] = len(args)
            args.append(rs)
        if ini:
            op["init"] = len(args)
            args.append(it)
        w = R.Window(BL, math.inf if K == "inf" else K, math.inf if S == "inf" else S, strict=False)
        theirs = R.swr_scan(a, xx, w, resets=rs, init=it, transpose=bool(tr))
        worst = max(worst, float(np.abs(rt.reference(op, *args) - theirs).max()))
    check(worst < 1e-12, "C++ scan reference == phalanx.reference.swr_scan (max diff %.2g)" % worst)

print("%d failed" % failures)
sys.exit(1 if failures else 0)
