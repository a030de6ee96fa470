// RUN: phalanx-opt %s --phalanx-fuse-layer --split-input-file -verify-diagnostics

// The fused form takes one element type.

func.func @mixed(%x: tensor<?x?x64xf16>, %wa: tensor<64x4xf16>, %ba: tensor<4xf16>, %wb: tensor<64x64xf16>, %bb: tensor<64xf16>, %wc: tensor<64x64xf16>, %bc: tensor<64xf16>, %wv: tensor<64x64xf16>, %wo: tensor<64x64xf16>) -> tensor<?x?x64xf32> {
  // expected-error @+1 {{phalanx-fuse-layer: the fused layer's result must have x's element type 'f16', got 'tensor<?x?x64xf32>'}}
  %out = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo) {heads = 4, kv_heads = 4, head_dim = 16, window = #swr.window<block = 16, hops = 1>} : (tensor<?x?x64xf16>, tensor<64x4xf16>, tensor<4xf16>, tensor<64x64xf16>, tensor<64xf16>, tensor<64x64xf16>, tensor<64xf16>, tensor<64x64xf16>, tensor<64x64xf16>) -> tensor<?x?x64xf32>
  return %out : tensor<?x?x64xf32>
}

// -----

func.func @mixed_weights(%x: tensor<?x?x64xbf16>, %wa: tensor<64x4xf32>, %ba: tensor<4xbf16>, %wb: tensor<64x64xbf16>, %bb: tensor<64xbf16>, %wc: tensor<64x64xbf16>, %bc: tensor<64xbf16>, %wv: tensor<64x64xbf16>, %wo: tensor<64x64xbf16>) -> tensor<?x?x64xbf16> {
  // expected-error @+1 {{phalanx-fuse-layer: the fused layer takes x, the weights and the biases in one element type, got 'tensor<64x4xf32>' next to x 'tensor<?x?x64xbf16>'}}
  %out = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo) {heads = 4, kv_heads = 4, head_dim = 16, window = #swr.window<block = 16, hops = 1>} : (tensor<?x?x64xbf16>, tensor<64x4xf32>, tensor<4xbf16>, tensor<64x64xbf16>, tensor<64xbf16>, tensor<64x64xbf16>, tensor<64xbf16>, tensor<64x64xbf16>, tensor<64x64xbf16>) -> tensor<?x?x64xbf16>
  return %out : tensor<?x?x64xbf16>
}
