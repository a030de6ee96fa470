// RUN: phalanx-opt %s -split-input-file -verify-diagnostics

// One case per verifier rule of the swr dialect's attributes and ops.

// expected-error @+1 {{window block must be a power of two from 8 to 128, got 7}}
func.func private @f() attributes {w = #swr.window<block = 7, hops = 1>}

// -----

// expected-error @+1 {{window block must be a power of two from 8 to 128, got 256}}
func.func private @f() attributes {w = #swr.window<block = 256, hops = 1>}

// -----

// expected-error @+1 {{window block must be a power of two from 8 to 128, got 24}}
func.func private @f() attributes {w = #swr.window<block = 24, hops = 1>}

// -----

// expected-error @+1 {{window hops must be >= 0 or inf, got -2}}
func.func private @f() attributes {w = #swr.window<block = 16, hops = -2>}

// -----

// expected-error @+1 {{window segment must be >= 1 or inf, got 0}}
func.func private @f() attributes {w = #swr.window<block = 16, hops = 1, segment = 0>}

// -----

// expected-error @+1 {{a window needs 'block' and 'hops'}}
func.func private @f() attributes {w = #swr.window<block = 16>}

// -----

// expected-error @+1 {{unknown window field 'width' (expected block, hops or segment)}}
func.func private @f() attributes {w = #swr.window<block = 16, hops = 1, width = 3>}

// -----

// expected-error @+1 {{'hops' is given twice}}
func.func private @f() attributes {w = #swr.window<block = 16, hops = 1, hops = 2>}

// -----

// expected-error @+1 {{schedule tiles_per_lane must be in [1, 64], got 0}}
func.func private @f() attributes {s = #swr.schedule<tiles_per_lane = 0>}

// -----

// expected-error @+1 {{schedule tiles_per_lane must be in [1, 64], got 65}}
func.func private @f() attributes {s = #swr.schedule<tiles_per_lane = 65>}

// -----

// expected-error @+1 {{schedule warps must be in [1, 32] (a CTA has at most 1024 threads), got 0}}
func.func private @f() attributes {s = #swr.schedule<warps = 0>}

// -----

// expected-error @+1 {{schedule warps must be in [1, 32] (a CTA has at most 1024 threads), got 33}}
func.func private @f() attributes {s = #swr.schedule<warps = 33>}

// -----

// expected-error @+1 {{schedule cluster must be 1, 2, 4, 8 or 16 CTAs (sm_90a), got 3}}
func.func private @f() attributes {s = #swr.schedule<cluster = 3>}

// -----

// expected-error @+1 {{schedule cluster must be 1, 2, 4, 8 or 16 CTAs (sm_90a), got 32}}
func.func private @f() attributes {s = #swr.schedule<cluster = 32>}

// -----

// expected-error @+1 {{lane route must be shuffle or halo (lanes of a warp exchange carriers by shuffles or recompute them), got smem}}
func.func private @f() attributes {s = #swr.schedule<lane = smem>}

// -----

// expected-error @+1 {{warp route must be smem or halo (warps of a CTA share carriers through shared memory or recompute them), got shuffle}}
func.func private @f() attributes {s = #swr.schedule<warp = shuffle>}

// -----

// expected-error @+1 {{cta route dsmem needs cluster > 1: with one CTA per cluster no carrier crosses CTAs inside a cluster (use none)}}
func.func private @f() attributes {s = #swr.schedule<cta = dsmem>}

// -----

// expected-error @+1 {{cta route must be dsmem, bulk or halo when cluster = 2, got none}}
func.func private @f() attributes {s = #swr.schedule<cluster = 2, cta = none>}

// -----

// expected-error @+1 {{cta route bulk needs cluster > 1: with one CTA per cluster no carrier crosses CTAs inside a cluster (use none)}}
func.func private @f() attributes {s = #swr.schedule<cta = bulk>}

// -----

// expected-error @+1 {{grid route must be flags or halo (CTAs of the grid meet only in global memory), got bulk}}
func.func private @f() attributes {s = #swr.schedule<cluster = 2, grid = bulk>}

// -----

// expected-error @+1 {{lane route must be shuffle or halo (lanes of a warp exchange carriers by shuffles or recompute them), got bulk}}
func.func private @f() attributes {s = #swr.schedule<lane = bulk>}

// -----

// expected-error @+1 {{grid route must be flags or halo (CTAs of the grid meet only in global memory), got dsmem}}
func.func private @f() attributes {s = #swr.schedule<grid = dsmem>}

// -----

// expected-error @+1 {{'tensor' is not a valid value for 'local'}}
func.func private @f() attributes {s = #swr.schedule<local = tensor>}

// -----

// expected-error @+1 {{unknown schedule field 'threads' (expected local, tiles_per_lane, warps, cluster, lane, warp, cta or grid)}}
func.func private @f() attributes {s = #swr.schedule<threads = 4>}

// -----

func.func @f(%a: tensor<2x4xf32>, %x: tensor<2x4x16x64xf32>) {
// expected-error @+1 {{'swr.scan' op gates must have rank 3 [B, H, L], got 'tensor<2x4xf32>'}}
  %y = swr.scan %a, %x window <block = 16, hops = 1> : (tensor<2x4xf32>, tensor<2x4x16x64xf32>) -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @f(%a: tensor<2x4x64xf32>, %x: tensor<2x4x64xf32>) {
// expected-error @+1 {{'swr.scan' op drive must have rank 4 [B, H, D, L], got 'tensor<2x4x64xf32>'}}
  %y = swr.scan %a, %x window <block = 16, hops = 1> : (tensor<2x4x64xf32>, tensor<2x4x64xf32>) -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @f(%a: tensor<2x4x64xf32>, %x: tensor<2x4x16x64xf32>) {
// expected-error @+1 {{'swr.scan' op result must have rank 4 [B, H, D, L], got 'tensor<2x4x64xf32>'}}
  %y = swr.scan %a, %x window <block = 16, hops = 1> : (tensor<2x4x64xf32>, tensor<2x4x16x64xf32>) -> tensor<2x4x64xf32>
  return
}

// -----

func.func @f(%a: tensor<2x4x64xf32>, %x: tensor<2x4x8x64xf32>) {
// expected-error @+1 {{'swr.scan' op drive dim 2 (D, the head dim) must be static and one of 16, 32, 64, got 8}}
  %y = swr.scan %a, %x window <block = 16, hops = 1> : (tensor<2x4x64xf32>, tensor<2x4x8x64xf32>) -> tensor<2x4x8x64xf32>
  return
}

// -----

func.func @f(%a: tensor<2x4x64xf32>, %x: tensor<2x4x?x64xf32>) {
// expected-error @+1 {{'swr.scan' op drive dim 2 (D, the head dim) must be static and one of 16, 32, 64, got ?}}
  %y = swr.scan %a, %x window <block = 16, hops = 1> : (tensor<2x4x64xf32>, tensor<2x4x?x64xf32>) -> tensor<2x4x?x64xf32>
  return
}

// -----

func.func @f(%a: tensor<3x4x64xf32>, %x: tensor<2x4x16x64xf32>) {
// expected-error @+1 {{'swr.scan' op drive dim 0 (B) is 2 but gates dim 0 (B) is 3}}
  %y = swr.scan %a, %x window <block = 16, hops = 1> : (tensor<3x4x64xf32>, tensor<2x4x16x64xf32>) -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @f(%a: tensor<2x5x64xf32>, %x: tensor<2x4x16x64xf32>) {
// expected-error @+1 {{'swr.scan' op drive dim 1 (H) is 4 but gates dim 1 (H) is 5}}
  %y = swr.scan %a, %x window <block = 16, hops = 1> : (tensor<2x5x64xf32>, tensor<2x4x16x64xf32>) -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @f(%a: tensor<2x4x63xf32>, %x: tensor<2x4x16x64xf32>) {
// expected-error @+1 {{'swr.scan' op drive dim 3 (L) is 64 but gates dim 2 (L) is 63}}
  %y = swr.scan %a, %x window <block = 16, hops = 1> : (tensor<2x4x63xf32>, tensor<2x4x16x64xf32>) -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @f(%a: tensor<2x4x64xf32>, %x: tensor<2x4x16x64xf32>) {
// expected-error @+1 {{'swr.scan' op result shape must equal the drive's shape [B, H, D, L], got 'tensor<2x4x16x?xf32>' for drive 'tensor<2x4x16x64xf32>'}}
  %y = swr.scan %a, %x window <block = 16, hops = 1> : (tensor<2x4x64xf32>, tensor<2x4x16x64xf32>) -> tensor<2x4x16x?xf32>
  return
}

// -----

func.func @f(%a: tensor<2x4x64xf32>, %x: tensor<2x4x16x64xf32>, %r: tensor<2x64x1xi1>) {
// expected-error @+1 {{'swr.scan' op resets must have rank 2 [B, L], got 'tensor<2x64x1xi1>'}}
  %y = swr.scan %a, %x resets(%r) window <block = 16, hops = 1> : (tensor<2x4x64xf32>, tensor<2x4x16x64xf32>, tensor<2x64x1xi1>) -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @f(%a: tensor<2x4x64xf32>, %x: tensor<2x4x16x64xf32>, %r: tensor<3x64xi1>) {
// expected-error @+1 {{'swr.scan' op resets dim 0 (B) is 3 but drive dim 0 (B) is 2}}
  %y = swr.scan %a, %x resets(%r) window <block = 16, hops = 1> : (tensor<2x4x64xf32>, tensor<2x4x16x64xf32>, tensor<3x64xi1>) -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @f(%a: tensor<2x4x64xf32>, %x: tensor<2x4x16x64xf32>, %r: tensor<2x60xi1>) {
// expected-error @+1 {{'swr.scan' op resets dim 1 (L) is 60 but drive dim 3 (L) is 64}}
  %y = swr.scan %a, %x resets(%r) window <block = 16, hops = 1> : (tensor<2x4x64xf32>, tensor<2x4x16x64xf32>, tensor<2x60xi1>) -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @f(%a: tensor<2x4x64xf32>, %x: tensor<2x4x16x64xf32>, %r: tensor<2x64xf32>) {
// expected-error @+1 {{operand #2 must be ranked tensor of 1-bit signless integer values}}
  %y = swr.scan %a, %x resets(%r) window <block = 16, hops = 1> : (tensor<2x4x64xf32>, tensor<2x4x16x64xf32>, tensor<2x64xf32>) -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @f(%a: tensor<2x4x64xf32>, %x: tensor<2x4x16x64xf32>, %s: tensor<2x4x16xf32>) {
// expected-error @+1 {{'swr.scan' op init is not allowed with transpose: the transpose runs from the end of the sequence, where no initial state exists}}
  %y = swr.scan %a, %x init(%s) window <block = 16, hops = 1> transpose : (tensor<2x4x64xf32>, tensor<2x4x16x64xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @f(%a: tensor<2x4x64xf32>, %x: tensor<2x4x16x64xf32>, %s: tensor<2x4xf32>) {
// expected-error @+1 {{'swr.scan' op init must have rank 3 [B, H, D], got 'tensor<2x4xf32>'}}
  %y = swr.scan %a, %x init(%s) window <block = 16, hops = 1> : (tensor<2x4x64xf32>, tensor<2x4x16x64xf32>, tensor<2x4xf32>) -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @f(%a: tensor<2x4x64xf32>, %x: tensor<2x4x16x64xf32>, %s: tensor<1x4x16xf32>) {
// expected-error @+1 {{'swr.scan' op init dim 0 (B) is 1 but drive dim 0 (B) is 2}}
  %y = swr.scan %a, %x init(%s) window <block = 16, hops = 1> : (tensor<2x4x64xf32>, tensor<2x4x16x64xf32>, tensor<1x4x16xf32>) -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @f(%a: tensor<2x4x64xf32>, %x: tensor<2x4x16x64xf32>, %s: tensor<2x3x16xf32>) {
// expected-error @+1 {{'swr.scan' op init dim 1 (H) is 3 but drive dim 1 (H) is 4}}
  %y = swr.scan %a, %x init(%s) window <block = 16, hops = 1> : (tensor<2x4x64xf32>, tensor<2x4x16x64xf32>, tensor<2x3x16xf32>) -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @f(%a: tensor<2x4x64xf32>, %x: tensor<2x4x16x64xf32>, %s: tensor<2x4x32xf32>) {
// expected-error @+1 {{'swr.scan' op init dim 2 (D) is 32 but drive dim 2 (D) is 16}}
  %y = swr.scan %a, %x init(%s) window <block = 16, hops = 1> : (tensor<2x4x64xf32>, tensor<2x4x16x64xf32>, tensor<2x4x32xf32>) -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @f(%a: tensor<2x4x64xi32>, %x: tensor<2x4x16x64xf32>) {
// expected-error @+1 {{operand #0 must be ranked tensor of bfloat16 type or 16-bit float or 32-bit float values}}
  %y = swr.scan %a, %x window <block = 16, hops = 1> : (tensor<2x4x64xi32>, tensor<2x4x16x64xf32>) -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @f(%a: tensor<2x4x64xf32>, %x: tensor<2x4x16x64xf32>) {
// expected-error @+1 {{result #0 must be ranked tensor of bfloat16 type or 16-bit float or 32-bit float values}}
  %y = swr.scan %a, %x window <block = 16, hops = 1> : (tensor<2x4x64xf32>, tensor<2x4x16x64xf32>) -> tensor<2x4x16x64xf64>
  return
}

// -----

func.func @f(%a: tensor<2x4x64xf32>, %x: tensor<2x4x16x64xf32>) {
// expected-error @+1 {{'swr.scan' op schedule uses a recomputed halo at the lane level, but the window has hops = inf: a halo recomputes the K previous tiles and has no finite size here (use shuffle, smem, dsmem or flags)}}
  %y = swr.scan %a, %x window <block = 16, hops = inf> schedule <lane = halo> : (tensor<2x4x64xf32>, tensor<2x4x16x64xf32>) -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @f(%a: tensor<2x4x64xf32>, %x: tensor<2x4x16x64xf32>) {
// expected-error @+1 {{'swr.scan' op schedule uses a recomputed halo at the warp level, but the window has hops = inf: a halo recomputes the K previous tiles and has no finite size here (use shuffle, smem, dsmem or flags)}}
  %y = swr.scan %a, %x window <block = 16, hops = inf> schedule <warp = halo> : (tensor<2x4x64xf32>, tensor<2x4x16x64xf32>) -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @f(%a: tensor<2x4x64xf32>, %x: tensor<2x4x16x64xf32>) {
// expected-error @+1 {{'swr.scan' op schedule uses a recomputed halo at the cta level, but the window has hops = inf: a halo recomputes the K previous tiles and has no finite size here (use shuffle, smem, dsmem or flags)}}
  %y = swr.scan %a, %x window <block = 16, hops = inf> schedule <cluster = 2, cta = halo> : (tensor<2x4x64xf32>, tensor<2x4x16x64xf32>) -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @f(%a: tensor<2x4x64xf32>, %x: tensor<2x4x16x64xf32>) {
// expected-error @+1 {{'swr.scan' op schedule uses a recomputed halo at the grid level, but the window has hops = inf: a halo recomputes the K previous tiles and has no finite size here (use shuffle, smem, dsmem or flags)}}
  %y = swr.scan %a, %x window <block = 16, hops = inf> schedule <grid = halo> : (tensor<2x4x64xf32>, tensor<2x4x16x64xf32>) -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @f(%a: tensor<2x4x64xf32>, %x: tensor<2x4x16x64xf32>) {
// expected-error @+1 {{'swr.scan' op local = mma needs tiles of at least 16 tokens (one m16n8k16 tensor-core tile), but the window has block = 8}}
  %y = swr.scan %a, %x window <block = 8, hops = 1> schedule <local = mma> : (tensor<2x4x64xf32>, tensor<2x4x16x64xf32>) -> tensor<2x4x16x64xf32>
  return
}

// -----

func.func @f(%a: tensor<2x4x40xf32>) {
// expected-error @+1 {{'swr.mask_gates' op block must be >= 1, got 0}}
  %m = swr.mask_gates %a block = 0 segment = -1 : (tensor<2x4x40xf32>) -> tensor<2x4x40xf32>
  return
}

// -----

func.func @f(%a: tensor<2x4x40xf32>) {
// expected-error @+1 {{'swr.mask_gates' op segment must be >= 1 or -1 (inf), got 0}}
  %m = swr.mask_gates %a block = 16 segment = 0 : (tensor<2x4x40xf32>) -> tensor<2x4x40xf32>
  return
}

// -----

func.func @f(%a: tensor<2x40xf32>) {
// expected-error @+1 {{'swr.mask_gates' op gates must have rank 3 [B, H, L], got 'tensor<2x40xf32>'}}
  %m = swr.mask_gates %a block = 16 segment = -1 : (tensor<2x40xf32>) -> tensor<2x40xf32>
  return
}

// -----

func.func @f(%a: tensor<2x4x40xf32>) {
// expected-error @+1 {{'swr.mask_gates' op result shape must equal the gates' shape}}
  %m = swr.mask_gates %a block = 16 segment = -1 : (tensor<2x4x40xf32>) -> tensor<2x4x41xf32>
  return
}

// -----

func.func @f(%a: tensor<2x4x40xf32>, %r: tensor<2xi1>) {
// expected-error @+1 {{'swr.mask_gates' op resets must have rank 2 [B, L], got 'tensor<2xi1>'}}
  %m = swr.mask_gates %a resets(%r) block = 16 segment = -1 : (tensor<2x4x40xf32>, tensor<2xi1>) -> tensor<2x4x40xf32>
  return
}

// -----

func.func @f(%a: tensor<2x4x40xf32>, %r: tensor<3x40xi1>) {
// expected-error @+1 {{'swr.mask_gates' op resets dim 0 (B) is 3 but gates dim 0 (B) is 2}}
  %m = swr.mask_gates %a resets(%r) block = 16 segment = -1 : (tensor<2x4x40xf32>, tensor<3x40xi1>) -> tensor<2x4x40xf32>
  return
}

// -----

func.func @f(%a: tensor<2x4x40xf32>, %r: tensor<2x41xi1>) {
// expected-error @+1 {{'swr.mask_gates' op resets dim 1 (L) is 41 but gates dim 2 (L) is 40}}
  %m = swr.mask_gates %a resets(%r) block = 16 segment = -1 : (tensor<2x4x40xf32>, tensor<2x41xi1>) -> tensor<2x4x40xf32>
  return
}

// -----

func.func @f(%a: tensor<2x4x40xf32>, %x: tensor<2x4x16x40xf32>) {
// expected-error @+1 {{'swr.tile_scan' op block must be >= 1, got 0}}
  %l, %p, %g, %v = swr.tile_scan %a, %x block = 0 : (tensor<2x4x40xf32>, tensor<2x4x16x40xf32>) -> (tensor<2x4x16x40xf32>, tensor<2x4x40xf32>, tensor<2x4x3xf32>, tensor<2x4x16x3xf32>)
  return
}

// -----

func.func @f(%a: tensor<2x4xf32>, %x: tensor<2x4x16x40xf32>) {
// expected-error @+1 {{'swr.tile_scan' op gates must have rank 3 [B, H, L], got 'tensor<2x4xf32>'}}
  %l, %p, %g, %v = swr.tile_scan %a, %x block = 16 : (tensor<2x4xf32>, tensor<2x4x16x40xf32>) -> (tensor<2x4x16x40xf32>, tensor<2x4x40xf32>, tensor<2x4x3xf32>, tensor<2x4x16x3xf32>)
  return
}

// -----

func.func @f(%a: tensor<2x4x40xf32>, %x: tensor<2x4x40xf32>) {
// expected-error @+1 {{'swr.tile_scan' op drive must have rank 4 [B, H, D, L], got 'tensor<2x4x40xf32>'}}
  %l, %p, %g, %v = swr.tile_scan %a, %x block = 16 : (tensor<2x4x40xf32>, tensor<2x4x40xf32>) -> (tensor<2x4x16x40xf32>, tensor<2x4x40xf32>, tensor<2x4x3xf32>, tensor<2x4x16x3xf32>)
  return
}

// -----

func.func @f(%a: tensor<2x4x40xf32>, %x: tensor<2x4x16x40xf32>) {
// expected-error @+1 {{'swr.tile_scan' op local must have rank 4 [B, H, D, L], got 'tensor<2x4x40xf32>'}}
  %l, %p, %g, %v = swr.tile_scan %a, %x block = 16 : (tensor<2x4x40xf32>, tensor<2x4x16x40xf32>) -> (tensor<2x4x40xf32>, tensor<2x4x40xf32>, tensor<2x4x3xf32>, tensor<2x4x16x3xf32>)
  return
}

// -----

func.func @f(%a: tensor<2x4x40xf32>, %x: tensor<2x4x16x40xf32>) {
// expected-error @+1 {{'swr.tile_scan' op prefix must have rank 3 [B, H, L], got 'tensor<2x4x16x40xf32>'}}
  %l, %p, %g, %v = swr.tile_scan %a, %x block = 16 : (tensor<2x4x40xf32>, tensor<2x4x16x40xf32>) -> (tensor<2x4x16x40xf32>, tensor<2x4x16x40xf32>, tensor<2x4x3xf32>, tensor<2x4x16x3xf32>)
  return
}

// -----

func.func @f(%a: tensor<2x4x40xf32>, %x: tensor<2x4x16x40xf32>) {
// expected-error @+1 {{'swr.tile_scan' op carrier_gates must have rank 3 [B, H, T], got 'tensor<2x4x16x3xf32>'}}
  %l, %p, %g, %v = swr.tile_scan %a, %x block = 16 : (tensor<2x4x40xf32>, tensor<2x4x16x40xf32>) -> (tensor<2x4x16x40xf32>, tensor<2x4x40xf32>, tensor<2x4x16x3xf32>, tensor<2x4x16x3xf32>)
  return
}

// -----

func.func @f(%a: tensor<2x4x40xf32>, %x: tensor<2x4x16x40xf32>) {
// expected-error @+1 {{'swr.tile_scan' op carrier_states must have rank 4 [B, H, D, T], got 'tensor<2x4x3xf32>'}}
  %l, %p, %g, %v = swr.tile_scan %a, %x block = 16 : (tensor<2x4x40xf32>, tensor<2x4x16x40xf32>) -> (tensor<2x4x16x40xf32>, tensor<2x4x40xf32>, tensor<2x4x3xf32>, tensor<2x4x3xf32>)
  return
}

// -----

func.func @f(%a: tensor<1x4x40xf32>, %x: tensor<2x4x16x40xf32>) {
// expected-error @+1 {{'swr.tile_scan' op gates dim 0 (B) is 1 but drive dim 0 (B) is 2}}
  %l, %p, %g, %v = swr.tile_scan %a, %x block = 16 : (tensor<1x4x40xf32>, tensor<2x4x16x40xf32>) -> (tensor<2x4x16x40xf32>, tensor<1x4x40xf32>, tensor<2x4x3xf32>, tensor<2x4x16x3xf32>)
  return
}

// -----

func.func @f(%a: tensor<2x2x40xf32>, %x: tensor<2x4x16x40xf32>) {
// expected-error @+1 {{'swr.tile_scan' op gates dim 1 (H) is 2 but drive dim 1 (H) is 4}}
  %l, %p, %g, %v = swr.tile_scan %a, %x block = 16 : (tensor<2x2x40xf32>, tensor<2x4x16x40xf32>) -> (tensor<2x4x16x40xf32>, tensor<2x2x40xf32>, tensor<2x4x3xf32>, tensor<2x4x16x3xf32>)
  return
}

// -----

func.func @f(%a: tensor<2x4x41xf32>, %x: tensor<2x4x16x40xf32>) {
// expected-error @+1 {{'swr.tile_scan' op gates dim 2 (L) is 41 but drive dim 3 (L) is 40}}
  %l, %p, %g, %v = swr.tile_scan %a, %x block = 16 : (tensor<2x4x41xf32>, tensor<2x4x16x40xf32>) -> (tensor<2x4x16x40xf32>, tensor<2x4x41xf32>, tensor<2x4x3xf32>, tensor<2x4x16x3xf32>)
  return
}

// -----

func.func @f(%a: tensor<2x4x40xf32>, %x: tensor<2x4x16x40xf32>) {
// expected-error @+1 {{'swr.tile_scan' op local must have the drive's shape}}
  %l, %p, %g, %v = swr.tile_scan %a, %x block = 16 : (tensor<2x4x40xf32>, tensor<2x4x16x40xf32>) -> (tensor<2x4x16x?xf32>, tensor<2x4x40xf32>, tensor<2x4x3xf32>, tensor<2x4x16x3xf32>)
  return
}

// -----

func.func @f(%a: tensor<2x4x40xf32>, %x: tensor<2x4x16x40xf32>) {
// expected-error @+1 {{'swr.tile_scan' op prefix must have the gates' shape}}
  %l, %p, %g, %v = swr.tile_scan %a, %x block = 16 : (tensor<2x4x40xf32>, tensor<2x4x16x40xf32>) -> (tensor<2x4x16x40xf32>, tensor<2x4x?xf32>, tensor<2x4x3xf32>, tensor<2x4x16x3xf32>)
  return
}

// -----

func.func @f(%a: tensor<2x4x40xf32>, %x: tensor<2x4x16x40xf32>) {
// expected-error @+1 {{'swr.tile_scan' op carrier_gates dim 2 (T, tiles) is 4 but ceil(40 / 16) = 3}}
  %l, %p, %g, %v = swr.tile_scan %a, %x block = 16 : (tensor<2x4x40xf32>, tensor<2x4x16x40xf32>) -> (tensor<2x4x16x40xf32>, tensor<2x4x40xf32>, tensor<2x4x4xf32>, tensor<2x4x16x3xf32>)
  return
}

// -----

func.func @f(%a: tensor<2x4x40xf32>, %x: tensor<2x4x16x40xf32>) {
// expected-error @+1 {{'swr.tile_scan' op carrier_states dim 3 (T, tiles) is 2 but ceil(40 / 16) = 3}}
  %l, %p, %g, %v = swr.tile_scan %a, %x block = 16 : (tensor<2x4x40xf32>, tensor<2x4x16x40xf32>) -> (tensor<2x4x16x40xf32>, tensor<2x4x40xf32>, tensor<2x4x3xf32>, tensor<2x4x16x2xf32>)
  return
}

// -----

func.func @f(%a: tensor<2x4x40xf32>, %x: tensor<2x4x16x40xf32>) {
// expected-error @+1 {{'swr.tile_scan' op carrier_states dim 2 (D) is 32 but drive dim 2 (D) is 16}}
  %l, %p, %g, %v = swr.tile_scan %a, %x block = 16 : (tensor<2x4x40xf32>, tensor<2x4x16x40xf32>) -> (tensor<2x4x16x40xf32>, tensor<2x4x40xf32>, tensor<2x4x3xf32>, tensor<2x4x32x3xf32>)
  return
}

// -----

func.func @f(%g: tensor<2x4x3xf32>, %v: tensor<2x4x16x3xf32>) {
// expected-error @+1 {{'swr.carrier_scan' op hops must be >= 0 or -1 (inf), got -3}}
  %c = swr.carrier_scan %g, %v hops = -3 : (tensor<2x4x3xf32>, tensor<2x4x16x3xf32>) -> tensor<2x4x16x3xf32>
  return
}

// -----

func.func @f(%g: tensor<2x4x16x3xf32>, %v: tensor<2x4x16x3xf32>) {
// expected-error @+1 {{'swr.carrier_scan' op carrier_gates must have rank 3 [B, H, T], got 'tensor<2x4x16x3xf32>'}}
  %c = swr.carrier_scan %g, %v hops = 1 : (tensor<2x4x16x3xf32>, tensor<2x4x16x3xf32>) -> tensor<2x4x16x3xf32>
  return
}

// -----

func.func @f(%g: tensor<2x4x3xf32>, %v: tensor<2x4x3xf32>) {
// expected-error @+1 {{'swr.carrier_scan' op carrier_states must have rank 4 [B, H, D, T], got 'tensor<2x4x3xf32>'}}
  %c = swr.carrier_scan %g, %v hops = 1 : (tensor<2x4x3xf32>, tensor<2x4x3xf32>) -> tensor<2x4x3xf32>
  return
}

// -----

func.func @f(%g: tensor<1x4x3xf32>, %v: tensor<2x4x16x3xf32>) {
// expected-error @+1 {{'swr.carrier_scan' op carrier_gates dim 0 (B) is 1 but carrier_states dim 0 (B) is 2}}
  %c = swr.carrier_scan %g, %v hops = 1 : (tensor<1x4x3xf32>, tensor<2x4x16x3xf32>) -> tensor<2x4x16x3xf32>
  return
}

// -----

func.func @f(%g: tensor<2x1x3xf32>, %v: tensor<2x4x16x3xf32>) {
// expected-error @+1 {{'swr.carrier_scan' op carrier_gates dim 1 (H) is 1 but carrier_states dim 1 (H) is 4}}
  %c = swr.carrier_scan %g, %v hops = 1 : (tensor<2x1x3xf32>, tensor<2x4x16x3xf32>) -> tensor<2x4x16x3xf32>
  return
}

// -----

func.func @f(%g: tensor<2x4x5xf32>, %v: tensor<2x4x16x3xf32>) {
// expected-error @+1 {{'swr.carrier_scan' op carrier_gates dim 2 (T) is 5 but carrier_states dim 3 (T) is 3}}
  %c = swr.carrier_scan %g, %v hops = 1 : (tensor<2x4x5xf32>, tensor<2x4x16x3xf32>) -> tensor<2x4x16x3xf32>
  return
}

// -----

func.func @f(%g: tensor<2x4x3xf32>, %v: tensor<2x4x16x3xf32>) {
// expected-error @+1 {{'swr.carrier_scan' op carry must have the carrier states' shape}}
  %c = swr.carrier_scan %g, %v hops = 1 : (tensor<2x4x3xf32>, tensor<2x4x16x3xf32>) -> tensor<2x4x16x?xf32>
  return
}

// -----

func.func @f(%g: tensor<2x4x3xf32>, %v: tensor<2x4x16x3xf32>, %s: tensor<2x4x16xf32>) {
// expected-error @+1 {{'swr.carrier_scan' op init is not allowed with reverse}}
  %c = swr.carrier_scan %g, %v init(%s) hops = 1 reverse : (tensor<2x4x3xf32>, tensor<2x4x16x3xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16x3xf32>
  return
}

// -----

func.func @f(%g: tensor<2x4x3xf32>, %v: tensor<2x4x16x3xf32>, %s: tensor<2x4xf32>) {
// expected-error @+1 {{'swr.carrier_scan' op init must have rank 3 [B, H, D], got 'tensor<2x4xf32>'}}
  %c = swr.carrier_scan %g, %v init(%s) hops = 1 : (tensor<2x4x3xf32>, tensor<2x4x16x3xf32>, tensor<2x4xf32>) -> tensor<2x4x16x3xf32>
  return
}

// -----

func.func @f(%g: tensor<2x4x3xf32>, %v: tensor<2x4x16x3xf32>, %s: tensor<3x4x16xf32>) {
// expected-error @+1 {{'swr.carrier_scan' op init dim 0 (B) is 3 but carrier_states dim 0 (B) is 2}}
  %c = swr.carrier_scan %g, %v init(%s) hops = 1 : (tensor<2x4x3xf32>, tensor<2x4x16x3xf32>, tensor<3x4x16xf32>) -> tensor<2x4x16x3xf32>
  return
}

// -----

func.func @f(%g: tensor<2x4x3xf32>, %v: tensor<2x4x16x3xf32>, %s: tensor<2x5x16xf32>) {
// expected-error @+1 {{'swr.carrier_scan' op init dim 1 (H) is 5 but carrier_states dim 1 (H) is 4}}
  %c = swr.carrier_scan %g, %v init(%s) hops = 1 : (tensor<2x4x3xf32>, tensor<2x4x16x3xf32>, tensor<2x5x16xf32>) -> tensor<2x4x16x3xf32>
  return
}

// -----

func.func @f(%g: tensor<2x4x3xf32>, %v: tensor<2x4x16x3xf32>, %s: tensor<2x4x64xf32>) {
// expected-error @+1 {{'swr.carrier_scan' op init dim 2 (D) is 64 but carrier_states dim 2 (D) is 16}}
  %c = swr.carrier_scan %g, %v init(%s) hops = 1 : (tensor<2x4x3xf32>, tensor<2x4x16x3xf32>, tensor<2x4x64xf32>) -> tensor<2x4x16x3xf32>
  return
}

// -----

func.func @f(%l: tensor<2x4x16x40xf32>, %p: tensor<2x4x40xf32>) {
// expected-error @+1 {{'swr.tile_apply' op block must be >= 1, got 0}}
  %y = swr.tile_apply %l, %p block = 0 : (tensor<2x4x16x40xf32>, tensor<2x4x40xf32>) -> tensor<2x4x16x40xf32>
  return
}

// -----

func.func @f(%l: tensor<2x4x40xf32>, %p: tensor<2x4x40xf32>) {
// expected-error @+1 {{'swr.tile_apply' op local must have rank 4 [B, H, D, L], got 'tensor<2x4x40xf32>'}}
  %y = swr.tile_apply %l, %p block = 16 : (tensor<2x4x40xf32>, tensor<2x4x40xf32>) -> tensor<2x4x16x40xf32>
  return
}

// -----

func.func @f(%l: tensor<2x4x16x40xf32>, %p: tensor<2x4x16x40xf32>) {
// expected-error @+1 {{'swr.tile_apply' op prefix must have rank 3 [B, H, L], got 'tensor<2x4x16x40xf32>'}}
  %y = swr.tile_apply %l, %p block = 16 : (tensor<2x4x16x40xf32>, tensor<2x4x16x40xf32>) -> tensor<2x4x16x40xf32>
  return
}

// -----

func.func @f(%l: tensor<2x4x16x40xf32>, %p: tensor<2x4x40xf32>) {
// expected-error @+1 {{'swr.tile_apply' op result must have rank 4 [B, H, D, L], got 'tensor<2x4x40xf32>'}}
  %y = swr.tile_apply %l, %p block = 16 : (tensor<2x4x16x40xf32>, tensor<2x4x40xf32>) -> tensor<2x4x40xf32>
  return
}

// -----

func.func @f(%l: tensor<2x4x16x40xf32>, %p: tensor<3x4x40xf32>) {
// expected-error @+1 {{'swr.tile_apply' op prefix dim 0 (B) is 3 but local dim 0 (B) is 2}}
  %y = swr.tile_apply %l, %p block = 16 : (tensor<2x4x16x40xf32>, tensor<3x4x40xf32>) -> tensor<2x4x16x40xf32>
  return
}

// -----

func.func @f(%l: tensor<2x4x16x40xf32>, %p: tensor<2x3x40xf32>) {
// expected-error @+1 {{'swr.tile_apply' op prefix dim 1 (H) is 3 but local dim 1 (H) is 4}}
  %y = swr.tile_apply %l, %p block = 16 : (tensor<2x4x16x40xf32>, tensor<2x3x40xf32>) -> tensor<2x4x16x40xf32>
  return
}

// -----

func.func @f(%l: tensor<2x4x16x40xf32>, %p: tensor<2x4x39xf32>) {
// expected-error @+1 {{'swr.tile_apply' op prefix dim 2 (L) is 39 but local dim 3 (L) is 40}}
  %y = swr.tile_apply %l, %p block = 16 : (tensor<2x4x16x40xf32>, tensor<2x4x39xf32>) -> tensor<2x4x16x40xf32>
  return
}

// -----

func.func @f(%l: tensor<2x4x16x40xf32>, %p: tensor<2x4x40xf32>) {
// expected-error @+1 {{'swr.tile_apply' op result must have the local states' shape}}
  %y = swr.tile_apply %l, %p block = 16 : (tensor<2x4x16x40xf32>, tensor<2x4x40xf32>) -> tensor<2x4x16x?xbf16>
  return
}

// -----

func.func @f(%l: tensor<2x4x16x40xf32>, %p: tensor<2x4x40xf32>, %c: tensor<2x4x3xf32>) {
// expected-error @+1 {{'swr.tile_apply' op carry must have rank 4 [B, H, D, T], got 'tensor<2x4x3xf32>'}}
  %y = swr.tile_apply %l, %p carry(%c) block = 16 : (tensor<2x4x16x40xf32>, tensor<2x4x40xf32>, tensor<2x4x3xf32>) -> tensor<2x4x16x40xf32>
  return
}

// -----

func.func @f(%l: tensor<2x4x16x40xf32>, %p: tensor<2x4x40xf32>, %c: tensor<2x4x16x4xf32>) {
// expected-error @+1 {{'swr.tile_apply' op carry dim 3 (T, tiles) is 4 but ceil(40 / 16) = 3}}
  %y = swr.tile_apply %l, %p carry(%c) block = 16 : (tensor<2x4x16x40xf32>, tensor<2x4x40xf32>, tensor<2x4x16x4xf32>) -> tensor<2x4x16x40xf32>
  return
}

// -----

func.func @f(%g: tensor<2x4x3xf32>, %v: tensor<2x4x16x3xf32>) {
// expected-error @+1 {{'swr.carrier_scan' op span must be >= 1 tiles or -1 (the whole sequence), got 0}}
  %c = swr.carrier_scan %g, %v hops = 1 span = 0 : (tensor<2x4x3xf32>, tensor<2x4x16x3xf32>) -> tensor<2x4x16x3xf32>
  return
}
// -----

func.func @f(%g: tensor<2x4x3xf32>, %v: tensor<2x4x16x3xf32>) {
// expected-error @+1 {{'swr.carrier_scan' op route 'smem' cannot cross the lane level (shuffle or halo)}}
  %c = swr.carrier_scan %g, %v hops = 1 span = 32 at lane by smem : (tensor<2x4x3xf32>, tensor<2x4x16x3xf32>) -> tensor<2x4x16x3xf32>
  return
}
// -----

func.func @f(%g: tensor<2x4x3xf32>, %v: tensor<2x4x16x3xf32>) {
// expected-error @+1 {{'swr.carrier_scan' op a halo level recomputes every earlier tile of the window: its span must be -1, got 32}}
  %c = swr.carrier_scan %g, %v hops = 1 span = 32 at warp by halo : (tensor<2x4x3xf32>, tensor<2x4x16x3xf32>) -> tensor<2x4x16x3xf32>
  return
}
// -----

func.func @f(%g: tensor<2x4x3xf32>, %v: tensor<2x4x16x3xf32>) {
// expected-error @+1 {{'swr.carrier_scan' op the grid level spans the whole sequence: its span must be -1, got 64}}
  %c = swr.carrier_scan %g, %v hops = 1 span = 64 at grid by flags : (tensor<2x4x3xf32>, tensor<2x4x16x3xf32>) -> tensor<2x4x16x3xf32>
  return
}
// -----

func.func @f(%g: tensor<2x4x3xf32>, %v: tensor<2x4x16x3xf32>) {
// expected-error @+1 {{'swr.carrier_scan' op level and route come together}}
  %c = swr.carrier_scan %g, %v hops = 1 span = 32 {level = 0 : i32} : (tensor<2x4x3xf32>, tensor<2x4x16x3xf32>) -> tensor<2x4x16x3xf32>
  return
}
// -----

func.func @f(%g: tensor<2x4x3xf32>, %v: tensor<2x4x16x3xf32>) {
  %p = swr.carrier_scan %g, %v hops = 2 span = 32 at lane by shuffle : (tensor<2x4x3xf32>, tensor<2x4x16x3xf32>) -> tensor<2x4x16x3xf32>
// expected-error @+1 {{'swr.carrier_scan' op partial must come from a carrier_scan with the same hops, reverse and init}}
  %c = swr.carrier_scan %g, %v partial(%p) hops = 1 span = 64 at warp by smem : (tensor<2x4x3xf32>, tensor<2x4x16x3xf32>, tensor<2x4x16x3xf32>) -> tensor<2x4x16x3xf32>
  return
}
// -----

func.func @f(%g: tensor<2x4x3xf32>, %v: tensor<2x4x16x3xf32>) {
  %p = swr.carrier_scan %g, %v hops = 1 span = 48 at lane by shuffle : (tensor<2x4x3xf32>, tensor<2x4x16x3xf32>) -> tensor<2x4x16x3xf32>
// expected-error @+1 {{'swr.carrier_scan' op partial's span (48) must be finite and divide this span (64)}}
  %c = swr.carrier_scan %g, %v partial(%p) hops = 1 span = 64 at warp by smem : (tensor<2x4x3xf32>, tensor<2x4x16x3xf32>, tensor<2x4x16x3xf32>) -> tensor<2x4x16x3xf32>
  return
}
// -----

func.func @f(%g: tensor<2x4x3xf32>, %v: tensor<2x4x16x3xf32>) {
  %p = swr.carrier_scan %g, %v hops = 1 span = 64 at warp by smem : (tensor<2x4x3xf32>, tensor<2x4x16x3xf32>) -> tensor<2x4x16x3xf32>
// expected-error @+1 {{'swr.carrier_scan' op partial must come from a lower level than warp}}
  %c = swr.carrier_scan %g, %v partial(%p) hops = 1 span = 64 at warp by smem : (tensor<2x4x3xf32>, tensor<2x4x16x3xf32>, tensor<2x4x16x3xf32>) -> tensor<2x4x16x3xf32>
  return
}
// -----

func.func @f(%g: tensor<2x4x3xf32>, %v: tensor<2x4x16x3xf32>) {
  %p = swr.carrier_scan %g, %v hops = 1 at grid by flags : (tensor<2x4x3xf32>, tensor<2x4x16x3xf32>) -> tensor<2x4x16x3xf32>
// expected-error @+1 {{'swr.carrier_scan' op partial's span (-1) must be finite and divide this span (-1)}}
  %c = swr.carrier_scan %g, %v partial(%p) hops = 1 at grid by flags : (tensor<2x4x3xf32>, tensor<2x4x16x3xf32>, tensor<2x4x16x3xf32>) -> tensor<2x4x16x3xf32>
  return
}
// -----

func.func @f(%g: tensor<2x4x3xf32>, %v: tensor<2x4x16x3xf32>, %p: tensor<2x4x16x3xf32>) {
// expected-error @+1 {{'swr.carrier_scan' op partial must be the carry of a swr.carrier_scan (the level below)}}
  %c = swr.carrier_scan %g, %v partial(%p) hops = 1 at grid by flags : (tensor<2x4x3xf32>, tensor<2x4x16x3xf32>, tensor<2x4x16x3xf32>) -> tensor<2x4x16x3xf32>
  return
}
