//===- SWRTile.cpp - swr.scan -> the tiled form ---------------------------===//
//
// Rewrites each swr.scan into
//
//   %a_e = swr.mask_gates %a [resets(%r)] block = BL segment = S
//   %local, %prefix, %g, %v = swr.tile_scan %a_e, %x block = BL [transpose]
//   K = 0:  %y = swr.tile_apply %local, %prefix block = BL
//   K > 0:  %c = swr.carrier_scan %g, %v [init(%s)] hops = K [reverse]
//           %y = swr.tile_apply %local, %prefix carry(%c) block = BL
//
// All intermediate values are f32; the tile axis is static ceil(L / BL) when
// L is static. docs/swr-lowering.md explains why this is the window of
// spec/swr.md.
//
//===----------------------------------------------------------------------===//
#include "phalanx/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace phalanx {
#define GEN_PASS_DEF_SWRTILE
#include "phalanx/Transforms/Passes.h.inc"

namespace {
using namespace phalanx::swr;

/// Extent of the tile axis for `length` tokens in tiles of `block`.
int64_t tileCount(int64_t length, int64_t block) {
  if (ShapedType::isDynamic(length))
    return ShapedType::kDynamic;
  return (length + block - 1) / block;
}

/// The first static extent among `sizes`, else dynamic.
int64_t firstStatic(std::initializer_list<int64_t> sizes) {
  for (int64_t s : sizes)
    if (!ShapedType::isDynamic(s))
      return s;
  return ShapedType::kDynamic;
}

struct TileScan : OpRewritePattern<ScanOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ScanOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    WindowAttr window = op.getWindow();
    int64_t block = window.getBlock();
    int64_t hops = window.getHops();
    int64_t segment = window.getSegment();
    bool transpose = op.getTranspose();
    ScheduleAttr schedule = op.getScheduleAttr();

    Type f32 = rewriter.getF32Type();
    auto gatesType = cast<RankedTensorType>(op.getGates().getType());
    auto driveType = cast<RankedTensorType>(op.getDrive().getType());
    ArrayRef<int64_t> g = gatesType.getShape();
    ArrayRef<int64_t> x = driveType.getShape();
    int64_t tiles = tileCount(firstStatic({x[3], g[2]}), block);

    auto maskedType = RankedTensorType::get(g, f32);
    auto localType = RankedTensorType::get(x, f32);
    auto carrierGatesType = RankedTensorType::get({g[0], g[1], tiles}, f32);
    auto carrierStatesType =
        RankedTensorType::get({x[0], x[1], x[2], tiles}, f32);

    auto masked = MaskGatesOp::create(
        rewriter, loc, maskedType, op.getGates(), op.getResets(),
        rewriter.getI64IntegerAttr(block), rewriter.getI64IntegerAttr(segment));
    auto scan = TileScanOp::create(
        rewriter, loc, localType, maskedType, carrierGatesType,
        carrierStatesType, masked.getMasked(), op.getDrive(),
        rewriter.getI64IntegerAttr(block),
        transpose ? rewriter.getUnitAttr() : UnitAttr(), schedule);

    Value carry;
    if (hops != 0) {
      carry = CarrierScanOp::create(
          rewriter, loc, carrierStatesType, scan.getCarrierGates(),
          scan.getCarrierStates(), op.getInit(), /*partial=*/Value(),
          rewriter.getI64IntegerAttr(hops), /*span=*/IntegerAttr(),
          /*level=*/CarrierLevelAttr(), /*route=*/CarrierRouteAttr(),
          transpose ? rewriter.getUnitAttr() : UnitAttr(), schedule);
    }
    // hops = 0: init is never visible (tile(t) < 0 never holds), so it is
    // dropped with the carriers.
    auto apply = TileApplyOp::create(rewriter, loc, op.getY().getType(),
                                     scan.getLocal(), scan.getPrefix(), carry,
                                     rewriter.getI64IntegerAttr(block));
    rewriter.replaceOp(op, apply.getY());
    return success();
  }
};

struct SWRTilePass : impl::SWRTileBase<SWRTilePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<TileScan>(&getContext());
    GreedyRewriteConfig config;
    config.enableFolding(false);
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns),
                                     config)))
      signalPassFailure();
  }
};
} // namespace
} // namespace phalanx
