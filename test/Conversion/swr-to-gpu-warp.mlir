// RUN: phalanx-opt %s --convert-swr-to-gpu -verify-each --split-input-file | FileCheck %s

// warp = smem, finite K: each warp keeps the carriers of its last min(K, 32 *
// tiles_per_lane) tiles in workgroup memory (warps * keep * (g, v) floats);
// gpu.barrier; lanes whose halo tile lies in an earlier warp of the CTA read
// it there.
// K = 2, 4 warps: 4 * 2 * 2 = 16 floats.
// CHECK-LABEL: gpu.func @smem_k2_swr(
// CHECK-SAME:    workgroup(%[[SMEM:.*]] : memref<16xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK:        scf.if
// CHECK:          memref.store %{{.*}}, %[[SMEM]][%{{.*}}] : memref<16xf32, #gpu.address_space<workgroup>>
// CHECK:          memref.store %{{.*}}, %[[SMEM]][%{{.*}}] : memref<16xf32, #gpu.address_space<workgroup>>
// CHECK:        gpu.barrier
// CHECK:        gpu.shuffle up
// CHECK:        memref.load %[[SMEM]][%{{.*}}] : memref<16xf32, #gpu.address_space<workgroup>>
// CHECK:        memref.load %[[SMEM]][%{{.*}}] : memref<16xf32, #gpu.address_space<workgroup>>
// CHECK:        gpu.return
func.func @smem_k2(%a: tensor<?x4x?xf32>, %x: tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 2, segment = inf>
      schedule <warps = 4, lane = shuffle, warp = smem, grid = halo>
      : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// warp = smem, K = inf: lane 31 stores its warp's inclusive aggregate,
// gpu.barrier, and each thread composes the aggregates of the warps before
// its own (scf.for over the warps of its row: all 8, or 8 / g when g short
// rows share the CTA, g chosen from L). 8 warps: 16 floats + the CTA
// aggregate and the grid prefix (4): one set in the look-back kernel; two
// in the row-loop kernel, which alternates them by chunk parity (one
// barrier per chunk).
// CHECK-LABEL: gpu.func @smem_inf_swr(
// CHECK-SAME:    workgroup(%[[SMEM1:.*]] : memref<20xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %{{.*}} : memref<1xi32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK:        %[[LAST:.*]] = arith.cmpi eq, %{{.*}}, %c31
// CHECK:        scf.if %[[LAST]] {
// CHECK:          memref.store %{{.*}}, %[[SMEM1]]
// CHECK:          memref.store %{{.*}}, %[[SMEM1]]
// CHECK:        gpu.barrier
// CHECK:        %[[FIRST:.*]] = arith.muli
// CHECK:        %[[END:.*]] = arith.addi %[[FIRST]]
// CHECK:        scf.for %{{.*}} = %[[FIRST]] to %[[END]] step %c1{{.*}} iter_args
// CHECK:          memref.load %[[SMEM1]]
// CHECK:        gpu.return
// CHECK-LABEL: gpu.func @smem_inf_swr_loop(
// CHECK-SAME:    workgroup(%[[SMEM:.*]] : memref<40xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK:        scf.for %[[CHUNK:.*]] = %c0{{.*}} to %{{.*}} step %c1{{.*}} iter_args
// CHECK:          %[[PARITY:.*]] = arith.remsi %[[CHUNK]], %c2{{.*}} : index
// CHECK:          %[[SLOTS:.*]] = arith.muli %[[PARITY]], %c20{{.*}} : index
// CHECK:          %[[LAST0:.*]] = arith.cmpi eq, %{{.*}}, %c31
// CHECK:          scf.if %[[LAST0]] {
// CHECK:            arith.addi %[[SLOTS]]
// CHECK:            memref.store %{{.*}}, %[[SMEM]]
// CHECK:          gpu.barrier
// CHECK-NOT:      gpu.barrier
// CHECK:          scf.for
// CHECK:            memref.load %[[SMEM]]
// CHECK:        gpu.return
func.func @smem_inf(%a: tensor<?x4x?xf32>, %x: tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = inf, segment = inf>
      schedule <warps = 8, lane = shuffle, warp = smem, grid = flags>
      : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// warp = halo: shuffles inside the warp, but no workgroup memory and no
// barrier. K = 1 with one tile per lane: the whole warp scans the tile
// before its first (one token per lane: 4 Kogge-Stone rounds of shuffles up,
// lane 15's carrier broadcast); each lane's halo is then its left
// neighbour's carrier (shuffle up), lane 0's the warp's: no lane rescans a
// tile.
// CHECK-LABEL: gpu.func @warp_halo_swr(
// CHECK-NOT:    workgroup
// CHECK-SAME:   kernel
// CHECK-NOT:    gpu.barrier
// CHECK-COUNT-8: gpu.shuffle  up
// CHECK:        gpu.shuffle  idx %{{.*}}, %c15_i32
// CHECK:        gpu.shuffle  idx
// CHECK:        gpu.shuffle  up
// CHECK:        gpu.shuffle  up
// CHECK:        scf.if %{{.*}} -> (f32, f32) {
// CHECK-NOT:    gpu.shuffle
// CHECK-NOT:    gpu.barrier
// CHECK:        gpu.return
func.func @warp_halo(%a: tensor<?x4x?xf32>, %x: tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      schedule <warps = 4, lane = shuffle, warp = halo, grid = halo>
      : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}
