// REQUIRES: ptxas, phalanx-compile
// RUN: phalanx-compile %s --target cuda --emit=ptx | FileCheck %s
// RUN: phalanx-compile %s --target cuda -o %t.phx && test -s %t.phx

// The PTX of cta = bulk (K = 3, cluster 4, grid flags), in program order:
// the receiving CTA's mbarrier init, its cluster-scope init fence and
// arrive.expect_tx, the early cluster arrive; the writers' async-proxy fence
// before the CTA barrier; the cluster wait before the push; the push of the
// message whose mbarrier operand is the mapa of this CTA's mbarrier symbol
// (the destination CTA's barrier) and whose destination is the mapa of the
// receive buffer; the spin on try_wait.parity; the last cluster barrier.
// CHECK-LABEL: .visible .entry bulk_k3_swr(
// Every workgroup buffer is declared 16-byte aligned (carrier lists, ticket,
// message, receive slots, mbarrier): none keeps the printer's `.align 4`.
// CHECK-NOT:   .shared .align 4
// CHECK:       .shared .align 16 .b8 __wg_bulk_k3_swr_0[48];
// CHECK-NEXT:  // demoted variable
// CHECK-NEXT:  .shared .align 16 .b8 __wg_bulk_k3_swr_1[4];
// CHECK-NEXT:  // demoted variable
// CHECK-NEXT:  .shared .align 16 .b8 [[SEND:__wg_bulk_k3_swr_[0-9]+]][32];
// CHECK-NEXT:  // demoted variable
// CHECK-NEXT:  .shared .align 16 .b8 [[RECV:__wg_bulk_k3_swr_[0-9]+]][32];
// CHECK-NEXT:  // demoted variable
// CHECK-NEXT:  .shared .align 16 .b8 [[BAR:__wg_bulk_k3_swr_[0-9]+]][8];
// CHECK-NOT:   .shared .align 4
// CHECK:       mbarrier.init.shared.b64 [[[BAR]]], %r{{[0-9]+}};
// CHECK-NEXT:  fence.mbarrier_init.release.cluster;
// CHECK:       mbarrier.arrive.expect_tx.shared.b64 %rd{{[0-9]+}}, [[[BAR]]], %r{{[0-9]+}};
// CHECK:       barrier.cluster.arrive;
// CHECK:       fence.proxy.async.shared::cta;
// CHECK:       bar.sync 0;
// CHECK:       barrier.cluster.wait;
// CHECK-DAG:   mov.b64 [[RECVP:%rd[0-9]+]], [[RECV]];
// CHECK-DAG:   mov.b64 [[BARP:%rd[0-9]+]], [[BAR]];
// CHECK-DAG:   mapa.shared::cluster.u64 [[RBAR:%rd[0-9]+]], [[BARP]], [[TO:%r[0-9]+]];
// CHECK-DAG:   mapa.shared::cluster.u64 [[RDST:%rd[0-9]+]], [[RECVP]], [[TO]];
// CHECK:       cp.async.bulk.shared::cluster.shared::cta.mbarrier::complete_tx::bytes [[[RDST]]], [[[SEND]]], %r{{[0-9]+}}, [[[RBAR]]];
// CHECK:       mbarrier.try_wait.parity.shared.b64 %p{{[0-9]+}}, [[[BAR]]], %r{{[0-9]+}};
// CHECK-NOT:   ld.shared::cluster.b32 %f
// CHECK:       barrier.cluster.arrive;
// CHECK-NEXT:  barrier.cluster.wait;
// CHECK-NEXT:  ret;
func.func @bulk_k3(%a: tensor<?x4x?xf32>, %x: tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 3, segment = inf>
      schedule <warps = 2, cluster = 4, cta = bulk, grid = flags>
      : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}
