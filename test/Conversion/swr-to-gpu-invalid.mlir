// RUN: phalanx-opt %s --convert-swr-to-gpu --split-input-file --verify-diagnostics

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
