// RUN: phalanx-opt %s --convert-swr-to-gpu --split-input-file -verify-each | FileCheck %s

// local = mma: a CTA holds `slots` channels of one (b, h) at the same tiles
// (16 / warps of them, as many as divide D, at most 16), so every tile's
// transfer matrix M is shared by its channels, which are the N columns of
// m16n8k16 bf16 mma. Per round of `chunk` tiles: each thread stages its
// tile's f32 drive (swizzled 16-byte stores) and its slot's rows of the
// tile's gate table, barrier, each warp builds A = M (bf16 parts) from the
// table and B = the staged drive of 8 channels, runs the mma and writes the
// local states over the drive, barrier, each thread reads its local states.

// Warps 4: 4 channels per CTA (512 threads; the host launches rows / 4 row
// groups), 4 rounds of 32 tiles (unrolled; more rounds are an scf.for). bf16 drive (exact in one bf16 part), f32
// output (three parts of M): 3 mma per tile.
// CHECK-LABEL: func.func @k1(
// CHECK: %[[G:.*]] = arith.divui %{{.*}}, %c4 : index
// CHECK: arith.muli %[[G]], %{{.*}} : index
// CHECK: gpu.launch_func {{.*}}@k1_swr {{.*}} threads in (%c512,
// CHECK-LABEL: gpu.func @k1_swr(
// CHECK-SAME: workgroup(%{{.*}} : memref<32xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %{{.*}} : memref<4640xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK-SAME: known_block_size = array<i32: 512, 1, 1>
// Each slot's carrier lists: a view of its part of the carrier buffer.
// CHECK: memref.reinterpret_cast %{{.*}} to offset: [%{{.*}}], sizes: [8], strides: [1]
// CHECK-COUNT-4: llvm.store {{.*}} {alignment = 16 : i64} : vector<4xf32>, !llvm.ptr<3>
// CHECK: gpu.barrier
// CHECK: scf.for
// CHECK: nvvm.bar.warp.sync
// CHECK: llvm.load {{.*}} -> vector<2xf32>
// CHECK-COUNT-3: nvvm.mma.sync A[{{.*}}] B[{{.*}}] C[{{.*}}] {{.*}}multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK: nvvm.bar.warp.sync
// CHECK: gpu.barrier
// CHECK-COUNT-4: llvm.load {{.*}} {alignment = 16 : i64} : !llvm.ptr<3> -> vector<4xf32>
// CHECK: gpu.barrier
// Three more (unrolled) rounds.
// CHECK-COUNT-9: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: gpu.shuffle up
func.func @k1(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      schedule <local = mma, warps = 4, grid = halo>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// Warps 1, bf16 in and out: 16 channels per CTA (two 8-column blocks), one
// round of 32 tiles; two parts of M: 2 x 2 mma per tile.
// CHECK-LABEL: gpu.func @w1_swr(
// CHECK-SAME: memref<10880xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}
// CHECK-SAME: known_block_size = array<i32: 512, 1, 1>
// The gate table: row k of each tile by slot k (one switch on the slot).
// CHECK: scf.index_switch
// CHECK: case 15 {
// CHECK: default {
// CHECK-NOT: scf.for {{.*}} iter_args(
// CHECK: gpu.barrier
// CHECK-COUNT-4: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: gpu.return
func.func @w1(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = 0, segment = inf>
      schedule <local = mma, warps = 1>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}

// -----

// Block 32, f32 in and out: 8 channels per CTA, 4 rounds of 16 tiles; lower
// block triangle (3 block pairs) x 6 part products (the parts of M and x
// whose index sum is <= 2) = 18 mma per tile and round.
// CHECK-LABEL: gpu.func @b32_swr(
// CHECK-SAME: memref<6720xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}
// CHECK-COUNT-72: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
func.func @b32(%a: tensor<?x4x?xf32>, %x: tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 32, hops = inf, segment = inf>
      schedule <local = mma, warps = 2>
      : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// Transpose: upper block triangle, same counts; the CTA's 8 slots share one
// ticket (grid = flags).
// CHECK-LABEL: gpu.func @t_swr(
// CHECK: memref.atomic_rmw addi
// CHECK-COUNT-72: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
func.func @t(%a: tensor<?x4x?xf32>, %x: tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 32, hops = 1, segment = inf>
      schedule <local = mma, warps = 2, grid = flags> transpose
      : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// K = 64, 2 tiles per lane: each of the 16 slots keeps 64 warp carriers
// (8 KiB in all), so the staging round shrinks to 16 tiles to stay within
// the 48 KiB of static shared memory.
// CHECK-LABEL: gpu.func @k64_swr(
// CHECK-SAME: workgroup(%{{.*}} : memref<2048xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %{{.*}} : memref<1xi32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %{{.*}} : memref<5504xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK-SAME: known_block_size = array<i32: 512, 1, 1>
func.func @k64(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = 64, segment = inf>
      schedule <local = mma, tiles_per_lane = 2, warps = 1, grid = flags>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}
