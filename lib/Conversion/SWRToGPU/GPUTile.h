//===- GPUTile.h - swr.scan -> the per-level tiled form, and back ---------===//
//
// The GPU tiled form (swr-gpu-tile): mask_gates, tile_scan with the
// schedule, one carrier_scan per level of the hierarchy the carriers cross
// (span, level, route), tile_apply. convert-swr-to-gpu builds its kernel
// from this form. docs/gpu-lowering.md, "The tiled form on the GPU".
//
//===----------------------------------------------------------------------===//
#ifndef PHALANX_LIB_CONVERSION_SWRTOGPU_GPUTILE_H
#define PHALANX_LIB_CONVERSION_SWRTOGPU_GPUTILE_H

#include "KernelBuilder.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/PatternMatch.h"
#include "phalanx/Dialect/SWR/SWRDialect.h"

#include <string>

namespace phalanx::swr_to_gpu {

/// The memref a tensor argument becomes on the host (device pointers).
inline mlir::MemRefType memrefFor(mlir::Type tensorType) {
  auto t = mlir::cast<mlir::RankedTensorType>(tensorType);
  return mlir::MemRefType::get(t.getShape(), t.getElementType());
}

/// The schedule knobs of swr-gpu-tile and convert-swr-to-gpu (Passes.td).
struct ScheduleKnobs {
  std::string local = "auto";
  int64_t tilesPerLane = 0, warps = 0, cluster = 0;
  std::string lane = "auto", warp = "auto", cta = "auto", grid = "auto";
  bool overrideSchedule = false;
};

/// The op's schedule, or the knobs' one (docs/gpu-lowering.md, "Default
/// schedule"), checked against the op's window.
mlir::FailureOr<swr::ScheduleAttr> resolveSchedule(swr::ScanOp op,
                                                   const ScheduleKnobs &knobs);
/// The same for an op with `window` and schedule `given` (null: none), e.g.
/// the fused kernels of phalanx.fused_mix (one per kind of head);
/// `rowsPerBatch` (H x D, or dynamic) picks the K = inf default;
/// `warpHaloCarrier`: the K = 1 kernel can compute a warp's halo tile with
/// the whole warp (KernelEmitter::warpTileCarrier: forward, no resets or
/// init, block <= 32), which makes lane shuffles + warp = halo its default;
/// `layerKernel`: the fused layer kernel (its K = 0 keeps 4 warps).
mlir::FailureOr<swr::ScheduleAttr>
resolveSchedule(mlir::Operation *op, swr::WindowAttr window,
                swr::ScheduleAttr given, const ScheduleKnobs &knobs,
                int64_t rowsPerBatch = mlir::ShapedType::kDynamic,
                bool warpHaloCarrier = false, bool layerKernel = false);

/// One level of the carrier chain: the tiles it completes and its route.
struct LevelStep {
  swr::CarrierLevel level;
  swr::CarrierRoute route;
  int64_t span; // tiles; -1: the whole sequence
};

/// The levels carriers cross under `schedule` for `hops` (empty for
/// hops = 0): lane, warp, cta (clusters only), grid, cut after a halo.
llvm::SmallVector<LevelStep> levelChain(swr::ScheduleAttr schedule,
                                        int64_t hops);

/// The public function whose body is one swr.scan on its arguments,
/// returned as is, or null.
swr::ScanOp entryScan(mlir::func::FuncOp fn);

/// The schedule of a GPU entry's swr.scan (resolveSchedule), or an error at
/// the op when it is not the whole body of a public function.
mlir::FailureOr<swr::ScheduleAttr> entrySchedule(swr::ScanOp op,
                                                 const ScheduleKnobs &knobs);

/// Rewrites `scan` into the GPU tiled form under `schedule`.
void tileForGPU(mlir::RewriterBase &rewriter, swr::ScanOp scan,
                swr::ScheduleAttr schedule);

/// A function in the GPU tiled form: its operands (function arguments) and
/// the kernel it describes.
struct TiledEntry {
  mlir::Value gates, drive, resets, init;
  mlir::Operation *anchor; // the tile_scan, for diagnostics
  KernelConfig config;
};

/// Matches `fn`'s body against the GPU tiled form (its arguments through
/// mask_gates, tile_scan, the level chain and tile_apply to the returned
/// value) and derives the kernel from it; emits an error and fails when the
/// body is not in that form or the chain contradicts the schedule.
mlir::FailureOr<TiledEntry> matchTiledEntry(mlir::func::FuncOp fn);

} // namespace phalanx::swr_to_gpu

#endif // PHALANX_LIB_CONVERSION_SWRTOGPU_GPUTILE_H
