// REQUIRES: ptxas
// RUN: phalanx-opt %s --phalanx-gpu-pipeline --split-input-file -verify-each | FileCheck %s

// Every schedule runs the whole GPU pipeline down to a cubin: ptxas (CUDA
// toolkit at /usr/local/cuda, the pipeline's `toolkit` option) must assemble
// the kernel for sm_90a. The host side is LLVM dialect with a packed entry.

// CHECK-LABEL: llvm.func @phx_entry_k0(
// CHECK: gpu.binary @phalanx_kernels
func.func @k0(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 0, segment = inf>
      schedule <warps = 4>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// CHECK-LABEL: llvm.func @phx_entry_k1_shuffle_smem_halo(
// CHECK: gpu.binary @phalanx_kernels
func.func @k1_shuffle_smem_halo(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      schedule <warps = 4, grid = halo>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// CHECK-LABEL: llvm.func @phx_entry_k1_shuffle_smem_flags(
// CHECK: gpu.binary @phalanx_kernels
func.func @k1_shuffle_smem_flags(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      schedule <warps = 4, grid = flags>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// CHECK-LABEL: llvm.func @phx_entry_k1_lane_halo(
// CHECK: gpu.binary @phalanx_kernels
func.func @k1_lane_halo(%a: tensor<?x4x?xf32>, %x: tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      schedule <warps = 4, lane = halo, grid = halo>
      : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// CHECK-LABEL: llvm.func @phx_entry_k1_warp_halo(
// CHECK: gpu.binary @phalanx_kernels
func.func @k1_warp_halo(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      schedule <warps = 4, warp = halo, grid = halo>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}

// -----

// CHECK-LABEL: llvm.func @phx_entry_k1_dsmem_flags(
// CHECK: gpu.binary @phalanx_kernels
func.func @k1_dsmem_flags(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      schedule <warps = 2, cluster = 2, cta = dsmem, grid = flags>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// CHECK-LABEL: llvm.func @phx_entry_k1_dsmem_halo(
// CHECK: gpu.binary @phalanx_kernels
func.func @k1_dsmem_halo(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      schedule <warps = 2, cluster = 4, cta = dsmem, grid = halo>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// CHECK-LABEL: llvm.func @phx_entry_k1_cta_halo(
// CHECK: gpu.binary @phalanx_kernels
func.func @k1_cta_halo(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      schedule <warps = 2, cluster = 2, cta = halo, grid = flags>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// CHECK-LABEL: llvm.func @phx_entry_k3_tpl2_resets_init(
// CHECK: gpu.binary @phalanx_kernels
func.func @k3_tpl2_resets_init(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>, %r: tensor<?x?xi1>, %s: tensor<?x4x16xbf16>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x resets(%r) init(%s) window <block = 16, hops = 3, segment = inf>
      schedule <tiles_per_lane = 2, warps = 2, grid = flags>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>, tensor<?x?xi1>, tensor<?x4x16xbf16>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// CHECK-LABEL: llvm.func @phx_entry_k2_segments(
// CHECK: gpu.binary @phalanx_kernels
func.func @k2_segments(%a: tensor<?x4x?xf32>, %x: tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 8, hops = 2, segment = 3>
      schedule <tiles_per_lane = 4, warps = 1, grid = halo>
      : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}

// -----

// CHECK-LABEL: llvm.func @phx_entry_k40_beyond_warp(
// CHECK: gpu.binary @phalanx_kernels
func.func @k40_beyond_warp(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 8, hops = 40, segment = inf>
      schedule <warps = 2, grid = flags>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// CHECK-LABEL: llvm.func @phx_entry_kinf(
// CHECK: gpu.binary @phalanx_kernels
func.func @kinf(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>, %r: tensor<?x?xi1>, %s: tensor<?x4x16xbf16>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x resets(%r) init(%s) window <block = 16, hops = inf, segment = inf>
      schedule <warps = 4>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>, tensor<?x?xi1>, tensor<?x4x16xbf16>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// CHECK-LABEL: llvm.func @phx_entry_kinf_tpl4(
// CHECK: gpu.binary @phalanx_kernels
func.func @kinf_tpl4(%a: tensor<?x4x?xf16>, %x: tensor<?x4x16x?xf16>) -> tensor<?x4x16x?xf16> {
  %y = swr.scan %a, %x window <block = 32, hops = inf, segment = inf>
      schedule <tiles_per_lane = 4, warps = 8>
      : (tensor<?x4x?xf16>, tensor<?x4x16x?xf16>) -> tensor<?x4x16x?xf16>
  return %y : tensor<?x4x16x?xf16>
}

// -----

// CHECK-LABEL: llvm.func @phx_entry_kinf_dsmem(
// CHECK: gpu.binary @phalanx_kernels
func.func @kinf_dsmem(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>, %s: tensor<?x4x16xbf16>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x init(%s) window <block = 16, hops = inf, segment = inf>
      schedule <warps = 4, cluster = 2>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>, tensor<?x4x16xbf16>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// CHECK-LABEL: llvm.func @phx_entry_kinf_segments(
// CHECK: gpu.binary @phalanx_kernels
func.func @kinf_segments(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = inf, segment = 4>
      schedule <warps = 4>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// CHECK-LABEL: llvm.func @phx_entry_k1_transpose_flags(
// CHECK: gpu.binary @phalanx_kernels
func.func @k1_transpose_flags(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>, %r: tensor<?x?xi1>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x resets(%r) window <block = 16, hops = 1, segment = inf>
      schedule <warps = 4, grid = flags> transpose
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>, tensor<?x?xi1>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// CHECK-LABEL: llvm.func @phx_entry_k2_transpose_halo(
// CHECK: gpu.binary @phalanx_kernels
func.func @k2_transpose_halo(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 2, segment = inf>
      schedule <lane = halo, grid = halo> transpose
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// CHECK-LABEL: llvm.func @phx_entry_kinf_transpose_dsmem(
// CHECK: gpu.binary @phalanx_kernels
func.func @kinf_transpose_dsmem(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = inf, segment = 2>
      schedule <warps = 4, cluster = 2> transpose
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// CHECK-LABEL: llvm.func @phx_entry_k1_d64(
// CHECK: gpu.binary @phalanx_kernels
func.func @k1_d64(%a: tensor<?x2x?xbf16>, %x: tensor<?x2x64x?xbf16>) -> tensor<?x2x64x?xf32> {
  %y = swr.scan %a, %x window <block = 64, hops = 1, segment = inf>
      schedule <warps = 4>
      : (tensor<?x2x?xbf16>, tensor<?x2x64x?xbf16>) -> tensor<?x2x64x?xf32>
  return %y : tensor<?x2x64x?xf32>
}

// -----

// CHECK-LABEL: llvm.func @phx_entry_k1_default(
// CHECK: gpu.binary @phalanx_kernels
func.func @k1_default(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// local = mma (tensor cores): forward, transpose, K = inf, block 32 / 64.
// CHECK-LABEL: llvm.func @phx_entry_mma_k1(
// CHECK: gpu.binary @phalanx_kernels
func.func @mma_k1(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      schedule <local = mma, warps = 4, grid = flags>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// CHECK-LABEL: llvm.func @phx_entry_mma_k1_T_b64(
// CHECK: gpu.binary @phalanx_kernels
func.func @mma_k1_T_b64(%a: tensor<?x4x?xf32>, %x: tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 64, hops = 1, segment = inf>
      schedule <local = mma, warps = 2, grid = halo> transpose
      : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// CHECK-LABEL: llvm.func @phx_entry_mma_kinf(
// CHECK: gpu.binary @phalanx_kernels
func.func @mma_kinf(%a: tensor<?x4x?xf16>, %x: tensor<?x4x16x?xf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 32, hops = inf, segment = inf>
      schedule <local = mma, tiles_per_lane = 2, warps = 4, cluster = 2>
      : (tensor<?x4x?xf16>, tensor<?x4x16x?xf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}

// -----

// cta = bulk (cp.async.bulk shared::cluster pushes + mbarrier) under
// clusters 2 / 4 / 8, K = 1, 2, 3, 40 (two receive slots), inf; segments,
// resets, init, transpose, local = mma.

// CHECK-LABEL: llvm.func @phx_entry_bulk_k1_c2_halo(
// CHECK: gpu.binary @phalanx_kernels
func.func @bulk_k1_c2_halo(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      schedule <warps = 2, cluster = 2, cta = bulk, grid = halo>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// CHECK-LABEL: llvm.func @phx_entry_bulk_k1_c8_flags(
// CHECK: gpu.binary @phalanx_kernels
func.func @bulk_k1_c8_flags(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      schedule <warps = 2, cluster = 8, cta = bulk, grid = flags>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// CHECK-LABEL: llvm.func @phx_entry_bulk_k3_tpl2_c4(
// CHECK: gpu.binary @phalanx_kernels
func.func @bulk_k3_tpl2_c4(%a: tensor<?x4x?xf32>, %x: tensor<?x4x16x?xf32>, %r: tensor<?x?xi1>, %s: tensor<?x4x16xf32>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x resets(%r) init(%s) window <block = 16, hops = 3, segment = inf>
      schedule <tiles_per_lane = 2, warps = 1, cluster = 4, cta = bulk, grid = flags>
      : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>, tensor<?x?xi1>, tensor<?x4x16xf32>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// CHECK-LABEL: llvm.func @phx_entry_bulk_k40_c4(
// CHECK: gpu.binary @phalanx_kernels
func.func @bulk_k40_c4(%a: tensor<?x4x?xf32>, %x: tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 8, hops = 40, segment = inf>
      schedule <warps = 1, cluster = 4, cta = bulk, grid = flags>
      : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// CHECK-LABEL: llvm.func @phx_entry_bulk_k2_seg_T(
// CHECK: gpu.binary @phalanx_kernels
func.func @bulk_k2_seg_T(%a: tensor<?x4x?xf32>, %x: tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = 2, segment = 3>
      schedule <warps = 2, cluster = 2, cta = bulk, grid = halo> transpose
      : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}

// -----

// CHECK-LABEL: llvm.func @phx_entry_bulk_kinf_c4(
// CHECK: gpu.binary @phalanx_kernels
func.func @bulk_kinf_c4(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>, %s: tensor<?x4x16xbf16>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x init(%s) window <block = 16, hops = inf, segment = inf>
      schedule <warps = 2, cluster = 4, cta = bulk>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>, tensor<?x4x16xbf16>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// CHECK-LABEL: llvm.func @phx_entry_bulk_kinf_c8_T_seg(
// CHECK: gpu.binary @phalanx_kernels
func.func @bulk_kinf_c8_T_seg(%a: tensor<?x4x?xf32>, %x: tensor<?x4x16x?xf32>, %r: tensor<?x?xi1>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x resets(%r) window <block = 16, hops = inf, segment = 2>
      schedule <warps = 4, cluster = 8, cta = bulk> transpose
      : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>, tensor<?x?xi1>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// CHECK-LABEL: llvm.func @phx_entry_bulk_mma_k2_c4(
// CHECK: gpu.binary @phalanx_kernels
func.func @bulk_mma_k2_c4(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 2, segment = inf>
      schedule <local = mma, tiles_per_lane = 2, warps = 1, cluster = 4, cta = bulk, grid = flags>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}
