//===- Target.h - signatures, host code and artifact files ------*- C++ -*-===//
//
// The pieces of the compile driver that other tools reuse:
//
//  - extractEntrySignatures: the manifest view of every entry function of a
//    module on tensors (names, dtypes, shapes, how dynamic result dims follow
//    from argument dims, and the op an entry consists of), computed before
//    lowering;
//  - manifestJSON: the manifest of docs/artifact-format.md;
//  - translateAndOptimize / emitObject / linkSharedObject: LLVM dialect ->
//    LLVM IR -> x86-64 PIC object -> ELF shared object;
//  - serializeArtifact / writeArtifact: the artifact container (v1).
//
//===----------------------------------------------------------------------===//
#ifndef PHALANX_TARGET_TARGET_H
#define PHALANX_TARGET_TARGET_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace llvm {
class LLVMContext;
class Module;
class SourceMgr;
} // namespace llvm

namespace phalanx::target {

//===----------------------------------------------------------------------===//
// Signatures
//===----------------------------------------------------------------------===//

/// One argument or result of an entry.
struct TensorSignature {
  std::string name;
  std::string dtype;           // "bf16", "f16", "f32", "f64", "i1", ...
  std::vector<int64_t> shape;  // -1 for a dynamic dim
  /// Results only: for each dim, the (argument index, argument dim) whose
  /// size it equals; std::nullopt for static dims.
  std::vector<std::optional<std::pair<int64_t, int64_t>>> shapeFrom;
};

struct EntrySignature {
  std::string name;   // the func.func name
  std::string symbol; // phx_entry_<name>
  std::string device = "cpu";
  std::vector<TensorSignature> args;
  std::vector<TensorSignature> results;
  /// The op description (ordered fields) when the body is exactly one
  /// swr.scan or one phalanx.layer on the function arguments; empty otherwise.
  std::vector<std::pair<std::string, llvm::json::Value>> op;
};

/// The prefix of packed entry points (phalanx-emit-entry-wrappers).
constexpr llvm::StringLiteral kEntrySymbolPrefix = "phx_entry_";

/// Parses and verifies the main buffer of `sourceMgr` (MLIR text or bytecode)
/// into a module; diagnostics go to the context's handler. For textual input,
/// every argument of a func.func without a `phalanx.name` attribute gets one
/// from its SSA name in the source (`%gates` -> "gates"); numeric names and
/// `%argN` are left alone (the manifest then says "argN").
mlir::OwningOpRef<mlir::ModuleOp>
parseModuleWithArgNames(const std::shared_ptr<llvm::SourceMgr> &sourceMgr,
                        mlir::MLIRContext *context);

/// Removes the `phalanx.name` argument / result attributes (after the
/// signatures have been extracted; they mean nothing to the lowering).
void stripNameAttributes(mlir::ModuleOp module);

/// The manifest dtype of an element type ("" when it has none).
std::string dtypeName(mlir::Type elementType);

/// Collects the entries of `module`: every public func.func with a body whose
/// arguments and results are all ranked tensors (restricted to `only` when it
/// is not empty; naming a function that is not an entry is an error).
/// Reports problems as diagnostics at their location and fails; never
/// modifies `module`.
mlir::FailureOr<std::vector<EntrySignature>>
extractEntrySignatures(mlir::ModuleOp module,
                       llvm::ArrayRef<std::string> only = {});

/// The manifest (docs/artifact-format.md) describing `entries`.
llvm::json::Value manifestJSON(llvm::ArrayRef<EntrySignature> entries,
                               llvm::StringRef producer);

/// The manifest as text: fields in the order of the format document, one
/// argument / result / op per line (what artifacts store).
std::string manifestText(llvm::ArrayRef<EntrySignature> entries,
                         llvm::StringRef producer);

//===----------------------------------------------------------------------===//
// Host code
//===----------------------------------------------------------------------===//

struct HostCodegenOptions {
  std::string triple = "x86_64-unknown-linux-gnu";
  std::string cpu = "x86-64";
  std::string features;
  unsigned optLevel = 2;
};

/// Translates an LLVM-dialect module to LLVM IR, sets the target's triple and
/// data layout and runs the -O<optLevel> pipeline.
llvm::Expected<std::unique_ptr<llvm::Module>>
translateAndOptimize(mlir::ModuleOp module, llvm::LLVMContext &ctx,
                     const HostCodegenOptions &options);

/// Emits a position-independent relocatable object for `module`.
llvm::Expected<std::string> emitObject(llvm::Module &module,
                                       const HostCodegenOptions &options);

/// Links `object` into an ELF shared object with the system C compiler
/// (`cc -shared -o X.so X.o -lm`, or `linker` when given). Temporary files are
/// removed.
llvm::Expected<std::string> linkSharedObject(llvm::StringRef object,
                                             llvm::StringRef linker = "");

//===----------------------------------------------------------------------===//
// Artifact container (v1)
//===----------------------------------------------------------------------===//

enum class SectionKind : uint32_t { Manifest = 1, HostSharedObject = 2, Cubin = 3 };

struct Section {
  SectionKind kind;
  uint32_t index = 0;
  std::string payload;
};

/// FNV-1a 64 (basis 0xcbf29ce484222325, prime 0x100000001b3).
uint64_t fnv1a64(llvm::StringRef bytes);

/// The bytes of an artifact holding `sections` (payloads 16-byte aligned,
/// zero padding).
std::string serializeArtifact(llvm::ArrayRef<Section> sections);

/// Writes the artifact atomically (a temporary file renamed over `path`).
llvm::Error writeArtifact(llvm::StringRef path,
                          llvm::ArrayRef<Section> sections);

} // namespace phalanx::target

#endif // PHALANX_TARGET_TARGET_H
