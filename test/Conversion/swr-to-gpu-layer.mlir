// RUN: phalanx-opt %s --split-input-file --convert-swr-to-gpu=layer-slots=2 --canonicalize --cse --verify-each | FileCheck %s
// RUN: phalanx-opt %s --split-input-file --convert-swr-to-gpu --canonicalize --cse --verify-each | FileCheck %s --check-prefix=OFF

// The fused layer (phalanx-fuse-layer's output) on the GPU: a host function
// that takes one cached workspace for pa, pb, pc, pv and z, runs the four
// projections as strided-batched cuBLASLt GEMMs through the runtime on the
// stream of its async token (both operands transposed: channel-major
// outputs), launches the fused kernel(s) on views of the workspace and runs
// the output GEMM (A plain, z transposed) into the out-parameter.

// CHECK-DAG: func.func private @phx_cuda_layer_workspace(i64) -> !llvm.ptr
// CHECK-DAG: func.func private @phx_cuda_layer_gemm(i32, i32, i32, i32, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, !llvm.ptr)
// CHECK-LABEL: func.func @mix(
// CHECK-SAME: %[[X:[^:]*]]: memref<?x?x64xbf16>, %[[WA:[^:]*]]: memref<64x4xbf16>, %[[BA:[^:]*]]: memref<4xbf16>, %{{[^:]*}}: memref<64x32xbf16>, %[[BB:[^:]*]]: memref<32xbf16>, %{{[^:]*}}: memref<64x32xbf16>, %[[BC:[^:]*]]: memref<32xbf16>, %{{[^:]*}}: memref<64x64xbf16>, %[[WO:[^:]*]]: memref<64x64xbf16>, %[[OUT:[^:]*]]: memref<?x?x64xbf16>) attributes {llvm.emit_c_interface}
// CHECK: %[[B:.*]] = memref.dim %[[X]], %c0
// CHECK: %[[L:.*]] = memref.dim %[[X]], %c1
// CHECK: %[[TOK:.*]] = arith.muli %[[B]], %[[L]]
// CHECK: %[[ANY:.*]] = arith.cmpi ugt, %[[TOK]], %c0
// CHECK: scf.if %[[ANY]] {
// CHECK: %[[WSP:.*]] = func.call @phx_cuda_layer_workspace(%{{.*}}) : (i64) -> !llvm.ptr
// CHECK: %[[WS:.*]] = builtin.unrealized_conversion_cast %{{.*}} : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)> to memref<?xi8>
// CHECK: %[[T0:.*]] = gpu.wait async
// CHECK: %[[STREAM:.*]] = builtin.unrealized_conversion_cast %[[T0]] : !gpu.async.token to !llvm.ptr
// pa = x Wa: bf16 (1), transposed A and B, m = L, n = 4, k = 64, B = Wa with stride 0.
// CHECK: %[[LI:.*]] = arith.index_cast %[[L]] : index to i64
// CHECK: %[[BI:.*]] = arith.index_cast %[[B]] : index to i64
// CHECK: func.call @phx_cuda_layer_gemm(%c1_i32, %c1_i32, %c1_i32, %c1_i32, %[[LI]], %c4_i64, %c64_i64, %{{.*}}, %c64_i64, %{{.*}}, %{{.*}}, %c4_i64, %c0_i64, %{{.*}}, %[[LI]], %{{.*}}, %[[BI]], %[[STREAM]])
// CHECK: func.call @phx_cuda_layer_gemm(%c1_i32, %c1_i32, %c1_i32, %c1_i32, %[[LI]], %c32_i64, %c64_i64,
// CHECK: func.call @phx_cuda_layer_gemm(%c1_i32, %c1_i32, %c1_i32, %c1_i32, %[[LI]], %c32_i64, %c64_i64,
// CHECK: func.call @phx_cuda_layer_gemm(%c1_i32, %c1_i32, %c1_i32, %c1_i32, %[[LI]], %c64_i64, %c64_i64,
// CHECK: %[[PA:.*]] = memref.view %[[WS]][%c0][%[[B]], %[[L]]] : memref<?xi8> to memref<?x4x?xbf16>
// CHECK: %[[PB:.*]] = memref.view %[[WS]][%{{.*}}][%[[B]], %[[L]]] : memref<?xi8> to memref<?x2x16x?xbf16>
// CHECK: %[[PC:.*]] = memref.view %[[WS]][%{{.*}}][%[[B]], %[[L]]] : memref<?xi8> to memref<?x2x16x?xbf16>
// CHECK: %[[PV:.*]] = memref.view %[[WS]][%{{.*}}][%[[B]], %[[L]]] : memref<?xi8> to memref<?x4x16x?xbf16>
// CHECK: %[[Z:.*]] = memref.view %[[WS]][%{{.*}}][%[[B]], %[[L]]] : memref<?xi8> to memref<?x4x16x?xbf16>
// Global head 0: the exact recurrence (K = inf: flags and scratch on the stream).
// CHECK: gpu.alloc async [%[[T0]]]
// CHECK: %[[K1:.*]] = gpu.launch_func async [%{{.*}}] @phalanx_kernels::@mix_mix_global blocks in (%{{.*}}, %c1, %c1) threads in (%c256, %c1, %c1) args(%[[PA]] : memref<?x4x?xbf16>, %[[PV]] : memref<?x4x16x?xbf16>, %[[PB]] : memref<?x2x16x?xbf16>, %[[PC]] : memref<?x2x16x?xbf16>, %[[BA]] : memref<4xbf16>, %[[BB]] : memref<32xbf16>, %[[BC]] : memref<32xbf16>, %[[Z]] : memref<?x4x16x?xbf16>, %{{.*}} : memref<?xi32>, %{{.*}} : memref<?xf32>, %{{.*}} : index)
// CHECK: gpu.dealloc async
// CHECK: %[[D2:.*]] = gpu.dealloc async
// Heads 1..3: the window; B * 3 * 16 rows, two channels of a head per CTA
// (layer-slots=2, shared gates: 2 x 64 threads).
// CHECK: %[[ROWS:.*]] = arith.muli %[[B]], %c48 : index
// CHECK: %[[GROUPS:.*]] = arith.divui %[[ROWS]], %c2 : index
// CHECK: %[[K2:.*]] = gpu.launch_func async [%[[D2]]] @phalanx_kernels::@mix_mix_window blocks in (%{{.*}}, %c1, %c1) threads in (%c128, %c1, %c1) args(%[[PA]] : memref<?x4x?xbf16>, %[[PV]] : memref<?x4x16x?xbf16>, %[[PB]] : memref<?x2x16x?xbf16>, %[[PC]] : memref<?x2x16x?xbf16>, %[[BA]] : memref<4xbf16>, %[[BB]] : memref<32xbf16>, %[[BC]] : memref<32xbf16>, %[[Z]] : memref<?x4x16x?xbf16>, %{{.*}} : index)
// out = Wo^T z[b]: A plain (0), B transposed (1), m = Dm, n = L, k = H*D, into the out-parameter.
// CHECK: %[[OUTP:.*]] = memref.extract_aligned_pointer_as_index %[[OUT]]
// CHECK: %[[WOP:.*]] = memref.extract_aligned_pointer_as_index %[[WO]]
// CHECK: %[[WOI:.*]] = arith.index_cast %[[WOP]]
// CHECK: func.call @phx_cuda_layer_gemm(%c1_i32, %c1_i32, %c0_i32, %c1_i32, %c64_i64, %[[LI]], %c64_i64, %[[WOI]], %c64_i64, %c0_i64, %{{.*}}, %[[LI]], %{{.*}}, %{{.*}}, %c64_i64, %{{.*}}, %[[BI]], %[[STREAM]])
// CHECK: gpu.wait [%[[K2]]]
// The kernels: the gates and drive from the projections as they are loaded.
// A tile's pa, pv, pb and pc (the post-gate's) are loaded together, 16-byte
// vectors (one round trip to memory per tile). sigmoid(pb + bb) =
// rcp(1 + ex2(fma(pb, -log2 e, -bb log2 e))): the scaled biases once per
// thread, no sign split (no arith.cmpf anywhere), no mask of the gate at
// tokens outside [0, L) (forward, no initial state); the recurrence and the
// post-gate by fused multiply-adds. The layer's K = 1 default (lane shuffle,
// warp halo, 2 warps): the warp computes the carrier of the tile before it
// together (lane l: token l's gate and drive from scalar loads, then a
// Kogge-Stone scan over 16 lanes, lane 15's result broadcast); each lane
// scans its own tile once and takes its neighbour's carrier by shuffle.
// Shared gates (layer-slots=2: 2 channels x 64 threads): the CTA's 128
// threads evaluate act_a(pa + ba) of its 65 tiles (64 + the warp halo's)
// once, 9 tokens each (the last one guarded), into workgroup memory (20
// floats per tile: conflict-free 16-byte reads), one barrier, then each
// thread reads its tile's 16 gates as 4 vectors; the tile loads carry pv,
// pb and pc only. By default (OFF): one channel per CTA of 64
// threads, the gates from pa in each thread, no workgroup memory or
// barrier.
// CHECK: gpu.func @mix_mix_global(
// CHECK-SAME: nvvm.minctasm
// CHECK: llvm.inline_asm asm_dialect = att "ex2.approx.ftz.f32 $0, $1;", "=f,f"
// CHECK: nvvm.rcp.approx.ftz.f
// CHECK: gpu.func @mix_mix_window(
// CHECK-SAME: workgroup(%[[G:.*]] : memref<1300xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK-SAME: known_block_size = array<i32: 128, 1, 1>} {
// CHECK: %[[BA:.*]] = memref.load %{{.*}} : memref<4xbf16>
// CHECK-NEXT: %[[BAF:.*]] = arith.extf %[[BA]] : bf16 to f32
// CHECK-NEXT: %[[BB:.*]] = memref.load %{{.*}} : memref<32xbf16>
// CHECK-NEXT: %[[BBF:.*]] = arith.extf %[[BB]] : bf16 to f32
// CHECK: %[[BAS:.*]] = arith.mulf %[[BAF]], %[[L2E:.*]] : f32
// CHECK-NEXT: %[[BBS:.*]] = arith.mulf %[[BBF]], %[[L2E]] : f32
// CHECK-NOT: arith.cmpf
// CHECK: scf.if %{{.*}} -> (vector<8xbf16>, vector<8xbf16>, vector<8xbf16>, vector<8xbf16>, vector<8xbf16>, vector<8xbf16>) {
// CHECK-COUNT-6: llvm.load %{{.*}} invariant {alignment = 16 : i64} : !llvm.ptr<1> -> vector<8xbf16>
// CHECK: } else {
// CHECK: }
// CHECK-COUNT-8: memref.store %{{.*}}, %[[G]][%{{.*}}] : memref<1300xf32, #gpu.address_space<workgroup>>
// CHECK: scf.if
// CHECK: llvm.intr.fma(%{{.*}}, %[[L2E]], %[[BAS]])
// CHECK-NEXT: llvm.inline_asm asm_dialect = att "ex2.approx.ftz.f32 $0, $1;", "=f,f"
// CHECK: memref.store %{{.*}}, %[[G]][%{{.*}}] : memref<1300xf32, #gpu.address_space<workgroup>>
// CHECK: gpu.barrier
// CHECK-COUNT-4: llvm.load %{{.*}} {alignment = 16 : i64} : !llvm.ptr<3> -> vector<4xf32>
// The warp halo's gate from the shared buffer.
// CHECK: memref.load %[[G]][%{{.*}}] : memref<1300xf32, #gpu.address_space<workgroup>>
// CHECK: %[[E:.*]] = llvm.intr.fma(%{{.*}}, %[[L2E]], %[[BBS]]) : (f32, f32, f32) -> f32
// CHECK-NEXT: %[[P:.*]] = llvm.inline_asm asm_dialect = att "ex2.approx.ftz.f32 $0, $1;", "=f,f" %[[E]] : (f32) -> f32
// CHECK-NEXT: %[[D:.*]] = arith.addf %[[P]], %{{.*}} : f32
// CHECK-NEXT: nvvm.rcp.approx.ftz.f %[[D]] : f32
// CHECK: gpu.shuffle  up %{{.*}}, %c1_i32, %c32_i32 : f32
// CHECK: gpu.shuffle  up %{{.*}}, %c2_i32, %c32_i32 : f32
// CHECK: gpu.shuffle  up %{{.*}}, %c4_i32, %c32_i32 : f32
// CHECK: gpu.shuffle  up %{{.*}}, %c8_i32, %c32_i32 : f32
// CHECK: gpu.shuffle  idx %{{.*}}, %c15_i32, %c32_i32 : f32
// CHECK-NOT: arith.cmpf
// CHECK: gpu.shuffle  up %{{.*}}, %c1_i32, %c32_i32 : f32
// CHECK-NOT: gpu.barrier
// CHECK-NOT: arith.cmpf
// CHECK: gpu.return
// OFF-LABEL: func.func @mix(
// OFF: gpu.launch_func async [%{{.*}}] @phalanx_kernels::@mix_mix_window blocks in (%{{.*}}, %c1, %c1) threads in (%c64, %c1, %c1)
// OFF: gpu.func @mix_mix_window(
// OFF-NOT: workgroup
// OFF-SAME: known_block_size = array<i32: 64, 1, 1>} {
// OFF: scf.if %{{.*}} -> (vector<8xbf16>, vector<8xbf16>, vector<8xbf16>, vector<8xbf16>, vector<8xbf16>, vector<8xbf16>, vector<8xbf16>, vector<8xbf16>) {
// OFF-COUNT-8: llvm.load %{{.*}} invariant {alignment = 16 : i64} : !llvm.ptr<1> -> vector<8xbf16>
// OFF-NOT: gpu.barrier
// OFF: gpu.return
func.func @mix(%x: tensor<?x?x64xbf16>, %wa: tensor<64x4xbf16>, %ba: tensor<4xbf16>, %wb: tensor<64x32xbf16>, %bb: tensor<32xbf16>, %wc: tensor<64x32xbf16>, %bc: tensor<32xbf16>, %wv: tensor<64x64xbf16>, %wo: tensor<64x64xbf16>) -> tensor<?x?x64xbf16> {
  %pa = phalanx.project %x, %wa : (tensor<?x?x64xbf16>, tensor<64x4xbf16>) -> tensor<?x4x?xbf16>
  %pb = phalanx.project %x, %wb : (tensor<?x?x64xbf16>, tensor<64x32xbf16>) -> tensor<?x32x?xbf16>
  %pc = phalanx.project %x, %wc : (tensor<?x?x64xbf16>, tensor<64x32xbf16>) -> tensor<?x32x?xbf16>
  %pv = phalanx.project %x, %wv : (tensor<?x?x64xbf16>, tensor<64x64xbf16>) -> tensor<?x64x?xbf16>
  %z = phalanx.fused_mix a(%pa, %ba), b(%pb, %bb), c(%pc, %bc), v(%pv) {heads = 4, kv_heads = 2, head_dim = 16, global_heads = 1, window = #swr.window<block = 16, hops = 1>} : (tensor<?x4x?xbf16>, tensor<4xbf16>, tensor<?x32x?xbf16>, tensor<32xbf16>, tensor<?x32x?xbf16>, tensor<32xbf16>, tensor<?x64x?xbf16>) -> tensor<?x64x?xbf16>
  %o = phalanx.project_out %z, %wo : (tensor<?x64x?xbf16>, tensor<64x64xbf16>) -> tensor<?x?x64xbf16>
  return %o : tensor<?x?x64xbf16>
}

// -----

// No global heads, f32, head dim 64: one kernel over every head; the layer's
// K = 1 default schedule (lane shuffle, warp halo, 2 warps), no flags; with
// layer-slots=2 two channels per CTA share the (hard_sigmoid) gates.
// CHECK-LABEL: func.func @one(
// CHECK-NOT: gpu.alloc
// CHECK: gpu.launch_func async [%{{.*}}] @phalanx_kernels::@one_mix blocks in (%{{.*}}, %c1, %c1) threads in (%c128, %c1, %c1) args(%{{.*}} : memref<?x2x?xf32>, %{{.*}} : memref<?x2x64x?xf32>, %{{.*}} : memref<?x1x64x?xf32>, %{{.*}} : memref<?x1x64x?xf32>, %{{.*}} : memref<2xf32>, %{{.*}} : memref<64xf32>, %{{.*}} : memref<64xf32>, %{{.*}} : memref<?x2x64x?xf32>, %{{.*}} : index)
// CHECK-NOT: gpu.launch_func
// CHECK: gpu.func @one_mix(
func.func @one(%x: tensor<?x?x32xf32>, %wa: tensor<32x2xf32>, %ba: tensor<2xf32>, %wb: tensor<32x64xf32>, %bb: tensor<64xf32>, %wc: tensor<32x64xf32>, %bc: tensor<64xf32>, %wv: tensor<32x128xf32>, %wo: tensor<128x32xf32>) -> tensor<?x?x32xf32> {
  %pa = phalanx.project %x, %wa : (tensor<?x?x32xf32>, tensor<32x2xf32>) -> tensor<?x2x?xf32>
  %pb = phalanx.project %x, %wb : (tensor<?x?x32xf32>, tensor<32x64xf32>) -> tensor<?x64x?xf32>
  %pc = phalanx.project %x, %wc : (tensor<?x?x32xf32>, tensor<32x64xf32>) -> tensor<?x64x?xf32>
  %pv = phalanx.project %x, %wv : (tensor<?x?x32xf32>, tensor<32x128xf32>) -> tensor<?x128x?xf32>
  %z = phalanx.fused_mix a(%pa, %ba), b(%pb, %bb), c(%pc, %bc), v(%pv) {heads = 2, kv_heads = 1, head_dim = 64, act_a = #phalanx.activation<hard_sigmoid>, window = #swr.window<block = 16, hops = 1>} : (tensor<?x2x?xf32>, tensor<2xf32>, tensor<?x64x?xf32>, tensor<64xf32>, tensor<?x64x?xf32>, tensor<64xf32>, tensor<?x128x?xf32>) -> tensor<?x128x?xf32>
  %o = phalanx.project_out %z, %wo : (tensor<?x128x?xf32>, tensor<128x32xf32>) -> tensor<?x?x32xf32>
  return %o : tensor<?x?x32xf32>
}

// -----

// Every head global: one K = inf kernel.
// CHECK-LABEL: func.func @all_global(
// CHECK: gpu.launch_func async [%{{.*}}] @phalanx_kernels::@all_global_mix blocks
// CHECK-NOT: gpu.launch_func
func.func @all_global(%x: tensor<?x?x32xf16>, %wa: tensor<32x2xf16>, %ba: tensor<2xf16>, %wb: tensor<32x64xf16>, %bb: tensor<64xf16>, %wc: tensor<32x64xf16>, %bc: tensor<64xf16>, %wv: tensor<32x64xf16>, %wo: tensor<64x32xf16>) -> tensor<?x?x32xf16> {
  %pa = phalanx.project %x, %wa : (tensor<?x?x32xf16>, tensor<32x2xf16>) -> tensor<?x2x?xf16>
  %pb = phalanx.project %x, %wb : (tensor<?x?x32xf16>, tensor<32x64xf16>) -> tensor<?x64x?xf16>
  %pc = phalanx.project %x, %wc : (tensor<?x?x32xf16>, tensor<32x64xf16>) -> tensor<?x64x?xf16>
  %pv = phalanx.project %x, %wv : (tensor<?x?x32xf16>, tensor<32x64xf16>) -> tensor<?x64x?xf16>
  %z = phalanx.fused_mix a(%pa, %ba), b(%pb, %bb), c(%pc, %bc), v(%pv) {heads = 2, kv_heads = 2, head_dim = 32, global_heads = 2, window = #swr.window<block = 16, hops = 2, segment = 4>} : (tensor<?x2x?xf16>, tensor<2xf16>, tensor<?x64x?xf16>, tensor<64xf16>, tensor<?x64x?xf16>, tensor<64xf16>, tensor<?x64x?xf16>) -> tensor<?x64x?xf16>
  %o = phalanx.project_out %z, %wo : (tensor<?x64x?xf16>, tensor<64x32xf16>) -> tensor<?x?x32xf16>
  return %o : tensor<?x?x32xf16>
}
