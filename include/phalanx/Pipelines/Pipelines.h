//===- Pipelines.h - phalanx pass pipelines ---------------------*- C++ -*-===//
#ifndef PHALANX_PIPELINES_PIPELINES_H
#define PHALANX_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace phalanx {

/// Options of `phalanx-cpu-pipeline`.
struct CPUPipelineOptions
    : public mlir::PassPipelineOptions<CPUPipelineOptions> {
  Option<bool> tiled{*this, "tiled",
                     llvm::cl::desc("Lower swr.scan through the tiled form "
                                    "(tiles and carriers); false lowers it as a "
                                    "plain sequential recurrence"),
                     llvm::cl::init(true)};
};

/// phalanx.layer / swr.scan on tensors -> LLVM dialect with packed entry
/// points, ready for translation to LLVM IR.
void buildCPUPipeline(mlir::OpPassManager &pm,
                      const CPUPipelineOptions &options);

/// Registers every phalanx pass and pipeline with the global registry.
void registerPhalanxPassesAndPipelines();

} // namespace phalanx

#endif // PHALANX_PIPELINES_PIPELINES_H
