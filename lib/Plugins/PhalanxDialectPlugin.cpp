//===- PhalanxDialectPlugin.cpp - swr and phalanx for upstream tools ------===//
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "phalanx/Dialect/Phalanx/PhalanxDialect.h"
#include "phalanx/Dialect/SWR/SWRDialect.h"

extern "C" LLVM_ATTRIBUTE_WEAK mlir::DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "Phalanx", "0.1.0",
          [](mlir::DialectRegistry *registry) {
            registry->insert<phalanx::swr::SWRDialect,
                             phalanx::layer::PhalanxDialect>();
          }};
}
