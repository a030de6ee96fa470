// RUN: phalanx-opt %s --convert-swr-to-gpu -verify-each --split-input-file | FileCheck %s

// cta = dsmem, finite K: after the warp lists are written, a cluster barrier
// (arrive + wait); a halo tile in an earlier CTA of the cluster is read from
// that CTA's workgroup memory through nvvm.mapa (ld.shared::cluster); a last
// cluster barrier keeps the memory alive until every CTA has read it. The
// launch is a cluster launch.
// CHECK-LABEL: func.func @dsmem_k1(
// CHECK:        gpu.launch_func async [%{{.*}}] @phalanx_kernels::@dsmem_k1_swr clusters in (%c4{{.*}}, %c1{{.*}}, %c1{{.*}}) blocks in
// CHECK-LABEL: gpu.func @dsmem_k1_swr(
// CHECK-SAME:    workgroup(%[[SMEM:.*]] : memref<4xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK-SAME:    known_cluster_size = array<i32: 4, 1, 1>
// CHECK:        memref.store %{{.*}}, %[[SMEM]]
// CHECK:        gpu.barrier
// CHECK-NEXT:   nvvm.cluster.arrive
// CHECK-NEXT:   nvvm.cluster.wait
// CHECK:        %[[P:.*]] = memref.extract_aligned_pointer_as_index %[[SMEM]]
// CHECK:        %[[SH:.*]] = llvm.inttoptr %{{.*}} : i64 to !llvm.ptr<3>
// CHECK:        %[[EL:.*]] = llvm.getelementptr %[[SH]][%{{.*}}] : (!llvm.ptr<3>, i64) -> !llvm.ptr<3>, f32
// CHECK:        %[[REM:.*]] = nvvm.mapa %[[EL]], %{{.*}} : !llvm.ptr<3> -> !llvm.ptr<7>
// CHECK:        llvm.load %[[REM]] {alignment = 4 : i64} : !llvm.ptr<7> -> f32
// CHECK:        nvvm.cluster.arrive
// CHECK-NEXT:   nvvm.cluster.wait
// CHECK-NEXT:   gpu.return
func.func @dsmem_k1(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      schedule <warps = 2, cluster = 4, cta = dsmem, grid = halo>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}

// -----

// cta = dsmem, K = inf: thread 0 stores the CTA aggregate, cluster barrier,
// each thread composes the aggregates of the CTAs before its own over
// nvvm.mapa (a loop over the 2 ranks); the cluster's rank comes from
// %cluster_ctarank, and the ticket taken by rank 0 is read by mapa too.
// CHECK-LABEL: gpu.func @dsmem_inf_swr(
// CHECK:        nvvm.read.ptx.sreg.cluster.ctarank : i32
// CHECK:        memref.atomic_rmw addi
// CHECK:        nvvm.cluster.arrive
// CHECK:        nvvm.mapa
// CHECK:        gpu.barrier
// CHECK:        nvvm.cluster.arrive
// CHECK-NEXT:   nvvm.cluster.wait
// CHECK:        scf.for %{{.*}} = %c0{{.*}} to %c2{{.*}} step %c1{{.*}} iter_args
// CHECK:          nvvm.mapa %{{.*}}, %{{.*}} : !llvm.ptr<3> -> !llvm.ptr<7>
// CHECK:          nvvm.mapa %{{.*}}, %{{.*}} : !llvm.ptr<3> -> !llvm.ptr<7>
// CHECK:        gpu.return
func.func @dsmem_inf(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = inf, segment = inf>
      schedule <warps = 4, cluster = 2, cta = dsmem, grid = flags>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}

// -----

// cta = halo: a cluster launch, but no distributed shared memory: tiles
// before the CTA are rescanned from global memory.
// CHECK-LABEL: gpu.func @cta_halo_swr(
// CHECK-NOT:    nvvm.mapa
// CHECK-NOT:    nvvm.cluster
// CHECK:        gpu.return
func.func @cta_halo(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      schedule <warps = 2, cluster = 2, cta = halo, grid = flags>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}
