//===- SWRToGPU.cpp - convert-swr-to-gpu ----------------------------------===//
//
// Rewrites each entry function whose body is one swr.scan on its arguments
// into a host function on identity-layout memrefs (device pointers; results
// become out-parameters) that launches the kernel built by KernelBuilder.cpp
// from the gpu.module @phalanx_kernels. docs/gpu-lowering.md.
//
//===----------------------------------------------------------------------===//
#include "phalanx/Conversion/Passes.h"

#include "GPUTile.h"

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

struct ConvertSWRToGPUPass : impl::ConvertSWRToGPUBase<ConvertSWRToGPUPass> {
  using Base::Base;

  LogicalResult convert(func::FuncOp fn, const TiledEntry &e,
                        gpu::GPUModuleOp kernels) {
    KernelConfig config = e.config;
    Location loc = e.anchor->getLoc();
    if (ShapedType::isDynamic(config.channels))
      return e.anchor->emitError() << "swr.scan on the GPU needs a static D";
    // local = mma: channels per CTA and the staging round (KernelBuilder.h);
    // one channel per CTA with cta = bulk (its message buffers and
    // mbarriers are per CTA).
    if (config.schedule.getLocal() == LocalStrategy::mma &&
        !mmaPlan(config, config.schedule.getCta() == CarrierRoute::bulk
                             ? 1
                             : mmaChannels))
      return e.anchor->emitError()
             << "local = mma stages at least 4 * (6 * block) bytes of "
                "workgroup memory per tile, at most 44 KiB: block "
             << config.block << " is too large";

    // cta = bulk adds a message and its receive slots to the static
    // workgroup memory (48 KiB at most): only K beyond a few CTA spans with
    // large clusters can exceed it.
    if (config.bulkWorkgroupBytes() > 32768)
      return e.anchor->emitError()
             << "cta = bulk needs " << config.bulkWorkgroupBytes()
             << " bytes of workgroup memory (a message of the last "
                "min(K, CTA span) carriers and one receive slot per earlier "
                "CTA within K tiles), more than 32 KiB: use cta = dsmem";

    // The kernel.
    OpBuilder builder(&getContext());
    std::string kernelName = (fn.getName() + "_swr").str();
    gpu::GPUFuncOp kernel =
        buildKernel(builder, loc, kernels, kernelName, config);

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
    ImplicitLocOpBuilder b(loc, builder);
    b.setInsertionPointToStart(entry);

    auto argOf = [&](Value v) -> Value {
      return entry->getArgument(cast<BlockArgument>(v).getArgNumber());
    };
    Value gates = argOf(e.gates), drive = argOf(e.drive);
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
    // K = inf row loop (KernelConfig::rowLoop): when the row groups alone
    // fill the GPU, one CTA per row group walks the whole row (nx = 1).
    if (config.rowLoop()) {
      Value warpsUsed = arith::MulIOp::create(b, rowGroups, idx(config.warps()));
      Value loop = arith::CmpIOp::create(b, arith::CmpIPredicate::uge, warpsUsed,
                                         idx(KernelConfig::kRowLoopWarps));
      nx = arith::SelectOp::create(b, loop, idx(1), nx);
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
      operands.push_back(argOf(e.resets));
    if (config.hasInit())
      operands.push_back(argOf(e.init));
    operands.push_back(out);
    Value flags, scratchBuf;
    if (config.gridFlags()) {
      // One flag per CTA after an unused word, then one ticket counter per
      // row.
      // One unit (cluster) per row: the kernel touches neither buffer, so
      // both are empty (no allocation: mgpuMemAlloc(0) is null, and the
      // memset and frees do nothing).
      Value units = arith::MulIOp::create(b, rows, nx);
      Value single = arith::CmpIOp::create(b, arith::CmpIPredicate::eq, nx,
                                           idx(config.cluster()));
      Value flagCount = arith::SelectOp::create(
          b, single, idx(0),
          arith::AddIOp::create(b, arith::AddIOp::create(b, units, idx(1)),
                                rows));
      int64_t perUnit = config.infiniteHops() ? 4 : 2 * config.ctaKeep();
      Value scratchCount = arith::SelectOp::create(
          b, single, idx(0), arith::MulIOp::create(b, units, idx(perUnit)));
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
    ScheduleKnobs knobs{local,       tilesPerLane, warps, cluster, lane,
                        warp,        cta,          grid,  overrideSchedule};
    IRRewriter rewriter(&getContext());
    SmallVector<func::FuncOp> tiled;
    module.walk([&](Operation *op) {
      if (op->getDialect() &&
          op->getDialect()->getNamespace() == "phalanx") {
        op->emitError() << op->getName()
                        << " is not supported on the GPU yet: GPU entries "
                           "are functions whose body is one swr.scan";
        failedAny = true;
        return;
      }
      auto fn = dyn_cast_or_null<func::FuncOp>(op->getParentOp());
      if (isa<MaskGatesOp, TileScanOp, CarrierScanOp, TileApplyOp>(op)) {
        if (!fn || fn.isPrivate()) {
          op->emitError() << op->getName()
                          << " on the GPU must be in the body of a public "
                             "function (the GPU tiled form of swr-gpu-tile)";
          failedAny = true;
        } else if (!llvm::is_contained(tiled, fn)) {
          tiled.push_back(fn);
        }
        return;
      }
      auto scan = dyn_cast<ScanOp>(op);
      if (!scan)
        return;
      if (!fn || fn.isPrivate() || entryScan(fn) != scan) {
        scan.emitError()
            << "swr.scan on the GPU must be the whole body of a public "
               "function on its arguments (returned as is); this form is "
               "not supported on the GPU yet";
        failedAny = true;
        return;
      }
      // An swr.scan entry goes through the GPU tiled form first
      // (swr-gpu-tile with this pass's knobs).
      FailureOr<ScheduleAttr> schedule = resolveSchedule(scan, knobs);
      if (failed(schedule)) {
        failedAny = true;
        return;
      }
      tiled.push_back(fn);
    });
    if (failedAny)
      return signalPassFailure();
    SmallVector<std::pair<func::FuncOp, TiledEntry>> entries;
    for (func::FuncOp fn : tiled) {
      if (ScanOp scan = entryScan(fn))
        tileForGPU(rewriter, scan, *resolveSchedule(scan, knobs));
      FailureOr<TiledEntry> e = matchTiledEntry(fn);
      if (failed(e))
        return signalPassFailure();
      entries.push_back({fn, *e});
    }
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
    for (auto &[fn, e] : entries)
      if (failed(convert(fn, e, kernels)))
        return signalPassFailure();
  }
};

} // namespace
} // namespace phalanx
