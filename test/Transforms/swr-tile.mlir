// RUN: phalanx-opt %s --swr-tile --split-input-file | FileCheck %s

// K = 0: no carriers; init is never visible and is dropped.
// CHECK-LABEL: func.func @hops0
//  CHECK-SAME:   (%[[A:.*]]: tensor<2x4x100xbf16>, %[[X:.*]]: tensor<2x4x16x100xf32>, %[[S:.*]]: tensor<2x4x16xf32>)
//       CHECK:   %[[M:.*]] = swr.mask_gates %[[A]] block = 16 segment = -1 : (tensor<2x4x100xbf16>) -> tensor<2x4x100xf32>
//       CHECK:   %[[L:.*]], %[[P:.*]], %{{.*}}, %{{.*}} = swr.tile_scan %[[M]], %[[X]] block = 16 :
//  CHECK-SAME:     -> (tensor<2x4x16x100xf32>, tensor<2x4x100xf32>, tensor<2x4x7xf32>, tensor<2x4x16x7xf32>)
//   CHECK-NOT:   swr.carrier_scan
//       CHECK:   %[[Y:.*]] = swr.tile_apply %[[L]], %[[P]] block = 16 : (tensor<2x4x16x100xf32>, tensor<2x4x100xf32>) -> tensor<2x4x16x100xbf16>
//   CHECK-NOT:   swr.scan
//       CHECK:   return %[[Y]]
func.func @hops0(%a: tensor<2x4x100xbf16>, %x: tensor<2x4x16x100xf32>, %s: tensor<2x4x16xf32>) -> tensor<2x4x16x100xbf16> {
  %y = swr.scan %a, %x init(%s) window <block = 16, hops = 0>
      : (tensor<2x4x100xbf16>, tensor<2x4x16x100xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16x100xbf16>
  return %y : tensor<2x4x16x100xbf16>
}

// -----

// K = 1: one hop of carriers, forward.
// CHECK-LABEL: func.func @hops1
//       CHECK:   %[[M:.*]] = swr.mask_gates %{{.*}} block = 32 segment = -1
//       CHECK:   %[[L:.*]], %[[P:.*]], %[[G:.*]], %[[V:.*]] = swr.tile_scan %[[M]], %{{.*}} block = 32 :
//  CHECK-SAME:     -> (tensor<1x2x16x128xf32>, tensor<1x2x128xf32>, tensor<1x2x4xf32>, tensor<1x2x16x4xf32>)
//       CHECK:   %[[C:.*]] = swr.carrier_scan %[[G]], %[[V]] hops = 1 : (tensor<1x2x4xf32>, tensor<1x2x16x4xf32>) -> tensor<1x2x16x4xf32>
//       CHECK:   swr.tile_apply %[[L]], %[[P]] carry(%[[C]]) block = 32 : {{.*}} -> tensor<1x2x16x128xf16>
func.func @hops1(%a: tensor<1x2x128xf32>, %x: tensor<1x2x16x128xbf16>) -> tensor<1x2x16x128xf16> {
  %y = swr.scan %a, %x window <block = 32, hops = 1>
      : (tensor<1x2x128xf32>, tensor<1x2x16x128xbf16>) -> tensor<1x2x16x128xf16>
  return %y : tensor<1x2x16x128xf16>
}

// -----

// K = n with segments, resets and init (init keeps its element type).
// CHECK-LABEL: func.func @hops3
//  CHECK-SAME:   (%[[A:.*]]: tensor<2x4x100xf32>, %[[X:.*]]: tensor<2x4x16x100xf32>, %[[R:.*]]: tensor<2x100xi1>, %[[S:.*]]: tensor<2x4x16xbf16>)
//       CHECK:   %[[M:.*]] = swr.mask_gates %[[A]] resets(%[[R]]) block = 16 segment = 4 : (tensor<2x4x100xf32>, tensor<2x100xi1>) -> tensor<2x4x100xf32>
//       CHECK:   %[[L:.*]], %[[P:.*]], %[[G:.*]], %[[V:.*]] = swr.tile_scan %[[M]], %[[X]] block = 16 :
//       CHECK:   %[[C:.*]] = swr.carrier_scan %[[G]], %[[V]] init(%[[S]]) hops = 3 : (tensor<2x4x7xf32>, tensor<2x4x16x7xf32>, tensor<2x4x16xbf16>) -> tensor<2x4x16x7xf32>
//       CHECK:   swr.tile_apply %[[L]], %[[P]] carry(%[[C]]) block = 16
func.func @hops3(%a: tensor<2x4x100xf32>, %x: tensor<2x4x16x100xf32>, %r: tensor<2x100xi1>, %s: tensor<2x4x16xbf16>) -> tensor<2x4x16x100xf32> {
  %y = swr.scan %a, %x resets(%r) init(%s) window <block = 16, hops = 3, segment = 4>
      : (tensor<2x4x100xf32>, tensor<2x4x16x100xf32>, tensor<2x100xi1>, tensor<2x4x16xbf16>) -> tensor<2x4x16x100xf32>
  return %y : tensor<2x4x16x100xf32>
}

// -----

// K = inf (the exact recurrence) with init.
// CHECK-LABEL: func.func @exact
//       CHECK:   swr.mask_gates %{{.*}} block = 64 segment = -1
//       CHECK:   swr.tile_scan %{{.*}}, %{{.*}} block = 64 :
//       CHECK:   swr.carrier_scan %{{.*}}, %{{.*}} init(%{{.*}}) hops = -1 :
//       CHECK:   swr.tile_apply
func.func @exact(%a: tensor<1x1x256xf32>, %x: tensor<1x1x32x256xf32>, %s: tensor<1x1x32xf32>) -> tensor<1x1x32x256xf32> {
  %y = swr.scan %a, %x init(%s) window <block = 64, hops = inf, segment = inf>
      : (tensor<1x1x256xf32>, tensor<1x1x32x256xf32>, tensor<1x1x32xf32>) -> tensor<1x1x32x256xf32>
  return %y : tensor<1x1x32x256xf32>
}

// -----

// Transpose: backward tile scan and reverse carriers.
// CHECK-LABEL: func.func @transpose
//       CHECK:   %[[M:.*]] = swr.mask_gates %{{.*}} resets(%{{.*}}) block = 16 segment = 2
//       CHECK:   %[[L:.*]], %[[P:.*]], %[[G:.*]], %[[V:.*]] = swr.tile_scan %[[M]], %{{.*}} block = 16 transpose :
//       CHECK:   %[[C:.*]] = swr.carrier_scan %[[G]], %[[V]] hops = 2 reverse :
//       CHECK:   swr.tile_apply %[[L]], %[[P]] carry(%[[C]]) block = 16
func.func @transpose(%a: tensor<2x4x100xf32>, %x: tensor<2x4x16x100xf32>, %r: tensor<2x100xi1>) -> tensor<2x4x16x100xf32> {
  %y = swr.scan %a, %x resets(%r) window <block = 16, hops = 2, segment = 2> transpose
      : (tensor<2x4x100xf32>, tensor<2x4x16x100xf32>, tensor<2x100xi1>) -> tensor<2x4x16x100xf32>
  return %y : tensor<2x4x16x100xf32>
}

// -----

// Dynamic B and L: the tile axis is dynamic, static dims stay static.
// CHECK-LABEL: func.func @dynamic
//       CHECK:   swr.mask_gates %{{.*}} resets(%{{.*}}) block = 16 segment = -1 : (tensor<?x8x?xbf16>, tensor<?x?xi1>) -> tensor<?x8x?xf32>
//       CHECK:   swr.tile_scan %{{.*}}, %{{.*}} block = 16 : (tensor<?x8x?xf32>, tensor<?x8x16x?xbf16>)
//  CHECK-SAME:     -> (tensor<?x8x16x?xf32>, tensor<?x8x?xf32>, tensor<?x8x?xf32>, tensor<?x8x16x?xf32>)
//       CHECK:   swr.carrier_scan %{{.*}}, %{{.*}} hops = 1 : (tensor<?x8x?xf32>, tensor<?x8x16x?xf32>) -> tensor<?x8x16x?xf32>
//       CHECK:   swr.tile_apply {{.*}} -> tensor<?x8x16x?xf32>
func.func @dynamic(%a: tensor<?x8x?xbf16>, %x: tensor<?x8x16x?xbf16>, %r: tensor<?x?xi1>) -> tensor<?x8x16x?xf32> {
  %y = swr.scan %a, %x resets(%r) window <block = 16, hops = 1, segment = inf>
      : (tensor<?x8x?xbf16>, tensor<?x8x16x?xbf16>, tensor<?x?xi1>) -> tensor<?x8x16x?xf32>
  return %y : tensor<?x8x16x?xf32>
}

// -----

// The tile axis is static when either the gates' or the drive's L is.
// CHECK-LABEL: func.func @mixed_static
//       CHECK:   swr.tile_scan {{.*}} -> (tensor<2x4x16x?xf32>, tensor<2x4x40xf32>, tensor<2x4x3xf32>, tensor<2x4x16x3xf32>)
func.func @mixed_static(%a: tensor<2x4x40xf32>, %x: tensor<2x4x16x?xf32>) -> tensor<2x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 1>
      : (tensor<2x4x40xf32>, tensor<2x4x16x?xf32>) -> tensor<2x4x16x?xf32>
  return %y : tensor<2x4x16x?xf32>
}

// -----

// The schedule is copied onto tile_scan and carrier_scan.
// CHECK-LABEL: func.func @schedule
//       CHECK:   swr.mask_gates
//       CHECK:   swr.tile_scan {{.*}} block = 32 schedule <local = mma, tiles_per_lane = 1, warps = 8, cluster = 1
//       CHECK:   swr.carrier_scan {{.*}} hops = 1 schedule <local = mma, tiles_per_lane = 1, warps = 8, cluster = 1
//       CHECK:   swr.tile_apply
func.func @schedule(%a: tensor<1x2x256xf32>, %x: tensor<1x2x16x256xf32>) -> tensor<1x2x16x256xf32> {
  %y = swr.scan %a, %x window <block = 32, hops = 1> schedule <local = mma, warps = 8>
      : (tensor<1x2x256xf32>, tensor<1x2x16x256xf32>) -> tensor<1x2x16x256xf32>
  return %y : tensor<1x2x16x256xf32>
}

// -----

// Every scan of the function is tiled, also in nested regions.
// CHECK-LABEL: func.func @two_scans
//   CHECK-NOT:   swr.scan
//   CHECK-COUNT-2: swr.tile_apply
//   CHECK-NOT:   swr.scan
func.func @two_scans(%a: tensor<1x1x64xf32>, %x: tensor<1x1x16x64xf32>, %c: i1) -> tensor<1x1x16x64xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 1>
      : (tensor<1x1x64xf32>, tensor<1x1x16x64xf32>) -> tensor<1x1x16x64xf32>
  %z = scf.if %c -> tensor<1x1x16x64xf32> {
    %w = swr.scan %a, %y window <block = 16, hops = inf>
        : (tensor<1x1x64xf32>, tensor<1x1x16x64xf32>) -> tensor<1x1x16x64xf32>
    scf.yield %w : tensor<1x1x16x64xf32>
  } else {
    scf.yield %y : tensor<1x1x16x64xf32>
  }
  return %z : tensor<1x1x16x64xf32>
}
