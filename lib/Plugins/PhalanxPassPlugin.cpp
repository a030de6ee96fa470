//===- PhalanxPassPlugin.cpp - phalanx passes for upstream tools ----------===//
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "phalanx/Pipelines/Pipelines.h"

extern "C" LLVM_ATTRIBUTE_WEAK mlir::PassPluginLibraryInfo
mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "Phalanx", "0.1.0",
          []() { phalanx::registerPhalanxPassesAndPipelines(); }};
}
