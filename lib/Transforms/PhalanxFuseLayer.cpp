//===- PhalanxFuseLayer.cpp - phalanx.layer into its fused form -----------===//
//
// Rewrites each `phalanx.layer` into the form the GPU path lowers
// (docs/gpu-lowering.md, "The layer"):
//
//   pa, pb, pc, pv = phalanx.project x, Wa / Wb / Wc / Wv   [B, N, L]
//   z   = phalanx.fused_mix a(pa, ba), b(pb, bb), c(pc, bc), v(pv)
//   out = phalanx.project_out z, Wo                          [B, L, Dm]
//
// The fusion pulls the gate activations, the kv-group repeat, the drive
// product and the post-gate into the recurrence (ARCHITECTURE.md): A, G, C
// and V are read once and Z written once.
//
//===----------------------------------------------------------------------===//
#include "phalanx/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"

namespace phalanx {
#define GEN_PASS_DEF_PHALANXFUSELAYER
#include "phalanx/Transforms/Passes.h.inc"
} // namespace phalanx

using namespace mlir;
using namespace phalanx::layer;

namespace {

/// [B, N, L] of x's element type (x : [B, L, K]).
RankedTensorType channelMajor(RankedTensorType x, int64_t n) {
  return RankedTensorType::get({x.getDimSize(0), n, x.getDimSize(1)},
                               x.getElementType());
}

LogicalResult fuse(LayerOp op) {
  auto x = cast<RankedTensorType>(op.getX().getType());
  Type elem = x.getElementType();
  for (Value v : op->getOperands())
    if (cast<RankedTensorType>(v.getType()).getElementType() != elem)
      return op.emitError()
             << "phalanx-fuse-layer: the fused layer takes x, the weights and "
                "the biases in one element type, got "
             << v.getType() << " next to x " << x;
  if (cast<RankedTensorType>(op.getOut().getType()).getElementType() != elem)
    return op.emitError() << "phalanx-fuse-layer: the fused layer's result "
                             "must have x's element type "
                          << elem << ", got " << op.getOut().getType();
  int64_t H = op.getHeads(), Hkv = op.getKvHeads(), D = op.getHeadDim();
  IRRewriter rewriter(op.getContext());
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  auto project = [&](Value w, int64_t n) -> Value {
    return ProjectOp::create(rewriter, loc, channelMajor(x, n), op.getX(), w);
  };
  Value pa = project(op.getWa(), H);
  Value pb = project(op.getWb(), Hkv * D);
  Value pc = project(op.getWc(), Hkv * D);
  Value pv = project(op.getWv(), H * D);
  auto mix = FusedMixOp::create(
      rewriter, loc, channelMajor(x, H * D), pa, op.getBa(), pb, op.getBb(),
      pc, op.getBc(), pv, op.getHeadsAttr(), op.getKvHeadsAttr(),
      op.getHeadDimAttr(), op.getWindowAttr(), op.getGlobalHeadsAttr(),
      op.getActAAttr(), op.getActBAttr());
  Value out = ProjectOutOp::create(rewriter, loc, op.getOut().getType(),
                                   mix.getZ(), op.getWo());
  rewriter.replaceOp(op, out);
  return success();
}

struct PhalanxFuseLayerPass
    : phalanx::impl::PhalanxFuseLayerBase<PhalanxFuseLayerPass> {
  void runOnOperation() override {
    SmallVector<LayerOp> layers;
    getOperation()->walk([&](LayerOp op) { layers.push_back(op); });
    for (LayerOp op : layers)
      if (failed(fuse(op)))
        return signalPassFailure();
  }
};

} // namespace
