// RUN: phalanx-opt %s --convert-swr-to-scf --split-input-file | FileCheck %s
// RUN: phalanx-opt %s --convert-swr-to-scf --split-input-file \
// RUN:   --one-shot-bufferize=bufferize-function-boundaries \
// RUN:   | FileCheck %s --check-prefix=BUF

// An untiled swr.scan is lowered to the sequential recurrence, in place.
// BUF-NOT: memref.copy
// BUF-NOT: swr.

// Finite hops: per (b, h, d, tile i) restart at the first token of tile
// max(first tile of i's segment, i - K), from init while i < K and i < S;
// warm up to tile i (scalar iter_arg), then emit tile i. Resets drop the
// state; f16/bf16 in, accumulation in f32, bf16 out.
// CHECK-LABEL: func.func @hops2
//  CHECK-SAME:   (%[[A:.*]]: tensor<?x2x?xbf16>, %[[X:.*]]: tensor<?x2x16x?xf16>, %[[R:.*]]: tensor<?x?xi1>, %[[S:.*]]: tensor<?x2x16xbf16>)
//   CHECK-DAG:   %[[C16:.*]] = arith.constant 16 : index
//   CHECK-DAG:   %[[K:.*]] = arith.constant 2 : index
//   CHECK-DAG:   %[[SEG:.*]] = arith.constant 4 : index
//   CHECK-DAG:   %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
//   CHECK-DAG:   %[[Y0:.*]] = tensor.empty({{.*}}) : tensor<?x2x16x?xbf16>
//       CHECK:   scf.for {{.*}} iter_args(%{{.*}} = %[[Y0]]) -> (tensor<?x2x16x?xbf16>)
// CHECK-COUNT-2:   scf.for {{.*}} -> (tensor<?x2x16x?xbf16>)
//       CHECK:   scf.for %[[i:[^ ]*]] = {{.*}} iter_args(%[[Y:[^ ]*]] = %{{.*}}) -> (tensor<?x2x16x?xbf16>)
//       CHECK:     %[[FIRST:.*]] = arith.muli %[[i]], %[[C16]]
//       CHECK:     %[[END0:.*]] = arith.addi %[[FIRST]], %[[C16]]
//       CHECK:     %[[END:.*]] = arith.minsi %[[END0]],
//       CHECK:     %[[SI:.*]] = arith.divui %[[i]], %[[SEG]]
//       CHECK:     %[[SEGT:.*]] = arith.muli %[[SI]], %[[SEG]]
//       CHECK:     %[[IK:.*]] = arith.subi %[[i]], %[[K]]
//       CHECK:     %[[ST:.*]] = arith.maxsi %[[SEGT]], %[[IK]]
//       CHECK:     %[[START:.*]] = arith.muli %[[ST]], %[[C16]]
//       CHECK:     %[[V1:.*]] = arith.cmpi slt, %[[i]], %[[K]]
//       CHECK:     %[[V2:.*]] = arith.cmpi slt, %[[i]], %[[SEG]]
//       CHECK:     %[[VIS:.*]] = arith.andi %[[V1]], %[[V2]]
//       CHECK:     %[[SB:.*]] = tensor.extract %[[S]]
//       CHECK:     %[[SF:.*]] = arith.extf %[[SB]] : bf16 to f32
//       CHECK:     %[[S0:.*]] = arith.select %[[VIS]], %[[SF]], %[[ZERO]]
//       CHECK:     %[[WARM:.*]] = scf.for %[[t:[^ ]*]] = %[[START]] to %[[FIRST]] {{.*}} iter_args(%[[Q:.*]] = %[[S0]]) -> (f32)
//       CHECK:       %[[RS:.*]] = tensor.extract %[[R]][%{{.*}}, %[[t]]]
//       CHECK:       %[[PREV:.*]] = arith.select %[[RS]], %[[ZERO]], %[[Q]]
//       CHECK:       %[[AB:.*]] = tensor.extract %[[A]]
//       CHECK:       %[[AF:.*]] = arith.extf %[[AB]] : bf16 to f32
//       CHECK:       %[[XB:.*]] = tensor.extract %[[X]]
//       CHECK:       %[[XF:.*]] = arith.extf %[[XB]] : f16 to f32
//       CHECK:       %[[M:.*]] = arith.mulf %[[AF]], %[[PREV]]
//       CHECK:       %[[N:.*]] = arith.addf %[[M]], %[[XF]]
//       CHECK:       scf.yield %[[N]] : f32
//       CHECK:     %[[OUT:.*]]:2 = scf.for %[[t2:[^ ]*]] = %[[FIRST]] to %[[END]] {{.*}} iter_args(%{{.*}} = %[[WARM]], %[[YI:.*]] = %[[Y]]) -> (f32, tensor<?x2x16x?xbf16>)
//       CHECK:       %[[N2:.*]] = arith.addf
//       CHECK:       %[[T2:.*]] = arith.truncf %[[N2]] : f32 to bf16
//       CHECK:       %[[INS:.*]] = tensor.insert %[[T2]] into %[[YI]]{{.*}}%[[t2]]]
//       CHECK:       scf.yield %[[N2]], %[[INS]]
//       CHECK:     scf.yield %[[OUT]]#1
func.func @hops2(%a: tensor<?x2x?xbf16>, %x: tensor<?x2x16x?xf16>, %r: tensor<?x?xi1>, %s: tensor<?x2x16xbf16>) -> tensor<?x2x16x?xbf16> {
  %y = swr.scan %a, %x resets(%r) init(%s) window <block = 16, hops = 2, segment = 4>
      : (tensor<?x2x?xbf16>, tensor<?x2x16x?xf16>, tensor<?x?xi1>, tensor<?x2x16xbf16>) -> tensor<?x2x16x?xbf16>
  return %y : tensor<?x2x16x?xbf16>
}

// -----

// hops = inf: one running recurrence per (b, h, d) from init; the state is
// dropped at resets and at segment starts t > 0.
// CHECK-LABEL: func.func @exact_segments
//  CHECK-SAME:   (%[[A:.*]]: tensor<1x2x64xf32>, %[[X:.*]]: tensor<1x2x16x64xf32>, %[[R:.*]]: tensor<1x64xi1>, %[[S:.*]]: tensor<1x2x16xf32>)
//   CHECK-DAG:   %[[C0:.*]] = arith.constant 0 : index
//   CHECK-DAG:   %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-COUNT-3:   scf.for {{.*}} -> (tensor<1x2x16x64xf32>)
//       CHECK:   %[[S0:.*]] = tensor.extract %[[S]]
//       CHECK:   scf.for %[[t:[^ ]*]] = {{.*}} iter_args(%[[Q:.*]] = %[[S0]], %{{.*}} = %{{.*}}) -> (f32, tensor<1x2x16x64xf32>)
//       CHECK:     %[[RS:.*]] = tensor.extract %[[R]]
//       CHECK:     %[[NOT0:.*]] = arith.cmpi ne, %[[t]], %[[C0]]
//       CHECK:     %[[REM:.*]] = arith.remui %[[t]], %{{.*}}
//       CHECK:     %[[AT:.*]] = arith.cmpi eq, %[[REM]], %[[C0]]
//       CHECK:     %[[START:.*]] = arith.andi %[[AT]], %[[NOT0]]
//       CHECK:     %[[CUT:.*]] = arith.ori %[[RS]], %[[START]]
//       CHECK:     %[[PREV:.*]] = arith.select %[[CUT]], %[[ZERO]], %[[Q]]
//       CHECK:     arith.mulf %{{.*}}, %[[PREV]]
//   CHECK-NOT:   arith.truncf
//       CHECK:     tensor.insert
func.func @exact_segments(%a: tensor<1x2x64xf32>, %x: tensor<1x2x16x64xf32>, %r: tensor<1x64xi1>, %s: tensor<1x2x16xf32>) -> tensor<1x2x16x64xf32> {
  %y = swr.scan %a, %x resets(%r) init(%s) window <block = 16, hops = inf, segment = 2>
      : (tensor<1x2x64xf32>, tensor<1x2x16x64xf32>, tensor<1x64xi1>, tensor<1x2x16xf32>) -> tensor<1x2x16x64xf32>
  return %y : tensor<1x2x16x64xf32>
}

// -----

// Transpose, hops = inf: backwards over t = L - 1 - k; token t passes
// a[t] * state to t - 1 unless t cuts.
// CHECK-LABEL: func.func @exact_transpose
//   CHECK-DAG:   %[[C1:.*]] = arith.constant 1 : index
//   CHECK-DAG:   %[[L:.*]] = tensor.dim %{{.*}}, %{{.*}} : tensor<?x2x16x?xf32>
// CHECK-COUNT-3:   scf.for
//       CHECK:   scf.for %[[k:[^ ]*]] = {{.*}} iter_args(%[[P:.*]] = %{{.*}}, %[[YI:.*]] = %{{.*}}) -> (f32, tensor<?x2x16x?xf32>)
//       CHECK:     %[[L1:.*]] = arith.subi %{{.*}}, %[[C1]]
//       CHECK:     %[[t:.*]] = arith.subi %[[L1]], %[[k]]
//       CHECK:     %[[XV:.*]] = tensor.extract %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %[[t]]]
//       CHECK:     %[[ST:.*]] = arith.addf %[[P]], %[[XV]]
//       CHECK:     %[[AV:.*]] = tensor.extract %{{.*}}[%{{.*}}, %{{.*}}, %[[t]]]
//       CHECK:     %[[D:.*]] = arith.mulf %[[AV]], %[[ST]]
//       CHECK:     %[[PN:.*]] = arith.select %{{.*}}, %{{.*}}, %[[D]]
//       CHECK:     %[[INS:.*]] = tensor.insert %[[ST]] into %[[YI]]
//       CHECK:     scf.yield %[[PN]], %[[INS]]
func.func @exact_transpose(%a: tensor<?x2x?xf32>, %x: tensor<?x2x16x?xf32>, %r: tensor<?x?xi1>) -> tensor<?x2x16x?xf32> {
  %y = swr.scan %a, %x resets(%r) window <block = 16, hops = inf> transpose
      : (tensor<?x2x?xf32>, tensor<?x2x16x?xf32>, tensor<?x?xi1>) -> tensor<?x2x16x?xf32>
  return %y : tensor<?x2x16x?xf32>
}

// -----

// Transpose, finite hops: from the end of tile min(i + K, T - 1, last tile
// of i's segment) back to tile i, emitting only tile i.
// CHECK-LABEL: func.func @hops1_transpose
//   CHECK-DAG:   %[[K:.*]] = arith.constant 1 : index
//   CHECK-DAG:   %[[SEG:.*]] = arith.constant 2 : index
// CHECK-COUNT-3:   scf.for
//       CHECK:   scf.for %[[i:[^ ]*]] =
//       CHECK:     %[[REACH:.*]] = arith.addi %[[i]], %[[K]]
//       CHECK:     %[[LT:.*]] = arith.minsi %[[REACH]],
//       CHECK:     arith.divui %[[i]], %[[SEG]]
//       CHECK:     %[[LT2:.*]] = arith.minsi %[[LT]],
//       CHECK:     %[[WARM:.*]] = scf.for {{.*}} -> (f32)
//   CHECK-NOT:       tensor.insert
//       CHECK:     scf.for {{.*}} iter_args(%{{.*}} = %[[WARM]], %{{.*}} = %{{.*}}) -> (f32, tensor<1x1x16x40xf32>)
//       CHECK:       tensor.insert
func.func @hops1_transpose(%a: tensor<1x1x40xf32>, %x: tensor<1x1x16x40xf32>) -> tensor<1x1x16x40xf32> {
  %y = swr.scan %a, %x window <block = 8, hops = 1, segment = 2> transpose
      : (tensor<1x1x40xf32>, tensor<1x1x16x40xf32>) -> tensor<1x1x16x40xf32>
  return %y : tensor<1x1x16x40xf32>
}
