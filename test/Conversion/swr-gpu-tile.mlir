// RUN: phalanx-opt %s --swr-gpu-tile --split-input-file -verify-each | FileCheck %s
// RUN: phalanx-opt %s --swr-gpu-tile="tiles-per-lane=2 warps=4 lane=shuffle grid=flags" --split-input-file -verify-each | FileCheck %s --check-prefix=FLAGS
// RUN: phalanx-opt %s --swr-gpu-tile="tiles-per-lane=1 warps=2 cluster=4 cta=dsmem grid=flags" --split-input-file -verify-each | FileCheck %s --check-prefix=CLUSTER
// The GPU tiled form: one swr.carrier_scan per level the carriers cross, with
// the span of tiles it completes and its route (docs/gpu-lowering.md).

// Default rule, K = 1 (forward, no resets or init, block <= 32): lanes take
// their neighbour's carrier by shuffle, and the warp's first lane's halo
// tile is computed by the warp (warp = halo), so the chain ends at the warp.
// CHECK-LABEL: func.func @k1
//       CHECK:   %[[M:.*]] = swr.mask_gates %arg0 block = 16 segment = -1
//       CHECK:   %[[L:.*]], %[[P:.*]], %[[G:.*]], %[[V:.*]] = swr.tile_scan %[[M]], %arg1 block = 16 schedule <local = scan, tiles_per_lane = 1, warps = 2, cluster = 1, lane = shuffle, warp = halo, cta = none, grid = halo>
//       CHECK:   %[[C0:.*]] = swr.carrier_scan %[[G]], %[[V]] hops = 1 span = 32 at lane by shuffle :
//       CHECK:   %[[C:.*]] = swr.carrier_scan %[[G]], %[[V]] partial(%[[C0]]) hops = 1 at warp by halo :
//   CHECK-NOT:   swr.carrier_scan
//       CHECK:   swr.tile_apply %[[L]], %[[P]] carry(%[[C]]) block = 16
// FLAGS-LABEL: func.func @k1
//       FLAGS:   %[[C0:.*]] = swr.carrier_scan %{{.*}}, %{{.*}} hops = 1 span = 64 at lane by shuffle
//       FLAGS:   %[[C1:.*]] = swr.carrier_scan %{{.*}}, %{{.*}} partial(%[[C0]]) hops = 1 span = 256 at warp by smem
//       FLAGS:   %[[C2:.*]] = swr.carrier_scan %{{.*}}, %{{.*}} partial(%[[C1]]) hops = 1 at grid by flags
//       FLAGS:   swr.tile_apply %{{.*}}, %{{.*}} carry(%[[C2]])
// CLUSTER-LABEL: func.func @k1
//       CLUSTER:   swr.tile_scan {{.*}} schedule <local = scan, tiles_per_lane = 1, warps = 2, cluster = 4, lane = shuffle, warp = smem, cta = dsmem, grid = flags>
//       CLUSTER:   %[[C0:.*]] = swr.carrier_scan {{.*}} hops = 1 span = 32 at lane by shuffle
//       CLUSTER:   %[[C1:.*]] = swr.carrier_scan {{.*}} partial(%[[C0]]) hops = 1 span = 64 at warp by smem
//       CLUSTER:   %[[C2:.*]] = swr.carrier_scan {{.*}} partial(%[[C1]]) hops = 1 span = 256 at cta by dsmem
//       CLUSTER:   %[[C3:.*]] = swr.carrier_scan {{.*}} partial(%[[C2]]) hops = 1 at grid by flags
func.func @k1(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}

// -----

// K = inf, with init, resets, segments and the transpose: every level takes
// the init, the chain runs in the scan's direction (reverse), the default
// completes the prefix through the grid (flags).
// CHECK-LABEL: func.func @kinf
//       CHECK:   swr.mask_gates %arg0 resets(%arg2) block = 16 segment = 4
//       CHECK:   swr.tile_scan {{.*}} block = 16 transpose schedule <local = scan, tiles_per_lane = 2, warps = 8
//       CHECK:   %[[C0:.*]] = swr.carrier_scan {{.*}} hops = -1 span = 64 at lane by shuffle reverse
//       CHECK:   %[[C1:.*]] = swr.carrier_scan {{.*}} partial(%[[C0]]) hops = -1 span = 512 at warp by smem reverse
//       CHECK:   %[[C2:.*]] = swr.carrier_scan {{.*}} partial(%[[C1]]) hops = -1 at grid by flags reverse
//       CHECK:   swr.tile_apply {{.*}} carry(%[[C2]])
// FLAGS-LABEL: func.func @kinf
//       FLAGS:   span = 64 at lane by shuffle reverse
func.func @kinf(%a: tensor<2x4x1000xf32>, %x: tensor<2x4x16x1000xf32>, %r: tensor<2x1000xi1>)
    -> tensor<2x4x16x1000xf32> {
  %y = swr.scan %a, %x resets(%r) window <block = 16, hops = inf, segment = 4> transpose
      : (tensor<2x4x1000xf32>, tensor<2x4x16x1000xf32>, tensor<2x1000xi1>) -> tensor<2x4x16x1000xf32>
  return %y : tensor<2x4x16x1000xf32>
}

// -----

// K = 0: no carriers cross anything; init is never visible.
// CHECK-LABEL: func.func @k0
//   CHECK-NOT:   swr.carrier_scan
//       CHECK:   swr.tile_apply %{{.*}}, %{{.*}} block = 16 :
func.func @k0(%a: tensor<1x2x64xf32>, %x: tensor<1x2x16x64xf32>, %s: tensor<1x2x16xf32>) -> tensor<1x2x16x64xf32> {
  %y = swr.scan %a, %x init(%s) window <block = 16, hops = 0, segment = inf>
      : (tensor<1x2x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16xf32>) -> tensor<1x2x16x64xf32>
  return %y : tensor<1x2x16x64xf32>
}

// -----

// An op's own schedule wins over the knobs (mma, a cluster with a halo).
// CHECK-LABEL: func.func @given
//       CHECK:   swr.tile_scan {{.*}} schedule <local = mma, tiles_per_lane = 1, warps = 2, cluster = 2, lane = shuffle, warp = smem, cta = halo, grid = halo>
//       CHECK:   %[[C0:.*]] = swr.carrier_scan {{.*}} init(%arg2) hops = 3 span = 32 at lane by shuffle
//       CHECK:   %[[C1:.*]] = swr.carrier_scan {{.*}} init(%arg2) partial(%[[C0]]) hops = 3 span = 64 at warp by smem
//       CHECK:   %[[C2:.*]] = swr.carrier_scan {{.*}} init(%arg2) partial(%[[C1]]) hops = 3 at cta by halo
//   CHECK-NOT:   swr.carrier_scan
func.func @given(%a: tensor<1x2x64xf32>, %x: tensor<1x2x16x64xf32>, %s: tensor<1x2x16xf32>) -> tensor<1x2x16x64xf32> {
  %y = swr.scan %a, %x init(%s) window <block = 16, hops = 3, segment = inf>
      schedule <local = mma, warps = 2, cluster = 2, cta = halo, grid = halo>
      : (tensor<1x2x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16xf32>) -> tensor<1x2x16x64xf32>
  return %y : tensor<1x2x16x64xf32>
}

// -----

// A halo at the warp level recomputes the rest of the window: the chain ends.
// CHECK-LABEL: func.func @warp_halo
//       CHECK:   %[[C0:.*]] = swr.carrier_scan {{.*}} hops = 2 span = 32 at lane by shuffle
//       CHECK:   %[[C1:.*]] = swr.carrier_scan {{.*}} partial(%[[C0]]) hops = 2 at warp by halo
//   CHECK-NOT:   swr.carrier_scan
//       CHECK:   swr.tile_apply {{.*}} carry(%[[C1]])
func.func @warp_halo(%a: tensor<1x2x64xf32>, %x: tensor<1x2x16x64xf32>) -> tensor<1x2x16x64xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 2, segment = inf>
      schedule <lane = shuffle, warp = halo, grid = halo>
      : (tensor<1x2x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x2x16x64xf32>
  return %y : tensor<1x2x16x64xf32>
}

// -----

// cta = bulk: the cluster level by cp.async.bulk pushes.
// CHECK-LABEL: func.func @bulk
//       CHECK:   %[[C1:.*]] = swr.carrier_scan {{.*}} hops = 3 span = 64 at warp by smem
//       CHECK:   %[[C2:.*]] = swr.carrier_scan {{.*}} partial(%[[C1]]) hops = 3 span = 256 at cta by bulk
//       CHECK:   swr.carrier_scan {{.*}} partial(%[[C2]]) hops = 3 at grid by flags
func.func @bulk(%a: tensor<1x2x64xf32>, %x: tensor<1x2x16x64xf32>) -> tensor<1x2x16x64xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 3, segment = inf>
      schedule <warps = 2, cluster = 4, cta = bulk, grid = flags>
      : (tensor<1x2x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x2x16x64xf32>
  return %y : tensor<1x2x16x64xf32>
}
