// RUN: phalanx-opt %s --convert-swr-to-scf --split-input-file | FileCheck %s
// Every result bufferizes in place: no copies.
// RUN: phalanx-opt %s --convert-swr-to-scf --split-input-file \
// RUN:   --one-shot-bufferize=bufferize-function-boundaries \
// RUN:   | FileCheck %s --check-prefix=BUF

// BUF-NOT: memref.copy
// BUF-NOT: swr.

// mask_gates: bf16 -> f32, zero at segment starts t > 0 (t % (S * BL) == 0)
// and at resets (t = 0 included).
// CHECK-LABEL: func.func @mask_gates
//  CHECK-SAME:   (%[[A:.*]]: tensor<?x4x?xbf16>, %[[R:.*]]: tensor<?x?xi1>)
//   CHECK-DAG:   %[[C0:.*]] = arith.constant 0 : index
//   CHECK-DAG:   %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
//   CHECK-DAG:   %[[SEG:.*]] = arith.constant 32 : index
//   CHECK-DAG:   %[[B:.*]] = tensor.dim %[[A]], %[[C0]]
//   CHECK-DAG:   %[[E:.*]] = tensor.empty(%{{.*}}, %{{.*}}) : tensor<?x4x?xf32>
//       CHECK:   scf.for %[[b:[^ ]*]] = %[[C0]] to %[[B]] {{.*}} iter_args(%{{.*}} = %[[E]]) -> (tensor<?x4x?xf32>)
//       CHECK:     scf.for %[[h:[^ ]*]] = {{.*}} -> (tensor<?x4x?xf32>)
//       CHECK:       scf.for %[[t:[^ ]*]] = {{.*}} iter_args(%[[OUT:.*]] = %{{.*}}) -> (tensor<?x4x?xf32>)
//       CHECK:         %[[RAW:.*]] = tensor.extract %[[A]][%[[b]], %[[h]], %[[t]]] : tensor<?x4x?xbf16>
//       CHECK:         %[[AF:.*]] = arith.extf %[[RAW]] : bf16 to f32
//       CHECK:         %[[NOT0:.*]] = arith.cmpi ne, %[[t]], %[[C0]]
//       CHECK:         %[[REM:.*]] = arith.remui %[[t]], %[[SEG]]
//       CHECK:         %[[AT:.*]] = arith.cmpi eq, %[[REM]], %[[C0]]
//       CHECK:         %[[START:.*]] = arith.andi %[[AT]], %[[NOT0]]
//       CHECK:         %[[RS:.*]] = tensor.extract %[[R]][%[[b]], %[[t]]] : tensor<?x?xi1>
//       CHECK:         %[[CUT:.*]] = arith.ori %[[START]], %[[RS]]
//       CHECK:         %[[M:.*]] = arith.select %[[CUT]], %[[ZERO]], %[[AF]] : f32
//       CHECK:         %[[INS:.*]] = tensor.insert %[[M]] into %[[OUT]][%[[b]], %[[h]], %[[t]]]
//       CHECK:         scf.yield %[[INS]]
func.func @mask_gates(%a: tensor<?x4x?xbf16>, %r: tensor<?x?xi1>) -> tensor<?x4x?xf32> {
  %m = swr.mask_gates %a resets(%r) block = 16 segment = 2 : (tensor<?x4x?xbf16>, tensor<?x?xi1>) -> tensor<?x4x?xf32>
  return %m : tensor<?x4x?xf32>
}

// -----

// Without resets and with segment = inf the gates are only converted.
// CHECK-LABEL: func.func @mask_gates_plain
//       CHECK:   arith.extf
//   CHECK-NOT:   arith.select
//   CHECK-NOT:   arith.remui
//       CHECK:   tensor.insert
func.func @mask_gates_plain(%a: tensor<1x4x64xf16>) -> tensor<1x4x64xf32> {
  %m = swr.mask_gates %a block = 16 segment = -1 : (tensor<1x4x64xf16>) -> tensor<1x4x64xf32>
  return %m : tensor<1x4x64xf32>
}

// -----

// tile_scan (forward): loops over (b, h, tile); per tile the gate product
// (prefix, carrier gate) and per channel the local scan (local, carrier state).
// CHECK-LABEL: func.func @tile_scan
//  CHECK-SAME:   (%[[A:.*]]: tensor<?x2x?xf32>, %[[X:.*]]: tensor<?x2x16x?xbf16>)
//   CHECK-DAG:   %[[C16:.*]] = arith.constant 16 : index
//   CHECK-DAG:   %[[C15:.*]] = arith.constant 15 : index
//   CHECK-DAG:   %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
//   CHECK-DAG:   %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
//   CHECK-DAG:   %[[C3:.*]] = arith.constant 3 : index
//   CHECK-DAG:   %[[L:.*]] = tensor.dim %[[X]], %[[C3]]
//   CHECK-DAG:   %[[LP:.*]] = arith.addi %[[L]], %[[C15]]
//   CHECK-DAG:   %[[T:.*]] = arith.divui %[[LP]], %[[C16]]
//       CHECK:   scf.for {{.*}} -> (tensor<?x2x16x?xf32>, tensor<?x2x?xf32>, tensor<?x2x?xf32>, tensor<?x2x16x?xf32>)
//       CHECK:     scf.for {{.*}} -> (tensor<?x2x16x?xf32>, tensor<?x2x?xf32>, tensor<?x2x?xf32>, tensor<?x2x16x?xf32>)
//       CHECK:       scf.for %[[i:[^ ]*]] = %{{.*}} to %[[T]] {{.*}} -> (tensor<?x2x16x?xf32>, tensor<?x2x?xf32>, tensor<?x2x?xf32>, tensor<?x2x16x?xf32>)
//       CHECK:         %[[FIRST:.*]] = arith.muli %[[i]], %[[C16]]
//       CHECK:         %[[END0:.*]] = arith.addi %[[FIRST]], %[[C16]]
//       CHECK:         %[[END:.*]] = arith.minsi %[[END0]], %[[L]]
//       CHECK:         %[[N:.*]] = arith.subi %[[END]], %[[FIRST]]
//       CHECK:         %[[GP:.*]]:2 = scf.for %{{.*}} to %[[N]] {{.*}} iter_args(%[[P:.*]] = %[[ONE]], %{{.*}} = %{{.*}}) -> (f32, tensor<?x2x?xf32>)
//       CHECK:           arith.mulf %[[P]], %{{.*}} : f32
//       CHECK:         tensor.insert %[[GP]]#0 into
//       CHECK:         scf.for {{.*}} -> (tensor<?x2x16x?xf32>, tensor<?x2x16x?xf32>)
//       CHECK:           %[[ST:.*]]:2 = scf.for %{{.*}} to %[[N]] {{.*}} iter_args(%[[S:.*]] = %[[ZERO]], %{{.*}} = %{{.*}}) -> (f32, tensor<?x2x16x?xf32>)
//       CHECK:             %[[XB:.*]] = tensor.extract %[[X]]
//       CHECK:             %[[XF:.*]] = arith.extf %[[XB]] : bf16 to f32
//       CHECK:             %[[AS:.*]] = arith.mulf %{{.*}}, %[[S]] : f32
//       CHECK:             arith.addf %[[AS]], %[[XF]] : f32
//       CHECK:           tensor.insert %[[ST]]#0 into
func.func @tile_scan(%a: tensor<?x2x?xf32>, %x: tensor<?x2x16x?xbf16>) -> (tensor<?x2x16x?xf32>, tensor<?x2x?xf32>, tensor<?x2x?xf32>, tensor<?x2x16x?xf32>) {
  %l, %p, %g, %v = swr.tile_scan %a, %x block = 16 : (tensor<?x2x?xf32>, tensor<?x2x16x?xbf16>) -> (tensor<?x2x16x?xf32>, tensor<?x2x?xf32>, tensor<?x2x?xf32>, tensor<?x2x16x?xf32>)
  return %l, %p, %g, %v : tensor<?x2x16x?xf32>, tensor<?x2x?xf32>, tensor<?x2x?xf32>, tensor<?x2x16x?xf32>
}

// -----

// tile_scan (transpose): tokens from the tile's end backwards; the exclusive
// suffix product is stored before it is multiplied; the local scan carries
// a[t+1]; the carrier state is a[first] * local[first].
// CHECK-LABEL: func.func @tile_scan_transpose
//       CHECK:   %[[GP:.*]]:2 = scf.for %[[k:[^ ]*]] = {{.*}} iter_args(%[[P:.*]] = %{{.*}}, %[[PT:.*]] = %{{.*}}) -> (f32, tensor<1x2x40xf32>)
//       CHECK:     %[[E1:.*]] = arith.subi %{{.*}}, %{{.*}} : index
//       CHECK:     %[[t:.*]] = arith.subi %[[E1]], %[[k]] : index
//       CHECK:     %[[A:.*]] = tensor.extract %{{.*}}[%{{.*}}, %{{.*}}, %[[t]]]
//       CHECK:     %[[PN:.*]] = arith.mulf %[[P]], %[[A]]
//       CHECK:     %[[PI:.*]] = tensor.insert %[[P]] into %[[PT]]
//       CHECK:     scf.yield %[[PN]], %[[PI]]
//       CHECK:   %[[ST:.*]]:3 = scf.for {{.*}} iter_args(%[[S:.*]] = %{{.*}}, %[[AN:.*]] = %{{.*}}, %{{.*}} = %{{.*}}) -> (f32, f32, tensor<1x2x16x40xf32>)
//       CHECK:     %[[M:.*]] = arith.mulf %[[AN]], %[[S]]
//       CHECK:     arith.addf %[[M]]
//       CHECK:   %[[V:.*]] = arith.mulf %[[ST]]#1, %[[ST]]#0 : f32
//       CHECK:   tensor.insert %[[V]] into
func.func @tile_scan_transpose(%a: tensor<1x2x40xf32>, %x: tensor<1x2x16x40xf32>) -> (tensor<1x2x16x40xf32>, tensor<1x2x40xf32>, tensor<1x2x3xf32>, tensor<1x2x16x3xf32>) {
  %l, %p, %g, %v = swr.tile_scan %a, %x block = 16 transpose : (tensor<1x2x40xf32>, tensor<1x2x16x40xf32>) -> (tensor<1x2x16x40xf32>, tensor<1x2x40xf32>, tensor<1x2x3xf32>, tensor<1x2x16x3xf32>)
  return %l, %p, %g, %v : tensor<1x2x16x40xf32>, tensor<1x2x40xf32>, tensor<1x2x3xf32>, tensor<1x2x16x3xf32>
}

// -----

// carrier_scan, finite hops: per tile i compose tiles max(0, i-K) .. i-1,
// starting from init while i < K.
// CHECK-LABEL: func.func @carrier_scan_hops
//  CHECK-SAME:   (%[[G:.*]]: tensor<1x2x3xf32>, %[[V:.*]]: tensor<1x2x16x3xf32>, %[[S:.*]]: tensor<1x2x16xbf16>)
//   CHECK-DAG:   %[[K:.*]] = arith.constant 2 : index
//   CHECK-DAG:   %[[C0:.*]] = arith.constant 0 : index
//   CHECK-DAG:   %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-COUNT-3:   scf.for
//       CHECK:   scf.for %[[i:[^ ]*]] = {{.*}} -> (tensor<1x2x16x3xf32>)
//       CHECK:     %[[IK:.*]] = arith.subi %[[i]], %[[K]]
//       CHECK:     %[[LO:.*]] = arith.maxsi %[[IK]], %[[C0]]
//       CHECK:     %[[N:.*]] = arith.subi %[[i]], %[[LO]]
//       CHECK:     %[[SB:.*]] = tensor.extract %[[S]]
//       CHECK:     %[[SF:.*]] = arith.extf %[[SB]] : bf16 to f32
//       CHECK:     %[[VIS:.*]] = arith.cmpi slt, %[[i]], %[[K]]
//       CHECK:     %[[C:.*]] = arith.select %[[VIS]], %[[SF]], %[[ZERO]]
//       CHECK:     %[[R:.*]] = scf.for %{{.*}} = %[[C0]] to %[[N]] {{.*}} iter_args(%[[Q:.*]] = %[[C]]) -> (f32)
//       CHECK:       %[[GM:.*]] = tensor.extract %[[G]]
//       CHECK:       %[[VM:.*]] = tensor.extract %[[V]]
//       CHECK:       %[[GQ:.*]] = arith.mulf %[[GM]], %[[Q]]
//       CHECK:       %[[NQ:.*]] = arith.addf %[[GQ]], %[[VM]]
//       CHECK:       scf.yield %[[NQ]] : f32
//       CHECK:     tensor.insert %[[R]] into
func.func @carrier_scan_hops(%g: tensor<1x2x3xf32>, %v: tensor<1x2x16x3xf32>, %s: tensor<1x2x16xbf16>) -> tensor<1x2x16x3xf32> {
  %c = swr.carrier_scan %g, %v init(%s) hops = 2 : (tensor<1x2x3xf32>, tensor<1x2x16x3xf32>, tensor<1x2x16xbf16>) -> tensor<1x2x16x3xf32>
  return %c : tensor<1x2x16x3xf32>
}

// -----

// carrier_scan, hops = inf: one running exclusive composition per channel,
// O(T): store the carry, then c = g[i] * c + v[i].
// CHECK-LABEL: func.func @carrier_scan_inf
//  CHECK-SAME:   (%[[G:.*]]: tensor<?x2x?xf32>, %[[V:.*]]: tensor<?x2x16x?xf32>, %[[S:.*]]: tensor<?x2x16xf32>)
//       CHECK:   scf.for
//       CHECK:     scf.for
//       CHECK:       scf.for
//       CHECK:         %[[INIT:.*]] = tensor.extract %[[S]]
//       CHECK:         %[[R:.*]]:2 = scf.for %[[i:[^ ]*]] = {{.*}} iter_args(%[[Q:.*]] = %[[INIT]], %[[OUT:.*]] = %{{.*}}) -> (f32, tensor<?x2x16x?xf32>)
//       CHECK:           %[[GI:.*]] = tensor.extract %[[G]]{{.*}}%[[i]]]
//       CHECK:           %[[VI:.*]] = tensor.extract %[[V]]{{.*}}%[[i]]]
//       CHECK:           %[[GQ:.*]] = arith.mulf %[[GI]], %[[Q]]
//       CHECK:           %[[NQ:.*]] = arith.addf %[[GQ]], %[[VI]]
//       CHECK:           %[[INS:.*]] = tensor.insert %[[Q]] into %[[OUT]]{{.*}}%[[i]]]
//       CHECK:           scf.yield %[[NQ]], %[[INS]]
//   CHECK-NOT:   scf.for
func.func @carrier_scan_inf(%g: tensor<?x2x?xf32>, %v: tensor<?x2x16x?xf32>, %s: tensor<?x2x16xf32>) -> tensor<?x2x16x?xf32> {
  %c = swr.carrier_scan %g, %v init(%s) hops = -1 : (tensor<?x2x?xf32>, tensor<?x2x16x?xf32>, tensor<?x2x16xf32>) -> tensor<?x2x16x?xf32>
  return %c : tensor<?x2x16x?xf32>
}

// -----

// carrier_scan reverse: tiles min(T-1, i+K) down to i+1.
// CHECK-LABEL: func.func @carrier_scan_reverse
//   CHECK-DAG:   %[[K:.*]] = arith.constant 1 : index
// CHECK-COUNT-3:   scf.for
//       CHECK:   scf.for %[[i:[^ ]*]] = {{.*}} -> (tensor<1x2x16x5xf32>)
//       CHECK:     %[[IK:.*]] = arith.addi %[[i]], %[[K]]
//       CHECK:     %[[T1:.*]] = arith.subi %{{.*}}, %{{.*}}
//       CHECK:     %[[HI:.*]] = arith.minsi %[[IK]], %[[T1]]
//       CHECK:     %[[N:.*]] = arith.subi %[[HI]], %[[i]]
//       CHECK:     scf.for %[[k:[^ ]*]] = %{{.*}} to %[[N]]
//       CHECK:       arith.subi %[[HI]], %[[k]]
func.func @carrier_scan_reverse(%g: tensor<1x2x5xf32>, %v: tensor<1x2x16x5xf32>) -> tensor<1x2x16x5xf32> {
  %c = swr.carrier_scan %g, %v hops = 1 reverse : (tensor<1x2x5xf32>, tensor<1x2x16x5xf32>) -> tensor<1x2x16x5xf32>
  return %c : tensor<1x2x16x5xf32>
}

// -----

// tile_apply: y = local + prefix * carry[t / BL], rounded to the result type.
// CHECK-LABEL: func.func @tile_apply
//  CHECK-SAME:   (%[[L:.*]]: tensor<?x2x16x?xf32>, %[[P:.*]]: tensor<?x2x?xf32>, %[[C:.*]]: tensor<?x2x16x?xf32>)
//   CHECK-DAG:   %[[BL:.*]] = arith.constant 16 : index
//   CHECK-DAG:   tensor.empty(%{{.*}}, %{{.*}}) : tensor<?x2x16x?xbf16>
//       CHECK:   scf.for %[[b:[^ ]*]] =
//       CHECK:     scf.for %[[h:[^ ]*]] =
//       CHECK:       scf.for %[[d:[^ ]*]] =
//       CHECK:         scf.for %[[t:[^ ]*]] = {{.*}} iter_args(%[[Y:.*]] = %{{.*}}) -> (tensor<?x2x16x?xbf16>)
//       CHECK:           %[[LV:.*]] = tensor.extract %[[L]][%[[b]], %[[h]], %[[d]], %[[t]]]
//       CHECK:           %[[PV:.*]] = tensor.extract %[[P]][%[[b]], %[[h]], %[[t]]]
//       CHECK:           %[[TI:.*]] = arith.divui %[[t]], %[[BL]]
//       CHECK:           %[[CV:.*]] = tensor.extract %[[C]][%[[b]], %[[h]], %[[d]], %[[TI]]]
//       CHECK:           %[[PC:.*]] = arith.mulf %[[PV]], %[[CV]]
//       CHECK:           %[[S:.*]] = arith.addf %[[PC]], %[[LV]]
//       CHECK:           %[[TR:.*]] = arith.truncf %[[S]] : f32 to bf16
//       CHECK:           tensor.insert %[[TR]] into %[[Y]][%[[b]], %[[h]], %[[d]], %[[t]]]
func.func @tile_apply(%l: tensor<?x2x16x?xf32>, %p: tensor<?x2x?xf32>, %c: tensor<?x2x16x?xf32>) -> tensor<?x2x16x?xbf16> {
  %y = swr.tile_apply %l, %p carry(%c) block = 16 : (tensor<?x2x16x?xf32>, tensor<?x2x?xf32>, tensor<?x2x16x?xf32>) -> tensor<?x2x16x?xbf16>
  return %y : tensor<?x2x16x?xbf16>
}

// -----

// tile_apply without carry (hops = 0): y = local.
// CHECK-LABEL: func.func @tile_apply_local
//       CHECK:   %[[LV:.*]] = tensor.extract
//   CHECK-NOT:   arith.mulf
//       CHECK:   %[[TR:.*]] = arith.truncf %[[LV]] : f32 to f16
//       CHECK:   tensor.insert %[[TR]]
func.func @tile_apply_local(%l: tensor<1x2x16x32xf32>, %p: tensor<1x2x32xf32>) -> tensor<1x2x16x32xf16> {
  %y = swr.tile_apply %l, %p block = 16 : (tensor<1x2x16x32xf32>, tensor<1x2x32xf32>) -> tensor<1x2x16x32xf16>
  return %y : tensor<1x2x16x32xf16>
}
