// RUN: phalanx-opt %s --convert-swr-to-gpu --split-input-file --verify-diagnostics

func.func @mma_smem(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32> {
  // expected-error @+1 {{local = mma stages 256 * block bytes of workgroup memory per warp, at most 32 KiB in all: warps * block must be <= 128, got warps = 4, block = 64}}
  %y = swr.scan %a, %x window <block = 64, hops = 1, segment = inf>
      schedule <local = mma, warps = 4>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

func.func @not_whole_body(%a: tensor<?x4x?xf32>, %x: tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32> {
  // expected-error @+1 {{swr.scan on the GPU must be the whole body of a public function on its arguments (returned as is); this form is not supported on the GPU yet}}
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  %z = arith.addf %y, %y : tensor<?x4x16x?xf32>
  return %z : tensor<?x4x16x?xf32>
}

// -----

func.func private @private_scan(%a: tensor<?x4x?xf32>, %x: tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32> {
  // expected-error @+1 {{must be the whole body of a public function}}
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

func.func @tiled(%a: tensor<?x4x?xf32>) -> tensor<?x4x?xf32> {
  %m = swr.mask_gates %a block = 16 segment = -1 : (tensor<?x4x?xf32>) -> tensor<?x4x?xf32>
  // expected-error @+1 {{not in the GPU tiled form (swr-gpu-tile): the function must return the result of a swr.tile_apply}}
  return %m : tensor<?x4x?xf32>
}

// -----

// The tiled form of swr-tile (no levels) is not the GPU tiled form.
func.func @no_levels(%a: tensor<?x4x?xf32>, %x: tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32> {
  %m = swr.mask_gates %a block = 16 segment = -1 : (tensor<?x4x?xf32>) -> tensor<?x4x?xf32>
  %l, %p, %g, %v = swr.tile_scan %m, %x block = 16 schedule <> : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> (tensor<?x4x16x?xf32>, tensor<?x4x?xf32>, tensor<?x4x?xf32>, tensor<?x4x16x?xf32>)
  // expected-error @+1 {{not in the GPU tiled form (swr-gpu-tile): carrier_scan has no level: run swr-gpu-tile, not swr-tile}}
  %c = swr.carrier_scan %g, %v hops = 1 : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  %y = swr.tile_apply %l, %p carry(%c) block = 16 : (tensor<?x4x16x?xf32>, tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// A span that is not the schedule's: 4 warps of 32 lanes span 128 tiles.
func.func @wrong_span(%a: tensor<?x4x?xf32>, %x: tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32> {
  %m = swr.mask_gates %a block = 16 segment = -1 : (tensor<?x4x?xf32>) -> tensor<?x4x?xf32>
  %l, %p, %g, %v = swr.tile_scan %m, %x block = 16 schedule <warps = 4> : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> (tensor<?x4x16x?xf32>, tensor<?x4x?xf32>, tensor<?x4x?xf32>, tensor<?x4x16x?xf32>)
  %c0 = swr.carrier_scan %g, %v hops = 1 span = 32 at lane by shuffle : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  // expected-error @+1 {{not in the GPU tiled form (swr-gpu-tile): expected span 128 at warp by smem (tiles_per_lane, warps and cluster of the schedule)}}
  %c1 = swr.carrier_scan %g, %v partial(%c0) hops = 1 span = 64 at warp by smem : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  %c2 = swr.carrier_scan %g, %v partial(%c1) hops = 1 at grid by flags : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  %y = swr.tile_apply %l, %p carry(%c2) block = 16 : (tensor<?x4x16x?xf32>, tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// The last level must complete the window.
func.func @unfinished(%a: tensor<?x4x?xf32>, %x: tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32> {
  %m = swr.mask_gates %a block = 16 segment = -1 : (tensor<?x4x?xf32>) -> tensor<?x4x?xf32>
  %l, %p, %g, %v = swr.tile_scan %m, %x block = 16 schedule <warps = 4> : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> (tensor<?x4x16x?xf32>, tensor<?x4x?xf32>, tensor<?x4x?xf32>, tensor<?x4x16x?xf32>)
  // expected-error @+1 {{not in the GPU tiled form (swr-gpu-tile): the last level must span the whole sequence}}
  %c0 = swr.carrier_scan %g, %v hops = 1 span = 32 at lane by shuffle : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  %y = swr.tile_apply %l, %p carry(%c0) block = 16 : (tensor<?x4x16x?xf32>, tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

func.func @no_schedule(%a: tensor<?x4x?xf32>, %x: tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32> {
  %m = swr.mask_gates %a block = 16 segment = -1 : (tensor<?x4x?xf32>) -> tensor<?x4x?xf32>
  // expected-error @+1 {{not in the GPU tiled form (swr-gpu-tile): tile_scan has no #swr.schedule}}
  %l, %p, %g, %v = swr.tile_scan %m, %x block = 16 : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> (tensor<?x4x16x?xf32>, tensor<?x4x?xf32>, tensor<?x4x?xf32>, tensor<?x4x16x?xf32>)
  %y = swr.tile_apply %l, %p block = 16 : (tensor<?x4x16x?xf32>, tensor<?x4x?xf32>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// cta = bulk: a 2048-tile CTA span with K = 5000 and cluster 4 pushes
// 16 KiB messages into 3 receive slots: more workgroup memory than the
// route allows.
func.func @bulk_too_big(%a: tensor<?x4x?xf32>, %x: tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32> {
  // expected-error @+1 {{cta = bulk needs 65552 bytes of workgroup memory (a message of the last min(K, CTA span) carriers and one receive slot per earlier CTA within K tiles), more than 32 KiB: use cta = dsmem}}
  %y = swr.scan %a, %x window <block = 8, hops = 5000, segment = inf>
      schedule <tiles_per_lane = 4, warps = 16, cluster = 4, cta = bulk, grid = flags>
      : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}
