//===- HostCodegen.cpp - LLVM dialect -> object -> shared object ----------===//
#include "phalanx/Target/Target.h"

#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/TargetParser/Triple.h"

#include <mutex>

using namespace phalanx::target;

static void initializeX86() {
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeX86TargetInfo();
    LLVMInitializeX86Target();
    LLVMInitializeX86TargetMC();
    LLVMInitializeX86AsmPrinter();
  });
}

static llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const HostCodegenOptions &options) {
  initializeX86();
  llvm::Triple triple(options.triple);
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return llvm::createStringError("no LLVM target for '" + options.triple +
                                   "': " + error);
  llvm::CodeGenOptLevel level = options.optLevel == 0
                                    ? llvm::CodeGenOptLevel::None
                                : options.optLevel == 1
                                    ? llvm::CodeGenOptLevel::Less
                                : options.optLevel == 2
                                    ? llvm::CodeGenOptLevel::Default
                                    : llvm::CodeGenOptLevel::Aggressive;
  std::string cpu = options.cpu, features = options.features;
  if (cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    llvm::SubtargetFeatures host;
    for (const auto &[name, enabled] : llvm::sys::getHostCPUFeatures())
      host.AddFeature(name, enabled);
    if (!features.empty())
      host.addFeaturesVector(llvm::SubtargetFeatures(features).getFeatures());
    features = host.getString();
  }
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features, llvm::TargetOptions(),
      llvm::Reloc::PIC_, std::nullopt, level));
  if (!tm)
    return llvm::createStringError("cannot create a target machine for '" +
                                   options.triple + "' (cpu '" + options.cpu +
                                   "')");
  return tm;
}

llvm::Expected<std::unique_ptr<llvm::Module>>
phalanx::target::translateAndOptimize(mlir::ModuleOp module,
                                      llvm::LLVMContext &ctx,
                                      const HostCodegenOptions &options) {
  mlir::MLIRContext *mctx = module.getContext();
  mlir::registerBuiltinDialectTranslation(*mctx);
  mlir::registerLLVMDialectTranslation(*mctx);
  std::unique_ptr<llvm::Module> llvmModule =
      mlir::translateModuleToLLVMIR(module, ctx, "phalanx");
  if (!llvmModule)
    return llvm::createStringError(
        "translation of the LLVM dialect to LLVM IR failed");

  auto tm = createTargetMachine(options);
  if (!tm)
    return tm.takeError();
  llvmModule->setTargetTriple((*tm)->getTargetTriple());
  llvmModule->setDataLayout((*tm)->createDataLayout());

  std::string verifyErrors;
  llvm::raw_string_ostream verifyOs(verifyErrors);
  if (llvm::verifyModule(*llvmModule, &verifyOs))
    return llvm::createStringError("the translated LLVM IR is invalid: " +
                                   verifyErrors);
  if (options.optLevel == 0)
    return std::move(llvmModule);

  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = options.optLevel >= 2;
  tuning.SLPVectorization = options.optLevel >= 2;
  llvm::PassBuilder pb(tm->get(), tuning);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel level = options.optLevel == 1
                                      ? llvm::OptimizationLevel::O1
                                  : options.optLevel == 2
                                      ? llvm::OptimizationLevel::O2
                                      : llvm::OptimizationLevel::O3;
  llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(level);
  mpm.run(*llvmModule, mam);
  return std::move(llvmModule);
}

llvm::Expected<std::string>
phalanx::target::emitObject(llvm::Module &module,
                            const HostCodegenOptions &options) {
  auto tm = createTargetMachine(options);
  if (!tm)
    return tm.takeError();
  if (module.getDataLayout() != (*tm)->createDataLayout())
    module.setDataLayout((*tm)->createDataLayout());
  module.setTargetTriple((*tm)->getTargetTriple());
  llvm::SmallString<0> buffer;
  llvm::raw_svector_ostream os(buffer);
  llvm::legacy::PassManager pm;
  if ((*tm)->addPassesToEmitFile(pm, os, nullptr,
                                 llvm::CodeGenFileType::ObjectFile))
    return llvm::createStringError(
        "the target machine cannot emit object files");
  pm.run(module);
  return std::string(buffer.str());
}

namespace {
/// Removes the files it holds when destroyed.
struct TempFiles {
  llvm::SmallVector<std::string> paths;
  ~TempFiles() {
    for (const std::string &p : paths)
      llvm::sys::fs::remove(p);
  }
  llvm::Expected<std::string> create(llvm::StringRef prefix,
                                     llvm::StringRef suffix) {
    llvm::SmallString<128> path;
    if (std::error_code ec =
            llvm::sys::fs::createTemporaryFile(prefix, suffix, path))
      return llvm::createStringError("cannot create a temporary file: " +
                                     ec.message());
    paths.push_back(path.str().str());
    return paths.back();
  }
};
} // namespace

llvm::Expected<std::string>
phalanx::target::linkSharedObject(llvm::StringRef object,
                                  llvm::StringRef linker) {
  std::string program;
  if (!linker.empty()) {
    auto found = llvm::sys::findProgramByName(linker);
    if (!found)
      return llvm::createStringError("linker '" + linker.str() +
                                     "' not found: " +
                                     found.getError().message());
    program = *found;
  } else {
    for (llvm::StringRef candidate : {"cc", "gcc", "clang"}) {
      if (auto found = llvm::sys::findProgramByName(candidate)) {
        program = *found;
        break;
      }
    }
    if (program.empty())
      return llvm::createStringError(
          "no C compiler found on PATH to link the shared object (tried cc, "
          "gcc, clang); pass --linker");
  }

  TempFiles temps;
  auto objPath = temps.create("phalanx", "o");
  if (!objPath)
    return objPath.takeError();
  auto soPath = temps.create("phalanx", "so");
  if (!soPath)
    return soPath.takeError();
  auto logPath = temps.create("phalanx-link", "log");
  if (!logPath)
    return logPath.takeError();
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(*objPath, ec, llvm::sys::fs::OF_None);
    if (ec)
      return llvm::createStringError("cannot write '" + *objPath +
                                     "': " + ec.message());
    os << object;
    os.close();
    if (os.has_error())
      return llvm::createStringError("cannot write '" + *objPath + "'");
  }
  llvm::SmallVector<llvm::StringRef> args = {program, "-shared", "-o", *soPath,
                                             *objPath, "-lm"};
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, *logPath,
                                                *logPath};
  std::string execError;
  int rc = llvm::sys::ExecuteAndWait(program, args, std::nullopt, redirects,
                                     /*SecondsToWait=*/120, /*MemoryLimit=*/0,
                                     &execError);
  if (rc != 0) {
    std::string log;
    if (auto buf = llvm::MemoryBuffer::getFile(*logPath))
      log = (*buf)->getBuffer().str();
    std::string msg = "linking the shared object failed (" + program +
                      " exited with " + std::to_string(rc) + ")";
    if (!execError.empty())
      msg += ": " + execError;
    if (!log.empty())
      msg += ":\n" + log;
    return llvm::createStringError(msg);
  }
  auto buf = llvm::MemoryBuffer::getFile(*soPath, /*IsText=*/false,
                                         /*RequiresNullTerminator=*/false);
  if (!buf)
    return llvm::createStringError("cannot read the linked shared object: " +
                                   buf.getError().message());
  return (*buf)->getBuffer().str();
}
