//===- PhalanxDialect.cpp - the phalanx dialect ---------------------------===//
#include "phalanx/Dialect/Phalanx/PhalanxDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace phalanx::layer;

#include "phalanx/Dialect/Phalanx/PhalanxDialect.cpp.inc"
#include "phalanx/Dialect/Phalanx/PhalanxEnums.cpp.inc"
#define GET_ATTRDEF_CLASSES
#include "phalanx/Dialect/Phalanx/PhalanxAttrs.cpp.inc"

void PhalanxDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "phalanx/Dialect/Phalanx/PhalanxAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "phalanx/Dialect/Phalanx/PhalanxOps.cpp.inc"
      >();
}
