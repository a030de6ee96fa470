// RUN: phalanx-opt %s --phalanx-cpu-pipeline | FileCheck %s
// RUN: phalanx-opt %s --phalanx-cpu-pipeline=tiled=false | FileCheck %s
// RUN: phalanx-opt %s --phalanx-cpu-pipeline | FileCheck %s --check-prefix=NEG

// The whole CPU path from tensors (phalanx.layer, swr.scan, linalg) to the
// LLVM dialect: every function with llvm.emit_c_interface gets
// phx_entry_<name>; results are out-parameters.

// CHECK-LABEL: llvm.func @layer(
// CHECK-LABEL: llvm.func @_mlir_ciface_layer(
// CHECK-SAME:      %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK-LABEL: llvm.func @phx_entry_layer(%{{.*}}: !llvm.ptr) {
// CHECK:         llvm.getelementptr inbounds %{{.*}}[9] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK:         llvm.call @_mlir_ciface_layer(
func.func @layer(%x: tensor<?x?x64xbf16>,
                 %wa: tensor<64x4xbf16>, %ba: tensor<4xbf16>,
                 %wb: tensor<64x32xbf16>, %bb: tensor<32xbf16>,
                 %wc: tensor<64x32xbf16>, %bc: tensor<32xbf16>,
                 %wv: tensor<64x64xbf16>, %wo: tensor<64x64xbf16>)
    -> tensor<?x?x64xbf16> attributes {llvm.emit_c_interface} {
  %out = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo)
      {heads = 4, kv_heads = 2, head_dim = 16,
       window = #swr.window<block = 16, hops = 1, segment = inf>}
      : (tensor<?x?x64xbf16>, tensor<64x4xbf16>, tensor<4xbf16>,
         tensor<64x32xbf16>, tensor<32xbf16>, tensor<64x32xbf16>,
         tensor<32xbf16>, tensor<64x64xbf16>, tensor<64x64xbf16>)
      -> tensor<?x?x64xbf16>
  return %out : tensor<?x?x64xbf16>
}

// CHECK-LABEL: llvm.func @scan(
// CHECK-LABEL: llvm.func @phx_entry_scan(%{{.*}}: !llvm.ptr) {
// CHECK:         llvm.call @_mlir_ciface_scan({{.*}}) : (!llvm.ptr, !llvm.ptr, !llvm.ptr) -> ()
func.func @scan(%a: tensor<?x8x?xbf16>, %x: tensor<?x8x16x?xbf16>)
    -> tensor<?x8x16x?xf32> attributes {llvm.emit_c_interface} {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      : (tensor<?x8x?xbf16>, tensor<?x8x16x?xbf16>) -> tensor<?x8x16x?xf32>
  return %y : tensor<?x8x16x?xf32>
}

// CHECK-LABEL: llvm.func @scale(
// CHECK-LABEL: llvm.func @phx_entry_scale(%{{.*}}: !llvm.ptr) {
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @scale(%a: tensor<?x?xf32>) -> tensor<?x?xf32>
    attributes {llvm.emit_c_interface} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %d0 = tensor.dim %a, %c0 : tensor<?x?xf32>
  %d1 = tensor.dim %a, %c1 : tensor<?x?xf32>
  %e = tensor.empty(%d0, %d1) : tensor<?x?xf32>
  %r = linalg.generic {indexing_maps = [#id, #id],
                       iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<?x?xf32>) outs(%e : tensor<?x?xf32>) {
  ^bb0(%v: f32, %o: f32):
    %s = math.exp %v : f32
    linalg.yield %s : f32
  } -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// NEG-NOT: swr.
// NEG-NOT: phalanx.layer
// NEG-NOT: memref.
// NEG-NOT: memrefCopy
// NEG-NOT: llvm.func {{.*}}) -> !llvm.struct
