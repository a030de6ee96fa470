// RUN: phalanx-opt %s --convert-swr-to-gpu="mma-channels=8 mma-ring=0" -verify-each | FileCheck %s
// RUN: phalanx-opt %s --convert-swr-to-gpu="mma-ring=0" -verify-each | FileCheck %s --check-prefix=AUTO

// mma-channels caps the channels of one (b, h) per CTA (local = mma): 8
// channels on 1 warp each = 256 threads and rows / 8 row groups; the
// channels are the M rows of the mma (half of them empty), so a tile still
// takes 2 mma (2 n blocks x 1 part of M for bf16 outputs), and each mma warp
// takes 4 of the CTA's 32 tiles. Auto: 16 channels, 512 threads, 2 tiles per
// warp.
// CHECK-LABEL: func.func @w1(
// CHECK: arith.divui %{{.*}}, %c8 : index
// CHECK: gpu.launch_func {{.*}} threads in (%c256,
// CHECK: gpu.func @w1_swr(
// CHECK-NOT: workgroup
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>, nvvm.minctasm = 4 : i32
// CHECK-COUNT-8: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// AUTO: gpu.launch_func {{.*}} threads in (%c512,
// AUTO: known_block_size = array<i32: 512, 1, 1>, nvvm.minctasm = 2 : i32
// AUTO-COUNT-4: nvvm.mma.sync
// AUTO-NOT: nvvm.mma.sync
func.func @w1(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = 0, segment = inf>
      schedule <local = mma, warps = 1>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}
