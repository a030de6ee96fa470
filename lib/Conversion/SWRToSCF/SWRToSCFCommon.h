//===- SWRToSCFCommon.h - helpers shared by the swr -> scf lowerings ------===//
//
// A small emitter of scalar index/f32 arithmetic and of scf.for loops that
// thread tensors through iter_args, so that one-shot bufferization turns each
// tensor.insert chain into in-place stores.
//
//===----------------------------------------------------------------------===//
#ifndef PHALANX_LIB_CONVERSION_SWRTOSCF_COMMON_H
#define PHALANX_LIB_CONVERSION_SWRTOSCF_COMMON_H

#include "phalanx/Dialect/SWR/SWRDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/bit.h"

namespace phalanx::swr_to_scf {

using ValueVector = llvm::SmallVector<mlir::Value>;
/// Body of a loop: (induction variable, current iter values) -> next values.
using LoopBody =
    llvm::function_ref<ValueVector(mlir::Value iv, mlir::ValueRange iter)>;
/// Body of a loop nest: (induction variables, iter values) -> next values.
using NestBody =
    llvm::function_ref<ValueVector(mlir::ValueRange ivs, mlir::ValueRange iter)>;

/// Emits at the builder's insertion point, all at one location.
struct Emitter {
  mlir::OpBuilder &b;
  mlir::Location loc;

  /// Constants are created once, at the builder's insertion point when the
  /// emitter is made (before the op being lowered).
  Emitter(mlir::OpBuilder &b, mlir::Location loc)
      : b(b), loc(loc), top(b.saveInsertionPoint()) {}

  // Constants.
  mlir::Value index(int64_t v) {
    mlir::Value &c = indexConstants[v];
    if (!c) {
      mlir::OpBuilder::InsertionGuard guard(b);
      b.restoreInsertionPoint(top);
      c = mlir::arith::ConstantIndexOp::create(b, loc, v);
    }
    return c;
  }
  mlir::Value f32(float v) {
    mlir::Value &c = f32Constants[llvm::bit_cast<uint32_t>(v)];
    if (!c) {
      mlir::OpBuilder::InsertionGuard guard(b);
      b.restoreInsertionPoint(top);
      c = mlir::arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
    }
    return c;
  }

  // Index arithmetic.
  mlir::Value add(mlir::Value x, mlir::Value y) {
    return mlir::arith::AddIOp::create(b, loc, x, y);
  }
  mlir::Value sub(mlir::Value x, mlir::Value y) {
    return mlir::arith::SubIOp::create(b, loc, x, y);
  }
  mlir::Value mul(mlir::Value x, mlir::Value y) {
    return mlir::arith::MulIOp::create(b, loc, x, y);
  }
  mlir::Value div(mlir::Value x, mlir::Value y) {
    return mlir::arith::DivUIOp::create(b, loc, x, y);
  }
  mlir::Value rem(mlir::Value x, mlir::Value y) {
    return mlir::arith::RemUIOp::create(b, loc, x, y);
  }
  mlir::Value min(mlir::Value x, mlir::Value y) {
    return mlir::arith::MinSIOp::create(b, loc, x, y);
  }
  mlir::Value max(mlir::Value x, mlir::Value y) {
    return mlir::arith::MaxSIOp::create(b, loc, x, y);
  }
  mlir::Value cmp(mlir::arith::CmpIPredicate p, mlir::Value x, mlir::Value y) {
    return mlir::arith::CmpIOp::create(b, loc, p, x, y);
  }
  mlir::Value andI(mlir::Value x, mlir::Value y) {
    return mlir::arith::AndIOp::create(b, loc, x, y);
  }
  mlir::Value orI(mlir::Value x, mlir::Value y) {
    return mlir::arith::OrIOp::create(b, loc, x, y);
  }
  mlir::Value select(mlir::Value c, mlir::Value x, mlir::Value y) {
    return mlir::arith::SelectOp::create(b, loc, c, x, y);
  }
  /// ceil(x / block) for x >= 0.
  mlir::Value ceilDiv(mlir::Value x, int64_t block) {
    return div(add(x, index(block - 1)), index(block));
  }

  // f32 arithmetic.
  mlir::Value addF(mlir::Value x, mlir::Value y) {
    return mlir::arith::AddFOp::create(b, loc, x, y);
  }
  mlir::Value mulF(mlir::Value x, mlir::Value y) {
    return mlir::arith::MulFOp::create(b, loc, x, y);
  }
  /// a * s + x (two roundings, like the reference recurrence).
  mlir::Value axpy(mlir::Value a, mlir::Value s, mlir::Value x) {
    return addF(mulF(a, s), x);
  }
  /// Extends bf16/f16 to f32; f32 passes through.
  mlir::Value toF32(mlir::Value v) {
    if (v.getType().isF32())
      return v;
    return mlir::arith::ExtFOp::create(b, loc, b.getF32Type(), v);
  }
  /// Rounds an f32 to `type` (bf16, f16) or passes it through.
  mlir::Value fromF32(mlir::Value v, mlir::Type type) {
    if (type == v.getType())
      return v;
    return mlir::arith::TruncFOp::create(b, loc, type, v);
  }

  // Tensors.
  mlir::Value dim(mlir::Value tensor, int64_t d) {
    return mlir::tensor::DimOp::create(b, loc, tensor, index(d));
  }
  mlir::Value extract(mlir::Value tensor, mlir::ValueRange idx) {
    return mlir::tensor::ExtractOp::create(b, loc, tensor, idx);
  }
  /// Extracts and converts to f32.
  mlir::Value load(mlir::Value tensor, mlir::ValueRange idx) {
    return toF32(extract(tensor, idx));
  }
  mlir::Value insert(mlir::Value scalar, mlir::Value tensor,
                     mlir::ValueRange idx) {
    return mlir::tensor::InsertOp::create(b, loc, scalar, tensor, idx);
  }
  /// tensor.empty of `type` whose dynamic dims take their extent from `sizes`
  /// (one index value per dim).
  mlir::Value empty(mlir::RankedTensorType type, mlir::ValueRange sizes) {
    ValueVector dynamic;
    for (auto [i, s] : llvm::enumerate(type.getShape()))
      if (mlir::ShapedType::isDynamic(s))
        dynamic.push_back(sizes[i]);
    return mlir::tensor::EmptyOp::create(b, loc, type.getShape(),
                                         type.getElementType(), dynamic);
  }

  // Loops.
  /// scf.for iv = lb to ub step 1 with iter_args `init`; returns the results.
  ValueVector loop(mlir::Value lb, mlir::Value ub, mlir::ValueRange init,
                   LoopBody body) {
    auto forOp = mlir::scf::ForOp::create(
        b, loc, lb, ub, index(1), init,
        [&](mlir::OpBuilder &nested, mlir::Location, mlir::Value iv,
            mlir::ValueRange iter) {
          mlir::OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nested.getInsertionBlock(),
                              nested.getInsertionPoint());
          ValueVector next = body(iv, iter);
          mlir::scf::YieldOp::create(b, loc, next);
        });
    return ValueVector(forOp.getResults());
  }
  /// Perfect nest of scf.for from 0 to `ubs`, threading `init` through all
  /// levels; `body` runs in the innermost loop.
  ValueVector nest(mlir::ValueRange ubs, mlir::ValueRange init,
                   NestBody body) {
    ValueVector ivs;
    return nestFrom(ubs, 0, ivs, init, body);
  }

private:
  mlir::OpBuilder::InsertPoint top;
  llvm::DenseMap<int64_t, mlir::Value> indexConstants;
  llvm::DenseMap<uint32_t, mlir::Value> f32Constants;

  ValueVector nestFrom(mlir::ValueRange ubs, unsigned level, ValueVector &ivs,
                       mlir::ValueRange init, NestBody body) {
    if (level == ubs.size())
      return body(ivs, init);
    return loop(index(0), ubs[level], init,
                [&](mlir::Value iv, mlir::ValueRange iter) {
                  ivs.push_back(iv);
                  ValueVector next = nestFrom(ubs, level + 1, ivs, iter, body);
                  ivs.pop_back();
                  return next;
                });
  }
};

/// Sizes of a [B, H, D, L] drive and the tile count T = ceil(L / block).
struct DriveSizes {
  mlir::Value B, H, D, L, T;
};
inline DriveSizes driveSizes(Emitter &e, mlir::Value drive, int64_t block) {
  DriveSizes s;
  s.B = e.dim(drive, 0);
  s.H = e.dim(drive, 1);
  s.D = e.dim(drive, 2);
  s.L = e.dim(drive, 3);
  s.T = e.ceilDiv(s.L, block);
  return s;
}

/// The lowerings; each replaces `op` and returns success.
mlir::LogicalResult lowerMaskGates(mlir::RewriterBase &r, swr::MaskGatesOp op);
mlir::LogicalResult lowerTileScan(mlir::RewriterBase &r, swr::TileScanOp op);
mlir::LogicalResult lowerCarrierScan(mlir::RewriterBase &r,
                                     swr::CarrierScanOp op);
mlir::LogicalResult lowerTileApply(mlir::RewriterBase &r, swr::TileApplyOp op);
mlir::LogicalResult lowerScanSequential(mlir::RewriterBase &r,
                                        swr::ScanOp op);

} // namespace phalanx::swr_to_scf

#endif // PHALANX_LIB_CONVERSION_SWRTOSCF_COMMON_H
