//===- CPUPipeline.cpp - phalanx-cpu-pipeline -----------------------------===//
//
// The reference execution path: model IR on tensors down to the LLVM dialect.
//
//===----------------------------------------------------------------------===//
#include "phalanx/Pipelines/Pipelines.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "phalanx/Conversion/Passes.h"
#include "phalanx/Transforms/Passes.h"

using namespace mlir;

namespace {
/// Prepares buffers for the LLVM lowering:
///
///  - `memref.copy` whose operands are not both identity-layout memrefs
///    becomes `linalg.copy` (then loops): the upstream lowering of such a copy
///    calls `memrefCopy` from libmlir_c_runner_utils, which compiled artifacts
///    must not depend on. Identity-layout copies stay and become llvm.memcpy.
///  - `memref.expand_shape` of an identity-layout (contiguous) buffer becomes
///    `memref.reinterpret_cast` with the row-major strides of its output
///    shape. expand-strided-metadata in MLIR 22 crashes on an expand_shape
///    whose reassociation group has more than one dynamic dim (as
///    phalanx-decompose produces for [B * L, N] -> [B, L, ...]).
struct LegalizeMemRefForCPUPass
    : public PassWrapper<LegalizeMemRefForCPUPass,
                         OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(LegalizeMemRefForCPUPass)

  StringRef getArgument() const final { return "phalanx-cpu-legalize-memref"; }
  StringRef getDescription() const final {
    return "Rewrite strided memref.copy into linalg.copy and contiguous "
           "memref.expand_shape into memref.reinterpret_cast";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<linalg::LinalgDialect, arith::ArithDialect>();
  }

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

/// Loops and linalg on tensors -> LLVM dialect with packed entry points.
static void buildCPULoweringPipeline(OpPassManager &pm) {
  // Tensors -> buffers. Entry functions get identity-layout memrefs so the
  // runtime can pass plain contiguous descriptors, and results become
  // out-parameters that the caller allocates (static and dynamic shapes: the
  // allocation of a result is replaced by its out-parameter).
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  bufferization::OneShotBufferizePassOptions bufferizeOptions;
  bufferizeOptions.bufferizeFunctionBoundaries = true;
  bufferizeOptions.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferizeOptions));
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.hoistDynamicAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addPass(createCanonicalizerPass());
  // Free the temporaries (one-shot bufferization only allocates).
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());

  // Buffers -> loops and scalars.
  pm.addNestedPass<func::FuncOp>(std::make_unique<LegalizeMemRefForCPUPass>());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // bf16 / f16: math in f32, bf16 conversions expanded to integer ops (no
  // compiler-rt helpers needed); f16 conversions use libgcc's helpers.
  pm.addPass(math::createMathExtendToSupportedTypes());
  arith::ArithExpandOpsPassOptions expandOptions;
  expandOptions.includeBf16 = true;
  expandOptions.includeF8E8M0 = false;
  pm.addPass(arith::createArithExpandOpsPass(expandOptions));
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createCanonicalizerPass());

  // -> LLVM dialect.
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(phalanx::createPhalanxEmitEntryWrappers());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void phalanx::buildCPUPipeline(OpPassManager &pm,
                               const CPUPipelineOptions &options) {
  // Model level -> swr on tensors -> loops on tensors.
  pm.addPass(createPhalanxDecompose());
  if (options.tiled)
    pm.addPass(createSWRTile());
  pm.addPass(createConvertSWRToSCF());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  buildCPULoweringPipeline(pm);
}

void phalanx::registerPhalanxPassesAndPipelines() {
  registerPhalanxTransformsPasses();
  registerPhalanxConversionPasses();
  PassPipelineRegistration<CPUPipelineOptions>(
      "phalanx-cpu-pipeline",
      "Lower phalanx.layer / swr.scan on tensors to the LLVM dialect for the "
      "CPU, with packed entry points (docs/artifact-format.md)",
      buildCPUPipeline);
  PassPipelineRegistration<>(
      "phalanx-cpu-lowering",
      "The second half of phalanx-cpu-pipeline: linalg / scf / arith / math "
      "on tensors (no phalanx or swr ops) to the LLVM dialect with packed "
      "entry points",
      buildCPULoweringPipeline);
  PassRegistration<LegalizeMemRefForCPUPass>();
  registerGPUPipeline();
}
