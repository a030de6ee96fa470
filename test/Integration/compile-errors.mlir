// REQUIRES: phalanx-compile
// RUN: rm -rf %t && split-file %s %t

// Garbage (binary noise): a parse error at its location, non-zero exit.
// RUN: printf '\001\002\377garbage{{{ %%%%\n' > %t/garbage.mlir
// RUN: not phalanx-compile %t/garbage.mlir -o %t/out.phx 2>&1 | FileCheck %s --check-prefix=GARBAGE
// GARBAGE: garbage.mlir:1:1: error:
// GARBAGE: phalanx-compile: error: cannot parse '{{.*}}garbage.mlir'

// Truncated input.
// RUN: not phalanx-compile %t/truncated.mlir -o %t/out.phx 2>&1 | FileCheck %s --check-prefix=TRUNC
// TRUNC: truncated.mlir:{{[0-9]+}}:{{[0-9]+}}: error:
// TRUNC: phalanx-compile: error: cannot parse

// Empty input: no entries.
// RUN: not phalanx-compile %t/empty.mlir -o %t/out.phx 2>&1 | FileCheck %s --check-prefix=EMPTY
// EMPTY: error: no entry functions

// A dynamic result dim that no argument dim gives.
// RUN: not phalanx-compile %t/untraceable.mlir -o %t/out.phx 2>&1 | FileCheck %s --check-prefix=UNTRACE
// UNTRACE: untraceable.mlir:1:1: error: entry 'concat': cannot tell the size of dynamic dim 0 of result #0 ('result0') from the argument shapes

// An output path that cannot be written; nothing is left behind.
// RUN: not phalanx-compile %t/ok.mlir -o %t/no/such/dir/out.phx 2>&1 | FileCheck %s --check-prefix=UNWRITABLE
// UNWRITABLE: phalanx-compile: error: cannot write '{{.*}}out.phx': No such file or directory
// RUN: not ls %t/no

// A verifier error: reported at the op.
// RUN: not phalanx-compile %t/invalid.mlir -o %t/out.phx 2>&1 | FileCheck %s --check-prefix=INVALID
// INVALID: invalid.mlir:2:8: error: 'swr.scan' op

// --entry naming a missing function, an unsupported target, no -o.
// RUN: not phalanx-compile %t/ok.mlir --entry nope -o %t/out.phx 2>&1 | FileCheck %s --check-prefix=NOENTRY
// NOENTRY: error: no function named 'nope' (requested with --entry)
// RUN: not phalanx-compile %t/ok.mlir --target rocm -o %t/out.phx 2>&1 | FileCheck %s --check-prefix=TARGET
// TARGET: phalanx-compile: error: unsupported --target 'rocm' (supported: cpu, cuda)
// RUN: not phalanx-compile %t/ok.mlir 2>&1 | FileCheck %s --check-prefix=NOOUT
// NOOUT: phalanx-compile: error: no output file: pass -o FILE
// RUN: not phalanx-compile %t/missing.mlir -o %t/out.phx 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: phalanx-compile: error: cannot open input file '{{.*}}missing.mlir'

// An unsupported element type.
// RUN: not phalanx-compile %t/dtype.mlir -o %t/out.phx 2>&1 | FileCheck %s --check-prefix=DTYPE
// DTYPE: dtype.mlir:1:1: error: entry 'i16': argument #0 ('a') has element type 'i16', which artifacts cannot carry

// RUN: not ls %t/out.phx

//--- truncated.mlir
func.func @swr_scan(%a: tensor<?x8x?xbf16>, %x: tensor<?x8x16x?xbf16>) -> tensor<?x8x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segm
//--- empty.mlir
//--- untraceable.mlir
func.func @concat(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %c = tensor.concat dim(0) %a, %b : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  return %c : tensor<?xf32>
}
//--- ok.mlir
func.func @id(%a: tensor<4xf32>) -> tensor<4xf32> {
  return %a : tensor<4xf32>
}
//--- invalid.mlir
func.func @bad(%a: tensor<?x8x?xf32>, %x: tensor<?x8x16x?xf32>) -> tensor<?x8x32x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 1> : (tensor<?x8x?xf32>, tensor<?x8x16x?xf32>) -> tensor<?x8x32x?xf32>
  return %y : tensor<?x8x32x?xf32>
}
//--- dtype.mlir
func.func @i16(%a: tensor<4xi16>) -> tensor<4xi16> {
  return %a : tensor<4xi16>
}
