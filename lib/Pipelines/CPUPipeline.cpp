//===- CPUPipeline.cpp - phalanx-cpu-pipeline -----------------------------===//
//
// The reference execution path: model IR on tensors down to the LLVM dialect.
//
//===----------------------------------------------------------------------===//
#include "phalanx/Pipelines/Pipelines.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "phalanx/Conversion/Passes.h"
#include "phalanx/Transforms/Passes.h"

using namespace mlir;

void phalanx::buildCPUPipeline(OpPassManager &pm,
                               const CPUPipelineOptions &options) {
  // Model level -> swr on tensors -> loops on tensors.
  pm.addPass(createPhalanxDecompose());
  if (options.tiled)
    pm.addPass(createSWRTile());
  pm.addPass(createConvertSWRToSCF());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  // Tensors -> buffers. Entry functions get identity-layout memrefs so the
  // runtime can pass plain contiguous descriptors, and results become
  // out-parameters that the caller allocates.
  bufferization::OneShotBufferizePassOptions bufferizeOptions;
  bufferizeOptions.bufferizeFunctionBoundaries = true;
  bufferizeOptions.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferizeOptions));
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addPass(createCanonicalizerPass());

  // Loops and scalars -> LLVM.
  pm.addPass(createConvertLinalgToLoopsPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  arith::ArithExpandOpsPassOptions expandOptions;
  expandOptions.includeBf16 = true;
  expandOptions.includeF8E8M0 = false;
  pm.addPass(arith::createArithExpandOpsPass(expandOptions));
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createPhalanxEmitEntryWrappers());
  pm.addPass(createCanonicalizerPass());
}

void phalanx::registerPhalanxPassesAndPipelines() {
  registerPhalanxTransformsPasses();
  registerPhalanxConversionPasses();
  PassPipelineRegistration<CPUPipelineOptions>(
      "phalanx-cpu-pipeline",
      "Lower phalanx.layer / swr.scan on tensors to the LLVM dialect for the "
      "CPU, with packed entry points (docs/artifact-format.md)",
      buildCPUPipeline);
}
