// RUN: phalanx-opt %s | FileCheck %s
// RUN: phalanx-opt %s | phalanx-opt | FileCheck %s
// RUN: phalanx-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC
// RUN: phalanx-opt %s --mlir-print-op-generic | phalanx-opt | FileCheck %s

// CHECK-LABEL: func.func @minimal
// CHECK: swr.scan %{{.*}}, %{{.*}} window <block = 16, hops = 1, segment = inf> : (tensor<2x4x64xbf16>, tensor<2x4x16x64xbf16>) -> tensor<2x4x16x64xbf16>
// GENERIC-LABEL: sym_name = "minimal"
// GENERIC: "swr.scan"(%{{.*}}, %{{.*}}) <{operandSegmentSizes = array<i32: 1, 1, 0, 0>, window = #swr.window<block = 16, hops = 1, segment = inf>}>
func.func @minimal(%a: tensor<2x4x64xbf16>, %x: tensor<2x4x16x64xbf16>) -> tensor<2x4x16x64xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = 1> : (tensor<2x4x64xbf16>, tensor<2x4x16x64xbf16>) -> tensor<2x4x16x64xbf16>
  return %y : tensor<2x4x16x64xbf16>
}

// Every optional piece: resets, init, schedule; mixed element types; dynamic B, H, L.
// CHECK-LABEL: func.func @everything
// CHECK: swr.scan %{{.*}}, %{{.*}} resets(%{{.*}}) init(%{{.*}}) window <block = 32, hops = 2, segment = 8> schedule <local = scan, tiles_per_lane = 2, warps = 8, cluster = 2, lane = shuffle, warp = smem, cta = dsmem, grid = halo> : (tensor<?x?x?xf16>, tensor<?x?x32x?xf32>, tensor<?x?xi1>, tensor<?x?x32xbf16>) -> tensor<?x?x32x?xbf16>
// GENERIC-LABEL: sym_name = "everything"
// GENERIC: operandSegmentSizes = array<i32: 1, 1, 1, 1>
func.func @everything(%a: tensor<?x?x?xf16>, %x: tensor<?x?x32x?xf32>, %r: tensor<?x?xi1>, %s: tensor<?x?x32xbf16>) -> tensor<?x?x32x?xbf16> {
  %y = swr.scan %a, %x resets(%r) init(%s) window <block = 32, hops = 2, segment = 8> schedule <tiles_per_lane = 2, warps = 8, cluster = 2, grid = halo> : (tensor<?x?x?xf16>, tensor<?x?x32x?xf32>, tensor<?x?xi1>, tensor<?x?x32xbf16>) -> tensor<?x?x32x?xbf16>
  return %y : tensor<?x?x32x?xbf16>
}

// CHECK-LABEL: func.func @transpose_exact
// CHECK: swr.scan %{{.*}}, %{{.*}} window <block = 64, hops = inf, segment = inf> schedule <local = mma, tiles_per_lane = 1, warps = 4, cluster = 1, lane = shuffle, warp = smem, cta = none, grid = flags> transpose : (tensor<1x2x?xf32>, tensor<1x2x64x?xf32>) -> tensor<1x2x64x?xf32>
// GENERIC-LABEL: sym_name = "transpose_exact"
// GENERIC: transpose
func.func @transpose_exact(%a: tensor<1x2x?xf32>, %x: tensor<1x2x64x?xf32>) -> tensor<1x2x64x?xf32> {
  %y = swr.scan %a, %x window <block = 64, hops = inf> schedule <local = mma> transpose : (tensor<1x2x?xf32>, tensor<1x2x64x?xf32>) -> tensor<1x2x64x?xf32>
  return %y : tensor<1x2x64x?xf32>
}

// The tiled form.
// CHECK-LABEL: func.func @tiled
// CHECK: swr.mask_gates %{{.*}} resets(%{{.*}}) block = 16 segment = -1 : (tensor<2x4x40xbf16>, tensor<2x40xi1>) -> tensor<2x4x40xf32>
// CHECK: swr.tile_scan %{{.*}}, %{{.*}} block = 16 : (tensor<2x4x40xf32>, tensor<2x4x16x40xbf16>) -> (tensor<2x4x16x40xf32>, tensor<2x4x40xf32>, tensor<2x4x3xf32>, tensor<2x4x16x3xf32>)
// CHECK: swr.carrier_scan %{{.*}}, %{{.*}} init(%{{.*}}) hops = 1 : (tensor<2x4x3xf32>, tensor<2x4x16x3xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16x3xf32>
// CHECK: swr.tile_apply %{{.*}}, %{{.*}} carry(%{{.*}}) block = 16 : (tensor<2x4x16x40xf32>, tensor<2x4x40xf32>, tensor<2x4x16x3xf32>) -> tensor<2x4x16x40xbf16>
// CHECK: swr.tile_scan %{{.*}}, %{{.*}} block = 16 transpose schedule <local = scan, tiles_per_lane = 1, warps = 4, cluster = 1, lane = shuffle, warp = smem, cta = none, grid = flags>
// CHECK: swr.carrier_scan %{{.*}}, %{{.*}} hops = -1 reverse
// CHECK: swr.tile_apply %{{.*}}, %{{.*}} block = 16 : (tensor<2x4x16x40xf32>, tensor<2x4x40xf32>) -> tensor<2x4x16x40xf32>
func.func @tiled(%a: tensor<2x4x40xbf16>, %x: tensor<2x4x16x40xbf16>, %r: tensor<2x40xi1>, %s: tensor<2x4x16xf32>) -> (tensor<2x4x16x40xbf16>, tensor<2x4x16x40xf32>) {
  %ae = swr.mask_gates %a resets(%r) block = 16 segment = -1 : (tensor<2x4x40xbf16>, tensor<2x40xi1>) -> tensor<2x4x40xf32>
  %l, %p, %g, %v = swr.tile_scan %ae, %x block = 16 : (tensor<2x4x40xf32>, tensor<2x4x16x40xbf16>) -> (tensor<2x4x16x40xf32>, tensor<2x4x40xf32>, tensor<2x4x3xf32>, tensor<2x4x16x3xf32>)
  %c = swr.carrier_scan %g, %v init(%s) hops = 1 : (tensor<2x4x3xf32>, tensor<2x4x16x3xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16x3xf32>
  %y = swr.tile_apply %l, %p carry(%c) block = 16 : (tensor<2x4x16x40xf32>, tensor<2x4x40xf32>, tensor<2x4x16x3xf32>) -> tensor<2x4x16x40xbf16>
  %l2, %p2, %g2, %v2 = swr.tile_scan %ae, %x block = 16 transpose schedule <> : (tensor<2x4x40xf32>, tensor<2x4x16x40xbf16>) -> (tensor<2x4x16x40xf32>, tensor<2x4x40xf32>, tensor<2x4x3xf32>, tensor<2x4x16x3xf32>)
  %c2 = swr.carrier_scan %g2, %v2 hops = -1 reverse : (tensor<2x4x3xf32>, tensor<2x4x16x3xf32>) -> tensor<2x4x16x3xf32>
  %y2 = swr.tile_apply %l2, %p2 block = 16 : (tensor<2x4x16x40xf32>, tensor<2x4x40xf32>) -> tensor<2x4x16x40xf32>
  return %y, %y2 : tensor<2x4x16x40xbf16>, tensor<2x4x16x40xf32>
}

// The GPU tiled form: one carrier_scan per level (span, level, route, partial).
// CHECK-LABEL: func.func @levels
// CHECK: %[[A:.*]] = swr.carrier_scan %{{.*}}, %{{.*}} init(%{{.*}}) hops = 3 span = 32 at lane by shuffle : (tensor<2x4x300xf32>, tensor<2x4x16x300xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16x300xf32>
// CHECK: %[[B:.*]] = swr.carrier_scan %{{.*}}, %{{.*}} init(%{{.*}}) partial(%[[A]]) hops = 3 span = 128 at warp by smem
// CHECK: %[[C:.*]] = swr.carrier_scan %{{.*}}, %{{.*}} init(%{{.*}}) partial(%[[B]]) hops = 3 span = 256 at cta by dsmem
// CHECK: swr.carrier_scan %{{.*}}, %{{.*}} init(%{{.*}}) partial(%[[C]]) hops = 3 at grid by flags :
// CHECK: swr.carrier_scan %{{.*}}, %{{.*}} hops = -1 span = 64 reverse
// CHECK: swr.carrier_scan %{{.*}}, %{{.*}} hops = 1 at lane by halo reverse
// GENERIC-LABEL: sym_name = "levels"
// GENERIC: level = 0 : i32, operandSegmentSizes = array<i32: 1, 1, 1, 0>, route = 1 : i32, span = 32 : i64
func.func @levels(%g: tensor<2x4x300xf32>, %v: tensor<2x4x16x300xf32>, %s: tensor<2x4x16xf32>) -> tensor<2x4x16x300xf32> {
  %c0 = swr.carrier_scan %g, %v init(%s) hops = 3 span = 32 at lane by shuffle : (tensor<2x4x300xf32>, tensor<2x4x16x300xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16x300xf32>
  %c1 = swr.carrier_scan %g, %v init(%s) partial(%c0) hops = 3 span = 128 at warp by smem : (tensor<2x4x300xf32>, tensor<2x4x16x300xf32>, tensor<2x4x16xf32>, tensor<2x4x16x300xf32>) -> tensor<2x4x16x300xf32>
  %c2 = swr.carrier_scan %g, %v init(%s) partial(%c1) hops = 3 span = 256 at cta by dsmem : (tensor<2x4x300xf32>, tensor<2x4x16x300xf32>, tensor<2x4x16xf32>, tensor<2x4x16x300xf32>) -> tensor<2x4x16x300xf32>
  %c3 = swr.carrier_scan %g, %v init(%s) partial(%c2) hops = 3 at grid by flags : (tensor<2x4x300xf32>, tensor<2x4x16x300xf32>, tensor<2x4x16xf32>, tensor<2x4x16x300xf32>) -> tensor<2x4x16x300xf32>
  %r0 = swr.carrier_scan %g, %v hops = -1 span = 64 reverse : (tensor<2x4x300xf32>, tensor<2x4x16x300xf32>) -> tensor<2x4x16x300xf32>
  %r1 = swr.carrier_scan %g, %v hops = 1 at lane by halo reverse : (tensor<2x4x300xf32>, tensor<2x4x16x300xf32>) -> tensor<2x4x16x300xf32>
  return %c3 : tensor<2x4x16x300xf32>
}
