// RUN: phalanx-opt %s --convert-swr-to-gpu --split-input-file -verify-each | FileCheck %s
// RUN: phalanx-opt %s --convert-swr-to-gpu="mma-ring-group=2" --split-input-file -verify-each | FileCheck %s --check-prefix=G2
// RUN: phalanx-opt %s --convert-swr-to-gpu="mma-ring=3 mma-ring-group=1" --split-input-file -verify-each | FileCheck %s --check-prefix=G1
// RUN: phalanx-opt %s --convert-swr-to-gpu="mma-ring=0" --split-input-file -verify-each | FileCheck %s --check-prefix=OFF

// local = mma, K = 0: each mma warp takes a contiguous run of 8 tiles (4
// tiles per lane) and streams it through its ring of 2 slots of 4 tiles
// (the rule): per slot 4 x 16 gates and 16 drive rows of 4 x 16 tokens + 8
// elements of padding, 16 warps x 2 slots = 77824 bytes: more than static
// workgroup memory takes, so the ring is an external [0 x i8] shared
// global (dynamic memory) and the launch passes its size. Group k + 1 is
// copied by cp.async (16 bytes a lane: 8 lanes of gates, then 4 rounds of
// the 128 row pieces: one 128-byte line per row and 8 lanes) while group k
// is computed (2 mma a tile: one part of M for bf16 outputs); its tiles'
// runs come from workgroup memory, the results go
// back over them, and the warp writes the group's rows out with 16-byte
// stores. bar.warp.sync, never a CTA barrier.
// CHECK-LABEL: func.func @k0(
// CHECK: gpu.launch_func {{.*}} @phalanx_kernels::@k0_swr {{.*}} threads in (%c512, {{.*}} dynamic_shared_memory_size %c77824_i32
// CHECK: llvm.mlir.global external @k0_swr_ring() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<0 x i8>
// CHECK-LABEL: gpu.func @k0_swr(
// CHECK-NOT: workgroup
// CHECK: llvm.mlir.addressof @k0_swr_ring : !llvm.ptr<3>
// The prologue: group 0 (gates, 4 rounds of drive pieces), one commit group.
// CHECK-COUNT-5: nvvm.cp.async.shared.global {{.*}}, 16, cache = cg
// CHECK: nvvm.cp.async.commit.group
// Group 0: group 1 issued, group 0 waited for.
// CHECK: nvvm.bar.warp.sync
// CHECK-COUNT-5: nvvm.cp.async.shared.global {{.*}}, 16, cache = cg
// CHECK: nvvm.cp.async.commit.group
// CHECK-NEXT: nvvm.cp.async.wait.group 1
// CHECK-NEXT: arith.constant -1
// CHECK-NEXT: nvvm.bar.warp.sync
// CHECK: llvm.load {{.*}} : !llvm.ptr<3> -> vector<4xbf16>
// CHECK-COUNT-2: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: llvm.store {{.*}} : vector<2xi32>, !llvm.ptr<3>
// CHECK-COUNT-6: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: nvvm.bar.warp.sync
// CHECK-COUNT-4: llvm.store {{.*}} {alignment = 16 : i64} : vector<8xbf16>, !llvm.ptr<1>
// CHECK-NOT: gpu.barrier
// CHECK: gpu.return
// Groups of 2 tiles (mma-ring-group=2): 43008 bytes, static workgroup
// memory (16 x 2 x 32 gates, 16 x 2 x 16 x 40 drive elements).
// G2-LABEL: func.func @k0(
// G2-NOT: dynamic_shared_memory_size
// G2-LABEL: gpu.func @k0_swr(
// G2-SAME: workgroup(%{{.*}} : memref<1024xbf16, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %{{.*}} : memref<20480xbf16, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// G2: nvvm.cp.async.wait.group 1
// Groups of one tile: 3 slots of one tile (16 x 3 x 16 gates, 16 x 3 x 256
// drive elements), a wait for all but the 2 newest groups.
// G1-LABEL: gpu.func @k0_swr(
// G1-SAME: workgroup(%{{.*}} : memref<768xbf16, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %{{.*}} : memref<12288xbf16, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// G1: nvvm.cp.async.wait.group 2
// OFF-LABEL: gpu.func @k0_swr(
// OFF-NOT: workgroup
// OFF-NOT: cp.async
// OFF: gpu.return
func.func @k0(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = 0, segment = inf>
      schedule <local = mma, tiles_per_lane = 4, warps = 1>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}

// -----

// lane = halo (K = 1) with f32 output: the tile before the run from global
// memory (its carrier), the run through the ring; the results are wider
// than the drive, so they are stored straight to global memory (4-token
// runs) and nothing is copied out.
// CHECK-LABEL: gpu.func @k1_f32_swr(
// CHECK-SAME: workgroup(
// CHECK: nvvm.cp.async.commit.group
// CHECK: llvm.load {{.*}} : !llvm.ptr<1> -> vector<4xbf16>
// CHECK: gpu.shuffle  idx
// CHECK: nvvm.cp.async.wait.group 1
// CHECK: llvm.load {{.*}} : !llvm.ptr<3> -> vector<4xbf16>
// CHECK: llvm.store {{.*}} : vector<4xf32>, !llvm.ptr<1>
// CHECK-NOT: !llvm.ptr<3> -> vector<4xf32>
// CHECK-NOT: gpu.barrier
// CHECK: gpu.return
func.func @k1_f32(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      schedule <local = mma, warps = 1, lane = halo>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// f32 drive and output with 2 tiles per warp (1 tile per lane): one
// group of 2 tiles per slot (groups divide the run) in dynamic memory
// (77824 bytes). No ring with the carrier exchange (lane = shuffle, K = 1).
// CHECK-LABEL: func.func @f32(
// CHECK: gpu.launch_func {{.*}} dynamic_shared_memory_size %c77824_i32
// CHECK-LABEL: gpu.func @f32_swr(
// CHECK: nvvm.cp.async.wait.group 1
// CHECK: llvm.store {{.*}} : vector<4xf32>, !llvm.ptr<3>
// CHECK: llvm.load {{.*}} {alignment = 16 : i64} : !llvm.ptr<3> -> vector<4xf32>
// CHECK: llvm.store {{.*}} {alignment = 16 : i64} : vector<4xf32>, !llvm.ptr<1>
// CHECK: gpu.return
// CHECK-LABEL: gpu.func @shfl_swr(
// CHECK-NOT: cp.async
// CHECK: gpu.return
func.func @f32(%a: tensor<?x4x?xf32>, %x: tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 0, segment = inf>
      schedule <local = mma, warps = 1>
      : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}
func.func @shfl(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      schedule <local = mma, warps = 1, lane = shuffle>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}
