// SKELETON: replaced by the real implementation.
#include "phalanx/Conversion/Passes.h"
namespace phalanx {
#define GEN_PASS_DEF_CONVERTSWRTOSCF
#include "phalanx/Conversion/Passes.h.inc"
namespace {
struct ConvertSWRToSCFPass : impl::ConvertSWRToSCFBase<ConvertSWRToSCFPass> {
  void runOnOperation() override {
    getOperation()->emitError("ConvertSWRToSCF is not implemented yet");
    signalPassFailure();
  }
};
} // namespace
} // namespace phalanx
