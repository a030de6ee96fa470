#ifndef PHALANX_DIALECT_PHALANX_PHALANXOPS_TD
#define PHALANX_DIALECT_PHALANX_PHALANXOPS_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

def Phalanx_Dialect : Dialect {
  let name = "phalanx";
  let cppNamespace = "::phalanx::layer";
  let summary = "The Phalanx token mixer at model level";
  let description = [{
    `phalanx.layer` is the layer of spec/phalanx-layer.md with its weights as
    operands, so one compiled layer serves any checkpoint. The pass
    `phalanx-decompose` rewrites it into projections (linalg), gates and
    `swr.scan`.
  }];
  let dependentDialects = ["::phalanx::swr::SWRDialect"];
  let useDefaultAttributePrinterParser = 1;
}

def Phalanx_Sigmoid     : I32EnumAttrCase<"sigmoid", 0>;
def Phalanx_Swish       : I32EnumAttrCase<"swish", 1>;
def Phalanx_HardSigmoid : I32EnumAttrCase<"hard_sigmoid", 2>;
def Phalanx_Activation : I32EnumAttr<"Activation",
    "gate activation: sigmoid(z), swish z * sigmoid(z), or "
    "hard_sigmoid clamp(z / 6 + 1/2, 0, 1)",
    [Phalanx_Sigmoid, Phalanx_Swish, Phalanx_HardSigmoid]> {
  let cppNamespace = "::phalanx::layer";
  let genSpecializedAttr = 0;
}
def Phalanx_ActivationAttr : EnumAttr<Phalanx_Dialect, Phalanx_Activation,
                                      "activation"> {
  let assemblyFormat = "`<` $value `>`";
}

// The window is the swr dialect's attribute; referenced by its C++ class so
// that this file does not pull the swr enums into the phalanx generators.
def Phalanx_WindowAttr : Attr<CPred<"::llvm::isa<::phalanx::swr::WindowAttr>($_self)">,
                              "#swr.window attribute"> {
  let storageType = "::phalanx::swr::WindowAttr";
  let returnType = "::phalanx::swr::WindowAttr";
  let convertFromStorage = "$_self";
}

def Phalanx_FloatTensor : RankedTensorOf<[BF16, F16, F32]>;

def Phalanx_LayerOp : Op<Phalanx_Dialect, "layer", [Pure,
    DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface, ["reifyResultShapes"]>]> {
  let summary = "the Phalanx token mixer";
  let description = [{
    With `x : [B, L, Dm]`, `H = heads`, `Hkv = kv_heads`, `D = head_dim`:

        A = act_a(x Wa + ba)   [B, L, H]          Wa : [Dm, H],     ba : [H]
        G = act_b(x Wb + bb)   [B, L, Hkv, D]     Wb : [Dm, Hkv*D], bb : [Hkv*D]
        C = x Wc + bc          [B, L, Hkv, D]     Wc : [Dm, Hkv*D], bc : [Hkv*D]
        V = x Wv               [B, L, H, D]       Wv : [Dm, H*D]
        X = G[kv(h)] * V       kv(h) = floor(h / (H / Hkv))
        Y = SWR(A, X)          heads h < global_heads: exact recurrence;
                               the others: `window`
        Z = Y * C[kv(h)] + V
        out = Z Wo             [B, L, Dm]         Wo : [H*D, Dm]

    Projections accumulate in f32; the recurrence accumulates in f32.

    ```mlir
    %out = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv),
        out(%wo) {heads = 16 : i64, kv_heads = 4 : i64, head_dim = 16 : i64,
                  window = #swr.window<block = 16, hops = 1, segment = inf>}
        : (...) -> tensor<?x?x256xbf16>
    ```
  }];
  let arguments = (ins
    Phalanx_FloatTensor:$x,
    Phalanx_FloatTensor:$wa, Phalanx_FloatTensor:$ba,
    Phalanx_FloatTensor:$wb, Phalanx_FloatTensor:$bb,
    Phalanx_FloatTensor:$wc, Phalanx_FloatTensor:$bc,
    Phalanx_FloatTensor:$wv, Phalanx_FloatTensor:$wo,
    I64Attr:$heads, I64Attr:$kv_heads, I64Attr:$head_dim,
    Phalanx_WindowAttr:$window,
    DefaultValuedAttr<I64Attr, "0">:$global_heads,
    DefaultValuedAttr<Phalanx_ActivationAttr, "Activation::sigmoid">:$act_a,
    DefaultValuedAttr<Phalanx_ActivationAttr, "Activation::sigmoid">:$act_b);
  let results = (outs Phalanx_FloatTensor:$out);
  let assemblyFormat = [{
    $x `,` `a` `(` $wa `,` $ba `)` `,` `b` `(` $wb `,` $bb `)` `,`
    `c` `(` $wc `,` $bc `)` `,` `v` `(` $wv `)` `,` `out` `(` $wo `)`
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// The fused form of the layer (phalanx-fuse-layer; the GPU path)
//===----------------------------------------------------------------------===//

def Phalanx_ProjectOp : Op<Phalanx_Dialect, "project", [Pure]> {
  let summary = "a projection whose output is channel-major";
  let description = [{
    `p[b, n, t] = sum_k x[b, t, k] w[k, n]` with f32 accumulation, rounded to
    the element type of `x`: `x : [B, L, K]`, `w : [K, N]`, `p : [B, N, L]`.
    The output has the tokens contiguous per channel, the layout of the
    recurrence (gates `[B, H, L]`, drive `[B, H, D, L]`). On the GPU it is
    one strided-batched GEMM (`w^T x[b]^T` per batch).

    ```mlir
    %pa = phalanx.project %x, %wa
        : (tensor<?x?x256xbf16>, tensor<256x16xbf16>) -> tensor<?x16x?xbf16>
    ```
  }];
  let arguments = (ins Phalanx_FloatTensor:$x, Phalanx_FloatTensor:$w);
  let results = (outs Phalanx_FloatTensor:$p);
  let assemblyFormat = [{
    $x `,` $w attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Phalanx_ProjectOutOp : Op<Phalanx_Dialect, "project_out", [Pure]> {
  let summary = "a projection of a channel-major input to token-major output";
  let description = [{
    `o[b, t, m] = sum_n z[b, n, t] w[n, m]` with f32 accumulation, rounded to
    the element type of `z`: `z : [B, N, L]`, `w : [N, M]`, `o : [B, L, M]`.
    On the GPU it is one strided-batched GEMM reading `z[b]` transposed.

    ```mlir
    %o = phalanx.project_out %z, %wo
        : (tensor<?x256x?xbf16>, tensor<256x256xbf16>) -> tensor<?x?x256xbf16>
    ```
  }];
  let arguments = (ins Phalanx_FloatTensor:$z, Phalanx_FloatTensor:$w);
  let results = (outs Phalanx_FloatTensor:$o);
  let assemblyFormat = [{
    $z `,` $w attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Phalanx_FusedMixOp : Op<Phalanx_Dialect, "fused_mix", [Pure]> {
  let summary = "gates, recurrence and post-gate of the layer in one step";
  let description = [{
    The part of `phalanx.layer` between the input and output projections, on
    the channel-major projection outputs (`phalanx.project`), with
    `H = heads`, `Hkv = kv_heads`, `D = head_dim`, `kv(h) = floor(h / (H /
    Hkv))`, row `h * D + d` of the `[.., H*D, ..]` operands:

        pa : [B, H, L]   pb, pc : [B, Hkv*D, L]   pv : [B, H*D, L]
        a[b, h, t]    = act_a(pa[b, h, t] + ba[h])
        x[b, h, d, t] = act_b(pb[b, kv(h)*D + d, t] + bb[kv(h)*D + d])
                        * pv[b, h*D + d, t]
        y             = SWR(a, x)   heads h < global_heads: exact recurrence;
                                    the others: `window`
        z[b, h*D + d, t] = y[b, h, d, t] * (pc[b, kv(h)*D + d, t]
                           + bc[kv(h)*D + d]) + pv[b, h*D + d, t]

    in f32, `z : [B, H*D, L]` rounded to its element type. On the GPU it is
    one kernel (per kind of head) that reads each of pa, pb, pc, pv once and
    writes z once (docs/gpu-lowering.md, "The layer").

    ```mlir
    %z = phalanx.fused_mix a(%pa, %ba), b(%pb, %bb), c(%pc, %bc), v(%pv)
        {heads = 16 : i64, kv_heads = 4 : i64, head_dim = 16 : i64,
         window = #swr.window<block = 16, hops = 1, segment = inf>}
        : (...) -> tensor<?x256x?xbf16>
    ```
  }];
  let arguments = (ins
    Phalanx_FloatTensor:$pa, Phalanx_FloatTensor:$ba,
    Phalanx_FloatTensor:$pb, Phalanx_FloatTensor:$bb,
    Phalanx_FloatTensor:$pc, Phalanx_FloatTensor:$bc,
    Phalanx_FloatTensor:$pv,
    I64Attr:$heads, I64Attr:$kv_heads, I64Attr:$head_dim,
    Phalanx_WindowAttr:$window,
    DefaultValuedAttr<I64Attr, "0">:$global_heads,
    DefaultValuedAttr<Phalanx_ActivationAttr, "Activation::sigmoid">:$act_a,
    DefaultValuedAttr<Phalanx_ActivationAttr, "Activation::sigmoid">:$act_b);
  let results = (outs Phalanx_FloatTensor:$z);
  let assemblyFormat = [{
    `a` `(` $pa `,` $ba `)` `,` `b` `(` $pb `,` $bb `)` `,`
    `c` `(` $pc `,` $bc `)` `,` `v` `(` $pv `)`
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // PHALANX_DIALECT_PHALANX_PHALANXOPS_TD
