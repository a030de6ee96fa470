//===- EntryWrappers.cpp - packed entry points phx_entry_<name> -----------===//
//
// For every `_mlir_ciface_<name>` produced by convert-func-to-llvm (functions
// carrying `llvm.emit_c_interface`), adds
//
//   llvm.func @phx_entry_<name>(%args: !llvm.ptr)
//
// which loads args[i] for every parameter i of the C interface and calls it.
// A pointer parameter (a memref descriptor, by address) receives args[i]
// itself; a scalar parameter (i64, f32, ...) is loaded from the address in
// args[i]. This is the host calling convention of docs/artifact-format.md:
// `void phx_entry_NAME(void **args)`, arguments then out-param results.
//
//===----------------------------------------------------------------------===//
#include "phalanx/Conversion/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

namespace phalanx {
#define GEN_PASS_DEF_PHALANXEMITENTRYWRAPPERS
#include "phalanx/Conversion/Passes.h.inc"

namespace {
using namespace mlir;

constexpr llvm::StringLiteral kCifacePrefix = "_mlir_ciface_";
constexpr llvm::StringLiteral kEntryPrefix = "phx_entry_";

struct PhalanxEmitEntryWrappersPass
    : impl::PhalanxEmitEntryWrappersBase<PhalanxEmitEntryWrappersPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    SymbolTable symbols(module);

    SmallVector<LLVM::LLVMFuncOp> cifaces;
    for (auto fn : module.getOps<LLVM::LLVMFuncOp>())
      if (fn.getName().starts_with(kCifacePrefix) && !fn.isExternal())
        cifaces.push_back(fn);

    auto ptrTy = LLVM::LLVMPointerType::get(ctx);
    auto voidTy = LLVM::LLVMVoidType::get(ctx);
    OpBuilder builder(ctx);

    for (LLVM::LLVMFuncOp ciface : cifaces) {
      StringRef name = ciface.getName().drop_front(kCifacePrefix.size());
      std::string entryName = (kEntryPrefix + name).str();
      if (symbols.lookup(entryName))
        continue; // already wrapped (the pass is idempotent)
      if (ciface.isVarArg()) {
        ciface.emitError("cannot wrap a variadic C interface function");
        return signalPassFailure();
      }
      LLVM::LLVMFunctionType cifaceTy = ciface.getFunctionType();
      if (!isa<LLVM::LLVMVoidType>(cifaceTy.getReturnType())) {
        ciface.emitError()
            << "entry '" << name
            << "' returns a value; entries must return their results as "
               "out-parameters (run buffer-results-to-out-params first)";
        return signalPassFailure();
      }

      Location loc = ciface.getLoc();
      builder.setInsertionPointAfter(ciface);
      auto entryTy = LLVM::LLVMFunctionType::get(voidTy, {ptrTy});
      auto entry =
          LLVM::LLVMFuncOp::create(builder, loc, entryName, entryTy);
      Block *body = entry.addEntryBlock(builder);
      builder.setInsertionPointToStart(body);
      Value args = body->getArgument(0);

      SmallVector<Value> callArgs;
      for (auto [i, paramTy] : llvm::enumerate(cifaceTy.getParams())) {
        Value slot = args;
        if (i != 0) {
          slot = LLVM::GEPOp::create(builder, loc, ptrTy, ptrTy, args,
                                     ArrayRef<LLVM::GEPArg>{
                                         static_cast<int32_t>(i)},
                                     LLVM::GEPNoWrapFlags::inbounds);
        }
        Value argPtr = LLVM::LoadOp::create(builder, loc, ptrTy, slot);
        if (!isa<LLVM::LLVMPointerType>(paramTy))
          argPtr = LLVM::LoadOp::create(builder, loc, paramTy, argPtr);
        callArgs.push_back(argPtr);
      }
      LLVM::CallOp::create(builder, loc, ciface, callArgs);
      LLVM::ReturnOp::create(builder, loc, ValueRange{});
      symbols.insert(entry);
    }
  }
};
} // namespace
} // namespace phalanx
