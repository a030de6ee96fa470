//===- Schedule.cpp - the schedule of a GPU entry -------------------------===//
//
// The op's #swr.schedule, or the one the knobs and the default rule give
// (docs/gpu-lowering.md, "Default schedule"), shared by swr-gpu-tile and
// convert-swr-to-gpu.
//
//===----------------------------------------------------------------------===//
#include "GPUTile.h"

using namespace mlir;
using namespace phalanx::swr;

namespace phalanx::swr_to_gpu {

FailureOr<ScheduleAttr> resolveSchedule(ScanOp op, const ScheduleKnobs &knobs) {
  auto drive = cast<RankedTensorType>(op.getDrive().getType());
  int64_t h = drive.getDimSize(1), d = drive.getDimSize(2);
  int64_t rows = ShapedType::isDynamic(h) || ShapedType::isDynamic(d)
                     ? ShapedType::kDynamic
                     : h * d;
  bool warpHaloCarrier =
      warpScansHaloTile(op.getTranspose(), bool(op.getResets()),
                        bool(op.getInit()), op.getWindow().getBlock());
  return resolveSchedule(op, op.getWindow(), op.getScheduleAttr(), knobs, rows,
                         warpHaloCarrier);
}

FailureOr<ScheduleAttr> resolveSchedule(Operation *op, WindowAttr window,
                                        ScheduleAttr given,
                                        const ScheduleKnobs &knobs,
                                        int64_t rowsPerBatch,
                                        bool warpHaloCarrier,
                                        bool layerKernel) {
  MLIRContext *ctx = op->getContext();
  const std::string &local = knobs.local, &lane = knobs.lane,
                    &warp = knobs.warp, &cta = knobs.cta, &grid = knobs.grid;
  int64_t tilesPerLane = knobs.tilesPerLane, warps = knobs.warps,
          cluster = knobs.cluster;
  bool overrideSchedule = knobs.overrideSchedule;
  bool useKnobs = !given || overrideSchedule;
  ScheduleAttr s = given ? given : ScheduleAttr::getDefault(ctx);
  LocalStrategy loc = s.getLocal();
  int64_t tpl = s.getTilesPerLane(), w = s.getWarps(), cl = s.getCluster();
  CarrierRoute rLane = s.getLane(), rWarp = s.getWarp(),
               rCta = s.getCta(), rGrid = s.getGrid();
  // The default rule (docs/gpu-lowering.md, "Default schedule"; measured
  // on the H200, docs/benchmarks.md): K = 1 in 2-warp CTAs; lanes take
  // their neighbour's carrier by shuffle and the warp computes its first
  // lane's one together, one token per lane (warp = halo:
  // KernelEmitter::warpTileCarrier; no workgroup memory or barrier; 0.4-1.5
  // points of copy over lane = halo in run 9, and in the fused layer kernel
  // a halo tile would cost 2 x block activations); where the warp cannot
  // (transpose, resets, init, block > 32) each thread recomputes the one
  // previous tile (lane = halo: the neighbour's tokens come from L1). Other
  // finite K use shuffles and workgroup memory with a grid halo when the
  // halo is short (a route or cluster knob turns the K = 1 rule off); K =
  // inf takes 2 tiles per lane and one warp per CTA (the row loop, or with
  // few rows the units kernel: KernelConfig::rowLoop, KernelPart::units).
  if (!given && !window.isInfiniteHops() &&
      window.getHops() * window.getBlock() <= 256)
    rGrid = CarrierRoute::halo;
  auto isAuto = [](StringRef knob) { return knob.empty() || knob == "auto"; };
  bool routesAuto = isAuto(lane) && isAuto(warp) && isAuto(cta) &&
                    isAuto(grid) && cluster <= 0;
  // (local = mma: lane = halo too, its warps recomputing the tile before
  // their runs of tiles; warps = 1 below.)
  if (!given && routesAuto && window.getHops() == 1) {
    rLane = CarrierRoute::halo;
    w = 2;
    if (warpHaloCarrier && tilesPerLane <= 1) {
      rLane = CarrierRoute::shuffle;
      rWarp = CarrierRoute::halo;
    }
  }
  // K = 0 (the plain scan): 2 warps (0.3-0.8 points of copy above 4 at
  // every size and split in runs 5 and 9, docs/benchmarks.md).
  if (!given && window.getHops() == 0 && !layerKernel)
    w = 2;
  if (!given && window.isInfiniteHops()) {
    // One warp x 2 tiles when H x D >= kRowLoopWarps / 2: the row loop
    // from B = 2 (H x D = 512: 84-86 % of copy against 53-67 % for the
    // 8-warp row loop at B = 4; the units kernel at B = 1: 52-58 %
    // against 60-63 %, docs/benchmarks.md run 8); else 8 warps (the 8-warp
    // row loop, or with still fewer rows the units kernel).
    bool loops = !ShapedType::isDynamic(rowsPerBatch) &&
                 2 * rowsPerBatch >= KernelConfig::kRowLoopWarps;
    tpl = 2;
    w = loops ? 1 : 8;
  }
  // local = mma: one warp per channel, 16 channels per CTA (warps 1 / 2 /
  // 4 gave 41 / 28 / 16 % of copy at K = 0 on the H200, 2026-11-28); 4
  // tiles per lane for finite K (the mma warp's run: 8 tiles; 2 tiles per
  // lane measured 1-2 points slower at K = 0, 5-6 at K = 1), 1 for K = inf
  // (512-token row-loop chunks; the 128-register kernel for long rows takes
  // 2, mmaWideConfig; 2 in the 64-register kernel spill 344 bytes: 27 % of
  // copy at L = 2048, docs/benchmarks.md "mma kinf runs 5-8"); finite K with a
  // short halo (hops * block <= 256)
  // recomputes it per mma warp (lane = halo: 64-69 % of copy at K = 1
  // against 41 % for the carrier exchange; docs/benchmarks.md).
  if (!given && local == "mma") {
    w = 1;
    tpl = window.isInfiniteHops() ? 1 : 4;
    if (routesAuto && !window.isInfiniteHops() && window.getHops() > 0 &&
        window.getHops() * window.getBlock() <= 256) {
      rLane = CarrierRoute::halo;
      rWarp = s.getWarp();
    }
  }
  if (useKnobs) {
    auto route = [&](StringRef knob, StringRef text,
                     CarrierRoute &field) -> LogicalResult {
      if (text == "auto" || text.empty())
        return success();
      std::optional<CarrierRoute> r = symbolizeCarrierRoute(text);
      if (!r)
        return op->emitError() << "convert-swr-to-gpu: unknown " << knob
                              << " route '" << text << "'";
      field = *r;
      return success();
    };
    if (local != "auto" && !local.empty()) {
      std::optional<LocalStrategy> l = symbolizeLocalStrategy(local);
      if (!l)
        return op->emitError()
               << "convert-swr-to-gpu: unknown local strategy '" << local
               << "'";
      loc = *l;
    }
    if (tilesPerLane > 0)
      tpl = tilesPerLane;
    if (warps > 0)
      w = warps;
    if (cluster > 0) {
      cl = cluster;
      if (rCta == CarrierRoute::none && cl > 1)
        rCta = CarrierRoute::dsmem;
      if (cl == 1)
        rCta = CarrierRoute::none;
    }
    if (failed(route("lane", lane, rLane)) ||
        failed(route("warp", warp, rWarp)) ||
        failed(route("cta", cta, rCta)) ||
        failed(route("grid", grid, rGrid)))
      return failure();
  }
  auto emitError = [&] { return op->emitError(); };
  if (failed(ScheduleAttr::verify(emitError, loc, tpl, w, cl, rLane, rWarp,
                                  rCta, rGrid)))
    return failure();
  ScheduleAttr result =
      ScheduleAttr::get(ctx, loc, tpl, w, cl, rLane, rWarp, rCta, rGrid);
  if (failed(result.verifyForWindow(emitError, window)))
    return failure();
  return result;
}

} // namespace phalanx::swr_to_gpu
