// RUN: phalanx-opt %s | FileCheck %s
// RUN: phalanx-opt %s | phalanx-opt | FileCheck %s
// RUN: phalanx-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC
// RUN: phalanx-opt %s --mlir-print-op-generic | phalanx-opt | FileCheck %s

// CHECK-LABEL: func.func @published
// CHECK: phalanx.layer %{{.*}}, a(%{{.*}}, %{{.*}}), b(%{{.*}}, %{{.*}}), c(%{{.*}}, %{{.*}}), v(%{{.*}}), out(%{{.*}}) {head_dim = 16 : i64, heads = 16 : i64, kv_heads = 16 : i64, window = #swr.window<block = 16, hops = 1, segment = inf>}
// GENERIC: "phalanx.layer"(%{{.*}}) <{act_a = #phalanx.activation<sigmoid>, act_b = #phalanx.activation<sigmoid>, global_heads = 0 : i64, head_dim = 16 : i64, heads = 16 : i64, kv_heads = 16 : i64, window = #swr.window<block = 16, hops = 1, segment = inf>}>
func.func @published(%x: tensor<?x?x256xbf16>, %wa: tensor<256x16xbf16>, %ba: tensor<16xbf16>, %wb: tensor<256x256xbf16>, %bb: tensor<256xbf16>, %wc: tensor<256x256xbf16>, %bc: tensor<256xbf16>, %wv: tensor<256x256xbf16>, %wo: tensor<256x256xbf16>) -> tensor<?x?x256xbf16> {
  %o = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo) {heads = 16, kv_heads = 16, head_dim = 16, window = #swr.window<block = 16, hops = 1>} : (tensor<?x?x256xbf16>, tensor<256x16xbf16>, tensor<16xbf16>, tensor<256x256xbf16>, tensor<256xbf16>, tensor<256x256xbf16>, tensor<256xbf16>, tensor<256x256xbf16>, tensor<256x256xbf16>) -> tensor<?x?x256xbf16>
  return %o : tensor<?x?x256xbf16>
}

// Hybrid heads, kv groups, other activations, head dim 32, f32 output from f16 input.
// CHECK-LABEL: func.func @hybrid
// CHECK: phalanx.layer {{.*}} {act_a = #phalanx.activation<hard_sigmoid>, act_b = #phalanx.activation<swish>, global_heads = 2 : i64, head_dim = 32 : i64, heads = 8 : i64, kv_heads = 2 : i64, window = #swr.window<block = 32, hops = 2, segment = 4>}
func.func @hybrid(%x: tensor<1x128x256xf16>, %wa: tensor<256x8xf16>, %ba: tensor<8xf16>, %wb: tensor<256x64xf16>, %bb: tensor<64xf16>, %wc: tensor<256x64xf16>, %bc: tensor<64xf16>, %wv: tensor<256x256xf16>, %wo: tensor<256x256xf16>) -> tensor<1x128x256xf32> {
  %o = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo) {heads = 8, kv_heads = 2, head_dim = 32, global_heads = 2, act_a = #phalanx.activation<hard_sigmoid>, act_b = #phalanx.activation<swish>, window = #swr.window<block = 32, hops = 2, segment = 4>} : (tensor<1x128x256xf16>, tensor<256x8xf16>, tensor<8xf16>, tensor<256x64xf16>, tensor<64xf16>, tensor<256x64xf16>, tensor<64xf16>, tensor<256x256xf16>, tensor<256x256xf16>) -> tensor<1x128x256xf32>
  return %o : tensor<1x128x256xf32>
}
