// RUN: phalanx-opt %s --convert-swr-to-gpu="layer-gates=kernel" --canonicalize --cse --verify-each | FileCheck %s

// layer-gates = kernel: a gate kernel writes act_a(pa + ba) once per
// (b, h, t) into the workspace (f16 for a bf16 layer) after the projection
// GEMMs; the fused kernels read those gates instead of pa and ba.

// CHECK-LABEL: func.func @mix(
// CHECK-COUNT-4: func.call @phx_cuda_layer_gemm(%c1_i32, %c1_i32, %c1_i32, %c1_i32,
// CHECK: %[[PAF:.*]] = memref.view %[[WS:.*]][%c0][%[[N:.*]]] : memref<?xi8> to memref<?xbf16>
// CHECK: %[[GF:.*]] = memref.view %[[WS]][%[[GOFF:.*]]][%[[N]]] : memref<?xi8> to memref<?xf16>
// CHECK: %[[T:.*]] = gpu.launch_func async [%{{.*}}] @phalanx_kernels::@mix_mix_gates blocks in (%{{.*}}, %c1, %c1) threads in (%c256, %c1, %c1) args(%[[PAF]] : memref<?xbf16>, %{{.*}} : memref<4xbf16>, %[[GF]] : memref<?xf16>, %[[N]] : index, %{{.*}} : index)
// CHECK: %[[G:.*]] = memref.view %[[WS]][%[[GOFF]]][%{{.*}}, %{{.*}}] : memref<?xi8> to memref<?x4x?xf16>
// CHECK: gpu.launch_func async [%{{.*}}] @phalanx_kernels::@mix_mix_global {{.*}} args(%[[G]] : memref<?x4x?xf16>,
// CHECK: gpu.launch_func async [%{{.*}}] @phalanx_kernels::@mix_mix_window {{.*}} args(%[[G]] : memref<?x4x?xf16>,
// CHECK: func.call @phx_cuda_layer_gemm(%c1_i32, %c1_i32, %c0_i32, %c1_i32,
// The fused kernels read the gates without an activation of their own (the
// drive's sigmoid is the only one left) and hold 128 registers at most.
// CHECK: gpu.func @mix_mix_global(%{{.*}}: memref<?x4x?xf16>
// CHECK: gpu.func @mix_mix_window(%{{.*}}: memref<?x4x?xf16>
// CHECK-SAME: nvvm.minctasm = 8
// The gate kernel: one element per thread, the activation, an f16 store.
// CHECK: gpu.func @mix_mix_gates(%{{.*}}: memref<?xbf16>, %{{.*}}: memref<4xbf16>, %{{.*}}: memref<?xf16>, %{{.*}}: index, %{{.*}}: index) kernel
// CHECK: ex2.approx.ftz.f32
// CHECK: arith.truncf %{{.*}} : f32 to f16


func.func @mix(%x: tensor<?x?x64xbf16>, %wa: tensor<64x4xbf16>, %ba: tensor<4xbf16>, %wb: tensor<64x32xbf16>, %bb: tensor<32xbf16>, %wc: tensor<64x32xbf16>, %bc: tensor<32xbf16>, %wv: tensor<64x64xbf16>, %wo: tensor<64x64xbf16>) -> tensor<?x?x64xbf16> {
  %pa = phalanx.project %x, %wa : (tensor<?x?x64xbf16>, tensor<64x4xbf16>) -> tensor<?x4x?xbf16>
  %pb = phalanx.project %x, %wb : (tensor<?x?x64xbf16>, tensor<64x32xbf16>) -> tensor<?x32x?xbf16>
  %pc = phalanx.project %x, %wc : (tensor<?x?x64xbf16>, tensor<64x32xbf16>) -> tensor<?x32x?xbf16>
  %pv = phalanx.project %x, %wv : (tensor<?x?x64xbf16>, tensor<64x64xbf16>) -> tensor<?x64x?xbf16>
  %z = phalanx.fused_mix a(%pa, %ba), b(%pb, %bb), c(%pc, %bc), v(%pv) {heads = 4, kv_heads = 2, head_dim = 16, global_heads = 1, window = #swr.window<block = 16, hops = 1>} : (tensor<?x4x?xbf16>, tensor<4xbf16>, tensor<?x32x?xbf16>, tensor<32xbf16>, tensor<?x32x?xbf16>, tensor<32xbf16>, tensor<?x64x?xbf16>) -> tensor<?x64x?xbf16>
  %o = phalanx.project_out %z, %wo : (tensor<?x64x?xbf16>, tensor<64x64xbf16>) -> tensor<?x?x64xbf16>
  return %o : tensor<?x?x64xbf16>
}

