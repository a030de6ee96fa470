// REQUIRES: phalanx-compile
// RUN: phalanx-compile %s --emit=manifest | FileCheck %s
// RUN: phalanx-compile %s --emit=manifest --entry scan_named | FileCheck %s --check-prefix=ONLY
// RUN: phalanx-compile %s -o %t.phx
// RUN: od -A n -t c -N 8 %t.phx | FileCheck %s --check-prefix=MAGIC

// The manifest is read from the IR on tensors, before lowering: argument
// names from `phalanx.name` or the source's SSA names, dtypes, shapes (-1
// dynamic), for each dynamic result dim the argument dim it equals, and the op
// when the body is a single swr.scan on the arguments.

// CHECK:      {
// CHECK-NEXT:   "format": "phalanx-artifact",
// CHECK-NEXT:   "version": 1,
// CHECK-NEXT:   "producer": "phalanx-compile 0.1.0",
// CHECK-NEXT:   "entries": [

// CHECK:      "name": "scan_named",
// CHECK-NEXT: "symbol": "phx_entry_scan_named",
// CHECK-NEXT: "device": "cpu",
// CHECK-NEXT: "args": [
// CHECK-NEXT:   {"name":"gates","dtype":"bf16","shape":[-1,8,-1]},
// CHECK-NEXT:   {"name":"drive","dtype":"f32","shape":[-1,8,16,-1]},
// CHECK-NEXT:   {"name":"starts","dtype":"i1","shape":[-1,-1]},
// CHECK-NEXT:   {"name":"h0","dtype":"f16","shape":[-1,8,16]}
// CHECK-NEXT: ],
// CHECK-NEXT: "results": [
// CHECK-NEXT:   {"name":"y","dtype":"f16","shape":[-1,8,16,-1],"shape_from":{{\[}}[1,0],null,null,[1,3]]}
// CHECK-NEXT: ],
// CHECK-NEXT: "op": {"kind":"swr.scan","block":16,"hops":2,"segment":4,"transpose":false,"gates":0,"drive":1,"resets":2,"init":3}
func.func @scan_named(%a: tensor<?x8x?xbf16> {phalanx.name = "gates"},
                      %x: tensor<?x8x16x?xf32> {phalanx.name = "drive"},
                      %starts: tensor<?x?xi1>, %h0: tensor<?x8x16xf16>)
    -> (tensor<?x8x16x?xf16> {phalanx.name = "y"}) {
  %y = swr.scan %a, %x resets(%starts) init(%h0)
      window <block = 16, hops = 2, segment = 4>
      : (tensor<?x8x?xbf16>, tensor<?x8x16x?xf32>, tensor<?x?xi1>,
         tensor<?x8x16xf16>) -> tensor<?x8x16x?xf16>
  return %y : tensor<?x8x16x?xf16>
}

// Static shapes, numeric SSA names, transpose, inf hops.
// CHECK:      "name": "scan_static",
// CHECK:      "args": [
// CHECK-NEXT:   {"name":"arg0","dtype":"f32","shape":[2,4,64]},
// CHECK-NEXT:   {"name":"arg1","dtype":"f32","shape":[2,4,32,64]}
// CHECK-NEXT: ],
// CHECK-NEXT: "results": [
// CHECK-NEXT:   {"name":"result0","dtype":"f32","shape":[2,4,32,64],"shape_from":[null,null,null,null]}
// CHECK-NEXT: ],
// CHECK-NEXT: "op": {"kind":"swr.scan","block":8,"hops":"inf","segment":"inf","transpose":true,"gates":0,"drive":1,"resets":null,"init":null}
func.func @scan_static(%arg0: tensor<2x4x64xf32>, %0: tensor<2x4x32x64xf32>)
    -> tensor<2x4x32x64xf32> {
  %y = swr.scan %arg0, %0 window <block = 8, hops = inf> transpose
      : (tensor<2x4x64xf32>, tensor<2x4x32x64xf32>) -> tensor<2x4x32x64xf32>
  return %y : tensor<2x4x32x64xf32>
}

// Not a single op on the arguments: no "op"; the dynamic dim is traced
// through linalg and tensor.empty to the argument.
// CHECK:      "name": "two_ops",
// CHECK:      "results": [
// CHECK-NEXT:   {"name":"result0","dtype":"f32","shape":[-1,4,16,-1],"shape_from":{{\[}}[1,0],null,null,[1,3]]}
// CHECK-NEXT: ]
// CHECK-NEXT: }
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @two_ops(%a: tensor<?x4x?xf32>, %x: tensor<?x4x16x?xf32>)
    -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 8, hops = 1>
      : (tensor<?x4x?xf32>, tensor<?x4x16x?xf32>) -> tensor<?x4x16x?xf32>
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  %b = tensor.dim %y, %c0 : tensor<?x4x16x?xf32>
  %l = tensor.dim %x, %c3 : tensor<?x4x16x?xf32>
  %e = tensor.empty(%b, %l) : tensor<?x4x16x?xf32>
  %z = linalg.generic {indexing_maps = [#id4, #id4],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y : tensor<?x4x16x?xf32>) outs(%e : tensor<?x4x16x?xf32>) {
  ^bb0(%v: f32, %o: f32):
    %s = arith.mulf %v, %v : f32
    linalg.yield %s : f32
  } -> tensor<?x4x16x?xf32>
  return %z : tensor<?x4x16x?xf32>
}

// Private functions and functions on memrefs are not entries.
// CHECK-NOT: "name": "helper"
func.func private @helper(%a: tensor<4xf32>) -> tensor<4xf32> {
  return %a : tensor<4xf32>
}
// CHECK-NOT: "name": "on_memref"
func.func @on_memref(%a: memref<4xf32>) {
  return
}

// ONLY:     "entries": [
// ONLY-NEXT:  {
// ONLY-NEXT:    "name": "scan_named",
// ONLY-NOT:   "name": "scan_static"

// MAGIC: P H X A R T F \0
