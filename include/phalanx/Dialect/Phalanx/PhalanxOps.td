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

#endif // PHALANX_DIALECT_PHALANX_PHALANXOPS_TD
