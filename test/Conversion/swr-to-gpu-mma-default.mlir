// RUN: phalanx-opt %s --convert-swr-to-gpu="local=mma" -verify-each | FileCheck %s

// The default rule for local = mma (no schedule on the op, warps left to
// the rule): one warp per channel and 16 channels per CTA (512 threads);
// K = 1 keeps the lane shuffle (mma needs whole warps of tiles) instead of
// the scan's lane halo.
// CHECK-LABEL: func.func @k1(
// CHECK: gpu.launch_func {{.*}} threads in (%c512,
// CHECK: gpu.func @k1_swr(
// CHECK-SAME: known_block_size = array<i32: 512, 1, 1>
// CHECK: gpu.shuffle up
func.func @k1(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}
