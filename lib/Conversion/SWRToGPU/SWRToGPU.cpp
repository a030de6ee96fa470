//===- SWRToGPU.cpp - convert-swr-to-gpu ----------------------------------===//
//
// Rewrites each entry function whose body is one swr.scan on its arguments
// into a host function on identity-layout memrefs (device pointers; results
// become out-parameters) that launches the kernel built by KernelBuilder.cpp
// from the gpu.module @phalanx_kernels. docs/gpu-lowering.md.
//
//===----------------------------------------------------------------------===//
#include "phalanx/Conversion/Passes.h"

#include "KernelBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/SymbolTable.h"

using namespace mlir;
using namespace phalanx::swr;
using namespace phalanx::swr_to_gpu;

namespace phalanx {
#define GEN_PASS_DEF_CONVERTSWRTOGPU
#include "phalanx/Conversion/Passes.h.inc"

namespace {

constexpr StringLiteral kKernelModule = "phalanx_kernels";

MemRefType memrefFor(Type tensorType) {
  auto t = cast<RankedTensorType>(tensorType);
  return MemRefType::get(t.getShape(), t.getElementType());
}

/// The swr.scan that makes up `fn`'s body (on its arguments, returned as
/// is), or null.
ScanOp entryScan(func::FuncOp fn) {
  if (fn.isExternal() || !fn.getBody().hasOneBlock())
    return {};
  Block &block = fn.getBody().front();
  if (block.getOperations().size() != 2)
    return {};
  auto scan = dyn_cast<ScanOp>(block.front());
  auto ret = dyn_cast<func::ReturnOp>(block.back());
  if (!scan || !ret || ret.getNumOperands() != 1 ||
      ret.getOperand(0) != scan.getY())
    return {};
  for (Value operand : scan->getOperands())
    if (!isa<BlockArgument>(operand))
      return {};
  return scan;
}

struct ConvertSWRToGPUPass : impl::ConvertSWRToGPUBase<ConvertSWRToGPUPass> {
  using Base::Base;

  /// The op's schedule, or the knobs' one (docs/gpu-lowering.md, "Default
  /// schedule").
  FailureOr<ScheduleAttr> resolveSchedule(ScanOp op) {
    MLIRContext *ctx = &getContext();
    WindowAttr window = op.getWindow();
    ScheduleAttr given = op.getScheduleAttr();
    bool useKnobs = !given || overrideSchedule;
    ScheduleAttr s = given ? given : ScheduleAttr::getDefault(ctx);
    LocalStrategy loc = s.getLocal();
    int64_t tpl = s.getTilesPerLane(), w = s.getWarps(), cl = s.getCluster();
    CarrierRoute rLane = s.getLane(), rWarp = s.getWarp(),
                 rCta = s.getCta(), rGrid = s.getGrid();
    // The default rule (docs/gpu-lowering.md, "Default schedule"; measured
    // on the H200, docs/benchmarks.md): K = 1 recomputes the one previous
    // tile per thread (lane = halo: the neighbour's tokens come from L1,
    // and no shuffle or barrier is needed); other finite K use shuffles and
    // workgroup memory with a grid halo when the halo is short (a route or
    // cluster knob turns the K = 1 rule off); K = inf
    // takes 2 tiles per lane and 8 warps (fewer look-back units).
    if (!given && !window.isInfiniteHops() &&
        window.getHops() * window.getBlock() <= 256)
      rGrid = CarrierRoute::halo;
    auto isAuto = [](StringRef knob) { return knob.empty() || knob == "auto"; };
    bool routesAuto = isAuto(lane) && isAuto(warp) && isAuto(cta) &&
                      isAuto(grid) && cluster <= 0;
    // (local = mma keeps the lane shuffle: it needs whole warps of tiles.)
    if (!given && routesAuto && window.getHops() == 1 && local != "mma")
      rLane = CarrierRoute::halo;
    if (!given && window.isInfiniteHops()) {
      tpl = 2;
      w = 8;
    }
    if (useKnobs) {
      auto route = [&](StringRef knob, StringRef text,
                       CarrierRoute &field) -> LogicalResult {
        if (text == "auto" || text.empty())
          return success();
        std::optional<CarrierRoute> r = symbolizeCarrierRoute(text);
        if (!r)
          return op.emitError() << "convert-swr-to-gpu: unknown " << knob
                                << " route '" << text << "'";
        field = *r;
        return success();
      };
      if (local != "auto" && !local.empty()) {
        std::optional<LocalStrategy> l = symbolizeLocalStrategy(local);
        if (!l)
          return op.emitError()
                 << "convert-swr-to-gpu: unknown local strategy '" << local
                 << "'";
        loc = *l;
      }
      if (tilesPerLane > 0)
        tpl = tilesPerLane;
      if (warps > 0)
        w = warps;
      if (cluster > 0) {
        cl = cluster;
        if (rCta == CarrierRoute::none && cl > 1)
          rCta = CarrierRoute::dsmem;
        if (cl == 1)
          rCta = CarrierRoute::none;
      }
      if (failed(route("lane", lane, rLane)) ||
          failed(route("warp", warp, rWarp)) ||
          failed(route("cta", cta, rCta)) ||
          failed(route("grid", grid, rGrid)))
        return failure();
    }
    auto emitError = [&] { return op.emitError(); };
    if (failed(ScheduleAttr::verify(emitError, loc, tpl, w, cl, rLane, rWarp,
                                    rCta, rGrid)))
      return failure();
    ScheduleAttr result =
        ScheduleAttr::get(ctx, loc, tpl, w, cl, rLane, rWarp, rCta, rGrid);
    if (failed(result.verifyForWindow(emitError, window)))
      return failure();
    return result;
  }

  LogicalResult convert(func::FuncOp fn, ScanOp scan,
                        gpu::GPUModuleOp kernels) {
    FailureOr<ScheduleAttr> schedule = resolveSchedule(scan);
    if (failed(schedule))
      return failure();
    WindowAttr window = scan.getWindow();
    KernelConfig config;
    config.block = window.getBlock();
    config.hops = window.getHops();
    config.segment = window.getSegment();
    config.transpose = scan.getTranspose();
    config.schedule = *schedule;
    auto driveType = cast<RankedTensorType>(scan.getDrive().getType());
    config.channels = driveType.getDimSize(2);
    config.gatesType = memrefFor(scan.getGates().getType());
    config.driveType = memrefFor(driveType);
    if (scan.getResets())
      config.resetsType = memrefFor(scan.getResets().getType());
    if (scan.getInit() && config.hops != 0)
      config.initType = memrefFor(scan.getInit().getType());
    config.outType = memrefFor(scan.getY().getType());
    if (ShapedType::isDynamic(config.channels))
      return scan.emitError() << "swr.scan on the GPU needs a static D";
    // local = mma: channels per CTA and the staging round (KernelBuilder.h).
    if (schedule->getLocal() == LocalStrategy::mma &&
        !mmaPlan(config, mmaChannels))
      return scan.emitError()
             << "local = mma stages at least 4 * (6 * block) bytes of "
                "workgroup memory per tile, at most 44 KiB: block "
             << config.block << " is too large";

    // The kernel.
    OpBuilder builder(&getContext());
    std::string kernelName = (fn.getName() + "_swr").str();
    gpu::GPUFuncOp kernel =
        buildKernel(builder, scan.getLoc(), kernels, kernelName, config);

    // The host function: same name, memrefs, results as out-parameters.
    SmallVector<Type> argTypes;
    for (Type t : fn.getArgumentTypes())
      argTypes.push_back(memrefFor(t));
    for (Type t : fn.getResultTypes())
      argTypes.push_back(memrefFor(t));
    builder.setInsertionPoint(fn);
    auto host = func::FuncOp::create(builder, fn.getLoc(), fn.getName(),
                                     builder.getFunctionType(argTypes, {}));
    host.setVisibility(fn.getVisibility());
    host->setAttr("llvm.emit_c_interface", builder.getUnitAttr());
    Block *entry = host.addEntryBlock();
    ImplicitLocOpBuilder b(scan.getLoc(), builder);
    b.setInsertionPointToStart(entry);

    auto argOf = [&](Value v) -> Value {
      return entry->getArgument(cast<BlockArgument>(v).getArgNumber());
    };
    Value gates = argOf(scan.getGates()), drive = argOf(scan.getDrive());
    Value out = entry->getArgument(fn.getNumArguments());
    auto idx = [&](int64_t v) -> Value {
      return arith::ConstantIndexOp::create(b, v);
    };
    auto ceilDiv = [&](Value x, int64_t d) -> Value {
      return arith::DivUIOp::create(
          b, arith::AddIOp::create(b, x, idx(d - 1)), idx(d));
    };
    Value B = memref::DimOp::create(b, drive, 0);
    Value H = memref::DimOp::create(b, drive, 1);
    Value L = memref::DimOp::create(b, drive, 3);
    Value T = ceilDiv(L, config.block);
    Value nx = arith::MulIOp::create(
        b, ceilDiv(ceilDiv(T, config.ctaSpan()), config.cluster()),
        idx(config.cluster()));
    Value rows = arith::MulIOp::create(
        b, arith::MulIOp::create(b, B, H), idx(config.channels));
    // One CTA per (row group, position along the sequence) on a 1-D grid.
    // K = inf packs short rows (KernelConfig::packRows, the same rule as the
    // kernel's): g rows per CTA, the largest power of two dividing the warps
    // with T <= (warps / g) * warp span.
    Value rowGroups = rows;
    if (config.slots > 1)
      rowGroups = arith::DivUIOp::create(b, rows, idx(config.slots));
    if (config.packRows()) {
      Value g = idx(1);
      for (int64_t k = 2; k <= config.warps() && config.warps() % k == 0;
           k *= 2)
        g = arith::SelectOp::create(
            b,
            arith::CmpIOp::create(b, arith::CmpIPredicate::sle, T,
                                  idx((config.warps() / k) * config.warpSpan())),
            idx(k), g);
      rowGroups = arith::DivUIOp::create(
          b, arith::AddIOp::create(b, rows, arith::SubIOp::create(b, g, idx(1))),
          g);
    }
    Value grid = arith::MulIOp::create(b, rowGroups, nx);
    Value nonEmpty = arith::AndIOp::create(
        b,
        arith::CmpIOp::create(b, arith::CmpIPredicate::ugt, nx, idx(0)),
        arith::CmpIOp::create(b, arith::CmpIPredicate::ugt, rows, idx(0)));

    auto ifOp = scf::IfOp::create(b, TypeRange{}, nonEmpty, false);
    b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
    Type tokenType = gpu::AsyncTokenType::get(&getContext());
    Value token = gpu::WaitOp::create(b, tokenType, ValueRange{}).getAsyncToken();

    SmallVector<Value> operands{gates, drive};
    if (config.hasResets())
      operands.push_back(argOf(scan.getResets()));
    if (config.hasInit())
      operands.push_back(argOf(scan.getInit()));
    operands.push_back(out);
    Value flags, scratchBuf;
    if (config.gridFlags()) {
      // One flag per CTA after an unused word, then one ticket counter per
      // row.
      Value units = arith::MulIOp::create(b, rows, nx);
      Value flagCount = arith::AddIOp::create(
          b, arith::AddIOp::create(b, units, idx(1)), rows);
      int64_t perUnit = config.infiniteHops() ? 4 : 2 * config.ctaKeep();
      Value scratchCount = arith::MulIOp::create(b, units, idx(perUnit));
      auto flagAlloc = gpu::AllocOp::create(
          b, MemRefType::get({ShapedType::kDynamic}, b.getI32Type()),
          tokenType, ValueRange{token}, ValueRange{flagCount}, ValueRange{});
      flags = flagAlloc.getMemref();
      token = gpu::MemsetOp::create(
                  b, tokenType, ValueRange{flagAlloc.getAsyncToken()}, flags,
                  arith::ConstantIntOp::create(b, b.getI32Type(), 0))
                  .getAsyncToken();
      auto scratchAlloc = gpu::AllocOp::create(
          b, MemRefType::get({ShapedType::kDynamic}, b.getF32Type()),
          tokenType, ValueRange{token}, ValueRange{scratchCount},
          ValueRange{});
      scratchBuf = scratchAlloc.getMemref();
      token = scratchAlloc.getAsyncToken();
      operands.push_back(flags);
      operands.push_back(scratchBuf);
    }
    operands.push_back(nx);

    std::optional<gpu::KernelDim3> clusterSize;
    if (config.cluster() > 1)
      clusterSize = gpu::KernelDim3{idx(config.cluster()), idx(1), idx(1)};
    auto launch = gpu::LaunchFuncOp::create(
        b, kernel, gpu::KernelDim3{grid, idx(1), idx(1)},
        gpu::KernelDim3{idx(config.ctaThreads()), idx(1), idx(1)},
        /*dynamicSharedMemorySize=*/Value(), operands, tokenType,
        ValueRange{token}, clusterSize);
    token = launch.getAsyncToken();
    if (flags) {
      token = gpu::DeallocOp::create(b, tokenType, ValueRange{token}, flags)
                  .getAsyncToken();
      token = gpu::DeallocOp::create(b, tokenType, ValueRange{token},
                                     scratchBuf)
                  .getAsyncToken();
    }
    gpu::WaitOp::create(b, Type(), ValueRange{token});
    b.setInsertionPointToEnd(entry);
    func::ReturnOp::create(b);

    fn.erase();
    return success();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    bool failedAny = false;
    SmallVector<std::pair<func::FuncOp, ScanOp>> entries;
    module.walk([&](Operation *op) {
      if (op->getDialect() &&
          op->getDialect()->getNamespace() == "phalanx") {
        op->emitError() << op->getName()
                        << " is not supported on the GPU yet: GPU entries "
                           "are functions whose body is one swr.scan";
        failedAny = true;
        return;
      }
      if (isa<MaskGatesOp, TileScanOp, CarrierScanOp, TileApplyOp>(op)) {
        op->emitError() << op->getName()
                        << " is not supported on the GPU: convert-swr-to-gpu "
                           "takes swr.scan before swr-tile";
        failedAny = true;
        return;
      }
      auto scan = dyn_cast<ScanOp>(op);
      if (!scan)
        return;
      auto fn = dyn_cast<func::FuncOp>(op->getParentOp());
      if (!fn || fn.isPrivate() || entryScan(fn) != scan) {
        scan.emitError()
            << "swr.scan on the GPU must be the whole body of a public "
               "function on its arguments (returned as is); this form is "
               "not supported on the GPU yet";
        failedAny = true;
        return;
      }
      entries.push_back({fn, scan});
    });
    if (failedAny)
      return signalPassFailure();
    if (entries.empty())
      return;

    MLIRContext *ctx = &getContext();
    module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                    UnitAttr::get(ctx));
    auto kernels = module.lookupSymbol<gpu::GPUModuleOp>(kKernelModule);
    if (!kernels) {
      OpBuilder builder(ctx);
      builder.setInsertionPointToEnd(module.getBody());
      kernels = gpu::GPUModuleOp::create(builder, module.getLoc(),
                                         kKernelModule);
    }
    for (auto [fn, scan] : entries)
      if (failed(convert(fn, scan, kernels)))
        return signalPassFailure();
  }
};

} // namespace
} // namespace phalanx
