"""The runtime's error paths seen from Python: each raises PhalanxError with a
message that names the problem."""
import numpy as np
import pytest

from compiled import needs_build, setup_env
from phalanx import ir

pytestmark = needs_build


@pytest.fixture(scope="module")
def scan(tmp_path_factory):
    setup_env(tmp_path_factory.mktemp("phx-cache"))
    import phalanx
    return phalanx.compile(ir.scan_module(B=None, H=2, D=16, L=None, a_dtype="bf16",
                                          x_dtype="bf16", y_dtype="f32"))


def ok_args(B=2, L=40):
    return np.full((B, 2, L), 0.5, np.float32), np.ones((B, 2, 16, L), np.float32)


def test_runs(scan):
    (y,) = scan("scan", *ok_args())
    assert y.shape == (2, 2, 16, 40) and not np.isnan(y).any()


def test_wrong_shape(scan):
    from phalanx.runtime import PhalanxError
    a, x = ok_args()
    with pytest.raises(PhalanxError, match=r"argument 'x' \(#1\) has shape \[2, 3, 16, 40\] but the entry expects \[\?, 2, 16, \?\]: dim 1 must be 2"):
        scan("scan", a, np.ones((2, 3, 16, 40), np.float32))


def test_cross_argument_length(scan):
    from phalanx.runtime import PhalanxError
    a, x = ok_args()
    with pytest.raises(PhalanxError, match=r"dim 3 is 41 but argument 'a' \(#0\) dim 2 is 40; both are L"):
        scan("scan", a, np.ones((2, 2, 16, 41), np.float32))


def test_wrong_rank(scan):
    from phalanx.runtime import PhalanxError
    a, x = ok_args()
    with pytest.raises(PhalanxError, match=r"has rank 2 but the entry expects rank 3"):
        scan("scan", a[0], x)


def test_wrong_dtype(scan):
    from phalanx.runtime import PhalanxError
    a, x = ok_args()
    with pytest.raises(PhalanxError, match=r"has numpy dtype int64 but the argument is bf16"):
        scan("scan", a.astype(np.int64), x)


def test_wrong_count(scan):
    from phalanx.runtime import PhalanxError
    a, _ = ok_args()
    with pytest.raises(PhalanxError, match=r"takes 2 arguments, got 1"):
        scan("scan", a)


def test_unknown_entry(scan):
    from phalanx.runtime import PhalanxError
    with pytest.raises(PhalanxError, match=r"no entry 'nope'"):
        scan("nope", *ok_args())


def test_missing_file(tmp_path):
    from phalanx.runtime import Module, PhalanxError
    with pytest.raises(PhalanxError, match=r"cannot open artifact"):
        Module.load(str(tmp_path / "missing.phx"))


def test_truncated_artifact(scan, tmp_path):
    from phalanx import compiler
    from phalanx.runtime import Module, PhalanxError
    path = tmp_path / "s.phx"
    compiler.compile_to_file(ir.scan_module(), path)
    data = path.read_bytes()
    cut = tmp_path / "cut.phx"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(PhalanxError, match=r"is truncated: header says %d bytes, file has %d"
                       % (len(data), len(data) // 2)):
        Module.load(str(cut))


def test_corrupt_artifact(tmp_path):
    from phalanx import compiler
    from phalanx.runtime import Module, PhalanxError
    path = tmp_path / "s.phx"
    compiler.compile_to_file(ir.scan_module(), path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x5A
    bad = tmp_path / "bad.phx"
    bad.write_bytes(bytes(data))
    with pytest.raises(PhalanxError, match=r"checksum"):
        Module.load(str(bad))


def test_compile_error_has_location(tmp_path):
    import phalanx
    from phalanx.runtime import PhalanxError
    text = ir.scan_module(block=12)
    with pytest.raises(PhalanxError, match=r"window block must be a power of two from 8 to 128, got 12"):
        phalanx.compile(text)


def test_invoke_pointers_reuses_argument_packs(scan):
    """invoke_pointers builds the ctypes argument pack of a signature once and
    then only swaps the data pointers: calls on other buffers of the same
    shapes, and of another shape in between, each see their own inputs; a
    bad dtype is still reported."""
    import ml_dtypes
    from phalanx.runtime import PhalanxError
    rng = np.random.default_rng(0)

    def run(B, L):
        a = rng.uniform(0.5, 1.0, (B, 2, L)).astype(ml_dtypes.bfloat16)
        x = rng.standard_normal((B, 2, 16, L)).astype(ml_dtypes.bfloat16)
        y = np.full((B, 2, 16, L), np.nan, np.float32)
        scan.invoke_pointers("scan", [(a.ctypes.data, "bf16", a.shape),
                                      (x.ctypes.data, "bf16", x.shape)],
                             [(y.ctypes.data, "f32", y.shape)])
        (want,) = scan("scan", a.astype(np.float32), x.astype(np.float32))
        np.testing.assert_allclose(y, want, rtol=1e-6, atol=1e-6)

    for B, L in ((2, 40), (2, 40), (1, 17), (2, 40)):
        run(B, L)
    a = np.ones((2, 2, 40), np.float32)
    with pytest.raises(PhalanxError):
        scan.invoke_pointers("scan", [(a.ctypes.data, "f64", a.shape),
                                      (a.ctypes.data, "bf16", (2, 2, 16, 40))],
                             [(a.ctypes.data, "f32", (2, 2, 16, 40))])
