/* Host code for runtime tests: what the compiler's CPU output looks like
 * (void SYMBOL(void **args), one MLIR memref descriptor per operand). */
#include <stdint.h>

/* Descriptor words: allocated, aligned, offset, sizes[r], strides[r]. */
static float *data_f32(void *desc) {
  int64_t *w = (int64_t *)desc;
  float *aligned = (float *)(intptr_t)w[1];
  return aligned + w[2];
}
static int64_t size_at(void *desc, int dim) { return ((int64_t *)desc)[3 + dim]; }

/* c[i] = a[i] + b[i], rank-1 f32 */
void phx_entry_add(void **args) {
  float *a = data_f32(args[0]), *b = data_f32(args[1]), *c = data_f32(args[2]);
  int64_t n = size_at(args[0], 0);
  for (int64_t i = 0; i < n; ++i)
    c[i] = a[i] + b[i];
}

/* swr.scan, window block 4, hops 1, segment inf; a [B,H,L], x [B,H,D,L]. */
void phx_entry_scan(void **args) {
  const int64_t BL = 4;
  float *a = data_f32(args[0]), *x = data_f32(args[1]), *y = data_f32(args[2]);
  int64_t B = size_at(args[1], 0), H = size_at(args[1], 1),
          D = size_at(args[1], 2), L = size_at(args[1], 3);
  for (int64_t bh = 0; bh < B * H; ++bh)
    for (int64_t d = 0; d < D; ++d)
      for (int64_t t = 0; t < L; ++t) {
        int64_t lo = (t / BL - 1) * BL;
        double acc = 0, coef = 1;
        if (lo < 0)
          lo = 0;
        for (int64_t j = t; j >= lo; --j) {
          acc += coef * x[(bh * D + d) * L + j];
          coef *= a[bh * L + j];
        }
        y[(bh * D + d) * L + t] = (float)acc;
      }
}

/* Writes nothing: its results stay poisoned. */
void phx_entry_noop(void **args) { (void)args; }
