// RUN: phalanx-opt %s --convert-swr-to-gpu -verify-each --split-input-file | FileCheck %s
// RUN: phalanx-opt %s --convert-swr-to-gpu="cluster=2 cta=bulk override-schedule=true" -verify-each --split-input-file | FileCheck %s --check-prefix=KNOB
// RUN: not phalanx-opt %s --convert-swr-to-gpu="cluster=1 cta=bulk override-schedule=true" --split-input-file 2>&1 | FileCheck %s --check-prefix=NOCLUSTER

// The pass knob `cta=bulk` (phalanx-opt --help) picks the route as the
// schedule field does; it needs a cluster.
// KNOB-LABEL: gpu.func @bulk_k1_swr(
// KNOB-SAME:    known_cluster_size = array<i32: 2, 1, 1>
// KNOB:         nvvm.cp.async.bulk.shared.cluster.shared.cta
// KNOB-LABEL: gpu.func @bulk_k40_swr(
// KNOB:         nvvm.cp.async.bulk.shared.cluster.shared.cta
// KNOB-LABEL: gpu.func @bulk_inf_swr(
// KNOB:         nvvm.cp.async.bulk.shared.cluster.shared.cta
// NOCLUSTER: error: cta route bulk needs cluster > 1

// cta = bulk, K = 1, cluster 4: the owner CTA pushes its last carrier into
// the next CTA's receive slot. Workgroup buffers (all 16-byte aligned): the
// warp lists, the message (one carrier padded to 16 bytes), one receive
// slot, the mbarrier. Thread 0 of a receiving CTA (rank > 0) initializes
// the mbarrier, fences the init for the cluster and arrives with the
// expected bytes (rank x 16, at most 1 slot); every thread arrives on the
// cluster barrier before the tile loads. The carrier's owner writes it into
// the message and fences the async proxy; thread 0 zeroes the padding (and
// fences); after the CTA barrier and the cluster wait, thread 0 pushes the
// message to rank + 1 (mapa of the receive slot and of the mbarrier,
// cp.async.bulk 16 bytes); a receiving CTA's threads spin on try_wait
// parity 0, then read the halo carrier from the receive slot. No
// ld.shared::cluster anywhere; the last cluster barrier keeps the source
// alive until every copy has landed.
// CHECK-LABEL: gpu.func @bulk_k1_swr(
// CHECK-SAME:    workgroup(%[[LISTS:.*]] : memref<4xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %[[SEND:.*]] : memref<4xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %[[RECV:.*]] : memref<4xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %[[BAR:.*]] : memref<1xi64, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK-SAME:    known_cluster_size = array<i32: 4, 1, 1>
// CHECK:        %[[RANK:.*]] = arith.remsi %{{.*}}, %c4{{.*}} : index
// CHECK:        %[[MSGS:.*]] = arith.select %{{.*}}, %[[RANK]], %c1{{.*}} : index
// CHECK:        %[[TXI:.*]] = arith.muli %[[MSGS]], %c16{{.*}} : index
// CHECK:        %[[TX:.*]] = arith.index_cast %[[TXI]] : index to i32
// CHECK:        %[[RECEIVES:.*]] = arith.cmpi sgt, %[[RANK]], %c0{{.*}} : index
// CHECK:        %[[T0:.*]] = arith.cmpi eq, %thread_id_x, %c0{{.*}} : index
// CHECK:        %[[INIT:.*]] = arith.andi %[[T0]], %[[RECEIVES]] : i1
// CHECK:        scf.if %[[INIT]] {
// CHECK:          memref.extract_aligned_pointer_as_index %[[BAR]]
// CHECK:          %[[B:.*]] = llvm.getelementptr %{{.*}} : (!llvm.ptr<3>, i64) -> !llvm.ptr<3>, i64
// CHECK-NEXT:     %[[ONE:.*]] = arith.constant 1 : i32
// CHECK-NEXT:     nvvm.mbarrier.init %[[B]], %[[ONE]] : !llvm.ptr<3>, i32
// CHECK-NEXT:     nvvm.fence.mbarrier.init
// CHECK-NEXT:     nvvm.mbarrier.arrive.expect_tx %[[B]], %[[TX]] : !llvm.ptr<3>, i32
// CHECK-NEXT:   }
// CHECK-NEXT:   nvvm.cluster.arrive
// CHECK:        llvm.load %{{.*}} invariant {alignment = 16 : i64} : !llvm.ptr<1> -> vector<8xbf16>
// CHECK:        memref.store %{{.*}}, %[[LISTS]]
// CHECK:        memref.store %{{.*}}, %[[SEND]]
// CHECK:        memref.store %{{.*}}, %[[SEND]]
// CHECK-NEXT:   nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
// CHECK:        memref.store %{{.*}}, %[[SEND]][%c2
// CHECK:        memref.store %{{.*}}, %[[SEND]][%c3
// CHECK-NEXT:   nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
// CHECK:        gpu.barrier
// CHECK-NEXT:   nvvm.cluster.wait
// CHECK:        scf.if
// CHECK:          memref.extract_aligned_pointer_as_index %[[SEND]]
// CHECK:          %[[SRC:.*]] = llvm.getelementptr {{.*}} -> !llvm.ptr<3>, f32
// CHECK:          %[[TO:.*]] = arith.addi %[[RANK]], %c1{{.*}} : index
// CHECK:          arith.cmpi slt, %[[TO]], %c4{{.*}} : index
// CHECK:            %[[TO32:.*]] = arith.index_cast %[[TO]] : index to i32
// CHECK:            memref.extract_aligned_pointer_as_index %[[RECV]]
// CHECK:            %[[DST:.*]] = nvvm.mapa %{{.*}}, %[[TO32]] : !llvm.ptr<3> -> !llvm.ptr<7>
// CHECK:            memref.extract_aligned_pointer_as_index %[[BAR]]
// CHECK:            %[[RB:.*]] = nvvm.mapa %{{.*}}, %[[TO32]] : !llvm.ptr<3> -> !llvm.ptr<7>
// CHECK-NEXT:       %[[RBI:.*]] = llvm.ptrtoint %[[RB]] : !llvm.ptr<7> to i64
// CHECK-NEXT:       %[[RBP:.*]] = llvm.inttoptr %[[RBI]] : i64 to !llvm.ptr<3>
// CHECK-NEXT:       %[[SIZE:.*]] = arith.constant 16 : i32
// CHECK-NEXT:       nvvm.cp.async.bulk.shared.cluster.shared.cta %[[DST]], %[[SRC]], %[[RBP]], %[[SIZE]] : <7>, <3>
// CHECK:        %[[RECV2:.*]] = arith.cmpi sgt, %[[RANK]], %c0{{.*}} : index
// CHECK:        scf.if %[[RECV2]] {
// CHECK:          scf.while : () -> () {
// CHECK-NEXT:       %[[PH:.*]] = arith.constant 0 : i32
// CHECK-NEXT:       %[[DONE:.*]] = nvvm.mbarrier.try_wait %{{.*}}, %[[PH]] : !llvm.ptr<3>, i32 -> i1
// CHECK:            scf.condition
// CHECK:        gpu.shuffle  up
// CHECK:        memref.load %[[RECV]]
// CHECK:        memref.load %[[RECV]]
// CHECK-NOT:    !llvm.ptr<7> -> f32
// CHECK:        nvvm.cluster.arrive
// CHECK-NEXT:   nvvm.cluster.wait
// CHECK-NEXT:   gpu.return
func.func @bulk_k1(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      schedule <warps = 2, cluster = 4, cta = bulk, grid = halo>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}

// -----

// K = 40 with 1 warp (a CTA spans 32 tiles) and cluster 4: a CTA needs
// carriers of the 2 CTAs before it, so each CTA pushes its last 32
// carriers (256 bytes) to rank + 1 and rank + 2 (slots 0 and 1: 128
// floats of receive buffer).
// CHECK-LABEL: gpu.func @bulk_k40_swr(
// CHECK-SAME:    workgroup(%{{.*}} : memref<64xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %{{.*}} : memref<64xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %[[RECV:.*]] : memref<128xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %{{.*}} : memref<1xi64, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK:        arith.select %{{.*}}, %{{.*}}, %c2{{.*}} : index
// CHECK:        nvvm.cluster.wait
// CHECK:        arith.addi %{{.*}}, %c1{{.*}} : index
// CHECK:        %[[S0:.*]] = arith.constant 0 : index
// CHECK:        memref.extract_aligned_pointer_as_index %[[RECV]]
// CHECK:        nvvm.cp.async.bulk.shared.cluster.shared.cta %{{.*}}, %{{.*}}, %{{.*}}, %c256_i32
// CHECK:        arith.addi %{{.*}}, %c2{{.*}} : index
// CHECK:        %[[S1:.*]] = arith.constant 64 : index
// CHECK:        memref.extract_aligned_pointer_as_index %[[RECV]]
// CHECK:        nvvm.cp.async.bulk.shared.cluster.shared.cta %{{.*}}, %{{.*}}, %{{.*}}, %c256_i32
// CHECK:        nvvm.mbarrier.try_wait
// CHECK:        gpu.return
func.func @bulk_k40(%a: tensor<?x2x?xf32>, %x: tensor<?x2x16x?xf32>) -> tensor<?x2x16x?xf32> {
  %y = swr.scan %a, %x window <block = 8, hops = 40, segment = inf>
      schedule <warps = 1, cluster = 4, cta = bulk, grid = flags>
      : (tensor<?x2x?xf32>, tensor<?x2x16x?xf32>) -> tensor<?x2x16x?xf32>
  return %y : tensor<?x2x16x?xf32>
}

// -----

// cta = bulk, K = inf, cluster 4: every CTA receives (rank 0: the 3 other
// aggregates for the cluster aggregate; rank n: the n before it), 16 bytes
// each; thread 0 writes its CTA aggregate (+ 2 zero floats) into the
// message and pushes it to rank 0 (when not rank 0) and to every later
// rank, into slot `rank`. The composition loop reads the received slots
// locally (no mapa loads); the ticket is still read through mapa (grid
// route).
// CHECK-LABEL: gpu.func @bulk_inf_swr(
// CHECK-SAME:    %{{.*}} : memref<16xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %{{.*}} : memref<1xi64, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK:        %[[RANK:.*]] = arith.index_cast %{{.*}} : i32 to index
// CHECK:        nvvm.mapa
// CHECK:        llvm.load %{{.*}} : !llvm.ptr<7> -> i32
// CHECK:        %[[FIRST:.*]] = arith.cmpi eq, %[[RANK]], %c0{{.*}} : index
// CHECK:        arith.select %[[FIRST]], %c3{{.*}}, %[[RANK]] : index
// CHECK:        scf.if
// CHECK:          nvvm.mbarrier.init
// CHECK:        nvvm.cluster.arrive
// CHECK:        gpu.barrier
// CHECK:        memref.store %{{.*}}, %[[SEND:.*]][%c0
// CHECK:        memref.store %{{.*}}, %[[SEND]][%c1
// CHECK:        memref.store %{{.*}}, %[[SEND]][%c2
// CHECK:        memref.store %{{.*}}, %[[SEND]][%c3
// CHECK-NEXT:   nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
// CHECK:        nvvm.cluster.wait
// CHECK:        arith.cmpi ne, %[[RANK]], %c0{{.*}} : index
// CHECK:        nvvm.cp.async.bulk.shared.cluster.shared.cta %{{.*}}, %{{.*}}, %{{.*}}, %c16_i32
// CHECK:        arith.cmpi slt, %[[RANK]], %c1{{.*}} : index
// CHECK:        nvvm.cp.async.bulk.shared.cluster.shared.cta
// CHECK:        arith.cmpi slt, %[[RANK]], %c2{{.*}} : index
// CHECK:        nvvm.cp.async.bulk.shared.cluster.shared.cta
// CHECK:        arith.cmpi slt, %[[RANK]], %c3{{.*}} : index
// CHECK:        nvvm.cp.async.bulk.shared.cluster.shared.cta
// CHECK:        scf.if %true{{.*}} {
// CHECK:          nvvm.mbarrier.try_wait
// CHECK:        scf.for %{{.*}} = %c0{{.*}} to %c4{{.*}} step %c1{{.*}} iter_args
// CHECK-NOT:      nvvm.mapa
// CHECK:          memref.load
// CHECK:        scf.yield
// CHECK:        gpu.return
func.func @bulk_inf(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = inf, segment = inf>
      schedule <warps = 4, cluster = 4, cta = bulk>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// cta = bulk with a lane halo: the halo recomputes every earlier tile, so
// nothing crosses the cluster's shared memory (no bulk buffers, no
// mbarrier), as with cta = dsmem.
// CHECK-LABEL: gpu.func @bulk_unused_swr(
// CHECK-NOT:    nvvm.mbarrier
// CHECK-NOT:    nvvm.cp.async.bulk
// CHECK-NOT:    nvvm.cluster
// CHECK:        gpu.return
func.func @bulk_unused(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = 2, segment = inf>
      schedule <warps = 2, cluster = 2, lane = halo, cta = bulk, grid = halo>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}
