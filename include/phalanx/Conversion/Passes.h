//===- Passes.h - phalanx conversions ---------------------------*- C++ -*-===//
#ifndef PHALANX_CONVERSION_PASSES_H
#define PHALANX_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"
#include "phalanx/Dialect/SWR/SWRDialect.h"

namespace phalanx {
#define GEN_PASS_DECL
#include "phalanx/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "phalanx/Conversion/Passes.h.inc"
} // namespace phalanx

#endif // PHALANX_CONVERSION_PASSES_H
