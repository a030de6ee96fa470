// RUN: phalanx-opt %s --convert-swr-to-gpu --canonicalize -verify-each --split-input-file | FileCheck %s

// The entry becomes a function on memrefs (device pointers) with the result
// as an out-parameter; it computes the grid from the dynamic sizes and
// launches the kernel of @phalanx_kernels. grid = halo needs no scratch.
// CHECK: module attributes {gpu.container_module}
// CHECK-LABEL: func.func @scan(
// CHECK-SAME:      %[[A:.*]]: memref<?x4x?xbf16>, %[[X:.*]]: memref<?x4x16x?xbf16>, %[[Y:.*]]: memref<?x4x16x?xf32>)
// CHECK-SAME:      attributes {llvm.emit_c_interface}
// CHECK:         %[[L:.*]] = memref.dim %[[X]], %c3
// CHECK:         scf.if
// CHECK:           %[[T0:.*]] = gpu.wait async
// CHECK-NOT:       gpu.alloc
// CHECK:           %[[T1:.*]] = gpu.launch_func async [%[[T0]]] @phalanx_kernels::@scan_swr blocks in (%{{.*}}, %{{.*}}, %{{.*}}) threads in (%c128, %c1, %c1) args(%[[A]] : memref<?x4x?xbf16>, %[[X]] : memref<?x4x16x?xbf16>, %[[Y]] : memref<?x4x16x?xf32>, %{{.*}} : index)
// CHECK:           gpu.wait [%[[T1]]]
// CHECK:         return
// CHECK: gpu.module @phalanx_kernels
// CHECK:   gpu.func @scan_swr(%{{.*}}: memref<?x4x?xbf16>, %{{.*}}: memref<?x4x16x?xbf16>, %{{.*}}: memref<?x4x16x?xf32>, %{{.*}}: index)
// CHECK-SAME: kernel attributes {known_block_size = array<i32: 128, 1, 1>}
func.func @scan(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      schedule <warps = 4, grid = halo>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// grid = flags: flags + ticket counter (zeroed) and the carrier scratch are
// allocated on the launch stream, and freed after the kernel; resets and
// init are passed after the drive; a cluster launch when cluster > 1.
// CHECK-LABEL: func.func @flags(
// CHECK-SAME:      %[[A:.*]]: memref<2x8x?xf32>, %[[X:.*]]: memref<2x8x32x?xf32>, %[[R:.*]]: memref<2x?xi1>, %[[S:.*]]: memref<2x8x32xf32>, %[[Y:.*]]: memref<2x8x32x?xbf16>)
// CHECK:         %[[T0:.*]] = gpu.wait async
// CHECK:         %[[F:.*]], %[[T1:.*]] = gpu.alloc async [%[[T0]]] (%{{.*}}) : memref<?xi32>
// CHECK:         %[[T2:.*]] = gpu.memset async [%[[T1]]] %[[F]], %c0_i32 : memref<?xi32>, i32
// CHECK:         %[[C:.*]], %[[T3:.*]] = gpu.alloc async [%[[T2]]] (%{{.*}}) : memref<?xf32>
// CHECK:         %[[T4:.*]] = gpu.launch_func async [%[[T3]]] @phalanx_kernels::@flags_swr clusters in (%c2, %c1, %c1) blocks in (%{{.*}}, %{{.*}}, %{{.*}}) threads in (%c64, %c1, %c1) args(%[[A]] : {{.*}}, %[[X]] : {{.*}}, %[[R]] : {{.*}}, %[[S]] : {{.*}}, %[[Y]] : {{.*}}, %[[F]] : memref<?xi32>, %[[C]] : memref<?xf32>, %{{.*}} : index)
// CHECK:         %[[T5:.*]] = gpu.dealloc async [%[[T4]]] %[[F]] : memref<?xi32>
// CHECK:         %[[T6:.*]] = gpu.dealloc async [%[[T5]]] %[[C]] : memref<?xf32>
// CHECK:         gpu.wait [%[[T6]]]
// CHECK: gpu.func @flags_swr(
// CHECK-SAME: known_block_size = array<i32: 64, 1, 1>, known_cluster_size = array<i32: 2, 1, 1>
func.func @flags(%a: tensor<2x8x?xf32>, %x: tensor<2x8x32x?xf32>, %r: tensor<2x?xi1>, %s: tensor<2x8x32xf32>) -> tensor<2x8x32x?xbf16> {
  %y = swr.scan %a, %x resets(%r) init(%s) window <block = 32, hops = 2, segment = 4>
      schedule <tiles_per_lane = 2, warps = 2, cluster = 2, cta = dsmem, grid = flags>
      : (tensor<2x8x?xf32>, tensor<2x8x32x?xf32>, tensor<2x?xi1>, tensor<2x8x32xf32>) -> tensor<2x8x32x?xbf16>
  return %y : tensor<2x8x32x?xbf16>
}

// -----

// Functions without swr ops are left alone; a module without GPU entries
// does not become a container module.
// CHECK-NOT: gpu.container_module
// CHECK-LABEL: func.func @helper(%{{.*}}: tensor<4xf32>) -> tensor<4xf32>
// CHECK-NOT: gpu.module
func.func @helper(%t: tensor<4xf32>) -> tensor<4xf32> {
  return %t : tensor<4xf32>
}
