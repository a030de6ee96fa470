/* Host code of a cuda artifact as MLIR's gpu-to-llvm + gpu.binary
 * translation shapes it (load the module from a static constructor, unload
 * it from a destructor, launch through mgpu* calls on a stream created and
 * synchronized inside the entry), for the fake driver (tests/fake_cuda.c):
 * its "cubin" is the string "FAKECUBIN" and its kernels are host code.
 * The mgpu* symbols stay undefined here and resolve to libphalanx_rt's. */
#include <stddef.h>
#include <stdint.h>

void *mgpuModuleLoad(void *data, size_t size);
void mgpuModuleUnload(void *module);
void *mgpuModuleGetFunction(void *module, const char *name);
void mgpuLaunchKernel(void *f, intptr_t gx, intptr_t gy, intptr_t gz,
                      intptr_t bx, intptr_t by, intptr_t bz, int32_t smem,
                      void *stream, void **params, void **extra,
                      size_t paramsCount);
/* As MLIR 22 declares it: 14 arguments. */
void mgpuLaunchClusterKernel(void *f, intptr_t cx, intptr_t cy, intptr_t cz,
                             intptr_t gx, intptr_t gy, intptr_t gz,
                             intptr_t bx, intptr_t by, intptr_t bz,
                             int32_t smem, void *stream, void **params,
                             void **extra);
void *mgpuStreamCreate(void);
void mgpuStreamSynchronize(void *stream);
void mgpuStreamDestroy(void *stream);
void *mgpuEventCreate(void);
void mgpuEventRecord(void *event, void *stream);
void mgpuStreamWaitEvent(void *stream, void *event);
void mgpuEventDestroy(void *event);
void *mgpuMemAlloc(uint64_t bytes, void *stream, _Bool hostShared);
void mgpuMemFree(void *ptr, void *stream);
void mgpuMemcpy(void *dst, void *src, size_t bytes, void *stream);
void mgpuMemset32(void *dst, unsigned value, size_t count, void *stream);
void *mgpuTensorMapEncodeTiledMemref(int64_t rank, void *desc, int64_t dtype,
                                     int64_t interleave, int64_t swizzle,
                                     int64_t l2, int64_t oob, int64_t *box);

static const char kImage[] = "FAKECUBIN\0kernels: add, fault";
static void *module;

__attribute__((constructor(123))) static void kernels_load(void) {
  module = mgpuModuleLoad((void *)kImage, sizeof kImage);
}
__attribute__((destructor(123))) static void kernels_unload(void) {
  mgpuModuleUnload(module);
}

typedef struct {
  float *allocated, *aligned;
  int64_t offset, size, stride;
} Desc1;

static void launch(void **args, const char *kernel, int cluster, int32_t smem) {
  Desc1 *a = (Desc1 *)args[0], *b = (Desc1 *)args[1], *c = (Desc1 *)args[2];
  float *pa = a->aligned + a->offset, *pb = b->aligned + b->offset,
        *pc = c->aligned + c->offset;
  int64_t n = a->size;
  void *params[4] = {&pa, &pb, &pc, &n};
  void *stream = mgpuStreamCreate();
  void *f = mgpuModuleGetFunction(module, kernel);
  intptr_t blocks = (n + 31) / 32;
  if (cluster > 1)
    blocks = (blocks + cluster - 1) / cluster * cluster;
  if (cluster)
    mgpuLaunchClusterKernel(f, cluster, 1, 1, blocks, 1, 1, 32, 1, 1, smem,
                            stream, params, NULL);
  else
    mgpuLaunchKernel(f, blocks, 1, 1, 32, 1, 1, smem, stream, params, NULL, 4);
  mgpuStreamSynchronize(stream);
  mgpuStreamDestroy(stream);
}

/* c = a + b */
void phx_entry_add(void **args) { launch(args, "add", 0, 0); }
/* c = a + b with 2-block clusters and 64 KB of dynamic shared memory */
void phx_entry_add_cluster(void **args) { launch(args, "add", 2, 64 * 1024); }
/* 16-block clusters: needs the non-portable cluster size opt-in */
void phx_entry_add_cluster16(void **args) { launch(args, "add", 16, 0); }
/* kernel that the module does not have */
void phx_entry_missing(void **args) { launch(args, "nope", 0, 0); }
/* kernel that "faults": the error shows at the stream synchronization */
void phx_entry_fault(void **args) { launch(args, "fault", 0, 0); }

/* Temporary device buffer, memset, copies and events, then c = a + b via
 * the temporary. */
void phx_entry_add_staged(void **args) {
  Desc1 *a = (Desc1 *)args[0], *c = (Desc1 *)args[2];
  int64_t n = a->size;
  void *s0 = mgpuStreamCreate();
  void *s1 = mgpuStreamCreate();
  void *tmp = mgpuMemAlloc((uint64_t)(n ? n : 1) * 4, s0, 0);
  mgpuMemset32(tmp, 0x7fc00000u, (size_t)n, s0);
  void *ev = mgpuEventCreate();
  mgpuEventRecord(ev, s0);
  mgpuStreamWaitEvent(s1, ev);
  mgpuEventDestroy(ev);
  mgpuMemcpy(tmp, a->aligned + a->offset, (size_t)n * 4, s1);
  Desc1 t = {(float *)tmp, (float *)tmp, 0, n, 1};
  void *inner[3] = {&t, args[1], args[2]};
  launch(inner, "add", 0, 0);
  (void)c;
  mgpuStreamSynchronize(s1);
  mgpuMemFree(tmp, s1);
  mgpuStreamDestroy(s1);
  mgpuStreamDestroy(s0);
}

/* Writes the device address of a TMA descriptor for `a` (rank 1, f32, box
 * 16) into c[0..1] as raw bits. */
void phx_entry_tma(void **args) {
  int64_t box[1] = {16};
  void *d = mgpuTensorMapEncodeTiledMemref(1, args[0], 7 /*f32*/, 0, 0, 0, 0,
                                           box);
  Desc1 *c = (Desc1 *)args[2];
  uint64_t bits = (uint64_t)(uintptr_t)d;
  void *stream = mgpuStreamCreate();
  mgpuMemcpy(c->aligned + c->offset, &bits, sizeof bits, stream);
  mgpuStreamSynchronize(stream);
  mgpuStreamDestroy(stream);
}
