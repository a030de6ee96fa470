#ifndef PHALANX_TRANSFORMS_PASSES_TD
#define PHALANX_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def PhalanxDecompose : Pass<"phalanx-decompose"> {
  let summary = "Rewrite phalanx.layer into linalg projections, gates and swr.scan";
  let description = [{
    Expands each `phalanx.layer` into exactly the math of
    spec/phalanx-layer.md: the five projections as `linalg.matmul` with f32
    accumulation, the gate activations and products as `linalg.generic`, the
    kv-group repeat as a broadcast over the group axis, and one `swr.scan` per
    kind of head (the first `global_heads` heads with the exact recurrence,
    the others with the layer's window), joined along the head axis.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect",
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
    "::phalanx::swr::SWRDialect"
  ];
}

def PhalanxFuseLayer : Pass<"phalanx-fuse-layer"> {
  let summary = "Rewrite phalanx.layer into projections and one fused mix "
                "(the GPU form)";
  let description = [{
    Rewrites each `phalanx.layer` into four `phalanx.project` (x Wa, x Wb,
    x Wc, x Wv, channel-major outputs `[B, N, L]`), one `phalanx.fused_mix`
    (gate activations, kv-group repeat, drive product, recurrence and
    post-gate in one step) and one `phalanx.project_out` (Z Wo). The
    operands and the result must share one element type.
  }];
  let dependentDialects = ["::phalanx::layer::PhalanxDialect"];
}

def SWRTile : Pass<"swr-tile"> {
  let summary = "Split swr.scan into the tiled form: local scans and carriers";
  let description = [{
    Rewrites each `swr.scan` into `swr.mask_gates` (segments and resets as
    zero gates), `swr.tile_scan` (the in-tile recurrence from zero and each
    tile's carrier), `swr.carrier_scan` (the carriers of the previous `hops`
    tiles composed into each tile) and `swr.tile_apply`
    (`y = local + prefix * carry`). `hops = 0` needs no carriers. The op's
    schedule is copied onto the tiled ops, where the GPU lowering reads it.
  }];
  let dependentDialects = ["::phalanx::swr::SWRDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

#endif // PHALANX_TRANSFORMS_PASSES_TD
