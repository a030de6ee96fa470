// RUN: phalanx-opt %s --convert-swr-to-gpu="mma-loop-kernel=half" --split-input-file -verify-diagnostics

// The half kernel halves mma warps that take 2 tiles per chunk: 2 warps
// per channel give each of the 16 mma warps 4 tiles already.
func.func @w2(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  // expected-error @+1 {{mma-loop-kernel=half needs mma warps with 2 tiles per chunk (local = mma, tiles_per_lane = 1, 16 channels per CTA on one warp each: warps = 1) and staged chunks (tiles of 16 tokens)}}
  %y = swr.scan %a, %x window <block = 16, hops = inf, segment = inf>
      schedule <local = mma, warps = 2>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}

// -----

// Two tiles per lane: 4 tiles per mma warp already.
func.func @tpl2(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  // expected-error @+1 {{mma-loop-kernel=half needs mma warps with 2 tiles per chunk}}
  %y = swr.scan %a, %x window <block = 16, hops = inf, segment = inf>
      schedule <local = mma, tiles_per_lane = 2, warps = 1>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}

// -----

// Finite windows and local = scan have no mma row loop: the option does
// not apply and nothing is reported.
func.func @k1(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      schedule <local = mma, warps = 2>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}
func.func @scan(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = inf, segment = inf>
      schedule <warps = 2>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}
