// SKELETON: replaced by the real implementation.
#include "phalanx/Conversion/Passes.h"
namespace phalanx {
#define GEN_PASS_DEF_PHALANXEMITENTRYWRAPPERS
#include "phalanx/Conversion/Passes.h.inc"
namespace {
struct PhalanxEmitEntryWrappersPass : impl::PhalanxEmitEntryWrappersBase<PhalanxEmitEntryWrappersPass> {
  void runOnOperation() override {
    getOperation()->emitError("PhalanxEmitEntryWrappers is not implemented yet");
    signalPassFailure();
  }
};
} // namespace
} // namespace phalanx
