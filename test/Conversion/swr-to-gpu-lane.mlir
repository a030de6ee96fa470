// RUN: phalanx-opt %s --convert-swr-to-gpu -verify-each --split-input-file | FileCheck %s

// lane = shuffle, finite K: the carriers of the K tiles before a lane's first
// tile come from the lanes ceil(m / tiles_per_lane) below by gpu.shuffle up
// (g and v each); a lane whose source is below lane 0 (valid = false) falls
// back to the next level (here warp smem).
// K = 3, tiles_per_lane = 2: m = 1, 2 from lane - 1, m = 3 from lane - 2.
// CHECK-LABEL: gpu.func @shuffle_k3_swr(
// CHECK:      %[[S1G:.*]], %[[V1:.*]] = gpu.shuffle up %{{.*}}, %c1_i32{{.*}}, %c32_i32{{.*}} : f32
// CHECK:      gpu.shuffle up %{{.*}}, %c1_i32{{.*}}, %c32_i32{{.*}} : f32
// CHECK:      gpu.shuffle up %{{.*}}, %c1_i32{{.*}}, %c32_i32{{.*}} : f32
// CHECK:      gpu.shuffle up %{{.*}}, %c1_i32{{.*}}, %c32_i32{{.*}} : f32
// CHECK:      gpu.shuffle up %{{.*}}, %c2_i32{{.*}}, %c32_i32{{.*}} : f32
// CHECK:      gpu.shuffle up %{{.*}}, %c2_i32{{.*}}, %c32_i32{{.*}} : f32
// CHECK-NOT:  gpu.shuffle
// CHECK:      scf.if %[[V1]] -> (f32, f32)
// CHECK:      gpu.return
func.func @shuffle_k3(%a: tensor<?x4x?xf32>, %x: tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 3, segment = inf>
      schedule <tiles_per_lane = 2, warps = 4, lane = shuffle, warp = smem, grid = halo>
      : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// lane = shuffle, K = inf: a Kogge-Stone scan of the lane aggregates over the
// warp (offsets 1, 2, 4, 8, 16, composing (g, v) where valid), then one more
// shuffle up by 1 for the exclusive prefix and a shuffle from lane 31 for the
// warp aggregate (one round per tile of a lane: tile j of lane l is tile
// 32 j + l of the warp). The same scan in both kernels: the look-back kernel
// (one CTA per chunk, then the look-back) and the row-loop kernel (per
// chunk, inside the loop).
// CHECK-LABEL: gpu.func @shuffle_inf_swr(
// CHECK-NOT:  scf.for %{{.*}} iter_args(%{{.*}} = %cst
// CHECK:      %{{.*}}, %[[OK1:.*]] = gpu.shuffle up %{{.*}}, %c1_i32{{.*}}, %c32_i32{{.*}} : f32
// CHECK:      gpu.shuffle up %{{.*}}, %c1_i32
// CHECK:      arith.select %[[OK1]]
// CHECK:      gpu.shuffle up %{{.*}}, %c2_i32
// CHECK:      gpu.shuffle up %{{.*}}, %c2_i32
// CHECK:      gpu.shuffle up %{{.*}}, %c4_i32
// CHECK:      gpu.shuffle up %{{.*}}, %c4_i32
// CHECK:      gpu.shuffle up %{{.*}}, %c8_i32
// CHECK:      gpu.shuffle up %{{.*}}, %c8_i32
// CHECK:      gpu.shuffle up %{{.*}}, %c16_i32
// CHECK:      gpu.shuffle up %{{.*}}, %c16_i32
// CHECK:      gpu.shuffle up %{{.*}}, %c1_i32
// CHECK:      gpu.shuffle up %{{.*}}, %c1_i32
// CHECK:      gpu.shuffle idx %{{.*}}, %c31_i32
// CHECK:      gpu.shuffle idx %{{.*}}, %c31_i32
// CHECK-NOT:  gpu.shuffle up
// The grid look-back's reduction (warp 0, over 32 units).
// CHECK:      gpu.shuffle down %{{.*}}, %c1_i32
// CHECK-NOT:  gpu.shuffle up
// CHECK-LABEL: gpu.func @shuffle_inf_swr_loop(
// CHECK:      scf.for
// CHECK:      %{{.*}}, %[[OK0:.*]] = gpu.shuffle up %{{.*}}, %c1_i32{{.*}}, %c32_i32{{.*}} : f32
// CHECK:      gpu.shuffle up %{{.*}}, %c1_i32
// CHECK:      arith.select %[[OK0]]
// CHECK:      gpu.shuffle up %{{.*}}, %c16_i32
// CHECK:      gpu.shuffle idx %{{.*}}, %c31_i32
// CHECK:      gpu.shuffle idx %{{.*}}, %c31_i32
// CHECK-NOT:  gpu.shuffle down
// The units kernel: the look-back's reduction between its two chunk loops.
// CHECK-LABEL: gpu.func @shuffle_inf_swr_units(
// CHECK:      scf.for
// CHECK:      gpu.shuffle down %{{.*}}, %c1_i32
// CHECK:      scf.for
func.func @shuffle_inf(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = inf, segment = inf>
      schedule <warps = 4>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}

// -----

// lane = halo: no shuffles and no shared memory; each thread rescans the
// K = 2 tiles before its first tile from global memory (one vector load of
// each halo tile, after the load of its own tile; the scans are unrolled),
// then applies its own tile from registers to write y.
// CHECK-LABEL: gpu.func @halo_k2_swr(
// CHECK-NOT:  workgroup
// CHECK-NOT:  gpu.shuffle
// CHECK-NOT:  gpu.barrier
// CHECK-NOT:  scf.for
// CHECK:      scf.if %{{.*}} -> (vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>)
// CHECK:      llvm.load %{{.*}} : !llvm.ptr<1> -> vector<4xf32>
// CHECK:      memref.load %{{.*}} : memref<?x4x?xf32>
// CHECK:      scf.if %{{.*}} -> (vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>)
// CHECK:      scf.if %{{.*}} -> (vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>)
// CHECK-NOT:  scf.for
// CHECK:      llvm.store %{{.*}} {alignment = 16 : i64} : vector<4xf32>, !llvm.ptr<1>
// CHECK:      memref.store
// CHECK:      gpu.return
func.func @halo_k2(%a: tensor<?x4x?xf32>, %x: tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 2, segment = inf>
      schedule <warps = 4, lane = halo, grid = halo>
      : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}
