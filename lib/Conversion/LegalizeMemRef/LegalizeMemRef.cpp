//===- LegalizeMemRef.cpp - phalanx-cpu-legalize-memref -------------------===//
//
// Prepares buffers for the LLVM lowering:
//
//  - `memref.copy` whose operands are not both identity-layout memrefs
//    becomes `linalg.copy` (then loops): the upstream lowering of such a copy
//    calls `memrefCopy` from libmlir_c_runner_utils, which compiled artifacts
//    must not depend on. Identity-layout copies stay and become llvm.memcpy.
//  - `memref.expand_shape` of an identity-layout (contiguous) buffer becomes
//    `memref.reinterpret_cast` with the row-major strides of its output
//    shape. expand-strided-metadata in MLIR 22 crashes on an expand_shape
//    whose reassociation group has more than one dynamic dim (as
//    phalanx-decompose produces for [B * L, N] -> [B, L, ...]).
//
//===----------------------------------------------------------------------===//
#include "phalanx/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

namespace phalanx {
#define GEN_PASS_DEF_PHALANXCPULEGALIZEMEMREF
#include "phalanx/Conversion/Passes.h.inc"
} // namespace phalanx

using namespace mlir;

namespace {
struct LegalizeMemRefPass
    : phalanx::impl::PhalanxCPULegalizeMemRefBase<LegalizeMemRefPass> {
  static bool isIdentity(Type t) {
    auto m = dyn_cast<MemRefType>(t);
    return m && m.getLayout().isIdentity();
  }

  static OpFoldResult mul(OpBuilder &b, Location loc, OpFoldResult x,
                          OpFoldResult y) {
    std::optional<int64_t> cx = getConstantIntValue(x);
    std::optional<int64_t> cy = getConstantIntValue(y);
    if (cx && cy)
      return b.getIndexAttr(*cx * *cy);
    if (cx && *cx == 1)
      return y;
    if (cy && *cy == 1)
      return x;
    auto value = [&](OpFoldResult v) -> Value {
      if (auto attr = dyn_cast<Attribute>(v))
        return arith::ConstantIndexOp::create(
            b, loc, cast<IntegerAttr>(attr).getInt());
      return cast<Value>(v);
    };
    return arith::MulIOp::create(b, loc, value(x), value(y)).getResult();
  }

  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    SmallVector<memref::ExpandShapeOp> expands;
    getOperation().walk([&](Operation *op) {
      if (auto copy = dyn_cast<memref::CopyOp>(op)) {
        if (!isIdentity(copy.getSource().getType()) ||
            !isIdentity(copy.getTarget().getType()))
          copies.push_back(copy);
      } else if (auto expand = dyn_cast<memref::ExpandShapeOp>(op)) {
        if (isIdentity(expand.getSrcType()) &&
            isIdentity(expand.getResultType()))
          expands.push_back(expand);
      }
    });
    for (memref::CopyOp copy : copies) {
      OpBuilder builder(copy);
      linalg::CopyOp::create(builder, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      copy.erase();
    }
    for (memref::ExpandShapeOp expand : expands) {
      OpBuilder builder(expand);
      Location loc = expand.getLoc();
      SmallVector<OpFoldResult> sizes = expand.getMixedOutputShape();
      SmallVector<OpFoldResult> strides(sizes.size());
      OpFoldResult running = builder.getIndexAttr(1);
      for (int64_t i = int64_t(sizes.size()) - 1; i >= 0; --i) {
        strides[i] = running;
        if (i > 0)
          running = mul(builder, loc, running, sizes[i]);
      }
      auto cast = memref::ReinterpretCastOp::create(
          builder, loc, expand.getResultType(), expand.getSrc(),
          builder.getIndexAttr(0), sizes, strides);
      expand.replaceAllUsesWith(cast.getResult());
      expand.erase();
    }
  }
};
} // namespace
