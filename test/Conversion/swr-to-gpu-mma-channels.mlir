// RUN: phalanx-opt %s --convert-swr-to-gpu="mma-channels=8" -verify-each | FileCheck %s
// RUN: phalanx-opt %s --convert-swr-to-gpu -verify-each | FileCheck %s --check-prefix=AUTO

// mma-channels caps the channels of one (b, h) per CTA (local = mma): 8
// channels on 1 warp each = 256 threads and rows / 8 row groups; one
// 8-column block per tile (2 mma: bf16 drive, two parts of M). Auto: 16
// channels, 512 threads, two column blocks (4 mma).
// CHECK-LABEL: func.func @w1(
// CHECK: arith.divui %{{.*}}, %c8 : index
// CHECK: gpu.launch_func {{.*}} threads in (%c256,
// CHECK: gpu.func @w1_swr(
// CHECK-SAME: memref<6720xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>, nvvm.minctasm = 4 : i32
// CHECK-COUNT-2: nvvm.mma.sync
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
