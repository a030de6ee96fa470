// CUDA backend: an artifact's cuda entries live in its host code (MLIR's
// gpu-to-llvm output: the cubin embedded, loaded by a static constructor via
// mgpuModuleLoad, launches through mgpu* calls).  The backend dlopens that
// code with the runtime's mgpu* symbols in scope, calls the packed entries
// with memref descriptors holding device pointers and turns the thread's
// last CUDA error into the invoke's status.  Also: device buffers, timing
// and availability for the C API.
#include "driver.h"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <mutex>

extern "C" void *mgpuMemAlloc(uint64_t, phx::cuda::CUstream, bool);

namespace phx {

using namespace cuda;

namespace {

// The host code's undefined mgpu* symbols resolve against the global scope.
// When libphalanx_rt was dlopen'ed RTLD_LOCAL (Python's ctypes default),
// re-open it with RTLD_NOLOAD | RTLD_GLOBAL, which promotes it in place.
void promoteRuntimeToGlobalScope() {
  static std::once_flag once;
  std::call_once(once, [] {
    Dl_info info;
    std::memset(&info, 0, sizeof info);
    if (::dladdr(reinterpret_cast<void *>(&mgpuMemAlloc), &info) &&
        info.dli_fname && *info.dli_fname) {
      // Stays open (one more reference) for the life of the process.
      ::dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL);
    }
    ::dlerror();
  });
}

std::string describePointerProblem(const Driver &d, const phx_tensor &t) {
  unsigned int memType = 0;
  CUresult r = d.cuPointerGetAttribute(&memType, CU_POINTER_ATTRIBUTE_MEMORY_TYPE,
                                       reinterpret_cast<CUdeviceptr>(t.data));
  if (r == CUDA_SUCCESS)
    return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%p", t.data);
  return std::string("data pointer ") + buf +
         " is not memory the CUDA driver knows (" + errorName(r) +
         "); allocate it with phx_buffer_alloc(PHX_DEVICE_CUDA, ...)";
}

size_t numel(const phx_tensor &t) {
  size_t n = 1;
  for (int32_t d = 0; d < t.rank; ++d)
    n *= static_cast<size_t>(t.shape[d]);
  return n;
}

class CudaBackend final : public Backend {
public:
  explicit CudaBackend(std::string name) : name_(std::move(name)) {}

  phx_status prepare(Manifest &manifest, const std::vector<uint8_t> &bytes,
                     const std::vector<Section> &sections) override {
    if (!hasEntriesFor(manifest, "cuda"))
      return nullptr; // cpu-only artifact: every invoke says so
    const uint8_t *p = nullptr;
    size_t n = 0;
    if (phx_status s = findHostCode(name_, bytes, sections, "cuda", &p, &n))
      return s;
    promoteRuntimeToGlobalScope();
    // The host code's static constructors load its cubins now.
    clearError();
    phx_status s = lib_.open(name_, p, n);
    if (s) {
      std::string msg = phx_status_message(s);
      if (msg.find("undefined symbol: mgpu") != std::string::npos) {
        phx_status_code code = phx_status_get_code(s);
        phx_status_free(s);
        clearError();
        return makeStatus(code,
                          msg + " (the host code needs the mgpu* functions "
                                "of libphalanx_rt in the global symbol scope: "
                                "link libphalanx_rt or dlopen it with "
                                "RTLD_GLOBAL)");
      }
      clearError();
      return s;
    }
    if (phx_status e = takeErrorStatus("artifact '" + name_ +
                                       "': loading the GPU kernels: "))
      return e;
    return resolveEntries(name_, lib_, manifest, "cuda");
  }

  phx_status run(const Entry &e, const phx_tensor *args,
                 const phx_tensor *results) override {
    if (phx_status s = checkHostEntry(e, PHX_DEVICE_CUDA))
      return s;
    clearError();
    {
      // Host pointers would fault on the GPU and poison the context for
      // the whole process: refuse them here.
      ScopedContext ctx("phx_invoke");
      if (!ctx.ok())
        return takeErrorStatus("entry '" + e.name + "': ");
      for (size_t i = 0; i < e.args.size() + e.results.size(); ++i) {
        bool isArg = i < e.args.size();
        const phx_tensor &t = isArg ? args[i] : results[i - e.args.size()];
        if (numel(t) == 0)
          continue;
        std::string why = describePointerProblem(ctx.drv(), t);
        if (!why.empty()) {
          size_t k = isArg ? i : i - e.args.size();
          const TensorSig &sig = isArg ? e.args[k] : e.results[k];
          return invalidArg(std::string(isArg ? "argument" : "result") + " '" +
                            sig.name + "' (#" + std::to_string(k) + ") " + why);
        }
      }
    }
    callPacked(e.hostFn, e, args, results);
    return takeErrorStatus("entry '" + e.name + "': ");
  }

private:
  std::string name_;
  HostLibrary lib_;
};

} // namespace

phx_status createCudaBackend(const std::string &artifactName,
                             std::unique_ptr<Backend> &out) {
  out.reset();
  if (phx_status s = unavailable())
    return s;
  out.reset(new CudaBackend(artifactName));
  return nullptr;
}

} // namespace phx

using namespace phx;
using namespace phx::cuda;

namespace {

// "<fn>: unknown device N" for a device that is neither cpu nor cuda.
phx_status checkDevice(const char *fn, phx_device d) {
  if (d == PHX_DEVICE_CPU || d == PHX_DEVICE_CUDA)
    return nullptr;
  return invalidArg(std::string(fn) + ": unknown device " +
                    std::to_string(int(d)));
}

// A host<->device copy of `bytes` (nothing when 0): `fn` names the C API
// function and `call` the driver call that `copy(driver)` makes.
template <typename F>
phx_status copyBuffer(const char *fn, const char *call, void *dst,
                      const void *src, size_t bytes, F copy) {
  if (!bytes)
    return nullptr;
  if (!dst || !src)
    return invalidArg(std::string(fn) + ": null pointer");
  return withContext(
      fn, [&](const ScopedContext &ctx) { check(fn, call, copy(ctx.drv())); });
}

} // namespace

extern "C" {

int32_t phx_cuda_available(const char **message) {
  static std::string *text = nullptr;
  static std::once_flag once;
  std::call_once(once, [] {
    std::string why;
    const Driver *d = driver(&why);
    if (!d) {
      text = new std::string(why);
      return;
    }
    int ordinal = currentDevice();
    char name[256] = "unknown device";
    int major = 0, minor = 0, sms = 0;
    CUdevice dev = 0;
    std::string line;
    if (ordinal < 0 || ordinal >= d->deviceCount ||
        d->cuDeviceGet(&dev, ordinal) != CUDA_SUCCESS) {
      text = new std::string("CUDA backend: device " + std::to_string(ordinal) +
                             " does not exist (" +
                             std::to_string(d->deviceCount) +
                             " CUDA device(s) visible; see PHALANX_CUDA_DEVICE)");
      return;
    }
    d->cuDeviceGetName(name, sizeof name, dev);
    name[sizeof name - 1] = '\0';
    d->cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                            dev);
    d->cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                            dev);
    d->cuDeviceGetAttribute(&sms, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, dev);
    text = new std::string(
        "CUDA driver " + std::to_string(d->version / 1000) + "." +
        std::to_string(d->version % 1000 / 10) + ", device " +
        std::to_string(ordinal) + ": " + name + " (sm_" +
        std::to_string(major) + std::to_string(minor) + ", " +
        std::to_string(sms) + " SMs)");
  });
  if (message)
    *message = text->c_str();
  return driver() && text->rfind("CUDA driver ", 0) == 0 ? 1 : 0;
}

phx_status phx_buffer_alloc(phx_device device, size_t bytes, void **out) {
  PHX_GUARD_BEGIN
  if (!out)
    return invalidArg("phx_buffer_alloc: out is NULL");
  *out = nullptr;
  if (phx_status s = checkDevice("phx_buffer_alloc", device))
    return s;
  size_t n = bytes ? bytes : 64;
  if (device == PHX_DEVICE_CPU) {
    void *p = nullptr;
    if (::posix_memalign(&p, 64, n) != 0 || !p)
      return makeStatus(PHX_STATUS_OUT_OF_MEMORY,
                        "phx_buffer_alloc: cannot allocate " +
                            std::to_string(bytes) + " bytes of host memory");
    *out = p;
    return nullptr;
  }
  return withContext("phx_buffer_alloc", [&](const ScopedContext &ctx) {
    CUdeviceptr p = 0;
    CUresult r = ctx.drv().cuMemAlloc(&p, n);
    if (r != CUDA_SUCCESS)
      recordErrorMessage("phx_buffer_alloc",
                         "cuMemAlloc(" + std::to_string(bytes) +
                             " bytes) failed: " + errorName(r),
                         r);
    else
      *out = reinterpret_cast<void *>(p);
  });
  PHX_GUARD_END
}

phx_status phx_buffer_free(phx_device device, void *ptr) {
  PHX_GUARD_BEGIN
  if (phx_status s = checkDevice("phx_buffer_free", device))
    return s;
  if (!ptr)
    return nullptr;
  if (device == PHX_DEVICE_CPU) {
    std::free(ptr);
    return nullptr;
  }
  return withContext("phx_buffer_free", [&](const ScopedContext &ctx) {
    check("phx_buffer_free", "cuMemFree",
          ctx.drv().cuMemFree(reinterpret_cast<CUdeviceptr>(ptr)));
  });
  PHX_GUARD_END
}

phx_status phx_buffer_copy_to_device(void *dst, const void *src, size_t bytes) {
  PHX_GUARD_BEGIN
  return copyBuffer("phx_buffer_copy_to_device", "cuMemcpyHtoD", dst, src,
                    bytes, [&](const Driver &d) {
                      return d.cuMemcpyHtoD(reinterpret_cast<CUdeviceptr>(dst),
                                            src, bytes);
                    });
  PHX_GUARD_END
}

phx_status phx_buffer_copy_to_host(void *dst, const void *src, size_t bytes) {
  PHX_GUARD_BEGIN
  return copyBuffer("phx_buffer_copy_to_host", "cuMemcpyDtoH", dst, src, bytes,
                    [&](const Driver &d) {
                      return d.cuMemcpyDtoH(
                          dst, reinterpret_cast<CUdeviceptr>(src), bytes);
                    });
  PHX_GUARD_END
}

phx_status phx_buffer_fill_bytes(phx_device device, void *ptr, uint8_t value,
                                 size_t bytes) {
  PHX_GUARD_BEGIN
  if (phx_status s = checkDevice("phx_buffer_fill_bytes", device))
    return s;
  if (!bytes)
    return nullptr;
  if (!ptr)
    return invalidArg("phx_buffer_fill_bytes: null pointer");
  if (device == PHX_DEVICE_CPU) {
    std::memset(ptr, value, bytes);
    return nullptr;
  }
  return withContext("phx_buffer_fill_bytes", [&](const ScopedContext &ctx) {
    check("phx_buffer_fill_bytes", "cuMemsetD8",
          ctx.drv().cuMemsetD8(reinterpret_cast<CUdeviceptr>(ptr), value,
                               bytes));
  });
  PHX_GUARD_END
}

phx_status phx_device_synchronize(phx_device device) {
  PHX_GUARD_BEGIN
  if (phx_status s = checkDevice("phx_device_synchronize", device))
    return s;
  if (device == PHX_DEVICE_CPU)
    return nullptr;
  return withContext("phx_device_synchronize", [&](const ScopedContext &ctx) {
    check("phx_device_synchronize", "cuCtxSynchronize",
          ctx.drv().cuCtxSynchronize());
  });
  PHX_GUARD_END
}

phx_status phx_invoke_timed(const phx_module *m, int32_t entry,
                            const phx_tensor *args, int32_t nargs,
                            const phx_tensor *results, int32_t nresults,
                            double *elapsed_ms) {
  PHX_GUARD_BEGIN
  if (!elapsed_ms)
    return invalidArg("phx_invoke_timed: elapsed_ms is NULL");
  *elapsed_ms = 0;
  if (!m || m->device != PHX_DEVICE_CUDA) {
    auto t0 = std::chrono::steady_clock::now();
    phx_status s = phx_invoke_index(m, entry, args, nargs, results, nresults);
    auto t1 = std::chrono::steady_clock::now();
    *elapsed_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
    return s;
  }
  if (phx_status s = unavailable())
    return s;
  const char *where = "phx_invoke_timed";
  CUevent ev[2] = {nullptr, nullptr};
  const Driver &d = *driver();
  auto destroy = [&]() {
    ScopedContext ctx(where);
    for (CUevent e : ev)
      if (e && ctx.ok())
        d.cuEventDestroy(e);
  };
  clearError();
  {
    ScopedContext ctx(where);
    if (!ctx.ok())
      return takeErrorStatus();
    if (!check(where, "cuEventCreate", d.cuEventCreate(&ev[0], CU_EVENT_DEFAULT)) ||
        !check(where, "cuEventCreate", d.cuEventCreate(&ev[1], CU_EVENT_DEFAULT)) ||
        !check(where, "cuEventRecord", d.cuEventRecord(ev[0], nullptr))) {
      phx_status s = takeErrorStatus();
      destroy();
      return s;
    }
  }
  phx_status s = phx_invoke_index(m, entry, args, nargs, results, nresults);
  if (s) {
    destroy();
    return s;
  }
  float ms = 0;
  {
    ScopedContext ctx(where);
    if (ctx.ok() &&
        check(where, "cuEventRecord", d.cuEventRecord(ev[1], nullptr)) &&
        check(where, "cuEventSynchronize", d.cuEventSynchronize(ev[1])))
      check(where, "cuEventElapsedTime", d.cuEventElapsedTime(&ms, ev[0], ev[1]));
  }
  s = takeErrorStatus();
  destroy();
  *elapsed_ms = ms;
  return s;
  PHX_GUARD_END
}

} // extern "C"
