// RUN: phalanx-opt %s --convert-swr-to-gpu -verify-each --split-input-file | FileCheck %s

// Per token: loads are guarded (0 <= t < L: gate 1 and drive 0 outside,
// the index clamped to 0), the gate is extended to f32 and masked exactly as
// swr.mask_gates (zero at t % (S * BL) == 0 with t > 0, and at resets), the
// store of y (truncated to the result type) is guarded.
// CHECK-LABEL: gpu.func @masks_swr(
// CHECK:        scf.for
// CHECK:          %[[GE:.*]] = arith.cmpi sge, %[[T:.*]], %c0{{.*}} : index
// CHECK:          %[[LT:.*]] = arith.cmpi slt, %[[T]], %[[L:.*]] : index
// CHECK:          %[[VALID:.*]] = arith.andi %[[GE]], %[[LT]] : i1
// CHECK:          %[[TC:.*]] = arith.select %[[VALID]], %[[T]], %c0{{.*}} : index
// CHECK:          %[[A16:.*]] = memref.load %{{.*}}[%{{.*}}, %{{.*}}, %[[TC]]] : memref<?x2x?xf16>
// CHECK:          %[[A32:.*]] = arith.extf %[[A16]] : f16 to f32
// CHECK:          %[[A:.*]] = arith.select %[[VALID]], %[[A32]], %cst{{.*}} : f32
// CHECK:          %[[R:.*]] = arith.remsi %[[TC]], %c96 : index
// CHECK:          %[[START:.*]] = arith.cmpi eq, %[[R]], %c0
// CHECK:          %[[POS:.*]] = arith.cmpi sgt, %[[T]], %c0
// CHECK:          %[[SEG:.*]] = arith.andi %[[START]], %[[POS]] : i1
// CHECK:          %[[RESET:.*]] = memref.load %{{.*}}[%{{.*}}, %[[TC]]] : memref<?x?xi1>
// CHECK:          %[[CUT:.*]] = arith.ori %[[SEG]], %[[RESET]] : i1
// CHECK:          %[[CUTV:.*]] = arith.andi %[[CUT]], %[[VALID]] : i1
// CHECK:          arith.select %[[CUTV]], %cst{{.*}}, %[[A]] : f32
// CHECK:        scf.for
// CHECK:          %[[Y:.*]] = arith.truncf %{{.*}} : f32 to bf16
// CHECK:          memref.store %[[Y]], %{{.*}} : memref<?x2x32x?xbf16>
func.func @masks(%a: tensor<?x2x?xf16>, %x: tensor<?x2x32x?xf16>, %r: tensor<?x?xi1>) -> tensor<?x2x32x?xbf16> {
  %y = swr.scan %a, %x resets(%r) window <block = 32, hops = 1, segment = 3>
      schedule <warps = 4, grid = halo>
      : (tensor<?x2x?xf16>, tensor<?x2x32x?xf16>, tensor<?x?xi1>) -> tensor<?x2x32x?xbf16>
  return %y : tensor<?x2x32x?xbf16>
}

// -----

// transpose: logical tile u is tile T - 1 - u, scanned backwards
// (t = first + BL - 1 - k), so "previous" tiles are the following ones.
// CHECK-LABEL: gpu.func @transpose_swr(
// CHECK:        %[[T1:.*]] = arith.subi %[[TILES:.*]], %c1{{.*}} : index
// CHECK:        %[[PHYS:.*]] = arith.subi %[[T1]], %{{.*}} : index
// CHECK:        %[[FIRST:.*]] = arith.muli %[[PHYS]], %c16{{.*}} : index
// CHECK:        scf.for %[[K:.*]] = %c0{{.*}} to %c16{{.*}} step %c1{{.*}} iter_args
// CHECK:          %[[END:.*]] = arith.addi %[[FIRST]], %c15{{.*}} : index
// CHECK:          arith.subi %[[END]], %[[K]] : index
func.func @transpose(%a: tensor<?x4x?xf32>, %x: tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      schedule <warps = 4, grid = halo> transpose
      : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// K = 0: no carriers at all, one pass per tile (y = local).
// CHECK-LABEL: gpu.func @k0_swr(
// CHECK-NOT:    workgroup
// CHECK-NOT:    gpu.shuffle
// CHECK-NOT:    gpu.barrier
// CHECK:        scf.for
// CHECK-NOT:    scf.for
// CHECK:        gpu.return
func.func @k0(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = 0, segment = inf>
      schedule <warps = 4>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}
