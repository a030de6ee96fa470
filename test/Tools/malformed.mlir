// Malformed input files give a diagnostic and a non-zero exit, never a crash.

// Garbage bytes.
// RUN: not phalanx-opt %S/Inputs/garbage.bin 2>&1 | FileCheck %s --check-prefix=GARBAGE
// GARBAGE: error:

// A truncated module: the first 800 bytes (inside @minimal) of a valid test.
// RUN: head -c 800 %S/../Dialect/SWR/scan.mlir > %t.truncated.mlir
// RUN: not phalanx-opt %t.truncated.mlir 2>&1 | FileCheck %s --check-prefix=TRUNC
// TRUNC: truncated.mlir:{{[0-9]+}}:{{[0-9]+}}: error:

// An empty file is a valid empty module.
// RUN: printf '' > %t.empty.mlir
// RUN: phalanx-opt %t.empty.mlir | FileCheck %s --check-prefix=EMPTY
// EMPTY: module {

// A missing file.
// RUN: not phalanx-opt %t.does-not-exist.mlir 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: No such file or directory

// Unknown dialect op and a pass on bad IR.
// RUN: echo '"swr.unknown"() : () -> ()' > %t.unknown.mlir
// RUN: not phalanx-opt %t.unknown.mlir 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: error: unregistered operation 'swr.unknown' found in dialect ('swr')
