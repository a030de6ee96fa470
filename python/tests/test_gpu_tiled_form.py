"""The GPU tiled form (swr-gpu-tile: one swr.carrier_scan per level the
carriers cross) executed on the CPU against the float64 reference.

The chain's value is defined level by level (each level composes the window's
tiles inside its own span), so running it through the CPU lowering checks, on
a machine without a GPU, that every schedule's level chain is the window of
spec/swr.md: the spans cut the sequence at lane, warp and cluster boundaries
(L spans several groups at every level here) and only the last level sees
the whole window.
"""
import math
import re
import subprocess

import numpy as np
import pytest

from compiled import BUILD, needs_build, setup_env
from phalanx import ir
from phalanx.reference import Window, random_scan_inputs, rel_error, swr_scan, tolerance

pytestmark = needs_build
INF = math.inf

# (knobs for swr-gpu-tile, what they exercise); tiles_per_lane 1 and 2 warps
# keep the spans short: lane 32 tiles, warp 64, cluster of 2: 128.
SCHEDULES = [
    ("tiles-per-lane=1 warps=2 grid=halo", "shuffle, smem, grid halo"),
    ("tiles-per-lane=1 warps=2 grid=flags", "shuffle, smem, grid flags"),
    ("tiles-per-lane=2 warps=2 cluster=2 cta=dsmem grid=flags", "cluster dsmem, flags"),
    ("tiles-per-lane=1 warps=2 cluster=2 cta=halo", "cluster halo"),
    ("tiles-per-lane=1 warps=2 cluster=4 cta=bulk grid=flags", "cluster bulk"),
    ("tiles-per-lane=1 warps=2 warp=halo", "warp halo"),
    ("tiles-per-lane=1 warps=1 lane=halo", "lane halo"),
]
WINDOWS = [(1, INF), (3, INF), (3, 5), (40, INF), (INF, INF), (INF, 7)]


@pytest.fixture(scope="module", autouse=True)
def _env(tmp_path_factory):
    setup_env(tmp_path_factory.mktemp("phx-gputile-cache"))


def gpu_tiled(text, knobs):
    proc = subprocess.run([str(BUILD / "bin" / "phalanx-opt"), "-",
                           "--swr-gpu-tile=%s" % knobs, "-verify-each"],
                          input=text, capture_output=True, text=True)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.parametrize("knobs", [s[0] for s in SCHEDULES], ids=[s[1] for s in SCHEDULES])
@pytest.mark.parametrize("hops,segment", WINDOWS, ids=["K%s-S%s" % w for w in WINDOWS])
@pytest.mark.parametrize("variant", ["init", "resets", "transpose"])
def test_level_chain_is_the_window(seeded, knobs, hops, segment, variant):
    import phalanx
    rng = seeded.rng
    B, H, D, block = 1, 2, 16, 16
    L = int(rng.integers(130 * block, 300 * block))  # 130..300 tiles: every span cut
    init, resets, transpose = variant == "init", variant == "resets", variant == "transpose"
    text = ir.scan_module(B=B, H=H, D=D, L=L, block=block,
                          hops=None if hops == INF else hops,
                          segment=None if segment == INF else segment,
                          a_dtype="f32", x_dtype="bf16", y_dtype="f32",
                          init=init, resets=resets, transpose=transpose)
    rc, tiled, err = gpu_tiled(text, knobs)
    if hops == INF and "halo" in knobs:
        # a halo has no finite size under hops = inf: refused, with the reason
        assert rc != 0 and "recomputed halo" in err and "hops = inf" in err, err
        return
    assert rc == 0, err
    assert tiled.count("swr.carrier_scan") >= 1 and " at " in tiled
    mod = phalanx.compile(tiled)
    d = random_scan_inputs(rng, B, H, D, L, "bf16", resets=0.01 if resets else False,
                           init=init, special_gates=True)
    a, x, r, s = d["a"], d["x"], d["resets"], d["init"]
    (y,) = mod("scan", *[v for v in (a, x, r, s) if v is not None])
    ref = swr_scan(a, x, Window(block, hops, segment), resets=r, init=s, transpose=transpose)
    e = rel_error(np.asarray(y, np.float64), ref)
    assert e <= tolerance("f32"), "rel_err %.3e %s K=%s S=%s %s L=%d %s" % (
        e, knobs, hops, segment, variant, L, seeded.msg)


def test_spans_matter():
    """The per-level values differ from the full carry: a chain cut after its
    lane level is not the window (so the test above can fail)."""
    import phalanx
    text = ir.scan_module(B=1, H=1, D=16, L=16 * 100, block=16, hops=INF)
    rc, tiled, err = gpu_tiled(text, "tiles-per-lane=1 warps=2 grid=flags")
    assert rc == 0, err
    lines = tiled.splitlines()
    lane = next(l for l in lines if "at lane" in l).split("=")[0].strip()
    # apply the lane level's carry instead of the full one
    cut = "\n".join(re.sub(r"carry\(%\w+\)", "carry(%s)" % lane, l) if "tile_apply" in l
                    else l for l in lines)
    assert "carry(%s)" % lane in cut and "carry(%s)" % lane not in tiled
    d = random_scan_inputs(0, 1, 1, 16, 1600, "f32",
                           gate_range=(0.995, 1.0))  # long memory: far tiles matter
    a, x = d["a"], d["x"]
    full = phalanx.compile(tiled)("scan", a, x)[0]
    part = phalanx.compile(cut)("scan", a, x)[0]
    ref = swr_scan(a, x, Window(16, INF, INF))
    assert rel_error(np.asarray(full, np.float64), ref) <= 1e-5
    assert rel_error(np.asarray(part, np.float64), ref) > 1e-3
