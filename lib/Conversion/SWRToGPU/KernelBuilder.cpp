//===- KernelBuilder.cpp - the SWR CUDA kernel ----------------------------===//
//
// Builds the gpu.func of one swr.scan under one schedule (local = scan):
//
//   1. position: row r = (b, h, d) and CTA position along the sequence, from
//      the block ids, or from an atomic ticket when the grid route is `flags`
//      (a CTA only ever waits on CTAs with an earlier ticket, which are
//      resident);
//   2. carriers: each thread scans its `tiles_per_lane` tiles from zero and
//      keeps their carriers (g, v);
//   3. exchange: the carry into each of its tiles, from the routes of the
//      schedule (lane shuffles, warp smem, cluster dsmem, grid flags, or a
//      recomputed halo);
//   4. apply: rescans its tiles and writes y = local + prefix * carry.
//
// docs/gpu-lowering.md has the details and the reasons.
//
//===----------------------------------------------------------------------===//
#include "KernelBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

#include <functional>
#include <optional>
#include <map>
#include <vector>

using namespace mlir;
using namespace phalanx::swr;

namespace phalanx::swr_to_gpu {
namespace {

/// Register budget per thread of the layer's fused kernels that read
/// precomputed gates (finite K).
constexpr int64_t kLayerRegisters = 128;

using ValueVector = SmallVector<Value>;
using Fn = std::function<ValueVector()>;

/// A carrier (g, v): the gate product of a span and its terminal state.
struct Carrier {
  Value g, v;
};

class KernelEmitter {
public:
  KernelEmitter(OpBuilder &builder, Location loc, const KernelConfig &c,
                KernelPart part = KernelPart::whole)
      : b(loc, builder), c(c), part(part) {}

  gpu::GPUFuncOp build(gpu::GPUModuleOp module, StringRef name);
  gpu::GPUFuncOp buildGates(gpu::GPUModuleOp module, StringRef name,
                            Type gateElemType);

private:
  ImplicitLocOpBuilder b;
  const KernelConfig &c;
  /// For row-loop configurations: which of the two kernels this is.
  KernelPart part;
  /// Whether the kernel takes the flags and scratch buffers (grid = flags,
  /// except the row-loop kernel, which needs neither).
  bool flagArgs() const { return c.gridFlags() && !loopPart(); }
  /// The row-loop kernel (either register budget for local = mma).
  bool loopPart() const {
    return part == KernelPart::rowLoop || wideRegisters();
  }
  /// The mma row-loop kernels with 128 registers per thread (else 64).
  bool wideRegisters() const {
    return part == KernelPart::rowLoopWide || part == KernelPart::rowLoopHalf;
  }

  // Kernel arguments.
  Value gates, drive, resets, init, out, flagsBuf, scratch, nx;
  // Layer mode: pb and pc ([B, Hkv, D, L]), the biases, this row's kv head,
  // its flat offset in pb / pc and its biases as f32.
  Value gpre, cpre, biasA, biasB, biasC, kvIdx, preRow, baV, bbV, bcV;
  // -bias log2 e for sigmoid activations (activationOf), else null.
  Value baScaled, bbScaled;
  // Workgroup memory.
  Value smemF, smemI;
  // cta = bulk: the 16-byte aligned message this CTA pushes, the receive
  // buffer the other CTAs of its cluster push into, and its mbarrier.
  Value smemSend, smemRecv, smemBar;
  // Sizes and position.
  Value L, T, rows, bIdx, hIdx, dIdx, r, tid, lane, warp, rank, pos;
  // local = mma with several rows per CTA (c.slots > 1): the thread id in
  // the CTA, the row slot (tid, lane, warp are per slot, so every route
  // runs per row as in a CTA of its own) and this slot's offset in smemF.
  Value ctaTid, slot, smemFOff;
  // Rows per CTA and warps per row (packRows()), this warp's row within the
  // CTA and index within its row, whether the row exists (packRows()), and
  // whether one unit covers the row (gridFlags(): no ticket, no flags).
  Value rpc, wpr, rowSub, rowWarp, rowValid, single;
  Value ctaBase, clusterBase, warpBase, base, initV;
  // grid = flags, cluster 1: the position guessed from the block id (the
  // tiles are loaded for it before the ticket is taken; reloaded when the
  // ticket differs) and the ticket counter of the row.
  Value guess, counter;
  // Flat element offsets of this row in the drive / y and gates operands, and
  // whether every operand allows the vector path (L and the pointers aligned).
  Value driveRow, gateRow, aligned;

  //===--------------------------------------------------------------------===//
  // Small helpers
  //===--------------------------------------------------------------------===//
  Type f32() { return b.getF32Type(); }
  Type i32() { return b.getI32Type(); }
  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value cf(float v) {
    return arith::ConstantFloatOp::create(b, cast<FloatType>(f32()),
                                          APFloat(v));
  }
  Value ci32(int64_t v) { return arith::ConstantIntOp::create(b, i32(), v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, x, y); }
  Value div(Value x, Value y) { return arith::DivSIOp::create(b, x, y); }
  Value rem(Value x, Value y) { return arith::RemSIOp::create(b, x, y); }
  Value add(Value x, int64_t y) { return y == 0 ? x : add(x, idx(y)); }
  Value mul(Value x, int64_t y) { return y == 1 ? x : mul(x, idx(y)); }
  Value addF(Value x, Value y) { return arith::AddFOp::create(b, x, y); }
  Value mulF(Value x, Value y) { return arith::MulFOp::create(b, x, y); }
  /// a * s + x (layer mode and local = mma: one fused multiply-add,
  /// llvm.intr.fma, which ptxas keeps as fma.rn.f32: the mma kernels are
  /// short of issue slots, not of bandwidth; the scan kernels keep the
  /// separately rounded mul / add their tests and PTX checks describe).
  Value axpy(Value a, Value s, Value x) {
    if (c.layer.enabled || c.schedule.getLocal() == LocalStrategy::mma)
      return fma(a, s, x);
    return addF(mulF(a, s), x);
  }
  Value fma(Value a, Value s, Value x) {
    return LLVM::FMAOp::create(b, a, s, x);
  }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, p, x, y);
  }
  Value lt(Value x, Value y) { return cmp(arith::CmpIPredicate::slt, x, y); }
  Value ge(Value x, Value y) { return cmp(arith::CmpIPredicate::sge, x, y); }
  Value eq(Value x, Value y) { return cmp(arith::CmpIPredicate::eq, x, y); }
  Value andI(Value x, Value y) { return arith::AndIOp::create(b, x, y); }
  Value orI(Value x, Value y) { return arith::OrIOp::create(b, x, y); }
  Value sel(Value cond, Value x, Value y) {
    return arith::SelectOp::create(b, cond, x, y);
  }
  Carrier sel(Value cond, Carrier x, Carrier y) {
    return {sel(cond, x.g, y.g), sel(cond, x.v, y.v)};
  }
  Value toF32(Value v) {
    if (v.getType() == f32())
      return v;
    return arith::ExtFOp::create(b, f32(), v);
  }
  Value fromF32(Value v, Type t) {
    if (t == f32())
      return v;
    return arith::TruncFOp::create(b, t, v);
  }
  Value load(Value m, ValueRange ind) { return memref::LoadOp::create(b, m, ind); }
  void store(Value v, Value m, ValueRange ind) {
    memref::StoreOp::create(b, v, m, ind);
  }
  Value toIndex(Value v) {
    return arith::IndexCastOp::create(b, b.getIndexType(), v);
  }
  Value toI32(Value v) { return arith::IndexCastOp::create(b, i32(), v); }
  /// x / y and x % y in 32-bit unsigned arithmetic (exact for block ids,
  /// grid sizes and rows, all below 2^31; a 64-bit division is a long
  /// instruction sequence). Used by the several-rows-per-CTA kernels.
  std::pair<Value, Value> divRem32(Value x, Value y) {
    Value x32 = arith::IndexCastUIOp::create(b, i32(), x);
    Value y32 = arith::IndexCastUIOp::create(b, i32(), y);
    Value q = arith::DivUIOp::create(b, x32, y32);
    Value r = arith::SubIOp::create(b, x32, arith::MulIOp::create(b, q, y32));
    return {arith::IndexCastUIOp::create(b, b.getIndexType(), q),
            arith::IndexCastUIOp::create(b, b.getIndexType(), r)};
  }

  /// Both halves of a carrier shuffled the same way (g first, then v);
  /// `valid` says whether the source lane exists (UP / DOWN).
  struct Shuffled {
    Carrier c;
    Value valid;
  };
  Shuffled shuffle(Carrier x, int32_t offset, gpu::ShuffleMode mode) {
    auto g = gpu::ShuffleOp::create(b, x.g, offset, kWarpSize, mode);
    auto v = gpu::ShuffleOp::create(b, x.v, offset, kWarpSize, mode);
    return {{g.getShuffleResult(), v.getShuffleResult()}, g.getValid()};
  }

  /// (g1, v1) then (g2, v2) = (g1 g2, g2 v1 + v2).
  Carrier compose(Carrier x, Carrier y) {
    return {mulF(x.g, y.g), axpy(y.g, x.v, y.v)};
  }
  Carrier identity() { return {cf(1.0f), cf(0.0f)}; }
  Value notSingle() {
    return arith::XOrIOp::create(
        b, single, arith::ConstantIntOp::create(b, b.getI1Type(), 1));
  }

  ValueVector emitIf(Value cond, TypeRange types, const Fn &thenFn,
                     const Fn &elseFn) {
    auto op = scf::IfOp::create(b, types, cond, /*withElseRegion=*/!!elseFn);
    auto fill = [&](Region &region, const Fn &fn) {
      Block &block = region.front();
      OpBuilder::InsertionGuard guard(b);
      if (!block.empty() && isa<scf::YieldOp>(block.back()))
        block.back().erase();
      b.setInsertionPointToEnd(&block);
      ValueVector values = fn();
      scf::YieldOp::create(b, values);
    };
    fill(op.getThenRegion(), thenFn);
    if (elseFn)
      fill(op.getElseRegion(), elseFn);
    return ValueVector(op.getResults());
  }
  void emitIf(Value cond, const std::function<void()> &thenFn) {
    emitIf(cond, {}, [&] { thenFn(); return ValueVector{}; }, nullptr);
  }
  Carrier emitIfCarrier(Value cond, const std::function<Carrier()> &thenFn,
                        const std::function<Carrier()> &elseFn) {
    ValueVector res = emitIf(
        cond, {f32(), f32()},
        [&] { Carrier x = thenFn(); return ValueVector{x.g, x.v}; },
        [&] { Carrier x = elseFn(); return ValueVector{x.g, x.v}; });
    return {res[0], res[1]};
  }
  ValueVector emitFor(Value lb, Value ub, Value step, ValueRange inits,
                      const std::function<ValueVector(Value, ValueRange)> &fn) {
    auto op = scf::ForOp::create(b, lb, ub, step, inits);
    Block *body = op.getBody();
    OpBuilder::InsertionGuard guard(b);
    if (!body->empty() && isa<scf::YieldOp>(body->back()))
      body->back().erase();
    b.setInsertionPointToEnd(body);
    ValueVector values = fn(op.getInductionVar(), op.getRegionIterArgs());
    scf::YieldOp::create(b, values);
    return ValueVector(op.getResults());
  }

  //===--------------------------------------------------------------------===//
  // Pointers and synchronization
  //===--------------------------------------------------------------------===//
  /// The address of element `index` of a (1-D, offset 0) memref as an LLVM
  /// pointer of address space `space`.
  Value elementPtr(Value memref, Value index, Type elem, unsigned space) {
    if (isa<LLVM::LLVMPointerType>(memref.getType())) // dynamic workgroup memory
      return LLVM::GEPOp::create(
          b, memref.getType(), elem, memref,
          ValueRange{arith::IndexCastOp::create(b, b.getI64Type(), index)});
    Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, memref);
    Value asInt = arith::IndexCastOp::create(b, b.getI64Type(), base);
    auto ptrType = LLVM::LLVMPointerType::get(b.getContext(), space);
    Value ptr = LLVM::IntToPtrOp::create(b, ptrType, asInt);
    Value offset = arith::IndexCastOp::create(b, b.getI64Type(), index);
    return LLVM::GEPOp::create(b, ptrType, elem, ptr, ValueRange{offset});
  }
  /// Loads element `index` of workgroup buffer `memref` of CTA `ctaRank` of
  /// this cluster (distributed shared memory: mapa + ld.shared::cluster).
  Value loadRemote(Value memref, Value index, Type elem, Value ctaRank) {
    if (memref == smemF && smemFOff)
      index = add(index, smemFOff); // this slot's view (build())
    Value local = elementPtr(memref, index, elem, /*shared=*/3);
    auto clusterPtr = LLVM::LLVMPointerType::get(b.getContext(), 7);
    Value remote = NVVM::MapaOp::create(b, clusterPtr, local, toI32(ctaRank));
    return LLVM::LoadOp::create(b, elem, remote, /*alignment=*/4);
  }
  void clusterBarrier() {
    NVVM::ClusterArriveOp::create(b, UnitAttr());
    NVVM::ClusterWaitOp::create(b, UnitAttr());
  }
  void releaseFence() {
    LLVM::FenceOp::create(b, LLVM::AtomicOrdering::acq_rel, "device");
  }
  void storeRelease(Value value, Value memref, Value index) {
    Value ptr = elementPtr(memref, index, i32(), 0);
    LLVM::StoreOp::create(b, value, ptr, 4, false, false, false,
                          LLVM::AtomicOrdering::release, "device");
  }
  Value loadAcquire(Value memref, Value index) {
    Value ptr = elementPtr(memref, index, i32(), 0);
    return LLVM::LoadOp::create(b, i32(), ptr, 4, false, false, false, false,
                                LLVM::AtomicOrdering::acquire, "device");
  }
  /// Spins until flags[index] != 0 (ld.acquire.gpu) and returns the flag.
  Value spinOnFlag(Value index) {
    auto loop = scf::WhileOp::create(
        b, TypeRange{i32()}, ValueRange{},
        [&](OpBuilder &nb, Location, ValueRange) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
          Value flag = loadAcquire(flagsBuf, index);
          scf::ConditionOp::create(b, eq(flag, ci32(0)), ValueRange{flag});
        },
        [&](OpBuilder &nb, Location, ValueRange) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
          NVVM::NanosleepOp::create(b, ci32(32));
          scf::YieldOp::create(b, ValueRange{});
        });
    return loop.getResult(0);
  }

  //===--------------------------------------------------------------------===//
  // Tokens and tiles
  //===--------------------------------------------------------------------===//
  /// 0 <= t < L
  Value tokenValid(Value t) {
    Value nonNegative = ge(t, idx(0));
    Value inRange = lt(t, L);
    return andI(nonNegative, inRange);
  }

  /// Elements per vector access of `elem` for a tile of `block` tokens: the
  /// largest power of two that divides the block and fits in 16 bytes.
  static int64_t vecWidth(Type elem, int64_t block) {
    int64_t bytes = std::max<int64_t>(1, elem.getIntOrFloatBitWidth() / 8);
    int64_t w = std::max<int64_t>(1, 16 / bytes);
    while (w > 1 && block % w != 0)
      w /= 2;
    return w;
  }
  int64_t vwA() { return vecWidth(c.gatesType.getElementType(), c.block); }
  int64_t vwX() { return vecWidth(c.driveType.getElementType(), c.block); }
  int64_t vwY() { return vecWidth(c.outType.getElementType(), c.block); }

  /// A global-memory (addrspace 1) pointer to element `offset` of `memref`.
  Value globalPtr(Value memref, Value offset) {
    Type elem = cast<MemRefType>(memref.getType()).getElementType();
    Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, memref);
    Value asInt = arith::IndexCastOp::create(b, b.getI64Type(), base);
    auto ptrType = LLVM::LLVMPointerType::get(b.getContext(), 1);
    Value ptr = LLVM::IntToPtrOp::create(b, ptrType, asInt);
    Value off = arith::IndexCastOp::create(b, b.getI64Type(), offset);
    return LLVM::GEPOp::create(b, ptrType, elem, ptr, ValueRange{off});
  }
  Value lanePos(int64_t k) {
    return LLVM::ConstantOp::create(b, i32(), b.getI32IntegerAttr(k));
  }

  /// The tokens of one tile as loaded: the gate and drive vectors (element
  /// types of the operands, `vwA()` / `vwX()` elements each, token order),
  /// whether the tile took the vector path (whole tile inside [0, L) and
  /// aligned), and its physical index and first token.
  struct TileData {
    Value fast, phys, first;
    SmallVector<Value> gv, xv;
    // Layer mode: the raw pb and pc vectors (gv holds pa and xv pv).
    SmallVector<Value> pv, cv;
    // Shared gates (KernelConfig::sharedGates): the tile's activated f32
    // gates from workgroup memory (sharedGateVec() each; gv is empty).
    SmallVector<Value> sg;
  };

  /// Loads logical tile q. Vector path: 16-byte (ld.global.nc) loads of the
  /// thread's contiguous tokens; otherwise guarded scalar loads with gate 1
  /// and drive 0 outside [0, L) (which leaves every carrier and output of the
  /// real tokens unchanged).
  TileData loadTile(Value q, bool noGates = false) {
    TileData d;
    d.phys = c.transpose ? sub(sub(T, idx(1)), q) : q;
    d.first = mul(d.phys, c.block);
    Value whole = andI(ge(d.first, idx(0)),
                       cmp(arith::CmpIPredicate::sle, add(d.first, c.block), L));
    d.fast = andI(whole, aligned);
    Type ea = c.gatesType.getElementType(), ex = c.driveType.getElementType();
    int64_t wa = vwA(), wx = vwX();
    auto va = VectorType::get({wa}, ea), vx = VectorType::get({wx}, ex);
    int64_t na = noGates ? 0 : c.block / wa, nx = c.block / wx;
    SmallVector<Type> types(na, va);
    types.append(c.block / wx, vx);
    if (layer())
      types.append(2 * (c.block / wx), vx);
    ValueVector res = emitIf(
        d.fast, types,
        [&] {
          ValueVector out;
          for (int64_t j = 0; j < na; ++j)
            out.push_back(LLVM::LoadOp::create(
                b, va, globalPtr(gates, add(add(gateRow, d.first), j * wa)),
                wa * ea.getIntOrFloatBitWidth() / 8, false, false,
                /*invariant=*/true));
          for (int64_t j = 0; j < c.block / wx; ++j)
            out.push_back(LLVM::LoadOp::create(
                b, vx, globalPtr(drive, add(add(driveRow, d.first), j * wx)),
                wx * ex.getIntOrFloatBitWidth() / 8, false, false,
                /*invariant=*/true));
          // Layer mode: pb, then pc (the post-gate's, loaded with the
          // others so that the tile takes one round trip to memory: loaded
          // in the apply phase, after the scan, its latency was exposed).
          if (layer())
            for (Value src : {gpre, cpre})
              for (int64_t j = 0; j < c.block / wx; ++j)
                out.push_back(LLVM::LoadOp::create(
                    b, vx, globalPtr(src, add(add(preRow, d.first), j * wx)),
                    wx * ex.getIntOrFloatBitWidth() / 8, false, false,
                    /*invariant=*/true));
          return out;
        },
        [&] {
          ValueVector out;
          // which: 0 gates, 1 drive, 2 pb, 3 pc (layer mode).
          auto scalars = [&](Type vt, int64_t w, Type e, int which) {
            bool isGate = which == 0;
            for (int64_t j = 0; j < c.block / w; ++j) {
              Value v = LLVM::UndefOp::create(b, vt);
              for (int64_t k = 0; k < w; ++k) {
                Value t = add(d.first, j * w + k);
                Value valid = tokenValid(t);
                Value tc = sel(valid, t, idx(0));
                Value x = isGate ? load(gates, {bIdx, hIdx, tc})
                          : which == 1 ? load(drive, {bIdx, hIdx, dIdx, tc})
                                       : load(which == 2 ? gpre : cpre,
                                              {bIdx, kvIdx, dIdx, tc});
                Value pad = arith::ConstantFloatOp::create(
                    b, cast<FloatType>(e), APFloat(isGate ? 1.0f : 0.0f));
                if (e != f32()) {
                  bool lost;
                  APFloat ap(isGate ? 1.0f : 0.0f);
                  ap.convert(cast<FloatType>(e).getFloatSemantics(),
                             APFloat::rmNearestTiesToEven, &lost);
                  pad = arith::ConstantFloatOp::create(b, cast<FloatType>(e), ap);
                }
                v = LLVM::InsertElementOp::create(b, v, sel(valid, x, pad),
                                                  lanePos(k));
              }
              out.push_back(v);
            }
          };
          if (!noGates)
            scalars(va, wa, ea, 0);
          scalars(vx, wx, ex, 1);
          if (layer()) {
            scalars(vx, wx, ex, 2);
            scalars(vx, wx, ex, 3);
          }
          return out;
        });
    d.gv.assign(res.begin(), res.begin() + na);
    d.xv.assign(res.begin() + na, res.begin() + na + nx);
    if (layer()) {
      d.pv.assign(res.begin() + na + nx, res.begin() + na + 2 * nx);
      d.cv.assign(res.begin() + na + 2 * nx, res.end());
    }
    return d;
  }

  //===--------------------------------------------------------------------===//
  // Layer mode: activations, gates and drive from the projections
  //===--------------------------------------------------------------------===//
  bool layer() const { return c.layer.enabled; }
  /// sigmoid(z) = 1 / (1 + 2^(-z log2 e)) by ex2.approx.ftz.f32 and
  /// rcp.approx.ftz.f32 (4 instructions; no sign split: for z << 0 the power
  /// grows to +inf and rcp gives 0, for z >> 0 it goes to 0 and rcp(1) = 1;
  /// both approximations are within ~2^-22 relative, and the sigmoid's
  /// relative error is at most the power's). `scaledZ` is -z log2 e (with a
  /// bias folded in by one fma: sigmoidOf).
  Value sigmoidScaled(Value scaledZ) {
    return reciprocal(addF(cf(1.0f), exp2(scaledZ)));
  }
  static constexpr float kNegLog2e = -1.4426950408889634f;
  Value sigmoid(Value z) { return sigmoidScaled(mulF(z, cf(kNegLog2e))); }
  /// act(raw + bias), given biasScaled = -bias log2 e for sigmoid (one fma
  /// instead of an add and a multiply).
  Value activationOf(int kind, Value raw, Value bias, Value biasScaled) {
    if (kind == 0 && biasScaled)
      return sigmoidScaled(fma(raw, cf(kNegLog2e), biasScaled));
    return activation(kind, addF(raw, bias));
  }
  /// 1 / x by rcp.approx.ftz.f32 (max error 1 ulp; 1 / inf = 0, results
  /// below 2^-126 flushed to 0).
  Value reciprocal(Value x) {
    return NVVM::RcpApproxFtzF32Op::create(b, f32(), x);
  }
  /// 2^x by ex2.approx.ftz.f32 (relative error ~2^-22, results below 2^-126
  /// flushed to 0: a sigmoid that small is 0 in f32 anyway, up to 2^-126;
  /// the GPU lowering has no libdevice, and llvm.exp2 is not legal in
  /// convert-gpu-to-nvvm).
  Value exp2(Value x) {
    return LLVM::InlineAsmOp::create(
               b, f32(), ValueRange{x}, "ex2.approx.ftz.f32 $0, $1;", "=f,f",
               /*has_side_effects=*/false, /*is_align_stack=*/false,
               LLVM::tailcallkind::TailCallKind::None,
               LLVM::AsmDialectAttr::get(b.getContext(),
                                         LLVM::AsmDialect::AD_ATT),
               ArrayAttr())
        .getResult(0);
  }
  /// The gate activations of phalanx.layer (layer::Activation values).
  Value activation(int kind, Value z) {
    switch (kind) {
    case 1: // swish
      return mulF(z, sigmoid(z));
    case 2: { // hard_sigmoid: clamp(z / 6 + 1/2, 0, 1)
      Value v = addF(mulF(z, cf(1.0f / 6.0f)), cf(0.5f));
      return arith::MinimumFOp::create(
          b, arith::MaximumFOp::create(b, v, cf(0.0f)), cf(1.0f));
    }
    default:
      return sigmoid(z);
    }
  }
  // Layer mode: the gate and drive of a token are computed from the raw
  // vectors where they are used (not kept in registers as f32 between the
  // phases: that took 187 registers per thread for the published layer).
  Value rawAt(ArrayRef<Value> vectors, int64_t w, int64_t k) {
    return toF32(LLVM::ExtractElementOp::create(b, vectors[k / w], lanePos(k % w)));
  }
  /// act_a(pa + ba); 1 outside [0, L) where that matters (gateMask).
  Value layerGate(const TileData &d, int64_t k) {
    Value a;
    if (!d.sg.empty()) {
      int64_t w = c.sharedGateVec();
      a = LLVM::ExtractElementOp::create(b, d.sg[k / w], lanePos(k % w));
    } else {
      a = rawAt(d.gv, vwA(), k);
      if (!c.layer.gatesActivated)
        a = activationOf(c.layer.actA, a, baV, baScaled);
    }
    if (!layerGateMask())
      return a;
    return sel(tokenValid(add(d.first, k)), a, cf(1.0f));
  }
  /// Whether layer mode must force the gate of a token outside [0, L) to 1.
  /// Forward without an initial state it need not: the guarded loads give
  /// such a token the raw gate 1 and the drive 0 (act_b(0 + bb) * 0), so
  /// its gate is finite; a tile before token 0 has the zero local state, and
  /// its gate product multiplies only the states of earlier tiles, also
  /// zero; a token at or after L feeds only later tokens, none of which is
  /// stored. (The vector path, which every interior tile takes, then has no
  /// per-token compare and select.)
  bool layerGateMask() const { return c.transpose || c.hasInit(); }
  /// act_b(pb + bb) * pv (0 outside [0, L), where pv is 0).
  Value layerDrive(const TileData &d, int64_t k) {
    return mulF(activationOf(c.layer.actB, rawAt(d.pv, vwX(), k), bbV, bbScaled),
                rawAt(d.xv, vwX(), k));
  }
  /// The masked f32 gate of token k of the tile: zero at segment starts
  /// (only a tile's first token can be one: t % (S * BL) == 0, t > 0) and
  /// at resets, as swr.mask_gates.
  Value gateOf(const TileData &d, int64_t k) {
    int64_t w = vwA();
    Value a = layer() ? layerGate(d, k)
                      : toF32(LLVM::ExtractElementOp::create(b, d.gv[k / w],
                                                             lanePos(k % w)));
    Value cut;
    if (c.segment > 0 && k == 0) {
      Value start = eq(rem(d.phys, idx(c.segment)), idx(0));
      Value inside = andI(cmp(arith::CmpIPredicate::sgt, d.first, idx(0)),
                          lt(d.first, L));
      cut = andI(start, inside);
    }
    if (resets) {
      Value t = add(d.first, k);
      Value valid = tokenValid(t);
      Value flagged = andI(load(resets, {bIdx, sel(valid, t, idx(0))}), valid);
      cut = cut ? orI(cut, flagged) : flagged;
    }
    if (cut)
      a = sel(cut, cf(0.0f), a);
    return a;
  }
  /// The f32 drive of token k of the tile (0 outside [0, L)).
  Value driveOf(const TileData &d, int64_t k) {
    int64_t w = vwX();
    if (layer())
      return layerDrive(d, k);
    return toF32(LLVM::ExtractElementOp::create(b, d.xv[k / w], lanePos(k % w)));
  }
  /// The carrier of a loaded tile. Forward: (prod a, terminal local state);
  /// transpose: (prod a, a[first] * local[first]) with the local state
  /// scanned backwards.
  Carrier tileCarrier(const TileData &d) {
    if (!c.transpose) {
      Value g = gateOf(d, 0), v = driveOf(d, 0);
      for (int64_t k = 1; k < c.block; ++k) {
        Value a = gateOf(d, k);
        g = mulF(g, a);
        v = axpy(a, v, driveOf(d, k));
      }
      return {g, v};
    }
    Value g = cf(1.0f), state = cf(0.0f), next = cf(0.0f);
    for (int64_t k = c.block - 1; k >= 0; --k) {
      state = axpy(next, state, driveOf(d, k));
      Value a = gateOf(d, k);
      g = k == c.block - 1 ? a : mulF(g, a);
      next = a;
    }
    return {g, mulF(next, state)};
  }
  Carrier tileCarrier(Value q) { return tileCarrier(loadTile(q)); }
  /// K = 1, one tile per lane, lane shuffles with a warp-level halo
  /// (warp = halo; plain scan or layer mode): lane 0 needs the carrier of
  /// the tile before its
  /// warp's first tile. Recomputed by lane 0 alone (tileCarrier) that costs
  /// the whole warp 2 x block activations (the other lanes wait); here the
  /// warp computes it together, in uniform control flow: lane l < block
  /// evaluates token l's gate and drive (guarded scalar loads: gate 1 and
  /// drive 0 outside the tile and [0, L)), then a Kogge-Stone scan of the
  /// token carriers over the lanes; lane block - 1's is broadcast.
  bool warpHaloEligible() const {
    return warpScansHaloTile(c.transpose, c.hasResets(), c.hasInit(),
                             c.block) &&
           c.hops == 1 && c.tilesPerLane() == 1 && c.laneShuffle() &&
           !c.warpSmem() && c.schedule.getLocal() == LocalStrategy::scan;
  }
  Carrier warpTileCarrier(Value q) {
    Value t = add(mul(q, c.block), lane);
    Value valid = andI(lt(lane, idx(c.block)), tokenValid(t));
    Value tc = sel(valid, t, idx(0));
    Value pv = toF32(load(drive, {bIdx, hIdx, dIdx, tc}));
    Value pb = layer() ? toF32(load(gpre, {bIdx, kvIdx, dIdx, tc})) : Value();
    Value a, x = pv;
    if (smemG) // q is the tile before the warp's: its gates are shared
      a = load(smemG, {add(sharedGateIndex(q),
                           sel(lt(lane, idx(c.block)), lane, idx(0)))});
    else {
      a = toF32(load(gates, {bIdx, hIdx, tc}));
      if (layer() && !c.layer.gatesActivated)
        a = activationOf(c.layer.actA, a, baV, baScaled);
    }
    if (layer())
      x = mulF(activationOf(c.layer.actB, pb, bbV, bbScaled), pv);
    if (c.segment > 0) { // gateOf's segment start, at the tile's token 0
      Value cut = andI(andI(eq(lane, idx(0)), eq(rem(q, idx(c.segment)), idx(0))),
                       andI(cmp(arith::CmpIPredicate::sgt, t, idx(0)), lt(t, L)));
      a = sel(cut, cf(0.0f), a);
    }
    Carrier incl = sel(valid, Carrier{a, x}, identity());
    for (int64_t off = 1; off < c.block; off *= 2) {
      Shuffled prev = shuffle(incl, int32_t(off), gpu::ShuffleMode::UP);
      incl = sel(prev.valid, compose(prev.c, incl), incl);
    }
    return shuffle(incl, int32_t(c.block - 1), gpu::ShuffleMode::IDX).c;
  }
  // warpTileCarrier of the warp's previous tile (warpHaloEligible).
  std::optional<Carrier> warpHalo;
  /// Shared gates (KernelConfig::sharedGates): the workgroup buffer of the
  /// CTA's gates, tile ctaBase - sharedGateHalo() first, sharedGateStride()
  /// floats per tile.
  Value smemG;
  /// The buffer index of logical tile q's first token.
  Value sharedGateIndex(Value q) {
    return mul(add(sub(q, ctaBase), idx(c.sharedGateHalo())),
               c.sharedGateStride());
  }
  /// The CTA's threads evaluate act_a(pa + ba) of the CTA's tokens once
  /// each (coalesced scalar loads; a token outside [0, L) takes the raw
  /// gate 1, as loadTile's guarded loads) into smemG, then a barrier. In
  /// uniform control flow (every slot of the CTA is a row of the launch).
  void shareGates() {
    int64_t E = c.sharedGateHalo(), n = (c.ctaSpan() + E) * c.block;
    int64_t threads = c.ctaThreads();
    Value first = mul(sub(ctaBase, idx(E)), c.block);
    for (int64_t it = 0; it * threads < n; ++it) {
      Value i = add(ctaTid, idx(it * threads));
      auto one = [&] {
        Value t = add(first, i);
        Value valid = tokenValid(t);
        Value raw = toF32(load(gates, {bIdx, hIdx, sel(valid, t, idx(0))}));
        raw = sel(valid, raw, cf(1.0f));
        Value g = activationOf(c.layer.actA, raw, baV, baScaled);
        Value tile = div(i, idx(c.block));
        store(g, smemG,
              {add(mul(tile, c.sharedGateStride()),
                   sub(i, mul(tile, c.block)))});
      };
      if ((it + 1) * threads > n)
        emitIf(lt(i, idx(n)), one);
      else
        one();
    }
    gpu::BarrierOp::create(b);
  }
  /// Tile q's shared gates (q one of the CTA's tiles), as vectors.
  void loadSharedGates(TileData &d, Value q) {
    int64_t w = c.sharedGateVec();
    auto vt = VectorType::get({w}, f32());
    Value first = sharedGateIndex(q);
    for (int64_t j = 0; j < c.block / w; ++j)
      d.sg.push_back(LLVM::LoadOp::create(
          b, vt, elementPtr(smemG, add(first, idx(j * w)), f32(), 3), 4 * w));
  }
  /// Layer mode, forward: the local states and in-tile gate prefixes of a
  /// loaded tile, computed once for both its carrier (prefix and state of
  /// the last token) and its apply phase: each token's activations are
  /// then evaluated once per thread (with the carrier and the apply phase
  /// each evaluating them, a shuffle schedule computed every activation
  /// twice). 2 x block f32 registers stay live in between.
  /// The post-gate is folded in: z_k = (s_k + P_k carry) (pc_k + bc) + pv_k
  /// = alpha_k + beta_k carry with alpha_k = s_k (pc_k + bc) + pv_k and
  /// beta_k = P_k (pc_k + bc), so the raw pc and pv vectors die in the scan
  /// and only alpha, beta (2 x block f32) wait for the carry.
  struct TileScan {
    SmallVector<Value> alpha, beta;
    Carrier last; // (P_last, s_last): the tile's carrier
  };
  /// With the carry known (`carry`, or `noCarry`: K = 0) each token's z is
  /// formed as it is scanned (alpha holds z, beta stays empty: nothing
  /// waits).
  TileScan scanTile(const TileData &d, Value carry = nullptr,
                    bool noCarry = false) {
    TileScan s;
    Value state, prefix;
    for (int64_t k = 0; k < c.block; ++k) {
      Value a = gateOf(d, k), x = driveOf(d, k);
      state = k == 0 ? x : axpy(a, state, x);
      prefix = k == 0 ? a : mulF(prefix, a);
      Value post = addF(rawAt(d.cv, vwX(), k), bcV);
      Value alpha = axpy(state, post, rawAt(d.xv, vwX(), k));
      if (noCarry)
        s.alpha.push_back(alpha);
      else if (carry)
        s.alpha.push_back(axpy(mulF(prefix, post), carry, alpha));
      else {
        s.alpha.push_back(alpha);
        s.beta.push_back(mulF(prefix, post));
      }
    }
    s.last = {prefix, state};
    return s;
  }

  //===--------------------------------------------------------------------===//
  // local = mma: the in-tile contraction on tensor cores
  //===--------------------------------------------------------------------===//
  // The CTA holds c.slots rows: channels d0 .. d0 + S - 1 of one (b, h) at
  // the same tiles (position()), so a tile's transfer matrix
  // M[t][j] = a[j+1] ... a[t] is shared by its channels. One warp computes
  // the local states of one tile for all S <= 16 channels, transposed:
  // local^T = X^T M^T (forward; X^T M for transpose) with m16n8k16, A = X^T
  // (rows: channels, columns: tokens j) and B = M^T (tokens j x tokens t).
  // The order of the K and N indices inside a 16-token block is free, so
  // lane (g, tig) = (lane / 4, lane % 4) takes
  //   K: tokens 4 tig .. 4 tig + 3 (registers a01, a45 of A, b01, b23 of B),
  //   N (column g of block nb of B): token 4 (g / 2) + 2 nb + g % 2,
  // which makes its A fragment two 4-token runs of channels g and g + 8,
  // loaded straight from global memory (bf16: the raw words, no
  // conversion), and its C fragments the same runs of local states, stored
  // straight to global memory. B (the decay matrix) is built in registers
  // from the tile's gates (products only: no division, no logs; gates 0 and
  // 1 exact). No workgroup memory, no barrier for K = 0; K != 0 exchanges
  // (gate product, terminal state) per (channel, tile) and the carries
  // through workgroup memory with the per-row carrier routes (two
  // barriers), the local states staying in registers.
  // K != 0: mmaExchangeFloats (tile products, carriers, carries; the
  // row-loop kernel: the warp aggregates).
  Value smemM;
  // The row loop's staged chunks (mmaStage): sets of gates / drive rows in
  // dynamic workgroup memory (stageXBase: drive elements before the drive
  // rows); per chunk the offsets of its set, its first physical token and
  // whether it is staged (null outside the row loop).
  MmaStage stage;
  Value smemSG, smemSX, stG, stX, stP0, stFast;
  int64_t stageXBase = 0;
  // The warps' tile rings (MmaRing, K = 0 / lane = halo): gates and drive
  // rows of every warp's `ring.depth` slots.
  MmaRing ring;
  Value smemRG, smemRX;
  // Elements of the drive type before the drive rows in smemRX (dynamic
  // memory holds the gates first).
  int64_t ringXBase = 0;
  void warpSync() { NVVM::SyncWarpOp::create(b, ci32(-1)); }
  Type bf16() { return b.getBF16Type(); }
  Value divU(Value x, int64_t y) { return arith::DivUIOp::create(b, x, idx(y)); }
  Value remU(Value x, int64_t y) { return arith::RemUIOp::create(b, x, idx(y)); }
  /// bf16 parts per drive value: bf16 drives are exact in one, f16 in two
  /// (11 significant bits), f32 take three.
  int64_t driveParts() {
    Type e = c.driveType.getElementType();
    return e.isBF16() ? 1 : e.isF16() ? 2 : 3;
  }
  /// bf16 parts per entry of M (pass option mma-matrix-parts, else the
  /// rule): as many as keep M's rounding at or below the output's, three
  /// for f32 outputs (2^-27), two for f16 (2^-18 against 2^-11), one for
  /// bf16 (2^-9, the output's own rounding: half the mma and none of the
  /// part splits; docs/gpu-lowering.md, "Precision").
  int64_t matrixParts() {
    if (c.mmaMatrixParts > 0)
      return c.mmaMatrixParts;
    Type e = c.outType.getElementType();
    return e.isF32() ? 3 : e.isF16() ? 2 : 1;
  }
  /// The first n bf16 parts of two f32 values as packed bf16x2 words (an mma
  /// register each, the first value in the low half): part i is the bf16
  /// rounding of what parts 0..i-1 leave (the subtractions are exact in
  /// f32), so n parts carry each value up to 2^(-9n).
  /// lo and hi rounded to bf16 and packed into one word, lo in the low half
  /// (one cvt.rn.bf16x2.f32).
  Value packBF16x2(Value lo, Value hi) {
    auto v2b = VectorType::get({2}, bf16());
    Value p = LLVM::CallIntrinsicOp::create(
                  b, v2b, b.getStringAttr("llvm.nvvm.ff2bf16x2.rn"),
                  ValueRange{hi, lo})
                  .getResult(0);
    return LLVM::BitcastOp::create(b, i32(), p);
  }
  SmallVector<Value> splitPair(Value lo, Value hi, int64_t n) {
    // One packed convert per part and the parts back to f32 by shifting /
    // masking the word (a bf16 is the upper half of an f32): six
    // instructions a pair and part where a vector truncf and extf took
    // eight.
    SmallVector<Value> words;
    for (int64_t i = 0; i < n; ++i) {
      Value w = packBF16x2(lo, hi);
      words.push_back(w);
      if (i + 1 < n) {
        Value loF = LLVM::BitcastOp::create(
            b, f32(), arith::ShLIOp::create(b, w, ci32(16)));
        Value hiF = LLVM::BitcastOp::create(
            b, f32(), arith::AndIOp::create(b, w, ci32(static_cast<int32_t>(0xffff0000u))));
        lo = arith::SubFOp::create(b, lo, loF);
        hi = arith::SubFOp::create(b, hi, hiF);
      }
    }
    return words;
  }
  /// vals[k] where is[k] says k is the index (is[0] unused): a select chain.
  Value pick(ArrayRef<Value> vals, ArrayRef<Value> is) {
    Value v = vals[0];
    for (size_t k = 1; k < vals.size(); ++k)
      v = sel(is[k], vals[k], v);
    return v;
  }

  /// The lane's roles in the mma warp.
  struct MmaLane {
    Value g, tig, nq, par, odd;
    SmallVector<Value> tigIs, gIs; // tig == k, g == k
  };
  MmaLane mmaLane() {
    MmaLane m;
    Value l = remU(ctaTid, kWarpSize);
    m.g = divU(l, 4);
    m.tig = remU(l, 4);
    m.nq = divU(m.g, 2);
    m.par = remU(m.g, 2);
    m.odd = eq(m.par, idx(1));
    for (int64_t k = 0; k < 4; ++k)
      m.tigIs.push_back(eq(m.tig, idx(k)));
    for (int64_t k = 0; k < 8; ++k)
      m.gIs.push_back(eq(m.g, idx(k)));
    return m;
  }

  /// One tile of an mma warp: where it is, the raw gates of the lane's two
  /// 4-token runs per 16-token block (k side: tokens 16J + 4tig + i, n
  /// side: 16J + 4(g/2) + i; vectors of the gates' type), its A fragments
  /// (per block J and drive part: a01, a23, a45, a67), then its local
  /// states (acc[I][nb]: channel g tokens 16I + 4tig + 2nb + {0, 1}, then
  /// channel g + 8), and for K != 0 the tile product, the carry weights of
  /// the lane's tokens and a[0].
  struct MmaTile {
    Value u; // index of the tile in the CTA span
    Value phys, first, fast;
    SmallVector<Value> kg, ng; // [J]
    SmallVector<SmallVector<std::array<Value, 4>>> x; // [J][part]
    SmallVector<std::array<std::array<Value, 4>, 2>> acc; // [I][nb]
    // Carry weight of token e of block I: prefix[I][e] * prefixOuter[I].
    SmallVector<std::array<Value, 4>> prefix;
    SmallVector<Value> prefixOuter;
    Value gTile, a0;
    // From a ring slot (MmaRing): the slot, the tile's offset in the
    // group's row piece and whether the group went through the ring.
    int64_t ringSlot = -1;
    Value ringOff, ringFast;
  };
  /// The CTA's row of slot s (channel dBase + s) and its flat offset.
  Value slotRowOffset(Value s) { return mul(add(sub(r, slot ? slot : idx(0)), s), L); }
  Value slotChannel(Value s) { return add(sub(dIdx, slot ? slot : idx(0)), s); }

  /// Tile u of the CTA span: its physical tile, first token, and whether
  /// it is on the vector path (whole inside [0, L) and aligned).
  std::tuple<Value, Value, Value> mmaPlace(Value u) {
    Value q = add(ctaBase, u);
    Value phys = c.transpose ? sub(sub(T, idx(1)), q) : q;
    Value first = mul(phys, c.block);
    Value whole = andI(ge(first, idx(0)),
                       cmp(arith::CmpIPredicate::sle, add(first, c.block), L));
    return {phys, first, andI(whole, aligned)};
  }
  /// Element offsets of ring slot `slot` of this warp (MmaRing).
  Value ringSlotIndex(int64_t slot) {
    return add(mul(divU(ctaTid, kWarpSize), idx(ring.depth)), idx(slot));
  }
  Value ringGates(int64_t slot) { return mul(ringSlotIndex(slot), ring.gateSlot); }
  Value ringDrive(int64_t slot) {
    return add(mul(ringSlotIndex(slot), ring.driveSlot(c.slots)), idx(ringXBase));
  }
  /// The group of tiles u0 .. u0 + group - 1: the first token of its row
  /// piece (the last tile's with transpose: logical order runs backwards)
  /// and whether the whole piece is on the vector path.
  std::pair<Value, Value> ringGroupPlace(Value u0) {
    auto [_0, first0, fast0] = mmaPlace(u0);
    auto [_1, first1, fast1] = mmaPlace(add(u0, idx(ring.group - 1)));
    return {c.transpose ? first1 : first0, andI(fast0, fast1)};
  }
  /// one(row, element offset in the row) for `n` 16-byte pieces of rows of
  /// `perRow` pieces of `elems` elements each; piece i on thread
  /// `tid + i mod threads` of `threads` (the last round guarded).
  void forPieces(Value tid, int64_t threads, int64_t n, int64_t perRow,
                 int64_t elems, const std::function<void(Value, Value)> &one) {
    for (int64_t j = 0; j * threads < n; ++j) {
      Value i = add(tid, idx(j * threads));
      auto piece = [&] {
        if (perRow >= n)
          one(idx(0), mul(i, elems));
        else
          one(divU(i, perRow), mul(remU(i, perRow), elems));
      };
      if ((j + 1) * threads <= n)
        piece();
      else
        emitIf(lt(i, idx(n)), piece);
    }
  }
  /// cp.async (16 bytes, L2 only) of `span` tokens from token `first` of
  /// the gates row and of the CTA's `slots` drive rows into workgroup
  /// memory (gates from element gBase of gDst, drive row s from element
  /// xBase + s * xStride of xDst), spread over `threads` threads: the row
  /// loop's staged chunks (the CTA) and the tile ring's groups (a warp).
  void stageRows(Value tid, int64_t threads, Value first, int64_t span,
                 Value gDst, Value gBase, Value xDst, Value xBase,
                 int64_t xStride) {
    Type eg = c.gatesType.getElementType(), ex = c.driveType.getElementType();
    int64_t gPer = 16 / (eg.getIntOrFloatBitWidth() / 8);
    int64_t xPer = 16 / (ex.getIntOrFloatBitWidth() / 8);
    auto copy = [&](Value dst, Value src) {
      NVVM::CpAsyncOp::create(b, dst, src, 16, NVVM::LoadCacheModifierKind::CG,
                              Value());
    };
    forPieces(tid, threads, span / gPer, span / gPer, gPer,
              [&](Value, Value off) {
                copy(elementPtr(gDst, add(gBase, off), eg, 3),
                     globalPtr(gates, add(add(gateRow, first), off)));
              });
    forPieces(tid, threads, c.slots * (span / xPer), span / xPer, xPer,
              [&](Value row, Value off) {
                copy(elementPtr(xDst, add(add(xBase, mul(row, xStride)), off),
                                ex, 3),
                     globalPtr(drive, add(add(slotRowOffset(row), first), off)));
              });
  }
  /// Copies the group of tiles at `first` (gates and the CTA's drive rows)
  /// into ring slot `slot` of this warp, when the group is on the vector
  /// path (`fast`; else its tiles load from global memory when computed).
  void mmaRingIssue(Value first, Value fast, int64_t slot) {
    emitIf(fast, [&] {
      stageRows(remU(ctaTid, kWarpSize), kWarpSize, first,
                ring.group * c.block, smemRG, ringGates(slot), smemRX,
                ringDrive(slot), ring.rowStride);
    });
  }
  /// The group's results (written over its drive rows by mmaStore) to
  /// global memory, 16 bytes a lane.
  void mmaRingCopyOut(Value first, Value fast, int64_t slot) {
    emitIf(fast, [&] {
      Type eo = c.outType.getElementType();
      int64_t oPer = 16 / (eo.getIntOrFloatBitWidth() / 8);
      int64_t span = ring.group * c.block;
      auto v = VectorType::get({oPer}, eo);
      forPieces(remU(ctaTid, kWarpSize), kWarpSize, c.slots * (span / oPer),
                span / oPer, oPer, [&](Value row, Value off) {
        Value y = LLVM::LoadOp::create(
            b, v,
            elementPtr(smemRX,
                       add(add(ringDrive(slot), mul(row, ring.rowStride)), off),
                       eo, 3),
            16);
        LLVM::StoreOp::create(
            b, y, globalPtr(out, add(add(slotRowOffset(row), first), off)), 16);
      });
    });
  }

  /// Loads tile u of the CTA span (logical tile ctaBase + u) for the lane:
  /// on the vector path (whole tile in [0, L), aligned, block a multiple
  /// of 16) 8-byte (bf16) runs, else guarded scalars (gate 1 and drive 0
  /// outside the tile and [0, L)).
  MmaTile mmaLoad(const MmaLane &m, Value u, int64_t ringSlot = -1,
                  int64_t ringPos = 0, Value ringFast = Value()) {
    MmaTile t;
    t.u = u;
    std::tie(t.phys, t.first, t.fast) = mmaPlace(u);
    if (ringSlot >= 0) {
      t.ringSlot = ringSlot;
      t.ringFast = ringFast;
      t.ringOff = idx((c.transpose ? ring.group - 1 - ringPos : ringPos) * c.block);
    }
    int64_t nb = c.mmaBlock / 16, S = c.slots, pX = driveParts();
    Type ex = c.driveType.getElementType(), ea = c.gatesType.getElementType();
    auto va = VectorType::get({4}, ea), vx = VectorType::get({4}, ex);
    bool vec = c.block % 16 == 0; // every 4-token run inside the tile
    // Channels g, g + 8 (0 past the CTA's slots).
    Value sCh[2], validS[2], row[2], chan[2];
    for (int64_t h = 0; h < 2; ++h) {
      Value s = add(m.g, idx(8 * h));
      validS[h] = S > 8 * h + 7 ? Value() : lt(s, idx(S));
      sCh[h] = validS[h] ? sel(validS[h], s, idx(0)) : s;
      row[h] = slotRowOffset(sCh[h]);
      chan[h] = slotChannel(sCh[h]);
    }
    // Staged chunk: the run from workgroup memory (tile offset in the set);
    // a ring slot holds exactly the tile.
    bool fromRing = ringSlot >= 0;
    auto stagedAt = [&](Value k0) { return add(sub(t.first, stP0), k0); };
    auto gateRun = [&](Value k0, int mode) -> Value {
      if (mode == 2)
        return LLVM::LoadOp::create(
            b, va,
            fromRing ? elementPtr(smemRG,
                                  add(add(ringGates(ringSlot), t.ringOff), k0),
                                  ea, 3)
                     : elementPtr(smemSG, add(stG, stagedAt(k0)), ea, 3),
            4 * ea.getIntOrFloatBitWidth() / 8);
      bool fastPath = mode == 1;
      if (fastPath)
        return LLVM::LoadOp::create(
            b, va, globalPtr(gates, add(add(gateRow, t.first), k0)),
            4 * ea.getIntOrFloatBitWidth() / 8, false, false,
            /*invariant=*/true);
      Value v = LLVM::UndefOp::create(b, va);
      for (int64_t e = 0; e < 4; ++e) {
        Value k = add(k0, idx(e));
        Value tok = add(t.first, k);
        Value valid = andI(tokenValid(tok), lt(k, idx(c.block)));
        Value x = load(gates, {bIdx, hIdx, sel(valid, tok, idx(0))});
        bool lost;
        APFloat one(1.0f);
        one.convert(cast<FloatType>(ea).getFloatSemantics(),
                    APFloat::rmNearestTiesToEven, &lost);
        Value pad = arith::ConstantFloatOp::create(b, cast<FloatType>(ea), one);
        v = LLVM::InsertElementOp::create(b, v, sel(valid, x, pad), lanePos(e));
      }
      return v;
    };
    // words[px][pair] of one channel's run: tokens k0 + {0, 1}, k0 + {2, 3}.
    auto driveRun = [&](int64_t h, Value k0, int mode) -> ValueVector {
      bool fastPath = mode != 0;
      auto fromValues = [&](ArrayRef<Value> xs) {
        ValueVector out(2 * pX);
        for (int64_t pr = 0; pr < 2; ++pr) {
          SmallVector<Value> w = splitPair(xs[2 * pr], xs[2 * pr + 1], pX);
          for (int64_t px = 0; px < pX; ++px)
            out[2 * px + pr] = w[px];
        }
        return out;
      };
      ValueVector out;
      if (fastPath) {
        Value v =
            mode == 2
                ? LLVM::LoadOp::create(
                      b, vx,
                      fromRing
                          ? elementPtr(smemRX,
                                       add(add(ringDrive(ringSlot),
                                               mul(sCh[h], ring.rowStride)),
                                           add(t.ringOff, k0)),
                                       ex, 3)
                          : elementPtr(smemSX,
                                       add(add(stX, mul(sCh[h], stage.stride)),
                                           stagedAt(k0)),
                                       ex, 3),
                      4 * ex.getIntOrFloatBitWidth() / 8)
                : LLVM::LoadOp::create(
                      b, vx, globalPtr(drive, add(add(row[h], t.first), k0)),
                      4 * ex.getIntOrFloatBitWidth() / 8, false, false,
                      /*invariant=*/true);
        if (ex.isBF16()) {
          Value w = LLVM::BitcastOp::create(b, VectorType::get({2}, i32()), v);
          for (int64_t pr = 0; pr < 2; ++pr)
            out.push_back(LLVM::ExtractElementOp::create(b, w, lanePos(pr)));
        } else {
          SmallVector<Value> xs;
          for (int64_t e = 0; e < 4; ++e)
            xs.push_back(toF32(LLVM::ExtractElementOp::create(b, v, lanePos(e))));
          out = fromValues(xs);
        }
        if (validS[h])
          for (Value &w : out)
            w = sel(validS[h], w, ci32(0));
        return out;
      }
      SmallVector<Value> xs;
      for (int64_t e = 0; e < 4; ++e) {
        Value k = add(k0, idx(e));
        Value tok = add(t.first, k);
        Value valid = andI(tokenValid(tok), lt(k, idx(c.block)));
        if (validS[h])
          valid = andI(valid, validS[h]);
        Value x = toF32(load(drive, {bIdx, hIdx, chan[h], sel(valid, tok, idx(0))}));
        xs.push_back(sel(valid, x, cf(0.0f)));
      }
      return fromValues(xs);
    };
    // Everything of the tile in one branch: [J]: kg, ng, then the drive
    // words of channels g and g + 8.
    auto all = [&](int fastPath) {
      ValueVector out;
      for (int64_t J = 0; J < nb; ++J) {
        Value kk = add(mul(m.tig, 4), idx(16 * J));
        out.push_back(gateRun(kk, fastPath));
        out.push_back(gateRun(add(mul(m.nq, 4), idx(16 * J)), fastPath));
        for (int64_t h = 0; h < 2; ++h) {
          ValueVector w = driveRun(h, kk, fastPath);
          out.append(w.begin(), w.end());
        }
      }
      return out;
    };
    SmallVector<Type> types;
    for (int64_t J = 0; J < nb; ++J) {
      types.append({va, va});
      types.append(4 * pX, i32());
    }
    auto direct = [&] {
      return vec ? emitIf(t.fast, types, [&] { return all(1); },
                          [&] { return all(0); })
                 : all(0);
    };
    // A ring slot was filled when its group is on the vector path (issue
    // side: mmaRingIssue); otherwise the tile loads from global memory.
    ValueVector res =
        fromRing ? emitIf(ringFast, types, [&] { return all(2); }, direct)
        : stFast ? emitIf(stFast, types, [&] { return all(2); }, direct)
                 : direct();
    t.x.assign(nb, SmallVector<std::array<Value, 4>>(pX));
    int64_t per = 2 + 4 * pX;
    for (int64_t J = 0; J < nb; ++J) {
      t.kg.push_back(res[J * per]);
      t.ng.push_back(res[J * per + 1]);
      for (int64_t h = 0; h < 2; ++h)
        for (int64_t px = 0; px < pX; ++px)
          for (int64_t pr = 0; pr < 2; ++pr)
            t.x[J][px][2 * pr + h] = res[J * per + 2 + h * 2 * pX + 2 * px + pr];
    }
    return t;
  }

  /// The masked f32 gates of a loaded 4-token run (in-tile tokens k0 ..
  /// k0 + 3): zero at a segment start (in-tile token 0) and at resets, as
  /// gateOf.
  std::array<Value, 4> maskRun(const MmaTile &t, Value raw, Value k0) {
    std::array<Value, 4> a;
    for (int64_t e = 0; e < 4; ++e) {
      Value v = toF32(LLVM::ExtractElementOp::create(b, raw, lanePos(e)));
      Value cut;
      if (c.segment > 0 && e == 0) {
        Value start = eq(rem(t.phys, idx(c.segment)), idx(0));
        Value inside = andI(cmp(arith::CmpIPredicate::sgt, t.first, idx(0)),
                            lt(t.first, L));
        cut = andI(andI(start, inside), eq(k0, idx(0)));
      }
      if (resets) {
        Value k = add(k0, idx(e));
        Value tok = add(t.first, k);
        Value valid = andI(tokenValid(tok), lt(k, idx(c.block)));
        Value flagged = andI(load(resets, {bIdx, sel(valid, tok, idx(0))}), valid);
        cut = cut ? orI(cut, flagged) : flagged;
      }
      a[e] = cut ? sel(cut, cf(0.0f), v) : v;
    }
    return a;
  }
  /// Products inside a 4-token run: pre[r] = a[0] .. a[r], suf[r] =
  /// a[r+1] .. a[3] (suf[3] = 1).
  struct Run {
    std::array<Value, 4> a, pre, suf;
  };
  Run runProducts(const std::array<Value, 4> &a) {
    Run q;
    q.a = a;
    q.pre[0] = a[0];
    for (int64_t rr = 1; rr < 4; ++rr)
      q.pre[rr] = mulF(q.pre[rr - 1], a[rr]);
    q.suf[3] = cf(1.0f);
    q.suf[2] = a[3];
    for (int64_t rr = 1; rr >= 0; --rr)
      q.suf[rr] = mulF(a[rr + 1], q.suf[rr + 1]);
    return q;
  }

  /// The tile's local states on the tensor cores (and, for K != 0, its
  /// product, the carry weights and a[0]).
  void mmaCompute(const MmaLane &m, MmaTile &t) {
    int64_t nb = c.mmaBlock / 16;
    int64_t pM = matrixParts(), pX = driveParts(), P = std::max(pM, pX);
    bool fwd = !c.transpose;
    // The lane's runs (k side: quad tig, n side: quad g / 2) and the quad
    // products G[J][Q] of every block (from lane Q, whose k quad it is).
    SmallVector<Run> kr, nr;
    SmallVector<std::array<Value, 4>> G(nb);
    SmallVector<Value> Gb(nb);
    for (int64_t J = 0; J < nb; ++J) {
      kr.push_back(runProducts(maskRun(t, t.kg[J], add(mul(m.tig, 4), idx(16 * J)))));
      nr.push_back(runProducts(maskRun(t, t.ng[J], add(mul(m.nq, 4), idx(16 * J)))));
      for (int64_t Q = 0; Q < 4; ++Q)
        G[J][Q] = gpu::ShuffleOp::create(b, kr[J].pre[3], Q, kWarpSize,
                                         gpu::ShuffleMode::IDX)
                      .getShuffleResult();
      Gb[J] = mulF(mulF(G[J][0], G[J][1]), mulF(G[J][2], G[J][3]));
    }
    auto between = [&](int64_t lo, int64_t hi) { // blocks lo < I < hi
      Value v = cf(1.0f);
      for (int64_t I = lo + 1; I < hi; ++I)
        v = I == lo + 1 ? Gb[I] : mulF(v, Gb[I]);
      return v;
    };
    // Product of the quads Q of block I with lo < Q < hi (lane values,
    // static -1 / 4 for open ends).
    auto quads = [&](int64_t I, Value lo, Value hi) {
      Value v;
      for (int64_t Q = 0; Q < 4; ++Q) {
        Value in;
        if (lo)
          in = lt(lo, idx(Q));
        if (hi)
          in = in ? andI(in, lt(idx(Q), hi)) : lt(idx(Q), hi);
        Value f = sel(in, G[I][Q], cf(1.0f));
        v = v ? mulF(v, f) : f;
      }
      return v;
    };
    Value kq = m.tig, nq = m.nq;
    // n side position r = 2n + g % 2 inside its quad.
    auto nPre = [&](int64_t I, int64_t n) {
      return sel(m.odd, nr[I].pre[2 * n + 1], nr[I].pre[2 * n]);
    };
    auto nSuf = [&](int64_t I, int64_t n) {
      return sel(m.odd, nr[I].suf[2 * n + 1], nr[I].suf[2 * n]);
    };
    // Entries E[n][e] of B for block pair (I: n tokens, J: k tokens).
    auto entries = [&](int64_t I, int64_t J) {
      std::array<std::array<Value, 4>, 2> E;
      if (I != J) {
        // Forward (J < I): suffix of the k token in J, blocks between,
        // prefix of the n token in I; transpose (J > I) the mirror.
        Value kOuter = fwd ? quads(J, kq, Value()) : quads(J, Value(), kq);
        Value nOuter = fwd ? quads(I, Value(), nq) : quads(I, nq, Value());
        Value mid = fwd ? between(J, I) : between(I, J);
        for (int64_t n = 0; n < 2; ++n) {
          Value nm = mulF(mulF(fwd ? nPre(I, n) : nSuf(I, n), nOuter), mid);
          for (int64_t e = 0; e < 4; ++e)
            E[n][e] = mulF(mulF(fwd ? kr[J].suf[e] : kr[J].pre[e], kOuter), nm);
        }
        return E;
      }
      // Same block: across quads suffix . quads between . prefix; inside
      // one quad (then the k and n quads agree) the run's own products.
      Value lo = fwd ? kq : nq, hi = fwd ? nq : kq;
      Value mid = quads(I, lo, hi);
      Value cross = lt(lo, hi), same = eq(kq, nq);
      const std::array<Value, 4> &qa = kr[I].a;
      std::map<std::pair<int64_t, int64_t>, Value> prods;
      // a[rj+1] .. a[rt] of the quad (1 when equal, 0 when rj > rt).
      std::function<Value(int64_t, int64_t)> inq = [&](int64_t rj,
                                                        int64_t rt) -> Value {
        if (rj > rt)
          return cf(0.0f);
        if (rj == rt)
          return cf(1.0f);
        auto key = std::make_pair(rj, rt);
        auto it = prods.find(key);
        if (it != prods.end())
          return it->second;
        Value v = rt == rj + 1 ? qa[rt] : mulF(inq(rj, rt - 1), qa[rt]);
        prods[key] = v;
        return v;
      };
      for (int64_t n = 0; n < 2; ++n) {
        Value nm = mulF(fwd ? nPre(I, n) : nSuf(I, n), mid);
        for (int64_t e = 0; e < 4; ++e) {
          Value cr = mulF(fwd ? kr[I].suf[e] : kr[I].pre[e], nm);
          Value in0 = fwd ? inq(e, 2 * n) : inq(2 * n, e);
          Value in1 = fwd ? inq(e, 2 * n + 1) : inq(2 * n + 1, e);
          Value iv = sel(m.odd, in1, in0);
          E[n][e] = sel(cross, cr, sel(same, iv, cf(0.0f)));
        }
      }
      return E;
    };
    // Kept products of parts (pm, px): pm + px <= P - 1 (the others are
    // below 2^(-9P)), smaller terms first.
    SmallVector<std::pair<int64_t, int64_t>> combos;
    for (int64_t sum = P - 1; sum >= 0; --sum)
      for (int64_t pm = pM - 1; pm >= 0; --pm)
        if (sum - pm >= 0 && sum - pm < pX)
          combos.push_back({pm, sum - pm});
    auto resT = LLVM::LLVMStructType::getLiteral(b.getContext(),
                                                 {f32(), f32(), f32(), f32()});
    t.acc.assign(nb, {});
    for (int64_t I = 0; I < nb; ++I) {
      for (int64_t n = 0; n < 2; ++n)
        t.acc[I][n] = {cf(0.0f), cf(0.0f), cf(0.0f), cf(0.0f)};
      int64_t J0 = c.transpose ? I : 0, J1 = c.transpose ? nb - 1 : I;
      for (int64_t J = J0; J <= J1; ++J) {
        auto E = entries(I, J);
        for (int64_t n = 0; n < 2; ++n) {
          SmallVector<Value> w01 = splitPair(E[n][0], E[n][1], pM);
          SmallVector<Value> w23 = splitPair(E[n][2], E[n][3], pM);
          for (auto [pm, px] : combos) {
            auto &x = t.x[J][px];
            auto &acc = t.acc[I][n];
            auto mma = NVVM::MmaOp::create(
                b, resT, ValueRange{x[0], x[1], x[2], x[3]},
                ValueRange{w01[pm], w23[pm]},
                ValueRange{acc[0], acc[1], acc[2], acc[3]},
                ArrayRef<int64_t>{16, 8, 16}, std::nullopt, std::nullopt,
                std::array<NVVM::MMATypes, 2>{NVVM::MMATypes::bf16,
                                              NVVM::MMATypes::bf16},
                std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                               NVVM::MMALayout::col});
            for (int64_t q = 0; q < 4; ++q)
              acc[q] = LLVM::ExtractValueOp::create(b, mma.getResult(), q);
          }
        }
      }
    }
    if (c.hops == 0)
      return;
    // Tile product; the carry's weight of the lane's token 16I + 4tig + e
    // (its k run): forward a[0] .. a[t], transpose a[t+1] .. a[end]
    // (applyTile's prefixes); a[0] (transposed carriers).
    t.gTile = between(-1, nb);
    t.a0 = kr[0].a[0];
    // Kept as the run's products and one factor per block (the store
    // multiplies the carry by the factor once: two products per channel
    // pair instead of eight).
    t.prefix.assign(nb, {});
    t.prefixOuter.assign(nb, Value());
    for (int64_t I = 0; I < nb; ++I) {
      Value outer = fwd ? mulF(between(-1, I), quads(I, Value(), kq))
                        : mulF(quads(I, kq, Value()), between(I, nb));
      t.prefixOuter[I] = outer;
      for (int64_t e = 0; e < 4; ++e)
        t.prefix[I][e] = fwd ? kr[I].pre[e] : kr[I].suf[e];
    }
  }

  /// Index of the gate product (s < 0) or carrier of slot s of tile u in
  /// the exchange buffer.
  Value exchangeIndex(Value s, Value u) {
    if (!s)
      return u;
    return add(mul(add(s, idx(1)), c.ctaSpan()), u);
  }
  /// The lane's channels' (g, g + 8) terminal carriers into the exchange.
  void mmaPublish(const MmaLane &m, const MmaTile &t) {
    int64_t S = c.slots;
    // Forward: the local state of token block - 1; transpose: a[0] times
    // that of token 0.
    int64_t kl = c.transpose ? 0 : c.block - 1;
    int64_t I = kl / 16, tq = (kl % 16) / 4, e = kl % 4;
    Value a0 = c.transpose ? t.a0 : Value();
    emitIf(eq(m.tig, idx(tq)), [&] {
      for (int64_t h = 0; h < 2; ++h) {
        Value s = add(m.g, idx(8 * h));
        Value v = t.acc[I][e / 2][2 * h + e % 2];
        if (a0)
          v = mulF(a0, v);
        auto put = [&] { store(v, smemM, {exchangeIndex(s, t.u)}); };
        if (S > 8 * h + 7)
          put();
        else
          emitIf(lt(s, idx(S)), put);
      }
    });
    emitIf(eq(remU(ctaTid, kWarpSize), idx(0)),
           [&] { store(t.gTile, smemM, {exchangeIndex(Value(), t.u)}); });
  }
  /// y = local + prefix * carry (K != 0) for the lane's channels, stored
  /// as 4-token runs (guarded scalars off the vector path).
  void mmaStore(const MmaLane &m, MmaTile &t,
                std::array<Value, 2> carries = {}) {
    int64_t nb = c.mmaBlock / 16, S = c.slots;
    Type elem = c.outType.getElementType();
    bool vec = c.block % 16 == 0;
    for (int64_t h = 0; h < 2; ++h) {
      Value s = add(m.g, idx(8 * h));
      auto body = [&] {
        Value carry = carries[h] ? carries[h]
                      : c.hops != 0 ? load(smemM, {exchangeIndex(s, t.u)})
                                    : Value();
        Value row = slotRowOffset(s), ch = slotChannel(s);
        for (int64_t I = 0; I < nb; ++I) {
          Value k0 = add(mul(m.tig, 4), idx(16 * I));
          SmallVector<Value> ys; // f32, converted where stored
          Value scaled = carry ? mulF(t.prefixOuter[I], carry) : Value();
          for (int64_t e = 0; e < 4; ++e) {
            Value y = t.acc[I][e / 2][2 * h + e % 2];
            if (carry)
              y = axpy(t.prefix[I][e], scaled, y);
            ys.push_back(y);
          }
          auto slow = [&] {
            for (int64_t e = 0; e < 4; ++e) {
              Value k = add(k0, idx(e));
              Value tok = add(t.first, k);
              emitIf(andI(tokenValid(tok), lt(k, idx(c.block))),
                     [&] { store(fromF32(ys[e], elem), out, {bIdx, hIdx, ch, tok}); });
            }
            return ValueVector{};
          };
          // The run as one 4-element vector store at `ptr`.
          // (bf16: two packed converts, cvt.rn.bf16x2.f32, where four
          // scalar ones and two byte permutes came out of ptxas.)
          auto storeRun = [&](Value ptr) {
            Value v;
            if (elem.isBF16()) {
              v = LLVM::UndefOp::create(b, VectorType::get({2}, i32()));
              for (int64_t pr = 0; pr < 2; ++pr)
                v = LLVM::InsertElementOp::create(
                    b, v, packBF16x2(ys[2 * pr], ys[2 * pr + 1]), lanePos(pr));
            } else {
              v = LLVM::UndefOp::create(b, VectorType::get({4}, elem));
              for (int64_t e = 0; e < 4; ++e)
                v = LLVM::InsertElementOp::create(b, v, fromF32(ys[e], elem),
                                                  lanePos(e));
            }
            LLVM::StoreOp::create(b, v, ptr, 4 * elem.getIntOrFloatBitWidth() / 8);
            return ValueVector{};
          };
          auto fast = [&] {
            return storeRun(globalPtr(out, add(add(row, t.first), k0)));
          };
          auto global = [&] {
            if (vec)
              emitIf(t.fast, {}, fast, slow);
            else
              slow();
            return ValueVector{};
          };
          // Through the ring: over the run this lane read (mmaRingCopyOut
          // writes the group's rows out).
          auto staged = [&] {
            return storeRun(elementPtr(
                smemRX,
                add(add(ringDrive(t.ringSlot), mul(s, ring.rowStride)),
                    add(t.ringOff, k0)),
                elem, 3));
          };
          if (t.ringSlot >= 0 && ring.stageOut)
            emitIf(t.ringFast, {}, staged, global);
          else
            global();
        }
      };
      if (S > 8 * h + 7)
        body();
      else
        emitIf(lt(s, idx(S)), body);
    }
  }
  /// The whole local = mma body (after position(), the row offsets and the
  /// vector-path condition): mma warps, carrier exchange, apply.
  void mmaBody();
  /// One unit (CTA span) per CTA: mma warps, carrier exchange, apply.
  void mmaUnits(const MmaLane &m);
  /// K = inf, one CTA per row group (nx = 1): chunk k is the CTA span at
  /// position k; per chunk each mma warp computes its contiguous run of
  /// tiles, folds their carriers into its aggregate (registers and
  /// shuffles) and publishes it; after the chunk's one barrier each warp
  /// folds the running prefix with the aggregates before its own (its
  /// carry-in) and all of them (the next prefix), then applies its tiles
  /// in order (docs/gpu-lowering.md, "local = mma").
  void mmaRowLoop(const MmaLane &m);
  /// Tiles i0 .. i1 - 1 (CTA-span indices tileAt(i)) in order, the loads of
  /// tiles i + 1 .. i + mmaAhead() issued before tile i is computed: two
  /// tiles ahead for K = 0 (+1-2.3 points of copy, mma run 3), one with
  /// lane = halo (two measured 4-6 points slower: the carry window's
  /// registers).
  static constexpr int64_t kMmaUnroll = 8;
  int64_t mmaAhead() const { return c.hops == 0 ? 2 : 1; }
  void mmaPipeline(const MmaLane &m, int64_t i0, int64_t i1,
                   const std::function<Value(int64_t)> &tileAt,
                   const std::function<void(int64_t, MmaTile &)> &use) {
    if (ring.on) {
      // Tiles from max(i0, 0) in groups: group k in slot k % depth, issued
      // depth - 1 groups ahead (one commit group per group, empty past the
      // run, so that wait_group depth - 1 always means "group k has
      // landed"); tiles before 0 (lane = halo's) load from global memory.
      // The first bar.warp.sync orders the lanes' reads of (and results
      // in) group k - 1's slot before it is refilled; the second makes the
      // other lanes' copies of group k visible; the third their results
      // before the copy-out.
      int64_t R = ring.depth, G = ring.group, r0 = std::max<int64_t>(i0, 0);
      int64_t groups = (i1 - r0) / G;
      assert((i1 - r0) % G == 0 && "mmaRing: whole groups");
      auto issue = [&](int64_t k) {
        if (k < groups) {
          auto [first, fast] = ringGroupPlace(tileAt(r0 + k * G));
          mmaRingIssue(first, fast, k % R);
        }
        NVVM::CpAsyncCommitGroupOp::create(b);
      };
      for (int64_t k = 0; k < R - 1; ++k)
        issue(k);
      for (int64_t i = i0; i < r0; ++i) {
        MmaTile t = mmaLoad(m, tileAt(i));
        warpSync(); // mma.sync needs the warp converged
        mmaCompute(m, t);
        use(i, t);
      }
      for (int64_t k = 0; k < groups; ++k) {
        warpSync();
        issue(k + R - 1);
        NVVM::CpAsyncWaitGroupOp::create(b, R - 1);
        warpSync();
        auto [first, fast] = ringGroupPlace(tileAt(r0 + k * G));
        for (int64_t gi = 0; gi < G; ++gi) {
          int64_t i = r0 + k * G + gi;
          MmaTile t = mmaLoad(m, tileAt(i), k % R, gi, fast);
          warpSync(); // mma.sync needs the warp converged
          mmaCompute(m, t);
          use(i, t);
        }
        if (ring.stageOut) {
          warpSync();
          mmaRingCopyOut(first, fast, k % R);
        }
      }
      return;
    }
    std::vector<MmaTile> queue;
    int64_t next = i0;
    for (; next < i1 && next < i0 + mmaAhead(); ++next)
      queue.push_back(mmaLoad(m, tileAt(next)));
    for (int64_t i = i0; i < i1; ++i) {
      if (next < i1)
        queue.push_back(mmaLoad(m, tileAt(next++)));
      MmaTile t = queue.front();
      queue.erase(queue.begin());
      warpSync(); // mma.sync needs the warp converged
      mmaCompute(m, t);
      use(i, t);
    }
  }
  /// Finite K with lane = halo: each mma warp takes a run of consecutive
  /// tiles and recomputes the K tiles before it (no exchange).
  void mmaHaloBody(const MmaLane &m);
  /// The carriers (g, v of channels g and g + 8 in every lane of row g)
  /// of a computed tile; (0, init or 0) before the row (haloCarrier's).
  struct LaneCarrier {
    Value g;
    std::array<Value, 2> v;
  };
  /// The terminal states of channels g and g + 8 of a computed tile (a[0]
  /// times the state of token 0 for transpose), in every lane of row g
  /// (the row loop's carriers; mmaCarrier adds the tiles before the row).
  std::array<Value, 2> mmaTerminal(const MmaLane &m, const MmaTile &t) {
    int64_t kl = c.transpose ? 0 : c.block - 1;
    int64_t I = kl / 16, tq = (kl % 16) / 4, e = kl % 4;
    Value src32 =
        arith::IndexCastOp::create(b, i32(), add(mul(m.g, 4), idx(tq)));
    std::array<Value, 2> out;
    for (int64_t h = 0; h < 2; ++h) {
      Value v = t.acc[I][e / 2][2 * h + e % 2];
      if (c.transpose)
        v = mulF(t.a0, v);
      out[h] = gpu::ShuffleOp::create(b, v, src32, ci32(kWarpSize),
                                      gpu::ShuffleMode::IDX)
                   .getShuffleResult();
    }
    return out;
  }
  /// The row's initial state of channel g + 8 h (the CTA's channel 0 past
  /// its slots), from the init operand.
  Value mmaInitState(const MmaLane &m, int64_t h) {
    Value s = add(m.g, idx(8 * h));
    Value sc = c.slots > 8 * h + 7 ? s : sel(lt(s, idx(c.slots)), s, idx(0));
    return toF32(load(init, {bIdx, hIdx, slotChannel(sc)}));
  }
  LaneCarrier mmaCarrier(const MmaLane &m, const MmaTile &t,
                         bool inRow = false) {
    LaneCarrier lc;
    lc.g = t.gTile;
    std::array<Value, 2> v = mmaTerminal(m, t);
    // A tile of the warp's run (inRow) is never before the row.
    if (inRow) {
      lc.v = v;
      return lc;
    }
    Value q = add(ctaBase, t.u);
    Value before = lt(q, idx(0));
    for (int64_t h = 0; h < 2; ++h) {
      Value pre = cf(0.0f);
      if (init)
        pre = sel(eq(q, idx(-1)), mmaInitState(m, h), cf(0.0f));
      lc.v[h] = sel(before, pre, v[h]);
    }
    lc.g = sel(before, cf(0.0f), lc.g);
    return lc;
  }

  /// Writes y = local + prefix * carry for a loaded tile: 16-byte stores on
  /// the vector path, guarded scalar stores otherwise.
  void applyTile(const TileData &d, Value carry,
                 const TileScan *scan = nullptr) {
    SmallVector<Value> ys(c.block);
    if (scan) {
      // Layer mode: z = alpha + beta carry, from scanTile (computed once,
      // with the tile's carrier).
    } else if (!c.transpose) {
      Value state, prefix;
      for (int64_t k = 0; k < c.block; ++k) {
        Value a = gateOf(d, k);
        Value x = driveOf(d, k);
        state = k == 0 ? x : axpy(a, state, x);
        prefix = k == 0 ? a : mulF(prefix, a);
        ys[k] = carry ? axpy(prefix, carry, state) : state;
      }
    } else {
      // Backwards: s = a[t+1] * s + x[t]; prefix = a[t+1] ... a[end-1].
      Value state, prefix = cf(1.0f), next;
      for (int64_t k = c.block - 1; k >= 0; --k) {
        Value x = driveOf(d, k);
        state = k == c.block - 1 ? x : axpy(next, state, x);
        ys[k] = carry ? axpy(prefix, carry, state) : state;
        Value a = gateOf(d, k);
        prefix = k == c.block - 1 ? a : mulF(prefix, a);
        next = a;
      }
    }
    Type elem = c.outType.getElementType();
    int64_t wy = vwY();
    auto vy = VectorType::get({wy}, elem);
    // Layer mode: z = y * (pc + bc) + pv (pc loaded with the tile).
    SmallVector<Value> zs(c.block);
    if (scan)
      for (int64_t k = 0; k < c.block; ++k)
        zs[k] = carry && !scan->beta.empty()
                    ? axpy(scan->beta[k], carry, scan->alpha[k])
                    : scan->alpha[k];
    else if (layer())
      for (int64_t k = 0; k < c.block; ++k)
        zs[k] = axpy(ys[k], addF(rawAt(d.cv, vwX(), k), bcV),
                     rawAt(d.xv, vwX(), k));
    auto outOf = [&](int64_t k) { return layer() ? zs[k] : ys[k]; };
    emitIf(
        d.fast, {},
        [&] {
          for (int64_t j = 0; j < c.block / wy; ++j) {
            Value v = LLVM::UndefOp::create(b, vy);
            for (int64_t k = 0; k < wy; ++k)
              v = LLVM::InsertElementOp::create(
                  b, v, fromF32(outOf(j * wy + k), elem), lanePos(k));
            LLVM::StoreOp::create(
                b, v, globalPtr(out, add(add(driveRow, d.first), j * wy)),
                wy * elem.getIntOrFloatBitWidth() / 8);
          }
          return ValueVector{};
        },
        [&] {
          for (int64_t k = 0; k < c.block; ++k) {
            Value t = add(d.first, k);
            emitIf(tokenValid(t), [&] {
              store(fromF32(outOf(k), elem), out, {bIdx, hIdx, dIdx, t});
            });
          }
          return ValueVector{};
        });
  }

  //===--------------------------------------------------------------------===//
  // Phases
  //===--------------------------------------------------------------------===//
  void position();
  void body();
  /// grid = flags, cluster 1: the row's ticket (0 with one unit per row).
  Value ticket() {
    ValueVector t = emitIf(
        single, {b.getIndexType()}, [&] { return ValueVector{idx(0)}; },
        [&] {
          emitIf(eq(ctaTid, idx(0)), [&] {
            Value t = memref::AtomicRMWOp::create(
                b, arith::AtomicRMWKind::addi, ci32(1), flagsBuf,
                ValueRange{counter});
            store(t, smemI, {idx(0)});
          });
          gpu::BarrierOp::create(b);
          return ValueVector{toIndex(load(smemI, {idx(0)}))};
        });
    return t[0];
  }
  void setBases() {
    ctaBase = mul(pos, c.ctaSpan());
    clusterBase = mul(sub(pos, rank), c.ctaSpan());
    warpBase = add(ctaBase, mul(rowWarp, c.warpSpan()));
    base = add(warpBase, mul(lane, c.tilesPerLane()));
  }
  /// The thread's tile j: base + j (contiguous), or for K = inf
  /// warpBase + j * 32 + lane (interleaved: each 16-byte access of a warp
  /// covers consecutive tiles, as with one tile per lane).
  Value tileOf(int64_t j) {
    if (c.infiniteHops())
      return add(add(warpBase, j * kWarpSize), lane);
    return add(base, j);
  }
  SmallVector<Value> finiteCarries(ArrayRef<Carrier> own);
  SmallVector<Value> infiniteCarries(ArrayRef<Carrier> own);
  /// K = inf inside the CTA: the prefix of the warp's tiles before each of
  /// the thread's tiles, of the row's warps before this warp, and the row's
  /// aggregate over the CTA. `slots`: the first float of the warp
  /// aggregates' shared-memory slots (the row loop alternates two sets, so
  /// one barrier per chunk suffices).
  struct CtaScan {
    SmallVector<Carrier> inWarp;
    Carrier exWarp, ctaAgg;
  };
  CtaScan ctaScan(ArrayRef<Carrier> own, Value slots);
  void rowLoop(bool keep);
  /// Walks chunks [first, end) of the row (CTA spans, in order) from the
  /// prefix `start`, applying each chunk's carries when `apply`; returns
  /// the prefix after `end` (start composed with the chunks' aggregates).
  Carrier walkChunks(bool keep, Value first, Value end, Carrier start,
                     bool apply);
  void unitsLoop(bool keep);
  Carrier lookBackPrefix(Carrier unitAgg);
  Carrier haloCarrier(int64_t m, Value q, std::optional<Carrier> shuffled,
                      Value shuffleValid);
  Carrier smemCarrier(Value q);
  Carrier dsmemCarrier(Value q);
  Carrier flagsCarrier(Value q);

  // cta = bulk (docs/gpu-lowering.md, "cta = bulk").
  Value barPtr() { return elementPtr(smemBar, idx(0), b.getI64Type(), 3); }
  /// Whether this CTA receives anything (finite K: rank 0 has no earlier
  /// CTA in its cluster; K = inf: every CTA receives).
  Value bulkReceives() {
    return c.infiniteHops() ? arith::ConstantIntOp::create(b, b.getI1Type(), 1)
                            : cmp(arith::CmpIPredicate::sgt, rank, idx(0));
  }
  /// Orders this thread's generic-proxy shared stores before the copy
  /// engine's reads (fence.proxy.async.shared::cta).
  void asyncProxyFence() {
    NVVM::FenceProxyOp::create(
        b, NVVM::ProxyKind::async_shared,
        NVVM::SharedSpaceAttr::get(b.getContext(), NVVM::SharedSpace::shared_cta));
  }
  void bulkInit();
  void bulkStage(ArrayRef<Carrier> own);
  void bulkPush(Value src, Value dstRank, Value slot);
  void bulkExchange();
  Carrier bulkCarrier(Value q);
  std::pair<Carrier, Carrier> bulkAggregates(Carrier ctaAgg);
};

//===----------------------------------------------------------------------===//
// Position
//===----------------------------------------------------------------------===//

void KernelEmitter::position() {
  tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  ctaTid = tid;
  if (c.slots > 1) {
    slot = div(ctaTid, idx(c.threads()));
    tid = rem(ctaTid, idx(c.threads()));
  }
  lane = rem(tid, idx(kWarpSize));
  warp = div(tid, idx(kWarpSize));
  Value B = memref::DimOp::create(b, drive, 0);
  // Layer mode: the rows of this launch's heads only.
  Value H = layer() ? idx(c.layer.headCount)
                    : Value(memref::DimOp::create(b, drive, 1));
  L = memref::DimOp::create(b, drive, 3);
  T = div(add(L, c.block - 1), idx(c.block));
  rows = mul(mul(B, H), c.channels);

  // Rows per CTA (K = inf, no cluster): the largest power of two g dividing
  // the warps such that W / g warps still cover the row; the host computes
  // the same number for the grid (rowsPerCta in KernelBuilder.h).
  rowSub = idx(0);
  rowWarp = warp;
  if (c.packRows()) {
    Value g = idx(1);
    for (int64_t k = 2; k <= c.warps() && c.warps() % k == 0; k *= 2)
      g = sel(cmp(arith::CmpIPredicate::sle, T,
                  idx((c.warps() / k) * c.warpSpan())),
              idx(k), g);
    rpc = g;
    wpr = div(idx(c.warps()), rpc);
    rowSub = div(warp, wpr);
    rowWarp = rem(warp, wpr);
  }

  // A 1-D grid: block x = (row group) * nx + position (nx is a multiple of
  // the cluster size, so a cluster never straddles two rows).
  Value id = gpu::BlockIdOp::create(b, gpu::Dimension::x);
  Value rowGroup;
  if (!c.gridFlags()) {
    if (slot) {
      std::tie(rowGroup, pos) = divRem32(id, nx);
    } else {
      pos = rem(id, nx);
      rowGroup = div(id, nx);
    }
  } else {
    // Position-major order: unit (cluster) u = id / cluster is position
    // u / rowGroups of row group u % rowGroups, so a row's units are
    // launched rowGroups units apart and a unit's predecessors have mostly
    // finished when it starts (the look-back finds an inclusive prefix at
    // once). The position itself still comes from the ticket.
    Value rowGroups = rows;
    if (c.packRows())
      rowGroups = div(add(rows, sub(rpc, idx(1))), rpc);
    if (slot)
      rowGroups = div(rows, idx(c.slots));
    Value unitId = div(id, idx(c.cluster()));
    if (slot) {
      std::tie(guess, rowGroup) = divRem32(unitId, rowGroups);
    } else {
      rowGroup = rem(unitId, rowGroups);
      guess = div(unitId, rowGroups);
    }
  }
  r = c.packRows() ? add(mul(rowGroup, rpc), rowSub) : rowGroup;
  if (slot)
    r = add(mul(rowGroup, c.slots), slot);
  if (c.gridFlags()) {
    // Logical position along the row from a per-row atomic ticket (one per
    // cluster): a CTA only waits on CTAs of its row with an earlier ticket,
    // which have started. One unit per row (nx = cluster): no ticket, no
    // flags at all.
    Value units = div(nx, idx(c.cluster()));
    single = eq(units, idx(1));
    counter = add(add(mul(rows, nx), idx(1)), slot ? sub(r, slot) : r);
    if (c.cluster() == 1) {
      // The ticket is taken in body(), after the tile loads for the guess.
      rank = idx(0);
      pos = guess;
    } else {
      rank = toIndex(NVVM::ClusterId::create(b, i32()));
      ValueVector t = emitIf(
          single, {b.getIndexType()}, [&] { return ValueVector{idx(0)}; },
          [&] {
            emitIf(andI(eq(ctaTid, idx(0)), eq(rank, idx(0))), [&] {
              Value t = memref::AtomicRMWOp::create(
                  b, arith::AtomicRMWKind::addi, ci32(1), flagsBuf,
                  ValueRange{counter});
              store(t, smemI, {idx(0)});
            });
            clusterBarrier();
            return ValueVector{toIndex(loadRemote(smemI, idx(0), i32(), idx(0)))};
          });
      pos = add(mul(t[0], c.cluster()), rank);
    }
  } else {
    rank = c.cluster() > 1 ? rem(id, idx(c.cluster())) : idx(0);
  }
  if (c.packRows()) {
    rowValid = lt(r, rows);
    r = sel(rowValid, r, sub(rows, idx(1)));
  }
}

//===----------------------------------------------------------------------===//
// Finite hops
//===----------------------------------------------------------------------===//

/// Tile q (q >= ctaBase - ... inside this CTA) from the warp lists in shared
/// memory: warp w keeps its last warpKeep() carriers.
Carrier KernelEmitter::smemCarrier(Value q) {
  int64_t span = c.warpSpan(), keep = c.warpKeep();
  Value within = sub(q, ctaBase);
  Value w = div(within, idx(span));
  Value slot = sub(sub(within, mul(w, span)), idx(span - keep));
  Value i = mul(add(mul(w, keep), slot), 2);
  return {load(smemF, {i}), load(smemF, {add(i, 1)})};
}

/// Tile q inside this cluster but before this CTA, from the warp lists of
/// the CTA that owns it (distributed shared memory).
Carrier KernelEmitter::dsmemCarrier(Value q) {
  int64_t span = c.warpSpan(), keep = c.warpKeep();
  Value within = sub(q, clusterBase);
  Value owner = div(within, idx(c.ctaSpan()));
  Value inCta = sub(within, mul(owner, c.ctaSpan()));
  Value w = div(inCta, idx(span));
  Value slot = sub(sub(inCta, mul(w, span)), idx(span - keep));
  Value i = mul(add(mul(w, keep), slot), 2);
  return {loadRemote(smemF, i, f32(), owner),
          loadRemote(smemF, add(i, 1), f32(), owner)};
}

//===----------------------------------------------------------------------===//
// cta = bulk: distributed shared memory pushed by cp.async.bulk
//===----------------------------------------------------------------------===//

/// Before the tile loads: thread 0 of a receiving CTA initializes its
/// mbarrier with one arrival, makes the init visible to the cluster's async
/// proxy (fence.mbarrier_init.release.cluster) and arrives with the bytes it
/// will receive (arrive.expect_tx); then every thread arrives on the cluster
/// barrier. bulkExchange() waits on that barrier before any push, so no
/// copy can complete on an uninitialized mbarrier, and the expect_tx always
/// precedes the complete_tx of the copies.
void KernelEmitter::bulkInit() {
  int64_t bytes = 4 * c.bulkMsgFloats();
  Value messages =
      c.infiniteHops()
          ? sel(eq(rank, idx(0)), idx(c.cluster() - 1), rank)
          : sel(lt(rank, idx(c.bulkSlots())), rank, idx(c.bulkSlots()));
  Value tx = toI32(mul(messages, bytes));
  emitIf(andI(eq(tid, idx(0)), bulkReceives()), [&] {
    Value bar = barPtr();
    NVVM::MBarrierInitOp::create(b, bar, ci32(1), Value());
    NVVM::FenceMbarrierInitOp::create(b);
    NVVM::MBarrierArriveExpectTxOp::create(b, Type(), bar, tx,
                                           NVVM::MemScopeKind::CTA,
                                           /*relaxed=*/false, Value());
  });
  NVVM::ClusterArriveOp::create(b, UnitAttr());
}

/// Finite K: the threads owning the CTA's last ctaKeep() tiles write their
/// carriers into the message (generic-proxy stores), thread 0 zeroes its
/// padding, and each writer orders its stores before the copy engine's
/// reads (fence.proxy.async.shared::cta; the CTA barrier after the warp
/// lists follows before thread 0 issues the copies).
void KernelEmitter::bulkStage(ArrayRef<Carrier> own) {
  int64_t span = c.ctaSpan(), keep = c.ctaKeep(), tpl = c.tilesPerLane();
  for (int64_t j = 0; j < tpl; ++j) {
    Value pc = add(add(mul(warp, c.warpSpan()), mul(lane, tpl)), j);
    emitIf(ge(pc, idx(span - keep)), [&] {
      Value i = mul(sub(pc, idx(span - keep)), 2);
      store(own[j].g, smemSend, {i});
      store(own[j].v, smemSend, {add(i, 1)});
      asyncProxyFence();
    });
  }
  if (c.bulkMsgFloats() > 2 * keep)
    emitIf(eq(tid, idx(0)), [&] {
      for (int64_t i = 2 * keep; i < c.bulkMsgFloats(); ++i)
        store(cf(0.0f), smemSend, {idx(i)});
      asyncProxyFence();
    });
}

/// Copies this CTA's message into receive slot `slot` (in floats) of CTA
/// `dstRank` of the cluster; the copy completes on that CTA's mbarrier.
void KernelEmitter::bulkPush(Value src, Value dstRank, Value slot) {
  auto clusterPtr = LLVM::LLVMPointerType::get(b.getContext(), 7);
  auto sharedPtr = LLVM::LLVMPointerType::get(b.getContext(), 3);
  Value to = toI32(dstRank);
  Value dst = NVVM::MapaOp::create(
      b, clusterPtr, elementPtr(smemRecv, slot, f32(), 3), to);
  Value bar = NVVM::MapaOp::create(b, clusterPtr, barPtr(), to);
  // The instruction reads the mbarrier operand as a shared::cluster address
  // (the destination CTA's barrier), but the intrinsic types it as a
  // shared::cta pointer: pass the mapa result's bits (an addrspacecast
  // would go through the generic space and lose the CTA).
  Value barBits = LLVM::PtrToIntOp::create(b, b.getI64Type(), bar);
  Value barArg = LLVM::IntToPtrOp::create(b, sharedPtr, barBits);
  NVVM::CpAsyncBulkSharedCTAToSharedClusterOp::create(
      b, dst, src, barArg, ci32(4 * c.bulkMsgFloats()));
}

/// After the message is staged: waits on the cluster barrier (every
/// receiver's mbarrier is initialized), thread 0 pushes the message to each
/// CTA that needs it, and every thread of a receiving CTA waits until its
/// mbarrier completes phase 0 (all expected bytes have landed; try_wait has
/// acquire semantics, so the receive buffer is then readable).
void KernelEmitter::bulkExchange() {
  NVVM::ClusterWaitOp::create(b, UnitAttr());
  int64_t floats = c.bulkMsgFloats();
  emitIf(eq(tid, idx(0)), [&] {
    Value src = elementPtr(smemSend, idx(0), f32(), 3);
    if (!c.infiniteHops()) {
      // Finite K: to the next bulkSlots() CTAs; CTA rank + s keeps it in
      // slot s - 1.
      for (int64_t s = 1; s <= c.bulkSlots(); ++s) {
        Value to = add(rank, s);
        emitIf(lt(to, idx(c.cluster())),
               [&] { bulkPush(src, to, idx((s - 1) * floats)); });
      }
    } else {
      // K = inf: to every later CTA (its exclusive prefix) and to rank 0
      // (the cluster aggregate), in slot `rank`.
      for (int64_t d = 0; d < c.cluster(); ++d) {
        Value to = d == 0 ? cmp(arith::CmpIPredicate::ne, rank, idx(0))
                          : lt(rank, idx(d));
        emitIf(to, [&] { bulkPush(src, idx(d), mul(rank, floats)); });
      }
    }
  });
  emitIf(bulkReceives(), [&] {
    Value bar = barPtr();
    auto scope =
        NVVM::MemScopeKindAttr::get(b.getContext(), NVVM::MemScopeKind::CTA);
    scf::WhileOp::create(
        b, TypeRange{}, ValueRange{},
        [&](OpBuilder &nb, Location, ValueRange) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
          Value done = NVVM::MBarrierTryWaitOp::create(
              b, b.getI1Type(), bar, ci32(0), Value(), scope);
          Value pending = arith::XOrIOp::create(
              b, done, arith::ConstantIntOp::create(b, b.getI1Type(), 1));
          scf::ConditionOp::create(b, pending, ValueRange{});
        },
        [&](OpBuilder &nb, Location, ValueRange) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
          scf::YieldOp::create(b, ValueRange{});
        });
  });
}

/// Tile q in an earlier CTA of the cluster (finite K), from the message
/// that CTA pushed into this CTA's receive slot rank - owner - 1.
Carrier KernelEmitter::bulkCarrier(Value q) {
  int64_t span = c.ctaSpan(), keep = c.ctaKeep();
  Value within = sub(q, clusterBase);
  Value owner = div(within, idx(span));
  Value slot = sub(sub(within, mul(owner, span)), idx(span - keep));
  Value at = add(mul(sub(sub(rank, owner), idx(1)), c.bulkMsgFloats()),
                 mul(slot, 2));
  return {load(smemRecv, {at}), load(smemRecv, {add(at, 1)})};
}

/// K = inf: thread 0 stages the CTA aggregate (padded to 16 bytes) and the
/// exchange pushes it to every later CTA and to rank 0. Returns the cluster
/// aggregate (complete on rank 0, the only CTA that uses it) and the
/// exclusive prefix of the CTAs before this one.
std::pair<Carrier, Carrier> KernelEmitter::bulkAggregates(Carrier ctaAgg) {
  emitIf(eq(tid, idx(0)), [&] {
    store(ctaAgg.g, smemSend, {idx(0)});
    store(ctaAgg.v, smemSend, {idx(1)});
    store(cf(0.0f), smemSend, {idx(2)});
    store(cf(0.0f), smemSend, {idx(3)});
    asyncProxyFence();
  });
  bulkExchange();
  int64_t floats = c.bulkMsgFloats();
  ValueVector cfv = emitFor(
      idx(0), idx(c.cluster()), idx(1),
      {cf(1.0f), cf(0.0f), cf(1.0f), cf(0.0f)},
      [&](Value o, ValueRange s) -> ValueVector {
        // Slots this CTA received: the earlier CTAs' (all others on rank 0).
        Value received = andI(cmp(arith::CmpIPredicate::ne, o, rank),
                              orI(lt(o, rank), eq(rank, idx(0))));
        Carrier x = emitIfCarrier(
            received,
            [&]() -> Carrier {
              Value at = mul(o, floats);
              return {load(smemRecv, {at}), load(smemRecv, {add(at, 1)})};
            },
            [&] { return sel(eq(o, rank), ctaAgg, identity()); });
        Carrier all = compose({s[0], s[1]}, x);
        Carrier ex =
            sel(lt(o, rank), compose({s[2], s[3]}, x), Carrier{s[2], s[3]});
        return {all.g, all.v, ex.g, ex.v};
      });
  return {Carrier{cfv[0], cfv[1]}, Carrier{cfv[2], cfv[3]}};
}

/// Tile q before this cluster from the global scratch: CTA n publishes its
/// last ctaKeep() carriers and sets its flag (st.release.gpu); this thread
/// spins on the flag (ld.acquire.gpu) and reads the carrier.
Carrier KernelEmitter::flagsCarrier(Value q) {
  int64_t keep = c.ctaKeep();
  Value owner = div(q, idx(c.ctaSpan()));
  Value slot = sub(sub(q, mul(owner, c.ctaSpan())), idx(c.ctaSpan() - keep));
  Value unit = add(mul(r, nx), owner);
  spinOnFlag(add(unit, 1));
  Value i = mul(add(mul(unit, keep), slot), 2);
  return {load(scratch, {i}), load(scratch, {add(i, 1)})};
}

/// The carrier of logical tile q = base - m (m = 1..K): tiles before the
/// sequence are (0, init) for q = -1 and (0, 0) before it; the others come
/// from the first level whose span holds q, by that level's route.
Carrier KernelEmitter::haloCarrier(int64_t m, Value q,
                                   std::optional<Carrier> shuffled,
                                   Value shuffleValid) {
  std::function<Carrier()> fromLevels = [&]() -> Carrier {
    if (!c.laneShuffle())
      return tileCarrier(q);
    auto afterLane = [&]() -> Carrier {
      if (!c.warpSmem())
        return warpHalo ? *warpHalo : tileCarrier(q);
      auto afterWarp = [&]() -> Carrier {
        auto grid = [&]() -> Carrier {
          if (c.gridFlags())
            return flagsCarrier(q);
          return tileCarrier(q);
        };
        if (c.cluster() == 1)
          return grid();
        if (!c.ctaDsmem())
          return tileCarrier(q);
        return emitIfCarrier(
            ge(q, clusterBase),
            [&] { return c.ctaBulk() ? bulkCarrier(q) : dsmemCarrier(q); },
            grid);
      };
      return emitIfCarrier(
          ge(q, ctaBase), [&] { return smemCarrier(q); }, afterWarp);
    };
    if (!shuffled)
      return afterLane();
    return emitIfCarrier(
        shuffleValid, [&] { return *shuffled; }, afterLane);
  };
  return emitIfCarrier(
      lt(q, idx(0)),
      [&]() -> Carrier {
        Value v = initV ? sel(eq(q, idx(-1)), initV, cf(0.0f)) : cf(0.0f);
        return {cf(0.0f), v};
      },
      fromLevels);
}

SmallVector<Value> KernelEmitter::finiteCarries(ArrayRef<Carrier> own) {
  int64_t K = c.hops, tpl = c.tilesPerLane();
  bool publish = c.gridFlags();

  // Warp lists: the last warpKeep() carriers of each warp.
  if (c.warpSmem()) {
    int64_t span = c.warpSpan(), keep = c.warpKeep();
    for (int64_t j = 0; j < tpl; ++j) {
      Value pw = add(mul(lane, tpl), j);
      emitIf(ge(pw, idx(span - keep)), [&] {
        Value i = mul(add(mul(warp, keep), sub(pw, idx(span - keep))), 2);
        store(own[j].g, smemF, {i});
        store(own[j].v, smemF, {add(i, 1)});
      });
    }
  }
  if (c.ctaBulk())
    bulkStage(own);
  // Grid: publish the last ctaKeep() carriers of this CTA.
  if (publish) {
    int64_t span = c.ctaSpan(), keep = c.ctaKeep();
    Value unit = add(mul(r, nx), pos);
    for (int64_t j = 0; j < tpl; ++j) {
      Value pc = add(add(mul(warp, c.warpSpan()), mul(lane, tpl)), j);
      emitIf(andI(ge(pc, idx(span - keep)), notSingle()), [&] {
        Value i = mul(add(mul(unit, keep), sub(pc, idx(span - keep))), 2);
        store(own[j].g, scratch, {i});
        store(own[j].v, scratch, {add(i, 1)});
        releaseFence();
      });
    }
  }
  if (c.warpSmem() || publish)
    gpu::BarrierOp::create(b);
  if (publish)
    emitIf(andI(eq(tid, idx(0)), notSingle()), [&] {
      releaseFence();
      storeRelease(ci32(1), flagsBuf, add(add(mul(r, nx), pos), 1));
    });
  if (c.ctaBulk())
    bulkExchange();
  else if (c.ctaDsmem())
    clusterBarrier();

  // Lane shuffles: tile base - m lives in lane (lane - delta), own index
  // tpl - 1 - (m - 1) % tpl.
  SmallVector<std::optional<Carrier>> shuffled(K + 1);
  SmallVector<Value> shuffleValid(K + 1);
  if (c.laneShuffle()) {
    for (int64_t m = 1; m <= K; ++m) {
      int64_t delta = (m - 1) / tpl + 1;
      if (delta >= kWarpSize)
        break;
      const Carrier &src = own[tpl - 1 - (m - 1) % tpl];
      Shuffled up = shuffle(src, delta, gpu::ShuffleMode::UP);
      shuffled[m] = up.c;
      shuffleValid[m] = up.valid;
    }
  }
  // The K carriers before this thread's first tile.
  SmallVector<Carrier> halo(K + 1);
  for (int64_t m = 1; m <= K; ++m)
    halo[m] = haloCarrier(m, sub(base, idx(m)), shuffled[m], shuffleValid[m]);

  // carry(j) = fold of tiles base + j - K .. base + j - 1.
  SmallVector<Value> carries;
  // The oldest tile's gate product is never needed (it would multiply the
  // zero state before the window): K = 1 computes no product for its halo.
  for (int64_t j = 0; j < tpl; ++j) {
    Value carry;
    for (int64_t mm = K; mm >= 1; --mm) {
      int64_t e = j - mm;
      const Carrier &x = e >= 0 ? own[e] : halo[-e];
      carry = mm == K ? x.v : axpy(x.g, carry, x.v);
    }
    carries.push_back(carry);
  }
  return carries;
}

//===----------------------------------------------------------------------===//
// Infinite hops: exclusive prefix of all carriers
//===----------------------------------------------------------------------===//

KernelEmitter::CtaScan KernelEmitter::ctaScan(ArrayRef<Carrier> own,
                                              Value slots) {
  int64_t tpl = c.tilesPerLane();
  // Lane: tile j of lane l is warpBase + 32 j + l (tileOf), so round j is a
  // Kogge-Stone scan of own[j] over the warp; inWarp[j] is the prefix of the
  // warp's tiles before the thread's tile j: rounds 0..j-1, then the lanes
  // before it in round j.
  SmallVector<Carrier> inWarp;
  Carrier rounds = identity();
  for (int64_t j = 0; j < tpl; ++j) {
    Carrier incl = own[j];
    for (int64_t off = 1; off < kWarpSize; off *= 2) {
      Shuffled prev = shuffle(incl, int32_t(off), gpu::ShuffleMode::UP);
      incl = sel(prev.valid, compose(prev.c, incl), incl);
    }
    Shuffled before = shuffle(incl, 1, gpu::ShuffleMode::UP);
    Carrier exLane = sel(before.valid, before.c, identity());
    inWarp.push_back(j == 0 ? exLane : compose(rounds, exLane));
    Carrier round = shuffle(incl, kWarpSize - 1, gpu::ShuffleMode::IDX).c;
    rounds = j == 0 ? round : compose(rounds, round);
  }

  // Warp: the warp aggregates in shared memory; each row's warps are
  // rowSub * wpr .. rowSub * wpr + wpr - 1 (all W warps without packing).
  // One warp: its aggregate is the CTA's (no shared memory, no barrier).
  if (c.warps() == 1)
    return {inWarp, identity(), rounds};
  emitIf(eq(lane, idx(kWarpSize - 1)), [&] {
    store(rounds.g, smemF, {add(slots, mul(warp, 2))});
    store(rounds.v, smemF, {add(add(slots, mul(warp, 2)), 1)});
  });
  gpu::BarrierOp::create(b);
  Value firstWarp = idx(0), endWarp = idx(c.warps());
  if (c.packRows()) {
    firstWarp = mul(rowSub, wpr);
    endWarp = add(firstWarp, wpr);
  }
  ValueVector wf = emitFor(
      firstWarp, endWarp, idx(1),
      {cf(1.0f), cf(0.0f), cf(1.0f), cf(0.0f)},
      [&](Value w, ValueRange s) -> ValueVector {
        Value at = add(slots, mul(w, 2));
        Carrier x{load(smemF, {at}), load(smemF, {add(at, 1)})};
        Carrier all = compose({s[0], s[1]}, x);
        Carrier ex = sel(lt(w, warp), compose({s[2], s[3]}, x),
                         Carrier{s[2], s[3]});
        return {all.g, all.v, ex.g, ex.v};
      });
  return {inWarp, {wf[2], wf[3]}, {wf[0], wf[1]}};
}

/// K = inf, grid = flags: the prefix of the row before this unit (unit
/// pos / cluster of row r, its aggregate `unitAgg`): the initial state
/// with one unit per row; else the decoupled look-back over the row's
/// earlier units. Publishes the unit's aggregate and inclusive prefix.
Carrier KernelEmitter::lookBackPrefix(Carrier unitAgg) {
  Value prefixSlot = idx(2 * c.warps() + 2);
  // The state before token 0 of the row.
  Carrier start{cf(0.0f), initV ? initV : cf(0.0f)};
  // One unit per row: the prefix is the initial state; no flags.
  // Else, grid: decoupled look-back over units (clusters), flags 1 =
  // aggregate, 2 = inclusive prefix; scratch holds (agg g, agg v, incl g,
  // incl v).
  ValueVector pf = emitIf(
      single, {f32(), f32()},
      [&] { return ValueVector{start.g, start.v}; },
      [&] {
        Value units = div(nx, idx(c.cluster()));
        Value unitPos = div(pos, idx(c.cluster()));
        Value unit = add(mul(r, units), unitPos);
        Value leader = andI(eq(tid, idx(0)), eq(rank, idx(0)));
        emitIf(leader, [&] {
          store(unitAgg.g, scratch, {mul(unit, 4)});
          store(unitAgg.v, scratch, {add(mul(unit, 4), 1)});
          // One release store orders this thread's scratch stores.
          storeRelease(ci32(1), flagsBuf, add(unit, 1));
        });
        // Warp 0 looks back 32 units at a time: lane i inspects unit
        // j - i, the warp waits (ballots) until some lane k sees an
        // inclusive prefix with lanes 0..k all published, or every lane
        // has published, then composes lanes k..0 (farthest first) by a
        // shuffle-down reduction. No inclusive prefix: continue 32 units
        // further back; past unit 0: the start state.
        emitIf(eq(warp, idx(0)), [&] {
          Value laneI = toI32(lane);
          auto loop = scf::WhileOp::create(
              b, TypeRange{b.getIndexType(), f32(), f32()},
              ValueRange{sub(unitPos, idx(1)), cf(1.0f), cf(0.0f)},
              [&](OpBuilder &nb, Location, ValueRange args) {
                OpBuilder::InsertionGuard guard(b);
                b.setInsertionPoint(nb.getInsertionBlock(),
                                    nb.getInsertionPoint());
                scf::ConditionOp::create(b, ge(args[0], idx(0)), args);
              },
              [&](OpBuilder &nb, Location, ValueRange args) {
                OpBuilder::InsertionGuard guard(b);
                b.setInsertionPoint(nb.getInsertionBlock(),
                                    nb.getInsertionPoint());
                Value j = args[0];
                Value p = sub(j, lane);
                Value valid = ge(p, idx(0));
                Value other = add(mul(r, units), sel(valid, p, idx(0)));
                Value full = ci32(-1);
                auto spin = scf::WhileOp::create(
                    b, TypeRange{i32(), i32()}, ValueRange{},
                    [&](OpBuilder &nb2, Location, ValueRange) {
                      OpBuilder::InsertionGuard guard2(b);
                      b.setInsertionPoint(nb2.getInsertionBlock(),
                                          nb2.getInsertionPoint());
                      Value f = loadAcquire(flagsBuf, add(other, 1));
                      Value ready = orI(
                          cmp(arith::CmpIPredicate::ne, f, ci32(0)),
                          arith::XOrIOp::create(
                              b, valid,
                              arith::ConstantIntOp::create(b, b.getI1Type(), 1)));
                      Value nz = NVVM::VoteSyncOp::create(
                          b, i32(), full, ready, NVVM::VoteSyncKind::ballot);
                      Value inc = NVVM::VoteSyncOp::create(
                          b, i32(), full, andI(eq(f, ci32(2)), valid),
                          NVVM::VoteSyncKind::ballot);
                      Value firstZero = LLVM::CountTrailingZerosOp::create(
                          b, i32(), arith::XOrIOp::create(b, nz, full), false);
                      Value firstInc = LLVM::CountTrailingZerosOp::create(
                          b, i32(), inc, false);
                      Value done = orI(
                          cmp(arith::CmpIPredicate::ult, firstInc, firstZero),
                          eq(firstZero, ci32(32)));
                      Value notDone = arith::XOrIOp::create(
                          b, done,
                          arith::ConstantIntOp::create(b, b.getI1Type(), 1));
                      scf::ConditionOp::create(b, notDone, ValueRange{f, inc});
                    },
                    [&](OpBuilder &nb2, Location, ValueRange) {
                      OpBuilder::InsertionGuard guard2(b);
                      b.setInsertionPoint(nb2.getInsertionBlock(),
                                          nb2.getInsertionPoint());
                      NVVM::NanosleepOp::create(b, ci32(32));
                      scf::YieldOp::create(b, ValueRange{});
                    });
                Value f = spin.getResult(0), inc = spin.getResult(1);
                Value found = cmp(arith::CmpIPredicate::ne, inc, ci32(0));
                Value k = sel(found,
                              LLVM::CountTrailingZerosOp::create(b, i32(), inc,
                                                                 false),
                              ci32(kWarpSize - 1));
                Value use = andI(valid, cmp(arith::CmpIPredicate::ule, laneI, k));
                Carrier x = emitIfCarrier(
                    use,
                    [&]() -> Carrier {
                      Value at = add(mul(other, 4),
                                     sel(eq(f, ci32(2)), idx(2), idx(0)));
                      return {load(scratch, {at}), load(scratch, {add(at, 1)})};
                    },
                    [&] { return identity(); });
                // Lane i ends with lanes i .. 31 composed, farthest first.
                for (int64_t off = 1; off < kWarpSize; off *= 2) {
                  Shuffled later =
                      shuffle(x, int32_t(off), gpu::ShuffleMode::DOWN);
                  x = sel(later.valid, compose(later.c, x), x);
                }
                Carrier window = shuffle(x, 0, gpu::ShuffleMode::IDX).c;
                Carrier acc = compose(window, {args[1], args[2]});
                Value back = sub(j, idx(kWarpSize));
                Value next = sel(found, idx(-2),
                                 sel(ge(back, idx(0)), back, idx(-1)));
                scf::YieldOp::create(b, ValueRange{next, acc.g, acc.v});
              });
          Carrier p{loop.getResult(1), loop.getResult(2)};
          // Walked back to the start: the state before token 0 is init.
          p = sel(eq(loop.getResult(0), idx(-1)), compose(start, p), p);
          emitIf(eq(lane, idx(0)), [&] {
            store(p.g, smemF, {prefixSlot});
            store(p.v, smemF, {add(prefixSlot, 1)});
          });
        });
        gpu::BarrierOp::create(b);
        Carrier prefix{load(smemF, {prefixSlot}),
                       load(smemF, {add(prefixSlot, 1)})};
        emitIf(leader, [&] {
          Carrier inclusive = compose(prefix, unitAgg);
          store(inclusive.g, scratch, {add(mul(unit, 4), 2)});
          store(inclusive.v, scratch, {add(mul(unit, 4), 3)});
          storeRelease(ci32(2), flagsBuf, add(unit, 1));
        });
        return ValueVector{prefix.g, prefix.v};
      });
  return {pf[0], pf[1]};
}

SmallVector<Value> KernelEmitter::infiniteCarries(ArrayRef<Carrier> own) {
  int64_t tpl = c.tilesPerLane();
  CtaScan scan = ctaScan(own, idx(0));
  ArrayRef<Carrier> inWarp = scan.inWarp;
  Carrier ctaAgg = scan.ctaAgg, exWarp = scan.exWarp;

  // Slots after the warp aggregates: the CTA aggregate (read by the cluster)
  // and the grid prefix broadcast.
  Value aggSlot = idx(2 * c.warps());
  Carrier unitAgg = ctaAgg, exCta = identity();
  if (c.ctaBulk()) {
    std::tie(unitAgg, exCta) = bulkAggregates(ctaAgg);
  } else if (c.cluster() > 1) {
    emitIf(eq(tid, idx(0)), [&] {
      store(ctaAgg.g, smemF, {aggSlot});
      store(ctaAgg.v, smemF, {add(aggSlot, 1)});
    });
    clusterBarrier();
    ValueVector cfv = emitFor(
        idx(0), idx(c.cluster()), idx(1),
        {cf(1.0f), cf(0.0f), cf(1.0f), cf(0.0f)},
        [&](Value o, ValueRange s) -> ValueVector {
          Carrier x{loadRemote(smemF, aggSlot, f32(), o),
                    loadRemote(smemF, add(aggSlot, 1), f32(), o)};
          Carrier all = compose({s[0], s[1]}, x);
          Carrier ex = sel(lt(o, rank), compose({s[2], s[3]}, x),
                           Carrier{s[2], s[3]});
          return {all.g, all.v, ex.g, ex.v};
        });
    unitAgg = {cfv[0], cfv[1]};
    exCta = {cfv[2], cfv[3]};
  }

  Carrier prefix = lookBackPrefix(unitAgg);

  // carry(j) = (prefix . exCta . exWarp . inWarp[j]).v
  Value outer = compose(compose(prefix, exCta), exWarp).v;
  SmallVector<Value> carries;
  for (int64_t j = 0; j < tpl; ++j)
    carries.push_back(axpy(inWarp[j].g, outer, inWarp[j].v));
  return carries;
}

/// K = inf, one CTA per row group (nx = 1): chunk k of the row is the CTA
/// span at position k; the CTA scans the chunks in order, carrying the
/// prefix of the chunks before (the state before the row: (0, init)). The
/// next chunk's tiles are loaded at the top of the iteration, so they are in
/// flight during this chunk's scans, exchange and stores (`keep`: the tokens
/// fit in registers; else every chunk loads at its start and the apply
/// reloads). No ticket, flags or look-back.
void KernelEmitter::rowLoop(bool keep) {
  Value chunks = div(add(T, idx(c.ctaSpan() - 1)), idx(c.ctaSpan()));
  walkChunks(keep, idx(0), chunks, {cf(0.0f), initV ? initV : cf(0.0f)},
             /*apply=*/true);
}

/// K = inf, several units per row (KernelPart::units; the host's choice
/// when the row groups alone leave the GPU idle): unit pos of the row (from
/// the row's ticket) takes chunks [pos * per, min(chunks, (pos + 1) * per))
/// with per = ceil(chunks / nx). Pass 1 walks them from the identity
/// without storing (the segment's aggregate), the unit publishes it and
/// looks back over the row's earlier units (lookBackPrefix), pass 2 walks
/// the same chunks again (from L2 when the segment is recent) from the
/// prefix and stores. One unit per row (single): no pass 1, no flags.
void KernelEmitter::unitsLoop(bool keep) {
  pos = ticket();
  setBases();
  Value chunks = div(add(T, idx(c.ctaSpan() - 1)), idx(c.ctaSpan()));
  Value per = div(add(chunks, sub(nx, idx(1))), nx);
  Value first = mul(pos, per);
  Value end = arith::MinUIOp::create(b, chunks, add(first, per));
  Carrier agg = emitIfCarrier(
      single, [&] { return identity(); },
      [&] { return walkChunks(keep, first, end, identity(), false); });
  Carrier prefix = lookBackPrefix(agg);
  walkChunks(keep, first, end, prefix, /*apply=*/true);
}

Carrier KernelEmitter::walkChunks(bool keep, Value first, Value end,
                                  Carrier start, bool apply) {
  int64_t tpl = c.tilesPerLane();
  Value savedPos = pos;
  Value chunks = end;
  auto atChunk = [&](Value k) {
    pos = k;
    setBases();
  };
  // A chunk's loaded tiles as loop-carried values: (fast, gates.., drive..)
  // per tile.
  auto pack = [&](ArrayRef<TileData> data) {
    ValueVector out;
    for (const TileData &d : data) {
      out.push_back(d.fast);
      out.append(d.gv.begin(), d.gv.end());
      out.append(d.xv.begin(), d.xv.end());
    }
    return out;
  };
  auto loadChunk = [&](Value k) {
    atChunk(k);
    SmallVector<TileData, 2> data;
    for (int64_t j = 0; j < tpl; ++j)
      data.push_back(loadTile(tileOf(j)));
    return data;
  };
  ValueVector inits{start.g, start.v};
  SmallVector<Type> dataTypes;
  // Chunks k + 1 .. k + depth are in flight while chunk k is processed
  // (H200, one-warp CTAs: depth 2 measured no faster, depth 3 slower: the
  // registers; docs/benchmarks.md run 5).
  constexpr int64_t depth = 1;
  auto loadOrNone = [&](Value k1) {
    return emitIf(
        lt(k1, chunks), dataTypes, [&] { return pack(loadChunk(k1)); },
        [&] {
          ValueVector none;
          for (Type t : dataTypes)
            none.push_back(LLVM::UndefOp::create(b, t));
          return none;
        });
  };
  if (keep) {
    ValueVector firstData = pack(loadChunk(first));
    for (Value v : firstData)
      dataTypes.push_back(v.getType());
    inits.append(firstData.begin(), firstData.end());
    for (int64_t e = 1; e < depth; ++e) {
      ValueVector more = loadOrNone(add(first, idx(e)));
      inits.append(more.begin(), more.end());
    }
  }
  ValueVector fin = emitFor(first, end, idx(1), inits, [&](Value k, ValueRange args) {
    Carrier prefix{args[0], args[1]};
    atChunk(k);
    SmallVector<TileData, 2> data;
    ValueVector next;
    if (keep) {
      // This chunk's tiles from the loop, then the next chunk's loads.
      size_t at = 2;
      for (int64_t j = 0; j < tpl; ++j) {
        TileData d;
        Value q = tileOf(j);
        d.phys = c.transpose ? sub(sub(T, idx(1)), q) : q;
        d.first = mul(d.phys, c.block);
        d.fast = args[at++];
        for (int64_t e = 0; e < c.block / vwA(); ++e)
          d.gv.push_back(args[at++]);
        for (int64_t e = 0; e < c.block / vwX(); ++e)
          d.xv.push_back(args[at++]);
        data.push_back(d);
      }
      next.assign(args.begin() + at, args.end());
      ValueVector last = loadOrNone(add(k, idx(depth)));
      next.append(last.begin(), last.end());
      atChunk(k);
    } else {
      for (int64_t j = 0; j < tpl; ++j)
        data.push_back(loadTile(tileOf(j)));
    }
    SmallVector<Carrier> own;
    for (int64_t j = 0; j < tpl; ++j)
      own.push_back(tileCarrier(data[j]));
    // Two slot sets, alternating: a warp writes set k % 2 only after the
    // barrier of chunk k - 1, which every warp reaches after reading set
    // k % 2 in chunk k - 2.
    Value slots = mul(rem(k, idx(2)), 2 * c.warps() + 4);
    CtaScan scan = ctaScan(own, slots);
    if (apply) {
      Value outer = compose(prefix, scan.exWarp).v;
      for (int64_t j = 0; j < tpl; ++j) {
        Value carry = axpy(scan.inWarp[j].g, outer, scan.inWarp[j].v);
        Value q = tileOf(j);
        Value live = andI(lt(q, T), rowValid);
        emitIf(live, [&] {
          applyTile(keep ? data[j] : loadTile(q), carry);
        });
      }
    }
    Carrier after = compose(prefix, scan.ctaAgg);
    ValueVector yield{after.g, after.v};
    yield.append(next.begin(), next.end());
    return yield;
  });
  pos = savedPos;
  setBases();
  return {fin[0], fin[1]};
}

//===----------------------------------------------------------------------===//
// local = mma body
//===----------------------------------------------------------------------===//

void KernelEmitter::mmaBody() {
  MmaLane m = mmaLane();
  // K = inf row-loop configurations build two kernels (KernelPart): the
  // row-loop kernel walks its row (the host's choice when the rows fill the
  // GPU); the look-back kernel runs one unit per CTA span.
  assert((part == KernelPart::whole) != c.rowLoop() &&
         "row-loop configurations build a rowLoop and a lookBack kernel");
  if (loopPart())
    return mmaRowLoop(m);
  mmaUnits(m);
}

void KernelEmitter::mmaUnits(const MmaLane &m) {
  // grid = flags: the position first (no loads to overlap with the ticket:
  // the mma warps load the CTA's tiles in their own layout).
  if (c.gridFlags() && c.cluster() == 1) {
    pos = ticket();
    setBases();
  }
  int64_t WS = c.mmaWarps();
  int64_t nT = c.mmaTilesPerWarp(), nb = c.mmaBlock / 16;
  // Warp w of the CTA takes tiles w, w + WS, ... of the span; with the
  // ring (K = 0) the contiguous run w nT .. w nT + nT - 1 (whole row pieces
  // per group).
  Value ctaWarp = divU(ctaTid, kWarpSize);
  auto tileU = [&](Value i) {
    return ring.on ? add(mul(ctaWarp, nT), i) : add(ctaWarp, mul(i, WS));
  };
  // Tiles whose loads are issued together (then computed): at most two
  // 16-token blocks (64 registers per thread).
  int64_t batch = 1;
  while (batch * 2 <= nT && nT % (batch * 2) == 0 && batch * 2 * nb <= 2)
    batch *= 2;
  auto runBatch = [&](Value i0, int64_t n, bool final) {
    std::vector<MmaTile> tiles;
    for (int64_t k = 0; k < n; ++k)
      tiles.push_back(mmaLoad(m, tileU(add(i0, idx(k)))));
    for (MmaTile &t : tiles) {
      warpSync(); // mma.sync needs the warp converged
      mmaCompute(m, t);
      if (final)
        mmaStore(m, t);
      else
        mmaPublish(m, t);
    }
    return tiles;
  };
  auto forAll = [&](bool final) {
    if (final && ring.on) { // the ring's pipeline (MmaRing: nT is bounded)
      mmaPipeline(m, 0, nT, [&](int64_t i) { return tileU(idx(i)); },
                  [&](int64_t, MmaTile &t) { mmaStore(m, t); });
      return std::vector<MmaTile>{};
    }
    if (nT == batch)
      return runBatch(idx(0), batch, final);
    if (final && nT <= kMmaUnroll) {
      // Unrolled, the next mmaAhead() tiles' loads in flight while one is
      // computed.
      mmaPipeline(m, 0, nT, [&](int64_t i) { return tileU(idx(i)); },
                  [&](int64_t, MmaTile &t) { mmaStore(m, t); });
      return std::vector<MmaTile>{};
    }
    emitFor(idx(0), idx(nT), idx(batch), {}, [&](Value i0, ValueRange) {
      runBatch(i0, batch, final);
      return ValueVector{};
    });
    return std::vector<MmaTile>{};
  };
  if (c.hops == 0) {
    forAll(/*final=*/true);
    return;
  }
  if (!c.laneShuffle())
    return mmaHaloBody(m);
  // K != 0: the local states stay in registers when the warp's tiles fit
  // in one batch, else they are recomputed after the exchange.
  std::vector<MmaTile> kept = forAll(/*final=*/false);
  gpu::BarrierOp::create(b);
  int64_t tpl = c.tilesPerLane();
  Value s = slot ? slot : idx(0);
  SmallVector<Carrier> own;
  SmallVector<Value> us;
  for (int64_t j = 0; j < tpl; ++j) {
    Value u = sub(tileOf(j), ctaBase);
    us.push_back(u);
    own.push_back({load(smemM, {exchangeIndex(Value(), u)}),
                   load(smemM, {exchangeIndex(s, u)})});
  }
  SmallVector<Value> carries =
      c.infiniteHops() ? infiniteCarries(own) : finiteCarries(own);
  for (int64_t j = 0; j < tpl; ++j)
    store(carries[j], smemM, {exchangeIndex(s, us[j])});
  gpu::BarrierOp::create(b);
  if (!kept.empty()) {
    for (MmaTile &t : kept)
      mmaStore(m, t);
    return;
  }
  forAll(/*final=*/true);
}

void KernelEmitter::mmaHaloBody(const MmaLane &m) {
  int64_t K = c.hops, nT = c.mmaTilesPerWarp();
  Value ctaWarp = divU(ctaTid, kWarpSize);
  Value u0 = mul(ctaWarp, nT);
  // The window of the last K carriers, oldest first.
  SmallVector<LaneCarrier> win;
  mmaPipeline(m, -K, nT, [&](int64_t i) { return add(u0, idx(i)); },
              [&](int64_t i, MmaTile &t) {
    if (i >= 0) {
      // carry = fold of the K tiles before (the oldest one's product is
      // never needed).
      std::array<Value, 2> carry;
      for (int64_t h = 0; h < 2; ++h)
        for (int64_t mm = 0; mm < K; ++mm)
          carry[h] = mm == 0 ? win[0].v[h]
                             : axpy(win[mm].g, carry[h], win[mm].v[h]);
      mmaStore(m, t, carry);
    }
    if (i + 1 < nT) {
      win.push_back(mmaCarrier(m, t, /*inRow=*/i >= 0));
      if ((int64_t)win.size() > K)
        win.erase(win.begin());
    }
  });
}

void KernelEmitter::mmaRowLoop(const MmaLane &m) {
  int64_t WS = c.mmaWarps(), span = c.ctaSpan();
  int64_t nT = c.mmaTilesPerWarp();
  Value savedPos = pos;
  Value chunks = div(add(T, idx(span - 1)), idx(span));
  Value ctaWarp = divU(ctaTid, kWarpSize);
  // Warp w takes the contiguous tiles w nT .. w nT + nT - 1 of each chunk
  // (logical order), so it folds their carriers itself.
  auto tileU = [&](int64_t i) { return add(mul(ctaWarp, nT), idx(i)); };
  auto atChunk = [&](Value k) {
    pos = k;
    setBases();
  };
  // Staged chunks (MmaStage): chunk k is read from set k % 2. The copies of
  // chunk k + 2 into set k % 2 are issued right after chunk k's barrier
  // (every warp has read chunk k from it by then) and waited for before
  // chunk k + 1's barrier, so they fly during chunk k's apply and chunk
  // k + 1's compute. A chunk is staged when it lies inside [0, L) and the
  // rows are 16-byte aligned; otherwise its tiles load from global memory.
  Value stageOk;
  auto chunkStage = [&](Value k) {
    atChunk(k);
    Value p0 = c.transpose ? mul(sub(sub(T, ctaBase), idx(span)), c.block)
                           : mul(ctaBase, c.block);
    Value inside = andI(ge(p0, idx(0)), cmp(arith::CmpIPredicate::sle,
                                            add(p0, idx(stage.rowElems)), L));
    return std::make_pair(p0, andI(stageOk, inside));
  };
  auto setOf = [&](Value k) { return remU(k, 2); };
  auto driveAt = [&](Value set) {
    return add(mul(set, stage.driveSet(c.slots)), idx(stageXBase));
  };
  // Issues chunk kk's copies into set kk % 2 when kk < chunks and staged.
  auto stageChunk = [&](Value kk) {
    auto [p, fast] = chunkStage(kk);
    emitIf(andI(lt(kk, chunks), fast), [&] {
      Value set = setOf(kk);
      stageRows(ctaTid, c.ctaThreads(), p, stage.rowElems, smemSG,
                mul(set, stage.gateSet()), smemSX, driveAt(set), stage.stride);
    });
    NVVM::CpAsyncCommitGroupOp::create(b);
  };
  if (stage.on) {
    int64_t minBytes = std::min(stage.gateBytes, stage.driveBytes);
    Value ptrs =
        orI(memref::ExtractAlignedPointerAsIndexOp::create(b, gates),
            memref::ExtractAlignedPointerAsIndexOp::create(b, drive));
    stageOk = andI(eq(rem(L, idx(16 / minBytes)), idx(0)),
                   eq(andI(ptrs, idx(15)), idx(0)));
    stageChunk(idx(0));
    stageChunk(idx(1));
    NVVM::CpAsyncWaitGroupOp::create(b, 1); // chunk 0 landed
    gpu::BarrierOp::create(b);
  }
  // The running prefix of channels g and g + 8 (every lane of row g holds
  // it): the row's initial state.
  ValueVector inits{cf(0.0f), cf(0.0f)};
  if (init)
    for (int64_t h = 0; h < 2; ++h)
      inits[h] = mmaInitState(m, h);
  auto v4 = VectorType::get({4}, f32());
  // Four floats as one 16-byte store at float `at` of smemM.
  auto storeQuad = [&](Value at, std::array<Value, 4> parts) {
    Value a = LLVM::UndefOp::create(b, v4);
    for (int64_t e = 0; e < 4; ++e)
      a = LLVM::InsertElementOp::create(b, a, parts[e], lanePos(e));
    LLVM::StoreOp::create(b, a, elementPtr(smemM, at, f32(), 3), 16);
  };
  emitFor(idx(0), chunks, idx(1), {}, [&](Value k, ValueRange) {
    if (stage.on) {
      auto [p0, fast0] = chunkStage(k);
      Value set = setOf(k);
      stG = mul(set, stage.gateSet());
      stX = driveAt(set);
      stP0 = p0;
      stFast = fast0;
    }
    atChunk(k);
    std::vector<MmaTile> tiles;
    for (int64_t i = 0; i < nT; ++i)
      tiles.push_back(mmaLoad(m, tileU(i)));
    // The tiles' carriers (tile product; terminal state of channels g and
    // g + 8 shuffled to the lanes of row g) and the warp's aggregate.
    SmallVector<Value> gs;
    SmallVector<std::array<Value, 2>> vs;
    Value G;
    std::array<Value, 2> V;
    for (MmaTile &t : tiles) {
      warpSync(); // mma.sync needs the warp converged
      mmaCompute(m, t);
      std::array<Value, 2> v = mmaTerminal(m, t);
      gs.push_back(t.gTile);
      vs.push_back(v);
      for (int64_t h = 0; h < 2; ++h)
        V[h] = G ? fma(t.gTile, V[h], v[h]) : v[h];
      G = G ? mulF(G, t.gTile) : t.gTile;
    }
    // Aggregate of warp w in slot [k % 2][w][g]: (V_g, V_g+8, G, -); the
    // chunk's prefix in [k % 2][g] after the aggregates: (V_g, V_g+8, -, -).
    Value parity = rem(k, idx(2));
    Value set = mul(parity, WS * 32);
    auto aggAt = [&](Value w) {
      return add(set, add(mul(w, 32), mul(m.g, 4)));
    };
    auto prefixAt = [&](Value p) {
      return add(idx(2 * WS * 32), add(mul(p, 32), mul(m.g, 4)));
    };
    emitIf(eq(m.tig, idx(0)),
           [&] { storeQuad(aggAt(ctaWarp), {V[0], V[1], G, cf(0.0f)}); });
    if (stage.on) // chunk k + 1's copies have landed (visible after the barrier)
      NVVM::CpAsyncWaitGroupOp::create(b, 0);
    // The one barrier of the chunk: set k % 2 is written again in chunk
    // k + 2, after every warp has passed chunk k + 1's barrier.
    gpu::BarrierOp::create(b);
    if (stage.on) {
      stageChunk(add(k, idx(2)));
      atChunk(k);
    }
    // The chunk's prefix: the row's initial state for chunk 0, else what
    // the last warp published in chunk k - 1 (slot k % 2: written after
    // chunk k - 1's barrier, read after chunk k's, overwritten after chunk
    // k + 1's).
    Value pv = LLVM::LoadOp::create(
        b, v4, elementPtr(smemM, prefixAt(parity), f32(), 3), 16);
    Value first = eq(k, idx(0));
    ValueVector cin(2);
    for (int64_t h = 0; h < 2; ++h)
      cin[h] = sel(first, inits[h],
                   LLVM::ExtractElementOp::create(b, pv, lanePos(h)));
    // The carry-in of warp w: the prefix folded with the aggregates of warps
    // 0 .. w - 1 (warp-uniform trip counts: runs of 4, then 0-3 more).
    auto foldOne = [&](Value j, ValueVector &c) {
      Value a = LLVM::LoadOp::create(
          b, v4, elementPtr(smemM, aggAt(j), f32(), 3), 16);
      Value gj = LLVM::ExtractElementOp::create(b, a, lanePos(2));
      for (int64_t h = 0; h < 2; ++h)
        c[h] = fma(gj, c[h], LLVM::ExtractElementOp::create(b, a, lanePos(h)));
    };
    Value runs = divU(ctaWarp, 4);
    cin = emitFor(idx(0), runs, idx(1), cin, [&](Value q, ValueRange fa) {
      ValueVector c(fa.begin(), fa.end());
      for (int64_t i = 0; i < 4; ++i)
        foldOne(add(mul(q, 4), idx(i)), c);
      return c;
    });
    Value rest = remU(ctaWarp, 4);
    for (int64_t i = 0; i < 3; ++i)
      cin = emitIf(
          cmp(arith::CmpIPredicate::ugt, rest, idx(i)), {f32(), f32()},
          [&] {
            ValueVector c = cin;
            foldOne(add(mul(runs, 4), idx(i)), c);
            return c;
          },
          [&] { return cin; });
    // The last warp publishes the next chunk's prefix (its carry-in folded
    // with its own aggregate).
    emitIf(andI(eq(ctaWarp, idx(WS - 1)), eq(m.tig, idx(0))), [&] {
      storeQuad(prefixAt(sub(idx(1), parity)),
                {fma(G, cin[0], V[0]), fma(G, cin[1], V[1]), cf(0.0f),
                 cf(0.0f)});
    });
    // Apply: tile i's carry is tile i - 1's carrier applied to its carry.
    std::array<Value, 2> carry{cin[0], cin[1]};
    for (int64_t i = 0; i < nT; ++i) {
      mmaStore(m, tiles[i], carry);
      if (i + 1 < nT)
        for (int64_t h = 0; h < 2; ++h)
          carry[h] = fma(gs[i], carry[h], vs[i][h]);
    }
    return ValueVector{};
  });
  stFast = Value();
  pos = savedPos;
  setBases();
}

//===----------------------------------------------------------------------===//
// Body
//===----------------------------------------------------------------------===//

void KernelEmitter::body() {
  if (layer()) {
    // Row r = (b, h - headOffset, d) of this launch; h reads kv head
    // h / (H / Hkv).
    int64_t H = c.layer.heads, D = c.channels;
    dIdx = rem(r, idx(D));
    hIdx = add(rem(div(r, idx(D)), idx(c.layer.headCount)), c.layer.headOffset);
    bIdx = div(r, idx(c.layer.headCount * D));
    kvIdx = div(hIdx, idx(H / c.layer.kvHeads));
    Value rowH = add(mul(bIdx, H), hIdx);
    gateRow = mul(rowH, L);
    driveRow = mul(add(mul(rowH, D), dIdx), L);
    Value kvRow = add(mul(bIdx, c.layer.kvHeads), kvIdx);
    preRow = mul(add(mul(kvRow, D), dIdx), L);
    Value kvChannel = add(mul(kvIdx, D), dIdx);
    if (!c.layer.gatesActivated)
      baV = toF32(load(biasA, {hIdx}));
    bbV = toF32(load(biasB, {kvChannel}));
    bcV = toF32(load(biasC, {kvChannel}));
    if (baV && c.layer.actA == 0)
      baScaled = mulF(baV, cf(kNegLog2e));
    if (c.layer.actB == 0)
      bbScaled = mulF(bbV, cf(kNegLog2e));
    setBases();
    if (c.ctaBulk())
      bulkInit();
  } else {
    Value H = memref::DimOp::create(b, drive, 1);
    dIdx = rem(r, idx(c.channels));
    if (slot) {
      std::tie(bIdx, hIdx) = divRem32(div(r, idx(c.channels)), H);
    } else {
      hIdx = rem(div(r, idx(c.channels)), H);
      bIdx = div(r, mul(H, c.channels));
    }
    setBases();
    if (c.ctaBulk())
      bulkInit();
    if (init)
      initV = toF32(load(init, {bIdx, hIdx, dIdx}));
    // Flat offsets (row r = (b, h, d) is row r of the drive / y, row r / D
    // of the gates).
    driveRow = mul(r, L);
    gateRow = mul(div(r, idx(c.channels)), L);
  }

  // The vector-path condition shared by every tile.
  {
    int64_t elems = std::max({vwA(), vwX(), vwY()});
    auto bytes = [](MemRefType t, int64_t w) {
      return w * std::max<int64_t>(1, t.getElementType().getIntOrFloatBitWidth() / 8);
    };
    int64_t align = std::max({bytes(c.gatesType, vwA()), bytes(c.driveType, vwX()),
                              bytes(c.outType, vwY())});
    Value ptrs = orI(orI(memref::ExtractAlignedPointerAsIndexOp::create(b, gates),
                         memref::ExtractAlignedPointerAsIndexOp::create(b, drive)),
                     memref::ExtractAlignedPointerAsIndexOp::create(b, out));
    if (layer())
      ptrs = orI(orI(ptrs, memref::ExtractAlignedPointerAsIndexOp::create(b, gpre)),
                 memref::ExtractAlignedPointerAsIndexOp::create(b, cpre));
    aligned = andI(eq(rem(L, idx(elems)), idx(0)),
                   eq(andI(ptrs, idx(align - 1)), idx(0)));
  }

  int64_t tpl = c.tilesPerLane();
  // Keep the thread's tokens in registers between the carrier and apply
  // phases when they are few (else the apply phase reloads them, from L1/L2).
  int64_t tokenBytes =
      tpl * c.block *
      (c.gatesType.getElementType().getIntOrFloatBitWidth() / 8 +
       (layer() ? 3 : 1) *
           c.driveType.getElementType().getIntOrFloatBitWidth() / 8);
  // local = mma: its own body (mma warps, carrier exchange, apply).
  if (c.schedule.getLocal() == LocalStrategy::mma)
    return mmaBody();
  bool keep = tokenBytes <= 256;
  // K = inf with nx = 1 (the host's choice when the rows fill the GPU):
  // the row-loop kernel walks its row (rowLoop); the look-back kernel is
  // the code below (one kernel each: each gets its own registers).
  assert((part == KernelPart::whole) != c.rowLoop() &&
         "row-loop configurations build a rowLoop and a lookBack kernel");
  if (part == KernelPart::rowLoop) {
    rowLoop(keep);
    return;
  }
  if (part == KernelPart::units) {
    unitsLoop(keep);
    return;
  }
  SmallVector<TileData, 2> data;
  if (keep || c.hops != 0 || smemG)
    for (int64_t j = 0; j < tpl; ++j)
      data.push_back(loadTile(tileOf(j), /*noGates=*/bool(smemG)));
  // Shared gates: evaluated by the CTA while the tiles' loads are in
  // flight, then read per tile.
  if (smemG) {
    shareGates();
    for (int64_t j = 0; j < tpl; ++j)
      loadSharedGates(data[j], tileOf(j));
  }
  if (c.gridFlags() && c.cluster() == 1) {
    // The loads above are for the guessed position; take the ticket while
    // they are in flight and reload (uniformly in the CTA) if it differs.
    pos = ticket();
    Value same = eq(pos, guess);
    setBases();
    for (int64_t j = 0; j < tpl && j < (int64_t)data.size(); ++j) {
      TileData &d = data[j];
      SmallVector<Type> types{b.getI1Type()};
      for (Value v : d.gv)
        types.push_back(v.getType());
      for (Value v : d.xv)
        types.push_back(v.getType());
      for (Value v : d.pv)
        types.push_back(v.getType());
      for (Value v : d.cv)
        types.push_back(v.getType());
      Value q = tileOf(j);
      auto pack = [](const TileData &x) {
        ValueVector out{x.fast};
        out.append(x.gv.begin(), x.gv.end());
        out.append(x.xv.begin(), x.xv.end());
        out.append(x.pv.begin(), x.pv.end());
        out.append(x.cv.begin(), x.cv.end());
        return out;
      };
      ValueVector res = emitIf(
          same, types, [&] { return pack(d); },
          [&] { return pack(loadTile(q)); });
      TileData nd;
      nd.phys = c.transpose ? sub(sub(T, idx(1)), q) : q;
      nd.first = mul(nd.phys, c.block);
      nd.fast = res[0];
      size_t na = d.gv.size(), nx = d.xv.size();
      nd.gv.assign(res.begin() + 1, res.begin() + 1 + na);
      nd.xv.assign(res.begin() + 1 + na, res.begin() + 1 + na + nx);
      size_t np = d.pv.size();
      nd.pv.assign(res.begin() + 1 + na + nx, res.begin() + 1 + na + nx + np);
      nd.cv.assign(res.begin() + 1 + na + nx + np, res.end());
      d = nd;
    }
  }
  // Layer mode, forward, tokens kept: each tile scanned once (scanTile),
  // before the carriers when the thread's own carriers feed them (K = inf,
  // lane shuffles), else in the apply phase (lane = halo: the own carriers
  // are dead, and nothing stays live across the halo's recomputation).
  if (warpHaloEligible())
    warpHalo = warpTileCarrier(sub(warpBase, idx(1)));
  bool scanOnce = layer() && (keep || smemG) && !c.transpose;
  bool scanEarly =
      scanOnce && c.hops != 0 && (c.infiniteHops() || c.laneShuffle());
  SmallVector<TileScan, 2> scans;
  if (scanEarly)
    for (int64_t j = 0; j < tpl; ++j)
      scans.push_back(scanTile(data[j]));
  SmallVector<Value> carries(tpl);
  if (c.hops != 0) {
    SmallVector<Carrier> own;
    for (int64_t j = 0; j < tpl; ++j)
      own.push_back(scanEarly ? scans[j].last : tileCarrier(data[j]));
    carries = c.infiniteHops() ? infiniteCarries(own) : finiteCarries(own);
  }
  for (int64_t j = 0; j < tpl; ++j) {
    Value q = tileOf(j);
    Value live = lt(q, T);
    if (rowValid)
      live = andI(live, rowValid);
    emitIf(live, [&] {
      if (scanOnce) {
        TileScan sc = scanEarly ? scans[j]
                                : scanTile(data[j], carries[j], !carries[j]);
        applyTile(data[j], carries[j], &sc);
      } else if (keep || smemG)
        applyTile(data[j], carries[j]);
      else
        applyTile(loadTile(q), carries[j]);
    });
  }
}

gpu::GPUFuncOp KernelEmitter::build(gpu::GPUModuleOp module, StringRef name) {
  MLIRContext *ctx = b.getContext();
  SmallVector<Type> args{c.gatesType, c.driveType};
  if (c.layer.enabled)
    args.append({c.layer.preType, c.layer.preType, c.layer.biasAType,
                 c.layer.biasKvType, c.layer.biasKvType});
  if (c.hasResets())
    args.push_back(c.resetsType);
  if (c.hasInit())
    args.push_back(c.initType);
  args.push_back(c.outType);
  if (flagArgs()) {
    args.push_back(MemRefType::get({ShapedType::kDynamic}, i32()));
    args.push_back(MemRefType::get({ShapedType::kDynamic}, f32()));
  }
  args.push_back(b.getIndexType());

  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  auto fn = gpu::GPUFuncOp::create(b, name, b.getFunctionType(args, {}));
  fn->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  fn.setKnownBlockSizeAttr(
      b.getDenseI32ArrayAttr({static_cast<int32_t>(c.ctaThreads()), 1, 1}));
  // K = inf: keep 128 registers per thread at most (two 256-thread CTAs per
  // SM with the default schedule): the look-back and the speculative tile
  // loads otherwise take ~138 (one CTA per SM).
  // Layer mode with precomputed gates, finite K: at most 128 registers
  // (ptxas otherwise takes ~193 for the published layer: 2 CTAs per SM).
  // The fused-gate form takes ~94 by itself (a cap there made ptxas spill).
  // local = mma: at most 64 registers per thread (two 512-thread CTAs
  // per SM; 128 registers and one CTA per SM measured 54 % of copy against
  // 77 % at K = 0, docs/benchmarks.md).
  // The wide row-loop kernel (long rows): 128 (one CTA per SM; ptxas
  // takes ~122 without spills, where 64 spill 64 bytes).
  if (c.schedule.getLocal() == LocalStrategy::mma)
    fn->setAttr("nvvm.minctasm",
                b.getI32IntegerAttr(std::max<int64_t>(
                    1, 65536 / (c.ctaThreads() *
                                (wideRegisters() ? 128 : 64)))));
  else if (c.infiniteHops())
    fn->setAttr("nvvm.minctasm",
                b.getI32IntegerAttr(std::max<int64_t>(
                    1, 65536 / (c.ctaThreads() * 128))));
  else if (c.layer.enabled && c.layer.gatesActivated)
    fn->setAttr("nvvm.minctasm",
                b.getI32IntegerAttr(std::max<int64_t>(
                    1, 65536 / (c.ctaThreads() * kLayerRegisters))));
  if (c.cluster() > 1)
    fn.setKnownClusterSizeAttr(
        b.getDenseI32ArrayAttr({static_cast<int32_t>(c.cluster()), 1, 1}));

  // Workgroup memory: f32 carriers, and an i32 word for the ticket.
  auto workgroup = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  // (The units kernel walks chunks like the row loop: two slot sets.)
  int64_t floats = c.carrierFloats(loopPart() || part == KernelPart::units);
  // The mma row loop exchanges warp aggregates in smemM only.
  if (c.schedule.getLocal() == LocalStrategy::mma && loopPart())
    floats = 0;
  // Every workgroup buffer is explicitly 16-byte aligned: LLVM may vectorize
  // its accesses (a large global without an alignment is taken to be
  // 16-byte aligned), while the NVPTX printer declares it `.align 4`; the
  // cp.async.bulk buffers need 16 bytes in any case.
  auto workgroupBuffer = [&](int64_t n, Type elem) {
    Value buffer = fn.addWorkgroupAttribution(
        MemRefType::get({n}, elem, MemRefLayoutAttrInterface(), workgroup),
        b.getLoc());
    fn.setWorkgroupAttributionAttr(fn.getNumWorkgroupAttributions() - 1,
                                   LLVM::LLVMDialect::getAlignAttrName(),
                                   b.getI64IntegerAttr(16));
    return buffer;
  };
  if (floats > 0)
    smemF = workgroupBuffer(floats * c.slots, f32());
  if (flagArgs())
    smemI = workgroupBuffer(1, i32());
  // cta = bulk: the message, the receive slots and the mbarrier.
  if (c.sharedGates())
    smemG = workgroupBuffer(c.sharedGateFloats(), f32());
  if (c.ctaBulk()) {
    smemSend = workgroupBuffer(c.bulkMsgFloats(), f32());
    smemRecv = workgroupBuffer(c.bulkSlots() * c.bulkMsgFloats(), f32());
    smemBar = workgroupBuffer(1, b.getI64Type());
  }

  // local = mma, K != 0: the carrier exchange (mmaExchangeFloats).
  if (c.schedule.getLocal() == LocalStrategy::mma &&
      mmaExchangeFloats(c, loopPart()) > 0)
    smemM = workgroupBuffer(mmaExchangeFloats(c, loopPart()), f32());
  if (c.schedule.getLocal() == LocalStrategy::mma) {
    ring = mmaRing(c);
    if (ring.on && !ring.dynamic) {
      int64_t warpsPerCta = c.slots * c.warps();
      smemRG = workgroupBuffer(warpsPerCta * ring.depth * ring.gateSlot,
                               c.gatesType.getElementType());
      smemRX = workgroupBuffer(warpsPerCta * ring.depth * ring.driveSlot(c.slots),
                               c.driveType.getElementType());
    }
    stage = mmaStage(c, loopPart());
  }
  Block &entry = fn.getBody().front();
  unsigned n = 0;
  gates = entry.getArgument(n++);
  drive = entry.getArgument(n++);
  if (c.layer.enabled) {
    gpre = entry.getArgument(n++);
    cpre = entry.getArgument(n++);
    biasA = entry.getArgument(n++);
    biasB = entry.getArgument(n++);
    biasC = entry.getArgument(n++);
  }
  if (c.hasResets())
    resets = entry.getArgument(n++);
  if (c.hasInit())
    init = entry.getArgument(n++);
  out = entry.getArgument(n++);
  if (flagArgs()) {
    flagsBuf = entry.getArgument(n++);
    scratch = entry.getArgument(n++);
  }
  nx = entry.getArgument(n++);

  b.setInsertionPointToStart(&entry);
  // Dynamic workgroup memory (the launch passes its size; the runtime
  // raises the kernel's limit): an external [0 x i8] shared global (PTX
  // `.extern .shared ... []`, the start of the dynamic memory;
  // gpu.dynamic_shared_memory lowers to an internal one, which ptxas gives
  // one byte of static memory). Gates first, then the drive rows.
  auto dynamicMemory = [&](StringRef suffix, int64_t gateBytes) {
    std::string sym = (name + suffix).str();
    {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(module.getBody());
      LLVM::GlobalOp::create(b, LLVM::LLVMArrayType::get(b.getI8Type(), 0),
                             /*isConstant=*/false, LLVM::Linkage::External, sym,
                             Attribute(), /*alignment=*/16, /*addrSpace=*/3);
    }
    Value dyn = LLVM::AddressOfOp::create(
        b, LLVM::LLVMPointerType::get(b.getContext(), 3), sym);
    return std::make_pair(
        dyn,
        gateBytes / (c.driveType.getElementType().getIntOrFloatBitWidth() / 8));
  };
  if (ring.on && ring.dynamic) {
    std::tie(smemRG, ringXBase) = dynamicMemory("_ring", ring.gateBytes);
    smemRX = smemRG;
  }
  if (stage.on) {
    std::tie(smemSG, stageXBase) = dynamicMemory("_stage", stage.gateBytesAll);
    smemSX = smemSG;
  }
  position();
  // Several rows per CTA: each slot uses its own part of smemF (loads and
  // stores through a view; loadRemote adds the offset itself).
  if (slot && smemF) {
    smemFOff = mul(slot, floats);
    auto view = MemRefType::get(
        {floats}, f32(),
        StridedLayoutAttr::get(ctx, ShapedType::kDynamic, {1}), workgroup);
    smemF = memref::ReinterpretCastOp::create(
        b, view, smemF, OpFoldResult(smemFOff),
        ArrayRef<OpFoldResult>{b.getIndexAttr(floats)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
  }
  // Packed rows: every warp runs the body (barriers stay uniform); the
  // rows past the end read the last row and store nothing.
  if (c.packRows()) {
    OpBuilder::InsertionGuard guard(b); // body() may end inside an scf.if
    body();
  } else
    emitIf(lt(r, rows), [&] { body(); });
  // Keep this CTA's shared memory alive until the cluster has read it.
  if (c.usesCluster())
    clusterBarrier();
  gpu::ReturnOp::create(b);
  return fn;
}

/// The layer's gate kernel: g[b, h, t] = act_a(pa[b, h, t] + ba[h]) in f32,
/// one thread per element (flat index over [B, H, L]), so the fused kernel
/// reads the gates instead of recomputing them for each of the D channels.
gpu::GPUFuncOp KernelEmitter::buildGates(gpu::GPUModuleOp module,
                                         StringRef name, Type gateElemType) {
  Type elem = c.gatesType.getElementType();
  int64_t dyn = ShapedType::kDynamic, H = c.layer.heads;
  auto paType = MemRefType::get({dyn}, elem);
  // The gates' type: the fused kernel's gatesType (f32 or f16).
  Type gateElem = gateElemType;
  auto outType = MemRefType::get({dyn}, gateElem);
  SmallVector<Type> args{paType, c.layer.biasAType, outType,
                         b.getIndexType(), b.getIndexType()};
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  auto fn = gpu::GPUFuncOp::create(b, name, b.getFunctionType(args, {}));
  fn->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  fn.setKnownBlockSizeAttr(b.getDenseI32ArrayAttr({kGatesThreads, 1, 1}));
  Block &entry = fn.getBody().front();
  Value pa = entry.getArgument(0), ba = entry.getArgument(1),
        g = entry.getArgument(2), n = entry.getArgument(3),
        len = entry.getArgument(4);
  b.setInsertionPointToStart(&entry);
  Value i = add(mul(gpu::BlockIdOp::create(b, gpu::Dimension::x), kGatesThreads),
                gpu::ThreadIdOp::create(b, gpu::Dimension::x));
  emitIf(lt(i, n), [&] {
    Value h = rem(div(i, len), idx(H));
    Value z = addF(toF32(load(pa, {i})), toF32(load(ba, {h})));
    store(fromF32(activation(c.layer.actA, z), gateElem), g, {i});
  });
  gpu::ReturnOp::create(b);
  return fn;
}

} // namespace

gpu::GPUFuncOp buildGateKernel(OpBuilder &builder, Location loc,
                               gpu::GPUModuleOp module, StringRef name,
                               const KernelConfig &config, Type gateElem) {
  KernelEmitter emitter(builder, loc, config);
  return emitter.buildGates(module, name, gateElem);
}

gpu::GPUFuncOp buildKernel(OpBuilder &builder, Location loc,
                           gpu::GPUModuleOp module, StringRef name,
                           const KernelConfig &config, KernelPart part) {
  KernelEmitter emitter(builder, loc, config, part);
  return emitter.build(module, name);
}

} // namespace phalanx::swr_to_gpu
