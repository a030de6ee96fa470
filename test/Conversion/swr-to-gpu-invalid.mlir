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
