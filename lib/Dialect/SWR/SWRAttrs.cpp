//===- SWRAttrs.cpp - #swr.window and #swr.schedule -----------------------===//
#include "phalanx/Dialect/SWR/SWRDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace phalanx::swr;

#include "phalanx/Dialect/SWR/SWREnums.cpp.inc"

namespace {
/// Parses `< key = value, ... >`, calling `parseValue(key)` for each key and
/// rejecting keys given twice.
ParseResult parseKeyValueList(AsmParser &parser,
                              function_ref<ParseResult(StringRef)> parseValue) {
  llvm::StringSet<> seen;
  if (parser.parseLess())
    return failure();
  if (succeeded(parser.parseOptionalGreater()))
    return success();
  do {
    SMLoc loc = parser.getCurrentLocation();
    StringRef key;
    if (parser.parseKeyword(&key) || parser.parseEqual())
      return failure();
    if (!seen.insert(key).second)
      return parser.emitError(loc) << "'" << key << "' is given twice";
    if (parseValue(key))
      return failure();
  } while (succeeded(parser.parseOptionalComma()));
  return parser.parseGreater();
}

/// An integer or the keyword `inf` (stored as WindowAttr::kInf).
ParseResult parseIntOrInf(AsmParser &parser, int64_t &value) {
  if (succeeded(parser.parseOptionalKeyword("inf"))) {
    value = WindowAttr::kInf;
    return success();
  }
  return parser.parseInteger(value);
}

void printIntOrInf(AsmPrinter &printer, int64_t value) {
  if (value == WindowAttr::kInf)
    printer << "inf";
  else
    printer << value;
}

template <typename EnumT>
ParseResult parseEnumKeyword(AsmParser &parser, StringRef key,
                             std::optional<EnumT> (*symbolize)(StringRef),
                             EnumT &value) {
  SMLoc loc = parser.getCurrentLocation();
  StringRef word;
  if (parser.parseKeyword(&word))
    return failure();
  std::optional<EnumT> parsed = symbolize(word);
  if (!parsed)
    return parser.emitError(loc)
           << "'" << word << "' is not a valid value for '" << key << "'";
  value = *parsed;
  return success();
}
} // namespace

//===----------------------------------------------------------------------===//
// WindowAttr
//===----------------------------------------------------------------------===//

Attribute WindowAttr::parse(AsmParser &parser, Type) {
  SMLoc loc = parser.getCurrentLocation();
  std::optional<int64_t> block, hops;
  int64_t segment = kInf;
  auto parseValue = [&](StringRef key) -> ParseResult {
    int64_t value;
    if (key == "block") {
      if (parser.parseInteger(value))
        return failure();
      block = value;
      return success();
    }
    if (key == "hops") {
      if (parseIntOrInf(parser, value))
        return failure();
      hops = value;
      return success();
    }
    if (key == "segment")
      return parseIntOrInf(parser, segment);
    return parser.emitError(parser.getCurrentLocation())
           << "unknown window field '" << key
           << "' (expected block, hops or segment)";
  };
  if (parseKeyValueList(parser, parseValue))
    return {};
  if (!block || !hops) {
    parser.emitError(loc) << "a window needs 'block' and 'hops'";
    return {};
  }
  return parser.getChecked<WindowAttr>(loc, parser.getContext(), *block, *hops,
                                       segment);
}

void WindowAttr::print(AsmPrinter &printer) const {
  printer << "<block = " << getBlock() << ", hops = ";
  printIntOrInf(printer, getHops());
  printer << ", segment = ";
  printIntOrInf(printer, getSegment());
  printer << ">";
}

LogicalResult WindowAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 int64_t block, int64_t hops, int64_t segment) {
  if (block < 8 || block > 128 || !llvm::isPowerOf2_64(block))
    return emitError() << "window block must be a power of two from 8 to 128, "
                          "got "
                       << block;
  if (hops < 0 && hops != kInf)
    return emitError() << "window hops must be >= 0 or inf, got " << hops;
  if (segment < 1 && segment != kInf)
    return emitError() << "window segment must be >= 1 or inf, got "
                       << segment;
  return success();
}

//===----------------------------------------------------------------------===//
// ScheduleAttr
//===----------------------------------------------------------------------===//

ScheduleAttr ScheduleAttr::getDefault(MLIRContext *ctx) {
  return ScheduleAttr::get(ctx, LocalStrategy::scan, /*tilesPerLane=*/1,
                           /*warps=*/4, /*cluster=*/1, CarrierRoute::shuffle,
                           CarrierRoute::smem, CarrierRoute::none,
                           CarrierRoute::flags);
}

Attribute ScheduleAttr::parse(AsmParser &parser, Type) {
  SMLoc loc = parser.getCurrentLocation();
  LocalStrategy local = LocalStrategy::scan;
  int64_t tilesPerLane = 1, warps = 4, cluster = 1;
  CarrierRoute lane = CarrierRoute::shuffle, warp = CarrierRoute::smem,
               grid = CarrierRoute::flags;
  std::optional<CarrierRoute> cta;
  auto parseValue = [&](StringRef key) -> ParseResult {
    if (key == "local")
      return parseEnumKeyword<LocalStrategy>(parser, key, symbolizeLocalStrategy,
                                             local);
    if (key == "tiles_per_lane")
      return parser.parseInteger(tilesPerLane);
    if (key == "warps")
      return parser.parseInteger(warps);
    if (key == "cluster")
      return parser.parseInteger(cluster);
    if (key == "lane")
      return parseEnumKeyword<CarrierRoute>(parser, key, symbolizeCarrierRoute,
                                            lane);
    if (key == "warp")
      return parseEnumKeyword<CarrierRoute>(parser, key, symbolizeCarrierRoute,
                                            warp);
    if (key == "grid")
      return parseEnumKeyword<CarrierRoute>(parser, key, symbolizeCarrierRoute,
                                            grid);
    if (key == "cta") {
      CarrierRoute value;
      if (parseEnumKeyword<CarrierRoute>(parser, key, symbolizeCarrierRoute,
                                         value))
        return failure();
      cta = value;
      return success();
    }
    return parser.emitError(parser.getCurrentLocation())
           << "unknown schedule field '" << key
           << "' (expected local, tiles_per_lane, warps, cluster, lane, warp, "
              "cta or grid)";
  };
  if (parseKeyValueList(parser, parseValue))
    return {};
  if (!cta)
    cta = cluster > 1 ? CarrierRoute::dsmem : CarrierRoute::none;
  return parser.getChecked<ScheduleAttr>(loc, parser.getContext(), local,
                                         tilesPerLane, warps, cluster, lane,
                                         warp, *cta, grid);
}

void ScheduleAttr::print(AsmPrinter &printer) const {
  printer << "<local = " << stringifyLocalStrategy(getLocal())
          << ", tiles_per_lane = " << getTilesPerLane()
          << ", warps = " << getWarps() << ", cluster = " << getCluster()
          << ", lane = " << stringifyCarrierRoute(getLane())
          << ", warp = " << stringifyCarrierRoute(getWarp())
          << ", cta = " << stringifyCarrierRoute(getCta())
          << ", grid = " << stringifyCarrierRoute(getGrid()) << ">";
}

LogicalResult
ScheduleAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                     LocalStrategy local, int64_t tilesPerLane, int64_t warps,
                     int64_t cluster, CarrierRoute lane, CarrierRoute warp,
                     CarrierRoute cta, CarrierRoute grid) {
  if (tilesPerLane < 1 || tilesPerLane > 64)
    return emitError() << "schedule tiles_per_lane must be in [1, 64], got "
                       << tilesPerLane;
  if (warps < 1 || warps > 32)
    return emitError() << "schedule warps must be in [1, 32] (a CTA has at "
                          "most 1024 threads), got "
                       << warps;
  if (cluster < 1 || cluster > 16 || !llvm::isPowerOf2_64(cluster))
    return emitError() << "schedule cluster must be 1, 2, 4, 8 or 16 CTAs "
                          "(sm_90a), got "
                       << cluster;
  if (lane != CarrierRoute::shuffle && lane != CarrierRoute::halo)
    return emitError() << "lane route must be shuffle or halo (lanes of a "
                          "warp exchange carriers by shuffles or recompute "
                          "them), got "
                       << stringifyCarrierRoute(lane);
  if (warp != CarrierRoute::smem && warp != CarrierRoute::halo)
    return emitError() << "warp route must be smem or halo (warps of a CTA "
                          "share carriers through shared memory or recompute "
                          "them), got "
                       << stringifyCarrierRoute(warp);
  if (cluster == 1 && cta != CarrierRoute::none)
    return emitError() << "cta route " << stringifyCarrierRoute(cta)
                       << " needs cluster > 1: with one CTA per cluster no "
                          "carrier crosses CTAs inside a cluster (use none)";
  if (cluster > 1 && cta != CarrierRoute::dsmem && cta != CarrierRoute::bulk &&
      cta != CarrierRoute::halo)
    return emitError() << "cta route must be dsmem, bulk or halo when cluster = "
                       << cluster << ", got " << stringifyCarrierRoute(cta);
  if (grid != CarrierRoute::flags && grid != CarrierRoute::halo)
    return emitError() << "grid route must be flags or halo (CTAs of the grid "
                          "meet only in global memory), got "
                       << stringifyCarrierRoute(grid);
  return success();
}

LogicalResult
ScheduleAttr::verifyForWindow(function_ref<InFlightDiagnostic()> emitError,
                              WindowAttr window) const {
  if (window.isInfiniteHops()) {
    for (auto [level, route] :
         {std::pair<StringRef, CarrierRoute>{"lane", getLane()},
          {"warp", getWarp()},
          {"cta", getCta()},
          {"grid", getGrid()}})
      if (route == CarrierRoute::halo)
        return emitError()
               << "schedule uses a recomputed halo at the " << level
               << " level, but the window has hops = inf: a halo recomputes "
                  "the K previous tiles and has no finite size here (use "
                  "shuffle, smem, dsmem or flags)";
  }
  if (getLocal() == LocalStrategy::mma && window.getBlock() < 16)
    return emitError() << "local = mma needs tiles of at least 16 tokens (one "
                          "m16n8k16 tensor-core tile), but the window has "
                          "block = "
                       << window.getBlock();
  return success();
}
