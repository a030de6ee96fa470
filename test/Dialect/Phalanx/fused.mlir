// RUN: phalanx-opt %s --verify-each | FileCheck %s
// RUN: phalanx-opt %s | phalanx-opt --verify-each | FileCheck %s
// RUN: phalanx-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC
// RUN: phalanx-opt %s --mlir-print-op-generic | phalanx-opt | FileCheck %s

// The fused form of the layer (phalanx-fuse-layer): channel-major projections,
// the fused mix, the output projection.

// CHECK-LABEL: func.func @fused
// CHECK: %[[PA:.*]] = phalanx.project %{{.*}}, %{{.*}} : (tensor<?x?x256xbf16>, tensor<256x16xbf16>) -> tensor<?x16x?xbf16>
// CHECK: %[[PB:.*]] = phalanx.project %{{.*}}, %{{.*}} : (tensor<?x?x256xbf16>, tensor<256x64xbf16>) -> tensor<?x64x?xbf16>
// CHECK: %[[Z:.*]] = phalanx.fused_mix a(%[[PA]], %{{.*}}), b(%[[PB]], %{{.*}}), c(%{{.*}}, %{{.*}}), v(%{{.*}}) {act_b = #phalanx.activation<swish>, global_heads = 2 : i64, head_dim = 16 : i64, heads = 16 : i64, kv_heads = 4 : i64, window = #swr.window<block = 16, hops = 1, segment = inf>}
// CHECK-SAME: -> tensor<?x256x?xbf16>
// CHECK: phalanx.project_out %[[Z]], %{{.*}} : (tensor<?x256x?xbf16>, tensor<256x256xbf16>) -> tensor<?x?x256xbf16>
// GENERIC: "phalanx.project"
// GENERIC: "phalanx.fused_mix"({{.*}}) <{act_a = #phalanx.activation<sigmoid>, act_b = #phalanx.activation<swish>, global_heads = 2 : i64, head_dim = 16 : i64, heads = 16 : i64, kv_heads = 4 : i64, window = #swr.window<block = 16, hops = 1, segment = inf>}>
// GENERIC: "phalanx.project_out"
func.func @fused(%x: tensor<?x?x256xbf16>, %wa: tensor<256x16xbf16>, %ba: tensor<16xbf16>, %wb: tensor<256x64xbf16>, %bb: tensor<64xbf16>, %wc: tensor<256x64xbf16>, %bc: tensor<64xbf16>, %wv: tensor<256x256xbf16>, %wo: tensor<256x256xbf16>) -> tensor<?x?x256xbf16> {
  %pa = phalanx.project %x, %wa : (tensor<?x?x256xbf16>, tensor<256x16xbf16>) -> tensor<?x16x?xbf16>
  %pb = phalanx.project %x, %wb : (tensor<?x?x256xbf16>, tensor<256x64xbf16>) -> tensor<?x64x?xbf16>
  %pc = phalanx.project %x, %wc : (tensor<?x?x256xbf16>, tensor<256x64xbf16>) -> tensor<?x64x?xbf16>
  %pv = phalanx.project %x, %wv : (tensor<?x?x256xbf16>, tensor<256x256xbf16>) -> tensor<?x256x?xbf16>
  %z = phalanx.fused_mix a(%pa, %ba), b(%pb, %bb), c(%pc, %bc), v(%pv) {heads = 16, kv_heads = 4, head_dim = 16, global_heads = 2, act_b = #phalanx.activation<swish>, window = #swr.window<block = 16, hops = 1>} : (tensor<?x16x?xbf16>, tensor<16xbf16>, tensor<?x64x?xbf16>, tensor<64xbf16>, tensor<?x64x?xbf16>, tensor<64xbf16>, tensor<?x256x?xbf16>) -> tensor<?x256x?xbf16>
  %o = phalanx.project_out %z, %wo : (tensor<?x256x?xbf16>, tensor<256x256xbf16>) -> tensor<?x?x256xbf16>
  return %o : tensor<?x?x256xbf16>
}

// Static shapes, f32.
// CHECK-LABEL: func.func @static
// CHECK: phalanx.project %{{.*}}, %{{.*}} : (tensor<2x100x32xf32>, tensor<32x8xf32>) -> tensor<2x8x100xf32>
// CHECK: phalanx.project_out %{{.*}}, %{{.*}} : (tensor<2x8x100xf32>, tensor<8x32xf32>) -> tensor<2x100x32xf32>
func.func @static(%x: tensor<2x100x32xf32>, %w: tensor<32x8xf32>, %wo: tensor<8x32xf32>) -> tensor<2x100x32xf32> {
  %p = phalanx.project %x, %w : (tensor<2x100x32xf32>, tensor<32x8xf32>) -> tensor<2x8x100xf32>
  %o = phalanx.project_out %p, %wo : (tensor<2x8x100xf32>, tensor<8x32xf32>) -> tensor<2x100x32xf32>
  return %o : tensor<2x100x32xf32>
}
