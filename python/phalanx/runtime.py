"""ctypes binding of the Phalanx runtime (libphalanx_rt.so).

    from phalanx.runtime import Module
    m = Module.load("scan.phx")
    m.entries                 # ['scan']
    m.signature("scan")       # {'args': [...], 'results': [...], 'op': {...}}
    (y,) = m("scan", a, x)    # numpy arrays in, numpy arrays out
    ref = m.reference("scan", a, x)   # float64 reference of result #0

The library is found through $PHALANX_RT_LIB (a file path), else
../../build/lib/libphalanx_rt.so relative to this package (also build-rt/),
else the dynamic loader's search path.

bf16 arrays: pass ml_dtypes.bfloat16 arrays if ml_dtypes is installed;
otherwise float arrays are converted to the argument dtype with
round-to-nearest-even.  bf16 results come back as ml_dtypes.bfloat16 when
available, else as float32 (exact).  Errors raise PhalanxError carrying the
runtime's message.
"""

import ctypes
import json
import os
import threading

import numpy as np

try:  # optional
    import ml_dtypes  # type: ignore

    _BF16 = np.dtype(ml_dtypes.bfloat16)
except Exception:  # pragma: no cover - depends on the environment
    ml_dtypes = None
    _BF16 = None

__all__ = ["PhalanxError", "Module", "reference", "relative_error",
           "default_tolerance", "library", "version", "cuda_available", "set_cuda_device",
           "set_cuda_stream"]


class PhalanxError(RuntimeError):
    """An error reported by the runtime (message + status code name)."""

    def __init__(self, message, code="INTERNAL"):
        super().__init__(message)
        self.code = code


# phx_dtype values
_DTYPES = {1: "bf16", 2: "f16", 3: "f32", 4: "f64", 5: "i1", 6: "i8", 7: "i32", 8: "i64"}
_DTYPE_IDS = {v: k for k, v in _DTYPES.items()}
_NUMPY = {"f16": np.float16, "f32": np.float32, "f64": np.float64,
          "i1": np.bool_, "i8": np.int8, "i32": np.int32, "i64": np.int64}


class _Tensor(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("dtype", ctypes.c_int),
                ("rank", ctypes.c_int32), ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("device", ctypes.c_int)]


def _candidates():
    env = os.environ.get("PHALANX_RT_LIB")
    if env:
        yield env
    here = os.path.dirname(os.path.abspath(__file__))
    for build in ("build", "build-rt"):
        yield os.path.normpath(os.path.join(here, "..", "..", build, "lib",
                                            "libphalanx_rt.so"))
    yield "libphalanx_rt.so"
    yield "libphalanx_rt.so.0"


_lib = None


def library():
    """Loads (once) and returns the ctypes handle of libphalanx_rt."""
    global _lib
    if _lib is not None:
        return _lib
    errors = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            errors.append(path + ": not found")
            continue
        try:
            # RTLD_GLOBAL: the host code of cuda artifacts resolves the
            # runtime's mgpu* functions (MLIR's GPU wrapper ABI) at dlopen.
            lib = ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
            break
        except OSError as e:
            errors.append("%s: %s" % (path, e))
    else:
        raise PhalanxError("cannot find libphalanx_rt.so (set PHALANX_RT_LIB); tried: "
                           + "; ".join(errors), "NOT_FOUND")
    _declare(lib)
    _lib = lib
    return lib


def _declare(lib):
    c = ctypes
    P = c.c_void_p
    T = c.POINTER(_Tensor)
    sigs = {
        "phx_runtime_version": (c.c_char_p, []),
        "phx_status_get_code": (c.c_int, [P]),
        "phx_status_message": (c.c_char_p, [P]),
        "phx_status_free": (None, [P]),
        "phx_status_code_name": (c.c_char_p, [c.c_int]),
        "phx_module_load_file": (P, [c.c_char_p, c.c_int, c.POINTER(P)]),
        "phx_module_load_memory": (P, [c.c_void_p, c.c_size_t, c.c_char_p, c.c_int,
                                       c.POINTER(P)]),
        "phx_module_free": (None, [P]),
        "phx_module_producer": (c.c_char_p, [P]),
        "phx_module_entry_count": (c.c_int32, [P]),
        "phx_module_entry_name": (c.c_char_p, [P, c.c_int32]),
        "phx_module_find_entry": (c.c_int32, [P, c.c_char_p]),
        "phx_entry_op_json": (c.c_char_p, [P, c.c_int32]),
        "phx_entry_device": (c.c_char_p, [P, c.c_int32]),
        "phx_entry_arg_count": (c.c_int32, [P, c.c_int32]),
        "phx_entry_result_count": (c.c_int32, [P, c.c_int32]),
        "phx_entry_arg_name": (c.c_char_p, [P, c.c_int32, c.c_int32]),
        "phx_entry_arg_dtype": (c.c_int, [P, c.c_int32, c.c_int32]),
        "phx_entry_arg_rank": (c.c_int32, [P, c.c_int32, c.c_int32]),
        "phx_entry_arg_shape": (c.POINTER(c.c_int64), [P, c.c_int32, c.c_int32]),
        "phx_entry_arg_role": (c.c_char_p, [P, c.c_int32, c.c_int32]),
        "phx_entry_result_name": (c.c_char_p, [P, c.c_int32, c.c_int32]),
        "phx_entry_result_dtype": (c.c_int, [P, c.c_int32, c.c_int32]),
        "phx_entry_result_rank": (c.c_int32, [P, c.c_int32, c.c_int32]),
        "phx_entry_result_shape": (c.POINTER(c.c_int64), [P, c.c_int32, c.c_int32]),
        "phx_entry_compute_result_shape": (P, [P, c.c_int32, T, c.c_int32, c.c_int32,
                                               c.POINTER(c.c_int64)]),
        "phx_invoke_index": (P, [P, c.c_int32, T, c.c_int32, T, c.c_int32]),
        "phx_reference_run": (P, [P, c.c_char_p, T, c.c_int32,
                                  c.POINTER(c.c_double), c.c_size_t]),
        "phx_reference_run_op": (P, [c.c_char_p, T, c.c_int32,
                                     c.POINTER(c.c_double), c.c_size_t]),
        "phx_relative_error": (P, [T, c.POINTER(c.c_double), c.c_size_t,
                                   c.POINTER(c.c_double), c.POINTER(c.c_int64)]),
        "phx_default_tolerance": (c.c_double, [c.c_int]),
        "phx_convert_from_f64": (P, [c.POINTER(c.c_double), c.c_size_t, c.c_int, c.c_void_p]),
        "phx_convert_to_f64": (P, [c.c_void_p, c.c_size_t, c.c_int, c.POINTER(c.c_double)]),
        "phx_invoke_timed": (P, [P, c.c_int32, T, c.c_int32, T, c.c_int32,
                                 c.POINTER(c.c_double)]),
        "phx_cuda_available": (c.c_int32, [c.POINTER(c.c_char_p)]),
        "phx_buffer_alloc": (P, [c.c_int, c.c_size_t, c.POINTER(c.c_void_p)]),
        "phx_buffer_free": (P, [c.c_int, c.c_void_p]),
        "phx_buffer_copy_to_device": (P, [c.c_void_p, c.c_void_p, c.c_size_t]),
        "phx_buffer_copy_to_host": (P, [c.c_void_p, c.c_void_p, c.c_size_t]),
        "phx_buffer_fill_bytes": (P, [c.c_int, c.c_void_p, c.c_uint8, c.c_size_t]),
        "phx_device_synchronize": (P, [c.c_int]),
        # the mgpu ABI's per-thread default device (the ordinal CUDA calls use)
        "mgpuSetDefaultDevice": (None, [c.c_int32]),
        "phx_cuda_set_stream": (None, [c.c_void_p]),
    }
    for name, (res, args) in sigs.items():
        fn = getattr(lib, name)
        fn.restype = res
        fn.argtypes = args


def _check(status):
    if status:
        lib = library()
        msg = lib.phx_status_message(status).decode("utf-8", "replace")
        code = lib.phx_status_code_name(lib.phx_status_get_code(status)).decode()
        lib.phx_status_free(status)
        raise PhalanxError(msg, code)


def version():
    return library().phx_runtime_version().decode()


def set_cuda_device(index):
    """Makes CUDA device `index` (the driver's ordinal, as torch numbers them
    under the same CUDA_VISIBLE_DEVICES) the one this thread's cuda entries,
    buffers and launches use (default: $PHALANX_CUDA_DEVICE or 0)."""
    index = int(index)
    if index < 0:
        raise PhalanxError("CUDA device index must be >= 0, got %d" % index,
                           "INVALID_ARGUMENT")
    library().mgpuSetDefaultDevice(index)


# The driver's handle of the legacy default stream (cuda.h CU_STREAM_LEGACY):
# what torch's default stream (cuda_stream == 0) is, as a caller stream.
CU_STREAM_LEGACY = 1


def set_cuda_stream(stream):
    """Makes this thread's cuda entries enqueue on `stream` (a CUstream
    handle as an int, e.g. torch.cuda.current_stream().cuda_stream) and
    return without waiting; 0 / None restores synchronous calls
    (phx_cuda_set_stream in runtime.h), so the legacy default stream must be
    passed as CU_STREAM_LEGACY."""
    library().phx_cuda_set_stream(ctypes.c_void_p(int(stream or 0)))


def cuda_available():
    """(True, "CUDA driver 13.0, device 0: ...") or (False, reason)."""
    msg = ctypes.c_char_p()
    ok = library().phx_cuda_available(ctypes.byref(msg))
    return bool(ok), (msg.value or b"").decode("utf-8", "replace")


class _DeviceBuffer:
    """CUDA device memory holding a copy of a host array (or poisoned)."""

    def __init__(self, nbytes):
        self.nbytes = nbytes
        self.ptr = ctypes.c_void_p()
        _check(library().phx_buffer_alloc(1, nbytes, ctypes.byref(self.ptr)))

    def upload(self, host):
        _check(library().phx_buffer_copy_to_device(self.ptr, host.ctypes.data, self.nbytes))

    def poison(self):
        _check(library().phx_buffer_fill_bytes(1, self.ptr, 0xFF, self.nbytes))

    def download(self, host):
        _check(library().phx_buffer_copy_to_host(host.ctypes.data, self.ptr, self.nbytes))

    def free(self):
        if self.ptr:
            library().phx_status_free(library().phx_buffer_free(1, self.ptr))
            self.ptr = ctypes.c_void_p()


def _to_buffer(array, dtype_name, label):
    """Returns a C-contiguous numpy array holding `array` in `dtype_name`
    (bf16 as uint16 bit patterns)."""
    a = np.asarray(array)
    if dtype_name == "bf16":
        if _BF16 is not None and a.dtype == _BF16:
            return np.ascontiguousarray(a).view(np.uint16)
        if a.dtype.kind != "f":
            raise PhalanxError("%s has numpy dtype %s but the argument is bf16; pass a "
                               "float array" % (label, a.dtype), "INVALID_ARGUMENT")
        src = np.ascontiguousarray(a, dtype=np.float64)
        out = np.empty(src.shape, dtype=np.uint16)
        lib = library()
        _check(lib.phx_convert_from_f64(src.ctypes.data_as(ctypes.POINTER(ctypes.c_double)),
                                        src.size, _DTYPE_IDS["bf16"],
                                        out.ctypes.data_as(ctypes.c_void_p)))
        return out
    want = np.dtype(_NUMPY[dtype_name])
    if a.dtype == want:
        return np.ascontiguousarray(a)
    if want.kind == "f" and (a.dtype.kind == "f" or (_BF16 is not None and a.dtype == _BF16)):
        if a.dtype.itemsize > want.itemsize or a.dtype == _BF16:
            # round to nearest even through the runtime (exact from f64)
            src = np.ascontiguousarray(a, dtype=np.float64)
            out = np.empty(src.shape, dtype=want)
            _check(library().phx_convert_from_f64(
                src.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), src.size,
                _DTYPE_IDS[dtype_name], out.ctypes.data_as(ctypes.c_void_p)))
            return out
        return np.ascontiguousarray(a, dtype=want)  # widening: exact
    if dtype_name == "i1" and a.dtype in (np.uint8, np.int8):
        if a.size and (a.min() < 0 or a.max() > 1):
            raise PhalanxError("%s must hold only 0 and 1 for an i1 argument" % label,
                               "INVALID_ARGUMENT")
        return np.ascontiguousarray(a, dtype=np.bool_)
    raise PhalanxError("%s has numpy dtype %s but the argument is %s; only float "
                       "arrays are converted" % (label, a.dtype, dtype_name),
                       "INVALID_ARGUMENT")


def _tensor(buf, dtype_name):
    shape = (ctypes.c_int64 * max(1, buf.ndim))(*buf.shape)
    t = _Tensor(buf.ctypes.data,
                _DTYPE_IDS[dtype_name], buf.ndim, shape, 0)
    return t, shape


def _from_buffer(buf, dtype_name):
    if dtype_name != "bf16":
        return buf
    if _BF16 is not None:
        return buf.view(_BF16)
    return (buf.astype(np.uint32) << 16).view(np.float32)


class Module:
    """A loaded artifact."""

    def __init__(self, handle, name, device="cpu"):
        self._h = ctypes.c_void_p(handle)
        self.name = name
        self.device = device

    @classmethod
    def load(cls, path, device="cpu"):
        lib = library()
        out = ctypes.c_void_p()
        dev = {"cpu": 0, "cuda": 1}.get(device)
        if dev is None:
            raise PhalanxError("device must be 'cpu' or 'cuda'", "INVALID_ARGUMENT")
        _check(lib.phx_module_load_file(os.fsencode(path), dev, ctypes.byref(out)))
        return cls(out.value, str(path), device)

    @classmethod
    def from_bytes(cls, data, name="<memory>", device="cpu"):
        lib = library()
        out = ctypes.c_void_p()
        buf = ctypes.create_string_buffer(bytes(data), len(data))
        _check(lib.phx_module_load_memory(buf, len(data), name.encode(),
                                          {"cpu": 0, "cuda": 1}[device], ctypes.byref(out)))
        return cls(out.value, name, device)

    def close(self):
        if self._h:
            library().phx_module_free(self._h)
            self._h = None

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def producer(self):
        return library().phx_module_producer(self._h).decode()

    @property
    def entries(self):
        lib = library()
        return [lib.phx_module_entry_name(self._h, i).decode()
                for i in range(lib.phx_module_entry_count(self._h))]

    def _index(self, entry):
        lib = library()
        if entry is None:
            names = self.entries
            if len(names) != 1:
                raise PhalanxError("artifact has %d entries; name one (%s)"
                                   % (len(names), ", ".join(names)), "INVALID_ARGUMENT")
            entry = names[0]
        idx = lib.phx_module_find_entry(self._h, entry.encode())
        if idx < 0:
            raise PhalanxError("artifact '%s' has no entry '%s' (entries: %s)"
                               % (self.name, entry, ", ".join(self.entries)), "NOT_FOUND")
        return idx, entry

    def signature(self, entry=None):
        """{'args': [{'name', 'dtype', 'shape', 'role'}], 'results': [...],
        'device': 'cpu', 'op': dict or None}; shapes use -1 for dynamic dims."""
        lib = library()
        e, _ = self._index(entry)
        h = self._h

        def sig(count, name, dtype, rank, shape):
            out = []
            for i in range(count):
                r = rank(h, e, i)
                s = shape(h, e, i)
                out.append({"name": name(h, e, i).decode(), "dtype": _DTYPES[dtype(h, e, i)],
                            "shape": [s[k] for k in range(r)]})
            return out

        args = sig(lib.phx_entry_arg_count(h, e), lib.phx_entry_arg_name,
                   lib.phx_entry_arg_dtype, lib.phx_entry_arg_rank, lib.phx_entry_arg_shape)
        for i, a in enumerate(args):
            role = lib.phx_entry_arg_role(h, e, i)
            a["role"] = role.decode() if role else None
        results = sig(lib.phx_entry_result_count(h, e), lib.phx_entry_result_name,
                      lib.phx_entry_result_dtype, lib.phx_entry_result_rank,
                      lib.phx_entry_result_shape)
        op = lib.phx_entry_op_json(h, e)
        return {"args": args, "results": results,
                "device": lib.phx_entry_device(h, e).decode(),
                "op": json.loads(op.decode()) if op else None}

    def _prepare(self, entry, arrays):
        e, name = self._index(entry)
        sig = self.signature(name)
        if len(arrays) != len(sig["args"]):
            raise PhalanxError("entry '%s' takes %d arguments, got %d"
                               % (name, len(sig["args"]), len(arrays)), "INVALID_ARGUMENT")
        bufs, keep = [], []
        for i, (a, s) in enumerate(zip(arrays, sig["args"])):
            label = "argument '%s' (#%d)" % (s["name"], i)
            bufs.append(_to_buffer(a, s["dtype"], label))
        tensors = (_Tensor * max(1, len(bufs)))()
        for i, (b, s) in enumerate(zip(bufs, sig["args"])):
            t, shape = _tensor(b, s["dtype"])
            tensors[i] = t
            keep.append(shape)
        return e, name, sig, bufs, tensors, keep

    def __call__(self, entry, *arrays, timed=False):
        """Runs `entry` on numpy arrays; returns a list of result arrays
        (with timed=True: (results, milliseconds); CUDA events for cuda).
        On a module loaded for cuda the arrays are copied to device memory,
        the results poisoned with NaN there, and copied back."""
        lib = library()
        e, name, sig, bufs, tensors, keep = self._prepare(entry, arrays)
        results = []
        rtensors = (_Tensor * max(1, len(sig["results"])))()
        for r, s in enumerate(sig["results"]):
            shape = (ctypes.c_int64 * max(1, len(s["shape"])))()
            _check(lib.phx_entry_compute_result_shape(self._h, e, tensors, len(bufs), r, shape))
            dims = tuple(shape[k] for k in range(len(s["shape"])))
            np_dtype = np.uint16 if s["dtype"] == "bf16" else _NUMPY[s["dtype"]]
            out = np.empty(dims, dtype=np_dtype)
            if out.dtype.kind == "f":
                out.fill(np.nan)  # poison: unwritten elements show up as NaN
            elif s["dtype"] == "bf16":
                out.fill(0x7FC0)  # bf16 NaN
            t, sh = _tensor(out, s["dtype"])
            rtensors[r] = t
            keep.append(sh)
            results.append(out)
        device_bufs = []
        try:
            if self.device == "cuda":
                for i, b in enumerate(bufs):
                    d = _DeviceBuffer(max(1, b.nbytes))
                    device_bufs.append(d)
                    d.upload(b)
                    tensors[i].data = d.ptr.value
                    tensors[i].device = 1
                for r, out in enumerate(results):
                    d = _DeviceBuffer(max(1, out.nbytes))
                    device_bufs.append(d)
                    d.poison()
                    rtensors[r].data = d.ptr.value
                    rtensors[r].device = 1
            ms = ctypes.c_double(0.0)
            if timed:
                _check(lib.phx_invoke_timed(self._h, e, tensors, len(bufs), rtensors,
                                            len(results), ctypes.byref(ms)))
            else:
                _check(lib.phx_invoke_index(self._h, e, tensors, len(bufs), rtensors,
                                            len(results)))
            if self.device == "cuda":
                for r, out in enumerate(results):
                    device_bufs[len(bufs) + r].download(out)
        finally:
            for d in device_bufs:
                d.free()
        outs = [_from_buffer(out, s["dtype"]) for out, s in zip(results, sig["results"])]
        return (outs, ms.value) if timed else outs

    def invoke_pointers(self, entry, args, results):
        """Runs `entry` on caller-owned memory, without copies.

        `args` and `results` are sequences of (data_ptr, dtype_name, shape) or
        (data_ptr, dtype_name, shape, device) with device 'cpu' (default) or
        'cuda'; dtype_name is one of bf16, f16, f32, f64, i1, i8, i32, i64 and
        the memory is C-contiguous. The runtime checks dtypes and shapes
        against the entry's signature (PhalanxError on mismatch); results must
        already have their computed shapes (see phx_entry_compute_result_shape)."""
        lib = library()
        # The ctypes argument pack of a signature (entry, dtypes, shapes,
        # devices) is built once per thread and reused with new data
        # pointers: a steady-state call allocates no ctypes objects.
        packs = self._packs()
        key = (entry, tuple((it[1], tuple(it[2]), it[3] if len(it) > 3 else "cpu")
                            for it in args),
               tuple((it[1], tuple(it[2]), it[3] if len(it) > 3 else "cpu")
                     for it in results))
        hit = packs.get(key)
        if hit is None:
            hit = self._build_pack(entry, args, results)
            if len(packs) >= 64:  # many shapes: keep the cache bounded
                packs.clear()
            packs[key] = hit
        e, targs, tres, _keep = hit
        for i, item in enumerate(args):
            targs[i].data = int(item[0])
        for i, item in enumerate(results):
            tres[i].data = int(item[0])
        _check(lib.phx_invoke_index(self._h, e, targs, len(args), tres, len(results)))

    def _packs(self):
        tls = self.__dict__.get("_pack_tls")
        if tls is None:
            tls = self.__dict__.setdefault("_pack_tls", threading.local())
        packs = getattr(tls, "packs", None)
        if packs is None:
            packs = tls.packs = {}
        return packs

    def _build_pack(self, entry, args, results):
        """(entry index, argument array, result array, the shape arrays they
        point to) for invoke_pointers."""
        e, _ = self._index(entry)
        keep = []

        def pack(items, what):
            arr = (_Tensor * max(1, len(items)))()
            for i, item in enumerate(items):
                ptr, dtype_name, shape = item[:3]
                device = item[3] if len(item) > 3 else "cpu"
                if dtype_name not in _DTYPE_IDS:
                    raise PhalanxError("%s #%d has unknown dtype %r" % (what, i, dtype_name),
                                       "INVALID_ARGUMENT")
                if device not in ("cpu", "cuda"):
                    raise PhalanxError("%s #%d has unknown device %r" % (what, i, device),
                                       "INVALID_ARGUMENT")
                dims = [int(d) for d in shape]
                sh = (ctypes.c_int64 * max(1, len(dims)))(*dims)
                keep.append(sh)
                arr[i] = _Tensor(int(ptr), _DTYPE_IDS[dtype_name], len(dims), sh,
                                 1 if device == "cuda" else 0)
            return arr

        targs = pack(args, "argument")
        tres = pack(results, "result")
        return e, targs, tres, keep

    def reference(self, entry, *arrays):
        """float64 reference of result #0 (inputs rounded to their dtypes)."""
        lib = library()
        e, name, sig, bufs, tensors, keep = self._prepare(entry, arrays)
        r0 = sig["results"][0]
        shape = (ctypes.c_int64 * max(1, len(r0["shape"])))()
        _check(lib.phx_entry_compute_result_shape(self._h, e, tensors, len(bufs), 0, shape))
        dims = tuple(shape[k] for k in range(len(r0["shape"])))
        out = np.empty(dims, dtype=np.float64)
        _check(lib.phx_reference_run(self._h, name.encode(), tensors, len(bufs),
                                     out.ctypes.data_as(ctypes.POINTER(ctypes.c_double)),
                                     out.size))
        return out


def reference(op, *arrays):
    """float64 reference of an op description (dict or JSON text, as in the
    manifest) applied to numpy arrays positioned as the op's argument
    indices say.  Arrays are read in their own dtype (f16/f32/f64/bool/
    bf16 via ml_dtypes)."""
    lib = library()
    op_json = op if isinstance(op, str) else json.dumps(op)
    bufs, keep = [], []
    tensors = (_Tensor * max(1, len(arrays)))()
    for i, a in enumerate(arrays):
        a = np.asarray(a)
        if _BF16 is not None and a.dtype == _BF16:
            name = "bf16"
        else:
            name = {np.dtype(v): k for k, v in _NUMPY.items()}.get(a.dtype)
            if name is None:
                a = a.astype(np.float64)
                name = "f64"
        b = _to_buffer(a, name, "argument #%d" % i)
        t, shape = _tensor(b, name)
        tensors[i] = t
        bufs.append(b)
        keep.append(shape)
    spec = json.loads(op_json)
    if spec.get("kind") == "swr.scan":
        out_shape = np.asarray(arrays[spec["drive"]]).shape
    elif spec.get("kind") == "phalanx.layer":
        out_shape = np.asarray(arrays[spec["x"]]).shape
    else:
        raise PhalanxError("no reference for op kind %r" % spec.get("kind"), "UNIMPLEMENTED")
    out = np.empty(out_shape, dtype=np.float64)
    _check(lib.phx_reference_run_op(op_json.encode(), tensors, len(arrays),
                                    out.ctypes.data_as(ctypes.POINTER(ctypes.c_double)),
                                    out.size))
    return out


def relative_error(y, ref):
    """||y - ref|| / ||ref|| in float64; NaN when y holds NaN/Inf."""
    y = np.asarray(y, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    if not np.all(np.isfinite(y)):
        return float("nan")
    den = np.linalg.norm(ref)
    num = np.linalg.norm(y - ref)
    return float(num / den) if den > 0 else float(num)


def default_tolerance(dtype_name):
    return library().phx_default_tolerance(_DTYPE_IDS[dtype_name])
