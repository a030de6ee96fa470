//===- SWRDialect.cpp - the swr dialect -----------------------------------===//
#include "phalanx/Dialect/SWR/SWRDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace phalanx::swr;

#include "phalanx/Dialect/SWR/SWRDialect.cpp.inc"

// The attribute storage classes must be complete where they are registered.
#define GET_ATTRDEF_CLASSES
#include "phalanx/Dialect/SWR/SWRAttrs.cpp.inc"

void SWRDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "phalanx/Dialect/SWR/SWRAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "phalanx/Dialect/SWR/SWROps.cpp.inc"
      >();
}
