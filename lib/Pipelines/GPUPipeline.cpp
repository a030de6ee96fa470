//===- GPUPipeline.cpp - phalanx-gpu-pipeline -----------------------------===//
//
// swr.scan entries on tensors -> a host function that launches a CUDA kernel,
// the kernel compiled to a cubin for sm_90a by ptxas, everything else in the
// LLVM dialect with packed entry points (docs/gpu-lowering.md).
//
//===----------------------------------------------------------------------===//
#include "phalanx/Pipelines/Pipelines.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "phalanx/Conversion/Passes.h"
#include "phalanx/Transforms/Passes.h"

using namespace mlir;

void phalanx::buildGPUPipeline(OpPassManager &pm,
                               const GPUPipelineOptions &options) {
  // swr.scan -> the tiled form with one carrier_scan per level (the
  // schedule resolved here), then the kernel built from that form.
  SWRGPUTileOptions swr;
  swr.local = options.local;
  swr.tilesPerLane = options.tilesPerLane;
  swr.warps = options.warps;
  swr.cluster = options.cluster;
  swr.lane = options.lane;
  swr.warp = options.warp;
  swr.cta = options.cta;
  swr.grid = options.grid;
  swr.overrideSchedule = options.overrideSchedule;
  pm.addPass(createSWRGPUTile(swr));
  // phalanx.layer -> projections + one fused mix (the GPU form); the fused
  // kernels take the schedule knobs in convert-swr-to-gpu.
  pm.addPass(phalanx::createPhalanxFuseLayer());
  ConvertSWRToGPUOptions convert;
  convert.local = options.local;
  convert.tilesPerLane = options.tilesPerLane;
  convert.warps = options.warps;
  convert.cluster = options.cluster;
  convert.lane = options.lane;
  convert.warp = options.warp;
  convert.cta = options.cta;
  convert.grid = options.grid;
  convert.overrideSchedule = options.overrideSchedule;
  convert.layerGates = options.layerGates;
  convert.mmaChannels = options.mmaChannels;
  pm.addPass(createConvertSWRToGPU(convert));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  // Kernels -> NVVM (scf first, for the kernels and the host alike).
  pm.addPass(createSCFToControlFlowPass());
  ConvertGpuOpsToNVVMOpsOptions nvvm;
  nvvm.indexBitwidth = 64;
  pm.addNestedPass<gpu::GPUModuleOp>(createConvertGpuOpsToNVVMOps(nvvm));
  pm.addNestedPass<gpu::GPUModuleOp>(createCanonicalizerPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createCSEPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createReconcileUnrealizedCastsPass());
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.features = options.features;
  target.optLevel = options.optLevel;
  pm.addPass(createGpuNVVMAttachTarget(target));
  pm.addPass(createConvertNVVMToLLVMPass());

  // Host -> LLVM; gpu.launch_func stays for the translation to LLVM IR,
  // which calls the mgpu* wrappers (mgpuModuleLoad, mgpuLaunchKernel,
  // mgpuLaunchClusterKernel, mgpuStream*, mgpuMem*).
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createGpuToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());

  // Kernels -> cubin (ptxas from the toolkit), or PTX text with format=isa.
  GpuModuleToBinaryPassOptions binary;
  binary.toolkitPath = options.toolkit;
  binary.compilationTarget = options.format;
  pm.addPass(createGpuModuleToBinaryPass(binary));
  pm.addPass(phalanx::createPhalanxEmitEntryWrappers());
  pm.addPass(createCanonicalizerPass());
}

void phalanx::registerGPUPipeline() {
  PassPipelineRegistration<GPUPipelineOptions>(
      "phalanx-gpu-pipeline",
      "Lower swr.scan entries on tensors to host LLVM dialect that launches "
      "CUDA kernels (gpu.binary with a cubin for sm_90a), with packed entry "
      "points (docs/gpu-lowering.md)",
      buildGPUPipeline);
}
