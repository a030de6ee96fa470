// REQUIRES: ptxas
// RUN: phalanx-opt %s --phalanx-gpu-pipeline --split-input-file -verify-each | FileCheck %s
// The gate-kernel form (layer-gates = kernel) assembles too:
// RUN: phalanx-opt %s --phalanx-gpu-pipeline="layer-gates=kernel" --split-input-file -verify-each | FileCheck %s
// Five GEMM calls per layer (four projections, the output), six layers:
// RUN: phalanx-opt %s --phalanx-gpu-pipeline --split-input-file | grep -c "llvm.call @phx_cuda_layer_gemm" | FileCheck %s --check-prefix=GEMMS
// GEMMS: 30

// phalanx.layer through the whole GPU pipeline (phalanx-fuse-layer,
// convert-swr-to-gpu, ..., ptxas for sm_90a): every dtype, head dim 16 / 32 /
// 64, kv groups, global heads (two kernels), every activation, finite and
// infinite windows. The host side is LLVM dialect calling the runtime's
// workspace and GEMM functions on the launch stream, with a packed entry.

// CHECK-LABEL: llvm.func @phx_entry_l0_bf16_d16_g0(
// CHECK: gpu.binary @phalanx_kernels
func.func @l0_bf16_d16_g0(%x: tensor<?x?x64xbf16>, %wa: tensor<64x4xbf16>, %ba: tensor<4xbf16>, %wb: tensor<64x64xbf16>, %bb: tensor<64xbf16>, %wc: tensor<64x64xbf16>, %bc: tensor<64xbf16>, %wv: tensor<64x64xbf16>, %wo: tensor<64x64xbf16>) -> tensor<?x?x64xbf16> {
  %o = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo) {heads = 4, kv_heads = 4, head_dim = 16, global_heads = 0, act_a = #phalanx.activation<sigmoid>, act_b = #phalanx.activation<sigmoid>, window = #swr.window<block = 16, hops = 1, segment = inf>} : (tensor<?x?x64xbf16>, tensor<64x4xbf16>, tensor<4xbf16>, tensor<64x64xbf16>, tensor<64xbf16>, tensor<64x64xbf16>, tensor<64xbf16>, tensor<64x64xbf16>, tensor<64x64xbf16>) -> tensor<?x?x64xbf16>
  return %o : tensor<?x?x64xbf16>
}

// -----

// CHECK-LABEL: llvm.func @phx_entry_l1_f16_d32_g1(
// CHECK: gpu.binary @phalanx_kernels
func.func @l1_f16_d32_g1(%x: tensor<?x?x64xf16>, %wa: tensor<64x4xf16>, %ba: tensor<4xf16>, %wb: tensor<64x64xf16>, %bb: tensor<64xf16>, %wc: tensor<64x64xf16>, %bc: tensor<64xf16>, %wv: tensor<64x128xf16>, %wo: tensor<128x64xf16>) -> tensor<?x?x64xf16> {
  %o = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo) {heads = 4, kv_heads = 2, head_dim = 32, global_heads = 1, act_a = #phalanx.activation<swish>, act_b = #phalanx.activation<hard_sigmoid>, window = #swr.window<block = 16, hops = 2, segment = 3>} : (tensor<?x?x64xf16>, tensor<64x4xf16>, tensor<4xf16>, tensor<64x64xf16>, tensor<64xf16>, tensor<64x64xf16>, tensor<64xf16>, tensor<64x128xf16>, tensor<128x64xf16>) -> tensor<?x?x64xf16>
  return %o : tensor<?x?x64xf16>
}

// -----

// CHECK-LABEL: llvm.func @phx_entry_l2_f32_d64_g0(
// CHECK: gpu.binary @phalanx_kernels
func.func @l2_f32_d64_g0(%x: tensor<?x?x64xf32>, %wa: tensor<64x2xf32>, %ba: tensor<2xf32>, %wb: tensor<64x64xf32>, %bb: tensor<64xf32>, %wc: tensor<64x64xf32>, %bc: tensor<64xf32>, %wv: tensor<64x128xf32>, %wo: tensor<128x64xf32>) -> tensor<?x?x64xf32> {
  %o = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo) {heads = 2, kv_heads = 1, head_dim = 64, global_heads = 0, act_a = #phalanx.activation<hard_sigmoid>, act_b = #phalanx.activation<swish>, window = #swr.window<block = 16, hops = inf, segment = inf>} : (tensor<?x?x64xf32>, tensor<64x2xf32>, tensor<2xf32>, tensor<64x64xf32>, tensor<64xf32>, tensor<64x64xf32>, tensor<64xf32>, tensor<64x128xf32>, tensor<128x64xf32>) -> tensor<?x?x64xf32>
  return %o : tensor<?x?x64xf32>
}

// -----

// CHECK-LABEL: llvm.func @phx_entry_l3_bf16_d64_g4(
// CHECK: gpu.binary @phalanx_kernels
func.func @l3_bf16_d64_g4(%x: tensor<?x?x64xbf16>, %wa: tensor<64x4xbf16>, %ba: tensor<4xbf16>, %wb: tensor<64x128xbf16>, %bb: tensor<128xbf16>, %wc: tensor<64x128xbf16>, %bc: tensor<128xbf16>, %wv: tensor<64x256xbf16>, %wo: tensor<256x64xbf16>) -> tensor<?x?x64xbf16> {
  %o = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo) {heads = 4, kv_heads = 2, head_dim = 64, global_heads = 4, act_a = #phalanx.activation<sigmoid>, act_b = #phalanx.activation<sigmoid>, window = #swr.window<block = 16, hops = 1, segment = inf>} : (tensor<?x?x64xbf16>, tensor<64x4xbf16>, tensor<4xbf16>, tensor<64x128xbf16>, tensor<128xbf16>, tensor<64x128xbf16>, tensor<128xbf16>, tensor<64x256xbf16>, tensor<256x64xbf16>) -> tensor<?x?x64xbf16>
  return %o : tensor<?x?x64xbf16>
}

// -----

// CHECK-LABEL: llvm.func @phx_entry_l4_f32_d16_g3(
// CHECK: gpu.binary @phalanx_kernels
func.func @l4_f32_d16_g3(%x: tensor<?x?x64xf32>, %wa: tensor<64x8xf32>, %ba: tensor<8xf32>, %wb: tensor<64x32xf32>, %bb: tensor<32xf32>, %wc: tensor<64x32xf32>, %bc: tensor<32xf32>, %wv: tensor<64x128xf32>, %wo: tensor<128x64xf32>) -> tensor<?x?x64xf32> {
  %o = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo) {heads = 8, kv_heads = 2, head_dim = 16, global_heads = 3, act_a = #phalanx.activation<sigmoid>, act_b = #phalanx.activation<sigmoid>, window = #swr.window<block = 16, hops = 0, segment = inf>} : (tensor<?x?x64xf32>, tensor<64x8xf32>, tensor<8xf32>, tensor<64x32xf32>, tensor<32xf32>, tensor<64x32xf32>, tensor<32xf32>, tensor<64x128xf32>, tensor<128x64xf32>) -> tensor<?x?x64xf32>
  return %o : tensor<?x?x64xf32>
}

// -----

// CHECK-LABEL: llvm.func @phx_entry_l5_f16_d16_g2(
// CHECK: gpu.binary @phalanx_kernels
func.func @l5_f16_d16_g2(%x: tensor<?x?x64xf16>, %wa: tensor<64x4xf16>, %ba: tensor<4xf16>, %wb: tensor<64x16xf16>, %bb: tensor<16xf16>, %wc: tensor<64x16xf16>, %bc: tensor<16xf16>, %wv: tensor<64x64xf16>, %wo: tensor<64x64xf16>) -> tensor<?x?x64xf16> {
  %o = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo) {heads = 4, kv_heads = 1, head_dim = 16, global_heads = 2, act_a = #phalanx.activation<sigmoid>, act_b = #phalanx.activation<swish>, window = #swr.window<block = 16, hops = 4, segment = inf>} : (tensor<?x?x64xf16>, tensor<64x4xf16>, tensor<4xf16>, tensor<64x16xf16>, tensor<16xf16>, tensor<64x16xf16>, tensor<16xf16>, tensor<64x64xf16>, tensor<64x64xf16>) -> tensor<?x?x64xf16>
  return %o : tensor<?x?x64xf16>
}
