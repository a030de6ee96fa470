// RUN: phalanx-opt %s --split-input-file --convert-swr-to-gpu -verify-diagnostics

func.func @unfused(%x: tensor<?x?x64xbf16>, %wa: tensor<64x4xbf16>, %ba: tensor<4xbf16>, %wb: tensor<64x64xbf16>, %bb: tensor<64xbf16>, %wc: tensor<64x64xbf16>, %bc: tensor<64xbf16>, %wv: tensor<64x64xbf16>, %wo: tensor<64x64xbf16>) -> tensor<?x?x64xbf16> {
  // expected-error @+1 {{phalanx.layer on the GPU: run phalanx-fuse-layer first (phalanx-gpu-pipeline does)}}
  %out = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo) {heads = 4, kv_heads = 4, head_dim = 16, window = #swr.window<block = 16, hops = 1>} : (tensor<?x?x64xbf16>, tensor<64x4xbf16>, tensor<4xbf16>, tensor<64x64xbf16>, tensor<64xbf16>, tensor<64x64xbf16>, tensor<64xbf16>, tensor<64x64xbf16>, tensor<64x64xbf16>) -> tensor<?x?x64xbf16>
  return %out : tensor<?x?x64xbf16>
}

// -----

// The mix returned directly (no output projection) is not an entry form.
func.func @no_out(%pa: tensor<?x4x?xbf16>, %ba: tensor<4xbf16>, %pb: tensor<?x64x?xbf16>, %bb: tensor<64xbf16>, %pv: tensor<?x64x?xbf16>) -> tensor<?x64x?xbf16> {
  // expected-error @+1 {{phalanx.fused_mix on the GPU must be part of a public function made of the fused layer on its arguments}}
  %z = phalanx.fused_mix a(%pa, %ba), b(%pb, %bb), c(%pb, %bb), v(%pv) {heads = 4, kv_heads = 4, head_dim = 16, window = #swr.window<block = 16, hops = 1>} : (tensor<?x4x?xbf16>, tensor<4xbf16>, tensor<?x64x?xbf16>, tensor<64xbf16>, tensor<?x64x?xbf16>, tensor<64xbf16>, tensor<?x64x?xbf16>) -> tensor<?x64x?xbf16>
  return %z : tensor<?x64x?xbf16>
}

// -----

func.func @lone_project(%x: tensor<?x?x64xbf16>, %w: tensor<64x4xbf16>) -> tensor<?x4x?xbf16> {
  // expected-error @+1 {{phalanx.project on the GPU must be part of a fused layer entry (phalanx-fuse-layer)}}
  %p = phalanx.project %x, %w : (tensor<?x?x64xbf16>, tensor<64x4xbf16>) -> tensor<?x4x?xbf16>
  return %p : tensor<?x4x?xbf16>
}
