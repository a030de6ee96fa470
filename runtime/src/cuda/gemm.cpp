// phx_cuda_gemm: row-major C = A @ B on the GPU through cuBLASLt, reached by
// dlopen like the driver (no link-time dependency).  The layer's projections
// use it; f32 accumulation for bf16 / f16 inputs.
//
// cuBLASLt is column-major: a row-major [m, n] matrix is a column-major
// [n, m] one, so C^T = B^T A^T is computed with the operands swapped and no
// transposes.
#include "driver.h"

#include <algorithm>
#include <dlfcn.h>
#include <map>
#include <mutex>

namespace phx {
namespace cuda {
namespace {

// ---- the few cuBLASLt declarations used (values checked against
// cublasLt.h / library_types.h of CUDA 13 by tests/test_cuda_abi.cpp).
typedef int cublasStatus_t;
struct MatmulAlgo {
  uint64_t data[8];
};
struct HeuristicResult {
  MatmulAlgo algo;
  size_t workspaceSize;
  cublasStatus_t state;
  float wavesCount;
  int reserved[4];
};
enum : int {
  CUBLAS_STATUS_SUCCESS = 0,
  CUBLAS_COMPUTE_32F = 68,
  CUDA_R_32F = 0,
  CUDA_R_16F = 2,
  CUDA_R_16BF = 14,
  CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES = 1,
  CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES = 5, // .. B = 6, C = 7, D = 8
  CUBLASLT_MATMUL_DESC_TRANSA = 3,
  CUBLASLT_MATMUL_DESC_TRANSB = 4,
  CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT = 5,
  CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET = 6,
  CUBLAS_OP_N = 0,
  CUBLAS_OP_T = 1,
};
constexpr size_t kWorkspaceBytes = 32u << 20;

struct CublasLt {
  void *lib = nullptr;
  cublasStatus_t (*create)(void **) = nullptr;
  const char *(*statusName)(cublasStatus_t) = nullptr;
  cublasStatus_t (*descCreate)(void **, int, int) = nullptr;
  cublasStatus_t (*descDestroy)(void *) = nullptr;
  cublasStatus_t (*layoutCreate)(void **, int, uint64_t, uint64_t,
                                 int64_t) = nullptr;
  cublasStatus_t (*layoutDestroy)(void *) = nullptr;
  cublasStatus_t (*layoutSetAttribute)(void *, int, const void *,
                                       size_t) = nullptr;
  cublasStatus_t (*descSetAttribute)(void *, int, const void *,
                                     size_t) = nullptr;
  cublasStatus_t (*prefCreate)(void **) = nullptr;
  cublasStatus_t (*prefDestroy)(void *) = nullptr;
  cublasStatus_t (*prefSetAttribute)(void *, int, const void *,
                                     size_t) = nullptr;
  cublasStatus_t (*heuristic)(void *, void *, void *, void *, void *, void *,
                              void *, int, HeuristicResult *, int *) = nullptr;
  cublasStatus_t (*matmul)(void *, void *, const void *, const void *, void *,
                           const void *, void *, const void *, const void *,
                           void *, void *, void *, const MatmulAlgo *, void *,
                           size_t, CUstream) = nullptr;
  void *handle = nullptr;
  std::string error; // why it is unusable, empty when usable
};

// Loads cuBLASLt and creates a handle once per process (with
// the primary context current).
const CublasLt &cublasLt(const ScopedContext &) {
  static CublasLt lt;
  static std::once_flag once;
  std::call_once(once, [&] {
    for (const char *name : {"libcublasLt.so.13", "libcublasLt.so.12",
                             "libcublasLt.so"})
      if ((lt.lib = ::dlopen(name, RTLD_NOW | RTLD_LOCAL)))
        break;
    if (!lt.lib) {
      lt.error = "cuBLASLt: libcublasLt.so.13 could not be loaded";
      return;
    }
    bool ok = true;
    auto sym = [&](auto &fn, const char *name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(
          ::dlsym(lt.lib, name));
      ok = ok && fn;
    };
    sym(lt.create, "cublasLtCreate");
    sym(lt.statusName, "cublasLtGetStatusName");
    sym(lt.descCreate, "cublasLtMatmulDescCreate");
    sym(lt.descDestroy, "cublasLtMatmulDescDestroy");
    sym(lt.layoutCreate, "cublasLtMatrixLayoutCreate");
    sym(lt.layoutDestroy, "cublasLtMatrixLayoutDestroy");
    sym(lt.layoutSetAttribute, "cublasLtMatrixLayoutSetAttribute");
    sym(lt.descSetAttribute, "cublasLtMatmulDescSetAttribute");
    sym(lt.prefCreate, "cublasLtMatmulPreferenceCreate");
    sym(lt.prefDestroy, "cublasLtMatmulPreferenceDestroy");
    sym(lt.prefSetAttribute, "cublasLtMatmulPreferenceSetAttribute");
    sym(lt.heuristic, "cublasLtMatmulAlgoGetHeuristic");
    sym(lt.matmul, "cublasLtMatmul");
    if (!ok) {
      lt.error = "cuBLASLt: the loaded library lacks a needed function";
      return;
    }
    if (cublasStatus_t st = lt.create(&lt.handle)) {
      lt.error = "cuBLASLt: cublasLtCreate failed: " +
                 std::string(lt.statusName(st));
      return;
    }
  });
  return lt;
}

int cudaType(phx_dtype t) {
  switch (t) {
  case PHX_DTYPE_BF16:
    return CUDA_R_16BF;
  case PHX_DTYPE_F16:
    return CUDA_R_16F;
  case PHX_DTYPE_F32:
    return CUDA_R_32F;
  default:
    return -1;
  }
}

// Owns the cuBLASLt descriptors of one call.
struct Descriptors {
  const CublasLt &lt;
  void *desc = nullptr, *a = nullptr, *b = nullptr, *c = nullptr,
       *pref = nullptr;
  ~Descriptors() {
    if (pref)
      lt.prefDestroy(pref);
    for (void *l : {a, b, c})
      if (l)
        lt.layoutDestroy(l);
    if (desc)
      lt.descDestroy(desc);
  }
};


// The largest power of two <= 256 that divides the address (cuBLASLt's
// alignment preferences: its default assumes 256-byte aligned matrices).
uint32_t alignmentOf(const void *p) {
  uint32_t a = 256;
  while (a > 1 && (reinterpret_cast<uintptr_t>(p) % a) != 0)
    a /= 2;
  return a;
}

// A per-thread device buffer that grows and never shrinks, freed when the
// thread exits. Work of one thread is ordered: a call either waits for its
// stream before it returns, or marks its work, which the thread's next call
// on another stream waits for (markThreadWork / orderAfterThreadWork);
// cuMemFree waits for work still using a buffer. Other threads have their
// own.
struct Workspace {
  int device = -1;
  CUdeviceptr ptr = 0;
  size_t bytes = 0;
  // At least `want` bytes (rounded up to 2 MiB), or 0 (error recorded).
  CUdeviceptr get(const ScopedContext &ctx, const char *where, size_t want) {
    int dev = currentDevice();
    if (ptr && device == dev && bytes >= want)
      return ptr;
    if (ptr && device == dev)
      check(where, "cuMemFree", ctx.drv().cuMemFree(ptr));
    // (A buffer of another device is dropped rather than freed in the wrong
    // context.)
    ptr = 0;
    bytes = 0;
    size_t rounded = (want + (2u << 20) - 1) & ~size_t((2u << 20) - 1);
    CUresult r = ctx.drv().cuMemAlloc(&ptr, rounded);
    if (r != CUDA_SUCCESS) {
      ptr = 0;
      recordErrorMessage(where, "cuMemAlloc(" + std::to_string(rounded) +
                                    " bytes) failed: " + errorName(r),
                         r);
      return 0;
    }
    device = dev;
    bytes = rounded;
    return ptr;
  }
  ~Workspace() {
    if (!ptr)
      return;
    ScopedContext ctx("phx_cuda workspace release");
    if (ctx.ok())
      ctx.drv().cuMemFree(ptr);
  }
};
// cuBLASLt's workspace (per thread: matmuls of two threads may overlap on
// their streams) and the layer's intermediates.
thread_local Workspace tlsGemmWorkspace, tlsLayerWorkspace;

// The algorithm cuBLASLt's heuristic picks, cached per shape, layout and
// alignment (the heuristic costs tens of microseconds of host time).
struct AlgoKey {
  int64_t v[16];
  bool operator<(const AlgoKey &o) const {
    return std::lexicographical_compare(v, v + 16, o.v, o.v + 16);
  }
};
std::mutex algoMutex;
std::map<AlgoKey, MatmulAlgo> algoCache;

// Enqueues one (strided-batched) matmul on `stream`; failures are recorded
// under `where` (the thread's last CUDA error).
void enqueueGemm(const ScopedContext &ctx, const char *where,
                 const phx_gemm &g, CUstream stream) {
  const CublasLt &lt = cublasLt(ctx);
  if (!lt.error.empty()) {
    recordErrorMessage(where, lt.error, CUDA_ERROR_NOT_FOUND);
    return;
  }
  auto fail = [&](const char *call, cublasStatus_t st) {
    recordErrorMessage(where,
                       std::string(call) + " failed: " + lt.statusName(st));
  };
  Descriptors d{lt};
  int abType = cudaType(g.ab_dtype), cType = cudaType(g.c_dtype);
  if (cublasStatus_t st = lt.descCreate(&d.desc, CUBLAS_COMPUTE_32F, CUDA_R_32F))
    return fail("cublasLtMatmulDescCreate", st);
  int32_t opA = g.trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
  int32_t opB = g.trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
  if (cublasStatus_t st = lt.descSetAttribute(d.desc, CUBLASLT_MATMUL_DESC_TRANSA,
                                              &opA, sizeof opA))
    return fail("cublasLtMatmulDescSetAttribute", st);
  if (cublasStatus_t st = lt.descSetAttribute(d.desc, CUBLASLT_MATMUL_DESC_TRANSB,
                                              &opB, sizeof opB))
    return fail("cublasLtMatmulDescSetAttribute", st);
  // Layouts describe the stored matrices: op(A) is m x k, so A is k x m
  // when transposed.
  struct Layout {
    void **out;
    int type;
    int64_t rows, cols, ld, stride;
  } layouts[] = {
      {&d.a, abType, g.trans_a ? g.k : g.m, g.trans_a ? g.m : g.k, g.lda,
       g.stride_a},
      {&d.b, abType, g.trans_b ? g.n : g.k, g.trans_b ? g.k : g.n, g.ldb,
       g.stride_b},
      {&d.c, cType, g.m, g.n, g.ldc, g.stride_c}};
  for (Layout &l : layouts) {
    if (cublasStatus_t st = lt.layoutCreate(l.out, l.type, l.rows, l.cols, l.ld))
      return fail("cublasLtMatrixLayoutCreate", st);
    if (g.batch > 1) {
      int32_t count = static_cast<int32_t>(g.batch);
      if (cublasStatus_t st = lt.layoutSetAttribute(
              *l.out, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count, sizeof count))
        return fail("cublasLtMatrixLayoutSetAttribute", st);
      if (cublasStatus_t st = lt.layoutSetAttribute(
              *l.out, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &l.stride,
              sizeof l.stride))
        return fail("cublasLtMatrixLayoutSetAttribute", st);
    }
  }
  uint32_t align[3] = {alignmentOf(g.a), alignmentOf(g.b), alignmentOf(g.c)};
  AlgoKey key{{g.ab_dtype, g.c_dtype, g.trans_a, g.trans_b, g.m, g.n, g.k,
               g.lda, g.ldb, g.ldc, g.stride_a, g.stride_b, g.stride_c,
               g.batch, align[0] * 1024 + align[1], align[2]}};
  MatmulAlgo algo;
  bool cached = false;
  {
    std::lock_guard<std::mutex> lock(algoMutex);
    auto it = algoCache.find(key);
    if (it != algoCache.end()) {
      algo = it->second;
      cached = true;
    }
  }
  size_t ws = kWorkspaceBytes;
  if (!cached) {
    if (cublasStatus_t st = lt.prefCreate(&d.pref))
      return fail("cublasLtMatmulPreferenceCreate", st);
    if (cublasStatus_t st = lt.prefSetAttribute(
            d.pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof ws))
      return fail("cublasLtMatmulPreferenceSetAttribute", st);
    // Alignments of A, B, C and D (= C).
    uint32_t prefAlign[4] = {align[0], align[1], align[2], align[2]};
    for (int i = 0; i < 4; ++i)
      if (cublasStatus_t st = lt.prefSetAttribute(
              d.pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES + i,
              &prefAlign[i], sizeof prefAlign[i]))
        return fail("cublasLtMatmulPreferenceSetAttribute", st);
    HeuristicResult heuristic{};
    int found = 0;
    if (cublasStatus_t st = lt.heuristic(lt.handle, d.desc, d.a, d.b, d.c, d.c,
                                         d.pref, 1, &heuristic, &found))
      return fail("cublasLtMatmulAlgoGetHeuristic", st);
    if (found == 0)
      return recordErrorMessage(where,
                                "cuBLASLt found no algorithm for this GEMM");
    algo = heuristic.algo;
    std::lock_guard<std::mutex> lock(algoMutex);
    algoCache[key] = algo;
  }
  const float alpha = 1.0f, beta = 0.0f;
  CUdeviceptr workspace = tlsGemmWorkspace.get(ctx, where, ws);
  if (!workspace)
    return;
  if (cublasStatus_t st = lt.matmul(lt.handle, d.desc, &alpha, g.a, d.a, g.b,
                                    d.b, &beta, g.c, d.c, g.c, d.c, &algo,
                                    reinterpret_cast<void *>(workspace), ws,
                                    stream))
    return fail("cublasLtMatmul", st);
}

// The checks shared by phx_cuda_gemm_ex and the host-code entry point; an
// empty string when `g` is valid.
std::string validate(const char *where, const phx_gemm &g) {
  std::string w = std::string(where) + ": ";
  if (cudaType(g.ab_dtype) < 0)
    return w + "A and B must be bf16, f16 or f32, got " +
           phx_dtype_name(g.ab_dtype);
  if (cudaType(g.c_dtype) < 0)
    return w + "C must be bf16, f16 or f32, got " + phx_dtype_name(g.c_dtype);
  if (g.ab_dtype == PHX_DTYPE_F32 && g.c_dtype != PHX_DTYPE_F32)
    return w + "f32 A and B need an f32 C";
  if (g.m <= 0 || g.n <= 0 || g.k <= 0 || g.batch <= 0)
    return w + "m, n, k, batch must be positive, got " + std::to_string(g.m) +
           ", " + std::to_string(g.n) + ", " + std::to_string(g.k) + ", " +
           std::to_string(g.batch);
  if (!g.a || !g.b || !g.c)
    return w + "null matrix pointer";
  if (g.lda < (g.trans_a ? g.k : g.m) || g.ldb < (g.trans_b ? g.n : g.k) ||
      g.ldc < g.m)
    return w + "a leading dimension is smaller than its matrix's rows";
  if (g.batch > 0x7fffffff || g.stride_a < 0 || g.stride_b < 0 ||
      g.stride_c < 0)
    return w + "batch count or stride out of range";
  return {};
}

} // namespace
} // namespace cuda
} // namespace phx

using namespace phx;
using namespace phx::cuda;

extern "C" phx_status phx_cuda_gemm(phx_dtype ab_dtype, phx_dtype c_dtype,
                                    int64_t m, int64_t n, int64_t k,
                                    const void *a, const void *b, void *c) {
  PHX_GUARD_BEGIN
  if (ab_dtype != PHX_DTYPE_BF16 && ab_dtype != PHX_DTYPE_F16)
    return invalidArg(std::string("phx_cuda_gemm: A and B must be bf16 or "
                                  "f16, got ") +
                      phx_dtype_name(ab_dtype));
  if (cudaType(c_dtype) < 0)
    return invalidArg(std::string("phx_cuda_gemm: C must be bf16, f16 or "
                                  "f32, got ") +
                      phx_dtype_name(c_dtype));
  if (m <= 0 || n <= 0 || k <= 0)
    return invalidArg("phx_cuda_gemm: m, n, k must be positive, got " +
                      std::to_string(m) + ", " + std::to_string(n) + ", " +
                      std::to_string(k));
  if (!a || !b || !c)
    return invalidArg("phx_cuda_gemm: null matrix pointer");
  // Row-major C = A B is column-major C^T = B^T A^T: the operands swapped,
  // no transposes.
  phx_gemm g{};
  g.ab_dtype = ab_dtype;
  g.c_dtype = c_dtype;
  g.m = n;
  g.n = m;
  g.k = k;
  g.a = b;
  g.lda = n;
  g.b = a;
  g.ldb = k;
  g.c = c;
  g.ldc = n;
  g.batch = 1;
  return phx_cuda_gemm_ex(&g, nullptr, 1);
  PHX_GUARD_END
}

extern "C" phx_status phx_cuda_gemm_ex(const phx_gemm *gemm, void *stream,
                                       int32_t synchronize) {
  PHX_GUARD_BEGIN
  if (!gemm)
    return invalidArg("phx_cuda_gemm_ex: gemm is NULL");
  std::string bad = validate("phx_cuda_gemm_ex", *gemm);
  if (!bad.empty())
    return invalidArg(bad);
  std::string libError;
  phx_status s = withContext("phx_cuda_gemm_ex", [&](const ScopedContext &ctx) {
    const CublasLt &lt = cublasLt(ctx);
    if (!lt.error.empty()) {
      libError = lt.error;
      return;
    }
    auto cs = static_cast<CUstream>(stream);
    // The thread's cuBLASLt workspace: after the thread's unwaited-for
    // work on other streams, and marked when this call does not wait.
    orderAfterThreadWork(ctx.drv(), cs);
    enqueueGemm(ctx, "phx_cuda_gemm_ex", *gemm, cs);
    if (!synchronize && !hasError())
      markThreadWork(ctx.drv(), cs);
    if (synchronize && !hasError())
      check("phx_cuda_gemm_ex", stream ? "cuStreamSynchronize" : "cuCtxSynchronize",
            stream ? ctx.drv().cuStreamSynchronize(cs)
                   : ctx.drv().cuCtxSynchronize());
  });
  if (s)
    return s;
  if (!libError.empty())
    return makeStatus(PHX_STATUS_UNAVAILABLE, libError);
  return nullptr;
  PHX_GUARD_END
}

// ---- the layer's host code (convert-swr-to-gpu, docs/gpu-lowering.md):
// no status return, like the mgpu* wrappers; failures become the thread's
// last CUDA error, which phx_invoke reports, and after an error the GEMM is
// skipped.
extern "C" __attribute__((visibility("default"))) void phx_cuda_layer_gemm(
    int32_t ab_dtype, int32_t c_dtype, int32_t trans_a, int32_t trans_b,
    int64_t m, int64_t n, int64_t k, int64_t a, int64_t lda, int64_t stride_a,
    int64_t b, int64_t ldb, int64_t stride_b, int64_t c, int64_t ldc,
    int64_t stride_c, int64_t batch, void *stream) {
  const char *where = "phx_cuda_layer_gemm";
  if (hasError())
    return;
  phx_gemm g{};
  g.ab_dtype = static_cast<phx_dtype>(ab_dtype);
  g.c_dtype = static_cast<phx_dtype>(c_dtype);
  g.trans_a = trans_a;
  g.trans_b = trans_b;
  g.m = m;
  g.n = n;
  g.k = k;
  g.a = reinterpret_cast<const void *>(a);
  g.lda = lda;
  g.stride_a = stride_a;
  g.b = reinterpret_cast<const void *>(b);
  g.ldb = ldb;
  g.stride_b = stride_b;
  g.c = reinterpret_cast<void *>(c);
  g.ldc = ldc;
  g.stride_c = stride_c;
  g.batch = batch;
  std::string bad = validate(where, g);
  if (!bad.empty()) {
    recordErrorMessage(where, bad);
    return;
  }
  try {
    ScopedContext ctx(where);
    if (ctx.ok())
      enqueueGemm(ctx, where, g, static_cast<CUstream>(stream));
  } catch (const std::exception &e) {
    recordErrorMessage(where, std::string("exception: ") + e.what());
  }
}

// A device buffer of at least `bytes` bytes for the layer's intermediates
// (the projection outputs and Z), cached per thread: the host code of one
// call synchronizes its stream before it returns, so the next call on this
// thread may reuse it. Null (error recorded) on failure.
extern "C" __attribute__((visibility("default"))) void *
phx_cuda_layer_workspace(int64_t bytes) {
  const char *where = "phx_cuda_layer_workspace";
  if (hasError())
    return nullptr;
  ScopedContext ctx(where);
  if (!ctx.ok())
    return nullptr;
  CUdeviceptr p = tlsLayerWorkspace.get(
      ctx, where, static_cast<size_t>(std::max<int64_t>(bytes, 256)));
  return reinterpret_cast<void *>(p);
}
