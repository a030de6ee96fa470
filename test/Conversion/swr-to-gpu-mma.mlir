// RUN: phalanx-opt %s --convert-swr-to-gpu="mma-ring=0" --split-input-file -verify-each | FileCheck %s
// RUN: phalanx-opt %s --convert-swr-to-gpu="mma-ring=0 mma-matrix-parts=2" --split-input-file -verify-each | FileCheck %s --check-prefix=P2

// local = mma: a CTA holds `slots` channels of one (b, h) at the same tiles
// (16 / warps of them, as many as divide D, at most 16), and one warp
// computes one tile for all of them: local^T = X^T M^T with m16n8k16 bf16
// mma, A = the drive (channels x tokens) loaded straight from global memory
// in 4-token runs (bf16: the raw words), B = the decay matrix built in
// registers from the lane's two 4-token gate runs and the quad products
// (shuffles from lanes 0..3), C stored straight to global memory as 4-token
// runs. K = 0: no workgroup memory and no barrier. This file checks that
// register pipeline (mma-ring=0); swr-to-gpu-mma-ring.mlir the default
// cp.async tile ring of K = 0 and lane = halo.

// Warps 1, bf16 in and out: 16 channels per CTA (512 threads), 2 tiles per
// warp, both loaded first (4 runs each: k and n gate runs, channels g and
// g + 8); one part of M (the rule for bf16 outputs: M rounded once, as the
// output is): one mma per 8-token n block, 2 per tile, each n block's M
// words one packed convert (no part split: no shift / mask / subtract);
// 2 stores of 4 tokens per tile (each 2 packed converts: 2 x i32). With
// mma-matrix-parts=2 (P2): 2 x 2 mma per tile.
// CHECK-LABEL: gpu.func @w1_swr(
// CHECK-NOT: workgroup
// CHECK-SAME: known_block_size = array<i32: 512, 1, 1>, nvvm.minctasm = 2 : i32
// CHECK-COUNT-4: llvm.load {{.*}} invariant {alignment = 8 : i64} : !llvm.ptr<1> -> vector<4xbf16>
// CHECK: llvm.bitcast %{{.*}} : vector<4xbf16> to vector<2xi32>
// CHECK-COUNT-4: llvm.load {{.*}} invariant {alignment = 8 : i64} : !llvm.ptr<1> -> vector<4xbf16>
// CHECK: nvvm.bar.warp.sync
// CHECK-COUNT-4: gpu.shuffle  idx
// CHECK-NOT: arith.shli
// CHECK: nvvm.mma.sync A[{{.*}}] B[{{.*}}] C[{{.*}}] {{.*}}multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK-NOT: arith.shli
// CHECK: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: llvm.call_intrinsic "llvm.nvvm.ff2bf16x2.rn"
// CHECK-COUNT-2: llvm.store {{.*}} {alignment = 8 : i64} : vector<2xi32>, !llvm.ptr<1>
// CHECK: nvvm.bar.warp.sync
// CHECK-COUNT-2: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK-NOT: gpu.barrier
// CHECK: gpu.return
// P2-LABEL: gpu.func @w1_swr(
// P2: arith.shli
// P2-COUNT-4: nvvm.mma.sync
// P2-NOT: nvvm.mma.sync
// P2: llvm.call_intrinsic "llvm.nvvm.ff2bf16x2.rn"
// P2: nvvm.bar.warp.sync
// P2-COUNT-4: nvvm.mma.sync
// P2-NOT: nvvm.mma.sync
// P2: gpu.return
func.func @w1(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = 0, segment = inf>
      schedule <local = mma, warps = 1>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}

// -----

// lane = halo (finite K): each warp takes a run of consecutive tiles (2)
// and recomputes the one before it: 3 tiles of 2 mma, the next tile's
// loads issued before a tile is computed; the terminal local states
// broadcast to the row's lanes by shuffles (channels g, g + 8); no
// workgroup memory, no barrier.
// CHECK-LABEL: gpu.func @lhalo_swr(
// CHECK-NOT: workgroup
// CHECK-SAME: known_block_size = array<i32: 512, 1, 1>
// CHECK: scf.if {{.*}} -> (vector<4xbf16>, vector<4xbf16>, i32, i32, i32, i32)
// CHECK: scf.if {{.*}} -> (vector<4xbf16>, vector<4xbf16>, i32, i32, i32, i32)
// CHECK-COUNT-2: nvvm.mma.sync
// CHECK-COUNT-2: gpu.shuffle  idx
// CHECK: scf.if {{.*}} -> (vector<4xbf16>, vector<4xbf16>, i32, i32, i32, i32)
// CHECK-COUNT-2: nvvm.mma.sync
// CHECK: llvm.store {{.*}} : vector<2xi32>, !llvm.ptr<1>
// CHECK-COUNT-2: gpu.shuffle  idx
// CHECK-COUNT-4: gpu.shuffle  idx
// CHECK-COUNT-2: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK-NOT: gpu.barrier
// CHECK: gpu.return
func.func @lhalo(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      schedule <local = mma, warps = 1, lane = halo>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}

// -----

// lane = shuffle: the carrier exchange. Warps 4: 4 channels per CTA, span
// 128 tiles, 8 per mma warp (more than one batch: the local states are
// recomputed after the exchange). Exchange buffer: (4 + 1) x 128 floats
// (tile products, then carriers overwritten by the carries). bf16 drive,
// f32 output (three parts of M): 3 mma per 8-token block, 6 per tile.
// CHECK-LABEL: func.func @k1(
// CHECK: %[[G:.*]] = arith.divui %{{.*}}, %c4 : index
// CHECK: arith.muli %[[G]], %{{.*}} : index
// CHECK: gpu.launch_func {{.*}}@k1_swr {{.*}} threads in (%c512,
// CHECK-LABEL: gpu.func @k1_swr(
// CHECK-SAME: workgroup(%{{.*}} : memref<32xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %{{.*}} : memref<640xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK: scf.for
// CHECK-COUNT-6: nvvm.mma.sync
// CHECK: memref.store
// CHECK-COUNT-6: nvvm.mma.sync
// CHECK: gpu.barrier
// CHECK: gpu.barrier
// CHECK: gpu.shuffle  up
// CHECK: gpu.barrier
// CHECK-COUNT-48: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: gpu.return
func.func @k1(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      schedule <local = mma, warps = 4, grid = halo>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// Block 32, f32 in and out, K = inf: 8 channels per CTA; the lower block
// triangle (3 block pairs) x 2 n blocks x 6 part products (the parts of M
// and x whose index sum is <= 2) = 36 mma per tile. Two kernels: the
// look-back kernel (one unit per CTA span, a ticket: one exchange set of
// (8 + 1) x 64 floats) and the row-loop kernel (one CTA walks its row; no
// flags arguments): each of the 16 mma warps computes its 4 contiguous
// tiles (144 mma), publishes its aggregate (one 16-byte store per lane row
// into a set of 16 x 32 floats, two sets by chunk parity, then two prefix
// sets of 32 floats), one barrier per chunk, then its carry-in (the chunk's
// prefix folded with the aggregates of the warps before it: runs of 4 in a
// loop) and the apply, with no second barrier.
// CHECK-LABEL: gpu.func @b32_swr(
// CHECK-SAME: memref<?xi32>
// CHECK-SAME: memref<576xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}
// CHECK: memref.atomic_rmw addi
// CHECK-COUNT-36: nvvm.mma.sync
// CHECK: gpu.return
// CHECK-LABEL: gpu.func @b32_swr_loop(
// CHECK-NOT: memref<?xi32>
// CHECK-SAME: workgroup(%{{.*}} : memref<1088xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}) kernel
// CHECK: scf.for
// CHECK-COUNT-144: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: llvm.store {{.*}} {alignment = 16 : i64} : vector<4xf32>, !llvm.ptr<3>
// CHECK-NOT: gpu.barrier
// CHECK: gpu.barrier
// CHECK: scf.for {{.*}} -> (f32, f32)
// CHECK: llvm.load {{.*}} {alignment = 16 : i64} : !llvm.ptr<3> -> vector<4xf32>
// CHECK-NOT: gpu.barrier
// CHECK: gpu.return
func.func @b32(%a: tensor<?x4x?xf32>, %x: tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 32, hops = inf, segment = inf>
      schedule <local = mma, warps = 2>
      : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// Transpose: upper block triangle, same counts; the CTA's 8 slots share one
// ticket (grid = flags), taken before the mma warps load.
// CHECK-LABEL: gpu.func @t_swr(
// CHECK-SAME: memref<576xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}
// CHECK: memref.atomic_rmw addi
// CHECK: scf.for
// CHECK-COUNT-36: nvvm.mma.sync
func.func @t(%a: tensor<?x4x?xf32>, %x: tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 32, hops = 1, segment = inf>
      schedule <local = mma, warps = 2, grid = flags> transpose
      : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// K = 64, 2 tiles per lane: each of the 16 slots keeps 64 warp carriers
// (8 KiB in all) next to the exchange buffer (17 x 64 floats).
// CHECK-LABEL: gpu.func @k64_swr(
// CHECK-SAME: workgroup(%{{.*}} : memref<2048xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %{{.*}} : memref<1xi32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %{{.*}} : memref<1088xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK-SAME: known_block_size = array<i32: 512, 1, 1>
func.func @k64(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = 64, segment = inf>
      schedule <local = mma, tiles_per_lane = 2, warps = 1, grid = flags>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}

// -----

// K = inf, bf16, block 16, one warp per slot: the row-loop kernel stages
// its chunks (512 tokens) in dynamic workgroup memory (an external shared
// global per kernel; the launch passes its size): two sets of the gates
// (2 x 512 bf16) then of the 16 drive rows (2 x 16 x 528 bf16: 16 elements
// of padding per row), 35840 bytes, filled by 16-byte cp.async (the gates:
// 64 copies, threads < 64; the drive: 1024 copies, 2 per thread) of chunks
// 0 and 1 before the loop (chunk 0 waited for) and of chunk k + 2 right
// after chunk k's one barrier; chunk k + 1's copies are waited for before
// that barrier. After it each warp loads the chunk's prefix, folds the
// aggregates before its own (a loop of runs of 4, then up to 3 more) and
// the last warp publishes the next chunk's prefix. The 16 mma warps (2
// contiguous tiles each, 4 mma: one part of M for bf16 outputs) publish their aggregates into 2 x 16 x 32
// floats (+ 2 x 32 for the chunk prefixes). The look-back kernel loads
// from global memory (no staging buffers). The host launches the row loop
// when the row groups fill the GPU: when they give the half kernel 2048
// warps, @stage_swr_loop_half (mmaHalfConfig: 8 mma warps of 4 tiles each,
// 256 threads, 128 registers, minctasm 2, the same 512-token chunks and
// 35840 bytes of staged sets: one guarded gate copy and 4 drive copies per
// thread, 8 mma, aggregates of 8 warps: 2 x (8 + 1) x 32 floats); else
// rows of at least 8 CTA spans (32 tiles each) take the 128-register form
// @stage_swr_loop_wide (minctasm 1), with 4 tiles per mma warp
// (mmaWideConfig: 1024-token chunks, 8 mma, 70656 bytes of staged sets:
// 128 gate copies and 4 drive copies per thread), shorter ones the
// 64-register kernel (minctasm 2).
// CHECK-LABEL: func.func @stage(
// CHECK:      %[[HALF:.*]] = arith.cmpi uge, %{{.*}}, %c2048 : index
// CHECK-NEXT: scf.if %[[HALF]] {
// CHECK:        gpu.launch_func async [%{{.*}}] @phalanx_kernels::@stage_swr_loop_half blocks in {{.*}} threads in (%c256, %c1{{.*}}, %c1{{.*}}) dynamic_shared_memory_size %c35840_i32
// CHECK:      } else {
// CHECK:      %[[WIDE:.*]] = arith.cmpi uge, %{{.*}}, %c8{{.*}} : index
// CHECK-NEXT: scf.if %[[WIDE]] {
// CHECK:        gpu.launch_func async [%{{.*}}] @phalanx_kernels::@stage_swr_loop_wide blocks in {{.*}} dynamic_shared_memory_size %c70656_i32
// CHECK:      } else {
// CHECK:        gpu.launch_func async [%{{.*}}] @phalanx_kernels::@stage_swr_loop blocks in {{.*}} dynamic_shared_memory_size %c35840_i32
// CHECK:      gpu.launch_func async [%{{.*}}] @phalanx_kernels::@stage_swr blocks in
// CHECK-NOT:  dynamic_shared_memory_size
// CHECK-SAME: args(
// CHECK: llvm.mlir.global external @stage_swr_loop_half_stage() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<0 x i8>
// CHECK: llvm.mlir.global external @stage_swr_loop_wide_stage() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<0 x i8>
// CHECK: llvm.mlir.global external @stage_swr_loop_stage() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<0 x i8>
// CHECK-LABEL: gpu.func @stage_swr(
// CHECK-NOT: nvvm.cp.async
// CHECK: gpu.return
// CHECK-LABEL: gpu.func @stage_swr_loop(
// CHECK-SAME: workgroup(%{{.*}} : memref<1088xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}) kernel
// CHECK-NEXT: llvm.mlir.addressof @stage_swr_loop_stage : !llvm.ptr<3>
// CHECK-COUNT-3: nvvm.cp.async.shared.global {{.*}}, 16, cache = cg
// CHECK-NOT: nvvm.cp.async.shared.global
// CHECK: nvvm.cp.async.commit.group
// CHECK-COUNT-3: nvvm.cp.async.shared.global {{.*}}, 16, cache = cg
// CHECK-NOT: nvvm.cp.async.shared.global
// CHECK: nvvm.cp.async.commit.group
// CHECK-NEXT: nvvm.cp.async.wait.group 1
// CHECK-NEXT: gpu.barrier
// CHECK: scf.for
// CHECK-NOT: nvvm.cp.async.shared.global
// CHECK: llvm.load {{.*}} : !llvm.ptr<3> -> vector<4xbf16>
// CHECK-COUNT-4: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: llvm.store {{.*}} {alignment = 16 : i64} : vector<4xf32>, !llvm.ptr<3>
// CHECK: nvvm.cp.async.wait.group 0
// CHECK-NEXT: gpu.barrier
// CHECK-COUNT-3: nvvm.cp.async.shared.global {{.*}}, 16, cache = cg
// CHECK: nvvm.cp.async.commit.group
// CHECK: llvm.load {{.*}} {alignment = 16 : i64} : !llvm.ptr<3> -> vector<4xf32>
// CHECK: scf.for {{.*}} -> (f32, f32)
// CHECK-COUNT-4: llvm.load {{.*}} {alignment = 16 : i64} : !llvm.ptr<3> -> vector<4xf32>
// CHECK-COUNT-3: scf.if {{.*}} -> (f32, f32)
// CHECK: llvm.store {{.*}} {alignment = 16 : i64} : vector<4xf32>, !llvm.ptr<3>
// CHECK-NOT: gpu.barrier
// CHECK: gpu.return
// CHECK-LABEL: gpu.func @stage_swr_loop_wide(
// CHECK-SAME: workgroup(%{{.*}} : memref<1088xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}) kernel
// CHECK-SAME: nvvm.minctasm = 1 : i32
// CHECK-NEXT: llvm.mlir.addressof @stage_swr_loop_wide_stage : !llvm.ptr<3>
// CHECK-COUNT-5: nvvm.cp.async.shared.global {{.*}}, 16, cache = cg
// CHECK-NOT: nvvm.cp.async.shared.global
// CHECK: nvvm.cp.async.commit.group
// CHECK: scf.for
// CHECK-COUNT-8: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: gpu.barrier
// CHECK-COUNT-5: nvvm.cp.async.shared.global {{.*}}, 16, cache = cg
// CHECK-NOT: gpu.barrier
// CHECK: gpu.return
// CHECK-LABEL: gpu.func @stage_swr_loop_half(
// CHECK-SAME: workgroup(%{{.*}} : memref<576xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}) kernel
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>, nvvm.minctasm = 2 : i32
// CHECK-NEXT: llvm.mlir.addressof @stage_swr_loop_half_stage : !llvm.ptr<3>
// CHECK-COUNT-5: nvvm.cp.async.shared.global {{.*}}, 16, cache = cg
// CHECK-NOT: nvvm.cp.async.shared.global
// CHECK: nvvm.cp.async.commit.group
// CHECK: scf.for
// CHECK-COUNT-8: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: gpu.barrier
// CHECK-COUNT-5: nvvm.cp.async.shared.global {{.*}}, 16, cache = cg
// CHECK-NOT: gpu.barrier
// CHECK: gpu.return
func.func @stage(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = inf, segment = inf>
      schedule <local = mma, warps = 1>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}
