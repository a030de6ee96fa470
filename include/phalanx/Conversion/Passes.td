#ifndef PHALANX_CONVERSION_PASSES_TD
#define PHALANX_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertSWRToSCF : Pass<"convert-swr-to-scf"> {
  let summary = "Lower swr ops to scf loops on tensors (the CPU path)";
  let description = [{
    Lowers the tiled swr ops (`swr.mask_gates`, `swr.tile_scan`,
    `swr.carrier_scan`, `swr.tile_apply`) to `scf.for` loops over
    `tensor.extract` / `tensor.insert` with f32 arithmetic, ready for one-shot
    bufferization. An `swr.scan` that was not tiled is lowered to a plain
    sequential recurrence per window (a second, independent implementation
    used for cross-checks).
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

def PhalanxEmitEntryWrappers : Pass<"phalanx-emit-entry-wrappers", "::mlir::ModuleOp"> {
  let summary = "Add packed entry points `phx_entry_<name>(void **args)`";
  let description = [{
    Runs on LLVM dialect IR produced from functions carrying
    `llvm.emit_c_interface`. For each public function `f` it adds
    `phx_entry_f(ptr %args)` that loads the i-th pointer of `%args` and passes
    it to `_mlir_ciface_f`: the calling convention of docs/artifact-format.md,
    callable by the runtime without knowing the argument count at compile time.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // PHALANX_CONVERSION_PASSES_TD
