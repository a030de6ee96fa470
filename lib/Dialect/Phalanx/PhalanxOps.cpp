//===- PhalanxOps.cpp - phalanx.layer verifier and shapes -----------------===//
#include "phalanx/Dialect/Phalanx/PhalanxDialect.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace phalanx::layer;

namespace {
std::string formatDim(int64_t size) {
  return ShapedType::isDynamic(size) ? std::string("?") : std::to_string(size);
}

/// Checks that operand `name` has exactly the expected shape; `expected`
/// entries may be dynamic (anything matches), and a dynamic operand dim
/// matches anything too (checked at run time by the runtime).
LogicalResult checkShape(Operation *op, StringRef name, Value value,
                         ArrayRef<int64_t> expected, StringRef layout) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getRank() != static_cast<int64_t>(expected.size()))
    return op->emitOpError() << "operand '" << name << "' must have rank "
                             << expected.size() << " " << layout << ", got "
                             << type;
  for (auto [dim, want] : llvm::enumerate(expected)) {
    int64_t have = type.getDimSize(dim);
    if (ShapedType::isDynamic(want) || ShapedType::isDynamic(have) ||
        want == have)
      continue;
    return op->emitOpError() << "operand '" << name << "' " << layout
                             << " has dim " << dim << " = " << have
                             << ", expected " << want << " (shape "
                             << type << ")";
  }
  return success();
}
} // namespace

LogicalResult LayerOp::verify() {
  Operation *op = getOperation();
  int64_t heads = getHeads(), kvHeads = getKvHeads(), headDim = getHeadDim();
  if (heads < 1)
    return emitOpError() << "heads must be >= 1, got " << heads;
  if (kvHeads < 1 || heads % kvHeads != 0)
    return emitOpError() << "kv_heads must divide heads (" << heads
                         << "), got " << kvHeads;
  if (headDim != 16 && headDim != 32 && headDim != 64)
    return emitOpError() << "head_dim must be 16, 32 or 64, got " << headDim;
  if (getGlobalHeads() < 0 || getGlobalHeads() > heads)
    return emitOpError() << "global_heads must be in [0, heads = " << heads
                         << "], got " << getGlobalHeads();

  auto xType = cast<RankedTensorType>(getX().getType());
  if (xType.getRank() != 3)
    return emitOpError() << "operand 'x' must have rank 3 [B, L, Dm], got "
                         << xType;
  int64_t dm = xType.getDimSize(2);
  if (ShapedType::isDynamic(dm))
    return emitOpError() << "operand 'x' dim 2 (Dm, the model width) must be "
                            "static";
  int64_t kvWidth = kvHeads * headDim, width = heads * headDim;
  if (failed(checkShape(op, "wa", getWa(), {dm, heads}, "[Dm, H]")) ||
      failed(checkShape(op, "ba", getBa(), {heads}, "[H]")) ||
      failed(checkShape(op, "wb", getWb(), {dm, kvWidth}, "[Dm, Hkv*D]")) ||
      failed(checkShape(op, "bb", getBb(), {kvWidth}, "[Hkv*D]")) ||
      failed(checkShape(op, "wc", getWc(), {dm, kvWidth}, "[Dm, Hkv*D]")) ||
      failed(checkShape(op, "bc", getBc(), {kvWidth}, "[Hkv*D]")) ||
      failed(checkShape(op, "wv", getWv(), {dm, width}, "[Dm, H*D]")) ||
      failed(checkShape(op, "wo", getWo(), {width, dm}, "[H*D, Dm]")))
    return failure();
  auto outType = cast<RankedTensorType>(getOut().getType());
  if (outType.getShape() != xType.getShape())
    return emitOpError() << "result must have the shape of 'x' [B, L, Dm] = ["
                         << formatDim(xType.getDimSize(0)) << ", "
                         << formatDim(xType.getDimSize(1)) << ", " << dm
                         << "], got " << outType;
  return success();
}

LogicalResult
LayerOp::reifyResultShapes(OpBuilder &builder,
                           ReifiedRankedShapedTypeDims &reifiedReturnShapes) {
  reifiedReturnShapes.push_back(
      tensor::getMixedSizes(builder, getLoc(), getX()));
  return success();
}

//===----------------------------------------------------------------------===//
// The fused form (phalanx-fuse-layer)
//===----------------------------------------------------------------------===//

namespace {
/// heads / kv_heads / head_dim / global_heads, as phalanx.layer checks them.
LogicalResult verifyHeads(Operation *op, int64_t heads, int64_t kvHeads,
                          int64_t headDim, int64_t globalHeads) {
  if (heads < 1)
    return op->emitOpError() << "heads must be >= 1, got " << heads;
  if (kvHeads < 1 || heads % kvHeads != 0)
    return op->emitOpError() << "kv_heads must divide heads (" << heads
                             << "), got " << kvHeads;
  if (headDim != 16 && headDim != 32 && headDim != 64)
    return op->emitOpError() << "head_dim must be 16, 32 or 64, got "
                             << headDim;
  if (globalHeads < 0 || globalHeads > heads)
    return op->emitOpError() << "global_heads must be in [0, heads = "
                             << heads << "], got " << globalHeads;
  return success();
}

/// Every operand and the result have one element type.
LogicalResult verifyOneElementType(Operation *op) {
  Type elem = cast<RankedTensorType>(op->getResult(0).getType())
                  .getElementType();
  for (auto [i, v] : llvm::enumerate(op->getOperands()))
    if (cast<RankedTensorType>(v.getType()).getElementType() != elem)
      return op->emitOpError()
             << "operands and result must have one element type, operand #"
             << i << " is " << v.getType() << " and the result "
             << op->getResult(0).getType();
  return success();
}

/// `type` has exactly `expected` (dynamic entries of either side match).
LogicalResult checkResult(Operation *op, Type type, ArrayRef<int64_t> expected,
                          StringRef layout) {
  auto t = cast<RankedTensorType>(type);
  bool ok = t.getRank() == static_cast<int64_t>(expected.size());
  for (size_t i = 0; ok && i < expected.size(); ++i)
    ok = ShapedType::isDynamic(expected[i]) ||
         ShapedType::isDynamic(t.getDimSize(i)) ||
         expected[i] == t.getDimSize(i);
  if (ok)
    return success();
  std::string want;
  for (size_t i = 0; i < expected.size(); ++i)
    want += (i ? ", " : "") + formatDim(expected[i]);
  return op->emitOpError() << "result must be " << layout << " = [" << want
                           << "], got " << type;
}
/// The operands of a projection: one element type, a rank-3 `in` whose
/// dimension `contracted` meets the rows of the static matrix `w`.
LogicalResult verifyProjection(Operation *op, StringRef inName, Value in,
                               StringRef inLayout, int64_t contracted, Value w,
                               StringRef wLayout) {
  if (failed(verifyOneElementType(op)))
    return failure();
  auto inType = cast<RankedTensorType>(in.getType());
  auto wType = cast<RankedTensorType>(w.getType());
  if (inType.getRank() != 3)
    return op->emitOpError() << "operand '" << inName << "' must have rank 3 "
                             << inLayout << ", got " << inType;
  if (wType.getRank() != 2 || !wType.hasStaticShape())
    return op->emitOpError() << "operand 'w' must be a static " << wLayout
                             << " matrix, got " << wType;
  return checkShape(op, "w", w,
                    {inType.getDimSize(contracted), ShapedType::kDynamic},
                    wLayout);
}
} // namespace

LogicalResult ProjectOp::verify() {
  if (failed(verifyProjection(getOperation(), "x", getX(), "[B, L, K]", 2,
                              getW(), "[K, N]")))
    return failure();
  auto x = cast<RankedTensorType>(getX().getType());
  auto w = cast<RankedTensorType>(getW().getType());
  return checkResult(getOperation(), getP().getType(),
                     {x.getDimSize(0), w.getDimSize(1), x.getDimSize(1)},
                     "[B, N, L]");
}

LogicalResult ProjectOutOp::verify() {
  if (failed(verifyProjection(getOperation(), "z", getZ(), "[B, N, L]", 1,
                              getW(), "[N, M]")))
    return failure();
  auto z = cast<RankedTensorType>(getZ().getType());
  auto w = cast<RankedTensorType>(getW().getType());
  return checkResult(getOperation(), getO().getType(),
                     {z.getDimSize(0), z.getDimSize(2), w.getDimSize(1)},
                     "[B, L, M]");
}

LogicalResult FusedMixOp::verify() {
  Operation *op = getOperation();
  int64_t heads = getHeads(), kvHeads = getKvHeads(), headDim = getHeadDim();
  if (failed(verifyHeads(op, heads, kvHeads, headDim, getGlobalHeads())) ||
      failed(verifyOneElementType(op)))
    return failure();
  auto pa = cast<RankedTensorType>(getPa().getType());
  if (pa.getRank() != 3)
    return emitOpError() << "operand 'pa' must have rank 3 [B, H, L], got "
                         << pa;
  int64_t B = pa.getDimSize(0), L = pa.getDimSize(2);
  int64_t kvWidth = kvHeads * headDim, width = heads * headDim;
  if (failed(checkShape(op, "pa", getPa(), {B, heads, L}, "[B, H, L]")) ||
      failed(checkShape(op, "ba", getBa(), {heads}, "[H]")) ||
      failed(checkShape(op, "pb", getPb(), {B, kvWidth, L}, "[B, Hkv*D, L]")) ||
      failed(checkShape(op, "bb", getBb(), {kvWidth}, "[Hkv*D]")) ||
      failed(checkShape(op, "pc", getPc(), {B, kvWidth, L}, "[B, Hkv*D, L]")) ||
      failed(checkShape(op, "bc", getBc(), {kvWidth}, "[Hkv*D]")) ||
      failed(checkShape(op, "pv", getPv(), {B, width, L}, "[B, H*D, L]")))
    return failure();
  return checkResult(op, getZ().getType(), {B, width, L}, "[B, H*D, L]");
}

#define GET_OP_CLASSES
#include "phalanx/Dialect/Phalanx/PhalanxOps.cpp.inc"
