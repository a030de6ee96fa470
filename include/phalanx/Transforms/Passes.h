//===- Passes.h - phalanx transforms ----------------------------*- C++ -*-===//
#ifndef PHALANX_TRANSFORMS_PASSES_H
#define PHALANX_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"
#include "phalanx/Dialect/Phalanx/PhalanxDialect.h"
#include "phalanx/Dialect/SWR/SWRDialect.h"

namespace phalanx {
#define GEN_PASS_DECL
#include "phalanx/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "phalanx/Transforms/Passes.h.inc"
} // namespace phalanx

#endif // PHALANX_TRANSFORMS_PASSES_H
