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
  // expected-error @+1 {{swr.mask_gates is not supported on the GPU: convert-swr-to-gpu takes swr.scan before swr-tile}}
  %m = swr.mask_gates %a block = 16 segment = -1 : (tensor<?x4x?xf32>) -> tensor<?x4x?xf32>
  return %m : tensor<?x4x?xf32>
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
