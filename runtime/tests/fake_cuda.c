/* A fake CUDA driver for tests on machines without a GPU.
 *
 * Loaded through $PHALANX_CUDA_DRIVER instead of libcuda.so.1, it provides
 * every entry point the runtime resolves via cuGetProcAddress_v2.  "Device"
 * memory is host memory (tracked, so cuPointerGetAttribute can tell it from
 * other pointers); modules are images starting with "FAKECUBIN"; kernels
 * are host functions run serially over the grid.  Launch parameters are
 * recorded so tests can inspect them (fakecuda_* functions).
 *
 * Kernels: "add" (params: float *a, float *b, float *c, int64_t n; c = a + b
 * over the flattened grid) and "fault" (returns CUDA_ERROR_ILLEGAL_ADDRESS
 * at the next synchronization, like a kernel that faulted).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
enum {
  OK = 0,
  INVALID_VALUE = 1,
  OUT_OF_MEMORY = 2,
  NOT_INITIALIZED = 3,
  NO_DEVICE = 100,
  INVALID_DEVICE = 101,
  INVALID_IMAGE = 200,
  INVALID_CONTEXT = 201,
  INVALID_HANDLE = 400,
  NOT_FOUND = 500,
  ILLEGAL_ADDRESS = 700,
  NOT_SUPPORTED = 801
};

#define EXPORT __attribute__((visibility("default")))

/* ---- inspection by tests */
static int g_inited;
static int g_ctxDepth;
static int g_pendingFault;
static long g_allocs; /* live allocations */
static unsigned g_lastGrid[3], g_lastBlock[3], g_lastCluster[3], g_lastSmem;
static int g_lastWasCluster, g_lastClusterPolicy;
static long g_launches;

EXPORT int fakecuda_ctx_depth(void) { return g_ctxDepth; }
EXPORT long fakecuda_live_allocations(void) { return g_allocs; }
EXPORT long fakecuda_launches(void) { return g_launches; }
EXPORT void fakecuda_last_launch(unsigned *grid, unsigned *block,
                                 unsigned *cluster, unsigned *smem,
                                 int *wasCluster, int *policy) {
  memcpy(grid, g_lastGrid, sizeof g_lastGrid);
  memcpy(block, g_lastBlock, sizeof g_lastBlock);
  memcpy(cluster, g_lastCluster, sizeof g_lastCluster);
  *smem = g_lastSmem;
  *wasCluster = g_lastWasCluster;
  *policy = g_lastClusterPolicy;
}

/* ---- memory registry */
#define MAX_ALLOCS 4096
static struct {
  char *p;
  size_t n;
} g_mem[MAX_ALLOCS];

static int findAlloc(const void *p) {
  for (int i = 0; i < MAX_ALLOCS; ++i)
    if (g_mem[i].p && (const char *)p >= g_mem[i].p &&
        (const char *)p < g_mem[i].p + g_mem[i].n)
      return i;
  return -1;
}

/* ---- functions and modules */
typedef struct {
  const char *name;
  int maxDynSmem;
  int nonPortable;
} Func;
static Func g_funcs[] = {{"add", 0, 0}, {"fault", 0, 0}};
typedef struct {
  int magic;
} Module;

#define NEED_INIT                                                              \
  if (!g_inited)                                                               \
  return NOT_INITIALIZED
#define NEED_CTX                                                               \
  NEED_INIT;                                                                   \
  if (g_ctxDepth <= 0)                                                         \
  return INVALID_CONTEXT

static CUresult cuGetErrorName(CUresult r, const char **s) {
  switch (r) {
  case OK: *s = "CUDA_SUCCESS"; return OK;
  case INVALID_VALUE: *s = "CUDA_ERROR_INVALID_VALUE"; return OK;
  case OUT_OF_MEMORY: *s = "CUDA_ERROR_OUT_OF_MEMORY"; return OK;
  case NOT_INITIALIZED: *s = "CUDA_ERROR_NOT_INITIALIZED"; return OK;
  case NO_DEVICE: *s = "CUDA_ERROR_NO_DEVICE"; return OK;
  case INVALID_DEVICE: *s = "CUDA_ERROR_INVALID_DEVICE"; return OK;
  case INVALID_IMAGE: *s = "CUDA_ERROR_INVALID_IMAGE"; return OK;
  case INVALID_CONTEXT: *s = "CUDA_ERROR_INVALID_CONTEXT"; return OK;
  case INVALID_HANDLE: *s = "CUDA_ERROR_INVALID_HANDLE"; return OK;
  case NOT_FOUND: *s = "CUDA_ERROR_NOT_FOUND"; return OK;
  case ILLEGAL_ADDRESS: *s = "CUDA_ERROR_ILLEGAL_ADDRESS"; return OK;
  case NOT_SUPPORTED: *s = "CUDA_ERROR_NOT_SUPPORTED"; return OK;
  }
  *s = NULL;
  return INVALID_VALUE;
}
static CUresult cuGetErrorString(CUresult r, const char **s) {
  return cuGetErrorName(r, s);
}
static CUresult cuInit(unsigned flags) {
  const char *e = getenv("FAKECUDA_INIT_ERROR");
  if (e && *e)
    return atoi(e);
  g_inited = flags == 0;
  return g_inited ? OK : INVALID_VALUE;
}
static CUresult cuDriverGetVersion(int *v) {
  *v = 13000;
  return OK;
}
static CUresult cuDeviceGetCount(int *n) {
  NEED_INIT;
  *n = 1;
  return OK;
}
static CUresult cuDeviceGet(int *d, int ordinal) {
  NEED_INIT;
  if (ordinal != 0)
    return INVALID_DEVICE;
  *d = 0;
  return OK;
}
static CUresult cuDeviceGetName(char *name, int len, int dev) {
  (void)dev;
  snprintf(name, (size_t)len, "Fake GPU");
  return OK;
}
static CUresult cuDeviceGetAttribute(int *v, int attr, int dev) {
  (void)dev;
  switch (attr) {
  case 16: *v = 4; return OK;          /* SMs */
  case 75: *v = 9; return OK;          /* cc major */
  case 76: *v = 0; return OK;          /* cc minor */
  case 97: *v = 227 * 1024; return OK; /* smem optin */
  case 115: *v = 1; return OK;         /* memory pools supported */
  }
  *v = 0;
  return OK;
}
static int g_ctxToken;
static CUresult cuDevicePrimaryCtxRetain(void **ctx, int dev) {
  NEED_INIT;
  (void)dev;
  *ctx = &g_ctxToken;
  return OK;
}
static CUresult cuCtxPushCurrent(void *ctx) {
  NEED_INIT;
  if (ctx != &g_ctxToken)
    return INVALID_CONTEXT;
  ++g_ctxDepth;
  return OK;
}
static CUresult cuCtxPopCurrent(void **ctx) {
  NEED_INIT;
  if (g_ctxDepth <= 0)
    return INVALID_CONTEXT;
  --g_ctxDepth;
  if (ctx)
    *ctx = &g_ctxToken;
  return OK;
}
static CUresult takeFault(void) {
  if (g_pendingFault) {
    g_pendingFault = 0;
    return ILLEGAL_ADDRESS;
  }
  return OK;
}
static CUresult cuCtxSynchronize(void) {
  NEED_CTX;
  return takeFault();
}
static CUresult cuModuleLoadData(void **m, const void *image) {
  NEED_CTX;
  if (!image || memcmp(image, "FAKECUBIN", 9) != 0)
    return INVALID_IMAGE;
  Module *mod = (Module *)malloc(sizeof(Module));
  mod->magic = 0x4d4f44;
  *m = mod;
  return OK;
}
static CUresult cuModuleLoadDataEx(void **m, const void *image, unsigned n,
                                   int *opts, void **vals) {
  (void)n;
  (void)opts;
  (void)vals;
  return cuModuleLoadData(m, image);
}
static CUresult cuModuleUnload(void *m) {
  NEED_CTX;
  Module *mod = (Module *)m;
  if (!mod || mod->magic != 0x4d4f44)
    return INVALID_HANDLE;
  mod->magic = 0;
  free(mod);
  return OK;
}
static CUresult cuModuleGetFunction(void **f, void *m, const char *name) {
  NEED_CTX;
  Module *mod = (Module *)m;
  if (!mod || mod->magic != 0x4d4f44)
    return INVALID_HANDLE;
  for (size_t i = 0; i < sizeof g_funcs / sizeof g_funcs[0]; ++i)
    if (name && strcmp(name, g_funcs[i].name) == 0) {
      *f = &g_funcs[i];
      return OK;
    }
  return NOT_FOUND;
}
static CUresult cuFuncSetAttribute(void *f, int attr, int v) {
  NEED_CTX;
  Func *fn = (Func *)f;
  if (attr == 8) {
    if (v > 227 * 1024)
      return INVALID_VALUE;
    fn->maxDynSmem = v;
  } else if (attr == 14) {
    fn->nonPortable = v;
  } else {
    return INVALID_VALUE;
  }
  return OK;
}

static CUresult runKernel(Func *fn, const unsigned grid[3],
                          const unsigned block[3], unsigned smem,
                          void **params) {
  if (smem > 48 * 1024 && (int)smem > fn->maxDynSmem)
    return INVALID_VALUE; /* like the real driver without the opt-in */
  ++g_launches;
  memcpy(g_lastGrid, grid, sizeof g_lastGrid);
  memcpy(g_lastBlock, block, sizeof g_lastBlock);
  g_lastSmem = smem;
  if (strcmp(fn->name, "fault") == 0) {
    g_pendingFault = 1;
    return OK;
  }
  float *a = *(float **)params[0], *b = *(float **)params[1],
        *c = *(float **)params[2];
  int64_t n = *(int64_t *)params[3];
  if (findAlloc(a) < 0 || findAlloc(b) < 0 || findAlloc(c) < 0) {
    g_pendingFault = 1; /* a host pointer reached the "GPU" */
    return OK;
  }
  uint64_t blocks = (uint64_t)grid[0] * grid[1] * grid[2];
  uint64_t threads = (uint64_t)block[0] * block[1] * block[2];
  for (uint64_t i = 0; i < blocks * threads; ++i)
    if ((int64_t)i < n)
      c[i] = a[i] + b[i];
  return OK;
}

static CUresult cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz,
                               unsigned bx, unsigned by, unsigned bz,
                               unsigned smem, void *stream, void **params,
                               void **extra) {
  NEED_CTX;
  (void)stream;
  (void)extra;
  if (!f || !params)
    return INVALID_VALUE;
  unsigned grid[3] = {gx, gy, gz}, block[3] = {bx, by, bz};
  g_lastWasCluster = 0;
  return runKernel((Func *)f, grid, block, smem, params);
}

typedef struct {
  int id;
  char pad[4];
  union {
    char pad[64];
    struct {
      unsigned x, y, z;
    } clusterDim;
    int policy;
  } value;
} LaunchAttr;
typedef struct {
  unsigned gridDimX, gridDimY, gridDimZ, blockDimX, blockDimY, blockDimZ,
      sharedMemBytes;
  void *hStream;
  LaunchAttr *attrs;
  unsigned numAttrs;
} LaunchConfig;

static CUresult cuLaunchKernelEx(const LaunchConfig *cfg, void *f,
                                 void **params, void **extra) {
  NEED_CTX;
  (void)extra;
  if (!cfg || !f || !params)
    return INVALID_VALUE;
  unsigned cluster[3] = {1, 1, 1};
  int policy = 0;
  for (unsigned i = 0; i < cfg->numAttrs; ++i) {
    if (cfg->attrs[i].id == 4) {
      cluster[0] = cfg->attrs[i].value.clusterDim.x;
      cluster[1] = cfg->attrs[i].value.clusterDim.y;
      cluster[2] = cfg->attrs[i].value.clusterDim.z;
    } else if (cfg->attrs[i].id == 5) {
      policy = cfg->attrs[i].value.policy;
    } else {
      return INVALID_VALUE;
    }
  }
  unsigned csize = cluster[0] * cluster[1] * cluster[2];
  Func *fn = (Func *)f;
  if (csize == 0 || csize > 16 || (csize > 8 && !fn->nonPortable) ||
      cfg->gridDimX % cluster[0] || cfg->gridDimY % cluster[1] ||
      cfg->gridDimZ % cluster[2])
    return INVALID_VALUE;
  unsigned grid[3] = {cfg->gridDimX, cfg->gridDimY, cfg->gridDimZ};
  unsigned block[3] = {cfg->blockDimX, cfg->blockDimY, cfg->blockDimZ};
  CUresult r = runKernel(fn, grid, block, cfg->sharedMemBytes, params);
  g_lastWasCluster = 1;
  g_lastClusterPolicy = policy;
  memcpy(g_lastCluster, cluster, sizeof cluster);
  return r;
}

static int g_streamToken, g_eventToken;
static CUresult cuStreamCreate(void **s, unsigned flags) {
  NEED_CTX;
  (void)flags;
  *s = malloc(1);
  ++g_streamToken;
  return OK;
}
static CUresult cuStreamDestroy(void *s) {
  NEED_CTX;
  if (!s)
    return INVALID_HANDLE;
  free(s);
  --g_streamToken;
  return OK;
}
static CUresult cuStreamSynchronize(void *s) {
  NEED_CTX;
  (void)s;
  return takeFault();
}
static long g_streamWaits;
static CUresult cuStreamWaitEvent(void *s, void *e, unsigned flags) {
  NEED_CTX;
  (void)s;
  (void)flags;
  if (!e)
    return INVALID_HANDLE;
  ++g_streamWaits;
  return OK;
}
/* Stream-order inspection for the tests: events alive, stream waits made,
 * and a fault the next synchronization reports. */
EXPORT long fakecuda_live_events(void) { return g_eventToken; }
EXPORT long fakecuda_stream_waits(void) { return g_streamWaits; }
EXPORT void fakecuda_set_fault(void) { g_pendingFault = 1; }
static CUresult cuEventCreate(void **e, unsigned flags) {
  NEED_CTX;
  (void)flags;
  *e = malloc(1);
  ++g_eventToken;
  return OK;
}
static CUresult cuEventDestroy(void *e) {
  NEED_CTX;
  if (!e)
    return INVALID_HANDLE;
  free(e);
  --g_eventToken;
  return OK;
}
static CUresult cuEventSynchronize(void *e) {
  NEED_CTX;
  (void)e;
  return takeFault();
}
static CUresult cuEventRecord(void *e, void *s) {
  NEED_CTX;
  (void)s;
  return e ? OK : INVALID_HANDLE;
}
static CUresult cuEventElapsedTime(float *ms, void *a, void *b) {
  NEED_CTX;
  if (!a || !b)
    return INVALID_HANDLE;
  *ms = 0.25f;
  return OK;
}
static CUresult cuMemAlloc(unsigned long long *p, size_t n) {
  NEED_CTX;
  if (n == 0)
    return INVALID_VALUE;
  if (n > ((size_t)1 << 40))
    return OUT_OF_MEMORY;
  for (int i = 0; i < MAX_ALLOCS; ++i)
    if (!g_mem[i].p) {
      g_mem[i].p = (char *)malloc(n);
      g_mem[i].n = n;
      memset(g_mem[i].p, 0x5a, n);
      ++g_allocs;
      *p = (unsigned long long)(uintptr_t)g_mem[i].p;
      return OK;
    }
  return OUT_OF_MEMORY;
}
static CUresult cuMemAllocManaged(unsigned long long *p, size_t n,
                                  unsigned flags) {
  (void)flags;
  return cuMemAlloc(p, n);
}
static CUresult cuMemFree(unsigned long long p) {
  NEED_CTX;
  if (!p)
    return OK;
  for (int i = 0; i < MAX_ALLOCS; ++i)
    if (g_mem[i].p == (char *)(uintptr_t)p) {
      free(g_mem[i].p);
      g_mem[i].p = NULL;
      --g_allocs;
      return OK;
    }
  return INVALID_VALUE;
}
/* Memory pools: one pool token; pool allocations are plain allocations,
   counted (stream order is trivial here: every call is synchronous). */
static int g_poolToken;
static long g_poolsCreated, g_poolAllocs, g_asyncFrees;
static unsigned long long g_poolThreshold;
EXPORT long fakecuda_pools_created(void) { return g_poolsCreated; }
EXPORT long fakecuda_pool_allocations(void) { return g_poolAllocs; }
EXPORT long fakecuda_async_frees(void) { return g_asyncFrees; }
EXPORT unsigned long long fakecuda_pool_threshold(void) {
  return g_poolThreshold;
}
static CUresult cuMemPoolCreate(void **pool, const void *props) {
  NEED_CTX;
  const int *p = (const int *)props;
  if (!pool || !props || p[0] != 1 /* pinned */ || p[2] != 1 /* device */)
    return INVALID_VALUE;
  *pool = &g_poolToken;
  ++g_poolsCreated;
  return OK;
}
static CUresult cuMemPoolSetAttribute(void *pool, int attr, void *value) {
  NEED_CTX;
  if (pool != &g_poolToken || !value)
    return INVALID_VALUE;
  if (attr == 4) /* release threshold */
    g_poolThreshold = *(unsigned long long *)value;
  return OK;
}
static CUresult cuMemAllocFromPoolAsync(unsigned long long *p, size_t n,
                                        void *pool, void *stream) {
  NEED_CTX;
  (void)stream;
  if (pool != &g_poolToken)
    return INVALID_VALUE;
  CUresult r = cuMemAlloc(p, n);
  if (r == OK)
    ++g_poolAllocs;
  return r;
}
static CUresult cuMemFreeAsync(unsigned long long p, void *stream) {
  NEED_CTX;
  (void)stream;
  CUresult r = cuMemFree(p);
  if (r == OK)
    ++g_asyncFrees;
  return r;
}
static CUresult checkRange(unsigned long long p, size_t n) {
  int i = findAlloc((const void *)(uintptr_t)p);
  if (i < 0 || (char *)(uintptr_t)p + n > g_mem[i].p + g_mem[i].n)
    return INVALID_VALUE;
  return OK;
}
static CUresult cuMemcpyAsync(unsigned long long d, unsigned long long s,
                              size_t n, void *stream) {
  NEED_CTX;
  (void)stream;
  memmove((void *)(uintptr_t)d, (const void *)(uintptr_t)s, n);
  return OK;
}
static CUresult cuMemcpyHtoD(unsigned long long d, const void *s, size_t n) {
  NEED_CTX;
  if (checkRange(d, n))
    return INVALID_VALUE;
  memcpy((void *)(uintptr_t)d, s, n);
  return OK;
}
static CUresult cuMemcpyDtoH(void *d, unsigned long long s, size_t n) {
  NEED_CTX;
  if (checkRange(s, n))
    return INVALID_VALUE;
  memcpy(d, (const void *)(uintptr_t)s, n);
  return takeFault();
}
static CUresult cuMemsetD8(unsigned long long d, unsigned char v, size_t n) {
  NEED_CTX;
  if (checkRange(d, n))
    return INVALID_VALUE;
  memset((void *)(uintptr_t)d, v, n);
  return OK;
}
static CUresult cuMemsetD16Async(unsigned long long d, unsigned short v,
                                 size_t n, void *s) {
  NEED_CTX;
  (void)s;
  if (checkRange(d, n * 2))
    return INVALID_VALUE;
  for (size_t i = 0; i < n; ++i)
    ((unsigned short *)(uintptr_t)d)[i] = v;
  return OK;
}
static CUresult cuMemsetD32Async(unsigned long long d, unsigned v, size_t n,
                                 void *s) {
  NEED_CTX;
  (void)s;
  if (checkRange(d, n * 4))
    return INVALID_VALUE;
  for (size_t i = 0; i < n; ++i)
    ((unsigned *)(uintptr_t)d)[i] = v;
  return OK;
}
static CUresult cuMemHostRegister(void *p, size_t n, unsigned flags) {
  NEED_CTX;
  (void)flags;
  return p && n ? OK : INVALID_VALUE;
}
static CUresult cuMemHostUnregister(void *p) {
  NEED_CTX;
  return p ? OK : INVALID_VALUE;
}
static CUresult cuPointerGetAttribute(void *out, int attr,
                                      unsigned long long p) {
  NEED_CTX;
  if (attr != 2)
    return INVALID_VALUE;
  if (findAlloc((const void *)(uintptr_t)p) < 0)
    return INVALID_VALUE;
  *(unsigned *)out = 2; /* CU_MEMORYTYPE_DEVICE */
  return OK;
}
/* Writes rank, dims, strides and box into the map so tests can read them. */
static CUresult cuTensorMapEncodeTiled(uint64_t *map, int dtype, uint32_t rank,
                                       void *addr, const uint64_t *dims,
                                       const uint64_t *strides,
                                       const uint32_t *box,
                                       const uint32_t *estrides, int il,
                                       int sw, int l2, int oob) {
  NEED_CTX;
  (void)estrides;
  (void)il;
  (void)l2;
  (void)oob;
  if (rank < 1 || rank > 5)
    return INVALID_VALUE;
  memset(map, 0, 128);
  map[0] = rank;
  map[1] = (uint64_t)dtype;
  map[2] = (uint64_t)(uintptr_t)addr;
  map[3] = (uint64_t)sw;
  for (uint32_t i = 0; i < rank && i < 4; ++i) {
    map[4 + i] = dims[i];
    map[8 + i] = i + 1 < rank ? strides[i] : 0;
    map[12 + i] = box[i];
  }
  return OK;
}

typedef struct {
  const char *name;
  void *fn;
} Entry;
#define E(f) {#f, (void *)f}
static const Entry g_table[] = {
    E(cuGetErrorName), E(cuGetErrorString), E(cuInit), E(cuDriverGetVersion),
    E(cuDeviceGetCount), E(cuDeviceGet), E(cuDeviceGetName),
    E(cuDeviceGetAttribute), E(cuDevicePrimaryCtxRetain), E(cuCtxPushCurrent),
    E(cuCtxPopCurrent), E(cuCtxSynchronize), E(cuModuleLoadData),
    E(cuModuleLoadDataEx), E(cuModuleUnload), E(cuModuleGetFunction),
    E(cuFuncSetAttribute), E(cuLaunchKernel), E(cuLaunchKernelEx),
    E(cuStreamCreate), E(cuStreamDestroy), E(cuStreamSynchronize),
    E(cuStreamWaitEvent), E(cuEventCreate), E(cuEventDestroy),
    E(cuEventSynchronize), E(cuEventRecord), E(cuEventElapsedTime),
    E(cuMemAlloc), E(cuMemAllocManaged), E(cuMemFree), E(cuMemPoolCreate),
    E(cuMemPoolSetAttribute), E(cuMemAllocFromPoolAsync), E(cuMemFreeAsync),
    E(cuMemcpyAsync),
    E(cuMemcpyHtoD), E(cuMemcpyDtoH), E(cuMemsetD8), E(cuMemsetD16Async),
    E(cuMemsetD32Async), E(cuMemHostRegister), E(cuMemHostUnregister),
    E(cuPointerGetAttribute), E(cuTensorMapEncodeTiled)};

/* The CUDA 12+ signature: symbol, pfn, cudaVersion, flags, symbolStatus. */
EXPORT CUresult cuGetProcAddress_v2(const char *symbol, void **pfn,
                                    int cudaVersion, uint64_t flags,
                                    int *status) {
  (void)flags;
  *pfn = NULL;
  if (cudaVersion < 12000) {
    if (status)
      *status = 2;
    return NOT_FOUND;
  }
  for (size_t i = 0; i < sizeof g_table / sizeof g_table[0]; ++i)
    if (strcmp(symbol, g_table[i].name) == 0) {
      *pfn = g_table[i].fn;
      if (status)
        *status = 0;
      return OK;
    }
  if (status)
    *status = 1;
  return NOT_FOUND;
}
