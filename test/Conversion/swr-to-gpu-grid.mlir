// RUN: phalanx-opt %s --convert-swr-to-gpu -verify-each --split-input-file | FileCheck %s

// grid = flags, finite K: position-major block order (unit u = block id /
// cluster is row group u % rowGroups, guessed position u / rowGroups); the
// tiles are loaded for the guess, then the CTA takes its logical position
// along its row from the row's atomic ticket counter (thread 0, broadcast
// through workgroup memory; skipped, with every flag, when one CTA covers the
// row) and reloads them only when the ticket differs from the guess;
// it publishes the
// carriers of its last min(K, span) tiles to the scratch buffer (each writer
// fences, gpu.barrier, thread 0 sets the flag with st.release.gpu), and a
// thread whose halo tile lies in an earlier CTA spins on that CTA's flag with
// ld.acquire.gpu before reading the carrier.
// CHECK-LABEL: gpu.func @flags_k1_swr(
// CHECK-SAME:    %[[FLAGS:[^ ]*]]: memref<?xi32>, %[[SCRATCH:[^ ]*]]: memref<?xf32>, %{{.*}}: index)
// CHECK-SAME:    workgroup(%{{.*}} : memref<8xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %[[TICKET:.*]] : memref<1xi32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK:        %[[ID:.*]] = gpu.block_id x
// CHECK:        %[[U:.*]] = arith.divsi %[[ID]], %c1{{.*}} : index
// CHECK:        arith.remsi %[[U]], %[[RG:.*]] : index
// CHECK:        %[[GUESS:.*]] = arith.divsi %[[U]], %[[RG]] : index
// CHECK:        %[[SINGLE:.*]] = arith.cmpi eq, %{{.*}}, %c1{{.*}} : index
// CHECK:        llvm.load %{{.*}} invariant {alignment = 16 : i64} : !llvm.ptr<1> -> vector<8xbf16>
// CHECK:        %[[POS:.*]] = scf.if %[[SINGLE]] -> (index) {
// CHECK:        } else {
// CHECK:        %[[T:.*]] = memref.atomic_rmw addi %c1_i32{{.*}}, %[[FLAGS]][%{{.*}}] : (i32, memref<?xi32>) -> i32
// CHECK:        memref.store %[[T]], %[[TICKET]]
// CHECK:        gpu.barrier
// CHECK:        memref.load %[[TICKET]]
// CHECK:        %[[SAME:.*]] = arith.cmpi eq, %[[POS]], %[[GUESS]] : index
// CHECK:        scf.if %[[SAME]] -> (i1, vector<8xbf16>, vector<8xbf16>, vector<8xbf16>, vector<8xbf16>) {
// CHECK:        } else {
// CHECK:        llvm.load %{{.*}} invariant {alignment = 16 : i64} : !llvm.ptr<1> -> vector<8xbf16>
// CHECK:        memref.store %{{.*}}, %[[SCRATCH]]
// CHECK:        memref.store %{{.*}}, %[[SCRATCH]]
// CHECK:        llvm.fence syncscope("device") acq_rel
// CHECK:        gpu.barrier
// CHECK:        llvm.fence syncscope("device") acq_rel
// CHECK:        llvm.store %c1_i32{{.*}}, %{{.*}} atomic syncscope("device") release {alignment = 4 : i64} : i32, !llvm.ptr
// CHECK:        scf.while : () -> i32 {
// CHECK:          %[[F:.*]] = llvm.load %{{.*}} atomic syncscope("device") acquire {alignment = 4 : i64} : !llvm.ptr -> i32
// CHECK:          %[[WAIT:.*]] = arith.cmpi eq, %[[F]], %c0_i32
// CHECK:          scf.condition(%[[WAIT]]) %[[F]] : i32
// CHECK:          nvvm.nanosleep
// CHECK:        memref.load %[[SCRATCH]]
// CHECK:        memref.load %[[SCRATCH]]
// CHECK:        gpu.return
func.func @flags_k1(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      schedule <warps = 4, grid = flags>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}

// -----

// grid = flags, K = inf: decoupled look-back. The CTA publishes its
// aggregate (flag 1: one st.release.gpu after the scratch stores, no extra
// fence); warp 0 looks back 32 units at a time (lane i spins with the others
// on unit j - i: ld.acquire.gpu, two ballots, until a lane k sees an
// inclusive prefix, flag 2, with lanes 0..k all published, or all have
// published), composes lanes k..0 by a shuffle-down reduction (farthest
// first), broadcasts it from lane 0, continues 32 units back without an
// inclusive prefix (init at the start); lane 0 broadcasts the prefix through
// workgroup memory and the CTA publishes its inclusive prefix (flag 2). When
// one unit covers the row the prefix is the initial state and no flag is
// touched.
// CHECK-LABEL: gpu.func @lookback_swr(
// CHECK:        scf.if %{{.*}} -> (f32, f32) {
// CHECK:          scf.yield %cst{{.*}}, %{{.*}} : f32, f32
// CHECK:        } else {
// CHECK-NOT:    llvm.fence
// CHECK:        llvm.store %c1_i32{{.*}} atomic syncscope("device") release
// CHECK:        scf.while (%{{.*}} = %{{.*}}, %{{.*}} = %cst{{.*}}, %{{.*}} = %cst{{.*}}) : (index, f32, f32) -> (index, f32, f32) {
// CHECK:          scf.while : () -> (i32, i32) {
// CHECK:            llvm.load %{{.*}} atomic syncscope("device") acquire
// CHECK:            %[[NZ:.*]] = nvvm.vote.sync  ballot %c-1_i32, %{{.*}} -> i32
// CHECK:            %[[INC:.*]] = nvvm.vote.sync  ballot %c-1_i32, %{{.*}} -> i32
// CHECK:            "llvm.intr.cttz"
// CHECK:            "llvm.intr.cttz"(%[[INC]])
// CHECK:            scf.condition
// CHECK:            nvvm.nanosleep
// CHECK:          gpu.shuffle  down %{{.*}}, %c1_i32
// CHECK:          gpu.shuffle  down %{{.*}}, %c16_i32
// CHECK:          gpu.shuffle  idx %{{.*}}, %c0_i32
// CHECK:        gpu.barrier
// CHECK-NOT:    llvm.fence
// CHECK:        llvm.store %c2_i32{{.*}} atomic syncscope("device") release
// CHECK:        gpu.return
func.func @lookback(%a: tensor<?x4x?xf32>, %x: tensor<?x4x16x?xf32>, %s: tensor<?x4x16xf32>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x init(%s) window <block = 16, hops = inf, segment = inf>
      schedule <warps = 4, grid = flags>
      : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>, tensor<?x4x16xf32>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// grid = halo: no ticket, no flags; the position comes from the block ids
// (a 1-D grid: block_id.x = row * nx + position) and the threads whose halo
// tile lies before the CTA rescan it from global memory.
// CHECK-LABEL: gpu.func @grid_halo_swr(
// CHECK-NOT:    memref.atomic_rmw
// CHECK-NOT:    atomic
// CHECK:        %[[ID:.*]] = gpu.block_id x
// CHECK:        arith.remsi %[[ID]], %[[NX:.*]] : index
// CHECK:        arith.divsi %[[ID]], %[[NX]] : index
// CHECK:        %[[INIT:.*]] = arith.extf %{{.*}} : bf16 to f32
// CHECK:        scf.if %{{.*}} -> (f32, f32) {
// CHECK:          %[[FIRST:.*]] = arith.cmpi eq, %{{.*}}, %c-1 : index
// CHECK:          arith.select %[[FIRST]], %[[INIT]], %{{.*}} : f32
// CHECK:        } else {
// CHECK:          scf.if %{{.*}} -> (vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>)
// CHECK-NOT:    scf.while
// CHECK:        gpu.return
func.func @grid_halo(%a: tensor<?x4x?xf32>, %x: tensor<?x4x16x?xf32>, %s: tensor<?x4x16xbf16>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x init(%s) window <block = 16, hops = 2, segment = inf>
      schedule <warps = 4, grid = halo>
      : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>, tensor<?x4x16xbf16>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// K = inf row loop: two kernels, each with its own registers. The host
// launches the row-loop kernel (@row_loop_swr_loop: one CTA per row group,
// nx = 1, no flags or scratch, nothing allocated) when row groups x warps
// >= 1024, else the look-back kernel (@row_loop_swr) with its flags.
// CHECK-LABEL: func.func @row_loop(
// CHECK:        %[[LOOP:.*]] = arith.cmpi uge, %{{.*}}, %c1024 : index
// CHECK:        scf.if %[[LOOP]] {
// CHECK-NOT:      gpu.alloc
// CHECK:          gpu.launch_func async [%{{.*}}] @phalanx_kernels::@row_loop_swr_loop blocks in (%[[GROUPS:[^,]*]], %{{.*}}) threads in (%c32{{.*}}) args(%{{.*}} : memref<?x128x?xbf16>, %{{.*}} : memref<?x128x16x?xbf16>, %{{.*}} : memref<?x128x16xbf16>, %{{.*}} : memref<?x128x16x?xbf16>, %{{.*}} : index)
// CHECK-NEXT:     gpu.wait [%{{.*}}]
// Fewer rows: the units kernel (@row_loop_swr_units), U = max(1,
// min(ceil(4096 / warps used), chunks)) units wanted, per = max(1,
// ceil(chunks / U)) chunks each, nx = ceil(chunks / per) units per row.
// CHECK:        } else {
// CHECK:          %[[USED:.*]] = arith.maxui %{{.*}}, %c1{{.*}} : index
// CHECK:          arith.addi %c4096{{.*}}, %{{.*}} : index
// CHECK:          %[[WANT:.*]] = arith.divui %{{.*}}, %[[USED]] : index
// CHECK:          %[[U0:.*]] = arith.minui %[[WANT]], %{{.*}} : index
// CHECK:          arith.maxui %[[U0]], %c1{{.*}} : index
// CHECK:          gpu.alloc async
// CHECK:          gpu.launch_func async [%{{.*}}] @phalanx_kernels::@row_loop_swr_units blocks
// CHECK-SAME:       memref<?xi32>, %{{.*}} : memref<?xf32>, %{{.*}} : index)
// CHECK:          gpu.dealloc async
// The look-back kernel: ticket and look-back, no chunk loop.
// CHECK-LABEL: gpu.func @row_loop_swr(
// CHECK-SAME:    %{{.*}}: memref<?xi32>, %{{.*}}: memref<?xf32>, %{{.*}}: index)
// CHECK-NOT:    scf.for %{{.*}} iter_args(%{{.*}} = %cst
// CHECK:        memref.atomic_rmw addi
// CHECK:        scf.while
// CHECK:        gpu.return
// The row-loop kernel: the CTA walks its row's chunks, carrying the prefix
// (start: (0, init)) and the loaded tiles of the next chunk (loop-carried
// vectors; the loads of chunk k + 1 are issued at the top of iteration k,
// guarded by k + 1 < chunks), then scans, applies and stores chunk k. One
// warp: no barrier; no ticket, flag or look-back.
// CHECK-LABEL: gpu.func @row_loop_swr_loop(
// CHECK-SAME:    %{{.*}}: memref<?x128x16x?xbf16>, %{{.*}}: index) workgroup(
// CHECK:        %[[INIT:.*]] = arith.extf %{{.*}} : bf16 to f32
// CHECK:        scf.for %[[K:.*]] = %c0{{.*}} to %{{.*}} step %c1{{.*}} iter_args(%{{.*}} = %cst{{.*}}, %{{.*}} = %[[INIT]], %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}#0
// CHECK:          %[[NEXT:.*]] = arith.addi %[[K]], %c1{{.*}} : index
// CHECK:          %[[MORE:.*]] = arith.cmpi slt, %[[NEXT]], %{{.*}} : index
// CHECK:          scf.if %[[MORE]] -> (i1, vector<8xbf16>, vector<8xbf16>, vector<8xbf16>, vector<8xbf16>, i1, vector<8xbf16>, vector<8xbf16>, vector<8xbf16>, vector<8xbf16>)
// CHECK:            llvm.load %{{.*}} invariant {alignment = 16 : i64} : !llvm.ptr<1> -> vector<8xbf16>
// CHECK-NOT:      gpu.barrier
// CHECK-NOT:      memref.atomic_rmw
// CHECK-NOT:      scf.while
// CHECK:          gpu.shuffle  idx %{{.*}}, %c31_i32
// CHECK-NOT:      gpu.barrier
// CHECK:          llvm.store %{{.*}} {alignment = 16 : i64} : vector<8xbf16>, !llvm.ptr<1>
// CHECK:          scf.yield
// CHECK-NOT:    memref.atomic_rmw
// CHECK-NOT:    scf.while
// CHECK:        gpu.return
// The units kernel: the ticket, the unit's chunks [pos * per, min(chunks,
// (pos + 1) * per)), pass 1 (the chunk loop from the identity, no stores),
// the look-back, pass 2 (the chunk loop from the prefix, with stores).
// CHECK-LABEL: gpu.func @row_loop_swr_units(
// CHECK-SAME:    %{{.*}}: memref<?xi32>, %{{.*}}: memref<?xf32>, %{{.*}}: index) workgroup(
// CHECK:        memref.atomic_rmw addi
// CHECK:        gpu.barrier
// CHECK:        %[[END:.*]] = arith.minui %{{.*}}, %{{.*}} : index
// CHECK:        scf.if %{{.*}} -> (f32, f32) {
// CHECK:        } else {
// CHECK:          scf.for %{{.*}} = %[[FIRST:.*]] to %[[END]] step %c1{{.*}} iter_args(%{{.*}} = %cst{{.*}}, %{{.*}} = %cst
// CHECK-NOT:        llvm.store %{{.*}} : vector<8xbf16>, !llvm.ptr<1>
// CHECK:            scf.yield
// CHECK:        scf.while
// CHECK:        llvm.store %{{.*}} atomic syncscope("device") release
// CHECK:        scf.for %{{.*}} = %[[FIRST]] to %[[END]] step %c1
// CHECK:          llvm.store %{{.*}} {alignment = 16 : i64} : vector<8xbf16>, !llvm.ptr<1>
// CHECK:        gpu.return
func.func @row_loop(%a: tensor<?x128x?xbf16>, %x: tensor<?x128x16x?xbf16>, %s: tensor<?x128x16xbf16>) -> tensor<?x128x16x?xbf16> {
  %y = swr.scan %a, %x init(%s) window <block = 16, hops = inf, segment = inf>
      schedule <tiles_per_lane = 2, warps = 1, grid = flags>
      : (tensor<?x128x?xbf16>, tensor<?x128x16x?xbf16>, tensor<?x128x16xbf16>) -> tensor<?x128x16x?xbf16>
  return %y : tensor<?x128x16x?xbf16>
}
