// RUN: phalanx-opt %s --phalanx-fuse-layer --split-input-file --verify-each | FileCheck %s
// RUN: phalanx-opt %s --phalanx-fuse-layer --split-input-file --verify-each | phalanx-opt --verify-each | FileCheck %s

// phalanx.layer -> four channel-major projections, one fused mix (with every
// attribute of the layer), one output projection.

// CHECK-LABEL: func.func @layer(
// CHECK-SAME: %[[X:[^:]*]]: tensor<?x?x256xbf16>, %[[WA:[^:]*]]: tensor<256x16xbf16>, %[[BA:[^:]*]]: tensor<16xbf16>, %[[WB:[^:]*]]: tensor<256x64xbf16>, %[[BB:[^:]*]]: tensor<64xbf16>, %[[WC:[^:]*]]: tensor<256x64xbf16>, %[[BC:[^:]*]]: tensor<64xbf16>, %[[WV:[^:]*]]: tensor<256x256xbf16>, %[[WO:[^:]*]]: tensor<256x256xbf16>)
// CHECK: %[[PA:.*]] = phalanx.project %[[X]], %[[WA]] : (tensor<?x?x256xbf16>, tensor<256x16xbf16>) -> tensor<?x16x?xbf16>
// CHECK: %[[PB:.*]] = phalanx.project %[[X]], %[[WB]] : (tensor<?x?x256xbf16>, tensor<256x64xbf16>) -> tensor<?x64x?xbf16>
// CHECK: %[[PC:.*]] = phalanx.project %[[X]], %[[WC]] : (tensor<?x?x256xbf16>, tensor<256x64xbf16>) -> tensor<?x64x?xbf16>
// CHECK: %[[PV:.*]] = phalanx.project %[[X]], %[[WV]] : (tensor<?x?x256xbf16>, tensor<256x256xbf16>) -> tensor<?x256x?xbf16>
// CHECK: %[[Z:.*]] = phalanx.fused_mix a(%[[PA]], %[[BA]]), b(%[[PB]], %[[BB]]), c(%[[PC]], %[[BC]]), v(%[[PV]]) {act_a = #phalanx.activation<hard_sigmoid>, act_b = #phalanx.activation<swish>, global_heads = 3 : i64, head_dim = 16 : i64, heads = 16 : i64, kv_heads = 4 : i64, window = #swr.window<block = 32, hops = 2, segment = 4>} : {{.*}} -> tensor<?x256x?xbf16>
// CHECK: %[[O:.*]] = phalanx.project_out %[[Z]], %[[WO]] : (tensor<?x256x?xbf16>, tensor<256x256xbf16>) -> tensor<?x?x256xbf16>
// CHECK: return %[[O]]
// CHECK-NOT: phalanx.layer
func.func @layer(%x: tensor<?x?x256xbf16>, %wa: tensor<256x16xbf16>, %ba: tensor<16xbf16>, %wb: tensor<256x64xbf16>, %bb: tensor<64xbf16>, %wc: tensor<256x64xbf16>, %bc: tensor<64xbf16>, %wv: tensor<256x256xbf16>, %wo: tensor<256x256xbf16>) -> tensor<?x?x256xbf16> {
  %out = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo)
      {heads = 16, kv_heads = 4, head_dim = 16, global_heads = 3,
       act_a = #phalanx.activation<hard_sigmoid>, act_b = #phalanx.activation<swish>,
       window = #swr.window<block = 32, hops = 2, segment = 4>}
      : (tensor<?x?x256xbf16>, tensor<256x16xbf16>, tensor<16xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x256xbf16>, tensor<256x256xbf16>) -> tensor<?x?x256xbf16>
  return %out : tensor<?x?x256xbf16>
}

// -----

// Static B and L stay static in every intermediate.
// CHECK-LABEL: func.func @static
// CHECK: phalanx.project {{.*}} -> tensor<2x4x100xf32>
// CHECK: phalanx.fused_mix {{.*}} -> tensor<2x64x100xf32>
// CHECK: phalanx.project_out {{.*}} -> tensor<2x100x32xf32>
func.func @static(%x: tensor<2x100x32xf32>, %wa: tensor<32x4xf32>, %ba: tensor<4xf32>, %wb: tensor<32x64xf32>, %bb: tensor<64xf32>, %wc: tensor<32x64xf32>, %bc: tensor<64xf32>, %wv: tensor<32x64xf32>, %wo: tensor<64x32xf32>) -> tensor<2x100x32xf32> {
  %out = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo)
      {heads = 4, kv_heads = 4, head_dim = 16, window = #swr.window<block = 16, hops = 1>}
      : (tensor<2x100x32xf32>, tensor<32x4xf32>, tensor<4xf32>, tensor<32x64xf32>, tensor<64xf32>, tensor<32x64xf32>, tensor<64xf32>, tensor<32x64xf32>, tensor<64x32xf32>) -> tensor<2x100x32xf32>
  return %out : tensor<2x100x32xf32>
}
