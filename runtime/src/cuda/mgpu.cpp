// The "mgpu*" wrapper ABI that MLIR's gpu-to-llvm lowering and the
// gpu.binary LLVM translation call (the functions of llvm-project's
// mlir/lib/ExecutionEngine/CudaRuntimeWrappers.cpp, MLIR 22 signatures).  A
// compiled artifact's host code leaves these symbols undefined; when it is
// dlopen'ed they resolve to the definitions here (libphalanx_rt exports
// them).
//
// Differences from upstream, none visible in the ABI:
//  - no link-time CUDA dependency: the driver is reached via driver.h;
//  - nothing is printed and nothing aborts: the first failure on a thread is
//    kept as the thread's "last CUDA error" (phx_invoke reports it), and after
//    an error launches, copies and memsets are skipped so that a failed
//    allocation cannot turn into an illegal-address fault;
//  - null handles are reported instead of being passed to the driver.
#include "driver.h"

#include <cstring>
#include <mutex>
#include <unordered_set>
#include <vector>

#define PHX_MGPU_EXPORT extern "C" __attribute__((visibility("default")))

using namespace phx::cuda;

namespace {

// StridedMemRefType<char, N>: allocated, aligned, offset, sizes[N], strides[N].
struct MemRefHeader {
  char *allocated;
  char *aligned;
  int64_t offset;
  int64_t sizesAndStrides[1];
};

constexpr int32_t kDefaultSmemLimit = 48 * 1024;

bool fits32(intptr_t v) { return v >= 0 && v <= 0xffffffffLL; }

bool checkDims(const char *where, intptr_t x, intptr_t y, intptr_t z,
               const char *what) {
  if (x >= 1 && y >= 1 && z >= 1 && fits32(x) && fits32(y) && fits32(z))
    return true;
  recordErrorMessage(where, std::string(what) + " (" + std::to_string(x) +
                                ", " + std::to_string(y) + ", " +
                                std::to_string(z) +
                                ") must be positive 32-bit values");
  return false;
}

// Opts the function into more than 48 KB of dynamic shared memory.
bool prepareSmem(const ScopedContext &ctx, const char *where, CUfunction f,
                 int32_t smem) {
  if (smem < 0) {
    recordErrorMessage(where, "negative dynamic shared memory size " +
                                  std::to_string(smem));
    return false;
  }
  if (smem <= kDefaultSmemLimit)
    return true;
  return check(where, "cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES)",
               ctx.drv().cuFuncSetAttribute(
                   f, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, smem));
}

// Stream-ordered device allocations (mgpuMemAlloc with a stream, e.g. the
// grid = flags buffers that the host code allocates, zeroes and frees around
// each launch): one memory pool per device, created on first use, that keeps
// up to kPoolKeepBytes of freed memory across synchronizations, so a call's
// allocation is served from memory a previous call freed on the GPU's
// timeline (cuMemAllocFromPoolAsync / cuMemFreeAsync: no driver allocation,
// no device-wide synchronization). A pool of our own leaves the device's
// default pool (other libraries' cudaMallocAsync) alone. Devices without
// memory pools, and allocations without a stream, use cuMemAlloc.
constexpr uint64_t kPoolKeepBytes = 64ull << 20;

struct DevicePool {
  bool tried = false;
  CUmemoryPool pool = nullptr;
};
std::mutex poolMutex;
// Never destroyed (like the contexts): artifacts may free at exit.
std::vector<DevicePool> &devicePools = *new std::vector<DevicePool>;
std::unordered_set<CUdeviceptr> &pooledPointers =
    *new std::unordered_set<CUdeviceptr>;

// The pool of the thread's device, or null (no pool support, or its
// creation failed: then cuMemAlloc serves). The context must be current.
CUmemoryPool devicePool(const Driver &d) {
  int dev = currentDevice();
  if (dev < 0)
    return nullptr;
  std::lock_guard<std::mutex> lock(poolMutex);
  if (devicePools.size() <= static_cast<size_t>(dev))
    devicePools.resize(dev + 1);
  DevicePool &p = devicePools[dev];
  if (!p.tried) {
    p.tried = true;
    CUdevice device = 0;
    int supported = 0;
    if (d.cuDeviceGet(&device, dev) == CUDA_SUCCESS &&
        d.cuDeviceGetAttribute(&supported,
                               CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED,
                               device) == CUDA_SUCCESS &&
        supported) {
      CUmemPoolProps props;
      std::memset(&props, 0, sizeof props);
      props.allocType = CU_MEM_ALLOCATION_TYPE_PINNED;
      props.location.type = CU_MEM_LOCATION_TYPE_DEVICE;
      props.location.id = dev;
      CUmemoryPool pool = nullptr;
      if (d.cuMemPoolCreate(&pool, &props) == CUDA_SUCCESS && pool) {
        uint64_t keep = kPoolKeepBytes;
        d.cuMemPoolSetAttribute(pool, CU_MEMPOOL_ATTR_RELEASE_THRESHOLD, &keep);
        p.pool = pool;
      }
    }
  }
  return p.pool;
}

// With the primary context current, checks `call(driver)` (named `name`).
template <typename F>
bool callDriver(const char *where, const char *name, F call) {
  ScopedContext ctx(where);
  return ctx.ok() && check(where, name, call(ctx.drv()));
}

// A handle made by `create(driver, &handle)`, or null (error recorded).
template <typename T, typename F>
T createHandle(const char *where, const char *name, F create) {
  ScopedContext ctx(where);
  if (!ctx.ok())
    return nullptr;
  T handle = nullptr;
  if (!check(where, name, create(ctx.drv(), &handle)))
    return nullptr;
  return handle;
}

// False for a null event (recorded unless an earlier call failed).
bool checkEvent(const char *where, CUevent event) {
  if (event)
    return true;
  if (!hasError())
    recordErrorMessage(where, "event is null", CUDA_ERROR_INVALID_HANDLE);
  return false;
}

// False when a launch must be skipped: an earlier call failed (do not run
// on bad inputs) or the kernel function is null (recorded).
bool checkLaunch(const char *where, CUfunction function) {
  if (hasError())
    return false;
  if (function)
    return true;
  recordErrorMessage(where, "kernel function is null",
                     CUDA_ERROR_INVALID_HANDLE);
  return false;
}

// cuMemsetD{16,32}Async of `count` elements; skipped after an error.
template <typename T>
void memsetAsync(const char *where, const char *name,
                 CUresult (*Driver::*fn)(CUdeviceptr, T, size_t, CUstream),
                 void *dst, T value, size_t count, CUstream stream) {
  if (hasError() || count == 0)
    return;
  callDriver(where, name, [&](const Driver &d) {
    return (d.*fn)(reinterpret_cast<CUdeviceptr>(dst), value, count, stream);
  });
}

} // namespace

PHX_MGPU_EXPORT CUmodule mgpuModuleLoad(void *data, size_t /*gpuBlobSize*/) {
  const char *where = "mgpuModuleLoad";
  ScopedContext ctx(where);
  if (!ctx.ok())
    return nullptr;
  if (!data) {
    recordErrorMessage(where, "the module image is null");
    return nullptr;
  }
  CUmodule module = nullptr;
  if (!check(where, "cuModuleLoadData",
             ctx.drv().cuModuleLoadData(&module, data)))
    return nullptr;
  return module;
}

// PTX text, compiled by the driver (gpu-module-to-binary format=isa).
PHX_MGPU_EXPORT CUmodule mgpuModuleLoadJIT(void *data, int optLevel) {
  const char *where = "mgpuModuleLoadJIT";
  ScopedContext ctx(where);
  if (!ctx.ok())
    return nullptr;
  if (!data) {
    recordErrorMessage(where, "the module image is null");
    return nullptr;
  }
  static thread_local char log[8192];
  log[0] = '\0';
  int options[] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
                   CU_JIT_OPTIMIZATION_LEVEL};
  void *values[] = {log, reinterpret_cast<void *>(sizeof(log)),
                    reinterpret_cast<void *>(static_cast<intptr_t>(optLevel))};
  CUmodule module = nullptr;
  CUresult r = ctx.drv().cuModuleLoadDataEx(&module, data, 3, options, values);
  if (r != CUDA_SUCCESS) {
    log[sizeof(log) - 1] = '\0';
    recordErrorMessage(where, "cuModuleLoadDataEx failed: " + errorName(r) +
                                  (log[0] ? std::string(" (JIT log: ") + log + ")"
                                          : std::string()),
                       r);
    return nullptr;
  }
  return module;
}

PHX_MGPU_EXPORT void mgpuModuleUnload(CUmodule module) {
  if (!module)
    return; // the load failed and was reported then
  const char *where = "mgpuModuleUnload";
  callDriver(where, "cuModuleUnload",
             [&](const Driver &d) { return d.cuModuleUnload(module); });
}

PHX_MGPU_EXPORT CUfunction mgpuModuleGetFunction(CUmodule module,
                                                 const char *name) {
  const char *where = "mgpuModuleGetFunction";
  if (!module) {
    recordErrorMessage(where,
                       std::string("module is null (its mgpuModuleLoad "
                                   "failed) looking up kernel '") +
                           (name ? name : "") + "'",
                       CUDA_ERROR_INVALID_HANDLE);
    return nullptr;
  }
  ScopedContext ctx(where);
  if (!ctx.ok())
    return nullptr;
  CUfunction fn = nullptr;
  CUresult r = ctx.drv().cuModuleGetFunction(&fn, module, name);
  if (r != CUDA_SUCCESS) {
    recordErrorMessage(where, "cuModuleGetFunction('" +
                                  std::string(name ? name : "") +
                                  "') failed: " + errorName(r),
                       r);
    return nullptr;
  }
  return fn;
}

// `intptr_t` dims match MLIR's index type (upstream comment).  The trailing
// paramsCount is emitted by MLIR 22 and unused, as upstream.
PHX_MGPU_EXPORT void mgpuLaunchKernel(CUfunction function, intptr_t gridX,
                                      intptr_t gridY, intptr_t gridZ,
                                      intptr_t blockX, intptr_t blockY,
                                      intptr_t blockZ, int32_t smem,
                                      CUstream stream, void **params,
                                      void **extra, size_t /*paramsCount*/) {
  const char *where = "mgpuLaunchKernel";
  if (!checkLaunch(where, function))
    return;
  if (!checkDims(where, gridX, gridY, gridZ, "grid") ||
      !checkDims(where, blockX, blockY, blockZ, "block"))
    return;
  ScopedContext ctx(where);
  if (!ctx.ok() || !prepareSmem(ctx, where, function, smem))
    return;
  check(where, "cuLaunchKernel",
        ctx.drv().cuLaunchKernel(
            function, static_cast<unsigned>(gridX), static_cast<unsigned>(gridY),
            static_cast<unsigned>(gridZ), static_cast<unsigned>(blockX),
            static_cast<unsigned>(blockY), static_cast<unsigned>(blockZ),
            static_cast<unsigned>(smem), stream, params, extra));
}

// MLIR 22 calls this with 14 arguments (no paramsCount); upstream's
// definition has a trailing size_t that it never reads, and neither do we.
PHX_MGPU_EXPORT void
mgpuLaunchClusterKernel(CUfunction function, intptr_t clusterX,
                        intptr_t clusterY, intptr_t clusterZ, intptr_t gridX,
                        intptr_t gridY, intptr_t gridZ, intptr_t blockX,
                        intptr_t blockY, intptr_t blockZ, int32_t smem,
                        CUstream stream, void **params, void **extra,
                        size_t /*paramsCount*/) {
  const char *where = "mgpuLaunchClusterKernel";
  if (!checkLaunch(where, function))
    return;
  if (!checkDims(where, clusterX, clusterY, clusterZ, "cluster") ||
      !checkDims(where, gridX, gridY, gridZ, "grid") ||
      !checkDims(where, blockX, blockY, blockZ, "block"))
    return;
  if (gridX % clusterX || gridY % clusterY || gridZ % clusterZ) {
    recordErrorMessage(where, "grid (" + std::to_string(gridX) + ", " +
                                  std::to_string(gridY) + ", " +
                                  std::to_string(gridZ) +
                                  ") is not a multiple of the cluster (" +
                                  std::to_string(clusterX) + ", " +
                                  std::to_string(clusterY) + ", " +
                                  std::to_string(clusterZ) + ")");
    return;
  }
  ScopedContext ctx(where);
  if (!ctx.ok() || !prepareSmem(ctx, where, function, smem))
    return;
  // Clusters of more than 8 blocks (up to 16 on sm_90) must be opted in.
  if (clusterX * clusterY * clusterZ > 8 &&
      !check(where,
             "cuFuncSetAttribute(NON_PORTABLE_CLUSTER_SIZE_ALLOWED)",
             ctx.drv().cuFuncSetAttribute(
                 function, CU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED,
                 1)))
    return;
  CUlaunchAttribute attrs[2];
  std::memset(attrs, 0, sizeof attrs);
  attrs[0].id = CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION;
  attrs[0].value.clusterDim.x = static_cast<unsigned>(clusterX);
  attrs[0].value.clusterDim.y = static_cast<unsigned>(clusterY);
  attrs[0].value.clusterDim.z = static_cast<unsigned>(clusterZ);
  attrs[1].id = CU_LAUNCH_ATTRIBUTE_CLUSTER_SCHEDULING_POLICY_PREFERENCE;
  attrs[1].value.clusterSchedulingPolicyPreference =
      CU_CLUSTER_SCHEDULING_POLICY_SPREAD;
  CUlaunchConfig config;
  std::memset(&config, 0, sizeof config);
  config.gridDimX = static_cast<unsigned>(gridX);
  config.gridDimY = static_cast<unsigned>(gridY);
  config.gridDimZ = static_cast<unsigned>(gridZ);
  config.blockDimX = static_cast<unsigned>(blockX);
  config.blockDimY = static_cast<unsigned>(blockY);
  config.blockDimZ = static_cast<unsigned>(blockZ);
  config.sharedMemBytes = static_cast<unsigned>(smem);
  config.hStream = stream;
  config.attrs = attrs;
  config.numAttrs = 2;
  check(where, "cuLaunchKernelEx",
        ctx.drv().cuLaunchKernelEx(&config, function, params, extra));
}

// Streams are pooled per thread and device: the generated host code creates
// a stream, launches, synchronizes and destroys it on every call, and a
// driver stream create + destroy per call costs more than a small kernel.
// mgpuStreamDestroy returns an idle (synchronized) stream to this thread's
// pool; mgpuStreamCreate takes one from it (same device) or makes a new one.
namespace {
struct PooledStream {
  int device;
  CUstream stream;
};
constexpr size_t kStreamPoolMax = 4;
thread_local std::vector<PooledStream> tlsStreamPool;
} // namespace

// phx_cuda_set_stream: the caller's stream replaces the pooled ones; the
// entries' create / synchronize / destroy of it become no-ops, and the end
// of such an entry (its destroy) marks the thread's unwaited-for work.
namespace {
thread_local CUstream tlsCallerStream = nullptr;

// The stream an entry starts on, ordered after the thread's earlier
// unwaited-for work (its workspaces are reused).
CUstream ordered(CUstream s) {
  if (s)
    callDriver("mgpuStreamCreate", "cuStreamWaitEvent", [&](const Driver &d) {
      orderAfterThreadWork(d, s);
      return CUDA_SUCCESS;
    });
  return s;
}
} // namespace

PHX_MGPU_EXPORT void phx_cuda_set_stream(void *stream) {
  tlsCallerStream = static_cast<CUstream>(stream);
}

PHX_MGPU_EXPORT CUstream mgpuStreamCreate() {
  if (tlsCallerStream)
    return ordered(tlsCallerStream);
  int device = currentDevice();
  for (size_t i = tlsStreamPool.size(); i-- > 0;)
    if (tlsStreamPool[i].device == device) {
      CUstream s = tlsStreamPool[i].stream;
      tlsStreamPool.erase(tlsStreamPool.begin() + static_cast<long>(i));
      return ordered(s);
    }
  return ordered(createHandle<CUstream>(
      "mgpuStreamCreate", "cuStreamCreate", [](const Driver &d, CUstream *s) {
        return d.cuStreamCreate(s, CU_STREAM_NON_BLOCKING);
      }));
}

PHX_MGPU_EXPORT void mgpuStreamDestroy(CUstream stream) {
  if (!stream)
    return; // creation failed and was reported
  if (stream == tlsCallerStream) { // the end of an asynchronous entry
    callDriver("mgpuStreamDestroy", "cuEventRecord", [&](const Driver &d) {
      markThreadWork(d, stream);
      return CUDA_SUCCESS;
    });
    return;
  }
  if (!hasError() && tlsStreamPool.size() < kStreamPoolMax) {
    tlsStreamPool.push_back({currentDevice(), stream});
    return;
  }
  const char *where = "mgpuStreamDestroy";
  callDriver(where, "cuStreamDestroy",
             [&](const Driver &d) { return d.cuStreamDestroy(stream); });
}

PHX_MGPU_EXPORT void mgpuStreamSynchronize(CUstream stream) {
  if (stream && stream == tlsCallerStream)
    return; // asynchronous call: the caller orders its stream
  const char *where = "mgpuStreamSynchronize";
  callDriver(where, "cuStreamSynchronize",
             [&](const Driver &d) { return d.cuStreamSynchronize(stream); });
}

PHX_MGPU_EXPORT void mgpuStreamWaitEvent(CUstream stream, CUevent event) {
  const char *where = "mgpuStreamWaitEvent";
  if (!checkEvent(where, event))
    return;
  callDriver(where, "cuStreamWaitEvent", [&](const Driver &d) {
    return d.cuStreamWaitEvent(stream, event, 0);
  });
}

PHX_MGPU_EXPORT CUevent mgpuEventCreate() {
  return createHandle<CUevent>(
      "mgpuEventCreate", "cuEventCreate", [](const Driver &d, CUevent *e) {
        return d.cuEventCreate(e, CU_EVENT_DISABLE_TIMING);
      });
}

PHX_MGPU_EXPORT void mgpuEventDestroy(CUevent event) {
  if (!event)
    return;
  const char *where = "mgpuEventDestroy";
  callDriver(where, "cuEventDestroy",
             [&](const Driver &d) { return d.cuEventDestroy(event); });
}

PHX_MGPU_EXPORT void mgpuEventSynchronize(CUevent event) {
  const char *where = "mgpuEventSynchronize";
  if (!checkEvent(where, event))
    return;
  callDriver(where, "cuEventSynchronize",
             [&](const Driver &d) { return d.cuEventSynchronize(event); });
}

PHX_MGPU_EXPORT void mgpuEventRecord(CUevent event, CUstream stream) {
  const char *where = "mgpuEventRecord";
  if (!checkEvent(where, event))
    return;
  callDriver(where, "cuEventRecord",
             [&](const Driver &d) { return d.cuEventRecord(event, stream); });
}

PHX_MGPU_EXPORT void *mgpuMemAlloc(uint64_t sizeBytes, CUstream stream,
                                   bool isHostShared) {
  const char *where = "mgpuMemAlloc";
  ScopedContext ctx(where);
  if (!ctx.ok())
    return nullptr;
  CUdeviceptr ptr = 0;
  if (sizeBytes == 0)
    return nullptr;
  CUmemoryPool pool =
      !isHostShared && stream ? devicePool(ctx.drv()) : nullptr;
  if (isHostShared) {
    check(where, "cuMemAllocManaged",
          ctx.drv().cuMemAllocManaged(&ptr, sizeBytes, CU_MEM_ATTACH_GLOBAL));
  } else if (pool) {
    CUresult r =
        ctx.drv().cuMemAllocFromPoolAsync(&ptr, sizeBytes, pool, stream);
    if (r != CUDA_SUCCESS) {
      recordErrorMessage(where, "cuMemAllocFromPoolAsync(" +
                                    std::to_string(sizeBytes) +
                                    " bytes) failed: " + errorName(r),
                         r);
      return nullptr;
    }
    std::lock_guard<std::mutex> lock(poolMutex);
    pooledPointers.insert(ptr);
  } else {
    CUresult r = ctx.drv().cuMemAlloc(&ptr, sizeBytes);
    if (r != CUDA_SUCCESS)
      recordErrorMessage(where, "cuMemAlloc(" + std::to_string(sizeBytes) +
                                    " bytes) failed: " + errorName(r),
                         r);
  }
  return reinterpret_cast<void *>(ptr);
}

PHX_MGPU_EXPORT void mgpuMemFree(void *ptr, CUstream stream) {
  if (!ptr)
    return;
  const char *where = "mgpuMemFree";
  CUdeviceptr p = reinterpret_cast<CUdeviceptr>(ptr);
  bool pooled;
  {
    std::lock_guard<std::mutex> lock(poolMutex);
    pooled = pooledPointers.erase(p) > 0;
  }
  // A pool allocation goes back to its pool in `stream`'s order (after the
  // work enqueued before it).
  if (pooled) {
    callDriver(where, "cuMemFreeAsync",
               [&](const Driver &d) { return d.cuMemFreeAsync(p, stream); });
    return;
  }
  callDriver(where, "cuMemFree", [&](const Driver &d) { return d.cuMemFree(p); });
}

PHX_MGPU_EXPORT void mgpuMemcpy(void *dst, void *src, size_t sizeBytes,
                                CUstream stream) {
  const char *where = "mgpuMemcpy";
  if (hasError() || sizeBytes == 0)
    return;
  if (!dst || !src) {
    recordErrorMessage(where, "null pointer", CUDA_ERROR_INVALID_VALUE);
    return;
  }
  callDriver(where, "cuMemcpyAsync", [&](const Driver &d) {
    return d.cuMemcpyAsync(reinterpret_cast<CUdeviceptr>(dst),
                           reinterpret_cast<CUdeviceptr>(src), sizeBytes,
                           stream);
  });
}

PHX_MGPU_EXPORT void mgpuMemset32(void *dst, unsigned int value, size_t count,
                                  CUstream stream) {
  memsetAsync("mgpuMemset32", "cuMemsetD32Async", &Driver::cuMemsetD32Async,
              dst, value, count, stream);
}

PHX_MGPU_EXPORT void mgpuMemset16(void *dst, unsigned short value, size_t count,
                                  CUstream stream) {
  memsetAsync("mgpuMemset16", "cuMemsetD16Async", &Driver::cuMemsetD16Async,
              dst, value, count, stream);
}

PHX_MGPU_EXPORT void mgpuMemHostRegister(void *ptr, uint64_t sizeBytes) {
  const char *where = "mgpuMemHostRegister";
  callDriver(where, "cuMemHostRegister", [&](const Driver &d) {
    return d.cuMemHostRegister(ptr, sizeBytes, 0);
  });
}

// Registers a dense memref (descriptor of rank `rank`).
PHX_MGPU_EXPORT void mgpuMemHostRegisterMemRef(int64_t rank, void *descriptor,
                                               int64_t elementSizeBytes) {
  const char *where = "mgpuMemHostRegisterMemRef";
  if (!descriptor || rank < 0) {
    recordErrorMessage(where, "bad memref descriptor");
    return;
  }
  auto *d = static_cast<MemRefHeader *>(descriptor);
  const int64_t *sizes = d->sizesAndStrides;
  int64_t n = 1;
  for (int64_t i = 0; i < rank; ++i)
    n *= sizes[i];
  mgpuMemHostRegister(d->aligned + d->offset * elementSizeBytes,
                      static_cast<uint64_t>(n * elementSizeBytes));
}

PHX_MGPU_EXPORT void mgpuMemHostUnregister(void *ptr) {
  const char *where = "mgpuMemHostUnregister";
  callDriver(where, "cuMemHostUnregister",
             [&](const Driver &d) { return d.cuMemHostUnregister(ptr); });
}

PHX_MGPU_EXPORT void mgpuMemHostUnregisterMemRef(int64_t /*rank*/,
                                                 void *descriptor,
                                                 int64_t elementSizeBytes) {
  if (!descriptor) {
    recordErrorMessage("mgpuMemHostUnregisterMemRef", "bad memref descriptor");
    return;
  }
  auto *d = static_cast<MemRefHeader *>(descriptor);
  mgpuMemHostUnregister(d->aligned + d->offset * elementSizeBytes);
}

PHX_MGPU_EXPORT void mgpuSetDefaultDevice(int32_t device) {
  setCurrentDevice(device);
}

// ---- Hopper tensor maps (nvgpu.tma.create.descriptor lowers to the Memref
// variant).  Enum arguments are the CUtensorMap* enums of cuda.h.
PHX_MGPU_EXPORT void mgpuTensorMapEncodeTiled(
    CUtensorMap *tensorMap, int tensorDataType, uint32_t tensorRank,
    void *globalAddress, const uint64_t *globalDim,
    const uint64_t *globalStrides, const uint32_t *boxDim,
    const uint32_t *elementStrides, int interleave, int swizzle,
    int l2Promotion, int oobFill) {
  const char *where = "mgpuTensorMapEncodeTiled";
  callDriver(where, "cuTensorMapEncodeTiled", [&](const Driver &d) {
    return d.cuTensorMapEncodeTiled(tensorMap, tensorDataType, tensorRank,
                                    globalAddress, globalDim, globalStrides,
                                    boxDim, elementStrides, interleave, swizzle,
                                    l2Promotion, oobFill);
  });
}

// Returns a device pointer to a CUtensorMap for the memref (row-major dims
// reversed into CUDA's innermost-first order), as upstream.
PHX_MGPU_EXPORT void *mgpuTensorMapEncodeTiledMemref(
    int64_t tensorRank, void *rankedDescriptor, int tensorDataType,
    int interleave, int swizzle, int l2Promotion, int oobFill,
    int64_t *inputBoxDims) {
  const char *where = "mgpuTensorMapEncodeTiledMemref";
  // Element sizes of CUtensorMapDataType 0..12 (uint8 .. tf32_ftz).
  static const int kElementSize[] = {1, 2, 4, 4, 8, 8, 2, 4, 8, 2, 4, 4, 4};
  if (tensorRank < 1 || tensorRank > 5) {
    recordErrorMessage(where, "rank " + std::to_string(tensorRank) +
                                  " is not in [1, 5]");
    return nullptr;
  }
  if (tensorDataType < 0 || tensorDataType > 12) {
    recordErrorMessage(where, "unknown tensor map data type " +
                                  std::to_string(tensorDataType));
    return nullptr;
  }
  if (!rankedDescriptor || !inputBoxDims) {
    recordErrorMessage(where, "null descriptor or box dims");
    return nullptr;
  }
  auto *d = static_cast<MemRefHeader *>(rankedDescriptor);
  const int64_t *sizes = d->sizesAndStrides;
  const int64_t *strides = sizes + tensorRank;
  const int esize = kElementSize[tensorDataType];
  uint64_t globalDim[5] = {1, 1, 1, 1, 1}, globalStrides[5] = {0, 0, 0, 0, 0};
  uint32_t boxDim[5] = {1, 1, 1, 1, 1}, elementStrides[5] = {1, 1, 1, 1, 1};
  for (int64_t i = 0; i < tensorRank; ++i) {
    globalDim[i] = static_cast<uint64_t>(sizes[tensorRank - i - 1]);
    boxDim[i] = static_cast<uint32_t>(inputBoxDims[tensorRank - i - 1]);
  }
  for (int64_t i = 0; i + 1 < tensorRank; ++i)
    globalStrides[i] =
        static_cast<uint64_t>(strides[tensorRank - i - 2] * esize);
  char *base = d->aligned + d->offset * esize;
  ScopedContext ctx(where);
  if (!ctx.ok())
    return nullptr;
  CUtensorMap map;
  std::memset(&map, 0, sizeof map);
  if (!check(where, "cuTensorMapEncodeTiled",
             ctx.drv().cuTensorMapEncodeTiled(
                 &map, tensorDataType, static_cast<uint32_t>(tensorRank), base,
                 globalDim, globalStrides, boxDim, elementStrides, interleave,
                 swizzle, l2Promotion, oobFill)))
    return nullptr;
  CUdeviceptr dmap = 0;
  if (!check(where, "cuMemAlloc", ctx.drv().cuMemAlloc(&dmap, sizeof map)))
    return nullptr;
  if (!check(where, "cuMemcpyHtoD",
             ctx.drv().cuMemcpyHtoD(dmap, &map, sizeof map))) {
    ctx.drv().cuMemFree(dmap);
    return nullptr;
  }
  return reinterpret_cast<void *>(dmap);
}
