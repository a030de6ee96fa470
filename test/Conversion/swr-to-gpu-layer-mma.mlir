// RUN: phalanx-opt %s --convert-swr-to-gpu="local=mma" -verify-diagnostics
// The fused layer kernel has no tensor-core form: local = mma is refused at
// the fused op (not lowered into a kernel without its staging plan).

func.func @one(%x: tensor<?x?x32xf32>, %wa: tensor<32x2xf32>, %ba: tensor<2xf32>, %wb: tensor<32x64xf32>, %bb: tensor<64xf32>, %wc: tensor<32x64xf32>, %bc: tensor<64xf32>, %wv: tensor<32x128xf32>, %wo: tensor<128x32xf32>) -> tensor<?x?x32xf32> {
  %pa = phalanx.project %x, %wa : (tensor<?x?x32xf32>, tensor<32x2xf32>) -> tensor<?x2x?xf32>
  %pb = phalanx.project %x, %wb : (tensor<?x?x32xf32>, tensor<32x64xf32>) -> tensor<?x64x?xf32>
  %pc = phalanx.project %x, %wc : (tensor<?x?x32xf32>, tensor<32x64xf32>) -> tensor<?x64x?xf32>
  %pv = phalanx.project %x, %wv : (tensor<?x?x32xf32>, tensor<32x128xf32>) -> tensor<?x128x?xf32>
  // expected-error @+1 {{local = mma is not supported for the fused layer kernel yet: use local = scan (the default)}}
  %z = phalanx.fused_mix a(%pa, %ba), b(%pb, %bb), c(%pc, %bc), v(%pv) {heads = 2, kv_heads = 1, head_dim = 64, window = #swr.window<block = 16, hops = 1>} : (tensor<?x2x?xf32>, tensor<2xf32>, tensor<?x64x?xf32>, tensor<64xf32>, tensor<?x64x?xf32>, tensor<64xf32>, tensor<?x128x?xf32>) -> tensor<?x128x?xf32>
  %o = phalanx.project_out %z, %wo : (tensor<?x128x?xf32>, tensor<128x32xf32>) -> tensor<?x?x32xf32>
  return %o : tensor<?x?x32xf32>
}
