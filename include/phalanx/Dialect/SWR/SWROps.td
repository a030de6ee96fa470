#ifndef PHALANX_DIALECT_SWR_SWROPS_TD
#define PHALANX_DIALECT_SWR_SWROPS_TD

include "phalanx/Dialect/SWR/SWRBase.td"
include "phalanx/Dialect/SWR/SWRAttrs.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

class SWR_Op<string mnemonic, list<Trait> traits = []>
    : Op<SWR_Dialect, mnemonic, traits>;

def SWR_FloatTensor : RankedTensorOf<[BF16, F16, F32]>;
def SWR_F32Tensor : RankedTensorOf<[F32]>;
def SWR_MaskTensor : RankedTensorOf<[I1]>;

//===----------------------------------------------------------------------===//
// swr.scan
//===----------------------------------------------------------------------===//

def SWR_ScanOp : SWR_Op<"scan", [Pure, AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface, ["reifyResultShapes"]>]> {
  let summary = "sliding window recurrence over a sequence";
  let description = [{
    Computes, for every batch `b`, head `h` and channel `d`,

        y[t] = sum over j <= t in the window of t of (a[j+1] * ... * a[t]) * x[j]

    with gates `a : [B, H, L]` shared by the `D` channels of a head, drive
    `x : [B, H, D, L]` and result `y : [B, H, D, L]` (spec/swr.md). The window
    attribute is semantics; the optional schedule only says how the work maps
    onto hardware.

    Optional operands: `resets : [B, L]` (i1, a flagged token starts a new
    sequence: nothing before it is visible) and `init : [B, H, D]` (the state
    before token 0, visible to the first `hops` tiles of the first segment).
    With `transpose` the op computes `y = L_W^T x` for the same window (the
    gradient with respect to the drive); `init` is not allowed then.

    Element types: bf16, f16 or f32, independently for `a`, `x`, `init` and
    `y`; accumulation is in f32. `D` is static and one of 16, 32, 64; `B`,
    `H` and `L` may be dynamic.

    ```mlir
    %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
        : (tensor<?x8x?xbf16>, tensor<?x8x16x?xbf16>) -> tensor<?x8x16x?xf32>
    ```
  }];
  let arguments = (ins
    SWR_FloatTensor:$gates,
    SWR_FloatTensor:$drive,
    Optional<SWR_MaskTensor>:$resets,
    Optional<SWR_FloatTensor>:$init,
    SWR_WindowAttr:$window,
    OptionalAttr<SWR_ScheduleAttr>:$schedule,
    UnitAttr:$transpose);
  let results = (outs SWR_FloatTensor:$y);
  let assemblyFormat = [{
    $gates `,` $drive (`resets` `(` $resets^ `)`)? (`init` `(` $init^ `)`)?
    `window` $window (`schedule` $schedule^)? (`transpose` $transpose^)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Tiled form: the in-tile contraction and the carriers made explicit.
//===----------------------------------------------------------------------===//

def SWR_MaskGatesOp : SWR_Op<"mask_gates", [Pure]> {
  let summary = "turn segment starts and resets into zero gates";
  let description = [{
    Returns the gates as f32 with `a[t] = 0` wherever token `t > 0` starts a
    segment of `segment` tiles of `block` tokens, or is flagged in `resets`
    (any `t`). Token 0 is left alone unless reset, so that an `init` state
    still reaches it.
    A zero gate at `t` removes every term `a[j+1] * ... * a[t']` with
    `j < t <= t'`, which is exactly what segments and resets mean; after this
    op the window is a pure hop limit.
  }];
  let arguments = (ins SWR_FloatTensor:$gates, Optional<SWR_MaskTensor>:$resets,
                   I64Attr:$block, I64Attr:$segment);
  let results = (outs SWR_F32Tensor:$masked);
  let assemblyFormat = [{
    $gates (`resets` `(` $resets^ `)`)? `block` `=` $block `segment` `=` $segment
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def SWR_TileScanOp : SWR_Op<"tile_scan", [Pure]> {
  let summary = "in-tile recurrence from zero and each tile's carrier";
  let description = [{
    For gates `a : [B, H, L]` (f32, already masked) and drive
    `x : [B, H, D, L]`, with tiles of `block` tokens (`T = ceil(L / block)`):

    - `local : [B, H, D, L]`: the recurrence inside each tile from zero;
    - `prefix : [B, H, L]`: the in-tile inclusive gate product up to `t`;
    - `carrier_gates : [B, H, T]`: the product of the tile's gates;
    - `carrier_states : [B, H, D, T]`: the tile's terminal local state.

    With `transpose` the scan runs backwards in each tile, `prefix` is the
    exclusive suffix product to the tile's end and the carrier state is
    `a[first] * local[first]`, so that carriers compose the same way.
    `(g1, v1) then (g2, v2) = (g1 * g2, g2 * v1 + v2)`.
  }];
  let arguments = (ins SWR_F32Tensor:$gates, SWR_FloatTensor:$drive,
                   I64Attr:$block, UnitAttr:$transpose,
                   OptionalAttr<SWR_ScheduleAttr>:$schedule);
  let results = (outs SWR_F32Tensor:$local, SWR_F32Tensor:$prefix,
                      SWR_F32Tensor:$carrier_gates, SWR_F32Tensor:$carrier_states);
  let assemblyFormat = [{
    $gates `,` $drive `block` `=` $block (`transpose` $transpose^)?
    (`schedule` $schedule^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def SWR_CarrierScanOp : SWR_Op<"carrier_scan", [Pure, AttrSizedOperandSegments]> {
  let summary = "compose the carriers of the previous `hops` tiles";
  let description = [{
    For carriers `(g, v)` of `T` tiles returns, for each tile `i`, the state
    carried into it: the composition of the carriers of tiles
    `max(0, i - hops) .. i - 1` (`hops = -1` means inf), plus
    `g[0] * ... * g[i-1] * init` when `i < hops` and `init` is given.
    With `reverse`, tiles `i + 1 .. i + hops` are composed towards `i`
    instead (the transpose). This is the op whose lowering decides how
    carriers cross the levels of the hardware.

    The GPU tiling (`swr-gpu-tile`) makes those levels explicit: a chain of
    carrier_scans, one per level of the schedule, each with
    `span = S at <level> by <route>`. Such an op composes only the tiles of
    the window that lie in tile `i`'s own group of `S` tiles (groups
    `[S floor(u / S), S floor(u / S) + S)` in logical order `u`: `u = i`,
    or `T - 1 - i` with `reverse`), `init` included only when the group
    holds logical tile 0; `span = -1` (the default) is the whole sequence.
    `partial` is the carry of the level below (a smaller span), which the
    level extends: on the GPU, the lane level is the warp's shuffle scan,
    the warp level reads the other warps' carriers from shared memory, the
    cta level those of the other CTAs of the cluster (distributed shared
    memory), the grid level those before the cluster (global memory with
    flags); `halo` recomputes every earlier tile of the window from the
    inputs instead, so a `halo` level has an infinite span and ends the
    chain. The value of each op is defined by `g`, `v`, `init`, `hops` and
    `span` alone; `partial` records where the level starts from.
  }];
  let arguments = (ins SWR_F32Tensor:$carrier_gates, SWR_F32Tensor:$carrier_states,
                   Optional<SWR_FloatTensor>:$init, Optional<SWR_F32Tensor>:$partial,
                   I64Attr:$hops, DefaultValuedAttr<I64Attr, "-1">:$span,
                   OptionalAttr<SWR_CarrierLevel>:$level,
                   OptionalAttr<SWR_CarrierRoute>:$route,
                   UnitAttr:$reverse, OptionalAttr<SWR_ScheduleAttr>:$schedule);
  let results = (outs SWR_F32Tensor:$carry);
  let assemblyFormat = [{
    $carrier_gates `,` $carrier_states (`init` `(` $init^ `)`)?
    (`partial` `(` $partial^ `)`)? `hops` `=` $hops
    (`span` `=` $span^)? (`at` $level^ `by` $route)?
    (`reverse` $reverse^)? (`schedule` $schedule^)? attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The group size in tiles, or -1 for the whole sequence.
    int64_t getSpanTiles() { return static_cast<int64_t>(getSpan()); }
    ::llvm::LogicalResult verifyLevel();
  }];
}

def SWR_TileApplyOp : SWR_Op<"tile_apply", [Pure]> {
  let summary = "add each tile's carried state to its local recurrence";
  let description = [{
    `y[t] = local[t] + prefix[t] * carry[tile(t)]`, converted to the result
    element type. Without `carry` (hops = 0) `y = local`.
  }];
  let arguments = (ins SWR_F32Tensor:$local, SWR_F32Tensor:$prefix,
                   Optional<SWR_F32Tensor>:$carry, I64Attr:$block);
  let results = (outs SWR_FloatTensor:$y);
  let assemblyFormat = [{
    $local `,` $prefix (`carry` `(` $carry^ `)`)? `block` `=` $block attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // PHALANX_DIALECT_SWR_SWROPS_TD
