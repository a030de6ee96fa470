#ifndef PHALANX_DIALECT_SWR_SWRATTRS_TD
#define PHALANX_DIALECT_SWR_SWRATTRS_TD

include "phalanx/Dialect/SWR/SWRBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def SWR_LocalScan : I32EnumAttrCase<"scan", 0>;
def SWR_LocalMma  : I32EnumAttrCase<"mma", 1>;
def SWR_LocalStrategy : I32EnumAttr<"LocalStrategy",
    "how a tile's in-tile contraction is computed",
    [SWR_LocalScan, SWR_LocalMma]> {
  let cppNamespace = "::phalanx::swr";
  let genSpecializedAttr = 0;
}

def SWR_RouteNone    : I32EnumAttrCase<"none", 0>;
def SWR_RouteShuffle : I32EnumAttrCase<"shuffle", 1>;
def SWR_RouteSmem    : I32EnumAttrCase<"smem", 2>;
def SWR_RouteDsmem   : I32EnumAttrCase<"dsmem", 3>;
def SWR_RouteFlags   : I32EnumAttrCase<"flags", 4>;
def SWR_RouteHalo    : I32EnumAttrCase<"halo", 5>;
def SWR_RouteBulk    : I32EnumAttrCase<"bulk", 6>;
def SWR_CarrierRoute : I32EnumAttr<"CarrierRoute",
    "how carriers cross one level of the GPU hierarchy",
    [SWR_RouteNone, SWR_RouteShuffle, SWR_RouteSmem, SWR_RouteDsmem,
     SWR_RouteFlags, SWR_RouteHalo, SWR_RouteBulk]> {
  let cppNamespace = "::phalanx::swr";
}

def SWR_LevelLane : I32EnumAttrCase<"lane", 0>;
def SWR_LevelWarp : I32EnumAttrCase<"warp", 1>;
def SWR_LevelCta  : I32EnumAttrCase<"cta", 2>;
def SWR_LevelGrid : I32EnumAttrCase<"grid", 3>;
def SWR_CarrierLevel : I32EnumAttr<"CarrierLevel",
    "a level of the GPU hierarchy that carriers cross",
    [SWR_LevelLane, SWR_LevelWarp, SWR_LevelCta, SWR_LevelGrid]> {
  let cppNamespace = "::phalanx::swr";
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

class SWR_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<SWR_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def SWR_WindowAttr : SWR_Attr<"Window", "window"> {
  let summary = "the window of a sliding window recurrence (semantics)";
  let description = [{
    `#swr.window<block = BL, hops = K, segment = S>`: tokens are grouped in
    tiles of `BL`; token `t` sees tokens `j <= t` whose tile is at most `K`
    tiles back and lies in the same segment of `S` tiles. `hops` and `segment`
    accept `inf`; `segment` defaults to `inf`. `K = 0` is block-diagonal,
    `K = 1` the one-hop jagged window of the published layer and
    `K = inf, S = inf` the exact recurrence. This attribute is part of the
    op's meaning: every schedule computes exactly this window.
  }];
  let parameters = (ins "int64_t":$block, "int64_t":$hops, "int64_t":$segment);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Sentinel stored for `inf` in `hops` and `segment`.
    static constexpr int64_t kInf = -1;
    bool isInfiniteHops() const { return getHops() == kInf; }
    bool isInfiniteSegment() const { return getSegment() == kInf; }
    /// True for the exact linear recurrence (hops = inf, segment = inf).
    bool isExact() const { return isInfiniteHops() && isInfiniteSegment(); }
  }];
}

def SWR_ScheduleAttr : SWR_Attr<"Schedule", "schedule"> {
  let summary = "how a recurrence maps onto the GPU hierarchy (mapping only)";
  let description = [{
    `#swr.schedule<local = scan, tiles_per_lane = 1, warps = 4, cluster = 1,
    lane = shuffle, warp = smem, cta = none, grid = flags>`.

    - `local`: the in-tile contraction, `scan` (register scan) or `mma`
      (tensor cores on the tile's gate matrix).
    - `tiles_per_lane`: consecutive tiles one lane scans in registers.
    - `warps`: warps per CTA (1 to 32).
    - `cluster`: CTAs per cluster (1, 2, 4, 8 or 16).
    - `lane`, `warp`, `cta`, `grid`: how carriers cross lanes (`shuffle` or
      `halo`), warps (`smem` or `halo`), CTAs of a cluster (`dsmem`: the
      consumer loads the owner's shared memory through `mapa`; `bulk`: the
      owner pushes them into the consumer's shared memory with
      `cp.async.bulk` and an mbarrier; or `halo`; `none` when `cluster = 1`)
      and the grid (`flags`: global memory with flags, decoupled look-back;
      or `halo`: recompute the previous tiles).

    Every field may be omitted and takes the default shown. A schedule never
    changes results; the verifier rejects combinations that cannot compute
    the op's window and says why.
  }];
  let parameters = (ins
    "LocalStrategy":$local,
    "int64_t":$tilesPerLane,
    "int64_t":$warps,
    "int64_t":$cluster,
    "CarrierRoute":$lane,
    "CarrierRoute":$warp,
    "CarrierRoute":$cta,
    "CarrierRoute":$grid);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The default schedule (see the description).
    static ScheduleAttr getDefault(::mlir::MLIRContext *ctx);
    /// Checks that this schedule can compute `window`; reports through
    /// `emitError` and fails when it cannot.
    ::llvm::LogicalResult verifyForWindow(
        ::llvm::function_ref<::mlir::InFlightDiagnostic()> emitError,
        WindowAttr window) const;
  }];
}

#endif // PHALANX_DIALECT_SWR_SWRATTRS_TD
