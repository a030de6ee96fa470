// RUN: phalanx-opt %s --convert-swr-to-gpu="mma-loop-kernel=loop" -verify-each | FileCheck %s --check-prefix=LOOP
// RUN: phalanx-opt %s --convert-swr-to-gpu="mma-loop-kernel=wide" -verify-each | FileCheck %s --check-prefix=WIDE
// RUN: phalanx-opt %s --convert-swr-to-gpu="mma-loop-kernel=half" -verify-each | FileCheck %s --check-prefix=HALF

// mma-loop-kernel forces one row-loop kernel (K = inf, local = mma): the
// module holds the look-back kernel and that one only, and the host
// launches it whenever the row groups fill the GPU (1024 warps), with no
// test of the row length or of the row groups' count; the forced kernel is
// the module's last function.
// LOOP-LABEL: func.func @kinf(
// LOOP:         arith.cmpi uge, %{{.*}}, %c1024 : index
// LOOP-NOT:     arith.cmpi uge
// LOOP:         gpu.launch_func async [%{{.*}}] @phalanx_kernels::@kinf_swr_loop blocks in {{.*}} threads in (%c512, %c1{{.*}}, %c1{{.*}}) dynamic_shared_memory_size %c35840_i32
// LOOP:         gpu.launch_func async [%{{.*}}] @phalanx_kernels::@kinf_swr blocks in
// LOOP-NOT:     @kinf_swr_loop_wide
// LOOP-NOT:     @kinf_swr_loop_half
// LOOP-LABEL:   gpu.func @kinf_swr_loop(
// LOOP-SAME:    known_block_size = array<i32: 512, 1, 1>, nvvm.minctasm = 2 : i32
// LOOP-NOT:     gpu.func @

// WIDE-LABEL: func.func @kinf(
// WIDE:         arith.cmpi uge, %{{.*}}, %c1024 : index
// WIDE-NOT:     arith.cmpi uge
// WIDE:         gpu.launch_func async [%{{.*}}] @phalanx_kernels::@kinf_swr_loop_wide blocks in {{.*}} threads in (%c512, %c1{{.*}}, %c1{{.*}}) dynamic_shared_memory_size %c70656_i32
// WIDE-NOT:     @kinf_swr_loop(
// WIDE-NOT:     @kinf_swr_loop_half
// WIDE-LABEL:   gpu.func @kinf_swr_loop_wide(
// WIDE-SAME:    known_block_size = array<i32: 512, 1, 1>, nvvm.minctasm = 1 : i32
// WIDE-COUNT-8: nvvm.mma.sync
// WIDE-NOT:     gpu.func @

// HALF-LABEL: func.func @kinf(
// HALF:         arith.cmpi uge, %{{.*}}, %c1024 : index
// HALF-NOT:     arith.cmpi uge
// HALF:         gpu.launch_func async [%{{.*}}] @phalanx_kernels::@kinf_swr_loop_half blocks in {{.*}} threads in (%c256, %c1{{.*}}, %c1{{.*}}) dynamic_shared_memory_size %c35840_i32
// HALF-NOT:     @kinf_swr_loop(
// HALF-NOT:     @kinf_swr_loop_wide
// HALF-LABEL:   gpu.func @kinf_swr_loop_half(
// HALF-SAME:    workgroup(%{{.*}} : memref<576xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}) kernel
// HALF-SAME:    known_block_size = array<i32: 256, 1, 1>, nvvm.minctasm = 2 : i32
// HALF-COUNT-8: nvvm.mma.sync
// HALF-NOT:     gpu.func @
func.func @kinf(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = inf, segment = inf>
      schedule <local = mma, warps = 1>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}
