// RUN: phalanx-opt %s --phalanx-cpu-lowering | FileCheck %s
// RUN: phalanx-opt %s --phalanx-cpu-lowering | FileCheck %s --check-prefix=NEG

// Tensor functions on linalg / arith down to the LLVM dialect: results are
// out-parameters (no memref is returned), every entry gets a packed
// phx_entry_<name>, temporaries are freed, and nothing calls into
// libmlir_c_runner_utils (memrefCopy) or leaves a bf16 conversion to a
// compiler-rt helper.

#map = affine_map<(d0, d1) -> (d0, d1)>

// CHECK-LABEL: llvm.func @add(
// CHECK-LABEL: llvm.func @_mlir_ciface_add(
// CHECK-SAME:      %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK-SAME:      attributes {llvm.emit_c_interface}
// CHECK-LABEL: llvm.func @phx_entry_add(%{{.*}}: !llvm.ptr) {
// CHECK:         llvm.call @_mlir_ciface_add({{.*}}) : (!llvm.ptr, !llvm.ptr, !llvm.ptr) -> ()
func.func @add(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>) -> tensor<?x?xf32>
    attributes {llvm.emit_c_interface} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %d0 = tensor.dim %a, %c0 : tensor<?x?xf32>
  %d1 = tensor.dim %a, %c1 : tensor<?x?xf32>
  %e = tensor.empty(%d0, %d1) : tensor<?x?xf32>
  %r = linalg.generic {indexing_maps = [#map, #map, #map],
                       iterator_types = ["parallel", "parallel"]}
      ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>)
      outs(%e : tensor<?x?xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// bf16 -> f32 is expanded to integer ops.
// CHECK-LABEL: llvm.func @cvt(
// CHECK:         llvm.bitcast %{{.*}} : i32 to f32
// CHECK-LABEL: llvm.func @phx_entry_cvt(
// CHECK:         llvm.call @_mlir_ciface_cvt({{.*}}) : (!llvm.ptr, !llvm.ptr) -> ()
func.func @cvt(%a: tensor<4x?xbf16>) -> tensor<4x?xf32>
    attributes {llvm.emit_c_interface} {
  %c1 = arith.constant 1 : index
  %d1 = tensor.dim %a, %c1 : tensor<4x?xbf16>
  %e = tensor.empty(%d1) : tensor<4x?xf32>
  %r = linalg.generic {indexing_maps = [#map, #map],
                       iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<4x?xbf16>) outs(%e : tensor<4x?xf32>) {
  ^bb0(%x: bf16, %o: f32):
    %s = arith.extf %x : bf16 to f32
    linalg.yield %s : f32
  } -> tensor<4x?xf32>
  return %r : tensor<4x?xf32>
}

// A matmul with an f32 temporary that is freed, and an f16 result.
// CHECK-LABEL: llvm.func @mm(
// CHECK:         llvm.call @malloc
// CHECK:         llvm.fptrunc %{{.*}} : f32 to f16
// CHECK:         llvm.call @free
// CHECK-LABEL: llvm.func @phx_entry_mm(
func.func @mm(%a: tensor<8x16xf32>, %b: tensor<16x4xf32>) -> tensor<8x4xf16>
    attributes {llvm.emit_c_interface} {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x4xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<8x4xf32>) -> tensor<8x4xf32>
  %r = linalg.matmul ins(%a, %b : tensor<8x16xf32>, tensor<16x4xf32>)
                     outs(%f : tensor<8x4xf32>) -> tensor<8x4xf32>
  %e2 = tensor.empty() : tensor<8x4xf16>
  %t = linalg.generic {indexing_maps = [#map, #map],
                       iterator_types = ["parallel", "parallel"]}
      ins(%r : tensor<8x4xf32>) outs(%e2 : tensor<8x4xf16>) {
  ^bb0(%x: f32, %o: f16):
    %s = arith.truncf %x : f32 to f16
    linalg.yield %s : f16
  } -> tensor<8x4xf16>
  return %t : tensor<8x4xf16>
}

// A strided slice returned as the result: copied by loops into the
// out-parameter, not by memrefCopy.
// CHECK-LABEL: llvm.func @slice(
// CHECK-LABEL: llvm.func @phx_entry_slice(
func.func @slice(%a: tensor<8x8xf32>) -> tensor<4x4xf32>
    attributes {llvm.emit_c_interface} {
  %s = tensor.extract_slice %a[0, 0] [4, 4] [2, 2]
      : tensor<8x8xf32> to tensor<4x4xf32>
  return %s : tensor<4x4xf32>
}

// NEG-NOT: memrefCopy
// NEG-NOT: llvm.func {{.*}}) -> !llvm.struct
// NEG-NOT: bufferization.
// NEG-NOT: memref.
// NEG-NOT: __truncsfbf2
