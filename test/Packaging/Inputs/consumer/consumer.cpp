// Parses a module with swr ops and runs our swr-tile pass from another project.
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "phalanx/Dialect/SWR/SWRDialect.h"
#include "phalanx/Transforms/Passes.h"
#include "llvm/Support/raw_ostream.h"

int main() {
  mlir::MLIRContext context;
  context.loadDialect<mlir::func::FuncDialect, phalanx::swr::SWRDialect>();
  const char *source = R"mlir(
    func.func @f(%a: tensor<1x2x32xf32>, %x: tensor<1x2x16x32xf32>) -> tensor<1x2x16x32xf32> {
      %y = swr.scan %a, %x window <block = 16, hops = 1> : (tensor<1x2x32xf32>, tensor<1x2x16x32xf32>) -> tensor<1x2x16x32xf32>
      return %y : tensor<1x2x16x32xf32>
    })mlir";
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(source, &context);
  if (!module)
    return 1;
  mlir::PassManager pm(&context);
  pm.addPass(phalanx::createSWRTile());
  if (mlir::failed(pm.run(*module)))
    return 2;
  module->print(llvm::outs());
  return 0;
}
