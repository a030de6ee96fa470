// REQUIRES: phalanx-compile
// RUN: phalanx-compile %s --emit=mlir | FileCheck %s --check-prefix=MLIR
// RUN: phalanx-compile %s --emit=llvm | FileCheck %s --check-prefix=LLVM
// RUN: phalanx-compile %s --emit=obj -o %t.o
// RUN: phalanx-compile %s -o %t.phx -v 2>&1 | FileCheck %s --check-prefix=TIME

// MLIR: llvm.func @_mlir_ciface_swr_scan(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// MLIR: llvm.func @phx_entry_swr_scan(%{{.*}}: !llvm.ptr)
// MLIR-NOT: swr.
// MLIR-NOT: memref.

// LLVM: target triple = "x86_64-unknown-linux-gnu"
// LLVM: define void @phx_entry_swr_scan(ptr {{.*}}%0)
// LLVM-NOT: memrefCopy

// TIME: phalanx-compile: parse + verify
// TIME: phalanx-compile: signatures
// TIME: phalanx-compile: phalanx-cpu-pipeline
// TIME: phalanx-compile: LLVM IR + opt
// TIME: phalanx-compile: object
// TIME: phalanx-compile: link
// TIME: phalanx-compile: artifact
// TIME: phalanx-compile: total

func.func @swr_scan(%a: tensor<?x8x?xbf16>, %x: tensor<?x8x16x?xbf16>) -> tensor<?x8x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      : (tensor<?x8x?xbf16>, tensor<?x8x16x?xbf16>) -> tensor<?x8x16x?xf32>
  return %y : tensor<?x8x16x?xf32>
}
