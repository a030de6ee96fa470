//===- PhalanxDialect.h - the phalanx dialect -------------------*- C++ -*-===//
#ifndef PHALANX_DIALECT_PHALANX_PHALANXDIALECT_H
#define PHALANX_DIALECT_PHALANX_PHALANXDIALECT_H

#include "phalanx/Dialect/SWR/SWRDialect.h"

#include "phalanx/Dialect/Phalanx/PhalanxDialect.h.inc"
#include "phalanx/Dialect/Phalanx/PhalanxEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "phalanx/Dialect/Phalanx/PhalanxAttrs.h.inc"

#define GET_OP_CLASSES
#include "phalanx/Dialect/Phalanx/PhalanxOps.h.inc"

#endif // PHALANX_DIALECT_PHALANX_PHALANXDIALECT_H
