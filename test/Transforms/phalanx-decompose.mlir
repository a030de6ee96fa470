// RUN: phalanx-opt %s --phalanx-decompose --verify-each | FileCheck %s
// The output re-parses and verifies, and reads back the same.
// RUN: phalanx-opt %s --phalanx-decompose --verify-each | phalanx-opt --verify-each | FileCheck %s

// CHECK-DAG: #[[$ID3:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[$LAST3:.+]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG: #[[$BHL:.+]] = affine_map<(d0, d1, d2) -> (d0, d2, d1)>
// CHECK-DAG: #[[$ID4:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[$KD4:.+]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-DAG: #[[$BLKD:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
// CHECK-DAG: #[[$ID5:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
// CHECK-DAG: #[[$BKRDL:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d3, d4, d1)>
// CHECK-DAG: #[[$KD5:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d2, d4)>
// CHECK-DAG: #[[$ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>

// The default layer: H = Hkv = 2, D = 16, sigmoid gates, no global heads,
// bf16 throughout. Loops are (b, l, h), (b, l, k, d) and (b, l, k, r, d).

// CHECK-LABEL: func.func @default(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x8x32xbf16>, %[[WA:[^:]+]]: tensor<32x2xbf16>, %[[BA:[^:]+]]: tensor<2xbf16>,
// CHECK-SAME: %[[WB:[^:]+]]: tensor<32x32xbf16>, %[[BB:[^:]+]]: tensor<32xbf16>, %[[WC:[^:]+]]: tensor<32x32xbf16>,
// CHECK-SAME: %[[BC:[^:]+]]: tensor<32xbf16>, %[[WV:[^:]+]]: tensor<32x32xbf16>, %[[WO:[^:]+]]: tensor<32x32xbf16>)
// CHECK-NOT: phalanx.layer
// CHECK: %[[ROWS:.+]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1], [2]] : tensor<2x8x32xbf16> into tensor<16x32xbf16>
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// Projections: bf16 inputs, f32 accumulators filled with zero.
// CHECK: %[[EA:.+]] = tensor.empty() : tensor<16x2xf32>
// CHECK: %[[FA:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EA]] : tensor<16x2xf32>)
// CHECK: %[[PA:.+]] = linalg.matmul ins(%[[ROWS]], %[[WA]] : tensor<16x32xbf16>, tensor<32x2xbf16>) outs(%[[FA]] : tensor<16x2xf32>) -> tensor<16x2xf32>
// CHECK: %[[EB:.+]] = tensor.empty() : tensor<16x32xf32>
// CHECK: %[[FB:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EB]] : tensor<16x32xf32>)
// CHECK: %[[PB:.+]] = linalg.matmul ins(%[[ROWS]], %[[WB]] : tensor<16x32xbf16>, tensor<32x32xbf16>) outs(%[[FB]] : tensor<16x32xf32>)
// CHECK: %[[EC:.+]] = tensor.empty() : tensor<16x32xf32>
// CHECK: %[[FC:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EC]] : tensor<16x32xf32>)
// CHECK: %[[PC:.+]] = linalg.matmul ins(%[[ROWS]], %[[WC]] : tensor<16x32xbf16>, tensor<32x32xbf16>) outs(%[[FC]] : tensor<16x32xf32>)
// CHECK: %[[EV:.+]] = tensor.empty() : tensor<16x32xf32>
// CHECK: %[[FV:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EV]] : tensor<16x32xf32>)
// CHECK: %[[PV:.+]] = linalg.matmul ins(%[[ROWS]], %[[WV]] : tensor<16x32xbf16>, tensor<32x32xbf16>) outs(%[[FV]] : tensor<16x32xf32>)
// V as [B, L, Hkv, R, D].
// CHECK: %[[V:.+]] = tensor.expand_shape %[[PV]] {{\[\[}}0, 1], [2, 3, 4]] output_shape [2, 8, 2, 1, 16] : tensor<16x32xf32> into tensor<2x8x2x1x16xf32>
// A = sigmoid(x Wa + ba), written transposed to [B, H, L].
// CHECK: %[[PA3:.+]] = tensor.expand_shape %[[PA]] {{\[\[}}0, 1], [2]] output_shape [2, 8, 2] : tensor<16x2xf32> into tensor<2x8x2xf32>
// CHECK: %[[EAS:.+]] = tensor.empty() : tensor<2x2x8xf32>
// CHECK: %[[A:.+]] = linalg.generic {indexing_maps = [#[[$ID3]], #[[$LAST3]], #[[$BHL]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[PA3]], %[[BA]] : tensor<2x8x2xf32>, tensor<2xbf16>) outs(%[[EAS]] : tensor<2x2x8xf32>)
// CHECK-NEXT: ^bb0(%[[P:.+]]: f32, %[[BIAS:.+]]: bf16, %{{.+}}: f32):
// CHECK-NEXT:   %[[BIAS32:.+]] = arith.extf %[[BIAS]] : bf16 to f32
// CHECK-NEXT:   %[[Z:.+]] = arith.addf %[[P]], %[[BIAS32]] : f32
// CHECK-NEXT:   %[[C0:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:   %[[C1:.+]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:   %[[ABS:.+]] = math.absf %[[Z]] : f32
// CHECK-NEXT:   %[[NEG:.+]] = arith.negf %[[ABS]] : f32
// CHECK-NEXT:   %[[E:.+]] = math.exp %[[NEG]] : f32
// CHECK-NEXT:   %[[GE:.+]] = arith.cmpf oge, %[[Z]], %[[C0]] : f32
// CHECK-NEXT:   %[[NUM:.+]] = arith.select %[[GE]], %[[C1]], %[[E]] : f32
// CHECK-NEXT:   %[[DEN:.+]] = arith.addf %[[C1]], %[[E]] : f32
// CHECK-NEXT:   %[[SIG:.+]] = arith.divf %[[NUM]], %[[DEN]] : f32
// CHECK-NEXT:   linalg.yield %[[SIG]] : f32
// CHECK-NEXT: } -> tensor<2x2x8xf32>
// G = sigmoid(x Wb + bb) as [B, L, Hkv, D]; the bias as [Hkv, D].
// CHECK: %[[PB4:.+]] = tensor.expand_shape %[[PB]] {{\[\[}}0, 1], [2, 3]] output_shape [2, 8, 2, 16] : tensor<16x32xf32> into tensor<2x8x2x16xf32>
// CHECK: %[[BB2:.+]] = tensor.expand_shape %[[BB]] {{\[\[}}0, 1]] output_shape [2, 16] : tensor<32xbf16> into tensor<2x16xbf16>
// CHECK: %[[EG:.+]] = tensor.empty() : tensor<2x8x2x16xf32>
// CHECK: %[[G:.+]] = linalg.generic {indexing_maps = [#[[$ID4]], #[[$KD4]], #[[$ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[PB4]], %[[BB2]] : tensor<2x8x2x16xf32>, tensor<2x16xbf16>) outs(%[[EG]] : tensor<2x8x2x16xf32>)
// CHECK:   arith.extf
// CHECK:   arith.addf
// CHECK:   math.exp
// CHECK:   arith.divf
// CHECK:   linalg.yield
// X = G * V, G broadcast over R, written as [B, Hkv, R, D, L] = [B, H, D, L].
// CHECK: %[[EX:.+]] = tensor.empty() : tensor<2x2x1x16x8xf32>
// CHECK: %[[X5:.+]] = linalg.generic {indexing_maps = [#[[$BLKD]], #[[$ID5]], #[[$BKRDL]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[G]], %[[V]] : tensor<2x8x2x16xf32>, tensor<2x8x2x1x16xf32>) outs(%[[EX]] : tensor<2x2x1x16x8xf32>)
// CHECK-NEXT: ^bb0(%[[GS:.+]]: f32, %[[VS:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT:   %[[GV:.+]] = arith.mulf %[[GS]], %[[VS]] : f32
// CHECK-NEXT:   linalg.yield %[[GV]] : f32
// CHECK: %[[XS:.+]] = tensor.collapse_shape %[[X5]] {{\[\[}}0], [1, 2], [3], [4]] : tensor<2x2x1x16x8xf32> into tensor<2x2x16x8xf32>
// One scan with the layer's window.
// CHECK-NOT: tensor.extract_slice
// CHECK: %[[Y:.+]] = swr.scan %[[A]], %[[XS]] window <block = 8, hops = 1, segment = inf> : (tensor<2x2x8xf32>, tensor<2x2x16x8xf32>) -> tensor<2x2x16x8xf32>
// CHECK-NOT: swr.scan
// Z = Y * (x Wc + bc) + V in f32, then bf16.
// CHECK: %[[PC4:.+]] = tensor.expand_shape %[[PC]] {{\[\[}}0, 1], [2, 3]] output_shape [2, 8, 2, 16] : tensor<16x32xf32> into tensor<2x8x2x16xf32>
// CHECK: %[[Y5:.+]] = tensor.expand_shape %[[Y]] {{\[\[}}0], [1, 2], [3], [4]] output_shape [2, 2, 1, 16, 8] : tensor<2x2x16x8xf32> into tensor<2x2x1x16x8xf32>
// CHECK: %[[BC2:.+]] = tensor.expand_shape %[[BC]] {{\[\[}}0, 1]] output_shape [2, 16] : tensor<32xbf16> into tensor<2x16xbf16>
// CHECK: %[[EZ:.+]] = tensor.empty() : tensor<2x8x2x1x16xbf16>
// CHECK: %[[Z5:.+]] = linalg.generic {indexing_maps = [#[[$BKRDL]], #[[$BLKD]], #[[$KD5]], #[[$ID5]], #[[$ID5]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[Y5]], %[[PC4]], %[[BC2]], %[[V]] : tensor<2x2x1x16x8xf32>, tensor<2x8x2x16xf32>, tensor<2x16xbf16>, tensor<2x8x2x1x16xf32>) outs(%[[EZ]] : tensor<2x8x2x1x16xbf16>)
// CHECK-NEXT: ^bb0(%[[YS:.+]]: f32, %[[CS:.+]]: f32, %[[BCS:.+]]: bf16, %[[VS2:.+]]: f32, %{{.+}}: bf16):
// CHECK-NEXT:   %[[BC32:.+]] = arith.extf %[[BCS]] : bf16 to f32
// CHECK-NEXT:   %[[CB:.+]] = arith.addf %[[CS]], %[[BC32]] : f32
// CHECK-NEXT:   %[[YC:.+]] = arith.mulf %[[YS]], %[[CB]] : f32
// CHECK-NEXT:   %[[ZS:.+]] = arith.addf %[[YC]], %[[VS2]] : f32
// CHECK-NEXT:   %[[ZT:.+]] = arith.truncf %[[ZS]] : f32 to bf16
// CHECK-NEXT:   linalg.yield %[[ZT]] : bf16
// CHECK: %[[ZROWS:.+]] = tensor.collapse_shape %[[Z5]] {{\[\[}}0, 1], [2, 3, 4]] : tensor<2x8x2x1x16xbf16> into tensor<16x32xbf16>
// out = Z Wo with bf16 inputs and f32 accumulation, then bf16.
// CHECK: %[[EO:.+]] = tensor.empty() : tensor<16x32xf32>
// CHECK: %[[FO:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EO]] : tensor<16x32xf32>)
// CHECK: %[[PO:.+]] = linalg.matmul ins(%[[ZROWS]], %[[WO]] : tensor<16x32xbf16>, tensor<32x32xbf16>) outs(%[[FO]] : tensor<16x32xf32>)
// CHECK: %[[ET:.+]] = tensor.empty() : tensor<16x32xbf16>
// CHECK: %[[OT:.+]] = linalg.generic {indexing_maps = [#[[$ID2]], #[[$ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[PO]] : tensor<16x32xf32>) outs(%[[ET]] : tensor<16x32xbf16>)
// CHECK-NEXT: ^bb0(%[[OS:.+]]: f32, %{{.+}}: bf16):
// CHECK-NEXT:   %[[OB:.+]] = arith.truncf %[[OS]] : f32 to bf16
// CHECK-NEXT:   linalg.yield %[[OB]] : bf16
// CHECK: %[[OUT:.+]] = tensor.expand_shape %[[OT]] {{\[\[}}0, 1], [2]] output_shape [2, 8, 32] : tensor<16x32xbf16> into tensor<2x8x32xbf16>
// CHECK: return %[[OUT]] : tensor<2x8x32xbf16>
func.func @default(%x: tensor<2x8x32xbf16>, %wa: tensor<32x2xbf16>, %ba: tensor<2xbf16>,
    %wb: tensor<32x32xbf16>, %bb: tensor<32xbf16>, %wc: tensor<32x32xbf16>, %bc: tensor<32xbf16>,
    %wv: tensor<32x32xbf16>, %wo: tensor<32x32xbf16>) -> tensor<2x8x32xbf16> {
  %out = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo)
      {heads = 2 : i64, kv_heads = 2 : i64, head_dim = 16 : i64,
       window = #swr.window<block = 8, hops = 1, segment = inf>}
      : (tensor<2x8x32xbf16>, tensor<32x2xbf16>, tensor<2xbf16>, tensor<32x32xbf16>, tensor<32xbf16>,
         tensor<32x32xbf16>, tensor<32xbf16>, tensor<32x32xbf16>, tensor<32x32xbf16>) -> tensor<2x8x32xbf16>
  return %out : tensor<2x8x32xbf16>
}

// ---
// kv groups: H = 4, Hkv = 2, so R = 2. G and C stay [B, L, Hkv, D] and are
// broadcast over r; V and Y are viewed as [.., Hkv, R, ..]. Wb and Wc are
// [Dm, Hkv*D] = [32, 32], Wv [Dm, H*D] = [32, 64].

// CHECK-LABEL: func.func @kv_groups(
// CHECK: %[[PB:.+]] = linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<16x32xbf16>, tensor<32x32xbf16>) outs(%{{.+}} : tensor<16x32xf32>)
// CHECK: %[[PC:.+]] = linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<16x32xbf16>, tensor<32x32xbf16>) outs(%{{.+}} : tensor<16x32xf32>)
// CHECK: %[[PV:.+]] = linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<16x32xbf16>, tensor<32x64xbf16>) outs(%{{.+}} : tensor<16x64xf32>)
// CHECK: %[[V:.+]] = tensor.expand_shape %[[PV]] {{\[\[}}0, 1], [2, 3, 4]] output_shape [2, 8, 2, 2, 16] : tensor<16x64xf32> into tensor<2x8x2x2x16xf32>
// CHECK: %[[A:.+]] = linalg.generic {{.+}} outs(%{{.+}} : tensor<2x4x8xf32>)
// CHECK: %[[PB4:.+]] = tensor.expand_shape %[[PB]] {{\[\[}}0, 1], [2, 3]] output_shape [2, 8, 2, 16] : tensor<16x32xf32> into tensor<2x8x2x16xf32>
// CHECK: %[[G:.+]] = linalg.generic {{.+}} ins(%[[PB4]], %{{.+}} : tensor<2x8x2x16xf32>, tensor<2x16xbf16>) outs(%{{.+}} : tensor<2x8x2x16xf32>)
// CHECK: %[[X5:.+]] = linalg.generic {indexing_maps = [#[[$BLKD]], #[[$ID5]], #[[$BKRDL]]], {{.+}} ins(%[[G]], %[[V]] : tensor<2x8x2x16xf32>, tensor<2x8x2x2x16xf32>) outs(%{{.+}} : tensor<2x2x2x16x8xf32>)
// CHECK: %[[XS:.+]] = tensor.collapse_shape %[[X5]] {{\[\[}}0], [1, 2], [3], [4]] : tensor<2x2x2x16x8xf32> into tensor<2x4x16x8xf32>
// CHECK: %[[Y:.+]] = swr.scan %[[A]], %[[XS]] window <block = 16, hops = 2, segment = 4> : (tensor<2x4x8xf32>, tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32>
// CHECK: %[[PC4:.+]] = tensor.expand_shape %[[PC]] {{.+}} into tensor<2x8x2x16xf32>
// CHECK: %[[Y5:.+]] = tensor.expand_shape %[[Y]] {{\[\[}}0], [1, 2], [3], [4]] output_shape [2, 2, 2, 16, 8] : tensor<2x4x16x8xf32> into tensor<2x2x2x16x8xf32>
// CHECK: %[[Z:.+]] = linalg.generic {indexing_maps = [#[[$BKRDL]], #[[$BLKD]], #[[$KD5]], #[[$ID5]], #[[$ID5]]], {{.+}} ins(%[[Y5]], %[[PC4]], %{{.+}}, %[[V]] : tensor<2x2x2x16x8xf32>, tensor<2x8x2x16xf32>, tensor<2x16xbf16>, tensor<2x8x2x2x16xf32>) outs(%{{.+}} : tensor<2x8x2x2x16xbf16>)
// CHECK: tensor.collapse_shape %[[Z]] {{\[\[}}0, 1], [2, 3, 4]] : tensor<2x8x2x2x16xbf16> into tensor<16x64xbf16>
// CHECK: linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<16x64xbf16>, tensor<64x32xbf16>) outs(%{{.+}} : tensor<16x32xf32>)
func.func @kv_groups(%x: tensor<2x8x32xbf16>, %wa: tensor<32x4xbf16>, %ba: tensor<4xbf16>,
    %wb: tensor<32x32xbf16>, %bb: tensor<32xbf16>, %wc: tensor<32x32xbf16>, %bc: tensor<32xbf16>,
    %wv: tensor<32x64xbf16>, %wo: tensor<64x32xbf16>) -> tensor<2x8x32xbf16> {
  %out = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo)
      {heads = 4 : i64, kv_heads = 2 : i64, head_dim = 16 : i64,
       window = #swr.window<block = 16, hops = 2, segment = 4>}
      : (tensor<2x8x32xbf16>, tensor<32x4xbf16>, tensor<4xbf16>, tensor<32x32xbf16>, tensor<32xbf16>,
         tensor<32x32xbf16>, tensor<32xbf16>, tensor<32x64xbf16>, tensor<64x32xbf16>) -> tensor<2x8x32xbf16>
  return %out : tensor<2x8x32xbf16>
}

// ---
// Global heads: heads 0 and 1 of 4 use the exact recurrence with the layer's
// block, heads 2 and 3 the layer's window; the two scans are joined along H.

// CHECK-LABEL: func.func @global_heads(
// CHECK: %[[A:.+]] = linalg.generic {{.+}} outs(%{{.+}} : tensor<2x4x8xf32>)
// CHECK: %[[XS:.+]] = tensor.collapse_shape {{.+}} into tensor<2x4x16x8xf32>
// CHECK: %[[YE:.+]] = tensor.empty() : tensor<2x4x16x8xf32>
// CHECK: %[[AG:.+]] = tensor.extract_slice %[[A]][0, 0, 0] [2, 2, 8] [1, 1, 1] : tensor<2x4x8xf32> to tensor<2x2x8xf32>
// CHECK: %[[XG:.+]] = tensor.extract_slice %[[XS]][0, 0, 0, 0] [2, 2, 16, 8] [1, 1, 1, 1] : tensor<2x4x16x8xf32> to tensor<2x2x16x8xf32>
// CHECK: %[[YG:.+]] = swr.scan %[[AG]], %[[XG]] window <block = 8, hops = inf, segment = inf> : (tensor<2x2x8xf32>, tensor<2x2x16x8xf32>) -> tensor<2x2x16x8xf32>
// CHECK: %[[Y1:.+]] = tensor.insert_slice %[[YG]] into %[[YE]][0, 0, 0, 0] [2, 2, 16, 8] [1, 1, 1, 1] : tensor<2x2x16x8xf32> into tensor<2x4x16x8xf32>
// CHECK: %[[AL:.+]] = tensor.extract_slice %[[A]][0, 2, 0] [2, 2, 8] [1, 1, 1] : tensor<2x4x8xf32> to tensor<2x2x8xf32>
// CHECK: %[[XL:.+]] = tensor.extract_slice %[[XS]][0, 2, 0, 0] [2, 2, 16, 8] [1, 1, 1, 1] : tensor<2x4x16x8xf32> to tensor<2x2x16x8xf32>
// CHECK: %[[YL:.+]] = swr.scan %[[AL]], %[[XL]] window <block = 8, hops = 1, segment = inf> : (tensor<2x2x8xf32>, tensor<2x2x16x8xf32>) -> tensor<2x2x16x8xf32>
// CHECK: %[[Y:.+]] = tensor.insert_slice %[[YL]] into %[[Y1]][0, 2, 0, 0] [2, 2, 16, 8] [1, 1, 1, 1] : tensor<2x2x16x8xf32> into tensor<2x4x16x8xf32>
// CHECK-NOT: swr.scan
// CHECK: tensor.expand_shape %[[Y]] {{\[\[}}0], [1, 2], [3], [4]] output_shape [2, 4, 1, 16, 8]
func.func @global_heads(%x: tensor<2x8x64xf32>, %wa: tensor<64x4xf32>, %ba: tensor<4xf32>,
    %wb: tensor<64x64xf32>, %bb: tensor<64xf32>, %wc: tensor<64x64xf32>, %bc: tensor<64xf32>,
    %wv: tensor<64x64xf32>, %wo: tensor<64x64xf32>) -> tensor<2x8x64xf32> {
  %out = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo)
      {heads = 4 : i64, kv_heads = 4 : i64, head_dim = 16 : i64, global_heads = 2 : i64,
       window = #swr.window<block = 8, hops = 1, segment = inf>}
      : (tensor<2x8x64xf32>, tensor<64x4xf32>, tensor<4xf32>, tensor<64x64xf32>, tensor<64xf32>,
         tensor<64x64xf32>, tensor<64xf32>, tensor<64x64xf32>, tensor<64x64xf32>) -> tensor<2x8x64xf32>
  return %out : tensor<2x8x64xf32>
}

// ---
// All heads global: one exact scan over all heads, no slices.

// CHECK-LABEL: func.func @all_global(
// CHECK-NOT: tensor.extract_slice
// CHECK: swr.scan %{{.+}}, %{{.+}} window <block = 16, hops = inf, segment = inf> : (tensor<2x4x8xf32>, tensor<2x4x16x8xf32>)
// CHECK-NOT: swr.scan
// CHECK-NOT: tensor.insert_slice
// CHECK: return
func.func @all_global(%x: tensor<2x8x64xf32>, %wa: tensor<64x4xf32>, %ba: tensor<4xf32>,
    %wb: tensor<64x64xf32>, %bb: tensor<64xf32>, %wc: tensor<64x64xf32>, %bc: tensor<64xf32>,
    %wv: tensor<64x64xf32>, %wo: tensor<64x64xf32>) -> tensor<2x8x64xf32> {
  %out = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo)
      {heads = 4 : i64, kv_heads = 4 : i64, head_dim = 16 : i64, global_heads = 4 : i64,
       window = #swr.window<block = 16, hops = 1, segment = 2>}
      : (tensor<2x8x64xf32>, tensor<64x4xf32>, tensor<4xf32>, tensor<64x64xf32>, tensor<64xf32>,
         tensor<64x64xf32>, tensor<64xf32>, tensor<64x64xf32>, tensor<64x64xf32>) -> tensor<2x8x64xf32>
  return %out : tensor<2x8x64xf32>
}

// ---
// A layer whose window is already exact needs no split.

// CHECK-LABEL: func.func @global_heads_exact_window(
// CHECK-NOT: tensor.extract_slice
// CHECK: swr.scan %{{.+}}, %{{.+}} window <block = 8, hops = inf, segment = inf> : (tensor<2x4x8xf32>, tensor<2x4x16x8xf32>)
// CHECK-NOT: swr.scan
// CHECK: return
func.func @global_heads_exact_window(%x: tensor<2x8x64xf32>, %wa: tensor<64x4xf32>, %ba: tensor<4xf32>,
    %wb: tensor<64x64xf32>, %bb: tensor<64xf32>, %wc: tensor<64x64xf32>, %bc: tensor<64xf32>,
    %wv: tensor<64x64xf32>, %wo: tensor<64x64xf32>) -> tensor<2x8x64xf32> {
  %out = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo)
      {heads = 4 : i64, kv_heads = 4 : i64, head_dim = 16 : i64, global_heads = 1 : i64,
       window = #swr.window<block = 8, hops = inf, segment = inf>}
      : (tensor<2x8x64xf32>, tensor<64x4xf32>, tensor<4xf32>, tensor<64x64xf32>, tensor<64xf32>,
         tensor<64x64xf32>, tensor<64xf32>, tensor<64x64xf32>, tensor<64x64xf32>) -> tensor<2x8x64xf32>
  return %out : tensor<2x8x64xf32>
}

// ---
// Activations: act_a = swish (z * sigmoid(z)), act_b = hard_sigmoid
// (clamp(z / 6 + 0.5, 0, 1)); f32 biases need no extf.

// CHECK-LABEL: func.func @activations(
// CHECK: linalg.generic {indexing_maps = [#[[$ID3]], #[[$LAST3]], #[[$BHL]]]
// CHECK-NEXT: ^bb0(%[[P:.+]]: f32, %[[BIAS:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT:   %[[Z:.+]] = arith.addf %[[P]], %[[BIAS]] : f32
// CHECK-NEXT:   %[[C0:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:   %[[C1:.+]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:   %[[ABS:.+]] = math.absf %[[Z]] : f32
// CHECK-NEXT:   %[[NEG:.+]] = arith.negf %[[ABS]] : f32
// CHECK-NEXT:   %[[E:.+]] = math.exp %[[NEG]] : f32
// CHECK-NEXT:   %[[GE:.+]] = arith.cmpf oge, %[[Z]], %[[C0]] : f32
// CHECK-NEXT:   %[[NUM:.+]] = arith.select %[[GE]], %[[C1]], %[[E]] : f32
// CHECK-NEXT:   %[[DEN:.+]] = arith.addf %[[C1]], %[[E]] : f32
// CHECK-NEXT:   %[[SIG:.+]] = arith.divf %[[NUM]], %[[DEN]] : f32
// CHECK-NEXT:   %[[SWISH:.+]] = arith.mulf %[[Z]], %[[SIG]] : f32
// CHECK-NEXT:   linalg.yield %[[SWISH]] : f32
// CHECK: linalg.generic {indexing_maps = [#[[$ID4]], #[[$KD4]], #[[$ID4]]]
// CHECK-NEXT: ^bb0(%[[P:.+]]: f32, %[[BIAS:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT:   %[[Z:.+]] = arith.addf %[[P]], %[[BIAS]] : f32
// CHECK-NEXT:   %[[SIX:.+]] = arith.constant 6.000000e+00 : f32
// CHECK-NEXT:   %[[HALF:.+]] = arith.constant 5.000000e-01 : f32
// CHECK-NEXT:   %[[C0:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:   %[[C1:.+]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:   %[[DIV:.+]] = arith.divf %[[Z]], %[[SIX]] : f32
// CHECK-NEXT:   %[[LIN:.+]] = arith.addf %[[DIV]], %[[HALF]] : f32
// CHECK-NEXT:   %[[LO:.+]] = arith.maximumf %[[LIN]], %[[C0]] : f32
// CHECK-NEXT:   %[[HI:.+]] = arith.minimumf %[[LO]], %[[C1]] : f32
// CHECK-NEXT:   linalg.yield %[[HI]] : f32
func.func @activations(%x: tensor<2x8x32xf32>, %wa: tensor<32x2xf32>, %ba: tensor<2xf32>,
    %wb: tensor<32x32xf32>, %bb: tensor<32xf32>, %wc: tensor<32x32xf32>, %bc: tensor<32xf32>,
    %wv: tensor<32x32xf32>, %wo: tensor<32x32xf32>) -> tensor<2x8x32xf32> {
  %out = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo)
      {heads = 2 : i64, kv_heads = 2 : i64, head_dim = 16 : i64,
       act_a = #phalanx.activation<swish>, act_b = #phalanx.activation<hard_sigmoid>,
       window = #swr.window<block = 8, hops = 1, segment = inf>}
      : (tensor<2x8x32xf32>, tensor<32x2xf32>, tensor<2xf32>, tensor<32x32xf32>, tensor<32xf32>,
         tensor<32x32xf32>, tensor<32xf32>, tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<2x8x32xf32>
  return %out : tensor<2x8x32xf32>
}

// ---
// The reverse pairing: act_a = hard_sigmoid, act_b = swish.

// CHECK-LABEL: func.func @activations_swapped(
// CHECK: linalg.generic {indexing_maps = [#[[$ID3]], #[[$LAST3]], #[[$BHL]]]
// CHECK-NOT: math.exp
// CHECK: arith.maximumf
// CHECK-NEXT: arith.minimumf
// CHECK: linalg.generic {indexing_maps = [#[[$ID4]], #[[$KD4]], #[[$ID4]]]
// CHECK: math.exp
// CHECK: %[[SIG:.+]] = arith.divf
// CHECK-NEXT: %[[SWISH:.+]] = arith.mulf %{{.+}}, %[[SIG]] : f32
// CHECK-NEXT: linalg.yield %[[SWISH]] : f32
func.func @activations_swapped(%x: tensor<2x8x32xf32>, %wa: tensor<32x2xf32>, %ba: tensor<2xf32>,
    %wb: tensor<32x32xf32>, %bb: tensor<32xf32>, %wc: tensor<32x32xf32>, %bc: tensor<32xf32>,
    %wv: tensor<32x32xf32>, %wo: tensor<32x32xf32>) -> tensor<2x8x32xf32> {
  %out = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo)
      {heads = 2 : i64, kv_heads = 2 : i64, head_dim = 16 : i64,
       act_a = #phalanx.activation<hard_sigmoid>, act_b = #phalanx.activation<swish>,
       window = #swr.window<block = 8, hops = 1, segment = inf>}
      : (tensor<2x8x32xf32>, tensor<32x2xf32>, tensor<2xf32>, tensor<32x32xf32>, tensor<32xf32>,
         tensor<32x32xf32>, tensor<32xf32>, tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<2x8x32xf32>
  return %out : tensor<2x8x32xf32>
}

// ---
// f32 throughout: no conversions anywhere, Z stays f32 and the output
// projection's f32 sum is the result.

// CHECK-LABEL: func.func @f32(
// CHECK-NOT: arith.extf
// CHECK-NOT: arith.truncf
// CHECK: %[[Z:.+]] = tensor.collapse_shape %{{.+}} {{\[\[}}0, 1], [2, 3, 4]] : tensor<2x8x2x1x16xf32> into tensor<16x32xf32>
// CHECK-NEXT: %[[E:.+]] = tensor.empty() : tensor<16x32xf32>
// CHECK-NEXT: %[[F:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[E]] : tensor<16x32xf32>)
// CHECK-NEXT: %[[O:.+]] = linalg.matmul ins(%[[Z]], %{{.+}} : tensor<16x32xf32>, tensor<32x32xf32>) outs(%[[F]] : tensor<16x32xf32>)
// CHECK-NEXT: %[[OUT:.+]] = tensor.expand_shape %[[O]] {{\[\[}}0, 1], [2]] output_shape [2, 8, 32] : tensor<16x32xf32> into tensor<2x8x32xf32>
// CHECK-NEXT: return %[[OUT]]
func.func @f32(%x: tensor<2x8x32xf32>, %wa: tensor<32x2xf32>, %ba: tensor<2xf32>,
    %wb: tensor<32x32xf32>, %bb: tensor<32xf32>, %wc: tensor<32x32xf32>, %bc: tensor<32xf32>,
    %wv: tensor<32x32xf32>, %wo: tensor<32x32xf32>) -> tensor<2x8x32xf32> {
  %out = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo)
      {heads = 2 : i64, kv_heads = 2 : i64, head_dim = 16 : i64,
       window = #swr.window<block = 8, hops = 1, segment = inf>}
      : (tensor<2x8x32xf32>, tensor<32x2xf32>, tensor<2xf32>, tensor<32x32xf32>, tensor<32xf32>,
         tensor<32x32xf32>, tensor<32xf32>, tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<2x8x32xf32>
  return %out : tensor<2x8x32xf32>
}

// ---
// Mixed types: f16 x, bf16 and f32 weights, f16 and bf16 biases, f32 result.
// The matmuls take the inputs' own element types; Z is converted to x's type
// (f16); the f32 sum of the output projection needs no conversion.

// CHECK-LABEL: func.func @mixed_types(
// CHECK: linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<16x32xf16>, tensor<32x2xbf16>) outs(%{{.+}} : tensor<16x2xf32>)
// CHECK: linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<16x32xf16>, tensor<32x32xf32>) outs(%{{.+}} : tensor<16x32xf32>)
// CHECK: ^bb0(%{{.+}}: f32, %[[BA:.+]]: f16, %{{.+}}: f32):
// CHECK-NEXT: arith.extf %[[BA]] : f16 to f32
// CHECK: ^bb0(%{{.+}}: f32, %{{.+}}: f32, %[[BC:.+]]: bf16, %{{.+}}: f32, %{{.+}}: f16):
// CHECK-NEXT: arith.extf %[[BC]] : bf16 to f32
// CHECK: arith.truncf %{{.+}} : f32 to f16
// CHECK: %[[Z:.+]] = tensor.collapse_shape %{{.+}} : tensor<2x8x2x1x16xf16> into tensor<16x32xf16>
// CHECK: %[[O:.+]] = linalg.matmul ins(%[[Z]], %{{.+}} : tensor<16x32xf16>, tensor<32x32xbf16>) outs(%{{.+}} : tensor<16x32xf32>)
// CHECK-NEXT: %[[OUT:.+]] = tensor.expand_shape %[[O]] {{.+}} into tensor<2x8x32xf32>
// CHECK-NEXT: return %[[OUT]]
func.func @mixed_types(%x: tensor<2x8x32xf16>, %wa: tensor<32x2xbf16>, %ba: tensor<2xf16>,
    %wb: tensor<32x32xf32>, %bb: tensor<32xf32>, %wc: tensor<32x32xbf16>, %bc: tensor<32xbf16>,
    %wv: tensor<32x32xf16>, %wo: tensor<32x32xbf16>) -> tensor<2x8x32xf32> {
  %out = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo)
      {heads = 2 : i64, kv_heads = 2 : i64, head_dim = 16 : i64,
       window = #swr.window<block = 8, hops = 1, segment = inf>}
      : (tensor<2x8x32xf16>, tensor<32x2xbf16>, tensor<2xf16>, tensor<32x32xf32>, tensor<32xf32>,
         tensor<32x32xbf16>, tensor<32xbf16>, tensor<32x32xf16>, tensor<32x32xbf16>) -> tensor<2x8x32xf32>
  return %out : tensor<2x8x32xf32>
}

// ---
// f32 x with a bf16 result: Z stays f32, only the final sum is truncated.

// CHECK-LABEL: func.func @f32_to_bf16(
// CHECK-NOT: arith.truncf
// CHECK: %[[Z:.+]] = tensor.collapse_shape %{{.+}} {{\[\[}}0, 1], [2, 3, 4]] : tensor<2x8x2x1x16xf32> into tensor<16x32xf32>
// CHECK-NOT: arith.truncf
// CHECK: %[[O:.+]] = linalg.matmul ins(%[[Z]], %{{.+}} : tensor<16x32xf32>, tensor<32x32xf32>) outs(%{{.+}} : tensor<16x32xf32>)
// CHECK: linalg.generic {{.+}} ins(%[[O]] : tensor<16x32xf32>) outs(%{{.+}} : tensor<16x32xbf16>)
// CHECK-NEXT: ^bb0(%[[S:.+]]: f32, %{{.+}}: bf16):
// CHECK-NEXT: arith.truncf %[[S]] : f32 to bf16
func.func @f32_to_bf16(%x: tensor<2x8x32xf32>, %wa: tensor<32x2xf32>, %ba: tensor<2xf32>,
    %wb: tensor<32x32xf32>, %bb: tensor<32xf32>, %wc: tensor<32x32xf32>, %bc: tensor<32xf32>,
    %wv: tensor<32x32xf32>, %wo: tensor<32x32xf32>) -> tensor<2x8x32xbf16> {
  %out = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo)
      {heads = 2 : i64, kv_heads = 2 : i64, head_dim = 16 : i64,
       window = #swr.window<block = 8, hops = 1, segment = inf>}
      : (tensor<2x8x32xf32>, tensor<32x2xf32>, tensor<2xf32>, tensor<32x32xf32>, tensor<32xf32>,
         tensor<32x32xf32>, tensor<32xf32>, tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<2x8x32xbf16>
  return %out : tensor<2x8x32xbf16>
}

// ---
// Dynamic B and L: the sizes come from x, the rows from the collapsed x.

// CHECK-LABEL: func.func @dynamic(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x?x64xbf16>
// CHECK: %[[C0:.+]] = arith.constant 0 : index
// CHECK: %[[B:.+]] = tensor.dim %[[X]], %[[C0]] : tensor<?x?x64xbf16>
// CHECK: %[[C1:.+]] = arith.constant 1 : index
// CHECK: %[[L:.+]] = tensor.dim %[[X]], %[[C1]] : tensor<?x?x64xbf16>
// CHECK: %[[ROWS:.+]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1], [2]] : tensor<?x?x64xbf16> into tensor<?x64xbf16>
// CHECK: %[[N:.+]] = tensor.dim %[[ROWS]], %{{.+}} : tensor<?x64xbf16>
// CHECK: %[[EA:.+]] = tensor.empty(%[[N]]) : tensor<?x4xf32>
// CHECK: linalg.matmul ins(%[[ROWS]], %{{.+}} : tensor<?x64xbf16>, tensor<64x4xbf16>) outs(%{{.+}} : tensor<?x4xf32>)
// CHECK: tensor.expand_shape %{{.+}} {{\[\[}}0, 1], [2, 3, 4]] output_shape [%[[B]], %[[L]], 2, 2, 16] : tensor<?x64xf32> into tensor<?x?x2x2x16xf32>
// CHECK: tensor.empty(%[[B]], %[[L]]) : tensor<?x4x?xf32>
// CHECK: tensor.empty(%[[B]], %[[L]]) : tensor<?x2x2x16x?xf32>
// CHECK: %[[XS:.+]] = tensor.collapse_shape %{{.+}} : tensor<?x2x2x16x?xf32> into tensor<?x4x16x?xf32>
// CHECK: %[[YE:.+]] = tensor.empty(%[[B]], %[[L]]) : tensor<?x4x16x?xf32>
// CHECK: tensor.extract_slice %{{.+}}[0, 0, 0] [%[[B]], 1, %[[L]]] [1, 1, 1] : tensor<?x4x?xf32> to tensor<?x1x?xf32>
// CHECK: tensor.extract_slice %[[XS]][0, 0, 0, 0] [%[[B]], 1, 16, %[[L]]] [1, 1, 1, 1] : tensor<?x4x16x?xf32> to tensor<?x1x16x?xf32>
// CHECK: swr.scan {{.+}} window <block = 32, hops = inf, segment = inf> : (tensor<?x1x?xf32>, tensor<?x1x16x?xf32>) -> tensor<?x1x16x?xf32>
// CHECK: tensor.insert_slice %{{.+}} into %[[YE]][0, 0, 0, 0] [%[[B]], 1, 16, %[[L]]] [1, 1, 1, 1]
// CHECK: swr.scan {{.+}} window <block = 32, hops = 0, segment = inf> : (tensor<?x3x?xf32>, tensor<?x3x16x?xf32>) -> tensor<?x3x16x?xf32>
// CHECK: %[[Y:.+]] = tensor.insert_slice %{{.+}}[0, 1, 0, 0] [%[[B]], 3, 16, %[[L]]] [1, 1, 1, 1]
// CHECK: tensor.expand_shape %[[Y]] {{\[\[}}0], [1, 2], [3], [4]] output_shape [%[[B]], 2, 2, 16, %[[L]]] : tensor<?x4x16x?xf32> into tensor<?x2x2x16x?xf32>
// CHECK: tensor.empty(%[[B]], %[[L]]) : tensor<?x?x2x2x16xbf16>
// CHECK: tensor.collapse_shape %{{.+}} {{\[\[}}0, 1], [2, 3, 4]] : tensor<?x?x2x2x16xbf16> into tensor<?x64xbf16>
// CHECK: tensor.empty(%[[N]]) : tensor<?x64xf32>
// CHECK: tensor.empty(%[[N]]) : tensor<?x64xbf16>
// CHECK: %[[OUT:.+]] = tensor.expand_shape %{{.+}} {{\[\[}}0, 1], [2]] output_shape [%[[B]], %[[L]], 64] : tensor<?x64xbf16> into tensor<?x?x64xbf16>
// CHECK: return %[[OUT]] : tensor<?x?x64xbf16>
func.func @dynamic(%x: tensor<?x?x64xbf16>, %wa: tensor<64x4xbf16>, %ba: tensor<4xbf16>,
    %wb: tensor<64x32xbf16>, %bb: tensor<32xbf16>, %wc: tensor<64x32xbf16>, %bc: tensor<32xbf16>,
    %wv: tensor<64x64xbf16>, %wo: tensor<64x64xbf16>) -> tensor<?x?x64xbf16> {
  %out = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo)
      {heads = 4 : i64, kv_heads = 2 : i64, head_dim = 16 : i64, global_heads = 1 : i64,
       window = #swr.window<block = 32, hops = 0, segment = inf>}
      : (tensor<?x?x64xbf16>, tensor<64x4xbf16>, tensor<4xbf16>, tensor<64x32xbf16>, tensor<32xbf16>,
         tensor<64x32xbf16>, tensor<32xbf16>, tensor<64x64xbf16>, tensor<64x64xbf16>) -> tensor<?x?x64xbf16>
  return %out : tensor<?x?x64xbf16>
}

// ---
// Head dim 32, a static batch with a dynamic length.

// CHECK-LABEL: func.func @head_dim_32_dynamic_length(
// CHECK-SAME: %[[X:[^:]+]]: tensor<3x?x64xbf16>
// CHECK: %[[C1:.+]] = arith.constant 1 : index
// CHECK: %[[L:.+]] = tensor.dim %[[X]], %[[C1]] : tensor<3x?x64xbf16>
// CHECK: tensor.expand_shape %{{.+}} {{\[\[}}0, 1], [2, 3, 4]] output_shape [3, %[[L]], 1, 2, 32] : tensor<?x64xf32> into tensor<3x?x1x2x32xf32>
// CHECK: swr.scan {{.+}} : (tensor<3x2x?xf32>, tensor<3x2x32x?xf32>) -> tensor<3x2x32x?xf32>
// CHECK: return %{{.+}} : tensor<3x?x64xbf16>
func.func @head_dim_32_dynamic_length(%x: tensor<3x?x64xbf16>, %wa: tensor<64x2xbf16>, %ba: tensor<2xbf16>,
    %wb: tensor<64x32xbf16>, %bb: tensor<32xbf16>, %wc: tensor<64x32xbf16>, %bc: tensor<32xbf16>,
    %wv: tensor<64x64xbf16>, %wo: tensor<64x64xbf16>) -> tensor<3x?x64xbf16> {
  %out = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo)
      {heads = 2 : i64, kv_heads = 1 : i64, head_dim = 32 : i64,
       window = #swr.window<block = 16, hops = 1, segment = inf>}
      : (tensor<3x?x64xbf16>, tensor<64x2xbf16>, tensor<2xbf16>, tensor<64x32xbf16>, tensor<32xbf16>,
         tensor<64x32xbf16>, tensor<32xbf16>, tensor<64x64xbf16>, tensor<64x64xbf16>) -> tensor<3x?x64xbf16>
  return %out : tensor<3x?x64xbf16>
}
