// RUN: phalanx-opt %s -split-input-file -verify-diagnostics

// One case per verifier rule of phalanx.layer.

func.func @f(%x: tensor<2x64x256xbf16>, %wa: tensor<256x16xbf16>, %ba: tensor<16xbf16>, %wb: tensor<256x64xbf16>, %bb: tensor<64xbf16>, %wc: tensor<256x64xbf16>, %bc: tensor<64xbf16>, %wv: tensor<256x256xbf16>, %wo: tensor<256x256xbf16>) {
// expected-error @+1 {{'phalanx.layer' op heads must be >= 1, got 0}}
  %o = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo) {heads = 0, kv_heads = 4, head_dim = 16, window = #swr.window<block = 16, hops = 1>} : (tensor<2x64x256xbf16>, tensor<256x16xbf16>, tensor<16xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x256xbf16>, tensor<256x256xbf16>) -> tensor<2x64x256xbf16>
  return
}

// -----

func.func @f(%x: tensor<2x64x256xbf16>, %wa: tensor<256x16xbf16>, %ba: tensor<16xbf16>, %wb: tensor<256x64xbf16>, %bb: tensor<64xbf16>, %wc: tensor<256x64xbf16>, %bc: tensor<64xbf16>, %wv: tensor<256x256xbf16>, %wo: tensor<256x256xbf16>) {
// expected-error @+1 {{'phalanx.layer' op kv_heads must divide heads (16), got 3}}
  %o = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo) {heads = 16, kv_heads = 3, head_dim = 16, window = #swr.window<block = 16, hops = 1>} : (tensor<2x64x256xbf16>, tensor<256x16xbf16>, tensor<16xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x256xbf16>, tensor<256x256xbf16>) -> tensor<2x64x256xbf16>
  return
}

// -----

func.func @f(%x: tensor<2x64x256xbf16>, %wa: tensor<256x16xbf16>, %ba: tensor<16xbf16>, %wb: tensor<256x64xbf16>, %bb: tensor<64xbf16>, %wc: tensor<256x64xbf16>, %bc: tensor<64xbf16>, %wv: tensor<256x256xbf16>, %wo: tensor<256x256xbf16>) {
// expected-error @+1 {{'phalanx.layer' op head_dim must be 16, 32 or 64, got 8}}
  %o = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo) {heads = 16, kv_heads = 4, head_dim = 8, window = #swr.window<block = 16, hops = 1>} : (tensor<2x64x256xbf16>, tensor<256x16xbf16>, tensor<16xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x256xbf16>, tensor<256x256xbf16>) -> tensor<2x64x256xbf16>
  return
}

// -----

func.func @f(%x: tensor<2x64x256xbf16>, %wa: tensor<256x16xbf16>, %ba: tensor<16xbf16>, %wb: tensor<256x64xbf16>, %bb: tensor<64xbf16>, %wc: tensor<256x64xbf16>, %bc: tensor<64xbf16>, %wv: tensor<256x256xbf16>, %wo: tensor<256x256xbf16>) {
// expected-error @+1 {{'phalanx.layer' op global_heads must be in [0, heads = 16], got 17}}
  %o = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo) {heads = 16, kv_heads = 4, head_dim = 16, window = #swr.window<block = 16, hops = 1>, global_heads = 17} : (tensor<2x64x256xbf16>, tensor<256x16xbf16>, tensor<16xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x256xbf16>, tensor<256x256xbf16>) -> tensor<2x64x256xbf16>
  return
}

// -----

func.func @f(%x: tensor<2x64xbf16>, %wa: tensor<256x16xbf16>, %ba: tensor<16xbf16>, %wb: tensor<256x64xbf16>, %bb: tensor<64xbf16>, %wc: tensor<256x64xbf16>, %bc: tensor<64xbf16>, %wv: tensor<256x256xbf16>, %wo: tensor<256x256xbf16>) {
// expected-error @+1 {{'phalanx.layer' op operand 'x' must have rank 3 [B, L, Dm], got 'tensor<2x64xbf16>'}}
  %o = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo) {heads = 16, kv_heads = 4, head_dim = 16, window = #swr.window<block = 16, hops = 1>} : (tensor<2x64xbf16>, tensor<256x16xbf16>, tensor<16xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x256xbf16>, tensor<256x256xbf16>) -> tensor<2x64xbf16>
  return
}

// -----

func.func @f(%x: tensor<2x64x?xbf16>, %wa: tensor<256x16xbf16>, %ba: tensor<16xbf16>, %wb: tensor<256x64xbf16>, %bb: tensor<64xbf16>, %wc: tensor<256x64xbf16>, %bc: tensor<64xbf16>, %wv: tensor<256x256xbf16>, %wo: tensor<256x256xbf16>) {
// expected-error @+1 {{'phalanx.layer' op operand 'x' dim 2 (Dm, the model width) must be static}}
  %o = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo) {heads = 16, kv_heads = 4, head_dim = 16, window = #swr.window<block = 16, hops = 1>} : (tensor<2x64x?xbf16>, tensor<256x16xbf16>, tensor<16xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x256xbf16>, tensor<256x256xbf16>) -> tensor<2x64x?xbf16>
  return
}

// -----

func.func @f(%x: tensor<2x64x256xbf16>, %wa: tensor<256x8xbf16>, %ba: tensor<16xbf16>, %wb: tensor<256x64xbf16>, %bb: tensor<64xbf16>, %wc: tensor<256x64xbf16>, %bc: tensor<64xbf16>, %wv: tensor<256x256xbf16>, %wo: tensor<256x256xbf16>) {
// expected-error @+1 {{'phalanx.layer' op operand 'wa' [Dm, H] has dim 1 = 8, expected 16 (shape 'tensor<256x8xbf16>')}}
  %o = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo) {heads = 16, kv_heads = 4, head_dim = 16, window = #swr.window<block = 16, hops = 1>} : (tensor<2x64x256xbf16>, tensor<256x8xbf16>, tensor<16xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x256xbf16>, tensor<256x256xbf16>) -> tensor<2x64x256xbf16>
  return
}

// -----

func.func @f(%x: tensor<2x64x256xbf16>, %wa: tensor<128x16xbf16>, %ba: tensor<16xbf16>, %wb: tensor<256x64xbf16>, %bb: tensor<64xbf16>, %wc: tensor<256x64xbf16>, %bc: tensor<64xbf16>, %wv: tensor<256x256xbf16>, %wo: tensor<256x256xbf16>) {
// expected-error @+1 {{'phalanx.layer' op operand 'wa' [Dm, H] has dim 0 = 128, expected 256 (shape 'tensor<128x16xbf16>')}}
  %o = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo) {heads = 16, kv_heads = 4, head_dim = 16, window = #swr.window<block = 16, hops = 1>} : (tensor<2x64x256xbf16>, tensor<128x16xbf16>, tensor<16xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x256xbf16>, tensor<256x256xbf16>) -> tensor<2x64x256xbf16>
  return
}

// -----

func.func @f(%x: tensor<2x64x256xbf16>, %wa: tensor<256x16xbf16>, %ba: tensor<16x1xbf16>, %wb: tensor<256x64xbf16>, %bb: tensor<64xbf16>, %wc: tensor<256x64xbf16>, %bc: tensor<64xbf16>, %wv: tensor<256x256xbf16>, %wo: tensor<256x256xbf16>) {
// expected-error @+1 {{'phalanx.layer' op operand 'ba' must have rank 1 [H], got 'tensor<16x1xbf16>'}}
  %o = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo) {heads = 16, kv_heads = 4, head_dim = 16, window = #swr.window<block = 16, hops = 1>} : (tensor<2x64x256xbf16>, tensor<256x16xbf16>, tensor<16x1xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x256xbf16>, tensor<256x256xbf16>) -> tensor<2x64x256xbf16>
  return
}

// -----

func.func @f(%x: tensor<2x64x256xbf16>, %wa: tensor<256x16xbf16>, %ba: tensor<16xbf16>, %wb: tensor<256x32xbf16>, %bb: tensor<64xbf16>, %wc: tensor<256x64xbf16>, %bc: tensor<64xbf16>, %wv: tensor<256x256xbf16>, %wo: tensor<256x256xbf16>) {
// expected-error @+1 {{'phalanx.layer' op operand 'wb' [Dm, Hkv*D] has dim 1 = 32, expected 64 (shape 'tensor<256x32xbf16>')}}
  %o = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo) {heads = 16, kv_heads = 4, head_dim = 16, window = #swr.window<block = 16, hops = 1>} : (tensor<2x64x256xbf16>, tensor<256x16xbf16>, tensor<16xbf16>, tensor<256x32xbf16>, tensor<64xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x256xbf16>, tensor<256x256xbf16>) -> tensor<2x64x256xbf16>
  return
}

// -----

func.func @f(%x: tensor<2x64x256xbf16>, %wa: tensor<256x16xbf16>, %ba: tensor<16xbf16>, %wb: tensor<256x64xbf16>, %bb: tensor<32xbf16>, %wc: tensor<256x64xbf16>, %bc: tensor<64xbf16>, %wv: tensor<256x256xbf16>, %wo: tensor<256x256xbf16>) {
// expected-error @+1 {{'phalanx.layer' op operand 'bb' [Hkv*D] has dim 0 = 32, expected 64 (shape 'tensor<32xbf16>')}}
  %o = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo) {heads = 16, kv_heads = 4, head_dim = 16, window = #swr.window<block = 16, hops = 1>} : (tensor<2x64x256xbf16>, tensor<256x16xbf16>, tensor<16xbf16>, tensor<256x64xbf16>, tensor<32xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x256xbf16>, tensor<256x256xbf16>) -> tensor<2x64x256xbf16>
  return
}

// -----

func.func @f(%x: tensor<2x64x256xbf16>, %wa: tensor<256x16xbf16>, %ba: tensor<16xbf16>, %wb: tensor<256x64xbf16>, %bb: tensor<64xbf16>, %wc: tensor<256x65xbf16>, %bc: tensor<64xbf16>, %wv: tensor<256x256xbf16>, %wo: tensor<256x256xbf16>) {
// expected-error @+1 {{'phalanx.layer' op operand 'wc' [Dm, Hkv*D] has dim 1 = 65, expected 64 (shape 'tensor<256x65xbf16>')}}
  %o = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo) {heads = 16, kv_heads = 4, head_dim = 16, window = #swr.window<block = 16, hops = 1>} : (tensor<2x64x256xbf16>, tensor<256x16xbf16>, tensor<16xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x65xbf16>, tensor<64xbf16>, tensor<256x256xbf16>, tensor<256x256xbf16>) -> tensor<2x64x256xbf16>
  return
}

// -----

func.func @f(%x: tensor<2x64x256xbf16>, %wa: tensor<256x16xbf16>, %ba: tensor<16xbf16>, %wb: tensor<256x64xbf16>, %bb: tensor<64xbf16>, %wc: tensor<256x64xbf16>, %bc: tensor<63xbf16>, %wv: tensor<256x256xbf16>, %wo: tensor<256x256xbf16>) {
// expected-error @+1 {{'phalanx.layer' op operand 'bc' [Hkv*D] has dim 0 = 63, expected 64 (shape 'tensor<63xbf16>')}}
  %o = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo) {heads = 16, kv_heads = 4, head_dim = 16, window = #swr.window<block = 16, hops = 1>} : (tensor<2x64x256xbf16>, tensor<256x16xbf16>, tensor<16xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x64xbf16>, tensor<63xbf16>, tensor<256x256xbf16>, tensor<256x256xbf16>) -> tensor<2x64x256xbf16>
  return
}

// -----

func.func @f(%x: tensor<2x64x256xbf16>, %wa: tensor<256x16xbf16>, %ba: tensor<16xbf16>, %wb: tensor<256x64xbf16>, %bb: tensor<64xbf16>, %wc: tensor<256x64xbf16>, %bc: tensor<64xbf16>, %wv: tensor<256x128xbf16>, %wo: tensor<256x256xbf16>) {
// expected-error @+1 {{'phalanx.layer' op operand 'wv' [Dm, H*D] has dim 1 = 128, expected 256 (shape 'tensor<256x128xbf16>')}}
  %o = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo) {heads = 16, kv_heads = 4, head_dim = 16, window = #swr.window<block = 16, hops = 1>} : (tensor<2x64x256xbf16>, tensor<256x16xbf16>, tensor<16xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x128xbf16>, tensor<256x256xbf16>) -> tensor<2x64x256xbf16>
  return
}

// -----

func.func @f(%x: tensor<2x64x256xbf16>, %wa: tensor<256x16xbf16>, %ba: tensor<16xbf16>, %wb: tensor<256x64xbf16>, %bb: tensor<64xbf16>, %wc: tensor<256x64xbf16>, %bc: tensor<64xbf16>, %wv: tensor<256x256xbf16>, %wo: tensor<256x128xbf16>) {
// expected-error @+1 {{'phalanx.layer' op operand 'wo' [H*D, Dm] has dim 1 = 128, expected 256 (shape 'tensor<256x128xbf16>')}}
  %o = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo) {heads = 16, kv_heads = 4, head_dim = 16, window = #swr.window<block = 16, hops = 1>} : (tensor<2x64x256xbf16>, tensor<256x16xbf16>, tensor<16xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x256xbf16>, tensor<256x128xbf16>) -> tensor<2x64x256xbf16>
  return
}

// -----

func.func @f(%x: tensor<2x64x256xbf16>, %wa: tensor<256x16xbf16>, %ba: tensor<16xbf16>, %wb: tensor<256x64xbf16>, %bb: tensor<64xbf16>, %wc: tensor<256x64xbf16>, %bc: tensor<64xbf16>, %wv: tensor<256x256xbf16>, %wo: tensor<256x256xbf16>) {
// expected-error @+1 {{'phalanx.layer' op result must have the shape of 'x' [B, L, Dm] = [2, 64, 256], got 'tensor<2x64x128xbf16>'}}
  %o = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo) {heads = 16, kv_heads = 4, head_dim = 16, window = #swr.window<block = 16, hops = 1>} : (tensor<2x64x256xbf16>, tensor<256x16xbf16>, tensor<16xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x256xbf16>, tensor<256x256xbf16>) -> tensor<2x64x128xbf16>
  return
}

// -----

func.func @f(%x: tensor<2x64x256xi8>, %wa: tensor<256x16xbf16>, %ba: tensor<16xbf16>, %wb: tensor<256x64xbf16>, %bb: tensor<64xbf16>, %wc: tensor<256x64xbf16>, %bc: tensor<64xbf16>, %wv: tensor<256x256xbf16>, %wo: tensor<256x256xbf16>) {
// expected-error @+1 {{operand #0 must be ranked tensor of bfloat16 type or 16-bit float or 32-bit float values}}
  %o = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo) {heads = 16, kv_heads = 4, head_dim = 16, window = #swr.window<block = 16, hops = 1>} : (tensor<2x64x256xi8>, tensor<256x16xbf16>, tensor<16xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x256xbf16>, tensor<256x256xbf16>) -> tensor<2x64x256xbf16>
  return
}

// -----

func.func @f(%x: tensor<2x64x256xbf16>, %wa: tensor<256x16xbf16>, %ba: tensor<16xbf16>, %wb: tensor<256x64xbf16>, %bb: tensor<64xbf16>, %wc: tensor<256x64xbf16>, %bc: tensor<64xbf16>, %wv: tensor<256x256xbf16>, %wo: tensor<256x256xbf16>) {
// expected-error @+1 {{'phalanx.layer' op requires attribute 'window'}}
  %o = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo) {heads = 16, kv_heads = 4, head_dim = 16} : (tensor<2x64x256xbf16>, tensor<256x16xbf16>, tensor<16xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x256xbf16>, tensor<256x256xbf16>) -> tensor<2x64x256xbf16>
  return
}

// -----

func.func @f(%x: tensor<2x64x256xbf16>, %wa: tensor<256x16xbf16>, %ba: tensor<16xbf16>, %wb: tensor<256x64xbf16>, %bb: tensor<64xbf16>, %wc: tensor<256x64xbf16>, %bc: tensor<64xbf16>, %wv: tensor<256x256xbf16>, %wo: tensor<256x256xbf16>) {
// expected-error @+1 {{'phalanx.layer' op attribute 'window' failed to satisfy constraint: #swr.window attribute}}
  %o = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo) {heads = 16, kv_heads = 4, head_dim = 16, window = 3} : (tensor<2x64x256xbf16>, tensor<256x16xbf16>, tensor<16xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x256xbf16>, tensor<256x256xbf16>) -> tensor<2x64x256xbf16>
  return
}

// -----

func.func @f(%x: tensor<2x64x256xbf16>, %wa: tensor<256x16xbf16>, %ba: tensor<16xbf16>, %wb: tensor<256x64xbf16>, %bb: tensor<64xbf16>, %wc: tensor<256x64xbf16>, %bc: tensor<64xbf16>, %wv: tensor<256x256xbf16>, %wo: tensor<256x256xbf16>) {
// expected-error @+2 {{expected ::phalanx::layer::Activation to be one of: sigmoid, swish, hard_sigmoid}}
// expected-error @+1 {{failed to parse Phalanx_ActivationAttr parameter 'value' which is to be a `::phalanx::layer::Activation`}}
  %o = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo) {heads = 16, kv_heads = 4, head_dim = 16, window = #swr.window<block = 16, hops = 1>, act_a = #phalanx.activation<relu>} : (tensor<2x64x256xbf16>, tensor<256x16xbf16>, tensor<16xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x256xbf16>, tensor<256x256xbf16>) -> tensor<2x64x256xbf16>
  return
}
