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

/// The #swr.schedule knobs, the same in swr-gpu-tile's and
/// convert-swr-to-gpu's options.
template <typename PassOptions>
static PassOptions scheduleKnobs(const phalanx::GPUPipelineOptions &options) {
  PassOptions knobs;
  knobs.local = options.local;
  knobs.tilesPerLane = options.tilesPerLane;
  knobs.warps = options.warps;
  knobs.cluster = options.cluster;
  knobs.lane = options.lane;
  knobs.warp = options.warp;
  knobs.cta = options.cta;
  knobs.grid = options.grid;
  knobs.overrideSchedule = options.overrideSchedule;
  return knobs;
}

void phalanx::buildGPUPipeline(OpPassManager &pm,
                               const GPUPipelineOptions &options) {
  // swr.scan -> the tiled form with one carrier_scan per level (the
  // schedule resolved here), then the kernel built from that form.
  pm.addPass(createSWRGPUTile(scheduleKnobs<SWRGPUTileOptions>(options)));
  // phalanx.layer -> projections + one fused mix (the GPU form); the fused
  // kernels take the schedule knobs in convert-swr-to-gpu.
  pm.addPass(phalanx::createPhalanxFuseLayer());
  auto convert = scheduleKnobs<ConvertSWRToGPUOptions>(options);
  convert.layerGates = options.layerGates;
  convert.mmaChannels = options.mmaChannels;
  convert.mmaRing = options.mmaRing;
  convert.mmaRingGroup = options.mmaRingGroup;
  convert.mmaMatrixParts = options.mmaMatrixParts;
  convert.mmaLoopKernel = options.mmaLoopKernel;
  convert.layerSlots = options.layerSlots;
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
