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

#define GET_OP_CLASSES
#include "phalanx/Dialect/Phalanx/PhalanxOps.cpp.inc"
