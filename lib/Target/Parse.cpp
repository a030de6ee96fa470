//===- Parse.cpp - parsing with source argument names ---------------------===//
#include "phalanx/Target/Target.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/AsmParser/AsmParserState.h"
#include "mlir/Bytecode/BytecodeReader.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

static constexpr llvm::StringLiteral kNameAttr = "phalanx.name";

/// "gates" for "%gates"; "" for "%0", "%arg3" or anything unusual.
static std::string sourceName(llvm::SMRange range) {
  if (!range.isValid())
    return "";
  llvm::StringRef text(range.Start.getPointer(),
                       range.End.getPointer() - range.Start.getPointer());
  if (!text.consume_front("%") || text.empty())
    return "";
  if (llvm::isDigit(text.front()))
    return "";
  llvm::StringRef rest = text;
  if (rest.consume_front("arg") && !rest.empty() &&
      llvm::all_of(rest, llvm::isDigit))
    return "";
  return text.str();
}

OwningOpRef<ModuleOp> phalanx::target::parseModuleWithArgNames(
    const std::shared_ptr<llvm::SourceMgr> &sourceMgr, MLIRContext *context) {
  const llvm::MemoryBuffer *buffer =
      sourceMgr->getMemoryBuffer(sourceMgr->getMainFileID());
  ParserConfig config(context);
  if (isBytecode(buffer->getMemBufferRef()))
    return parseSourceFile<ModuleOp>(sourceMgr, config);

  Location fileLoc =
      FileLineColLoc::get(context, buffer->getBufferIdentifier(), 0, 0);
  Block block;
  AsmParserState state;
  if (failed(parseAsmSourceFile(*sourceMgr, &block, config, &state)))
    return {};

  // Names, while the block arguments are still those the state recorded.
  block.walk([&](func::FuncOp fn) {
    if (fn.isExternal())
      return;
    Block *entry = &fn.getBody().front();
    const AsmParserState::BlockDefinition *def = state.getBlockDef(entry);
    if (!def)
      return;
    for (auto [i, arg] : llvm::enumerate(def->arguments)) {
      if (i >= fn.getNumArguments() || fn.getArgAttr(i, kNameAttr))
        continue;
      std::string name = sourceName(arg.loc);
      if (!name.empty())
        fn.setArgAttr(i, kNameAttr, StringAttr::get(context, name));
    }
  });

  OwningOpRef<ModuleOp> module =
      detail::constructContainerOpForParserIfNecessary<ModuleOp>(
          &block, context, fileLoc);
  if (module && failed(verify(*module)))
    return {};
  return module;
}

void phalanx::target::stripNameAttributes(ModuleOp module) {
  module.walk([](func::FuncOp fn) {
    for (unsigned i = 0, e = fn.getNumArguments(); i < e; ++i)
      fn.removeArgAttr(i, kNameAttr);
    for (unsigned i = 0, e = fn.getNumResults(); i < e; ++i)
      fn.removeResultAttr(i, StringAttr::get(fn.getContext(), kNameAttr));
  });
}
