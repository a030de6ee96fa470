// CUDA backend tests.  Three groups, each active only where it applies:
//  cuda_nodriver_*  no CUDA driver on the machine (the default here): exact
//                   messages, mgpu* record errors instead of crashing;
//  cudafake_*       $PHALANX_CUDA_DRIVER is the fake driver
//                   (tests/fake_cuda.c; ctest phalanx-rt-unit-fakecuda):
//                   the whole backend and the mgpu* ABI on emulated kernels;
//  cudareal_*       a real driver and GPU (scripts/gpu-smoke.sh).
// Tests that do not apply print a "skipped" line and pass.
#include "cuda/driver.h"
#include "internal.h"
#include "test.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <vector>

using namespace phxtest;

extern "C" {
void *mgpuModuleLoad(void *data, size_t size);
void mgpuModuleUnload(void *module);
void *mgpuModuleGetFunction(void *module, const char *name);
void mgpuLaunchKernel(void *f, intptr_t gx, intptr_t gy, intptr_t gz,
                      intptr_t bx, intptr_t by, intptr_t bz, int32_t smem,
                      void *stream, void **params, void **extra, size_t n);
void mgpuLaunchClusterKernel(void *f, intptr_t cx, intptr_t cy, intptr_t cz,
                             intptr_t gx, intptr_t gy, intptr_t gz, intptr_t bx,
                             intptr_t by, intptr_t bz, int32_t smem,
                             void *stream, void **params, void **extra,
                             size_t n);
void *mgpuStreamCreate(void);
void mgpuStreamSynchronize(void *stream);
void mgpuStreamDestroy(void *stream);
void *mgpuEventCreate(void);
void *mgpuMemAlloc(uint64_t bytes, void *stream, bool hostShared);
void mgpuMemFree(void *ptr, void *stream);
void mgpuMemcpy(void *dst, void *src, size_t bytes, void *stream);
void mgpuMemset32(void *dst, unsigned value, size_t count, void *stream);
void mgpuSetDefaultDevice(int32_t device);
}

namespace {

const char *kNoDriver =
    "CUDA backend: no CUDA driver found (libcuda.so.1 could not be loaded)";

enum class Mode { NoDriver, Fake, Real, Other };

Mode mode() {
  const char *env = std::getenv("PHALANX_CUDA_DRIVER");
  std::string why;
  const phx::cuda::Driver *d = phx::cuda::driver(&why);
  if (env && std::strstr(env, "fake"))
    return d ? Mode::Fake : Mode::Other;
  if (!env && why == kNoDriver)
    return Mode::NoDriver;
  return d ? Mode::Real : Mode::Other;
}

bool need(Mode m, const char *what) {
  if (mode() == m)
    return true;
  // scripts/gpu-smoke.sh: on the GPU box a skipped real-GPU test is a failure.
  if (m == Mode::Real && std::getenv("PHALANX_TEST_REQUIRE_GPU")) {
    std::string why;
    phx::cuda::driver(&why);
    reportFailure(__FILE__, __LINE__,
                  std::string("PHALANX_TEST_REQUIRE_GPU is set but ") + what +
                      " is not usable: " + (why.empty() ? "?" : why));
    return false;
  }
  std::printf("    (skipped: needs %s)\n", what);
  return false;
}

std::string lastError() {
  phx_status s = phx::cuda::takeErrorStatus();
  return takeMessage(s);
}

std::vector<uint8_t> bytesOf(const std::string &s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}

std::string gpuEntry(const char *name, const char *symbol,
                     const char *device = "cuda") {
  return std::string("{\"name\": \"") + name + "\", \"symbol\": \"" + symbol +
         "\", \"device\": \"" + device +
         "\", \"args\": [{\"name\": \"a\", \"dtype\": \"f32\", \"shape\": [-1]},"
         " {\"name\": \"b\", \"dtype\": \"f32\", \"shape\": [-1]}],"
         " \"results\": [{\"name\": \"c\", \"dtype\": \"f32\", \"shape\": [-1],"
         " \"shape_from\": [[0, 0]]}]}";
}

phx_tensor view(void *data, const int64_t *shape, phx_device dev) {
  phx_tensor t;
  t.data = data;
  t.dtype = PHX_DTYPE_F32;
  t.rank = 1;
  t.shape = shape;
  t.device = dev;
  return t;
}

// Fake driver inspection (symbols of the fake library).
template <typename F> F fakeFn(const char *name) {
  const char *path = std::getenv("PHALANX_CUDA_DRIVER");
  void *h = path ? ::dlopen(path, RTLD_NOW | RTLD_NOLOAD) : nullptr;
  return h ? reinterpret_cast<F>(::dlsym(h, name)) : nullptr;
}
int fakeCtxDepth() {
  auto f = fakeFn<int (*)()>("fakecuda_ctx_depth");
  return f ? f() : -1;
}
long fakeLiveAllocs() {
  auto f = fakeFn<long (*)()>("fakecuda_live_allocations");
  return f ? f() : -1;
}
long fakeLaunches() {
  auto f = fakeFn<long (*)()>("fakecuda_launches");
  return f ? f() : -1;
}
long fakeCount(const char *name) {
  auto f = fakeFn<long (*)()>(name);
  return f ? f() : -1;
}

} // namespace

namespace phxtest {

std::vector<uint8_t> testGpuKernelsSo() {
  return readFileBytes(PHX_TEST_GPU_KERNELS_SO);
}

std::string testGpuManifest() {
  return "{\"format\": \"phalanx-artifact\", \"version\": 1, \"producer\": "
         "\"phalanx-rt-tests (fake GPU)\", \"entries\": [" +
         gpuEntry("add", "phx_entry_add") + ", " +
         gpuEntry("add_cluster", "phx_entry_add_cluster") + ", " +
         gpuEntry("add_cluster16", "phx_entry_add_cluster16") + ", " +
         gpuEntry("missing", "phx_entry_missing") + ", " +
         gpuEntry("fault", "phx_entry_fault") + ", " +
         gpuEntry("add_staged", "phx_entry_add_staged") + ", " +
         gpuEntry("tma", "phx_entry_tma") + ", " +
         gpuEntry("cpu_add", "phx_entry_add", "cpu") + "]}";
}

std::vector<uint8_t> testGpuArtifact() {
  return buildArtifact(
      {{1, 0, bytesOf(testGpuManifest())}, {2, 0, testGpuKernelsSo()}});
}

} // namespace phxtest

// ------------------------------------------------------------ any machine

TEST(cuda_cpu_module_rejects_device_tensors) {
  std::vector<uint8_t> b = testArtifact();
  phx_module *m = nullptr;
  CHECK_EQ(takeMessage(phx_module_load_memory(b.data(), b.size(), "t.phx",
                                              PHX_DEVICE_CPU, &m)),
           std::string("OK"));
  if (!m)
    return;
  float a[4] = {1, 2, 3, 4}, c[4];
  int64_t shape[1] = {4};
  phx_tensor args[2] = {view(a, shape, PHX_DEVICE_CPU),
                        view(a, shape, PHX_DEVICE_CUDA)};
  phx_tensor res = view(c, shape, PHX_DEVICE_CPU);
  phx_status_code code;
  CHECK_EQ(takeMessage(phx_invoke(m, "add", args, 2, &res, 1), &code),
           std::string("argument 'b' (#1) is on device cuda but the CPU "
                       "backend needs host memory (device cpu)"));
  CHECK_EQ(code, PHX_STATUS_INVALID_ARGUMENT);
  // Shapes can be computed whatever the device.
  int64_t out[1] = {0};
  CHECK_EQ(takeMessage(phx_entry_compute_result_shape(m, 0, args, 2, 0, out)),
           std::string("OK"));
  CHECK_EQ(out[0], 4);
  // The reference reads host memory only.
  double ref[4];
  phx_tensor y = view(c, shape, PHX_DEVICE_CUDA);
  CHECK_CONTAINS(takeMessage(phx_relative_error(&y, ref, 4, ref, nullptr)),
                 "must be in host memory");
  phx_module_free(m);
}

TEST(cuda_entry_loaded_for_cpu_says_so) {
  // A cuda artifact loads for cpu (no host code runs: no cpu entry needs
  // it... except cpu_add here, so the constructors run and their CUDA
  // errors are ignored); cuda entries then name the device to use.
  std::vector<uint8_t> b = testGpuArtifact();
  phx_module *m = nullptr;
  CHECK_EQ(takeMessage(phx_module_load_memory(b.data(), b.size(), "g.phx",
                                              PHX_DEVICE_CPU, &m)),
           std::string("OK"));
  CHECK(!phx::cuda::hasError());
  if (!m)
    return;
  float a[3] = {1, 2, 3}, c[3] = {0, 0, 0};
  int64_t shape[1] = {3};
  phx_tensor args[2] = {view(a, shape, PHX_DEVICE_CPU),
                        view(a, shape, PHX_DEVICE_CPU)};
  phx_tensor res = view(c, shape, PHX_DEVICE_CPU);
  phx_status_code code;
  CHECK_EQ(takeMessage(phx_invoke(m, "add_cluster", args, 2, &res, 1), &code),
           std::string("entry 'add_cluster' was compiled for cuda; run it "
                       "with --device cuda (the module was loaded for cpu)"));
  CHECK_EQ(code, PHX_STATUS_FAILED_PRECONDITION);
  CHECK_EQ(std::string(phx_entry_device(m, 0)), "cuda");
  phx_module_free(m);
  phx::cuda::clearError();
}

TEST(cuda_cpu_buffers) {
  void *p = nullptr;
  CHECK_EQ(takeMessage(phx_buffer_alloc(PHX_DEVICE_CPU, 100, &p)),
           std::string("OK"));
  CHECK(p != nullptr && reinterpret_cast<uintptr_t>(p) % 64 == 0);
  CHECK_EQ(takeMessage(phx_buffer_fill_bytes(PHX_DEVICE_CPU, p, 0xFF, 100)),
           std::string("OK"));
  if (p) {
    float f;
    std::memcpy(&f, p, 4);
    CHECK(std::isnan(f));
  }
  CHECK_EQ(takeMessage(phx_buffer_free(PHX_DEVICE_CPU, p)), std::string("OK"));
  CHECK_EQ(takeMessage(phx_device_synchronize(PHX_DEVICE_CPU)),
           std::string("OK"));
  CHECK_CONTAINS(takeMessage(phx_buffer_alloc(static_cast<phx_device>(7), 4, &p)),
                 "unknown device 7");
  CHECK_CONTAINS(takeMessage(phx_buffer_alloc(PHX_DEVICE_CPU, 4, nullptr)),
                 "out is NULL");
}

// -------------------------------------------------------------- no driver

TEST(cuda_nodriver_messages) {
  if (!need(Mode::NoDriver, "a machine without libcuda.so.1"))
    return;
  const char *msg = nullptr;
  CHECK_EQ(phx_cuda_available(&msg), 0);
  CHECK_EQ(std::string(msg ? msg : ""), kNoDriver);
  CHECK_EQ(phx_cuda_available(nullptr), 0);
  std::vector<uint8_t> b = testGpuArtifact();
  phx_module *m = nullptr;
  phx_status_code code;
  CHECK_EQ(takeMessage(phx_module_load_memory(b.data(), b.size(), "g.phx",
                                              PHX_DEVICE_CUDA, &m),
                       &code),
           std::string(kNoDriver));
  CHECK_EQ(code, PHX_STATUS_UNAVAILABLE);
  CHECK(m == nullptr);
  void *p = nullptr;
  CHECK_EQ(takeMessage(phx_buffer_alloc(PHX_DEVICE_CUDA, 16, &p), &code),
           std::string(kNoDriver));
  CHECK_EQ(code, PHX_STATUS_UNAVAILABLE);
  CHECK_EQ(takeMessage(phx_buffer_copy_to_host(&p, &p, 8)),
           std::string(kNoDriver));
  CHECK_EQ(takeMessage(phx_device_synchronize(PHX_DEVICE_CUDA)),
           std::string(kNoDriver));
  CHECK_EQ(takeMessage(phx_cuda_gemm(PHX_DTYPE_BF16, PHX_DTYPE_F32, 2, 2, 2, &p,
                                     &p, &p),
                       &code),
           std::string(kNoDriver));
  CHECK_EQ(code, PHX_STATUS_UNAVAILABLE);
}

TEST(cuda_gemm_argument_errors) {
  int x = 0;
  CHECK_EQ(takeMessage(phx_cuda_gemm(PHX_DTYPE_F32, PHX_DTYPE_F32, 2, 2, 2, &x,
                                     &x, &x)),
           std::string("phx_cuda_gemm: A and B must be bf16 or f16, got f32"));
  CHECK_EQ(takeMessage(phx_cuda_gemm(PHX_DTYPE_BF16, PHX_DTYPE_I32, 2, 2, 2, &x,
                                     &x, &x)),
           std::string("phx_cuda_gemm: C must be bf16, f16 or f32, got i32"));
  CHECK_EQ(takeMessage(phx_cuda_gemm(PHX_DTYPE_BF16, PHX_DTYPE_F32, 0, 2, 2, &x,
                                     &x, &x)),
           std::string("phx_cuda_gemm: m, n, k must be positive, got 0, 2, 2"));
  CHECK_EQ(takeMessage(phx_cuda_gemm(PHX_DTYPE_F16, PHX_DTYPE_BF16, 2, 2, 2,
                                     nullptr, &x, &x)),
           std::string("phx_cuda_gemm: null matrix pointer"));
}

TEST(cuda_gemm_ex_argument_errors) {
  int x = 0;
  phx_gemm g{};
  g.ab_dtype = PHX_DTYPE_F32;
  g.c_dtype = PHX_DTYPE_BF16;
  g.m = g.n = g.k = g.batch = 2;
  g.a = g.b = &x;
  g.c = &x;
  g.lda = g.ldb = g.ldc = 2;
  CHECK_EQ(takeMessage(phx_cuda_gemm_ex(nullptr, nullptr, 0)),
           std::string("phx_cuda_gemm_ex: gemm is NULL"));
  CHECK_EQ(takeMessage(phx_cuda_gemm_ex(&g, nullptr, 0)),
           std::string("phx_cuda_gemm_ex: f32 A and B need an f32 C"));
  g.c_dtype = PHX_DTYPE_F32;
  g.batch = 0;
  CHECK_EQ(takeMessage(phx_cuda_gemm_ex(&g, nullptr, 0)),
           std::string("phx_cuda_gemm_ex: m, n, k, batch must be positive, "
                       "got 2, 2, 2, 0"));
  g.batch = 1;
  g.trans_a = 1;
  g.k = 3; // A is stored k x m when transposed: lda 2 < 3
  CHECK_EQ(takeMessage(phx_cuda_gemm_ex(&g, nullptr, 0)),
           std::string("phx_cuda_gemm_ex: a leading dimension is smaller "
                       "than its matrix's rows"));
}

TEST(cuda_nodriver_mgpu_records_errors) {
  if (!need(Mode::NoDriver, "a machine without libcuda.so.1"))
    return;
  phx::cuda::clearError();
  void *stream = mgpuStreamCreate();
  CHECK(stream == nullptr);
  CHECK_EQ(lastError(),
           std::string("CUDA error in mgpuStreamCreate: ") + kNoDriver);
  // Only the first error is kept.
  CHECK(mgpuModuleLoad(const_cast<char *>("x"), 1) == nullptr);
  CHECK(mgpuMemAlloc(64, nullptr, false) == nullptr);
  CHECK_EQ(lastError(),
           std::string("CUDA error in mgpuModuleLoad: ") + kNoDriver);
  CHECK(!phx::cuda::hasError());
  // Null handles from failed calls are reported, never passed on.
  CHECK(mgpuModuleGetFunction(nullptr, "k") == nullptr);
  CHECK_EQ(lastError(), std::string("CUDA error in mgpuModuleGetFunction: "
                                    "module is null (its mgpuModuleLoad "
                                    "failed) looking up kernel 'k'"));
  mgpuLaunchKernel(nullptr, 1, 1, 1, 1, 1, 1, 0, nullptr, nullptr, nullptr, 0);
  CHECK_EQ(lastError(), std::string("CUDA error in mgpuLaunchKernel: kernel "
                                    "function is null"));
  mgpuLaunchClusterKernel(nullptr, 2, 1, 1, 2, 1, 1, 1, 1, 1, 0, nullptr,
                          nullptr, nullptr, 0);
  CHECK_CONTAINS(lastError(), "mgpuLaunchClusterKernel: kernel function is null");
  mgpuStreamSynchronize(nullptr);
  CHECK_CONTAINS(lastError(), "CUDA error in mgpuStreamSynchronize: CUDA "
                              "backend: no CUDA driver found");
  // Destroy/free/unload of null handles are silent no-ops.
  mgpuStreamDestroy(nullptr);
  mgpuMemFree(nullptr, nullptr);
  mgpuModuleUnload(nullptr);
  CHECK(!phx::cuda::hasError());
  mgpuMemcpy(&stream, &stream, 8, nullptr);
  CHECK_CONTAINS(lastError(), "CUDA error in mgpuMemcpy:");
  CHECK(mgpuEventCreate() == nullptr);
  phx::cuda::clearError();
}

// ------------------------------------------------------------ fake driver

namespace {

struct FakeModule {
  phx_module *m = nullptr;
  FakeModule() {
    std::vector<uint8_t> b = testGpuArtifact();
    CHECK_EQ(takeMessage(phx_module_load_memory(b.data(), b.size(), "g.phx",
                                                PHX_DEVICE_CUDA, &m)),
             std::string("OK"));
  }
  ~FakeModule() {
    if (m)
      phx_module_free(m);
  }
};

struct DevVec {
  void *p = nullptr;
  size_t n;
  explicit DevVec(const std::vector<float> &host) : n(host.size()) {
    CHECK_EQ(takeMessage(phx_buffer_alloc(PHX_DEVICE_CUDA, n * 4, &p)),
             std::string("OK"));
    CHECK_EQ(takeMessage(phx_buffer_copy_to_device(p, host.data(), n * 4)),
             std::string("OK"));
  }
  std::vector<float> get() const {
    std::vector<float> h(n);
    CHECK_EQ(takeMessage(phx_buffer_copy_to_host(h.data(), p, n * 4)),
             std::string("OK"));
    return h;
  }
  ~DevVec() { phx_status_free(phx_buffer_free(PHX_DEVICE_CUDA, p)); }
};

// Runs `entry` on a = i, b = 10 i; returns the status message.
std::string runAdd(phx_module *m, const char *entry, int64_t n,
                   std::vector<float> *out) {
  std::vector<float> a(n), b(n), nan(n, std::nanf(""));
  for (int64_t i = 0; i < n; ++i) {
    a[i] = float(i);
    b[i] = float(10 * i);
  }
  DevVec da(a), db(b), dc(nan);
  int64_t shape[1] = {n};
  phx_tensor args[2] = {view(da.p, shape, PHX_DEVICE_CUDA),
                        view(db.p, shape, PHX_DEVICE_CUDA)};
  phx_tensor res = view(dc.p, shape, PHX_DEVICE_CUDA);
  std::string msg = takeMessage(phx_invoke(m, entry, args, 2, &res, 1));
  if (out)
    *out = dc.get();
  return msg;
}

bool isAdd(const std::vector<float> &c) {
  for (size_t i = 0; i < c.size(); ++i)
    if (c[i] != float(11 * i))
      return false;
  return !c.empty();
}

} // namespace

TEST(cudafake_available) {
  if (!need(Mode::Fake, "PHALANX_CUDA_DRIVER=<fake driver>"))
    return;
  const char *msg = nullptr;
  CHECK_EQ(phx_cuda_available(&msg), 1);
  CHECK_EQ(std::string(msg), "CUDA driver 13.0, device 0: Fake GPU (sm_90, 4 SMs)");
}

TEST(cudafake_invoke_add_and_clusters) {
  if (!need(Mode::Fake, "PHALANX_CUDA_DRIVER=<fake driver>"))
    return;
  long allocs = fakeLiveAllocs();
  {
    FakeModule fm;
    if (!fm.m)
      return;
    CHECK_EQ(fakeCtxDepth(), 0);
    std::vector<float> c;
    CHECK_EQ(runAdd(fm.m, "add", 100, &c), std::string("OK"));
    CHECK(isAdd(c));
    unsigned grid[3], block[3], cluster[3], smem;
    int wasCluster = -1, policy = -1;
    auto last = fakeFn<void (*)(unsigned *, unsigned *, unsigned *, unsigned *,
                                int *, int *)>("fakecuda_last_launch");
    CHECK(last != nullptr);
    if (!last)
      return;
    last(grid, block, cluster, &smem, &wasCluster, &policy);
    CHECK(grid[0] == 4 && grid[1] == 1 && block[0] == 32 && smem == 0);
    CHECK_EQ(wasCluster, 0);
    // 2-block clusters, 64 KB dynamic smem (needs the opt-in attribute).
    CHECK_EQ(runAdd(fm.m, "add_cluster", 100, &c), std::string("OK"));
    CHECK(isAdd(c));
    last(grid, block, cluster, &smem, &wasCluster, &policy);
    CHECK_EQ(wasCluster, 1);
    CHECK(cluster[0] == 2 && cluster[1] == 1 && cluster[2] == 1);
    CHECK_EQ(grid[0], 4u);
    CHECK_EQ(smem, 65536u);
    CHECK_EQ(policy, 1);
    // 16-block clusters (non-portable size opt-in).
    CHECK_EQ(runAdd(fm.m, "add_cluster16", 40, &c), std::string("OK"));
    CHECK(isAdd(c));
    last(grid, block, cluster, &smem, &wasCluster, &policy);
    CHECK(cluster[0] == 16 && grid[0] == 16);
    // Temporaries, memset, events, copies.
    CHECK_EQ(runAdd(fm.m, "add_staged", 33, &c), std::string("OK"));
    CHECK(isAdd(c));
    CHECK_EQ(fakeCtxDepth(), 0);
  }
  CHECK_EQ(fakeLiveAllocs(), allocs);
}

TEST(cudafake_errors_become_statuses) {
  if (!need(Mode::Fake, "PHALANX_CUDA_DRIVER=<fake driver>"))
    return;
  FakeModule fm;
  if (!fm.m)
    return;
  long launches = fakeLaunches();
  CHECK_EQ(runAdd(fm.m, "missing", 8, nullptr),
           std::string("entry 'missing': CUDA error in mgpuModuleGetFunction: "
                       "cuModuleGetFunction('nope') failed: "
                       "CUDA_ERROR_NOT_FOUND"));
  CHECK_EQ(fakeLaunches(), launches); // the launch was skipped
  CHECK_EQ(runAdd(fm.m, "fault", 8, nullptr),
           std::string("entry 'fault': CUDA error in mgpuStreamSynchronize: "
                       "cuStreamSynchronize failed: CUDA_ERROR_ILLEGAL_ADDRESS"));
  // The error does not stick to the next invoke.
  std::vector<float> c;
  CHECK_EQ(runAdd(fm.m, "add", 5, &c), std::string("OK"));
  CHECK(isAdd(c));
  CHECK_EQ(runAdd(fm.m, "cpu_add", 5, nullptr),
           std::string("entry 'cpu_add' was compiled for cpu; run it with "
                       "--device cpu (the module was loaded for cuda)"));
  CHECK_EQ(fakeCtxDepth(), 0);
}

TEST(cudafake_rejects_host_memory) {
  if (!need(Mode::Fake, "PHALANX_CUDA_DRIVER=<fake driver>"))
    return;
  FakeModule fm;
  if (!fm.m)
    return;
  float a[4] = {0, 1, 2, 3};
  DevVec d(std::vector<float>(4, 0.f));
  int64_t shape[1] = {4};
  phx_tensor args[2] = {view(d.p, shape, PHX_DEVICE_CUDA),
                        view(a, shape, PHX_DEVICE_CUDA)};
  phx_tensor res = view(d.p, shape, PHX_DEVICE_CUDA);
  phx_status_code code;
  std::string msg = takeMessage(phx_invoke(fm.m, "add", args, 2, &res, 1), &code);
  CHECK_CONTAINS(msg, "argument 'b' (#1) data pointer 0x");
  CHECK_CONTAINS(msg, "is not memory the CUDA driver knows "
                      "(CUDA_ERROR_INVALID_VALUE); allocate it with "
                      "phx_buffer_alloc(PHX_DEVICE_CUDA, ...)");
  CHECK_EQ(code, PHX_STATUS_INVALID_ARGUMENT);
  args[1] = view(a, shape, PHX_DEVICE_CPU);
  CHECK_EQ(takeMessage(phx_invoke(fm.m, "add", args, 2, &res, 1)),
           std::string("argument 'b' (#1) is on device cpu but the CUDA "
                       "backend needs CUDA device memory (device cuda; see "
                       "phx_buffer_alloc)"));
}

TEST(cudafake_timing_tma_buffers) {
  if (!need(Mode::Fake, "PHALANX_CUDA_DRIVER=<fake driver>"))
    return;
  FakeModule fm;
  if (!fm.m)
    return;
  DevVec a(std::vector<float>(64, 1.f)), c(std::vector<float>(64, 0.f));
  int64_t shape[1] = {64};
  phx_tensor args[2] = {view(a.p, shape, PHX_DEVICE_CUDA),
                        view(a.p, shape, PHX_DEVICE_CUDA)};
  phx_tensor res = view(c.p, shape, PHX_DEVICE_CUDA);
  double ms = -1;
  CHECK_EQ(takeMessage(phx_invoke_timed(fm.m, phx_module_find_entry(fm.m, "add"),
                                        args, 2, &res, 1, &ms)),
           std::string("OK"));
  CHECK_EQ(ms, 0.25);
  CHECK_EQ(c.get()[63], 2.f);
  // TMA descriptor: a device pointer to the encoded map.
  CHECK_EQ(takeMessage(phx_invoke(fm.m, "tma", args, 2, &res, 1)),
           std::string("OK"));
  std::vector<float> bits = c.get();
  uint64_t dmap = 0;
  std::memcpy(&dmap, bits.data(), 8);
  CHECK(dmap != 0);
  if (dmap) {
    uint64_t map[16];
    CHECK_EQ(takeMessage(phx_buffer_copy_to_host(
                 map, reinterpret_cast<void *>(dmap), sizeof map)),
             std::string("OK"));
    CHECK_EQ(map[0], 1u);  // rank
    CHECK_EQ(map[1], 7u);  // f32
    CHECK_EQ(map[2], reinterpret_cast<uint64_t>(a.p));
    CHECK_EQ(map[4], 64u); // dim
    CHECK_EQ(map[12], 16u); // box
    phx_status_free(
        phx_buffer_free(PHX_DEVICE_CUDA, reinterpret_cast<void *>(dmap)));
  }
  // Poisoning and copy errors.
  CHECK_EQ(takeMessage(phx_buffer_fill_bytes(PHX_DEVICE_CUDA, c.p, 0xFF, 256)),
           std::string("OK"));
  CHECK(std::isnan(c.get()[10]));
  float host[4];
  CHECK_EQ(takeMessage(phx_buffer_copy_to_host(host, host, 16)),
           std::string("CUDA error in phx_buffer_copy_to_host: cuMemcpyDtoH "
                       "failed: CUDA_ERROR_INVALID_VALUE"));
  void *p = nullptr;
  phx_status_code code;
  CHECK_EQ(takeMessage(phx_buffer_alloc(PHX_DEVICE_CUDA, size_t(1) << 50, &p),
                       &code),
           std::string("CUDA error in phx_buffer_alloc: cuMemAlloc(") +
               std::to_string(size_t(1) << 50) +
               " bytes) failed: CUDA_ERROR_OUT_OF_MEMORY");
  CHECK_EQ(code, PHX_STATUS_OUT_OF_MEMORY);
  CHECK_EQ(takeMessage(phx_device_synchronize(PHX_DEVICE_CUDA)),
           std::string("OK"));
  CHECK_EQ(fakeCtxDepth(), 0);
}

TEST(cudafake_mgpu_direct) {
  if (!need(Mode::Fake, "PHALANX_CUDA_DRIVER=<fake driver>"))
    return;
  phx::cuda::clearError();
  CHECK(mgpuModuleLoad(const_cast<char *>("garbage"), 8) == nullptr);
  CHECK_EQ(lastError(), std::string("CUDA error in mgpuModuleLoad: "
                                    "cuModuleLoadData failed: "
                                    "CUDA_ERROR_INVALID_IMAGE"));
  void *mod = mgpuModuleLoad(const_cast<char *>("FAKECUBIN"), 10);
  CHECK(mod != nullptr);
  void *f = mgpuModuleGetFunction(mod, "add");
  CHECK(f != nullptr);
  mgpuLaunchClusterKernel(f, 3, 1, 1, 4, 1, 1, 32, 1, 1, 0, nullptr, nullptr,
                          nullptr, 0);
  CHECK_EQ(lastError(), std::string("CUDA error in mgpuLaunchClusterKernel: "
                                    "grid (4, 1, 1) is not a multiple of the "
                                    "cluster (3, 1, 1)"));
  mgpuLaunchKernel(f, 0, 1, 1, 32, 1, 1, 0, nullptr, nullptr, nullptr, 0);
  CHECK_EQ(lastError(), std::string("CUDA error in mgpuLaunchKernel: grid "
                                    "(0, 1, 1) must be positive 32-bit values"));
  mgpuLaunchKernel(f, 1, 1, 1, 32, 1, 1, 300 * 1024, nullptr, nullptr, nullptr,
                   0);
  CHECK_EQ(lastError(), std::string("CUDA error in mgpuLaunchKernel: "
                                    "cuFuncSetAttribute(MAX_DYNAMIC_SHARED_"
                                    "SIZE_BYTES) failed: "
                                    "CUDA_ERROR_INVALID_VALUE"));
  // Device selection: the fake has one device.
  mgpuSetDefaultDevice(3);
  CHECK(mgpuStreamCreate() == nullptr);
  CHECK_EQ(lastError(), std::string("CUDA error in mgpuStreamCreate: device 3 "
                                    "does not exist (1 CUDA device(s) "
                                    "visible)"));
  mgpuSetDefaultDevice(0);
  void *buf = mgpuMemAlloc(64, nullptr, false);
  CHECK(buf != nullptr);
  mgpuMemset32(buf, 0x3f800000u, 16, nullptr);
  float h[16];
  CHECK_EQ(takeMessage(phx_buffer_copy_to_host(h, buf, 64)), std::string("OK"));
  CHECK_EQ(h[15], 1.f);
  mgpuMemFree(buf, nullptr);
  mgpuModuleUnload(mod);
  CHECK(!phx::cuda::hasError());
  CHECK_EQ(fakeCtxDepth(), 0);
}

// mgpuMemAlloc with a stream (the host code's gpu.alloc async, e.g. the
// grid = flags buffers) allocates from the device's pool in stream order and
// mgpuMemFree returns it with cuMemFreeAsync; without a stream, or managed,
// cuMemAlloc / cuMemFree as before. The pool is created once and keeps
// 64 MiB across synchronizations.
TEST(cudafake_mgpu_stream_ordered_pool) {
  if (!need(Mode::Fake, "PHALANX_CUDA_DRIVER=<fake driver>"))
    return;
  phx::cuda::clearError();
  long pools = fakeCount("fakecuda_pools_created");
  long poolAllocs = fakeCount("fakecuda_pool_allocations");
  long asyncFrees = fakeCount("fakecuda_async_frees");
  long live = fakeLiveAllocs();
  void *stream = mgpuStreamCreate();
  CHECK(stream != nullptr);
  void *a = mgpuMemAlloc(256, stream, false);
  void *b = mgpuMemAlloc(64, stream, false);
  CHECK(a != nullptr && b != nullptr);
  CHECK_EQ(fakeCount("fakecuda_pool_allocations"), poolAllocs + 2);
  CHECK(fakeCount("fakecuda_pools_created") <= 1);
  CHECK_EQ(fakeCount("fakecuda_pool_threshold"), long(64) << 20);
  mgpuMemset32(a, 7u, 64, stream);
  unsigned h[64];
  mgpuStreamSynchronize(stream);
  CHECK_EQ(takeMessage(phx_buffer_copy_to_host(h, a, 256)), std::string("OK"));
  CHECK_EQ(h[63], 7u);
  mgpuMemFree(a, stream);
  mgpuMemFree(b, stream);
  CHECK_EQ(fakeCount("fakecuda_async_frees"), asyncFrees + 2);
  // No stream: the synchronous allocation, freed by cuMemFree.
  void *c = mgpuMemAlloc(64, nullptr, false);
  CHECK(c != nullptr);
  CHECK_EQ(fakeCount("fakecuda_pool_allocations"), poolAllocs + 2);
  mgpuMemFree(c, stream);
  CHECK_EQ(fakeCount("fakecuda_async_frees"), asyncFrees + 2);
  // Size 0: null, no driver call.
  CHECK(mgpuMemAlloc(0, stream, false) == nullptr);
  CHECK_EQ(fakeCount("fakecuda_pool_allocations"), poolAllocs + 2);
  mgpuStreamDestroy(stream);
  CHECK_EQ(fakeLiveAllocs(), live);
  CHECK(fakeCount("fakecuda_pools_created") == (pools == 0 ? 1 : pools));
  CHECK(!phx::cuda::hasError());
  CHECK_EQ(fakeCtxDepth(), 0);
}

// phx_cuda_set_stream: entries run on the caller's stream without waiting,
// and the thread's next use of another stream waits for that work on the
// GPU (its workspaces are reused).
TEST(cudafake_caller_stream) {
  if (!need(Mode::Fake, "PHALANX_CUDA_DRIVER=<fake driver>"))
    return;
  auto events = fakeFn<long (*)()>("fakecuda_live_events");
  auto waits = fakeFn<long (*)()>("fakecuda_stream_waits");
  auto fault = fakeFn<void (*)()>("fakecuda_set_fault");
  CHECK(events && waits && fault);
  phx::cuda::clearError();
  void *caller = mgpuStreamCreate(); // a stream the "caller" owns
  CHECK(caller != nullptr);
  phx_cuda_set_stream(caller);
  long waits0 = waits(), events0 = events();
  CHECK(mgpuStreamCreate() == caller);
  CHECK_EQ(waits(), waits0); // nothing of this thread pending yet
  fault();                   // a synchronization would report it ...
  mgpuStreamSynchronize(caller);
  CHECK(!phx::cuda::hasError()); // ... but the caller's stream is not waited for
  mgpuStreamDestroy(caller);     // the entry's end: its work is marked
  CHECK_EQ(events(), events0 + 1);
  CHECK(mgpuStreamCreate() == caller); // same stream: ordered already
  CHECK_EQ(waits(), waits0);
  mgpuStreamDestroy(caller);
  phx_cuda_set_stream(nullptr);
  void *pooled = mgpuStreamCreate(); // another stream: waits on the GPU
  CHECK(pooled != nullptr && pooled != caller);
  CHECK_EQ(waits(), waits0 + 1);
  mgpuStreamSynchronize(pooled); // synchronous again: the fault shows
  CHECK_EQ(lastError(), std::string("CUDA error in mgpuStreamSynchronize: "
                                    "cuStreamSynchronize failed: "
                                    "CUDA_ERROR_ILLEGAL_ADDRESS"));
  phx::cuda::clearError();
  mgpuStreamDestroy(pooled);
  mgpuStreamDestroy(caller);
  CHECK(!phx::cuda::hasError());
  CHECK_EQ(fakeCtxDepth(), 0);
}

TEST(cudafake_init_failure_names_the_call) {
  // Covered end to end by the e2e test (FAKECUDA_INIT_ERROR needs a fresh
  // process); here only the error-name helper.
  if (!need(Mode::Fake, "PHALANX_CUDA_DRIVER=<fake driver>"))
    return;
  CHECK_EQ(phx::cuda::errorName(700), std::string("CUDA_ERROR_ILLEGAL_ADDRESS"));
  CHECK_EQ(phx::cuda::errorName(4242), std::string("CUresult 4242"));
}

// -------------------------------------------------------------- real GPU

// Fills `v` with values in [-1, 1] from a fixed generator (`seed`), rounds
// them to `dt` and returns their bytes; `v` keeps the rounded values, so a
// float64 reference computed from it sees exactly what the GPU reads.
static std::vector<uint8_t> roundedOperand(std::vector<double> &v, phx_dtype dt,
                                           uint64_t seed) {
  uint64_t state = seed;
  for (double &x : v) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    x = double(int64_t(state >> 11) % 2001 - 1000) / 1000.0;
  }
  std::vector<uint8_t> bytes(v.size() * phx_dtype_size(dt));
  CHECK_EQ(takeMessage(phx_convert_from_f64(v.data(), v.size(), dt, bytes.data())),
           std::string("OK"));
  CHECK_EQ(takeMessage(phx_convert_to_f64(bytes.data(), v.size(), dt, v.data())),
           std::string("OK"));
  return bytes;
}

// A device buffer holding `bytes` (0xFF bytes, NaN in every float type, when
// `poison`: elements the GPU does not write then fail the comparison).
static void *deviceBuffer(const std::vector<uint8_t> &bytes, bool poison = false) {
  void *d = nullptr;
  CHECK_EQ(takeMessage(phx_buffer_alloc(PHX_DEVICE_CUDA, bytes.size(), &d)), std::string("OK"));
  if (poison)
    CHECK_EQ(takeMessage(phx_buffer_fill_bytes(PHX_DEVICE_CUDA, d, 0xFF, bytes.size())),
             std::string("OK"));
  else
    CHECK_EQ(takeMessage(phx_buffer_copy_to_device(d, bytes.data(), bytes.size())),
             std::string("OK"));
  return d;
}

// C = A @ B through cuBLASLt against a float64 product of the rounded inputs.
TEST(cudareal_gemm) {
  if (!need(Mode::Real, "a CUDA driver and GPU"))
    return;
  struct Case {
    phx_dtype ab, c;
    int64_t m, n, k;
    double tol;
  };
  for (Case t : {Case{PHX_DTYPE_BF16, PHX_DTYPE_F32, 257, 320, 256, 1e-5},
                 Case{PHX_DTYPE_BF16, PHX_DTYPE_BF16, 1000, 64, 512, 8e-3},
                 Case{PHX_DTYPE_F16, PHX_DTYPE_F32, 33, 48, 80, 1e-5},
                 Case{PHX_DTYPE_F16, PHX_DTYPE_F16, 128, 2048, 128, 2e-3}}) {
    size_t csz = phx_dtype_size(t.c);
    std::vector<double> a(size_t(t.m * t.k)), b(size_t(t.k * t.n));
    std::vector<uint8_t> ha = roundedOperand(a, t.ab, 12345),
                         hb = roundedOperand(b, t.ab, 12345 + 1),
                         hc(size_t(t.m * t.n) * csz);
    void *da = deviceBuffer(ha), *db = deviceBuffer(hb), *dc = deviceBuffer(hc, true);
    CHECK_EQ(takeMessage(phx_cuda_gemm(t.ab, t.c, t.m, t.n, t.k, da, db, dc)),
             std::string("OK"));
    CHECK_EQ(takeMessage(phx_buffer_copy_to_host(hc.data(), dc, hc.size())), std::string("OK"));
    std::vector<double> c(size_t(t.m * t.n));
    CHECK_EQ(takeMessage(phx_convert_to_f64(hc.data(), c.size(), t.c, c.data())),
             std::string("OK"));
    double num = 0, den = 0;
    for (int64_t i = 0; i < t.m; ++i)
      for (int64_t j = 0; j < t.n; ++j) {
        double ref = 0;
        for (int64_t l = 0; l < t.k; ++l)
          ref += a[size_t(i * t.k + l)] * b[size_t(l * t.n + j)];
        double d = c[size_t(i * t.n + j)] - ref;
        num += d * d;
        den += ref * ref;
      }
    double err = std::sqrt(num / den);
    std::printf("    gemm %s->%s %lldx%lldx%lld rel_err %.3g\n",
                phx_dtype_name(t.ab), phx_dtype_name(t.c), (long long)t.m,
                (long long)t.n, (long long)t.k, err);
    CHECK(err <= t.tol);
    for (void *p : {da, db, dc})
      phx_status_free(phx_buffer_free(PHX_DEVICE_CUDA, p));
  }
}

// The layer's GEMM forms through phx_cuda_gemm_ex: strided-batched, both
// operands transposed (the projections, B shared: stride 0) and A plain / B
// transposed (the output projection), bf16 and f32, against float64.
TEST(cudareal_gemm_ex_batched_transposed) {
  if (!need(Mode::Real, "a CUDA driver and GPU"))
    return;
  for (phx_dtype dt : {PHX_DTYPE_BF16, PHX_DTYPE_F32}) {
    for (int form = 0; form < 2; ++form) {
      const int64_t m = 37, n = 24, k = 40, batch = 3;
      // Column-major: op(A) m x k, op(B) k x n.
      bool ta = form == 0, tb = true;
      int64_t lda = ta ? k : m, ldb = tb ? n : k, ldc = m;
      int64_t sa = form == 0 ? lda * m : 0, sb = form == 0 ? 0 : ldb * k,
              sc = ldc * n;
      size_t na = size_t(form == 0 ? batch * sa : lda * m),
             nb = size_t(form == 0 ? ldb * k : batch * sb), nc = size_t(batch * sc);
      if (!ta)
        na = size_t(lda * k);
      std::vector<double> a(na), b(nb);
      std::vector<uint8_t> ha = roundedOperand(a, dt, 99), hb = roundedOperand(b, dt, 99 + 1),
                           hc(nc * phx_dtype_size(dt));
      void *da = deviceBuffer(ha), *db = deviceBuffer(hb), *dc = deviceBuffer(hc, true);
      phx_gemm g{};
      g.ab_dtype = g.c_dtype = dt;
      g.trans_a = ta;
      g.trans_b = tb;
      g.m = m;
      g.n = n;
      g.k = k;
      g.a = da;
      g.lda = lda;
      g.stride_a = sa;
      g.b = db;
      g.ldb = ldb;
      g.stride_b = sb;
      g.c = dc;
      g.ldc = ldc;
      g.stride_c = sc;
      g.batch = batch;
      CHECK_EQ(takeMessage(phx_cuda_gemm_ex(&g, nullptr, 1)), std::string("OK"));
      CHECK_EQ(takeMessage(phx_buffer_copy_to_host(hc.data(), dc, hc.size())), std::string("OK"));
      std::vector<double> c(nc);
      CHECK_EQ(takeMessage(phx_convert_to_f64(hc.data(), nc, dt, c.data())), std::string("OK"));
      double num = 0, den = 0;
      for (int64_t q = 0; q < batch; ++q)
        for (int64_t i = 0; i < m; ++i)
          for (int64_t j = 0; j < n; ++j) {
            double ref = 0;
            for (int64_t l = 0; l < k; ++l) {
              double av = ta ? a[size_t(q * sa + i * lda + l)] : a[size_t(q * sa + l * lda + i)];
              double bv = tb ? b[size_t(q * sb + l * ldb + j)] : b[size_t(q * sb + j * ldb + l)];
              ref += av * bv;
            }
            double d = c[size_t(q * sc + j * ldc + i)] - ref;
            num += d * d;
            den += ref * ref;
          }
      double err = std::sqrt(num / den);
      std::printf("    gemm_ex %s form %d rel_err %.3g\n", phx_dtype_name(dt), form, err);
      CHECK(err <= (dt == PHX_DTYPE_F32 ? 1e-6 : 8e-3));
      for (void *p : {da, db, dc})
        phx_status_free(phx_buffer_free(PHX_DEVICE_CUDA, p));
    }
  }
}

TEST(cudareal_buffers_and_errors) {
  if (!need(Mode::Real, "a CUDA driver and GPU"))
    return;
  const char *msg = nullptr;
  CHECK_EQ(phx_cuda_available(&msg), 1);
  std::printf("    %s\n", msg);
  std::vector<float> host(1000);
  for (size_t i = 0; i < host.size(); ++i)
    host[i] = float(i) * 0.5f;
  DevVec d(host);
  CHECK(d.get() == host);
  CHECK_EQ(takeMessage(phx_buffer_fill_bytes(PHX_DEVICE_CUDA, d.p, 0xFF, 4000)),
           std::string("OK"));
  CHECK(std::isnan(d.get()[999]));
  CHECK_EQ(takeMessage(phx_device_synchronize(PHX_DEVICE_CUDA)),
           std::string("OK"));
  phx::cuda::clearError();
  CHECK(mgpuModuleLoad(const_cast<char *>("not a cubin"), 12) == nullptr);
  CHECK_CONTAINS(lastError(),
                 "CUDA error in mgpuModuleLoad: cuModuleLoadData failed: "
                 "CUDA_ERROR_");
  void *s = mgpuStreamCreate();
  CHECK(s != nullptr);
  mgpuStreamSynchronize(s);
  mgpuStreamDestroy(s);
  CHECK(!phx::cuda::hasError());
  CHECK_EQ(lastError(), std::string("OK"));
}
