// RUN: phalanx-opt %s --convert-swr-to-gpu --split-input-file -verify-each | FileCheck %s
// RUN: phalanx-opt %s --convert-swr-to-gpu --split-input-file -verify-each --mlir-print-ir-after=convert-swr-to-gpu 2>&1 >/dev/null | FileCheck %s --check-prefix=NOSWR
// convert-swr-to-gpu takes the GPU tiled form of swr-gpu-tile: the routes of
// the kernel are the routes of the level chain.

// Lane shuffle, warp smem, grid halo, written out by hand.
// CHECK-LABEL: func.func @shuffle(
//       CHECK:   gpu.launch_func async {{.*}} @phalanx_kernels::@shuffle_swr
//       CHECK: gpu.func @shuffle_swr({{.*}}) workgroup(%{{.*}} : memref<16xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}) kernel
//       CHECK:   gpu.shuffle up
// NOSWR-NOT: swr.
func.func @shuffle(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %m = swr.mask_gates %a block = 16 segment = -1 : (tensor<?x4x?xbf16>) -> tensor<?x4x?xf32>
  %l, %p, %g, %v = swr.tile_scan %m, %x block = 16 schedule <warps = 4, grid = halo> : (tensor<?x4x?xf32>, tensor<?x4x16x?xbf16>) -> (tensor<?x4x16x?xf32>, tensor<?x4x?xf32>, tensor<?x4x?xf32>, tensor<?x4x16x?xf32>)
  %c0 = swr.carrier_scan %g, %v hops = 2 span = 32 at lane by shuffle : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  %c1 = swr.carrier_scan %g, %v partial(%c0) hops = 2 span = 128 at warp by smem : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  %c2 = swr.carrier_scan %g, %v partial(%c1) hops = 2 at grid by halo : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  %y = swr.tile_apply %l, %p carry(%c2) block = 16 : (tensor<?x4x16x?xf32>, tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}

// -----

// The same schedule fields, but the chain says: halo at the lane level. The
// chain wins: no shuffles, no workgroup memory.
//       CHECK: gpu.func @halo_swr(%{{[^)]*}}: index) kernel
//   CHECK-NOT:   gpu.shuffle
//   CHECK-NOT:   workgroup
//       CHECK:   gpu.return
func.func @halo(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %m = swr.mask_gates %a block = 16 segment = -1 : (tensor<?x4x?xbf16>) -> tensor<?x4x?xf32>
  %l, %p, %g, %v = swr.tile_scan %m, %x block = 16 schedule <warps = 4, grid = halo> : (tensor<?x4x?xf32>, tensor<?x4x16x?xbf16>) -> (tensor<?x4x16x?xf32>, tensor<?x4x?xf32>, tensor<?x4x?xf32>, tensor<?x4x16x?xf32>)
  %c0 = swr.carrier_scan %g, %v hops = 2 at lane by halo : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  %y = swr.tile_apply %l, %p carry(%c0) block = 16 : (tensor<?x4x16x?xf32>, tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}
