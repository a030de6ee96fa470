// RUN: phalanx-opt %s --swr-gpu-tile="local=mma" -verify-each | FileCheck %s
// RUN: phalanx-opt %s --convert-swr-to-gpu="local=mma" -verify-each | FileCheck %s --check-prefix=GPU

// The default rule for local = mma (no schedule on the op, warps and tiles
// per lane left to the rule): one warp per channel and 16 channels per CTA
// (512 threads); finite K: 4 tiles per lane (runs of 8 tiles per mma warp),
// and a short halo (hops * block <= 256) recomputed by each mma warp
// (lane = halo: no carrier exchange); K = inf: 1 tile per lane (the row
// loop keeps the local states in registers), lane shuffles and grid flags.
// CHECK-LABEL: func.func @k0(
// CHECK: schedule <local = mma, tiles_per_lane = 4, warps = 1, cluster = 1, lane = shuffle, warp = smem, cta = none, grid = halo>
// CHECK-LABEL: func.func @k1(
// CHECK: schedule <local = mma, tiles_per_lane = 4, warps = 1, cluster = 1, lane = halo, warp = smem, cta = none, grid = halo>
// CHECK-LABEL: func.func @k2(
// CHECK: schedule <local = mma, tiles_per_lane = 4, warps = 1, cluster = 1, lane = halo, warp = smem, cta = none, grid = halo>
// CHECK-LABEL: func.func @k40(
// CHECK: schedule <local = mma, tiles_per_lane = 4, warps = 1, cluster = 1, lane = shuffle, warp = smem, cta = none, grid = flags>
// CHECK-LABEL: func.func @kinf(
// CHECK: schedule <local = mma, tiles_per_lane = 1, warps = 1, cluster = 1, lane = shuffle, warp = smem, cta = none, grid = flags>

// K = 1 (lane = halo) streams its tiles through the warps' cp.async ring
// (2 slots of 4 tiles per warp, 77824 bytes of dynamic workgroup memory:
// swr-to-gpu-mma-ring.mlir), still without a barrier.
// GPU: llvm.mlir.global external @k1_swr_ring() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<0 x i8>
// GPU-LABEL: gpu.func @k1_swr(
// GPU-NOT: workgroup
// GPU-SAME: known_block_size = array<i32: 512, 1, 1>
// GPU-NOT: gpu.barrier
// GPU: gpu.return
// GPU-LABEL: gpu.func @kinf_swr(
// GPU-SAME: known_block_size = array<i32: 512, 1, 1>
func.func @k0(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = 0, segment = inf>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}
func.func @k1(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}
func.func @k2(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = 2, segment = inf>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}
func.func @k40(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = 40, segment = inf>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}
func.func @kinf(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = inf, segment = inf>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}
