"""Compiling MLIR text into artifacts by calling the `phalanx-compile` tool.

    import phalanx
    module = phalanx.compile(text)            # -> phalanx.runtime.Module
    module = phalanx.load("layer.phx")

The tool is found through $PHALANX_COMPILE, then $PHALANX_BUILD_DIR/bin, then
the repository's build/bin, then $PATH. Compiled artifacts are cached by the
hash of (text, options) under $PHALANX_CACHE_DIR (default
~/.cache/phalanx), so a module is compiled once per distinct input.
"""
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .runtime import Module, PhalanxError

_REPO = Path(__file__).resolve().parents[2]


def compiler_path():
    """The phalanx-compile executable, or raises PhalanxError saying where it looked."""
    candidates = []
    if os.environ.get("PHALANX_COMPILE"):
        candidates.append(Path(os.environ["PHALANX_COMPILE"]))
    if os.environ.get("PHALANX_BUILD_DIR"):
        candidates.append(Path(os.environ["PHALANX_BUILD_DIR"]) / "bin" / "phalanx-compile")
    candidates.append(_REPO / "build" / "bin" / "phalanx-compile")
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return c
    found = shutil.which("phalanx-compile")
    if found:
        return Path(found)
    raise PhalanxError("phalanx-compile not found (looked at $PHALANX_COMPILE, "
                       "$PHALANX_BUILD_DIR/bin, %s, and $PATH); run `make` first"
                       % (_REPO / "build" / "bin"), "NOT_FOUND")


def _cache_dir():
    d = Path(os.environ.get("PHALANX_CACHE_DIR", Path.home() / ".cache" / "phalanx"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def compile_to_file(text, output, *, target="cpu", sequential=False, extra_args=()):
    """Compiles MLIR `text` into the artifact file `output`; raises PhalanxError
    with the compiler's diagnostics on failure."""
    with tempfile.NamedTemporaryFile("w", suffix=".mlir", delete=False) as f:
        f.write(text)
        source = f.name
    try:
        cmd = [str(compiler_path()), source, "-o", str(output), "--target", target]
        if sequential:
            cmd.append("--sequential")
        cmd.extend(extra_args)
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise PhalanxError("phalanx-compile failed (exit %d):\n%s"
                               % (proc.returncode, proc.stderr.strip()), "INVALID_ARGUMENT")
    finally:
        os.unlink(source)
    return Path(output)


def _compiler_identity():
    """Identifies the compiler build, so a rebuilt compiler never reuses
    artifacts of an older one. Without a compiler (a GPU machine that only
    runs carried artifacts) the identity is given by $PHALANX_COMPILER_ID or
    the recorded one in the cache directory."""
    if os.environ.get("PHALANX_COMPILER_ID"):
        return os.environ["PHALANX_COMPILER_ID"]
    try:
        st = compiler_path().stat()
        ident = "%d-%d" % (st.st_size, st.st_mtime_ns)
        (_cache_dir() / "compiler-id").write_text(ident)
        return ident
    except PhalanxError:
        recorded = _cache_dir() / "compiler-id"
        return recorded.read_text() if recorded.exists() else "none"


def cache_key(text, target="cpu", sequential=False, extra_args=()):
    """The artifact cache key: the text, the options and the compiler build."""
    ident = _compiler_identity()
    return hashlib.sha256(repr((text, target, sequential, tuple(extra_args), ident))
                          .encode())


def cached_artifact(text, *, target="cpu", sequential=False, extra_args=()):
    """Compiles MLIR `text` (or the path of a .mlir file) into the artifact
    cache unless it is there already; returns the artifact's path. Needs no
    GPU, so artifacts for `target="cuda"` can be prepared on any machine."""
    if isinstance(text, Path) or (isinstance(text, str) and text.endswith(".mlir")
                                  and "\n" not in text and os.path.exists(text)):
        text = Path(text).read_text()
    key = cache_key(text, target, sequential, extra_args)
    path = _cache_dir() / (key.hexdigest()[:32] + ".phx")
    if not path.exists():
        tmp = path.with_suffix(".tmp%d" % os.getpid())
        compile_to_file(text, tmp, target=target, sequential=sequential,
                        extra_args=extra_args)
        os.replace(tmp, path)
    return path


def compile(text, *, target="cpu", sequential=False, extra_args=(), device=None):
    """Compiles MLIR `text` (or the path of a .mlir file) and loads the artifact.

    Cached by content: the same text and options load the cached artifact."""
    path = cached_artifact(text, target=target, sequential=sequential,
                           extra_args=extra_args)
    return Module.load(str(path), device=device or target)


def load(path, device="cpu"):
    """Loads a compiled artifact file."""
    return Module.load(str(path), device=device)
