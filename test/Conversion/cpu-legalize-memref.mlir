// RUN: phalanx-opt %s --pass-pipeline='builtin.module(func.func(phalanx-cpu-legalize-memref))' -verify-each | FileCheck %s

// A strided copy becomes linalg.copy (no call to the runtime library's memrefCopy).
// CHECK-LABEL: func.func @strided_copy
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%{{.*}} : memref<4x8xf32, strided<[16, 1]>>) outs(%{{.*}} : memref<4x8xf32>)
func.func @strided_copy(%a: memref<4x8xf32, strided<[16, 1]>>, %b: memref<4x8xf32>) {
  memref.copy %a, %b : memref<4x8xf32, strided<[16, 1]>> to memref<4x8xf32>
  return
}

// An identity-layout copy stays (it becomes llvm.memcpy).
// CHECK-LABEL: func.func @contiguous_copy
// CHECK: memref.copy
func.func @contiguous_copy(%a: memref<4x8xf32>, %b: memref<4x8xf32>) {
  memref.copy %a, %b : memref<4x8xf32> to memref<4x8xf32>
  return
}

// [B * L, N] -> [B, L, N] with B and L dynamic: a reinterpret_cast with
// row-major strides (expand-strided-metadata in MLIR 22 crashes on the
// expand_shape).
// CHECK-LABEL: func.func @split_rows
// CHECK-SAME: (%[[A:.*]]: memref<?x32xf32>, %[[B:.*]]: index, %[[L:.*]]: index)
// CHECK-NOT: memref.expand_shape
// CHECK: %[[S0:.*]] = arith.muli %{{.*}}, %[[L]] : index
// CHECK: memref.reinterpret_cast %[[A]] to offset: [0], sizes: [%[[B]], %[[L]], 32], strides: [%[[S0]], 32, 1] : memref<?x32xf32> to memref<?x?x32xf32>
func.func @split_rows(%a: memref<?x32xf32>, %b: index, %l: index) -> memref<?x?x32xf32> {
  %c = memref.expand_shape %a [[0, 1], [2]] output_shape [%b, %l, 32] : memref<?x32xf32> into memref<?x?x32xf32>
  return %c : memref<?x?x32xf32>
}

// Static shapes fold the strides to constants.
// CHECK-LABEL: func.func @static_split
// CHECK: memref.reinterpret_cast %{{.*}} to offset: [0], sizes: [2, 3, 4], strides: [12, 4, 1]
func.func @static_split(%a: memref<6x4xf32>) -> memref<2x3x4xf32> {
  %c = memref.expand_shape %a [[0, 1], [2]] output_shape [2, 3, 4] : memref<6x4xf32> into memref<2x3x4xf32>
  return %c : memref<2x3x4xf32>
}
