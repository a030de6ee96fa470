// RUN: phalanx-opt %s -split-input-file -verify-diagnostics

// One case per verifier rule of phalanx.project, phalanx.project_out and
// phalanx.fused_mix.

func.func @f(%x: tensor<?x?x32xbf16>, %w: tensor<32x8xf32>) {
  // expected-error @+1 {{'phalanx.project' op operands and result must have one element type, operand #1 is 'tensor<32x8xf32>' and the result 'tensor<?x8x?xbf16>'}}
  %p = phalanx.project %x, %w : (tensor<?x?x32xbf16>, tensor<32x8xf32>) -> tensor<?x8x?xbf16>
  return
}

// -----

func.func @f(%x: tensor<?x32xbf16>, %w: tensor<32x8xbf16>) {
  // expected-error @+1 {{'phalanx.project' op operand 'x' must have rank 3 [B, L, K], got 'tensor<?x32xbf16>'}}
  %p = phalanx.project %x, %w : (tensor<?x32xbf16>, tensor<32x8xbf16>) -> tensor<?x8x?xbf16>
  return
}

// -----

func.func @f(%x: tensor<?x?x32xbf16>, %w: tensor<?x8xbf16>) {
  // expected-error @+1 {{'phalanx.project' op operand 'w' must be a static [K, N] matrix, got 'tensor<?x8xbf16>'}}
  %p = phalanx.project %x, %w : (tensor<?x?x32xbf16>, tensor<?x8xbf16>) -> tensor<?x8x?xbf16>
  return
}

// -----

func.func @f(%x: tensor<?x?x32xbf16>, %w: tensor<16x8xbf16>) {
  // expected-error @+1 {{'phalanx.project' op operand 'w' [K, N] has dim 0 = 16, expected 32 (shape 'tensor<16x8xbf16>')}}
  %p = phalanx.project %x, %w : (tensor<?x?x32xbf16>, tensor<16x8xbf16>) -> tensor<?x8x?xbf16>
  return
}

// -----

func.func @f(%x: tensor<2x100x32xbf16>, %w: tensor<32x8xbf16>) {
  // expected-error @+1 {{'phalanx.project' op result must be [B, N, L] = [2, 8, 100], got 'tensor<2x100x8xbf16>'}}
  %p = phalanx.project %x, %w : (tensor<2x100x32xbf16>, tensor<32x8xbf16>) -> tensor<2x100x8xbf16>
  return
}

// -----

func.func @f(%z: tensor<?x8x?xbf16>, %w: tensor<16x32xbf16>) {
  // expected-error @+1 {{'phalanx.project_out' op operand 'w' [N, M] has dim 0 = 16, expected 8 (shape 'tensor<16x32xbf16>')}}
  %o = phalanx.project_out %z, %w : (tensor<?x8x?xbf16>, tensor<16x32xbf16>) -> tensor<?x?x32xbf16>
  return
}

// -----

func.func @f(%z: tensor<2x8x100xbf16>, %w: tensor<8x32xbf16>) {
  // expected-error @+1 {{'phalanx.project_out' op result must be [B, L, M] = [2, 100, 32], got 'tensor<2x32x100xbf16>'}}
  %o = phalanx.project_out %z, %w : (tensor<2x8x100xbf16>, tensor<8x32xbf16>) -> tensor<2x32x100xbf16>
  return
}

// -----

func.func @f(%z: tensor<?x?xbf16>, %w: tensor<8x32xbf16>) {
  // expected-error @+1 {{'phalanx.project_out' op operand 'z' must have rank 3 [B, N, L], got 'tensor<?x?xbf16>'}}
  %o = phalanx.project_out %z, %w : (tensor<?x?xbf16>, tensor<8x32xbf16>) -> tensor<?x?x32xbf16>
  return
}

// -----

func.func @f(%pa: tensor<?x4x?xbf16>, %ba: tensor<4xbf16>, %pb: tensor<?x32x?xbf16>, %bb: tensor<32xbf16>, %pv: tensor<?x64x?xbf16>) {
  // expected-error @+1 {{'phalanx.fused_mix' op kv_heads must divide heads (4), got 3}}
  %z = phalanx.fused_mix a(%pa, %ba), b(%pb, %bb), c(%pb, %bb), v(%pv) {heads = 4, kv_heads = 3, head_dim = 16, window = #swr.window<block = 16, hops = 1>} : (tensor<?x4x?xbf16>, tensor<4xbf16>, tensor<?x32x?xbf16>, tensor<32xbf16>, tensor<?x32x?xbf16>, tensor<32xbf16>, tensor<?x64x?xbf16>) -> tensor<?x64x?xbf16>
  return
}

// -----

func.func @f(%pa: tensor<?x4x?xbf16>, %ba: tensor<4xbf16>, %pb: tensor<?x32x?xbf16>, %bb: tensor<32xbf16>, %pv: tensor<?x32x?xbf16>) {
  // expected-error @+1 {{'phalanx.fused_mix' op head_dim must be 16, 32 or 64, got 8}}
  %z = phalanx.fused_mix a(%pa, %ba), b(%pb, %bb), c(%pb, %bb), v(%pv) {heads = 4, kv_heads = 4, head_dim = 8, window = #swr.window<block = 16, hops = 1>} : (tensor<?x4x?xbf16>, tensor<4xbf16>, tensor<?x32x?xbf16>, tensor<32xbf16>, tensor<?x32x?xbf16>, tensor<32xbf16>, tensor<?x32x?xbf16>) -> tensor<?x32x?xbf16>
  return
}

// -----

func.func @f(%pa: tensor<?x4x?xbf16>, %ba: tensor<4xbf16>, %pb: tensor<?x32x?xbf16>, %bb: tensor<32xbf16>, %pv: tensor<?x64x?xbf16>) {
  // expected-error @+1 {{'phalanx.fused_mix' op global_heads must be in [0, heads = 4], got 5}}
  %z = phalanx.fused_mix a(%pa, %ba), b(%pb, %bb), c(%pb, %bb), v(%pv) {heads = 4, kv_heads = 2, head_dim = 16, global_heads = 5, window = #swr.window<block = 16, hops = 1>} : (tensor<?x4x?xbf16>, tensor<4xbf16>, tensor<?x32x?xbf16>, tensor<32xbf16>, tensor<?x32x?xbf16>, tensor<32xbf16>, tensor<?x64x?xbf16>) -> tensor<?x64x?xbf16>
  return
}

// -----

func.func @f(%pa: tensor<?x4x?xbf16>, %ba: tensor<4xbf16>, %pb: tensor<?x32x?xbf16>, %bb: tensor<32xbf16>, %pv: tensor<?x64x?xbf16>) {
  // expected-error @+1 {{'phalanx.fused_mix' op operand 'pb' [B, Hkv*D, L] has dim 1 = 32, expected 64 (shape 'tensor<?x32x?xbf16>')}}
  %z = phalanx.fused_mix a(%pa, %ba), b(%pb, %bb), c(%pb, %bb), v(%pv) {heads = 4, kv_heads = 4, head_dim = 16, window = #swr.window<block = 16, hops = 1>} : (tensor<?x4x?xbf16>, tensor<4xbf16>, tensor<?x32x?xbf16>, tensor<32xbf16>, tensor<?x32x?xbf16>, tensor<32xbf16>, tensor<?x64x?xbf16>) -> tensor<?x64x?xbf16>
  return
}

// -----

func.func @f(%pa: tensor<?x4x?xbf16>, %ba: tensor<4xbf16>, %pb: tensor<?x32x?xbf16>, %bb: tensor<32xbf16>, %pv: tensor<?x64x?xbf16>) {
  // expected-error @+1 {{'phalanx.fused_mix' op result must be [B, H*D, L] = [?, 64, ?], got 'tensor<?x32x?xbf16>'}}
  %z = phalanx.fused_mix a(%pa, %ba), b(%pb, %bb), c(%pb, %bb), v(%pv) {heads = 4, kv_heads = 2, head_dim = 16, window = #swr.window<block = 16, hops = 1>} : (tensor<?x4x?xbf16>, tensor<4xbf16>, tensor<?x32x?xbf16>, tensor<32xbf16>, tensor<?x32x?xbf16>, tensor<32xbf16>, tensor<?x64x?xbf16>) -> tensor<?x32x?xbf16>
  return
}

// -----

func.func @f(%pa: tensor<2x4x100xbf16>, %ba: tensor<4xbf16>, %pb: tensor<2x32x90xbf16>, %bb: tensor<32xbf16>, %pv: tensor<2x64x100xbf16>) {
  // expected-error @+1 {{'phalanx.fused_mix' op operand 'pb' [B, Hkv*D, L] has dim 2 = 90, expected 100 (shape 'tensor<2x32x90xbf16>')}}
  %z = phalanx.fused_mix a(%pa, %ba), b(%pb, %bb), c(%pb, %bb), v(%pv) {heads = 4, kv_heads = 2, head_dim = 16, window = #swr.window<block = 16, hops = 1>} : (tensor<2x4x100xbf16>, tensor<4xbf16>, tensor<2x32x90xbf16>, tensor<32xbf16>, tensor<2x32x90xbf16>, tensor<32xbf16>, tensor<2x64x100xbf16>) -> tensor<2x64x100xbf16>
  return
}

// -----

func.func @f(%pa: tensor<?x4x?xbf16>, %ba: tensor<4xf16>, %pb: tensor<?x32x?xbf16>, %bb: tensor<32xbf16>, %pv: tensor<?x64x?xbf16>) {
  // expected-error @+1 {{'phalanx.fused_mix' op operands and result must have one element type, operand #1 is 'tensor<4xf16>' and the result 'tensor<?x64x?xbf16>'}}
  %z = phalanx.fused_mix a(%pa, %ba), b(%pb, %bb), c(%pb, %bb), v(%pv) {heads = 4, kv_heads = 2, head_dim = 16, window = #swr.window<block = 16, hops = 1>} : (tensor<?x4x?xbf16>, tensor<4xf16>, tensor<?x32x?xbf16>, tensor<32xbf16>, tensor<?x32x?xbf16>, tensor<32xbf16>, tensor<?x64x?xbf16>) -> tensor<?x64x?xbf16>
  return
}
