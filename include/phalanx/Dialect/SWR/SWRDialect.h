//===- SWRDialect.h - the swr dialect ---------------------------*- C++ -*-===//
#ifndef PHALANX_DIALECT_SWR_SWRDIALECT_H
#define PHALANX_DIALECT_SWR_SWRDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "phalanx/Dialect/SWR/SWRDialect.h.inc"
#include "phalanx/Dialect/SWR/SWREnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "phalanx/Dialect/SWR/SWRAttrs.h.inc"

#define GET_OP_CLASSES
#include "phalanx/Dialect/SWR/SWROps.h.inc"

#endif // PHALANX_DIALECT_SWR_SWRDIALECT_H
