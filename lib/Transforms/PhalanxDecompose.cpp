// SKELETON: replaced by the real implementation.
#include "phalanx/Transforms/Passes.h"
namespace phalanx {
#define GEN_PASS_DEF_PHALANXDECOMPOSE
#include "phalanx/Transforms/Passes.h.inc"
namespace {
struct PhalanxDecomposePass : impl::PhalanxDecomposeBase<PhalanxDecomposePass> {
  void runOnOperation() override {
    getOperation()->emitError("PhalanxDecompose is not implemented yet");
    signalPassFailure();
  }
};
} // namespace
} // namespace phalanx
