// The CUDA driver API as the runtime reaches it: libcuda.so.1 is dlopen'ed
// lazily and every entry point is resolved through cuGetProcAddress.  No CUDA
// header is needed: the few types, enums and structs used are declared here
// (tests/test_cuda_abi.cpp checks them against cuda.h where it exists).
#ifndef PHALANX_RT_CUDA_DRIVER_H
#define PHALANX_RT_CUDA_DRIVER_H

#include "../internal.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace phx {
namespace cuda {

// ---- driver API types (ABI-compatible with cuda.h, CUDA 12.0+)
typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUstream_st *CUstream;
typedef struct CUevent_st *CUevent;
typedef struct CUmemPoolHandle_st *CUmemoryPool;

enum : int {
  CUDA_SUCCESS = 0,
  CUDA_ERROR_INVALID_VALUE = 1,
  CUDA_ERROR_OUT_OF_MEMORY = 2,
  CUDA_ERROR_NOT_INITIALIZED = 3,
  CUDA_ERROR_NO_DEVICE = 100,
  CUDA_ERROR_INVALID_DEVICE = 101,
  CUDA_ERROR_INVALID_HANDLE = 400,
  CUDA_ERROR_NOT_FOUND = 500,
  CUDA_ERROR_NOT_SUPPORTED = 801,
};

enum : int {
  CU_STREAM_NON_BLOCKING = 0x1,
  CU_EVENT_DEFAULT = 0x0,
  CU_EVENT_DISABLE_TIMING = 0x2,
  CU_MEM_ATTACH_GLOBAL = 0x1,
  CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76,
  CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN = 97,
  CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8,
  CU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED = 14,
  CU_JIT_INFO_LOG_BUFFER = 3,
  CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES = 4,
  CU_JIT_ERROR_LOG_BUFFER = 5,
  CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6,
  CU_JIT_OPTIMIZATION_LEVEL = 7,
  CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION = 4,
  CU_LAUNCH_ATTRIBUTE_CLUSTER_SCHEDULING_POLICY_PREFERENCE = 5,
  CU_CLUSTER_SCHEDULING_POLICY_SPREAD = 1,
  CU_POINTER_ATTRIBUTE_MEMORY_TYPE = 2,
  CU_GET_PROC_ADDRESS_LEGACY_STREAM = 1,
  CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED = 115,
  CU_MEM_ALLOCATION_TYPE_PINNED = 1,
  CU_MEM_LOCATION_TYPE_DEVICE = 1,
  CU_MEMPOOL_ATTR_RELEASE_THRESHOLD = 4,
};

// CUmemPoolProps (CUDA 12: 88 bytes; the fields after `location` zero).
struct CUmemPoolProps {
  int allocType;
  int handleTypes;
  struct {
    int type;
    int id;
  } location;
  void *win32SecurityAttributes;
  size_t maxSize;
  unsigned short usage;
  unsigned char reserved[54];
};
static_assert(sizeof(CUmemPoolProps) == 88, "CUmemPoolProps layout");

// CUlaunchAttributeValue is a 64-byte union; only clusterDim and the
// scheduling policy are used.
union CUlaunchAttributeValue {
  char pad[64];
  struct {
    unsigned int x, y, z;
  } clusterDim;
  int clusterSchedulingPolicyPreference;
};
struct CUlaunchAttribute {
  int id;
  char pad[8 - sizeof(int)];
  CUlaunchAttributeValue value;
};
struct CUlaunchConfig {
  unsigned int gridDimX, gridDimY, gridDimZ;
  unsigned int blockDimX, blockDimY, blockDimZ;
  unsigned int sharedMemBytes;
  CUstream hStream;
  CUlaunchAttribute *attrs;
  unsigned int numAttrs;
};
struct alignas(64) CUtensorMap {
  uint64_t opaque[16];
};

// ---- the resolved entry points (names as given to cuGetProcAddress)
#define PHX_CUDA_FUNCTIONS(X)                                                  \
  X(cuGetErrorName, CUresult (*)(CUresult, const char **))                     \
  X(cuGetErrorString, CUresult (*)(CUresult, const char **))                   \
  X(cuInit, CUresult (*)(unsigned int))                                        \
  X(cuDriverGetVersion, CUresult (*)(int *))                                   \
  X(cuDeviceGetCount, CUresult (*)(int *))                                     \
  X(cuDeviceGet, CUresult (*)(CUdevice *, int))                                \
  X(cuDeviceGetName, CUresult (*)(char *, int, CUdevice))                      \
  X(cuDeviceGetAttribute, CUresult (*)(int *, int, CUdevice))                  \
  X(cuDevicePrimaryCtxRetain, CUresult (*)(CUcontext *, CUdevice))             \
  X(cuCtxPushCurrent, CUresult (*)(CUcontext))                                 \
  X(cuCtxPopCurrent, CUresult (*)(CUcontext *))                                \
  X(cuCtxSynchronize, CUresult (*)(void))                                      \
  X(cuModuleLoadData, CUresult (*)(CUmodule *, const void *))                  \
  X(cuModuleLoadDataEx, CUresult (*)(CUmodule *, const void *, unsigned int,   \
                                     int *, void **))                          \
  X(cuModuleUnload, CUresult (*)(CUmodule))                                    \
  X(cuModuleGetFunction, CUresult (*)(CUfunction *, CUmodule, const char *))   \
  X(cuFuncSetAttribute, CUresult (*)(CUfunction, int, int))                    \
  X(cuLaunchKernel,                                                            \
    CUresult (*)(CUfunction, unsigned int, unsigned int, unsigned int,         \
                 unsigned int, unsigned int, unsigned int, unsigned int,       \
                 CUstream, void **, void **))                                  \
  X(cuLaunchKernelEx,                                                          \
    CUresult (*)(const CUlaunchConfig *, CUfunction, void **, void **))        \
  X(cuStreamCreate, CUresult (*)(CUstream *, unsigned int))                    \
  X(cuStreamDestroy, CUresult (*)(CUstream))                                   \
  X(cuStreamSynchronize, CUresult (*)(CUstream))                               \
  X(cuStreamWaitEvent, CUresult (*)(CUstream, CUevent, unsigned int))          \
  X(cuEventCreate, CUresult (*)(CUevent *, unsigned int))                      \
  X(cuEventDestroy, CUresult (*)(CUevent))                                     \
  X(cuEventSynchronize, CUresult (*)(CUevent))                                 \
  X(cuEventRecord, CUresult (*)(CUevent, CUstream))                            \
  X(cuEventElapsedTime, CUresult (*)(float *, CUevent, CUevent))               \
  X(cuMemAlloc, CUresult (*)(CUdeviceptr *, size_t))                           \
  X(cuMemAllocManaged, CUresult (*)(CUdeviceptr *, size_t, unsigned int))      \
  X(cuMemFree, CUresult (*)(CUdeviceptr))                                      \
  X(cuMemPoolCreate, CUresult (*)(CUmemoryPool *, const CUmemPoolProps *))     \
  X(cuMemPoolSetAttribute, CUresult (*)(CUmemoryPool, int, void *))            \
  X(cuMemAllocFromPoolAsync,                                                   \
    CUresult (*)(CUdeviceptr *, size_t, CUmemoryPool, CUstream))               \
  X(cuMemFreeAsync, CUresult (*)(CUdeviceptr, CUstream))                       \
  X(cuMemcpyAsync, CUresult (*)(CUdeviceptr, CUdeviceptr, size_t, CUstream))   \
  X(cuMemcpyHtoD, CUresult (*)(CUdeviceptr, const void *, size_t))             \
  X(cuMemcpyDtoH, CUresult (*)(void *, CUdeviceptr, size_t))                   \
  X(cuMemsetD8, CUresult (*)(CUdeviceptr, unsigned char, size_t))              \
  X(cuMemsetD16Async,                                                          \
    CUresult (*)(CUdeviceptr, unsigned short, size_t, CUstream))               \
  X(cuMemsetD32Async, CUresult (*)(CUdeviceptr, unsigned int, size_t, CUstream)) \
  X(cuMemHostRegister, CUresult (*)(void *, size_t, unsigned int))             \
  X(cuMemHostUnregister, CUresult (*)(void *))                                 \
  X(cuPointerGetAttribute, CUresult (*)(void *, int, CUdeviceptr))             \
  X(cuTensorMapEncodeTiled,                                                    \
    CUresult (*)(CUtensorMap *, int, uint32_t, void *, const uint64_t *,       \
                 const uint64_t *, const uint32_t *, const uint32_t *, int,    \
                 int, int, int))

struct Driver {
#define PHX_DECLARE_FN(name, type)                                             \
  using name##_t = type;                                                       \
  name##_t name = nullptr;
  PHX_CUDA_FUNCTIONS(PHX_DECLARE_FN)
#undef PHX_DECLARE_FN
  int version = 0;     // cuDriverGetVersion, e.g. 13000
  int deviceCount = 0;
  std::string path;    // the library that was loaded
};

// Loads and initializes the driver once per process (thread-safe).  Returns
// null when it is unusable; `why` (if given) then receives a message starting
// with "CUDA backend: ", e.g. "CUDA backend: no CUDA driver found
// (libcuda.so.1 could not be loaded)".  $PHALANX_CUDA_DRIVER overrides the
// library path (tests use a fake driver).
const Driver *driver(std::string *why = nullptr);

// "CUDA_ERROR_INVALID_VALUE" (or "CUresult 12345" when the driver does not
// know the code).
std::string errorName(CUresult r);

// Device ordinal for this thread: mgpuSetDefaultDevice, else
// $PHALANX_CUDA_DEVICE, else 0.
int currentDevice();
void setCurrentDevice(int ordinal);

// Primary context of `ordinal` (retained once, kept for the process).
// Returns CUDA_SUCCESS or the failing call's result; `call` names it.
CUresult primaryContext(int ordinal, CUcontext *out, const char **call);

// ---- the per-thread "last CUDA error": the first error recorded since the
// last clear.  mgpu* functions have no status return; phx_invoke clears this
// before calling an entry and turns it into the invoke's status afterwards.
void recordError(const char *where, const char *call, CUresult r);
void recordErrorMessage(const char *where, const std::string &message,
                        CUresult r = CUDA_ERROR_INVALID_VALUE);
bool hasError();
// Returns the pending error as a status (null if none) and clears it.
phx_status takeErrorStatus(const std::string &prefix = "");
void clearError();

// Makes the primary context of the thread's device current for its
// lifetime (push/pop, so contexts of the caller are left alone).  ok() is
// false when the driver or context is unusable; the error was recorded
// under `where`.
class ScopedContext {
public:
  explicit ScopedContext(const char *where);
  ~ScopedContext();
  ScopedContext(const ScopedContext &) = delete;
  ScopedContext &operator=(const ScopedContext &) = delete;
  bool ok() const { return drv_ != nullptr; }
  const Driver &drv() const { return *drv_; }

private:
  const Driver *drv_ = nullptr;
  bool pushed_ = false;
};

// Checks a driver call; records the error under `where` and returns false.
bool check(const char *where, const char *call, CUresult r);

// UNAVAILABLE with the driver's "CUDA backend: ..." message, or null.
phx_status unavailable();

// Stream order of the thread's reusable device buffers (the cuBLASLt and
// layer workspaces). Work the thread enqueued and did not wait for (an
// entry on the caller's stream, phx_cuda_set_stream; phx_cuda_gemm_ex
// without synchronize) is marked with `markThreadWork(stream)`; work about
// to use those buffers on another stream first waits for it on the GPU
// (`orderAfterThreadWork(stream)`: cuStreamWaitEvent, no host wait). The
// context must be current; failures are recorded as the thread's error.
void markThreadWork(const Driver &d, CUstream stream);
void orderAfterThreadWork(const Driver &d, CUstream stream);

// Runs `body(ctx)` with the primary context current; driver failures become
// a status naming `where`.
template <typename F> phx_status withContext(const char *where, F body) {
  if (phx_status s = unavailable())
    return s;
  clearError();
  {
    ScopedContext ctx(where);
    if (ctx.ok())
      body(ctx);
  }
  return takeErrorStatus();
}

} // namespace cuda
} // namespace phx

#endif
