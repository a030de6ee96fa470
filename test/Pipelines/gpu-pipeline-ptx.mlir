// REQUIRES: ptxas
// RUN: phalanx-opt %s --phalanx-gpu-pipeline="format=isa" -verify-each | FileCheck %s
// RUN: phalanx-opt %s --phalanx-gpu-pipeline | FileCheck %s --check-prefix=BIN

// format=isa keeps the PTX text in the gpu.binary, for inspection: the
// carrier routes show up as the expected instructions.
// CHECK: gpu.binary @phalanx_kernels
// CHECK-SAME: .target sm_90a
// CHECK-DAG: .entry flags_swr
// CHECK-DAG: shfl.sync.up.b32
// CHECK-DAG: bar.sync
// CHECK-DAG: atom.global.add.u32
// CHECK-DAG: st.release.gpu
// CHECK-DAG: ld.acquire.gpu
// CHECK-DAG: fence.acq_rel.gpu
// CHECK-DAG: .entry dsmem_swr
// CHECK-DAG: mapa.shared::cluster.u64
// CHECK-DAG: ld.shared::cluster.b32
// CHECK-DAG: barrier.cluster.arrive
// CHECK-DAG: barrier.cluster.wait

// The host side: the entry launches through the upstream wrapper ABI at
// translation time (gpu.launch_func on the cubin object), and the packed
// entry point calls the C interface.
// BIN-LABEL: llvm.func @flags(
// BIN: llvm.call @mgpuStreamCreate
// BIN: llvm.call @mgpuMemAlloc
// BIN: llvm.call @mgpuMemset32
// BIN: gpu.launch_func <%{{.*}} : !llvm.ptr> @phalanx_kernels::@flags_swr
// BIN: llvm.call @mgpuMemFree
// BIN: llvm.call @mgpuStreamSynchronize
// BIN: llvm.call @mgpuStreamDestroy
// BIN-LABEL: llvm.func @phx_entry_flags(
// BIN-LABEL: llvm.func @dsmem(
// BIN: gpu.launch_func <%{{.*}} : !llvm.ptr> @phalanx_kernels::@dsmem_swr clusters in
// BIN: gpu.binary @phalanx_kernels  [#gpu.object<#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx80">, properties = {{.*}}, bin =
func.func @flags(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      schedule <warps = 4, grid = flags>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}
func.func @dsmem(%a: tensor<?x4x?xf32>, %x: tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      schedule <warps = 2, cluster = 2, cta = dsmem, grid = halo>
      : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}
