// phx_cuda_gemm: row-major C = A @ B on the GPU through cuBLASLt, reached by
// dlopen like the driver (no link-time dependency).  The layer's projections
// use it; f32 accumulation for bf16 / f16 inputs.
//
// cuBLASLt is column-major: a row-major [m, n] matrix is a column-major
// [n, m] one, so C^T = B^T A^T is computed with the operands swapped and no
// transposes.
#include "driver.h"

#include <dlfcn.h>
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
  CUdeviceptr workspace = 0;
  std::string error; // why it is unusable, empty when usable
};

// Loads cuBLASLt, creates a handle and a workspace once per process (with
// the primary context current).
const CublasLt &cublasLt(const ScopedContext &ctx) {
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
    if (CUresult r = ctx.drv().cuMemAlloc(&lt.workspace, kWorkspaceBytes))
      lt.error = "cuBLASLt: workspace cuMemAlloc failed: " + errorName(r);
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
  std::string libError;
  phx_status s = withContext("phx_cuda_gemm", [&](const ScopedContext &ctx) {
    const CublasLt &lt = cublasLt(ctx);
    if (!lt.error.empty()) {
      libError = lt.error;
      return;
    }
    auto fail = [&](const char *call, cublasStatus_t st) {
      recordErrorMessage("phx_cuda_gemm", std::string(call) + " failed: " +
                                              lt.statusName(st));
    };
    Descriptors d{lt};
    int abType = cudaType(ab_dtype), cType = cudaType(c_dtype);
    if (cublasStatus_t st =
            lt.descCreate(&d.desc, CUBLAS_COMPUTE_32F, CUDA_R_32F))
      return fail("cublasLtMatmulDescCreate", st);
    // Swapped operands, column-major: (n x k) (k x m) = (n x m).
    if (cublasStatus_t st = lt.layoutCreate(&d.a, abType, n, k, n))
      return fail("cublasLtMatrixLayoutCreate", st);
    if (cublasStatus_t st = lt.layoutCreate(&d.b, abType, k, m, k))
      return fail("cublasLtMatrixLayoutCreate", st);
    if (cublasStatus_t st = lt.layoutCreate(&d.c, cType, n, m, n))
      return fail("cublasLtMatrixLayoutCreate", st);
    if (cublasStatus_t st = lt.prefCreate(&d.pref))
      return fail("cublasLtMatmulPreferenceCreate", st);
    size_t ws = kWorkspaceBytes;
    if (cublasStatus_t st = lt.prefSetAttribute(
            d.pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof ws))
      return fail("cublasLtMatmulPreferenceSetAttribute", st);
    HeuristicResult heuristic{};
    int found = 0;
    if (cublasStatus_t st = lt.heuristic(lt.handle, d.desc, d.a, d.b, d.c,
                                         d.c, d.pref, 1, &heuristic, &found))
      return fail("cublasLtMatmulAlgoGetHeuristic", st);
    if (found == 0)
      return recordErrorMessage("phx_cuda_gemm",
                                "cuBLASLt found no algorithm for this GEMM");
    const float alpha = 1.0f, beta = 0.0f;
    if (cublasStatus_t st =
            lt.matmul(lt.handle, d.desc, &alpha, b, d.a, a, d.b, &beta, c,
                      d.c, c, d.c, &heuristic.algo,
                      reinterpret_cast<void *>(lt.workspace), ws, nullptr))
      return fail("cublasLtMatmul", st);
    check("phx_cuda_gemm", "cuCtxSynchronize", ctx.drv().cuCtxSynchronize());
  });
  if (s)
    return s;
  if (!libError.empty())
    return makeStatus(PHX_STATUS_UNAVAILABLE, libError);
  return nullptr;
  PHX_GUARD_END
}
