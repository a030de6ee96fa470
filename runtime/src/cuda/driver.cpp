// Lazy loading of the CUDA driver (dlopen + cuGetProcAddress), primary
// contexts and the per-thread last-error slot of the mgpu* wrappers.
#include "driver.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <mutex>
#include <vector>

namespace phx {
namespace cuda {
namespace {

// The API version the declared signatures follow.  cuGetProcAddress returns
// the variant of each function that a program built against CUDA 12.0 gets
// (e.g. cuMemAlloc -> cuMemAlloc_v2), which the declarations in driver.h
// match; drivers keep serving it for newer toolkits.
constexpr int kApiVersion = 12000;

typedef CUresult (*GetProcV2)(const char *, void **, int, uint64_t, int *);
typedef CUresult (*GetProcV1)(const char *, void **, int, uint64_t);

struct State {
  Driver drv;
  std::string error; // non-empty: unusable
};

State *loadDriver() {
  State *st = new State();
  const char *env = std::getenv("PHALANX_CUDA_DRIVER");
  const bool custom = env && *env;
  std::string path = custom ? env : "libcuda.so.1";
  st->drv.path = path;
  void *h = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    st->error = "CUDA backend: no CUDA driver found (" + path +
                " could not be loaded)";
    if (custom) {
      const char *de = ::dlerror();
      if (de)
        st->error += ": " + std::string(de);
    }
    return st;
  }
  // Never dlclose'd: modules may be unloaded at exit by host-code
  // destructors that still call into the driver.
  GetProcV2 v2 = reinterpret_cast<GetProcV2>(::dlsym(h, "cuGetProcAddress_v2"));
  GetProcV1 v1 = reinterpret_cast<GetProcV1>(::dlsym(h, "cuGetProcAddress"));
  if (!v2 && !v1) {
    st->error = "CUDA backend: " + path +
                " has no cuGetProcAddress (driver too old; CUDA 12.0 or newer "
                "is needed)";
    return st;
  }
  auto resolve = [&](const char *name, void **fn) -> bool {
    *fn = nullptr;
    CUresult r;
    if (v2) {
      int status = 0;
      r = v2(name, fn, kApiVersion, CU_GET_PROC_ADDRESS_LEGACY_STREAM, &status);
      if (r == CUDA_SUCCESS && status != 0)
        *fn = nullptr;
    } else {
      r = v1(name, fn, kApiVersion, CU_GET_PROC_ADDRESS_LEGACY_STREAM);
    }
    return r == CUDA_SUCCESS && *fn;
  };
#define PHX_RESOLVE_FN(name, type)                                             \
  {                                                                            \
    void *fn = nullptr;                                                        \
    if (!resolve(#name, &fn)) {                                                \
      st->error = "CUDA backend: the driver (" + path +                        \
                  ") does not provide " #name " (CUDA 12.0 or newer needed)";  \
      return st;                                                               \
    }                                                                          \
    st->drv.name = reinterpret_cast<Driver::name##_t>(fn);                                 \
  }
  PHX_CUDA_FUNCTIONS(PHX_RESOLVE_FN)
#undef PHX_RESOLVE_FN
  Driver &d = st->drv;
  CUresult r = d.cuInit(0);
  if (r != CUDA_SUCCESS) {
    const char *name = nullptr;
    if (d.cuGetErrorName(r, &name) != CUDA_SUCCESS || !name)
      name = "unknown CUresult";
    st->error = std::string("CUDA backend: cuInit failed: ") + name;
    if (r == CUDA_ERROR_NO_DEVICE)
      st->error += " (no CUDA device is visible)";
    return st;
  }
  d.cuDriverGetVersion(&d.version);
  r = d.cuDeviceGetCount(&d.deviceCount);
  if (r != CUDA_SUCCESS || d.deviceCount <= 0) {
    st->error = "CUDA backend: no CUDA device found";
    return st;
  }
  return st;
}

const State &state() {
  static State *st = loadDriver();
  return *st;
}

int defaultDeviceFromEnv() {
  const char *e = std::getenv("PHALANX_CUDA_DEVICE");
  if (!e || !*e)
    return 0;
  char *end = nullptr;
  long v = std::strtol(e, &end, 10);
  if (*end || v < 0 || v > 1 << 20)
    return -1; // reported when a context is requested
  return static_cast<int>(v);
}

thread_local int tlsDevice = -2; // -2: not set on this thread

struct LastError {
  bool set = false;
  CUresult code = CUDA_SUCCESS;
  std::string message;
};
thread_local LastError tlsError;

bool verbose() {
  static const bool v = [] {
    const char *e = std::getenv("PHALANX_CUDA_VERBOSE");
    return e && *e && std::strcmp(e, "0") != 0;
  }();
  return v;
}

std::mutex ctxMutex;
// Per ordinal, retained once. Never destroyed: artifacts' host code may
// still unload its kernels (mgpuModuleUnload in a global destructor) while
// the process exits, after this file's static objects are gone.
std::vector<CUcontext> &contexts = *new std::vector<CUcontext>;

} // namespace

const Driver *driver(std::string *why) {
  const State &st = state();
  if (!st.error.empty()) {
    if (why)
      *why = st.error;
    return nullptr;
  }
  return &st.drv;
}

std::string errorName(CUresult r) {
  const State &st = state();
  const char *name = nullptr;
  if (st.drv.cuGetErrorName && st.drv.cuGetErrorName(r, &name) == CUDA_SUCCESS &&
      name)
    return name;
  return "CUresult " + std::to_string(r);
}

int currentDevice() {
  if (tlsDevice == -2)
    tlsDevice = defaultDeviceFromEnv();
  return tlsDevice;
}

void setCurrentDevice(int ordinal) { tlsDevice = ordinal; }

CUresult primaryContext(int ordinal, CUcontext *out, const char **call) {
  *out = nullptr;
  const Driver *d = driver();
  if (!d) {
    *call = "driver";
    return CUDA_ERROR_NOT_INITIALIZED;
  }
  if (ordinal < 0 || ordinal >= d->deviceCount) {
    *call = "cuDeviceGet";
    return CUDA_ERROR_INVALID_DEVICE;
  }
  std::lock_guard<std::mutex> lock(ctxMutex);
  if (contexts.size() < static_cast<size_t>(d->deviceCount))
    contexts.resize(static_cast<size_t>(d->deviceCount), nullptr);
  if (!contexts[ordinal]) {
    CUdevice dev = 0;
    CUresult r = d->cuDeviceGet(&dev, ordinal);
    if (r != CUDA_SUCCESS) {
      *call = "cuDeviceGet";
      return r;
    }
    CUcontext ctx = nullptr;
    r = d->cuDevicePrimaryCtxRetain(&ctx, dev);
    if (r != CUDA_SUCCESS) {
      *call = "cuDevicePrimaryCtxRetain";
      return r;
    }
    contexts[ordinal] = ctx;
  }
  *out = contexts[ordinal];
  return CUDA_SUCCESS;
}

void recordErrorMessage(const char *where, const std::string &message,
                        CUresult r) {
  if (verbose())
    std::fprintf(stderr, "phalanx: CUDA error in %s: %s\n", where,
                 message.c_str());
  if (tlsError.set)
    return;
  tlsError.set = true;
  tlsError.code = r;
  tlsError.message = std::string("CUDA error in ") + where + ": " + message;
}

void recordError(const char *where, const char *call, CUresult r) {
  recordErrorMessage(where, std::string(call) + " failed: " + errorName(r), r);
}

bool hasError() { return tlsError.set; }

void clearError() {
  tlsError.set = false;
  tlsError.code = CUDA_SUCCESS;
  tlsError.message.clear();
}

phx_status takeErrorStatus(const std::string &prefix) {
  if (!tlsError.set)
    return nullptr;
  phx_status_code code = tlsError.code == CUDA_ERROR_OUT_OF_MEMORY
                             ? PHX_STATUS_OUT_OF_MEMORY
                             : PHX_STATUS_INTERNAL;
  phx_status s = makeStatus(code, prefix + tlsError.message);
  clearError();
  return s;
}

bool check(const char *where, const char *call, CUresult r) {
  if (r == CUDA_SUCCESS)
    return true;
  recordError(where, call, r);
  return false;
}

ScopedContext::ScopedContext(const char *where) {
  std::string why;
  const Driver *d = driver(&why);
  if (!d) {
    recordErrorMessage(where, why, CUDA_ERROR_NOT_INITIALIZED);
    return;
  }
  int ordinal = currentDevice();
  if (ordinal < 0) {
    recordErrorMessage(where,
                       "PHALANX_CUDA_DEVICE must be a device ordinal (got '" +
                           std::string(std::getenv("PHALANX_CUDA_DEVICE")
                                           ? std::getenv("PHALANX_CUDA_DEVICE")
                                           : "") +
                           "')",
                       CUDA_ERROR_INVALID_DEVICE);
    return;
  }
  if (ordinal >= d->deviceCount) {
    recordErrorMessage(where,
                       "device " + std::to_string(ordinal) +
                           " does not exist (" +
                           std::to_string(d->deviceCount) +
                           " CUDA device(s) visible)",
                       CUDA_ERROR_INVALID_DEVICE);
    return;
  }
  CUcontext ctx = nullptr;
  const char *call = "";
  CUresult r = primaryContext(ordinal, &ctx, &call);
  if (r != CUDA_SUCCESS) {
    recordError(where, call, r);
    return;
  }
  r = d->cuCtxPushCurrent(ctx);
  if (r != CUDA_SUCCESS) {
    recordError(where, "cuCtxPushCurrent", r);
    return;
  }
  pushed_ = true;
  drv_ = d;
}

ScopedContext::~ScopedContext() {
  if (pushed_) {
    CUcontext popped = nullptr;
    drv_->cuCtxPopCurrent(&popped);
  }
}

namespace {
// The thread's last unwaited-for work: an event recorded on its stream.
// The event lives as long as the primary context (one per thread that ever
// called asynchronously): destroying it at thread exit could run after the
// driver is gone.
struct ThreadWork {
  CUevent event = nullptr;
  CUstream stream = nullptr; // null: nothing pending
};
thread_local ThreadWork tlsThreadWork;
} // namespace

void markThreadWork(const Driver &d, CUstream stream) {
  ThreadWork &w = tlsThreadWork;
  if (!w.event &&
      !check("markThreadWork", "cuEventCreate",
             d.cuEventCreate(&w.event, CU_EVENT_DISABLE_TIMING))) {
    w.event = nullptr;
    return;
  }
  if (check("markThreadWork", "cuEventRecord", d.cuEventRecord(w.event, stream)))
    w.stream = stream;
}

void orderAfterThreadWork(const Driver &d, CUstream stream) {
  ThreadWork &w = tlsThreadWork;
  if (!w.stream || w.stream == stream)
    return;
  check("orderAfterThreadWork", "cuStreamWaitEvent",
        d.cuStreamWaitEvent(stream, w.event, 0));
}

phx_status unavailable() {
  std::string why;
  if (driver(&why))
    return nullptr;
  return makeStatus(PHX_STATUS_UNAVAILABLE, why);
}

} // namespace cuda
} // namespace phx
