// RUN: phalanx-opt %s --convert-swr-to-gpu -verify-each --split-input-file | FileCheck %s

// A tile's tokens are loaded once, as vectors: on the vector path (the whole
// tile inside [0, L), L a multiple of the vector width and the pointers
// 16-byte aligned) by 16-byte read-only loads (ld.global.nc), otherwise by
// guarded scalar loads (0 <= t < L: gate 1 and drive 0 outside, the index
// clamped to 0). The gate is extended to f32 and masked exactly as
// swr.mask_gates: a segment start (t % (S * BL) == 0, t > 0) can only be a
// tile's first token (physical tile % S == 0), resets per token. y is
// truncated to the result type and stored by 16-byte stores (vector path) or
// guarded scalar stores.
// CHECK-LABEL: gpu.func @masks_swr(
// CHECK:        %[[VW:.*]] = arith.remsi %{{.*}}, %c8 : index
// CHECK:        %{{.*}}:8 = scf.if %{{.*}} -> (vector<8xf16>, vector<8xf16>, vector<8xf16>, vector<8xf16>, vector<8xf16>, vector<8xf16>, vector<8xf16>, vector<8xf16>) {
// CHECK:          llvm.load %{{.*}} invariant {alignment = 16 : i64} : !llvm.ptr<1> -> vector<8xf16>
// CHECK:        } else {
// CHECK:          %[[GE:.*]] = arith.cmpi sge, %[[T:.*]], %c0{{.*}} : index
// CHECK:          %[[LT:.*]] = arith.cmpi slt, %[[T]], %[[L:.*]] : index
// CHECK:          %[[VALID:.*]] = arith.andi %[[GE]], %[[LT]] : i1
// CHECK:          %[[TC:.*]] = arith.select %[[VALID]], %[[T]], %c0{{.*}} : index
// CHECK:          %[[A16:.*]] = memref.load %{{.*}}[%{{.*}}, %{{.*}}, %[[TC]]] : memref<?x2x?xf16>
// CHECK:          %[[A:.*]] = arith.select %[[VALID]], %[[A16]], %cst{{.*}} : f16
// CHECK:          llvm.insertelement %[[A]], %{{.*}} : vector<8xf16>
// CHECK:          scf.yield
// CHECK:        }
// CHECK:        %[[E:.*]] = llvm.extractelement %{{.*}}#0[%{{.*}} : i32] : vector<8xf16>
// CHECK:        %[[A0:.*]] = arith.extf %[[E]] : f16 to f32
// CHECK:        %[[R:.*]] = arith.remsi %{{.*}}, %c3{{.*}} : index
// CHECK:        %[[START:.*]] = arith.cmpi eq, %[[R]], %c0
// CHECK:        %[[POS:.*]] = arith.cmpi sgt, %{{.*}}, %c0
// CHECK:        %[[SEG:.*]] = arith.andi %[[START]], %{{.*}} : i1
// CHECK:        %[[RESET:.*]] = memref.load %{{.*}} : memref<?x?xi1>
// CHECK:        %[[FLAGGED:.*]] = arith.andi %[[RESET]], %{{.*}} : i1
// CHECK:        %[[CUT:.*]] = arith.ori %[[SEG]], %[[FLAGGED]] : i1
// CHECK:        arith.select %[[CUT]], %cst{{.*}}, %[[A0]] : f32
// CHECK:        scf.if
// CHECK:          arith.truncf %{{.*}} : f32 to bf16
// CHECK:          llvm.store %{{.*}} {alignment = 16 : i64} : vector<8xbf16>, !llvm.ptr<1>
// CHECK:        } else {
// CHECK:          %[[Y:.*]] = arith.truncf %{{.*}} : f32 to bf16
// CHECK:          memref.store %[[Y]], %{{.*}} : memref<?x2x32x?xbf16>
func.func @masks(%a: tensor<?x2x?xf16>, %x: tensor<?x2x32x?xf16>, %r: tensor<?x?xi1>) -> tensor<?x2x32x?xbf16> {
  %y = swr.scan %a, %x resets(%r) window <block = 32, hops = 1, segment = 3>
      schedule <warps = 4, grid = halo>
      : (tensor<?x2x?xf16>, tensor<?x2x32x?xf16>, tensor<?x?xi1>) -> tensor<?x2x32x?xbf16>
  return %y : tensor<?x2x32x?xbf16>
}

// -----

// transpose: logical tile u is tile T - 1 - u, scanned backwards (from its
// last token: the carrier's loop and the apply loop are unrolled, k from
// BL - 1 down to 0), so "previous" tiles are the following ones.
// CHECK-LABEL: gpu.func @transpose_swr(
// CHECK:        %[[T1:.*]] = arith.subi %[[TILES:.*]], %c1{{.*}} : index
// CHECK:        %[[PHYS:.*]] = arith.subi %[[T1]], %{{.*}} : index
// CHECK:        %[[FIRST:.*]] = arith.muli %[[PHYS]], %c16{{.*}} : index
// CHECK:        scf.if %{{.*}} -> (vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>)
// CHECK-NOT:    scf.for
// CHECK-NOT:    llvm.extractelement
// CHECK:        llvm.extractelement %{{.*}}#7[%{{.*}} : i32] : vector<4xf32>
// CHECK:        gpu.return
func.func @transpose(%a: tensor<?x4x?xf32>, %x: tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      schedule <warps = 4, grid = halo> transpose
      : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}

// -----

// K = 0: no carriers at all, one pass per tile (y = local), unrolled.
// CHECK-LABEL: gpu.func @k0_swr(
// CHECK-NOT:    workgroup
// CHECK-NOT:    gpu.shuffle
// CHECK-NOT:    gpu.barrier
// CHECK-NOT:    scf.for
// CHECK:        llvm.load %{{.*}} invariant {alignment = 16 : i64} : !llvm.ptr<1> -> vector<8xbf16>
// CHECK-NOT:    scf.for
// CHECK:        llvm.store %{{.*}} {alignment = 16 : i64} : vector<8xbf16>, !llvm.ptr<1>
// CHECK-NOT:    scf.for
// CHECK:        gpu.return
func.func @k0(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = 0, segment = inf>
      schedule <warps = 4>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}
