// RUN: phalanx-opt %s --convert-swr-to-gpu --split-input-file | FileCheck %s

// local = mma: each warp stages its 32 tiles' gates and drive in workgroup
// memory, then per tile builds the (bf16 hi / mid / lo) fragments of the
// in-tile transfer matrix and runs m16n8k16 bf16 mma with f32 accumulation;
// the carrier routes then run unchanged.

// CHECK-LABEL: gpu.func @k1_swr(
// The staging buffer is explicitly 16-byte aligned (the NVPTX vectorizer
// merges its accesses into st.shared.v4 / ld.shared.v2).
// CHECK-SAME: memref<4096xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}
// CHECK: nvvm.bar.warp.sync
// CHECK: scf.for
// CHECK: nvvm.mma.sync A[{{.*}}] B[{{.*}}] C[{{.*}}] {{.*}}multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK: nvvm.mma.sync
// CHECK: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: gpu.shuffle down
// CHECK: gpu.shuffle up
func.func @k1(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      schedule <local = mma, warps = 4, grid = halo>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// Block 32: two row blocks, lower block-triangular: (1 + 2) x 3 mma.
// CHECK-LABEL: gpu.func @b32_swr(
// CHECK-COUNT-9: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
func.func @b32(%a: tensor<?x4x?xf32>, %x: tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 32, hops = inf, segment = inf>
      schedule <local = mma, warps = 2>
      : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// Transpose: upper block-triangular.
// CHECK-LABEL: gpu.func @t_swr(
// CHECK-COUNT-9: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
func.func @t(%a: tensor<?x4x?xf32>, %x: tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 32, hops = 1, segment = inf>
      schedule <local = mma, warps = 2, grid = flags> transpose
      : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}
