//===- CPUPipeline.cpp - phalanx-cpu-pipeline -----------------------------===//
//
// The reference execution path: model IR on tensors down to the LLVM dialect.
//
//===----------------------------------------------------------------------===//
#include "phalanx/Pipelines/Pipelines.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "phalanx/Conversion/Passes.h"
#include "phalanx/Transforms/Passes.h"

using namespace mlir;


/// Loops and linalg on tensors -> LLVM dialect with packed entry points.
static void buildCPULoweringPipeline(OpPassManager &pm) {
  // Tensors -> buffers. Entry functions get identity-layout memrefs so the
  // runtime can pass plain contiguous descriptors, and results become
  // out-parameters that the caller allocates (static and dynamic shapes: the
  // allocation of a result is replaced by its out-parameter).
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  bufferization::OneShotBufferizePassOptions bufferizeOptions;
  bufferizeOptions.bufferizeFunctionBoundaries = true;
  bufferizeOptions.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferizeOptions));
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.hoistDynamicAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addPass(createCanonicalizerPass());
  // Free the temporaries (one-shot bufferization only allocates).
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());

  // Buffers -> loops and scalars.
  pm.addNestedPass<func::FuncOp>(phalanx::createPhalanxCPULegalizeMemRef());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // bf16 / f16: math in f32, bf16 conversions expanded to integer ops (no
  // compiler-rt helpers needed); f16 conversions use libgcc's helpers.
  pm.addPass(math::createMathExtendToSupportedTypes());
  arith::ArithExpandOpsPassOptions expandOptions;
  expandOptions.includeBf16 = true;
  expandOptions.includeF8E8M0 = false;
  pm.addPass(arith::createArithExpandOpsPass(expandOptions));
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createCanonicalizerPass());

  // -> LLVM dialect.
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(phalanx::createPhalanxEmitEntryWrappers());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void phalanx::buildCPUPipeline(OpPassManager &pm,
                               const CPUPipelineOptions &options) {
  // Model level -> swr on tensors -> loops on tensors.
  pm.addPass(createPhalanxDecompose());
  if (options.tiled)
    pm.addPass(createSWRTile());
  pm.addPass(createConvertSWRToSCF());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  buildCPULoweringPipeline(pm);
}

void phalanx::registerPhalanxPassesAndPipelines() {
  registerPhalanxTransformsPasses();
  registerPhalanxConversionPasses();
  PassPipelineRegistration<CPUPipelineOptions>(
      "phalanx-cpu-pipeline",
      "Lower phalanx.layer / swr.scan on tensors to the LLVM dialect for the "
      "CPU, with packed entry points (docs/artifact-format.md)",
      buildCPUPipeline);
  PassPipelineRegistration<>(
      "phalanx-cpu-lowering",
      "The second half of phalanx-cpu-pipeline: linalg / scf / arith / math "
      "on tensors (no phalanx or swr ops) to the LLVM dialect with packed "
      "entry points",
      buildCPULoweringPipeline);
  registerGPUPipeline();
}
