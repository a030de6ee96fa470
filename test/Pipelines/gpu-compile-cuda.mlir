// REQUIRES: ptxas, phalanx-compile
// RUN: phalanx-compile %s --target cuda --emit=manifest | FileCheck %s --check-prefix=MANIFEST
// RUN: phalanx-compile %s --target cuda --emit=ptx | FileCheck %s --check-prefix=PTX
// RUN: phalanx-compile %s --target cuda --gpu-options="warps=2 grid=flags" --emit=ptx | FileCheck %s --check-prefix=KNOBS
// RUN: phalanx-compile %s --target cuda --emit=llvm | FileCheck %s --check-prefix=LLVM
// RUN: phalanx-compile %s --target cuda -o %t.phx && test -s %t.phx
// RUN: not phalanx-compile %s --target cpu --emit=ptx 2>&1 | FileCheck %s --check-prefix=NOPTX

// --target cuda: the manifest marks the entry "device": "cuda" (its symbol is
// the packed host entry, which launches the kernel).
// MANIFEST: "name": "scan"
// MANIFEST: "symbol": "phx_entry_scan"
// MANIFEST: "device": "cuda"

// PTX: .target sm_90a
// PTX: .visible .entry scan_swr(
// The default schedule of K = 1: 16-byte read-only loads and 16-byte stores,
// a recomputed halo (no shuffle), no flags.
// PTX-NOT: shfl.sync
// PTX: ld.global.nc.v4.b32
// PTX-NOT: ld.acquire
// PTX: st.global.v4.b32

// KNOBS: .maxntid 64, 1, 1
// KNOBS: atom.global.add.u32
// KNOBS: ld.acquire.gpu

// The host code loads the embedded cubin in a global constructor and
// launches through the mgpu* wrappers that the runtime exports.
// LLVM-DAG: @llvm.global_ctors
// LLVM-DAG: call ptr @mgpuModuleLoad(
// LLVM-DAG: call void @mgpuLaunchKernel(
// LLVM-DAG: define void @phx_entry_scan(ptr

// NOPTX: --emit=ptx needs --target cuda

func.func @scan(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xf32>
  return %y : tensor<?x4x16x?xf32>
}
