// RUN: phalanx-opt %s --phalanx-emit-entry-wrappers --split-input-file --verify-diagnostics | FileCheck %s

// Two memref arguments and one out-param: args[0..2] are loaded and passed.
// CHECK-LABEL: llvm.func @_mlir_ciface_add(
// CHECK-LABEL: llvm.func @phx_entry_add(
// CHECK-SAME:      %[[ARGS:.*]]: !llvm.ptr) {
// CHECK:         %[[A0:.*]] = llvm.load %[[ARGS]] : !llvm.ptr -> !llvm.ptr
// CHECK:         %[[P1:.*]] = llvm.getelementptr inbounds %[[ARGS]][1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK:         %[[A1:.*]] = llvm.load %[[P1]] : !llvm.ptr -> !llvm.ptr
// CHECK:         %[[P2:.*]] = llvm.getelementptr inbounds %[[ARGS]][2] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK:         %[[A2:.*]] = llvm.load %[[P2]] : !llvm.ptr -> !llvm.ptr
// CHECK:         llvm.call @_mlir_ciface_add(%[[A0]], %[[A1]], %[[A2]]) : (!llvm.ptr, !llvm.ptr, !llvm.ptr) -> ()
// CHECK-NEXT:    llvm.return
// CHECK-NOT:   llvm.func @phx_entry_helper
// CHECK-NOT:   llvm.func @phx_entry__mlir_ciface
module {
  llvm.func @add(%a: !llvm.ptr, %b: !llvm.ptr, %c: !llvm.ptr) attributes {llvm.emit_c_interface} {
    llvm.return
  }
  llvm.func @_mlir_ciface_add(%a: !llvm.ptr, %b: !llvm.ptr, %c: !llvm.ptr) attributes {llvm.emit_c_interface} {
    llvm.call @add(%a, %b, %c) : (!llvm.ptr, !llvm.ptr, !llvm.ptr) -> ()
    llvm.return
  }
  // No C interface: no entry.
  llvm.func @helper(%a: !llvm.ptr) {
    llvm.return
  }
  // An external C interface (declaration only): no entry.
  llvm.func @_mlir_ciface_extern(!llvm.ptr)
}

// -----

// A scalar parameter is loaded from the address in its slot; an existing
// entry is kept (the pass is idempotent).
// CHECK-LABEL: llvm.func @phx_entry_scale(
// CHECK-SAME:      %[[ARGS:.*]]: !llvm.ptr) {
// CHECK:         %[[M:.*]] = llvm.load %[[ARGS]] : !llvm.ptr -> !llvm.ptr
// CHECK:         %[[P1:.*]] = llvm.getelementptr inbounds %[[ARGS]][1]
// CHECK:         %[[S:.*]] = llvm.load %[[P1]] : !llvm.ptr -> !llvm.ptr
// CHECK:         %[[V:.*]] = llvm.load %[[S]] : !llvm.ptr -> f32
// CHECK:         llvm.call @_mlir_ciface_scale(%[[M]], %[[V]]) : (!llvm.ptr, f32) -> ()
// CHECK-LABEL: llvm.func @phx_entry_done(%{{.*}}: !llvm.ptr) {
// CHECK-NEXT:    llvm.return
module {
  llvm.func @_mlir_ciface_scale(%m: !llvm.ptr, %s: f32) {
    llvm.return
  }
  llvm.func @_mlir_ciface_done(%m: !llvm.ptr) {
    llvm.return
  }
  llvm.func @phx_entry_done(%args: !llvm.ptr) {
    llvm.return
  }
}

// -----

module {
  // expected-error @+1 {{entry 'ret' returns a value; entries must return their results as out-parameters}}
  llvm.func @_mlir_ciface_ret(%m: !llvm.ptr) -> i32 {
    %0 = llvm.mlir.constant(0 : i32) : i32
    llvm.return %0 : i32
  }
}
