/*
 * phalanx/runtime.h - C API of the Phalanx runtime (libphalanx_rt).
 *
 * The runtime loads compiled artifact files (docs/artifact-format.md), checks
 * inputs against each entry's signature and executes entries.  It never links
 * LLVM or MLIR.  The header is C99 compatible.
 *
 * Conventions
 *  - Functions that can fail return a phx_status.  NULL means success; any
 *    other value is an error object that carries a code and a message and must
 *    be released with phx_status_free().
 *  - No function aborts or throws on bad input; invalid handles/indices give
 *    an error status (or NULL / -1 / 0 for the plain query functions).
 *  - Strings returned by query functions live as long as the object they were
 *    obtained from.
 */
#ifndef PHALANX_RUNTIME_H
#define PHALANX_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define PHX_API
#else
#define PHX_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ version */

#define PHX_RUNTIME_VERSION_MAJOR 0
#define PHX_RUNTIME_VERSION_MINOR 1
#define PHX_RUNTIME_VERSION_PATCH 0
/* Highest artifact format version this runtime reads. */
#define PHX_ARTIFACT_FORMAT_VERSION 1

/* "0.1.0" */
PHX_API const char *phx_runtime_version(void);
PHX_API int32_t phx_artifact_format_version(void);

/* ------------------------------------------------------------------- status */

typedef enum phx_status_code {
  PHX_STATUS_OK = 0,
  PHX_STATUS_INVALID_ARGUMENT = 1, /* caller passed something wrong */
  PHX_STATUS_NOT_FOUND = 2,        /* unknown entry, missing file, ... */
  PHX_STATUS_IO_ERROR = 3,         /* reading a file failed */
  PHX_STATUS_INVALID_ARTIFACT = 4, /* artifact malformed / corrupt */
  PHX_STATUS_UNAVAILABLE = 5,      /* e.g. no CUDA driver on this machine */
  PHX_STATUS_UNIMPLEMENTED = 6,    /* feature not supported yet */
  PHX_STATUS_OUT_OF_MEMORY = 7,
  PHX_STATUS_INTERNAL = 8,
  PHX_STATUS_FAILED_PRECONDITION = 9 /* e.g. entry has no op description */
} phx_status_code;

typedef struct phx_status_s *phx_status; /* NULL == OK */

PHX_API phx_status_code phx_status_get_code(phx_status status);
/* Never NULL: "OK" for a NULL status. */
PHX_API const char *phx_status_message(phx_status status);
PHX_API void phx_status_free(phx_status status);
PHX_API const char *phx_status_code_name(phx_status_code code);

/* ------------------------------------------------------------------- dtypes */

typedef enum phx_dtype {
  PHX_DTYPE_INVALID = 0,
  PHX_DTYPE_BF16 = 1,
  PHX_DTYPE_F16 = 2,
  PHX_DTYPE_F32 = 3,
  PHX_DTYPE_F64 = 4,
  PHX_DTYPE_I1 = 5, /* one byte per element, 0 or 1 */
  PHX_DTYPE_I8 = 6,
  PHX_DTYPE_I32 = 7,
  PHX_DTYPE_I64 = 8
} phx_dtype;

/* "bf16", "f16", ...; "invalid" for unknown values. */
PHX_API const char *phx_dtype_name(phx_dtype dtype);
/* Bytes per element; 0 for invalid values. */
PHX_API size_t phx_dtype_size(phx_dtype dtype);
/* PHX_DTYPE_INVALID when the name is unknown. */
PHX_API phx_dtype phx_dtype_from_name(const char *name);
PHX_API int phx_dtype_is_float(phx_dtype dtype);

/* Exact conversions with round-to-nearest-even (NaN stays NaN). */
PHX_API uint16_t phx_f64_to_bf16(double value);
PHX_API uint16_t phx_f64_to_f16(double value);
PHX_API double phx_bf16_to_f64(uint16_t bits);
PHX_API double phx_f16_to_f64(uint16_t bits);
/* Converts n doubles into a buffer of `dtype` (floats round to nearest even,
 * integers truncate toward zero, i1 stores value != 0). */
PHX_API phx_status phx_convert_from_f64(const double *src, size_t n,
                                        phx_dtype dtype, void *dst);
/* Converts n elements of `dtype` to doubles (exact for every dtype but i64
 * beyond 2^53). */
PHX_API phx_status phx_convert_to_f64(const void *src, size_t n,
                                      phx_dtype dtype, double *dst);

/* ------------------------------------------------------------------ tensors */

typedef enum phx_device {
  PHX_DEVICE_CPU = 0,
  PHX_DEVICE_CUDA = 1
} phx_device;

PHX_API const char *phx_device_name(phx_device device);

/* Non-owning view of a dense, row-major (C order), contiguous tensor. */
typedef struct phx_tensor {
  void *data;
  phx_dtype dtype;
  int32_t rank;
  const int64_t *shape; /* rank entries; may be NULL when rank == 0 */
  phx_device device;
} phx_tensor;

/* --------------------------------------------------------------- modules */

typedef struct phx_module_s phx_module;

/* Loads an artifact for execution on `device`.  `out` receives the module or
 * NULL on failure.  For PHX_DEVICE_CUDA the CUDA driver is reached through
 * dlopen("libcuda.so.1"); without it the status is PHX_STATUS_UNAVAILABLE.
 * Entries run only on the device they were compiled for (the manifest's
 * "device"); invoking another gives PHX_STATUS_FAILED_PRECONDITION "entry
 * 'x' was compiled for cpu; run it with --device cpu".  For cuda, tensors
 * must hold CUDA device pointers (phx_buffer_alloc) and have device
 * PHX_DEVICE_CUDA; the host code resolves the mgpu* functions (MLIR's GPU
 * runtime wrapper ABI) that libphalanx_rt exports, so the library must be
 * in the global symbol scope (linked, or dlopen'ed with RTLD_GLOBAL; the
 * loader also promotes it itself where it can). */
PHX_API phx_status phx_module_load_file(const char *path, phx_device device,
                                        phx_module **out);
/* Same from memory (the bytes are copied).  `name` is used in messages and
 * may be NULL. */
PHX_API phx_status phx_module_load_memory(const void *data, size_t size,
                                          const char *name, phx_device device,
                                          phx_module **out);
PHX_API void phx_module_free(phx_module *module);

PHX_API const char *phx_module_name(const phx_module *module);
PHX_API const char *phx_module_producer(const phx_module *module);
PHX_API phx_device phx_module_device(const phx_module *module);
/* The manifest JSON text as stored in the artifact. */
PHX_API const char *phx_module_manifest(const phx_module *module);

/* ----------------------------------------------------------------- entries */

PHX_API int32_t phx_module_entry_count(const phx_module *module);
/* NULL when out of range. */
PHX_API const char *phx_module_entry_name(const phx_module *module,
                                          int32_t entry);
/* Index of the named entry, or -1. */
PHX_API int32_t phx_module_find_entry(const phx_module *module,
                                      const char *name);

PHX_API const char *phx_entry_symbol(const phx_module *module, int32_t entry);
/* "cpu" or "cuda". */
PHX_API const char *phx_entry_device(const phx_module *module, int32_t entry);
/* Kind of the entry's "op" description ("swr.scan", "phalanx.layer", ...) or
 * NULL when the entry has none. */
PHX_API const char *phx_entry_op_kind(const phx_module *module, int32_t entry);
/* The "op" object re-serialized as compact JSON, or NULL. */
PHX_API const char *phx_entry_op_json(const phx_module *module, int32_t entry);

PHX_API int32_t phx_entry_arg_count(const phx_module *module, int32_t entry);
PHX_API int32_t phx_entry_result_count(const phx_module *module,
                                       int32_t entry);

/* Signature of argument / result `index`.  Shapes use -1 for dynamic dims.
 * Name/shape getters return NULL, dtype PHX_DTYPE_INVALID, rank -1 when an
 * index is out of range. */
PHX_API const char *phx_entry_arg_name(const phx_module *module, int32_t entry,
                                       int32_t index);
PHX_API phx_dtype phx_entry_arg_dtype(const phx_module *module, int32_t entry,
                                      int32_t index);
PHX_API int32_t phx_entry_arg_rank(const phx_module *module, int32_t entry,
                                   int32_t index);
PHX_API const int64_t *phx_entry_arg_shape(const phx_module *module,
                                           int32_t entry, int32_t index);
/* Role of the argument in the entry's op ("gates", "drive", "resets", "init"
 * for swr.scan; "x", "wa", ..., "wo" for phalanx.layer) or NULL. */
PHX_API const char *phx_entry_arg_role(const phx_module *module, int32_t entry,
                                       int32_t index);
/* Symbolic name of a dim when the op gives one ("B", "H", "L", "D", "Dm",
 * ...) or NULL. */
PHX_API const char *phx_entry_arg_dim_symbol(const phx_module *module,
                                             int32_t entry, int32_t index,
                                             int32_t dim);

PHX_API const char *phx_entry_result_name(const phx_module *module,
                                          int32_t entry, int32_t index);
PHX_API phx_dtype phx_entry_result_dtype(const phx_module *module,
                                         int32_t entry, int32_t index);
PHX_API int32_t phx_entry_result_rank(const phx_module *module, int32_t entry,
                                      int32_t index);
PHX_API const int64_t *phx_entry_result_shape(const phx_module *module,
                                              int32_t entry, int32_t index);

/* Validates `args` against the signature (exactly as phx_invoke does) and
 * writes the shape of result `result` into shape_out (result-rank entries). */
PHX_API phx_status phx_entry_compute_result_shape(const phx_module *module,
                                                  int32_t entry,
                                                  const phx_tensor *args,
                                                  int32_t nargs, int32_t result,
                                                  int64_t *shape_out);

/* Checks every argument and result view, then runs the entry.  Results are
 * caller-allocated buffers with the computed result shapes. */
PHX_API phx_status phx_invoke(const phx_module *module, const char *entry_name,
                              const phx_tensor *args, int32_t nargs,
                              const phx_tensor *results, int32_t nresults);
PHX_API phx_status phx_invoke_index(const phx_module *module, int32_t entry,
                                    const phx_tensor *args, int32_t nargs,
                                    const phx_tensor *results,
                                    int32_t nresults);

/* Like phx_invoke_index, and measures the entry call: *elapsed_ms receives
 * the time between CUDA events recorded on the legacy default stream just
 * before and just after the call (device cuda; a cuda entry synchronizes its
 * own streams before returning, so this is the whole entry as the GPU sees
 * it, launch overheads included), or the host wall time (device cpu). */
PHX_API phx_status phx_invoke_timed(const phx_module *module, int32_t entry,
                                    const phx_tensor *args, int32_t nargs,
                                    const phx_tensor *results,
                                    int32_t nresults, double *elapsed_ms);

/* ------------------------------------------------------------- devices */

/* 1 when the CUDA backend can run (driver loaded, initialized, at least one
 * device), else 0.  `message` (may be NULL) receives a line describing the
 * driver and device ("CUDA driver 13.0, device 0: NVIDIA H200 (sm_90, 132
 * SMs)") or why CUDA is unavailable ("CUDA backend: no CUDA driver found
 * (libcuda.so.1 could not be loaded)"); it lives as long as the process.
 * The device is $PHALANX_CUDA_DEVICE (default 0); $PHALANX_CUDA_DRIVER
 * overrides the driver library path. */
PHX_API int32_t phx_cuda_available(const char **message);

/* Buffers for phx_tensor.data.  PHX_DEVICE_CPU: 64-byte aligned host memory;
 * PHX_DEVICE_CUDA: device memory in the primary context of the device (a
 * pointer valid for the entries of modules loaded for cuda).  bytes == 0
 * allocates a small non-null buffer. */
PHX_API phx_status phx_buffer_alloc(phx_device device, size_t bytes,
                                    void **out);
PHX_API phx_status phx_buffer_free(phx_device device, void *ptr);
/* Synchronous copies between host memory and CUDA device memory. */
PHX_API phx_status phx_buffer_copy_to_device(void *device_dst,
                                             const void *host_src,
                                             size_t bytes);
PHX_API phx_status phx_buffer_copy_to_host(void *host_dst,
                                           const void *device_src,
                                           size_t bytes);
/* Sets `bytes` bytes to `value` (0xFF poisons floats with NaN). */
PHX_API phx_status phx_buffer_fill_bytes(phx_device device, void *ptr,
                                         uint8_t value, size_t bytes);
/* Waits for all work on the device (cuCtxSynchronize); no-op for cpu. */
PHX_API phx_status phx_device_synchronize(phx_device device);

/* Asynchronous calls on a caller's stream (per thread).  With `stream` (a
 * CUstream of the current device's primary context, e.g. PyTorch's current
 * stream) set, the cuda entries invoked on this thread enqueue their work on
 * it and return without waiting: inputs must be ready in that stream's order
 * and results are ready in it too.  Errors found while enqueuing are
 * returned by phx_invoke as usual; a kernel fault surfaces at the caller's
 * next synchronization.  The thread's reusable workspaces stay ordered: a
 * later call of the thread on another stream waits (on the GPU) for the
 * work of its asynchronous calls.  NULL (the default) restores synchronous
 * calls on the runtime's pooled streams; the legacy default stream (PyTorch's
 * default stream, handle 0) is passed as CU_STREAM_LEGACY ((void *)0x1). */
PHX_API void phx_cuda_set_stream(void *stream);

/* Row-major C[m, n] = A[m, k] @ B[k, n] on the CUDA device (device pointers)
 * through cuBLASLt, which is dlopen'ed like the driver.  A and B are bf16 or
 * f16 (the same dtype), C is bf16, f16 or f32; accumulation in f32.
 * Synchronous.  UNAVAILABLE without a driver or without libcublasLt. */
PHX_API phx_status phx_cuda_gemm(phx_dtype ab_dtype, phx_dtype c_dtype,
                                 int64_t m, int64_t n, int64_t k, const void *a,
                                 const void *b, void *c);

/* One (strided-batched) matmul in cuBLAS's column-major convention:
 * C[i] = op(A[i]) op(B[i]) for i < batch, with C m x n (leading dimension
 * ldc), op(A) m x k, op(B) k x n, op = transpose when trans_* != 0 (A is then
 * stored k x m), matrix i at element offset i * stride_*.  A and B are bf16,
 * f16 or f32 (the same dtype); C bf16, f16 or f32 (f32 when A is f32); f32
 * accumulation (no TF32).  A row-major matrix is the column-major transpose. */
typedef struct phx_gemm {
  phx_dtype ab_dtype, c_dtype;
  int32_t trans_a, trans_b;
  int64_t m, n, k;
  const void *a;
  int64_t lda, stride_a;
  const void *b;
  int64_t ldb, stride_b;
  void *c;
  int64_t ldc, stride_c;
  int64_t batch;
} phx_gemm;

/* Enqueues `gemm` on `stream` (a CUstream; NULL: the legacy default stream)
 * and waits for it when `synchronize` != 0.  UNAVAILABLE without a driver or
 * libcublasLt. */
PHX_API phx_status phx_cuda_gemm_ex(const phx_gemm *gemm, void *stream,
                                    int32_t synchronize);

/* Called by the host code of cuda artifacts that hold a phalanx.layer
 * (docs/gpu-lowering.md); like the mgpu* wrappers they have no status: a
 * failure becomes the thread's last CUDA error, which phx_invoke reports.
 * phx_cuda_layer_gemm: phx_cuda_gemm_ex with scalar arguments (pointers as
 * int64), enqueued on `stream`.  phx_cuda_layer_workspace: a device buffer of
 * at least `bytes` bytes, cached per thread (reused by the next call). */
PHX_API void phx_cuda_layer_gemm(int32_t ab_dtype, int32_t c_dtype,
                                 int32_t trans_a, int32_t trans_b, int64_t m,
                                 int64_t n, int64_t k, int64_t a, int64_t lda,
                                 int64_t stride_a, int64_t b, int64_t ldb,
                                 int64_t stride_b, int64_t c, int64_t ldc,
                                 int64_t stride_c, int64_t batch, void *stream);
PHX_API void *phx_cuda_layer_workspace(int64_t bytes);

/* ---------------------------------------------------- float64 reference */

/* Computes the entry's result #0 in float64 from its "op" description,
 * reading the args converted from their dtypes.  `out` receives out_len
 * doubles (the element count of the computed result shape).  Fails with
 * PHX_STATUS_FAILED_PRECONDITION when the entry has no (known) op. */
PHX_API phx_status phx_reference_run(const phx_module *module,
                                     const char *entry_name,
                                     const phx_tensor *args, int32_t nargs,
                                     double *out, size_t out_len);

/* Same without a module: `op_json` is an "op" object as in the manifest; the
 * args are positioned as the op's argument indices say.  The result shape is
 * derived from the op (scan: drive's shape; layer: x's shape). */
PHX_API phx_status phx_reference_run_op(const char *op_json,
                                        const phx_tensor *args, int32_t nargs,
                                        double *out, size_t out_len);

/* Relative Frobenius error ||y - ref|| / ||ref|| (||y - ref|| when ref is all
 * zeros).  *nonfinite receives the number of NaN/Inf elements in y. */
PHX_API phx_status phx_relative_error(const phx_tensor *y, const double *ref,
                                      size_t n, double *rel_err,
                                      int64_t *nonfinite);
/* Default tolerance for a result dtype: f32 1e-5, bf16 8e-3, f16 2e-3,
 * f64 1e-12, integers 0. */
PHX_API double phx_default_tolerance(phx_dtype result_dtype);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* PHALANX_RUNTIME_H */
