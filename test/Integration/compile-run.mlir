// REQUIRES: phalanx-compile, phalanx-run
// RUN: rm -rf %t && split-file %s %t
//
// Compile, load with the runtime, run on random inputs and check against the
// runtime's float64 reference. Tiled and sequential lowerings, a length that
// is not a multiple of the block, resets + init + f16 output (the f16
// truncation helper comes from libgcc at link time), and the layer.
//
// RUN: phalanx-compile %t/scan.mlir -o %t/scan.phx
// RUN: phalanx-run %t/scan.phx --random 1 --shape a=2,8,300 --shape x=2,8,16,300 --check | FileCheck %s
// RUN: phalanx-compile %t/scan.mlir --sequential -o %t/scan-seq.phx
// RUN: phalanx-run %t/scan-seq.phx --random 2 --shape a=1,8,77 --shape x=1,8,16,77 --check | FileCheck %s
// RUN: phalanx-compile %t/scan-full.mlir -o %t/scan-full.phx
// RUN: phalanx-run %t/scan-full.phx --random 3 --shape gates=2,4,100 --shape drive=2,4,32,100 --shape starts=2,100 --shape h0=2,4,32 --check | FileCheck %s
// RUN: phalanx-compile %t/layer.mlir -o %t/layer.phx
// RUN: phalanx-run %t/layer.phx --random 4 --shape x=1,130,64 --check | FileCheck %s
// CHECK: PASS

//--- scan.mlir
func.func @swr_scan(%a: tensor<?x8x?xbf16>, %x: tensor<?x8x16x?xbf16>) -> tensor<?x8x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      : (tensor<?x8x?xbf16>, tensor<?x8x16x?xbf16>) -> tensor<?x8x16x?xf32>
  return %y : tensor<?x8x16x?xf32>
}
//--- scan-full.mlir
func.func @scan_full(%gates: tensor<?x4x?xf32>, %drive: tensor<?x4x32x?xbf16>,
                     %starts: tensor<?x?xi1>, %h0: tensor<?x4x32xf32>)
    -> tensor<?x4x32x?xf16> {
  %y = swr.scan %gates, %drive resets(%starts) init(%h0)
      window <block = 8, hops = 2, segment = 3>
      : (tensor<?x4x?xf32>, tensor<?x4x32x?xbf16>, tensor<?x?xi1>,
         tensor<?x4x32xf32>) -> tensor<?x4x32x?xf16>
  return %y : tensor<?x4x32x?xf16>
}
//--- layer.mlir
func.func @layer(%x: tensor<?x?x64xf32>,
                 %wa: tensor<64x4xf32>, %ba: tensor<4xf32>,
                 %wb: tensor<64x32xf32>, %bb: tensor<32xf32>,
                 %wc: tensor<64x32xf32>, %bc: tensor<32xf32>,
                 %wv: tensor<64x64xf32>, %wo: tensor<64x64xf32>)
    -> tensor<?x?x64xf32> {
  %out = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo)
      {heads = 4, kv_heads = 2, head_dim = 16, global_heads = 1,
       window = #swr.window<block = 16, hops = 1, segment = inf>}
      : (tensor<?x?x64xf32>, tensor<64x4xf32>, tensor<4xf32>,
         tensor<64x32xf32>, tensor<32xf32>, tensor<64x32xf32>,
         tensor<32xf32>, tensor<64x64xf32>, tensor<64x64xf32>)
      -> tensor<?x?x64xf32>
  return %out : tensor<?x?x64xf32>
}
