//===- SWRToGPU.cpp - convert-swr-to-gpu ----------------------------------===//
//
// Rewrites each entry function whose body is one swr.scan on its arguments
// (or its GPU tiled form) into a host function on identity-layout memrefs
// (device pointers; results become out-parameters) that launches the kernel
// built by KernelBuilder.cpp from the gpu.module @phalanx_kernels, and each
// fused layer (phalanx-fuse-layer) into a host function that runs its GEMMs
// through the runtime and launches the fused kernel(s). docs/gpu-lowering.md.
//
//===----------------------------------------------------------------------===//
#include "phalanx/Conversion/Passes.h"

#include "GPUTile.h"

#include "phalanx/Dialect/Phalanx/PhalanxDialect.h"

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
namespace layer = phalanx::layer;

namespace phalanx {
#define GEN_PASS_DEF_CONVERTSWRTOGPU
#include "phalanx/Conversion/Passes.h.inc"

namespace {

constexpr StringLiteral kKernelModule = "phalanx_kernels";
constexpr StringLiteral kGemmFn = "phx_cuda_layer_gemm";
constexpr StringLiteral kWorkspaceFn = "phx_cuda_layer_workspace";

/// The host function that replaces entry `fn`: same name and visibility, the
/// arguments as memrefs (device pointers), then one out-parameter per
/// result, C interface; returns its entry block (the builder is set before
/// `fn`).
static Block *hostFunction(OpBuilder &builder, func::FuncOp fn) {
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
  return host.addEntryBlock();
}

/// A row-loop kernel and the configuration it was built from (its threads
/// and staged sets size the launch).
struct LoopKernel {
  gpu::GPUFuncOp fn;
  KernelConfig config;
};
/// The kernels of a K = inf row-loop configuration (KernelConfig::rowLoop)
/// besides its look-back kernel. `loop`: the row-loop kernel, launched
/// instead of the look-back kernel (nx = 1, no flags) when the row groups
/// fill the GPU. local = scan: `units`, for fewer row groups. local = mma
/// (pass option mma-loop-kernel = auto): `wide` (mmaWideConfig), launched
/// instead of `loop` for rows of at least KernelConfig::kMmaWideChunks CTA
/// spans, and `half` (mmaHalfConfig), launched before either when the row
/// groups give it KernelConfig::kMmaHalfWarps warps.
struct RowLoopKernels {
  LoopKernel loop, wide, half;
  gpu::GPUFuncOp units;
};

/// Launches the scan kernel `kernel` of `config` over `rows` rows of `L`
/// tokens with `operands` (the kernel's arguments before the flags), with
/// the flags and scratch buffers of grid = flags allocated and freed around
/// it. With `token` (an async token of a stream) the launch goes on that
/// stream and the new token is returned; without, it is synchronous on a
/// fresh stream, skipped when there is nothing to compute, and returns null.
/// `rl` (KernelConfig::rowLoop, synchronous only): the row-loop kernels
/// (RowLoopKernels).
static Value emitScanLaunch(ImplicitLocOpBuilder &b, gpu::GPUFuncOp kernel,
                            const KernelConfig &config,
                            ArrayRef<Value> kernelOperands, Value rows,
                            Value L, Value token,
                            const RowLoopKernels &rl = {}) {
  MLIRContext *ctx = b.getContext();
  auto idx = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, v);
  };
  auto ceilDiv = [&](Value x, int64_t d) -> Value {
    return arith::DivUIOp::create(
        b, arith::AddIOp::create(b, x, idx(d - 1)), idx(d));
  };
  auto ceilDivV = [&](Value x, Value d) -> Value {
    return arith::DivUIOp::create(
        b, arith::AddIOp::create(b, x, arith::SubIOp::create(b, d, idx(1))),
        d);
  };
  bool synchronous = !token;
  Value T = ceilDiv(L, config.block);
  Value nx = arith::MulIOp::create(
      b, ceilDiv(ceilDiv(T, config.ctaSpan()), config.cluster()),
      idx(config.cluster()));
  // One CTA per (row group, position along the sequence) on a 1-D grid.
  // K = inf packs short rows (KernelConfig::packRows, the same rule as the
  // kernel's): g rows per CTA, the largest power of two dividing the warps
  // with T <= (warps / g) * warp span.
  Value rowGroups = rows;
  // local = mma and layer kernels sharing their gates: `slots` channels of
  // one (b, h) per CTA.
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
  Type tokenType = gpu::AsyncTokenType::get(ctx);
  // K = inf row loop (KernelConfig::rowLoop): when the row groups alone
  // fill the GPU, one CTA per row group of the row-loop kernel walks the
  // whole row (nx = 1, no flags or scratch); else the look-back kernel
  // below.
  Value warpsUsed;
  if (rl.loop.fn) {
    assert(synchronous && "the row loop is launched synchronously");
    warpsUsed = arith::MulIOp::create(
        b, rowGroups, idx(config.warps() * config.slots));
    Value loop = arith::CmpIOp::create(b, arith::CmpIPredicate::uge, warpsUsed,
                                       idx(KernelConfig::kRowLoopWarps));
    auto split = scf::IfOp::create(b, TypeRange{}, loop,
                                   /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(split.thenBlock()->getTerminator());
      Value run = arith::AndIOp::create(
          b, arith::CmpIOp::create(b, arith::CmpIPredicate::ugt, T, idx(0)),
          arith::CmpIOp::create(b, arith::CmpIPredicate::ugt, rows, idx(0)));
      auto ifOp = scf::IfOp::create(b, TypeRange{}, run, false);
      b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
      Value start =
          gpu::WaitOp::create(b, tokenType, ValueRange{}).getAsyncToken();
      SmallVector<Value> operands(kernelOperands);
      operands.push_back(idx(1));
      // local = mma: the staged chunks in dynamic workgroup memory.
      auto launchLoop = [&](const LoopKernel &k) {
        const KernelConfig &kc = k.config;
        MmaStage stage = kc.schedule.getLocal() == LocalStrategy::mma
                             ? mmaStage(kc, /*rowLoopKernel=*/true)
                             : MmaStage();
        Value smem;
        if (stage.on)
          smem = arith::ConstantIntOp::create(b, stage.bytes, 32);
        auto launch = gpu::LaunchFuncOp::create(
            b, k.fn, gpu::KernelDim3{rowGroups, idx(1), idx(1)},
            gpu::KernelDim3{idx(kc.ctaThreads()), idx(1), idx(1)}, smem,
            operands, tokenType, ValueRange{start}, std::nullopt);
        gpu::WaitOp::create(b, Type(), ValueRange{launch.getAsyncToken()});
      };
      // `k` when `cond`, else what follows (in the else branch).
      auto launchIf = [&](Value cond, const LoopKernel &k) {
        auto pick = scf::IfOp::create(b, TypeRange{}, cond,
                                      /*withElseRegion=*/true);
        b.setInsertionPoint(pick.thenBlock()->getTerminator());
        launchLoop(k);
        b.setInsertionPoint(pick.elseBlock()->getTerminator());
      };
      if (rl.half.fn)
        launchIf(arith::CmpIOp::create(
                     b, arith::CmpIPredicate::uge,
                     arith::MulIOp::create(
                         b, rowGroups, idx(rl.half.config.mmaWarps())),
                     idx(KernelConfig::kMmaHalfWarps)),
                 rl.half);
      if (rl.wide.fn)
        launchIf(arith::CmpIOp::create(b, arith::CmpIPredicate::uge,
                                       ceilDiv(T, config.ctaSpan()),
                                       idx(KernelConfig::kMmaWideChunks)),
                 rl.wide);
      launchLoop(rl.loop);
    }
    b.setInsertionPoint(split.elseBlock()->getTerminator());
    // Fewer rows (local = scan): the units kernel (KernelPart::units),
    // enough units per row that the row groups' warps reach
    // kUnitWarps, each unit a run of per = ceil(chunks / U) chunks, so
    // nx = ceil(chunks / per) units (none empty).
    if (rl.units) {
      int64_t target = KernelConfig::kUnitWarps;
      {
        Value chunks = ceilDiv(T, config.ctaSpan());
        Value used = arith::MaxUIOp::create(b, warpsUsed, idx(1));
        Value want = arith::DivUIOp::create(
            b, arith::AddIOp::create(b, idx(target),
                                     arith::SubIOp::create(b, used, idx(1))),
            used);
        Value u0 = arith::MaxUIOp::create(
            b, arith::MinUIOp::create(b, want, chunks), idx(1));
        Value per = arith::MaxUIOp::create(b, ceilDivV(chunks, u0), idx(1));
        nx = ceilDivV(chunks, per);
        kernel = rl.units;
      }
    }
  }
  Value grid = arith::MulIOp::create(b, rowGroups, nx);
  Value nonEmpty = arith::AndIOp::create(
      b,
      arith::CmpIOp::create(b, arith::CmpIPredicate::ugt, nx, idx(0)),
      arith::CmpIOp::create(b, arith::CmpIPredicate::ugt, rows, idx(0)));

  if (synchronous) {
    auto ifOp = scf::IfOp::create(b, TypeRange{}, nonEmpty, false);
    b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
    token = gpu::WaitOp::create(b, tokenType, ValueRange{}).getAsyncToken();
  }
  SmallVector<Value> operands(kernelOperands);
  Value flags, scratchBuf;
  if (config.gridFlags()) {
    // One flag per CTA after an unused word, then one ticket counter per
    // row. One unit (cluster) per row: the kernel touches neither buffer,
    // so both are empty (no allocation: mgpuMemAlloc(0) is null, and the
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
  // local = mma: the tile ring in dynamic workgroup memory (MmaRing).
  MmaRing ring = mmaRing(config);
  Value dynamicSmem;
  if (ring.on && ring.dynamic)
    dynamicSmem = arith::ConstantIntOp::create(b, ring.bytes, 32);
  auto launch = gpu::LaunchFuncOp::create(
      b, kernel, gpu::KernelDim3{grid, idx(1), idx(1)},
      gpu::KernelDim3{idx(config.ctaThreads()), idx(1), idx(1)},
      dynamicSmem, operands, tokenType, ValueRange{token}, clusterSize);
  token = launch.getAsyncToken();
  if (flags) {
    token = gpu::DeallocOp::create(b, tokenType, ValueRange{token}, flags)
                .getAsyncToken();
    token = gpu::DeallocOp::create(b, tokenType, ValueRange{token},
                                   scratchBuf)
                .getAsyncToken();
  }
  if (!synchronous)
    return token;
  gpu::WaitOp::create(b, Type(), ValueRange{token});
  return Value();
}

/// The phalanx.fused_mix of `fn` when its body is the fused layer
/// (phalanx-fuse-layer): four phalanx.project of one argument x by argument
/// weights, one phalanx.fused_mix of them with argument biases, one
/// phalanx.project_out of it by an argument weight, returned; else null.
static layer::FusedMixOp entryLayer(func::FuncOp fn) {
  if (fn.isExternal() || !fn.getBody().hasOneBlock())
    return {};
  Block &block = fn.getBody().front();
  if (block.getOperations().size() != 7)
    return {};
  auto ret = dyn_cast<func::ReturnOp>(block.back());
  if (!ret || ret.getNumOperands() != 1)
    return {};
  auto proj = ret.getOperand(0).getDefiningOp<layer::ProjectOutOp>();
  if (!proj || !isa<BlockArgument>(proj.getW()))
    return {};
  auto mix = proj.getZ().getDefiningOp<layer::FusedMixOp>();
  if (!mix)
    return {};
  Value x;
  for (Value p : {mix.getPa(), mix.getPb(), mix.getPc(), mix.getPv()}) {
    auto in = p.getDefiningOp<layer::ProjectOp>();
    if (!in || !isa<BlockArgument>(in.getX()) || !isa<BlockArgument>(in.getW()))
      return {};
    if (x && in.getX() != x)
      return {};
    x = in.getX();
  }
  for (Value bias : {mix.getBa(), mix.getBb(), mix.getBc()})
    if (!isa<BlockArgument>(bias))
      return {};
  return mix;
}

struct ConvertSWRToGPUPass : impl::ConvertSWRToGPUBase<ConvertSWRToGPUPass> {
  using Base::Base;
  /// The mma-loop-kernel option, parsed once per run.
  MmaLoopKernel loopKernel = MmaLoopKernel::automatic;

  LogicalResult convert(func::FuncOp fn, const TiledEntry &e,
                        gpu::GPUModuleOp kernels) {
    KernelConfig config = e.config;
    config.mmaRingDepth = mmaRing;
    config.mmaRingGroup = mmaRingGroup;
    config.mmaMatrixParts = mmaMatrixParts;
    config.mmaLoopKernel = loopKernel;
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
             << "local = mma exchanges the carriers of its CTA span ("
             << config.ctaSpan()
             << " tiles) through more than 47 KiB of workgroup memory: use "
                "fewer warps or tiles per lane";

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
    // Row-loop configurations: the look-back kernel and the row-loop
    // kernel (<name>_swr_loop), chosen by the host from the shape.
    gpu::GPUFuncOp kernel = buildKernel(
        builder, loc, kernels, kernelName, config,
        config.rowLoop() ? KernelPart::lookBack : KernelPart::whole);
    RowLoopKernels rl;
    if (config.rowLoop()) {
      auto build = [&](StringRef suffix, const KernelConfig &kc,
                       KernelPart part) {
        return LoopKernel{
            buildKernel(builder, loc, kernels, kernelName + suffix.str(), kc,
                        part),
            kc};
      };
      bool mma = config.schedule.getLocal() == LocalStrategy::mma;
      MmaLoopKernel ask = mma ? config.mmaLoopKernel : MmaLoopKernel::loop;
      if (ask == MmaLoopKernel::half && !hasMmaHalf(config))
        return e.anchor->emitError()
               << "mma-loop-kernel=half needs mma warps with 2 tiles per "
                  "chunk (local = mma, tiles_per_lane = 1, 16 channels per "
                  "CTA on one warp each: warps = 1) and staged chunks "
                  "(tiles of 16 tokens)";
      // mma-loop-kernel = wide / half: that kernel only.
      if (ask == MmaLoopKernel::wide)
        rl.loop = build("_loop_wide", mmaWideConfig(config),
                        KernelPart::rowLoopWide);
      else if (ask == MmaLoopKernel::half)
        rl.loop = build("_loop_half", mmaHalfConfig(config),
                        KernelPart::rowLoopHalf);
      else
        rl.loop = build("_loop", config, KernelPart::rowLoop);
      // local = scan: several units per row, each a row loop
      // (KernelPart::units), for shapes whose rows leave the GPU idle.
      if (!mma)
        rl.units = buildKernel(builder, loc, kernels, kernelName + "_units",
                               config, KernelPart::units);
      // local = mma, the rule: the 128-register form for long rows, and
      // the form with half the warps per CTA for many row groups.
      if (ask == MmaLoopKernel::automatic) {
        rl.wide = build("_loop_wide", mmaWideConfig(config),
                        KernelPart::rowLoopWide);
        if (hasMmaHalf(config))
          rl.half = build("_loop_half", mmaHalfConfig(config),
                          KernelPart::rowLoopHalf);
      }
    }

    // The host function: same name, memrefs, results as out-parameters.
    Block *entry = hostFunction(builder, fn);
    ImplicitLocOpBuilder b(loc, builder);
    b.setInsertionPointToStart(entry);

    auto argOf = [&](Value v) -> Value {
      return entry->getArgument(cast<BlockArgument>(v).getArgNumber());
    };
    Value gates = argOf(e.gates), drive = argOf(e.drive);
    Value out = entry->getArgument(fn.getNumArguments());
    Value B = memref::DimOp::create(b, drive, 0);
    Value H = memref::DimOp::create(b, drive, 1);
    Value L = memref::DimOp::create(b, drive, 3);
    Value rows = arith::MulIOp::create(
        b, arith::MulIOp::create(b, B, H),
        arith::ConstantIndexOp::create(b, config.channels));
    SmallVector<Value> operands{gates, drive};
    if (config.hasResets())
      operands.push_back(argOf(e.resets));
    if (config.hasInit())
      operands.push_back(argOf(e.init));
    operands.push_back(out);
    emitScanLaunch(b, kernel, config, operands, rows, L, /*token=*/Value(),
                   rl);
    b.setInsertionPointToEnd(entry);
    func::ReturnOp::create(b);

    fn.erase();
    return success();
  }

  //===--------------------------------------------------------------------===//
  // The layer (phalanx.project / fused_mix / project_out after
  // phalanx-fuse-layer; docs/gpu-lowering.md, "The layer")
  //===--------------------------------------------------------------------===//

  /// Builds the fused kernel for heads [offset, offset + count) under
  /// `window` and returns its config.
  FailureOr<std::pair<gpu::GPUFuncOp, KernelConfig>>
  buildMixKernel(layer::FusedMixOp mix, gpu::GPUModuleOp kernels,
                 StringRef name, WindowAttr window, int64_t offset,
                 int64_t count, const ScheduleKnobs &knobs) {
    FailureOr<ScheduleAttr> schedule =
        resolveSchedule(mix, window, ScheduleAttr(), knobs,
                        ShapedType::kDynamic, /*warpHaloCarrier=*/true,
                        /*layerKernel=*/true);
    if (failed(schedule))
      return failure();
    // The fused kernel's loads and stores (layer mode) exist for the
    // register scan only; mma's staging and channel slots read the scan's
    // operand layout.
    if (schedule->getLocal() == LocalStrategy::mma)
      return mix.emitError()
             << "local = mma is not supported for the fused layer kernel yet: "
                "use local = scan (the default)";
    MLIRContext *ctx = &getContext();
    Type elem = cast<RankedTensorType>(mix.getZ().getType()).getElementType();
    int64_t H = mix.getHeads(), Hkv = mix.getKvHeads(), D = mix.getHeadDim();
    int64_t dyn = ShapedType::kDynamic;
    KernelConfig config;
    config.block = window.getBlock();
    config.hops = window.getHops();
    config.segment = window.getSegment();
    config.schedule = *schedule;
    config.channels = D;
    // layer-gates = kernel: the gates come from the gate kernel,
    // act_a(pa + ba) computed in f32, stored in f32 for f32 layers and in
    // f16 for 16-bit ones (gates are in [0, 1]: f16 keeps 11 bits, more
    // than the bf16 pa they come from). fused: from pa, in the kernel.
    config.layer.gatesActivated = gateKernel();
    config.gatesType = MemRefType::get(
        {dyn, H, dyn}, config.layer.gatesActivated ? gateType(elem) : elem);
    config.driveType = MemRefType::get({dyn, H, D, dyn}, elem);
    config.outType = config.driveType;
    config.layer.enabled = true;
    config.layer.heads = H;
    config.layer.kvHeads = Hkv;
    config.layer.headOffset = offset;
    config.layer.headCount = count;
    config.layer.actA = static_cast<int>(mix.getActA());
    config.layer.actB = static_cast<int>(mix.getActB());
    config.layer.preType = MemRefType::get({dyn, Hkv, D, dyn}, elem);
    config.layer.biasAType = MemRefType::get({H}, elem);
    config.layer.biasKvType = MemRefType::get({Hkv * D}, elem);
    // Channels per CTA sharing the gate activations (layer-slots).
    layerSharePlan(config, layerSlots);
    OpBuilder builder(ctx);
    gpu::GPUFuncOp kernel =
        buildKernel(builder, mix.getLoc(), kernels, name, config);
    return std::make_pair(kernel, config);
  }

  bool gateKernel() const { return layerGates == "kernel"; }
  /// The element type of the layer's gates buffer.
  static Type gateType(Type elem) {
    MLIRContext *ctx = elem.getContext();
    return elem.isF32() ? Type(Float32Type::get(ctx)) : Type(Float16Type::get(ctx));
  }

  LogicalResult convertLayer(func::FuncOp fn, gpu::GPUModuleOp kernels,
                             const ScheduleKnobs &knobs) {
    Block &body = fn.getBody().front();
    auto ret = cast<func::ReturnOp>(body.getTerminator());
    auto proj = ret.getOperand(0).getDefiningOp<layer::ProjectOutOp>();
    auto mix = proj.getZ().getDefiningOp<layer::FusedMixOp>();
    MLIRContext *ctx = &getContext();
    Type elem = cast<RankedTensorType>(mix.getZ().getType()).getElementType();
    int32_t dtypeCode = elem.isBF16() ? 1 : elem.isF16() ? 2 : 3; // phx_dtype
    int64_t elemBytes = elem.getIntOrFloatBitWidth() / 8;
    Type gate = gateType(elem);
    int64_t gateBytes = gate.getIntOrFloatBitWidth() / 8;
    int64_t H = mix.getHeads(), Hkv = mix.getKvHeads(), D = mix.getHeadDim();
    int64_t globalHeads = mix.getGlobalHeads();
    WindowAttr window = mix.getWindow();

    // The kernels: the first global_heads heads with the exact recurrence,
    // the others with the window (one kernel when they agree).
    SmallVector<std::pair<gpu::GPUFuncOp, KernelConfig>> launches;
    auto exact = WindowAttr::get(ctx, window.getBlock(), -1, -1);
    bool windowIsExact = window.isInfiniteHops() && window.getSegment() < 0;
    std::string base = fn.getName().str() + "_mix";
    if (globalHeads == H || (globalHeads > 0 && windowIsExact)) {
      auto k = buildMixKernel(mix, kernels, base, exact, 0, H, knobs);
      if (failed(k))
        return failure();
      launches.push_back(*k);
    } else {
      if (globalHeads > 0) {
        auto k = buildMixKernel(mix, kernels, base + "_global", exact, 0,
                                globalHeads, knobs);
        if (failed(k))
          return failure();
        launches.push_back(*k);
      }
      auto k = buildMixKernel(mix, kernels, globalHeads ? base + "_window" : base,
                              window, globalHeads, H - globalHeads, knobs);
      if (failed(k))
        return failure();
      launches.push_back(*k);
    }

    // The gate kernel (its config: the fused kernel's with the raw pa).
    OpBuilder builder(ctx);
    gpu::GPUFuncOp gates;
    if (gateKernel()) {
      KernelConfig gateConfig = launches.front().second;
      gateConfig.gatesType = MemRefType::get(
          {ShapedType::kDynamic, H, ShapedType::kDynamic}, elem);
      gateConfig.layer.gatesActivated = false;
      gates = buildGateKernel(builder, mix.getLoc(), kernels, base + "_gates",
                              gateConfig, gateType(elem));
    }

    // The host function: the arguments as memrefs, the result as an
    // out-parameter.
    Block *entry = hostFunction(builder, fn);
    ImplicitLocOpBuilder b(mix.getLoc(), builder);
    b.setInsertionPointToStart(entry);
    auto argOf = [&](Value v) -> Value {
      return entry->getArgument(cast<BlockArgument>(v).getArgNumber());
    };
    auto idx = [&](int64_t v) -> Value {
      return arith::ConstantIndexOp::create(b, v);
    };
    auto i64 = [&](Value index) -> Value {
      return arith::IndexCastOp::create(b, b.getI64Type(), index);
    };
    auto ci64 = [&](int64_t v) -> Value {
      return arith::ConstantIntOp::create(b, b.getI64Type(), v);
    };
    auto ci32 = [&](int64_t v) -> Value {
      return arith::ConstantIntOp::create(b, b.getI32Type(), v);
    };
    auto address = [&](Value memref) -> Value {
      return i64(memref::ExtractAlignedPointerAsIndexOp::create(b, memref));
    };
    auto projections = [&](layer::FusedMixOp m) {
      return std::array<layer::ProjectOp, 4>{
          m.getPa().getDefiningOp<layer::ProjectOp>(),
          m.getPb().getDefiningOp<layer::ProjectOp>(),
          m.getPc().getDefiningOp<layer::ProjectOp>(),
          m.getPv().getDefiningOp<layer::ProjectOp>()};
    };
    std::array<layer::ProjectOp, 4> ins = projections(mix);
    Value x = argOf(ins[0].getX());
    Value out = entry->getArgument(fn.getNumArguments());
    int64_t Dm = cast<MemRefType>(x.getType()).getDimSize(2);
    Value B = memref::DimOp::create(b, x, 0);
    Value L = memref::DimOp::create(b, x, 1);
    Value tokens = arith::MulIOp::create(b, B, L);
    Value nonEmpty =
        arith::CmpIOp::create(b, arith::CmpIPredicate::ugt, tokens, idx(0));
    auto ifOp = scf::IfOp::create(b, TypeRange{}, nonEmpty, false);
    b.setInsertionPoint(ifOp.thenBlock()->getTerminator());

    // The workspace: pa, pb, pc, pv, z ([B, N, L] each, the layer dtype)
    // and the gates ([B, H, L], gateType), each 256-byte aligned.
    int64_t widths[6] = {H, Hkv * D, Hkv * D, H * D, H * D,
                         gateKernel() ? H : 0};
    SmallVector<Value> offsets;
    Value total = idx(0);
    for (int i = 0; i < 6; ++i) {
      offsets.push_back(total);
      Value bytes =
          arith::MulIOp::create(b, tokens, idx(widths[i] * (i == 5 ? gateBytes : elemBytes)));
      Value rounded = arith::MulIOp::create(
          b,
          arith::DivUIOp::create(b, arith::AddIOp::create(b, bytes, idx(255)),
                                 idx(256)),
          idx(256));
      total = arith::AddIOp::create(b, total, rounded);
    }
    auto ptrType = LLVM::LLVMPointerType::get(ctx);
    Value wsPtr =
        func::CallOp::create(b, kWorkspaceFn, TypeRange{ptrType},
                             ValueRange{i64(total)})
            .getResult(0);
    // A memref<?xi8> descriptor of the workspace (the LLVM lowering's
    // struct, folded by reconcile-unrealized-casts).
    auto descType = LLVM::LLVMStructType::getLiteral(
        ctx, {ptrType, ptrType, b.getI64Type(),
              LLVM::LLVMArrayType::get(b.getI64Type(), 1),
              LLVM::LLVMArrayType::get(b.getI64Type(), 1)});
    Value desc = LLVM::UndefOp::create(b, descType);
    desc = LLVM::InsertValueOp::create(b, desc, wsPtr, ArrayRef<int64_t>{0});
    desc = LLVM::InsertValueOp::create(b, desc, wsPtr, ArrayRef<int64_t>{1});
    desc = LLVM::InsertValueOp::create(b, desc, ci64(0), ArrayRef<int64_t>{2});
    desc = LLVM::InsertValueOp::create(b, desc, i64(total),
                                       ArrayRef<int64_t>{3, 0});
    desc = LLVM::InsertValueOp::create(b, desc, ci64(1),
                                       ArrayRef<int64_t>{4, 0});
    auto wsType = MemRefType::get({ShapedType::kDynamic}, b.getI8Type());
    Value ws = UnrealizedConversionCastOp::create(b, wsType, desc).getResult(0);
    Value wsBase = i64(memref::ExtractAlignedPointerAsIndexOp::create(b, ws));
    auto regionAddress = [&](int i) {
      return arith::AddIOp::create(b, wsBase, i64(offsets[i]));
    };
    auto view = [&](int i, MemRefType type) -> Value {
      SmallVector<Value> sizes{B, L};
      if (type.getRank() == 1)
        sizes = {arith::MulIOp::create(b, tokens, idx(widths[i]))};
      return memref::ViewOp::create(b, type, ws, offsets[i], sizes);
    };

    // One stream for everything: the GEMMs take it from the async token
    // (the gpu-to-llvm lowering turns tokens into streams).
    Type tokenType = gpu::AsyncTokenType::get(ctx);
    Value token = gpu::WaitOp::create(b, tokenType, ValueRange{}).getAsyncToken();
    Value stream =
        UnrealizedConversionCastOp::create(b, ptrType, token).getResult(0);
    Value Li = i64(L), Bi = i64(B);
    // Column-major (cuBLAS) form of each GEMM: gemm(transA, transB, m, n, k,
    // A, lda, strideA, B, ldb, strideB, C, ldc, strideC, batch).
    auto gemm = [&](bool ta, bool tb, Value m, Value n, Value k, Value a,
                    Value lda, Value sa, Value bb, Value ldb, Value sb, Value c,
                    Value ldc, Value sc) {
      func::CallOp::create(
          b, kGemmFn, TypeRange{},
          ValueRange{ci32(dtypeCode), ci32(dtypeCode), ci32(ta), ci32(tb), m, n,
                     k, a, lda, sa, bb, ldb, sb, c, ldc, sc, Bi, stream});
    };
    // p[b] (row-major [N, L]) = column-major [L, N] = x[b] W: A = x[b]
    // (column-major [Dm, L], transposed), B = W (column-major [N, Dm],
    // transposed).
    for (int i = 0; i < 4; ++i) {
      int64_t n = widths[i];
      Value w = argOf(ins[i].getW());
      gemm(true, true, Li, ci64(n), ci64(Dm), address(x), ci64(Dm),
           arith::MulIOp::create(b, Li, ci64(Dm)), address(w), ci64(n),
           ci64(0), regionAddress(i), Li,
           arith::MulIOp::create(b, Li, ci64(n)));
    }

    // layer-gates = kernel: act_a(pa + ba) once per (b, h, t).
    int64_t dyn = ShapedType::kDynamic;
    if (gates) {
      Value n = arith::MulIOp::create(b, tokens, idx(H));
      Value paFlat = view(0, MemRefType::get({dyn}, elem));
      Value gFlat = view(5, MemRefType::get({dyn}, gate));
      Value grid = arith::DivUIOp::create(
          b, arith::AddIOp::create(b, n, idx(kGatesThreads - 1)),
          idx(kGatesThreads));
      token = gpu::LaunchFuncOp::create(
                  b, gates, gpu::KernelDim3{grid, idx(1), idx(1)},
                  gpu::KernelDim3{idx(kGatesThreads), idx(1), idx(1)},
                  /*dynamicSharedMemorySize=*/Value(),
                  ValueRange{paFlat, argOf(mix.getBa()), gFlat, n, L},
                  tokenType, ValueRange{token})
                  .getAsyncToken();
    }

    // The fused kernels.
    Value pa = gates ? view(5, MemRefType::get({dyn, H, dyn}, gate))
                     : view(0, MemRefType::get({dyn, H, dyn}, elem));
    auto preType = MemRefType::get({dyn, Hkv, D, dyn}, elem);
    auto rowType = MemRefType::get({dyn, H, D, dyn}, elem);
    Value pb = view(1, preType), pc = view(2, preType);
    Value pv = view(3, rowType), z = view(4, rowType);
    for (auto &[kernel, config] : launches) {
      SmallVector<Value> operands{pa,
                                  pv,
                                  pb,
                                  pc,
                                  argOf(mix.getBa()),
                                  argOf(mix.getBb()),
                                  argOf(mix.getBc()),
                                  z};
      Value rows =
          arith::MulIOp::create(b, B, idx(config.layer.headCount * D));
      token = emitScanLaunch(b, kernel, config, operands, rows, L, token);
    }

    // out[b] (row-major [L, Dm]) = column-major [Dm, L] = Wo^T z[b]:
    // A = Wo (column-major [Dm, H*D]), B = z[b] (column-major [L, H*D],
    // transposed).
    gemm(false, true, ci64(Dm), Li, ci64(H * D), address(argOf(proj.getW())),
         ci64(Dm), ci64(0), regionAddress(4), Li,
         arith::MulIOp::create(b, Li, ci64(H * D)), address(out), ci64(Dm),
         arith::MulIOp::create(b, Li, ci64(Dm)));
    gpu::WaitOp::create(b, Type(), ValueRange{token});
    b.setInsertionPointToEnd(entry);
    func::ReturnOp::create(b);
    fn.erase();
    return success();
  }

  /// Declares the runtime's layer functions (libphalanx_rt exports them;
  /// runtime/include/phalanx/runtime.h).
  void declareLayerRuntime(ModuleOp module) {
    MLIRContext *ctx = &getContext();
    OpBuilder b(ctx);
    b.setInsertionPointToStart(module.getBody());
    auto ptrType = LLVM::LLVMPointerType::get(ctx);
    Type i32 = b.getI32Type(), i64 = b.getI64Type();
    if (!module.lookupSymbol(kWorkspaceFn)) {
      auto f = func::FuncOp::create(b, module.getLoc(), kWorkspaceFn,
                                    b.getFunctionType({i64}, {ptrType}));
      f.setPrivate();
    }
    if (!module.lookupSymbol(kGemmFn)) {
      SmallVector<Type> args{i32, i32, i32, i32};
      args.append(13, i64);
      args.push_back(ptrType);
      auto f = func::FuncOp::create(b, module.getLoc(), kGemmFn,
                                    b.getFunctionType(args, {}));
      f.setPrivate();
    }
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // The ring's knobs: a depth of one slot would hold no tile in flight,
    // and groups halve until they divide the warp's run (powers of two).
    if (mmaRing < -1 || mmaRing == 1 || mmaRingGroup < 0 ||
        (mmaRingGroup & (mmaRingGroup - 1)) != 0 ||
        mmaRingGroup > kMmaRingTiles) {
      emitError(module.getLoc())
          << "convert-swr-to-gpu: mma-ring must be -1 (the rule), 0 (off) or "
             "at least 2 slots, and mma-ring-group 0 (the rule) or a power of "
             "two up to "
          << kMmaRingTiles << " tiles; got mma-ring=" << static_cast<int64_t>(mmaRing)
          << " mma-ring-group=" << static_cast<int64_t>(mmaRingGroup);
      return signalPassFailure();
    }
    if (mmaMatrixParts < 0 || mmaMatrixParts > 3) {
      emitError(module.getLoc())
          << "convert-swr-to-gpu: mma-matrix-parts must be 0 (the rule), 1, "
             "2 or 3; got "
          << static_cast<int64_t>(mmaMatrixParts);
      return signalPassFailure();
    }
    std::optional<MmaLoopKernel> asked = parseMmaLoopKernel(mmaLoopKernel);
    if (!asked) {
      emitError(module.getLoc())
          << "convert-swr-to-gpu: mma-loop-kernel must be auto, loop, wide or "
             "half; got '"
          << mmaLoopKernel << "'";
      return signalPassFailure();
    }
    loopKernel = *asked;
    bool failedAny = false;
    ScheduleKnobs knobs{local,       tilesPerLane, warps, cluster, lane,
                        warp,        cta,          grid,  overrideSchedule};
    IRRewriter rewriter(&getContext());
    SmallVector<func::FuncOp> tiled, layers;
    SmallVector<std::pair<ScanOp, ScheduleAttr>> scans; // tiled after the walk
    module.walk([&](Operation *op) {
      auto fn = dyn_cast_or_null<func::FuncOp>(op->getParentOp());
      if (isa<layer::LayerOp>(op)) {
        op->emitError() << "phalanx.layer on the GPU: run phalanx-fuse-layer "
                           "first (phalanx-gpu-pipeline does)";
        failedAny = true;
        return;
      }
      if (isa<layer::FusedMixOp>(op)) {
        if (!fn || fn.isPrivate() || entryLayer(fn) != op) {
          op->emitError()
              << "phalanx.fused_mix on the GPU must be part of a public "
                 "function made of the fused layer on its arguments (four "
                 "phalanx.project of one x, the fused_mix, one "
                 "phalanx.project_out, returned)";
          failedAny = true;
          return;
        }
        layers.push_back(fn);
        return;
      }
      if (isa<layer::ProjectOp, layer::ProjectOutOp>(op)) {
        if (!fn || !entryLayer(fn)) {
          op->emitError() << op->getName()
                          << " on the GPU must be part of a fused layer "
                             "entry (phalanx-fuse-layer)";
          failedAny = true;
        }
        return;
      }
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
      // An swr.scan entry goes through the GPU tiled form first
      // (swr-gpu-tile with this pass's knobs).
      FailureOr<ScheduleAttr> schedule = entrySchedule(scan, knobs);
      if (failed(schedule)) {
        failedAny = true;
        return;
      }
      scans.push_back({scan, *schedule});
      tiled.push_back(fn);
    });
    if (failedAny)
      return signalPassFailure();
    for (auto [scan, schedule] : scans)
      tileForGPU(rewriter, scan, schedule);
    SmallVector<std::pair<func::FuncOp, TiledEntry>, 4> entries;
    for (func::FuncOp fn : tiled) {
      FailureOr<TiledEntry> e = matchTiledEntry(fn);
      if (failed(e))
        return signalPassFailure();
      entries.push_back({fn, *e});
    }
    if (entries.empty() && layers.empty())
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
    if (!layers.empty())
      declareLayerRuntime(module);
    for (func::FuncOp fn : layers)
      if (failed(convertLayer(fn, kernels, knobs)))
        return signalPassFailure();
  }
};

} // namespace
} // namespace phalanx
