//===- SWROps.cpp - swr ops: verifiers and shape reification --------------===//
#include "phalanx/Dialect/SWR/SWRDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace phalanx::swr;

namespace {
/// One named dimension of one operand, for messages such as
/// "drive dim 3 (L) is 100 but gates dim 2 (L) is 128".
struct DimRef {
  StringRef operand;
  Value value;
  int64_t dim;
  StringRef meaning;

  int64_t size() const {
    return cast<RankedTensorType>(value.getType()).getDimSize(dim);
  }
};

LogicalResult checkRank(Operation *op, StringRef name, Value value,
                        int64_t rank, StringRef layout) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getRank() != rank)
    return op->emitOpError() << name << " must have rank " << rank << " "
                             << layout << ", got " << type;
  return success();
}

/// Two dims that mean the same extent must agree when both are static.
LogicalResult checkSameDim(Operation *op, const DimRef &a, const DimRef &b) {
  int64_t sa = a.size(), sb = b.size();
  if (ShapedType::isDynamic(sa) || ShapedType::isDynamic(sb) || sa == sb)
    return success();
  return op->emitOpError() << a.operand << " dim " << a.dim << " (" << a.meaning
                           << ") is " << sa << " but " << b.operand << " dim "
                           << b.dim << " (" << b.meaning << ") is " << sb;
}

LogicalResult checkHeadDim(Operation *op, StringRef name, Value value,
                           int64_t dim) {
  int64_t d = cast<RankedTensorType>(value.getType()).getDimSize(dim);
  if (d != 16 && d != 32 && d != 64)
    return op->emitOpError()
           << name << " dim " << dim << " (D, the head dim) must be static and "
           << "one of 16, 32, 64, got "
           << (ShapedType::isDynamic(d) ? std::string("?")
                                        : std::to_string(d));
  return success();
}

/// Static extent of the tile axis for `length` tokens, or dynamic.
int64_t tileCount(int64_t length, int64_t block) {
  if (ShapedType::isDynamic(length))
    return ShapedType::kDynamic;
  return (length + block - 1) / block;
}

LogicalResult checkTileCount(Operation *op, StringRef name, Value value,
                             int64_t dim, int64_t length, int64_t block) {
  int64_t expected = tileCount(length, block);
  int64_t actual = cast<RankedTensorType>(value.getType()).getDimSize(dim);
  if (ShapedType::isDynamic(expected) || ShapedType::isDynamic(actual) ||
      expected == actual)
    return success();
  return op->emitOpError() << name << " dim " << dim << " (T, tiles) is "
                           << actual << " but ceil(" << length << " / "
                           << block << ") = " << expected;
}

LogicalResult checkBlock(Operation *op, uint64_t rawBlock) {
  auto block = static_cast<int64_t>(rawBlock);
  if (block < 1)
    return op->emitOpError() << "block must be >= 1, got " << block;
  return success();
}
} // namespace

//===----------------------------------------------------------------------===//
// ScanOp
//===----------------------------------------------------------------------===//

LogicalResult ScanOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "gates", getGates(), 3, "[B, H, L]")) ||
      failed(checkRank(op, "drive", getDrive(), 4, "[B, H, D, L]")) ||
      failed(checkRank(op, "result", getY(), 4, "[B, H, D, L]")))
    return failure();
  if (failed(checkHeadDim(op, "drive", getDrive(), 2)))
    return failure();
  DimRef gB{"gates", getGates(), 0, "B"}, gH{"gates", getGates(), 1, "H"},
      gL{"gates", getGates(), 2, "L"};
  DimRef xB{"drive", getDrive(), 0, "B"}, xH{"drive", getDrive(), 1, "H"},
      xD{"drive", getDrive(), 2, "D"}, xL{"drive", getDrive(), 3, "L"};
  if (failed(checkSameDim(op, xB, gB)) || failed(checkSameDim(op, xH, gH)) ||
      failed(checkSameDim(op, xL, gL)))
    return failure();
  auto driveShape = cast<RankedTensorType>(getDrive().getType()).getShape();
  auto resultShape = cast<RankedTensorType>(getY().getType()).getShape();
  if (driveShape != resultShape)
    return emitOpError() << "result shape must equal the drive's shape ["
                         << "B, H, D, L], got " << getY().getType()
                         << " for drive " << getDrive().getType();
  if (Value resets = getResets()) {
    if (failed(checkRank(op, "resets", resets, 2, "[B, L]")) ||
        failed(checkSameDim(op, {"resets", resets, 0, "B"}, xB)) ||
        failed(checkSameDim(op, {"resets", resets, 1, "L"}, xL)))
      return failure();
  }
  if (Value init = getInit()) {
    if (getTranspose())
      return emitOpError() << "init is not allowed with transpose: the "
                              "transpose runs from the end of the sequence, "
                              "where no initial state exists";
    if (failed(checkRank(op, "init", init, 3, "[B, H, D]")) ||
        failed(checkSameDim(op, {"init", init, 0, "B"}, xB)) ||
        failed(checkSameDim(op, {"init", init, 1, "H"}, xH)) ||
        failed(checkSameDim(op, {"init", init, 2, "D"}, xD)))
      return failure();
  }
  if (std::optional<ScheduleAttr> schedule = getSchedule())
    return schedule->verifyForWindow([&] { return emitOpError(); },
                                     getWindow());
  return success();
}

LogicalResult
ScanOp::reifyResultShapes(OpBuilder &builder,
                          ReifiedRankedShapedTypeDims &reifiedReturnShapes) {
  reifiedReturnShapes.push_back(
      tensor::getMixedSizes(builder, getLoc(), getDrive()));
  return success();
}

//===----------------------------------------------------------------------===//
// Tiled ops
//===----------------------------------------------------------------------===//

LogicalResult MaskGatesOp::verify() {
  Operation *op = getOperation();
  if (failed(checkBlock(op, getBlock())))
    return failure();
  int64_t segment = static_cast<int64_t>(getSegment());
  if (segment < 1 && segment != WindowAttr::kInf)
    return emitOpError() << "segment must be >= 1 or -1 (inf), got " << segment;
  if (failed(checkRank(op, "gates", getGates(), 3, "[B, H, L]")))
    return failure();
  if (getGates().getType().getShape() != getMasked().getType().getShape())
    return emitOpError() << "result shape must equal the gates' shape";
  if (Value resets = getResets()) {
    if (failed(checkRank(op, "resets", resets, 2, "[B, L]")) ||
        failed(checkSameDim(op, {"resets", resets, 0, "B"},
                            {"gates", getGates(), 0, "B"})) ||
        failed(checkSameDim(op, {"resets", resets, 1, "L"},
                            {"gates", getGates(), 2, "L"})))
      return failure();
  }
  return success();
}

LogicalResult TileScanOp::verify() {
  Operation *op = getOperation();
  if (failed(checkBlock(op, getBlock())) ||
      failed(checkRank(op, "gates", getGates(), 3, "[B, H, L]")) ||
      failed(checkRank(op, "drive", getDrive(), 4, "[B, H, D, L]")) ||
      failed(checkRank(op, "local", getLocal(), 4, "[B, H, D, L]")) ||
      failed(checkRank(op, "prefix", getPrefix(), 3, "[B, H, L]")) ||
      failed(checkRank(op, "carrier_gates", getCarrierGates(), 3, "[B, H, T]")) ||
      failed(checkRank(op, "carrier_states", getCarrierStates(), 4,
                       "[B, H, D, T]")))
    return failure();
  DimRef xB{"drive", getDrive(), 0, "B"}, xH{"drive", getDrive(), 1, "H"},
      xD{"drive", getDrive(), 2, "D"}, xL{"drive", getDrive(), 3, "L"};
  if (failed(checkSameDim(op, {"gates", getGates(), 0, "B"}, xB)) ||
      failed(checkSameDim(op, {"gates", getGates(), 1, "H"}, xH)) ||
      failed(checkSameDim(op, {"gates", getGates(), 2, "L"}, xL)))
    return failure();
  if (getDrive().getType().getShape() != getLocal().getType().getShape())
    return emitOpError() << "local must have the drive's shape";
  if (getGates().getType().getShape() != getPrefix().getType().getShape())
    return emitOpError() << "prefix must have the gates' shape";
  int64_t length = xL.size();
  for (auto [name, value, dim] :
       {std::tuple<StringRef, Value, int64_t>{"carrier_gates",
                                              getCarrierGates(), 2},
        {"carrier_states", getCarrierStates(), 3}})
    if (failed(checkTileCount(op, name, value, dim, length, getBlock())))
      return failure();
  if (failed(checkSameDim(op, {"carrier_states", getCarrierStates(), 2, "D"},
                          xD)))
    return failure();
  return success();
}

LogicalResult CarrierScanOp::verify() {
  Operation *op = getOperation();
  // I64Attr accessors return uint64_t; the -1 (inf) sentinel needs a signed view.
  int64_t hops = static_cast<int64_t>(getHops());
  if (hops < 0 && hops != WindowAttr::kInf)
    return emitOpError() << "hops must be >= 0 or -1 (inf), got " << hops;
  if (failed(checkRank(op, "carrier_gates", getCarrierGates(), 3,
                       "[B, H, T]")) ||
      failed(checkRank(op, "carrier_states", getCarrierStates(), 4,
                       "[B, H, D, T]")))
    return failure();
  DimRef vB{"carrier_states", getCarrierStates(), 0, "B"},
      vH{"carrier_states", getCarrierStates(), 1, "H"},
      vD{"carrier_states", getCarrierStates(), 2, "D"},
      vT{"carrier_states", getCarrierStates(), 3, "T"};
  if (failed(checkSameDim(op, {"carrier_gates", getCarrierGates(), 0, "B"}, vB)) ||
      failed(checkSameDim(op, {"carrier_gates", getCarrierGates(), 1, "H"}, vH)) ||
      failed(checkSameDim(op, {"carrier_gates", getCarrierGates(), 2, "T"}, vT)))
    return failure();
  if (getCarry().getType().getShape() !=
      getCarrierStates().getType().getShape())
    return emitOpError() << "carry must have the carrier states' shape";
  if (Value init = getInit()) {
    if (getReverse())
      return emitOpError() << "init is not allowed with reverse";
    if (failed(checkRank(op, "init", init, 3, "[B, H, D]")) ||
        failed(checkSameDim(op, {"init", init, 0, "B"}, vB)) ||
        failed(checkSameDim(op, {"init", init, 1, "H"}, vH)) ||
        failed(checkSameDim(op, {"init", init, 2, "D"}, vD)))
      return failure();
  }
  return verifyLevel();
}

/// The per-level form of swr-gpu-tile: span, level, route and partial.
LogicalResult CarrierScanOp::verifyLevel() {
  int64_t span = getSpanTiles();
  if (span < 1 && span != -1)
    return emitOpError() << "span must be >= 1 tiles or -1 (the whole "
                            "sequence), got "
                         << span;
  std::optional<CarrierLevel> level = getLevel();
  std::optional<CarrierRoute> route = getRoute();
  if (level.has_value() != route.has_value())
    return emitOpError() << "level and route come together";
  if (level) {
    CarrierRoute allowed[] = {CarrierRoute::shuffle, CarrierRoute::smem,
                              CarrierRoute::dsmem, CarrierRoute::flags};
    CarrierRoute own = allowed[static_cast<int>(*level)];
    bool bulk = *level == CarrierLevel::cta && *route == CarrierRoute::bulk;
    if (*route != own && *route != CarrierRoute::halo && !bulk)
      return emitOpError() << "route '" << stringifyCarrierRoute(*route)
                           << "' cannot cross the " << stringifyCarrierLevel(*level)
                           << " level (" << stringifyCarrierRoute(own)
                           << (*level == CarrierLevel::cta ? ", bulk" : "")
                           << " or halo)";
    if (*route == CarrierRoute::halo && span != -1)
      return emitOpError() << "a halo level recomputes every earlier tile of "
                              "the window: its span must be -1, got "
                           << span;
    if (*level == CarrierLevel::grid && span != -1)
      return emitOpError() << "the grid level spans the whole sequence: its "
                              "span must be -1, got "
                           << span;
  }
  Value partial = getPartial();
  if (!partial)
    return success();
  if (partial.getType() != getCarry().getType())
    return emitOpError() << "partial must have the carry's type";
  auto below = partial.getDefiningOp<CarrierScanOp>();
  if (!below)
    return emitOpError() << "partial must be the carry of a swr.carrier_scan "
                            "(the level below)";
  int64_t inner = below.getSpanTiles();
  if (below.getHops() != getHops() || below.getReverse() != getReverse() ||
      static_cast<bool>(below.getInit()) != static_cast<bool>(getInit()))
    return emitOpError() << "partial must come from a carrier_scan with the "
                            "same hops, reverse and init";
  if (inner == -1 || (span != -1 && span % inner != 0))
    return emitOpError() << "partial's span (" << inner
                         << ") must be finite and divide this span (" << span
                         << ")";
  if (level && below.getLevel() && *below.getLevel() >= *level)
    return emitOpError() << "partial must come from a lower level than "
                         << stringifyCarrierLevel(*level);
  return success();
}

LogicalResult TileApplyOp::verify() {
  Operation *op = getOperation();
  if (failed(checkBlock(op, getBlock())) ||
      failed(checkRank(op, "local", getLocal(), 4, "[B, H, D, L]")) ||
      failed(checkRank(op, "prefix", getPrefix(), 3, "[B, H, L]")) ||
      failed(checkRank(op, "result", getY(), 4, "[B, H, D, L]")))
    return failure();
  DimRef lL{"local", getLocal(), 3, "L"};
  if (failed(checkSameDim(op, {"prefix", getPrefix(), 0, "B"},
                          {"local", getLocal(), 0, "B"})) ||
      failed(checkSameDim(op, {"prefix", getPrefix(), 1, "H"},
                          {"local", getLocal(), 1, "H"})) ||
      failed(checkSameDim(op, {"prefix", getPrefix(), 2, "L"}, lL)))
    return failure();
  if (getLocal().getType().getShape() != getY().getType().getShape())
    return emitOpError() << "result must have the local states' shape";
  if (Value carry = getCarry()) {
    if (failed(checkRank(op, "carry", carry, 4, "[B, H, D, T]")) ||
        failed(checkTileCount(op, "carry", carry, 3, lL.size(), getBlock())))
      return failure();
  }
  return success();
}

#define GET_OP_CLASSES
#include "phalanx/Dialect/SWR/SWROps.cpp.inc"
