//===- SWRToSCF.cpp - convert-swr-to-scf ----------------------------------===//
//
// Lowers the tiled swr ops (TiledOps.cpp) and untiled swr.scan
// (SequentialScan.cpp) to scf.for loops on tensors.
//
//===----------------------------------------------------------------------===//
#include "phalanx/Conversion/Passes.h"

#include "SWRToSCFCommon.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace phalanx::swr;

namespace phalanx {
#define GEN_PASS_DEF_CONVERTSWRTOSCF
#include "phalanx/Conversion/Passes.h.inc"

namespace {
struct ConvertSWRToSCFPass
    : impl::ConvertSWRToSCFBase<ConvertSWRToSCFPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (isa<ScanOp, MaskGatesOp, TileScanOp, CarrierScanOp, TileApplyOp>(op))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *op : ops) {
      LogicalResult result =
          llvm::TypeSwitch<Operation *, LogicalResult>(op)
              .Case([&](ScanOp o) {
                return swr_to_scf::lowerScanSequential(rewriter, o);
              })
              .Case([&](MaskGatesOp o) {
                return swr_to_scf::lowerMaskGates(rewriter, o);
              })
              .Case([&](TileScanOp o) {
                return swr_to_scf::lowerTileScan(rewriter, o);
              })
              .Case([&](CarrierScanOp o) {
                return swr_to_scf::lowerCarrierScan(rewriter, o);
              })
              .Case([&](TileApplyOp o) {
                return swr_to_scf::lowerTileApply(rewriter, o);
              });
      if (failed(result)) {
        op->emitOpError("could not be lowered to scf");
        return signalPassFailure();
      }
    }
  }
};
} // namespace
} // namespace phalanx
