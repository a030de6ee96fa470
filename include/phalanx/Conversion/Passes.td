#ifndef PHALANX_CONVERSION_PASSES_TD
#define PHALANX_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertSWRToSCF : Pass<"convert-swr-to-scf"> {
  let summary = "Lower swr ops to scf loops on tensors (the CPU path)";
  let description = [{
    Lowers the tiled swr ops (`swr.mask_gates`, `swr.tile_scan`,
    `swr.carrier_scan`, `swr.tile_apply`) to `scf.for` loops over
    `tensor.extract` / `tensor.insert` with f32 arithmetic, ready for one-shot
    bufferization. An `swr.scan` that was not tiled is lowered to a plain
    sequential recurrence per window (a second, independent implementation
    used for cross-checks).
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

def PhalanxEmitEntryWrappers : Pass<"phalanx-emit-entry-wrappers", "::mlir::ModuleOp"> {
  let summary = "Add packed entry points `phx_entry_<name>(void **args)`";
  let description = [{
    Runs on LLVM dialect IR produced from functions carrying
    `llvm.emit_c_interface`. For each public function `f` it adds
    `phx_entry_f(ptr %args)` that loads the i-th pointer of `%args` and passes
    it to `_mlir_ciface_f`: the calling convention of docs/artifact-format.md,
    callable by the runtime without knowing the argument count at compile time.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

// The #swr.schedule knobs, shared by swr-gpu-tile and convert-swr-to-gpu.
defvar SWRScheduleKnobs = [
    Option<"local", "local", "std::string", "\"auto\"",
           "#swr.schedule field `local` for ops without a schedule: scan | mma | auto">,
    Option<"tilesPerLane", "tiles-per-lane", "int64_t", "0",
           "#swr.schedule field `tiles_per_lane` (1..64; 0 = auto)">,
    Option<"warps", "warps", "int64_t", "0",
           "#swr.schedule field `warps`: warps per CTA (1..32; 0 = auto)">,
    Option<"cluster", "cluster", "int64_t", "0",
           "#swr.schedule field `cluster`: CTAs per cluster (1, 2, 4, 8, 16; 0 = auto)">,
    Option<"lane", "lane", "std::string", "\"auto\"",
           "#swr.schedule field `lane`: shuffle | halo | auto">,
    Option<"warp", "warp", "std::string", "\"auto\"",
           "#swr.schedule field `warp`: smem | halo | auto">,
    Option<"cta", "cta", "std::string", "\"auto\"",
           "#swr.schedule field `cta`: none | dsmem | bulk | halo | auto">,
    Option<"grid", "grid", "std::string", "\"auto\"",
           "#swr.schedule field `grid`: flags | halo | auto">,
    Option<"overrideSchedule", "override-schedule", "bool", "false",
           "Apply the knobs given above even to ops that carry a schedule "
           "(for schedule exploration)">
];

def SWRGPUTile : Pass<"swr-gpu-tile", "::mlir::ModuleOp"> {
  let summary = "Tile swr.scan entries onto the GPU hierarchy: the tiled form "
                "with one carrier_scan per level the carriers cross";
  let description = [{
    Resolves each GPU entry's schedule (the op's `#swr.schedule`, else the
    knobs below and the default rule of docs/gpu-lowering.md) and rewrites
    the `swr.scan` into the tiled form with the levels explicit:

        %m = swr.mask_gates %a [resets(%r)] block = BL segment = S
        %l, %p, %g, %v = swr.tile_scan %m, %x block = BL schedule <...>
        %c0 = swr.carrier_scan %g, %v [init(%s)] hops = K span = 32 * tpl at lane by shuffle
        %c1 = swr.carrier_scan %g, %v [init(%s)] partial(%c0) hops = K span = warps * 32 * tpl at warp by smem
        [%c2 = ... partial(%c1) hops = K span = cluster * ... at cta by dsmem]
        %c3 = swr.carrier_scan %g, %v [init(%s)] partial(%c2) hops = K at grid by flags
        %y = swr.tile_apply %l, %p carry(%c3) block = BL

    one carrier_scan per level that carriers cross, each with the span of
    tiles it completes and its route; a `halo` level recomputes the rest of
    the window and ends the chain. `convert-swr-to-gpu` builds the kernel
    from this form; the CPU lowering (`convert-swr-to-scf`) runs it too, so
    CI checks the semantics of every level chain against the reference.
  }];
  let options = SWRScheduleKnobs;
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

def ConvertSWRToGPU : Pass<"convert-swr-to-gpu", "::mlir::ModuleOp"> {
  let summary = "Lower entry functions in the GPU tiled form (or made of one "
                "swr.scan) to a CUDA kernel and its host launch (gpu + nvvm)";
  let description = [{
    Takes every public `func.func` in the GPU tiled form of `swr-gpu-tile`
    (the kernel's routes are the routes of its carrier_scan chain), or whose
    body is one `swr.scan` on its arguments (tiled here first, with the knobs
    below), and rewrites it into a function on identity-layout memrefs holding device
    pointers (the arguments, then one out-parameter per result) that computes
    the launch sizes and launches a kernel with `gpu.launch_func` (a cluster
    launch when `cluster > 1`), plus the kernel itself in the `gpu.module`
    `@phalanx_kernels`: a `gpu.func` built from scf / arith / memref / gpu /
    nvvm ops. docs/gpu-lowering.md describes the mapping and every carrier
    route.

    The op's `#swr.schedule` decides the mapping. When the op has none, the
    schedule knobs below (they are exactly the `#swr.schedule` fields:
    `local`, `tiles_per_lane`, `warps`, `cluster`, `lane`, `warp`, `cta`,
    `grid`) give it; a knob left at its `auto` value follows the default rule
    of docs/gpu-lowering.md (scan, 1 tile per lane, 4 warps, no cluster,
    shuffle / smem, and grid = halo for finite hops with hops * block <= 256,
    flags otherwise). A schedule never changes results.
  }];
  let options = !listconcat(SWRScheduleKnobs, [
    Option<"mmaChannels", "mma-channels", "int64_t", "0",
           "local = mma: at most this many channels of one (b, h) per CTA "
           "(1, 2, 4, 8, 16; 0 = auto: 16 / warps, as many as divide D, at "
           "most 16). A lowering choice, not a #swr.schedule field">,
    Option<"mmaRing", "mma-ring", "int64_t", "-1",
           "local = mma, K = 0 or lane = halo: tiles per mma warp in flight "
           "through its workgroup-memory ring (cp.async), the ring's depth "
           "in slots of mma-ring-group tiles (0 = off: the register "
           "pipeline; -1 = auto: 2; in static workgroup memory up to 44 "
           "KiB, else dynamic memory up to 100 KiB, fewer slots past that). "
           "A lowering choice, not a #swr.schedule field">,
    Option<"mmaRingGroup", "mma-ring-group", "int64_t", "0",
           "local = mma with the ring: consecutive tiles per ring slot, "
           "copied in and out as one piece of each row (0 = auto: 4, fewer "
           "where they do not divide the warp's run)">,
    Option<"mmaMatrixParts", "mma-matrix-parts", "int64_t", "0",
           "local = mma: bf16 parts of each decay-matrix entry (1, 2 or 3; "
           "0 = auto: as many as keep its rounding at or below the output's: "
           "1 for bf16, 2 for f16, 3 for f32 outputs). A lowering choice, "
           "not a #swr.schedule field">,
    Option<"mmaLoopKernel", "mma-loop-kernel", "std::string", "\"auto\"",
           "local = mma, K = inf, rows filling the GPU: the row-loop kernel "
           "the host launches: auto (the rule: half when the row groups give "
           "it 2048 warps, else wide for rows of at least 8 CTA spans, else "
           "loop) | loop (64 registers, 2 tiles per mma warp) | wide (128 "
           "registers, 4 tiles per mma warp, one CTA per SM) | half (128 "
           "registers, half the mma warps per CTA with 4 tiles each: two CTAs "
           "per SM). A lowering choice, not a #swr.schedule field">,
    Option<"layerGates", "layer-gates", "std::string", "\"fused\"",
           "Where the fused layer's gate activation act_a(pa + ba) runs: "
           "fused (in the fused kernel, per thread) | kernel (a gate kernel "
           "before it writes the gates once per (b, h, t); f16 storage for "
           "16-bit layers)">,
    Option<"layerSlots", "layer-slots", "int64_t", "0",
           "The fused layer kernel with fused gates and a finite window: "
           "channels of one (b, h) per CTA (a power of two dividing D) that "
           "share the gate activations act_a(pa + ba) of the CTA's tokens "
           "through workgroup memory, computed once per CTA instead of once "
           "per channel thread (0 / 1 = off, the default: measured no faster "
           "on the H200)">]);
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::NVVM::NVVMDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

def PhalanxCPULegalizeMemRef : Pass<"phalanx-cpu-legalize-memref", "::mlir::func::FuncOp"> {
  let summary = "Prepare buffers for the LLVM lowering of the CPU path";
  let description = [{
    - `memref.copy` whose operands are not both identity-layout memrefs
      becomes `linalg.copy` (then loops): the upstream lowering of such a copy
      calls `memrefCopy` from libmlir_c_runner_utils, which compiled artifacts
      must not depend on.
    - `memref.expand_shape` of an identity-layout buffer becomes
      `memref.reinterpret_cast` with the row-major strides of its output
      shape: expand-strided-metadata in MLIR 22 crashes on an expand_shape
      whose reassociation group has more than one dynamic dim.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

#endif // PHALANX_CONVERSION_PASSES_TD
