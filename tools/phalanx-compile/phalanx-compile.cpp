//===- phalanx-compile.cpp - the compile driver ---------------------------===//
//
//   phalanx-compile INPUT.mlir -o OUT.phx [--target cpu|cuda] [--sequential]
//                   [--emit=artifact|manifest|mlir|llvm|obj|ptx] [--entry NAME]...
//                   [--gpu-options="warps=8 grid=flags ..."]
//                   [-v]
//
// parse + verify -> entry signatures (on tensors) -> phalanx-cpu-pipeline ->
// LLVM IR (-O2) -> x86-64 PIC object -> shared object (cc -shared) ->
// artifact (docs/artifact-format.md). See docs/compile.md. With --target cuda
// the pipeline is phalanx-gpu-pipeline (docs/gpu-lowering.md): the host
// shared object launches the kernels through the mgpu* wrappers and carries
// the cubin; the manifest marks the entries "device": "cuda".
//
//===----------------------------------------------------------------------===//
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "phalanx/Dialect/Phalanx/PhalanxDialect.h"
#include "phalanx/Dialect/SWR/SWRDialect.h"
#include "phalanx/Pipelines/Pipelines.h"
#include "phalanx/Target/Target.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

using namespace mlir;
namespace cl = llvm::cl;
namespace pt = phalanx::target;

static constexpr llvm::StringLiteral kProducer = "phalanx-compile 0.1.0";

namespace {
enum class Emit { Artifact, Manifest, MLIR, LLVM, Obj, PTX };

cl::OptionCategory category("phalanx-compile options");

cl::opt<std::string> inputFilename(cl::Positional, cl::desc("<input.mlir>"),
                                   cl::init("-"), cl::cat(category));
cl::opt<std::string> outputFilename("o", cl::desc("Output file"),
                                    cl::value_desc("path"), cl::init(""),
                                    cl::cat(category));
cl::opt<std::string> targetName("target",
                                cl::desc("Device to compile for (cpu, cuda)"),
                                cl::init("cpu"), cl::cat(category));
cl::opt<bool> sequential(
    "sequential",
    cl::desc("Lower swr.scan as a plain sequential recurrence instead of the "
             "tiled form (tiles and carriers)"),
    cl::init(false), cl::cat(category));
cl::opt<Emit> emit(
    "emit", cl::desc("What to produce"), cl::init(Emit::Artifact),
    cl::values(
        clEnumValN(Emit::Artifact, "artifact",
                   "the artifact file (default; needs -o)"),
        clEnumValN(Emit::Manifest, "manifest",
                   "the manifest JSON (signatures only, no lowering)"),
        clEnumValN(Emit::MLIR, "mlir", "the lowered LLVM-dialect module"),
        clEnumValN(Emit::LLVM, "llvm", "the optimized LLVM IR"),
        clEnumValN(Emit::Obj, "obj", "the relocatable object (needs -o)"),
        clEnumValN(Emit::PTX, "ptx",
                   "the kernels' PTX (--target cuda; for inspection)")),
    cl::cat(category));
cl::list<std::string> entryNames(
    "entry", cl::desc("Compile only this entry function (repeatable)"),
    cl::value_desc("name"), cl::cat(category));
cl::opt<bool> verbose("v", cl::desc("Print each stage and its time"),
                      cl::init(false), cl::cat(category));
cl::opt<unsigned> optLevel("opt-level",
                           cl::desc("LLVM optimization level (0-3)"),
                           cl::init(2), cl::cat(category));
cl::opt<std::string> mcpu("mcpu",
                          cl::desc("x86-64 CPU to generate code for "
                                   "(default x86-64: runs on any x86-64)"),
                          cl::init("x86-64"), cl::cat(category));
cl::opt<std::string> gpuOptions(
    "gpu-options",
    cl::desc("Options of phalanx-gpu-pipeline (--target cuda), e.g. "
             "\"chip=sm_90a warps=8 grid=flags\": the schedule knobs are the "
             "#swr.schedule fields, for ops without a schedule"),
    cl::init(""), cl::cat(category));
cl::opt<std::string> linker("linker",
                            cl::desc("C compiler used to link the shared "
                                     "object (default: cc)"),
                            cl::init(""), cl::cat(category));

/// Times the stages and prints them with -v.
class StageTimer {
public:
  using Clock = std::chrono::steady_clock;
  StageTimer() : start(Clock::now()), last(start) {}
  void done(llvm::StringRef stage) {
    auto now = Clock::now();
    if (verbose)
      llvm::errs() << llvm::format("phalanx-compile: %-28s %8.3f s\n",
                                   stage.str().c_str(), seconds(last, now));
    last = now;
  }
  void total() {
    if (verbose)
      llvm::errs() << llvm::format("phalanx-compile: %-28s %8.3f s\n",
                                   "total", seconds(start, Clock::now()));
  }

private:
  static double seconds(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
  }
  Clock::time_point start, last;
};

int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "phalanx-compile") << message << "\n";
  return 1;
}

int fail(llvm::Error error) {
  std::string message = llvm::toString(std::move(error));
  return fail(message);
}

/// Writes text or bytes to `outputFilename` ("-" or empty: stdout).
int writeOutput(llvm::StringRef bytes, bool binary) {
  std::string path = outputFilename.empty() ? "-" : outputFilename.getValue();
  if (binary && path == "-")
    return fail("refusing to write binary output to stdout; pass -o FILE");
  std::string error;
  auto out = openOutputFile(path, &error);
  if (!out)
    return fail(error);
  out->os() << bytes;
  out->os().flush();
  if (out->os().has_error()) {
    out->os().clear_error();
    return fail("cannot write '" + path + "'");
  }
  out->keep();
  return 0;
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "phalanx-compile: compile swr / phalanx IR on tensors into an "
      "artifact for the Phalanx runtime\n");

  bool cuda = targetName == "cuda";
  if (targetName != "cpu" && !cuda)
    return fail("unsupported --target '" + targetName +
                "' (supported: cpu, cuda)");
  if (emit == Emit::PTX && !cuda)
    return fail("--emit=ptx needs --target cuda");
  if ((emit == Emit::Artifact || emit == Emit::Obj) && outputFilename.empty())
    return fail("no output file: pass -o FILE");
  if (optLevel > 3)
    return fail("--opt-level must be 0, 1, 2 or 3");

  StageTimer timer;
  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registry.insert<phalanx::swr::SWRDialect, phalanx::layer::PhalanxDialect>();
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  // gpu.module -> PTX / cubin, and gpu.binary + gpu.launch_func -> host IR.
  registerAllGPUToLLVMIRTranslations(registry);
  MLIRContext context(registry);
  context.printOpOnDiagnostic(false);
  context.loadDialect<func::FuncDialect, phalanx::swr::SWRDialect,
                      phalanx::layer::PhalanxDialect>();

  // Parse and verify; diagnostics at their location.
  std::string error;
  auto input = openInputFile(inputFilename, &error);
  if (!input)
    return fail(error);
  auto sourceMgr = std::make_shared<llvm::SourceMgr>();
  sourceMgr->AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  SourceMgrDiagnosticHandler diagHandler(*sourceMgr, &context);
  OwningOpRef<ModuleOp> module =
      pt::parseModuleWithArgNames(sourceMgr, &context);
  if (!module)
    return fail("cannot parse '" + inputFilename + "'");
  timer.done("parse + verify");

  // Signatures, before lowering.
  std::vector<std::string> only(entryNames.begin(), entryNames.end());
  FailureOr<std::vector<pt::EntrySignature>> entries =
      pt::extractEntrySignatures(*module, only);
  if (failed(entries))
    return 1;
  if (cuda)
    for (pt::EntrySignature &e : *entries)
      e.device = "cuda";
  std::string manifestText = pt::manifestText(*entries, kProducer);
  timer.done("signatures");
  if (emit == Emit::Manifest)
    return writeOutput(manifestText, /*binary=*/false);

  // The CPU pipeline, on entries marked for the C interface.
  pt::stripNameAttributes(*module);
  for (const pt::EntrySignature &e : *entries) {
    auto fn = module->lookupSymbol<func::FuncOp>(e.name);
    fn->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                UnitAttr::get(&context));
  }
  PassManager pm(&context);
  llvm::StringRef pipelineName =
      cuda ? "phalanx-gpu-pipeline" : "phalanx-cpu-pipeline";
  if (cuda) {
    phalanx::GPUPipelineOptions options;
    if (failed(options.parseFromString(gpuOptions)))
      return fail("invalid --gpu-options '" + gpuOptions + "'");
    if (emit == Emit::PTX)
      options.format = "isa";
    phalanx::buildGPUPipeline(pm, options);
  } else {
    phalanx::CPUPipelineOptions pipelineOptions;
    pipelineOptions.tiled = !sequential;
    phalanx::buildCPUPipeline(pm, pipelineOptions);
  }
  if (failed(pm.run(*module)))
    return fail("lowering '" + inputFilename + "' through " + pipelineName +
                " failed");
  for (const pt::EntrySignature &e : *entries)
    if (!module->lookupSymbol<LLVM::LLVMFuncOp>(e.symbol))
      return fail("the lowered module has no '" + e.symbol + "'");
  timer.done(pipelineName);
  if (emit == Emit::PTX) {
    std::string text;
    module->walk([&](gpu::BinaryOp binary) {
      for (Attribute attr : binary.getObjects())
        if (auto object = dyn_cast<gpu::ObjectAttr>(attr))
          text += object.getObject().getValue().str();
    });
    return writeOutput(text, /*binary=*/false);
  }
  if (emit == Emit::MLIR) {
    std::string text;
    llvm::raw_string_ostream os(text);
    module->print(os);
    os << "\n";
    return writeOutput(text, /*binary=*/false);
  }

  // LLVM IR, optimized.
  pt::HostCodegenOptions codegen;
  codegen.cpu = mcpu;
  codegen.optLevel = optLevel;
  llvm::LLVMContext llvmContext;
  auto llvmModule = pt::translateAndOptimize(*module, llvmContext, codegen);
  if (!llvmModule)
    return fail(llvmModule.takeError());
  timer.done("LLVM IR + opt");
  if (emit == Emit::LLVM) {
    std::string text;
    llvm::raw_string_ostream os(text);
    (*llvmModule)->print(os, nullptr);
    return writeOutput(text, /*binary=*/false);
  }

  auto object = pt::emitObject(**llvmModule, codegen);
  if (!object)
    return fail(object.takeError());
  timer.done("object");
  if (emit == Emit::Obj)
    return writeOutput(*object, /*binary=*/true);

  auto shared = pt::linkSharedObject(*object, linker);
  if (!shared)
    return fail(shared.takeError());
  timer.done("link");

  pt::Section sections[] = {
      {pt::SectionKind::Manifest, 0, manifestText},
      {pt::SectionKind::HostSharedObject, 0, std::move(*shared)},
  };
  if (llvm::Error err = pt::writeArtifact(outputFilename, sections))
    return fail(std::move(err));
  timer.done("artifact");
  timer.total();
  return 0;
}
