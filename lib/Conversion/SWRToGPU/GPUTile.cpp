//===- GPUTile.cpp - swr-gpu-tile and the tiled form's kernel -------------===//
//
// swr.scan -> mask_gates, tile_scan, one carrier_scan per level the
// carriers cross, tile_apply (swr-gpu-tile); and the kernel description
// that convert-swr-to-gpu reads back from that form.
//
//===----------------------------------------------------------------------===//
#include "GPUTile.h"

#include "phalanx/Conversion/Passes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace phalanx::swr;

namespace phalanx::swr_to_gpu {

namespace {
int64_t tileCount(int64_t length, int64_t block) {
  return ShapedType::isDynamic(length) ? ShapedType::kDynamic
                                       : (length + block - 1) / block;
}
} // namespace

SmallVector<LevelStep> levelChain(ScheduleAttr s, int64_t hops) {
  SmallVector<LevelStep> chain;
  if (hops == 0)
    return chain;
  int64_t warpSpan = kWarpSize * s.getTilesPerLane();
  int64_t ctaSpan = s.getWarps() * warpSpan;
  auto add = [&](CarrierLevel level, CarrierRoute route, int64_t span) {
    bool halo = route == CarrierRoute::halo;
    chain.push_back({level, route, halo ? -1 : span});
    return halo;
  };
  // K = inf always completes its prefix through the grid (flags): the
  // schedule verifier rejects halos there.
  bool inf = hops < 0;
  if (add(CarrierLevel::lane, inf ? CarrierRoute::shuffle : s.getLane(),
          warpSpan))
    return chain;
  if (add(CarrierLevel::warp, inf ? CarrierRoute::smem : s.getWarp(),
          ctaSpan))
    return chain;
  if (s.getCluster() > 1) {
    // Distributed shared memory by loads (dsmem) or pushes (bulk); K = inf
    // needs one of them (dsmem unless bulk is asked for).
    CarrierRoute cta = s.getCta();
    if (cta != CarrierRoute::dsmem && cta != CarrierRoute::bulk)
      cta = inf ? CarrierRoute::dsmem : CarrierRoute::halo;
    if (add(CarrierLevel::cta, cta, s.getCluster() * ctaSpan))
      return chain;
  }
  add(CarrierLevel::grid,
      inf || s.getGrid() == CarrierRoute::flags ? CarrierRoute::flags
                                                : CarrierRoute::halo,
      -1);
  return chain;
}

ScanOp entryScan(func::FuncOp fn) {
  if (fn.isExternal() || !fn.getBody().hasOneBlock())
    return {};
  Block &block = fn.getBody().front();
  if (block.getOperations().size() != 2)
    return {};
  auto scan = dyn_cast<ScanOp>(block.front());
  auto ret = dyn_cast<func::ReturnOp>(block.back());
  if (!scan || !ret || ret.getNumOperands() != 1 ||
      ret.getOperand(0) != scan.getY())
    return {};
  for (Value operand : scan->getOperands())
    if (!isa<BlockArgument>(operand))
      return {};
  return scan;
}

FailureOr<ScheduleAttr> entrySchedule(ScanOp op, const ScheduleKnobs &knobs) {
  auto fn = dyn_cast_or_null<func::FuncOp>(op->getParentOp());
  if (!fn || fn.isPrivate() || entryScan(fn) != op)
    return op.emitError() << "swr.scan on the GPU must be the whole body of a "
                             "public function on its arguments (returned as "
                             "is); this form is not supported on the GPU yet";
  return resolveSchedule(op, knobs);
}

void tileForGPU(RewriterBase &rewriter, ScanOp op, ScheduleAttr schedule) {
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  WindowAttr window = op.getWindow();
  int64_t block = window.getBlock(), hops = window.getHops();
  bool transpose = op.getTranspose();
  Type f32 = rewriter.getF32Type();
  ArrayRef<int64_t> g = cast<RankedTensorType>(op.getGates().getType()).getShape();
  ArrayRef<int64_t> x = cast<RankedTensorType>(op.getDrive().getType()).getShape();
  int64_t tiles = tileCount(ShapedType::isDynamic(x[3]) ? g[2] : x[3], block);
  auto maskedType = RankedTensorType::get(g, f32);
  auto carrierGatesType = RankedTensorType::get({g[0], g[1], tiles}, f32);
  auto carrierStatesType = RankedTensorType::get({x[0], x[1], x[2], tiles}, f32);

  auto masked = MaskGatesOp::create(
      rewriter, loc, maskedType, op.getGates(), op.getResets(),
      rewriter.getI64IntegerAttr(block),
      rewriter.getI64IntegerAttr(window.getSegment()));
  auto scan = TileScanOp::create(
      rewriter, loc, RankedTensorType::get(x, f32), maskedType,
      carrierGatesType, carrierStatesType, masked.getMasked(), op.getDrive(),
      rewriter.getI64IntegerAttr(block),
      transpose ? rewriter.getUnitAttr() : UnitAttr(), schedule);
  Value carry;
  for (const LevelStep &step : levelChain(schedule, hops))
    carry = CarrierScanOp::create(
        rewriter, loc, carrierStatesType, scan.getCarrierGates(),
        scan.getCarrierStates(), op.getInit(), carry,
        rewriter.getI64IntegerAttr(hops),
        step.span == -1 ? IntegerAttr() : rewriter.getI64IntegerAttr(step.span),
        CarrierLevelAttr::get(rewriter.getContext(), step.level),
        CarrierRouteAttr::get(rewriter.getContext(), step.route),
        transpose ? rewriter.getUnitAttr() : UnitAttr(), ScheduleAttr());
  auto apply = TileApplyOp::create(rewriter, loc, op.getY().getType(),
                                   scan.getLocal(), scan.getPrefix(), carry,
                                   rewriter.getI64IntegerAttr(block));
  rewriter.replaceOp(op, apply.getY());
}

FailureOr<TiledEntry> matchTiledEntry(func::FuncOp fn) {
  auto fail = [&](Operation *at, const Twine &why) -> FailureOr<TiledEntry> {
    at->emitError() << "not in the GPU tiled form (swr-gpu-tile): " << why;
    return failure();
  };
  Block &body = fn.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  auto apply = ret.getNumOperands() == 1
                   ? ret.getOperand(0).getDefiningOp<TileApplyOp>()
                   : TileApplyOp();
  if (!apply)
    return fail(ret, "the function must return the result of a swr.tile_apply");
  auto tile = apply.getLocal().getDefiningOp<TileScanOp>();
  if (!tile || apply.getPrefix() != tile.getPrefix())
    return fail(apply, "tile_apply must take the local states and prefix of "
                       "one swr.tile_scan");
  auto mask = tile.getGates().getDefiningOp<MaskGatesOp>();
  if (!mask)
    return fail(tile, "tile_scan must take the gates of a swr.mask_gates");
  ScheduleAttr schedule = tile.getScheduleAttr();
  if (!schedule)
    return fail(tile, "tile_scan has no #swr.schedule");
  int64_t block = static_cast<int64_t>(tile.getBlock());
  if (static_cast<int64_t>(mask.getBlock()) != block ||
      static_cast<int64_t>(apply.getBlock()) != block)
    return fail(apply, "mask_gates, tile_scan and tile_apply must share the block");

  // The chain, read from the top level down through `partial`.
  SmallVector<CarrierScanOp> chain;
  for (Value c = apply.getCarry(); c;) {
    auto op = c.getDefiningOp<CarrierScanOp>();
    if (!op)
      return fail(apply, "the carry must come from a swr.carrier_scan");
    if (!op.getLevel())
      return fail(op, "carrier_scan has no level: run swr-gpu-tile, not swr-tile");
    if (op.getCarrierGates() != tile.getCarrierGates() ||
        op.getCarrierStates() != tile.getCarrierStates())
      return fail(op, "carrier_scan must take the carriers of the tile_scan");
    chain.insert(chain.begin(), op);
    c = op.getPartial();
  }
  int64_t hops = chain.empty() ? 0 : static_cast<int64_t>(chain[0].getHops());
  Value init = chain.empty() ? Value() : chain[0].getInit();
  for (CarrierScanOp op : chain)
    if (op.getInit() != init || op.getReverse() != tile.getTranspose())
      return fail(op, "every level must take the same init and the tile_scan's "
                      "direction");
  if (!chain.empty() && chain.back().getSpanTiles() != -1)
    return fail(chain.back(), "the last level must span the whole sequence");

  // The routes are the chain's; the levels after a halo are not consulted.
  CarrierRoute routes[4] = {CarrierRoute::halo, CarrierRoute::halo,
                            schedule.getCluster() > 1 ? CarrierRoute::halo
                                                      : CarrierRoute::none,
                            CarrierRoute::halo};
  for (CarrierScanOp op : chain)
    routes[static_cast<int>(*op.getLevel())] = *op.getRoute();
  if (schedule.getCluster() > 1 && routes[2] == CarrierRoute::none)
    routes[2] = CarrierRoute::halo;
  auto routed = ScheduleAttr::get(
      fn.getContext(), schedule.getLocal(), schedule.getTilesPerLane(),
      schedule.getWarps(), schedule.getCluster(), routes[0], routes[1],
      routes[2], routes[3]);
  // The chain must be the one the schedule's mapping implements.
  SmallVector<LevelStep> expect = levelChain(routed, hops);
  if (expect.size() != chain.size())
    return fail(chain.empty() ? tile.getOperation() : chain.back().getOperation(),
                Twine("the schedule crosses ") + Twine(expect.size()) +
                    " levels, the chain has " + Twine(chain.size()));
  for (auto [op, want] : llvm::zip(chain, expect))
    if (*op.getLevel() != want.level || *op.getRoute() != want.route ||
        op.getSpanTiles() != want.span)
      return fail(op, Twine("expected span ") + Twine(want.span) + " at " +
                          stringifyCarrierLevel(want.level) + " by " +
                          stringifyCarrierRoute(want.route) +
                          " (tiles_per_lane, warps and cluster of the schedule)");

  TiledEntry e;
  e.gates = mask.getGates();
  e.resets = mask.getResets();
  e.drive = tile.getDrive();
  e.init = hops != 0 ? init : Value();
  e.anchor = tile;
  for (Value v : {e.gates, e.resets, e.drive, e.init})
    if (v && !isa<BlockArgument>(v))
      return fail(tile, "gates, resets, drive and init must be function arguments");
  KernelConfig &c = e.config;
  c.block = block;
  c.hops = hops;
  c.segment = static_cast<int64_t>(mask.getSegment());
  c.transpose = tile.getTranspose();
  c.schedule = routed;
  auto driveType = cast<RankedTensorType>(e.drive.getType());
  c.channels = driveType.getDimSize(2);
  c.gatesType = memrefFor(e.gates.getType());
  c.driveType = memrefFor(driveType);
  if (e.resets)
    c.resetsType = memrefFor(e.resets.getType());
  if (e.init)
    c.initType = memrefFor(e.init.getType());
  c.outType = memrefFor(apply.getY().getType());
  // Nothing else may hide in the body: exactly the ops of the form.
  size_t ops = 3 + chain.size() + 1;
  if (body.getOperations().size() != ops)
    return fail(tile, "the body must hold only the tiled form and the return");
  return e;
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

} // namespace phalanx::swr_to_gpu

namespace phalanx {
#define GEN_PASS_DEF_SWRGPUTILE
#include "phalanx/Conversion/Passes.h.inc"

namespace {
using namespace swr_to_gpu;

struct SWRGPUTilePass : impl::SWRGPUTileBase<SWRGPUTilePass> {
  using Base::Base;
  void runOnOperation() override {
    ScheduleKnobs knobs{local,       tilesPerLane, warps, cluster, lane,
                        warp,        cta,          grid,  overrideSchedule};
    SmallVector<ScanOp> scans;
    getOperation().walk([&](ScanOp op) { scans.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (ScanOp op : scans) {
      FailureOr<ScheduleAttr> schedule = entrySchedule(op, knobs);
      if (failed(schedule))
        return signalPassFailure();
      tileForGPU(rewriter, op, *schedule);
    }
  }
};
} // namespace
} // namespace phalanx
