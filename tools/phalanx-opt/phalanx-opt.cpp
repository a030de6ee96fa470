//===- phalanx-opt.cpp - the phalanx optimizer driver ---------------------===//
//
// mlir-opt with the swr and phalanx dialects, our passes and pipelines, and
// every upstream dialect and pass.
//
//===----------------------------------------------------------------------===//
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "phalanx/Dialect/Phalanx/PhalanxDialect.h"
#include "phalanx/Dialect/SWR/SWRDialect.h"
#include "phalanx/Pipelines/Pipelines.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  phalanx::registerPhalanxPassesAndPipelines();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // gpu-module-to-binary translates kernels to LLVM IR (phalanx-gpu-pipeline).
  mlir::registerAllGPUToLLVMIRTranslations(registry);
  registry.insert<phalanx::swr::SWRDialect, phalanx::layer::PhalanxDialect>();

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "Phalanx optimizer: sliding window recurrence compiler\n",
      registry));
}
