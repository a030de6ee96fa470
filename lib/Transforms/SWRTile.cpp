// SKELETON: replaced by the real implementation.
#include "phalanx/Transforms/Passes.h"
namespace phalanx {
#define GEN_PASS_DEF_SWRTILE
#include "phalanx/Transforms/Passes.h.inc"
namespace {
struct SWRTilePass : impl::SWRTileBase<SWRTilePass> {
  void runOnOperation() override {
    getOperation()->emitError("SWRTile is not implemented yet");
    signalPassFailure();
  }
};
} // namespace
} // namespace phalanx
