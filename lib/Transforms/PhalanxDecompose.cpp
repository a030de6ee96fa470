//===- PhalanxDecompose.cpp - phalanx.layer into linalg and swr.scan ------===//
//
// Rewrites each `phalanx.layer` into the math of spec/phalanx-layer.md on
// tensors (docs/phalanx-decompose.md):
//
//   rows = collapse(x)                       [B*L, Dm]         (x's type T)
//   pa, pb, pc, pv = rows @ Wa, Wb, Wc, Wv   [B*L, *]          f32 accumulation
//   A  = act_a(pa + ba), transposed          [B, H, L]         f32
//   G  = act_b(pb + bb)                      [B, L, Hkv, D]    f32
//   X  = G (broadcast over R) * V, permuted  [B, H, D, L]      f32
//   Y  = swr.scan per kind of head           [B, H, D, L]      f32
//   Z  = Y * (pc + bc) + V, converted to T   [B*L, H*D]
//   out = Z @ Wo (f32), converted            [B, L, Dm]
//
// Heads are split as h = k * R + r (k: kv head, r: head in the kv group,
// R = H / Hkv), so V and Y are viewed as [.., Hkv, R, ..] and G and C are
// indexed by k alone: the kv-group repeat is a broadcast, never a copy.
//
//===----------------------------------------------------------------------===//
#include "phalanx/Transforms/Passes.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/PatternMatch.h"

namespace phalanx {
#define GEN_PASS_DEF_PHALANXDECOMPOSE
#include "phalanx/Transforms/Passes.h.inc"
} // namespace phalanx

using namespace mlir;
using phalanx::layer::Activation;
using phalanx::layer::LayerOp;
using phalanx::swr::ScanOp;
using phalanx::swr::WindowAttr;

namespace {

// hard_sigmoid(z) = clamp(z / kHardSigmoidScale + kHardSigmoidOffset, 0, 1).
constexpr double kHardSigmoidScale = 6.0;
constexpr double kHardSigmoidOffset = 0.5;

//===----------------------------------------------------------------------===//
// Scalar helpers (generic bodies)
//===----------------------------------------------------------------------===//

Value f32Constant(OpBuilder &b, Location loc, double value) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
}

/// Converts a float scalar to `to` (extf, truncf, or nothing).
Value convertFloat(OpBuilder &b, Location loc, Value value, Type to) {
  auto from = cast<FloatType>(value.getType());
  auto target = cast<FloatType>(to);
  if (from == target)
    return value;
  if (from.getWidth() < target.getWidth())
    return arith::ExtFOp::create(b, loc, target, value);
  if (from.getWidth() > target.getWidth())
    return arith::TruncFOp::create(b, loc, target, value);
  // Same width, other format (bf16 <-> f16): through f32.
  Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), value);
  return arith::TruncFOp::create(b, loc, target, wide);
}

Value toF32(OpBuilder &b, Location loc, Value value) {
  return convertFloat(b, loc, value, b.getF32Type());
}

/// sigmoid(z) = (z >= 0 ? 1 : e) / (1 + e) with e = exp(-|z|) <= 1: equal to
/// 1 / (1 + exp(-z)), and no exp ever overflows, so no inf / inf for any z.
Value sigmoid(OpBuilder &b, Location loc, Value z) {
  Value zero = f32Constant(b, loc, 0.0), one = f32Constant(b, loc, 1.0);
  Value negAbs = arith::NegFOp::create(b, loc, math::AbsFOp::create(b, loc, z));
  Value e = math::ExpOp::create(b, loc, negAbs);
  Value nonNegative =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGE, z, zero);
  Value numerator = arith::SelectOp::create(b, loc, nonNegative, one, e);
  Value denominator = arith::AddFOp::create(b, loc, one, e);
  return arith::DivFOp::create(b, loc, numerator, denominator);
}

Value hardSigmoid(OpBuilder &b, Location loc, Value z) {
  Value scale = f32Constant(b, loc, kHardSigmoidScale);
  Value offset = f32Constant(b, loc, kHardSigmoidOffset);
  Value zero = f32Constant(b, loc, 0.0), one = f32Constant(b, loc, 1.0);
  Value linear = arith::AddFOp::create(
      b, loc, arith::DivFOp::create(b, loc, z, scale), offset);
  Value lower = arith::MaximumFOp::create(b, loc, linear, zero);
  return arith::MinimumFOp::create(b, loc, lower, one);
}

/// The gate activation on an f32 scalar.
Value activate(OpBuilder &b, Location loc, Activation act, Value z) {
  switch (act) {
  case Activation::sigmoid:
    return sigmoid(b, loc, z);
  case Activation::swish:
    return arith::MulFOp::create(b, loc, z, sigmoid(b, loc, z));
  case Activation::hard_sigmoid:
    return hardSigmoid(b, loc, z);
  }
  llvm_unreachable("unknown activation");
}

//===----------------------------------------------------------------------===//
// Tensor helpers
//===----------------------------------------------------------------------===//

/// Indexing map of `numLoops` loops selecting the loops `dims` in order.
AffineMap loopMap(MLIRContext *ctx, unsigned numLoops,
                  ArrayRef<unsigned> dims) {
  SmallVector<AffineExpr> exprs;
  for (unsigned dim : dims)
    exprs.push_back(getAffineDimExpr(dim, ctx));
  return AffineMap::get(numLoops, /*symbolCount=*/0, exprs, ctx);
}

RankedTensorType tensorType(ArrayRef<OpFoldResult> sizes, Type elementType) {
  SmallVector<int64_t> shape;
  for (OpFoldResult size : sizes)
    shape.push_back(getConstantIntValue(size).value_or(ShapedType::kDynamic));
  return RankedTensorType::get(shape, elementType);
}

/// All-parallel linalg.generic with one result written into a fresh
/// tensor.empty of `sizes`; `body` maps the input scalars to the result.
Value parallelGeneric(
    ImplicitLocOpBuilder &b, ValueRange inputs, ArrayRef<AffineMap> maps,
    ArrayRef<OpFoldResult> sizes, Type elementType,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  Value init = tensor::EmptyOp::create(b, sizes, elementType);
  SmallVector<utils::IteratorType> iterators(maps.front().getNumDims(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, TypeRange{init.getType()}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nested, Location loc, ValueRange args) {
        Value result = body(nested, loc, args.drop_back());
        linalg::YieldOp::create(nested, loc, result);
      });
  // The builder gives block arguments their operands' locations.
  for (BlockArgument arg : generic.getBody()->getArguments())
    arg.setLoc(b.getLoc());
  return generic.getResult(0);
}

//===----------------------------------------------------------------------===//
// The layer
//===----------------------------------------------------------------------===//

class LayerDecomposition {
public:
  explicit LayerDecomposition(LayerOp layer)
      : layer(layer), b(layer.getLoc(), layer), ctx(layer.getContext()),
        f32(b.getF32Type()), heads(layer.getHeads()),
        kvHeads(layer.getKvHeads()), group(heads / kvHeads),
        headDim(layer.getHeadDim()) {}

  Value build();

private:
  OpFoldResult index(int64_t value) { return b.getIndexAttr(value); }

  /// [B, L] followed by `trailing`.
  SmallVector<OpFoldResult> tokenSizes(ArrayRef<int64_t> trailing);
  /// [B*L, K] @ [K, width] -> [B*L, width], f32 accumulation.
  Value project(Value rows, Value weight, int64_t width);
  /// [B*L, prod(trailing)] -> [B, L, trailing...].
  Value splitRows(Value rows, ArrayRef<int64_t> trailing);
  /// A 1-D bias [Hkv*D] viewed as [Hkv, D].
  Value kvHeadBias(Value bias);
  Value gates(Value pa);
  Value preGate(Value pb);
  Value drive(Value g, Value v);
  SmallVector<OpFoldResult> gateSizes(int64_t count) {
    return {batch, index(count), length};
  }
  SmallVector<OpFoldResult> driveSizes(int64_t count) {
    return {batch, index(count), index(headDim), length};
  }
  Value headSlice(Value full, ArrayRef<OpFoldResult> sizes, int64_t begin);
  Value scanHeads(Value a, Value x, int64_t begin, int64_t count,
                  WindowAttr window);
  Value recurrence(Value a, Value x);
  Value postGate(Value y, Value pc, Value v);
  Value outProjection(Value z);

  LayerOp layer;
  ImplicitLocOpBuilder b;
  MLIRContext *ctx;
  Type f32;
  int64_t heads, kvHeads, group, headDim;
  OpFoldResult batch, length, rowCount; // B, L, B*L
  Value zeroF32;                        // the projections' initial sum
};

SmallVector<OpFoldResult>
LayerDecomposition::tokenSizes(ArrayRef<int64_t> trailing) {
  SmallVector<OpFoldResult> sizes = {batch, length};
  for (int64_t size : trailing)
    sizes.push_back(index(size));
  return sizes;
}

Value LayerDecomposition::project(Value rows, Value weight, int64_t width) {
  SmallVector<OpFoldResult> sizes = {rowCount, index(width)};
  Value empty = tensor::EmptyOp::create(b, sizes, f32);
  Value acc = linalg::FillOp::create(b, ValueRange{zeroF32}, ValueRange{empty})
                  .getResult(0);
  return linalg::MatmulOp::create(b, TypeRange{acc.getType()},
                                  ValueRange{rows, weight}, ValueRange{acc})
      .getResult(0);
}

Value LayerDecomposition::splitRows(Value rows, ArrayRef<int64_t> trailing) {
  SmallVector<OpFoldResult> sizes = tokenSizes(trailing);
  ReassociationIndices tail;
  for (size_t i = 0; i < trailing.size(); ++i)
    tail.push_back(2 + i);
  auto elementType = cast<RankedTensorType>(rows.getType()).getElementType();
  return tensor::ExpandShapeOp::create(b, tensorType(sizes, elementType), rows,
                                       {ReassociationIndices{0, 1}, tail},
                                       sizes);
}

Value LayerDecomposition::kvHeadBias(Value bias) {
  auto type = cast<RankedTensorType>(bias.getType());
  SmallVector<OpFoldResult> sizes = {index(kvHeads), index(headDim)};
  return tensor::ExpandShapeOp::create(
      b, tensorType(sizes, type.getElementType()), bias,
      {ReassociationIndices{0, 1}}, sizes);
}

/// A = act_a(pa + ba), written transposed: loops (b, l, h) -> [B, H, L].
Value LayerDecomposition::gates(Value pa) {
  Activation act = layer.getActA();
  SmallVector<AffineMap> maps = {loopMap(ctx, 3, {0, 1, 2}),
                                 loopMap(ctx, 3, {2}),
                                 loopMap(ctx, 3, {0, 2, 1})};
  return parallelGeneric(b, {splitRows(pa, {heads}), layer.getBa()}, maps,
                         {batch, index(heads), length}, f32,
                         [&](OpBuilder &nb, Location loc, ValueRange args) {
                           Value z = arith::AddFOp::create(
                               nb, loc, args[0], toF32(nb, loc, args[1]));
                           return activate(nb, loc, act, z);
                         });
}

/// G = act_b(pb + bb): loops (b, l, k, d) -> [B, L, Hkv, D].
Value LayerDecomposition::preGate(Value pb) {
  Activation act = layer.getActB();
  AffineMap identity = loopMap(ctx, 4, {0, 1, 2, 3});
  SmallVector<AffineMap> maps = {identity, loopMap(ctx, 4, {2, 3}), identity};
  return parallelGeneric(
      b, {splitRows(pb, {kvHeads, headDim}), kvHeadBias(layer.getBb())}, maps,
      tokenSizes({kvHeads, headDim}), f32,
      [&](OpBuilder &nb, Location loc, ValueRange args) {
        Value z =
            arith::AddFOp::create(nb, loc, args[0], toF32(nb, loc, args[1]));
        return activate(nb, loc, act, z);
      });
}

/// X = G[k] * V[k, r]: loops (b, l, k, r, d), written as [B, Hkv, R, D, L]
/// and viewed as the scan's drive [B, H, D, L].
Value LayerDecomposition::drive(Value g, Value v) {
  SmallVector<AffineMap> maps = {loopMap(ctx, 5, {0, 1, 2, 4}),
                                 loopMap(ctx, 5, {0, 1, 2, 3, 4}),
                                 loopMap(ctx, 5, {0, 2, 3, 4, 1})};
  Value x = parallelGeneric(
      b, {g, v}, maps,
      {batch, index(kvHeads), index(group), index(headDim), length}, f32,
      [&](OpBuilder &nb, Location loc, ValueRange args) -> Value {
        return arith::MulFOp::create(nb, loc, args[0], args[1]);
      });
  return tensor::CollapseShapeOp::create(
      b, x,
      {ReassociationIndices{0}, ReassociationIndices{1, 2},
       ReassociationIndices{3}, ReassociationIndices{4}});
}

/// Heads [begin, begin + sizes[1]) of `full` ([B, H, ...]).
Value LayerDecomposition::headSlice(Value full, ArrayRef<OpFoldResult> sizes,
                                    int64_t begin) {
  SmallVector<OpFoldResult> offsets(sizes.size(), index(0));
  SmallVector<OpFoldResult> strides(sizes.size(), index(1));
  offsets[1] = index(begin);
  return tensor::ExtractSliceOp::create(b, full, offsets, sizes, strides);
}

/// swr.scan over heads [begin, begin + count) of A [B, H, L] and
/// X [B, H, D, L].
Value LayerDecomposition::scanHeads(Value a, Value x, int64_t begin,
                                    int64_t count, WindowAttr window) {
  if (count != heads) {
    a = headSlice(a, gateSizes(count), begin);
    x = headSlice(x, driveSizes(count), begin);
  }
  return ScanOp::create(b, x.getType(), a, x, /*resets=*/Value(),
                        /*init=*/Value(), window, /*schedule=*/nullptr,
                        /*transpose=*/false);
}

/// Y: the first global_heads heads with the exact recurrence (same block),
/// the others with the layer's window, joined along H.
Value LayerDecomposition::recurrence(Value a, Value x) {
  WindowAttr local = layer.getWindow();
  WindowAttr exact = WindowAttr::get(ctx, local.getBlock(), WindowAttr::kInf,
                                     WindowAttr::kInf);
  int64_t global = layer.getGlobalHeads();
  if (global == 0 || local == exact)
    return scanHeads(a, x, 0, heads, local);
  if (global == heads)
    return scanHeads(a, x, 0, heads, exact);

  Value y = tensor::EmptyOp::create(b, driveSizes(heads), f32);
  for (auto [begin, count, window] :
       {std::tuple<int64_t, int64_t, WindowAttr>{0, global, exact},
        {global, heads - global, local}}) {
    Value part = scanHeads(a, x, begin, count, window);
    SmallVector<OpFoldResult> offsets(4, index(0)), strides(4, index(1));
    offsets[1] = index(begin);
    y = tensor::InsertSliceOp::create(b, part, y, offsets, driveSizes(count),
                                      strides);
  }
  return y;
}

/// Z = Y * (pc + bc) + V in f32, converted to x's element type: loops
/// (b, l, k, r, d) -> [B, L, Hkv, R, D], returned as rows [B*L, H*D].
Value LayerDecomposition::postGate(Value y, Value pc, Value v) {
  SmallVector<OpFoldResult> ySizes = {batch, index(kvHeads), index(group),
                                      index(headDim), length};
  Value yGroups = tensor::ExpandShapeOp::create(
      b, tensorType(ySizes, f32), y,
      {ReassociationIndices{0}, ReassociationIndices{1, 2},
       ReassociationIndices{3}, ReassociationIndices{4}},
      ySizes);
  Type elementType = layer.getX().getType().getElementType();
  AffineMap identity = loopMap(ctx, 5, {0, 1, 2, 3, 4});
  SmallVector<AffineMap> maps = {loopMap(ctx, 5, {0, 2, 3, 4, 1}),
                                 loopMap(ctx, 5, {0, 1, 2, 4}),
                                 loopMap(ctx, 5, {2, 4}), identity, identity};
  Value z = parallelGeneric(
      b, {yGroups, pc, kvHeadBias(layer.getBc()), v}, maps,
      tokenSizes({kvHeads, group, headDim}), elementType,
      [&](OpBuilder &nb, Location loc, ValueRange args) {
        Value c =
            arith::AddFOp::create(nb, loc, args[1], toF32(nb, loc, args[2]));
        Value gated = arith::MulFOp::create(nb, loc, args[0], c);
        Value sum = arith::AddFOp::create(nb, loc, gated, args[3]);
        return convertFloat(nb, loc, sum, elementType);
      });
  return tensor::CollapseShapeOp::create(
      b, z, {ReassociationIndices{0, 1}, ReassociationIndices{2, 3, 4}});
}

/// out = Z @ Wo accumulated in f32, converted to the result element type.
Value LayerDecomposition::outProjection(Value z) {
  auto resultType = cast<RankedTensorType>(layer.getOut().getType());
  int64_t model = resultType.getDimSize(2);
  Value out = project(z, layer.getWo(), model);
  Type elementType = resultType.getElementType();
  if (elementType != f32) {
    AffineMap identity = loopMap(ctx, 2, {0, 1});
    out = parallelGeneric(b, {out}, {identity, identity},
                          {rowCount, index(model)}, elementType,
                          [&](OpBuilder &nb, Location loc, ValueRange args) {
                            return convertFloat(nb, loc, args[0], elementType);
                          });
  }
  return splitRows(out, {model});
}

Value LayerDecomposition::build() {
  Value x = layer.getX();
  SmallVector<OpFoldResult> xSizes = tensor::getMixedSizes(b, b.getLoc(), x);
  batch = xSizes[0];
  length = xSizes[1];
  Value rows = tensor::CollapseShapeOp::create(
      b, x, {ReassociationIndices{0, 1}, ReassociationIndices{2}});
  rowCount = tensor::getMixedSize(b, b.getLoc(), rows, 0);
  zeroF32 = f32Constant(b, b.getLoc(), 0.0);

  int64_t kvWidth = kvHeads * headDim, width = heads * headDim;
  Value pa = project(rows, layer.getWa(), heads);
  Value pb = project(rows, layer.getWb(), kvWidth);
  Value pc = project(rows, layer.getWc(), kvWidth);
  Value pv = project(rows, layer.getWv(), width);

  Value v = splitRows(pv, {kvHeads, group, headDim});
  Value a = gates(pa);
  Value xs = drive(preGate(pb), v);
  Value y = recurrence(a, xs);
  Value z = postGate(y, splitRows(pc, {kvHeads, headDim}), v);
  return outProjection(z);
}

struct PhalanxDecomposePass
    : phalanx::impl::PhalanxDecomposeBase<PhalanxDecomposePass> {
  void runOnOperation() override {
    SmallVector<LayerOp> layers;
    getOperation()->walk([&](LayerOp layer) { layers.push_back(layer); });
    for (LayerOp layer : layers) {
      Value out = LayerDecomposition(layer).build();
      layer.getOut().replaceAllUsesWith(out);
      layer.erase();
    }
  }
};

} // namespace
