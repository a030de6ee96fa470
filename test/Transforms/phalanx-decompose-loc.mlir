// RUN: phalanx-opt %s --phalanx-decompose --verify-each --mlir-print-debuginfo --mlir-print-local-scope | FileCheck %s

// Every op the pass creates, inside generic bodies too, carries the layer's
// location: nothing between the function's entry and its return has another.

// CHECK-LABEL: func.func @loc({{.*}}) -> tensor<?x?x32xbf16> {
// CHECK-NOT: phalanx-decompose-loc.mlir
// CHECK-NOT: loc(unknown)
// CHECK: swr.scan {{.+}} loc("the_layer")
// CHECK-NOT: phalanx-decompose-loc.mlir
// CHECK-NOT: loc(unknown)
// CHECK: swr.scan {{.+}} loc("the_layer")
// CHECK-NOT: phalanx-decompose-loc.mlir
// CHECK-NOT: loc(unknown)
// CHECK: tensor.expand_shape {{.+}} into tensor<?x?x32xbf16> loc("the_layer")
// CHECK-NEXT: return
func.func @loc(%x: tensor<?x?x32xbf16>, %wa: tensor<32x2xbf16>, %ba: tensor<2xbf16>,
    %wb: tensor<32x16xbf16>, %bb: tensor<16xbf16>, %wc: tensor<32x16xbf16>, %bc: tensor<16xbf16>,
    %wv: tensor<32x32xbf16>, %wo: tensor<32x32xbf16>) -> tensor<?x?x32xbf16> {
  %out = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo)
      {heads = 2 : i64, kv_heads = 1 : i64, head_dim = 16 : i64, global_heads = 1 : i64,
       act_a = #phalanx.activation<swish>, act_b = #phalanx.activation<hard_sigmoid>,
       window = #swr.window<block = 8, hops = 1, segment = inf>}
      : (tensor<?x?x32xbf16>, tensor<32x2xbf16>, tensor<2xbf16>, tensor<32x16xbf16>, tensor<16xbf16>,
         tensor<32x16xbf16>, tensor<16xbf16>, tensor<32x32xbf16>, tensor<32x32xbf16>) -> tensor<?x?x32xbf16> loc("the_layer")
  return %out : tensor<?x?x32xbf16>
}
