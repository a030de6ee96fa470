#ifndef PHALANX_DIALECT_SWR_SWRBASE_TD
#define PHALANX_DIALECT_SWR_SWRBASE_TD

include "mlir/IR/OpBase.td"

def SWR_Dialect : Dialect {
  let name = "swr";
  let cppNamespace = "::phalanx::swr";
  let summary = "Sliding window recurrences on tensors";
  let description = [{
    The `swr` dialect expresses the diagonal linear recurrence
    `s[t] = a[t] * s[t-1] + x[t]` truncated to a jagged window of tiles
    (spec/swr.md). The window is semantics and lives in `#swr.window`; how the
    work maps onto hardware lives in `#swr.schedule` and never changes results.
    After tiling, the tiled ops (`swr.mask_gates`, `swr.tile_scan`,
    `swr.carrier_scan`, `swr.tile_apply`) make the in-tile contraction and the
    carriers that cross tiles explicit.
  }];
  let useDefaultAttributePrinterParser = 1;
}

#endif // PHALANX_DIALECT_SWR_SWRBASE_TD
