// Internal declarations shared by the runtime's translation units.
#ifndef PHALANX_RT_INTERNAL_H
#define PHALANX_RT_INTERNAL_H

#include "phalanx/runtime.h"

#include <cstdint>
#include <map>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

struct phx_status_s {
  phx_status_code code;
  std::string message;
};

namespace phx {

// Creates a status (never throws; falls back to a static OOM status).
phx_status makeStatus(phx_status_code code, const std::string &message);
inline phx_status invalidArg(const std::string &m) {
  return makeStatus(PHX_STATUS_INVALID_ARGUMENT, m);
}

std::string shapeToString(const int64_t *shape, int32_t rank);
std::string shapeToString(const std::vector<int64_t> &shape);

// ---- float formats
uint16_t roundToHalfLike(double v, int expBits, int mantBits);
double halfLikeToDouble(uint16_t bits, int expBits, int mantBits);
// Reads element i of a buffer of `dtype` as double.
double loadAsDouble(const void *data, phx_dtype dtype, size_t i);
void storeFromDouble(void *data, phx_dtype dtype, size_t i, double v);

// ---- artifact container
struct Section {
  uint32_t kind = 0;
  uint32_t index = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
};

enum : uint32_t {
  kSectionManifest = 1,
  kSectionHostCode = 2,
  kSectionCubin = 3,
};

uint64_t fnv1a64(const uint8_t *data, size_t size);

// ---- manifest
struct TensorSig {
  std::string name;
  phx_dtype dtype = PHX_DTYPE_INVALID;
  std::vector<int64_t> shape;               // -1 = dynamic
  std::vector<std::pair<int, int>> shapeFrom; // results only; {-1,-1} = static
};

struct Window {
  int64_t block = 1;
  int64_t hops = -1;    // -1 = inf
  int64_t segment = -1; // -1 = inf
};

enum class Activation { Sigmoid, Swish, HardSigmoid };

enum class OpKind { None, Unknown, Scan, Layer };

struct ScanOp {
  Window window;
  bool transpose = false;
  int gates = -1, drive = -1, resets = -1, init = -1;
};

struct LayerOp {
  int64_t heads = 0, kvHeads = 0, headDim = 0, globalHeads = 0;
  Window window;
  Activation actA = Activation::Sigmoid, actB = Activation::Sigmoid;
  int x = -1, wa = -1, ba = -1, wb = -1, bb = -1, wc = -1, bc = -1, wv = -1,
      wo = -1;
};

struct OpDesc {
  OpKind kind = OpKind::None;
  std::string kindName;
  std::string json; // compact serialization of the "op" object
  ScanOp scan;
  LayerOp layer;
};

// What an op says about one of its operands.
struct OpOperandSpec {
  int arg = -1;         // entry argument index
  std::string role;     // "gates", "x", ...
  std::vector<std::string> dims; // symbolic dims
  bool floating = true; // must be a float dtype (else i1)
};

struct OpShapeSpec {
  std::vector<OpOperandSpec> operands;
  std::vector<std::string> resultDims; // result #0
  std::map<std::string, int64_t> constants; // symbols fixed by the op
};

OpShapeSpec opShapeSpec(const OpDesc &op);

// Parses an "op" object.  Unknown kinds are accepted (kind = Unknown).
bool parseOp(const void *jsonValue /* const json::Value* */, OpDesc &op,
             std::string &error);
bool parseOpText(const std::string &text, OpDesc &op, std::string &error);

struct Entry {
  std::string name, symbol, device;
  std::vector<TensorSig> args, results;
  OpDesc op;
  std::vector<std::string> argRoles;             // "" when none
  std::vector<std::vector<std::string>> dimSymbols; // per arg per dim
  void *hostFn = nullptr;
};

struct Manifest {
  std::string text;
  std::string producer;
  std::vector<Entry> entries;
};

// Parses and validates manifest JSON; `where` names the artifact in messages.
phx_status parseManifest(const std::string &text, const std::string &where,
                         Manifest &out);

// Validates tensor views against named shapes.  `names[i]` is the display
// name; `what` is "argument" or "result".
phx_status checkOpConsistency(const OpShapeSpec &spec,
                              const std::vector<std::string> &names,
                              const phx_tensor *args, int32_t nargs);

// ---- backends
class Backend {
public:
  virtual ~Backend() = default;
  // Resolves every entry for this device; sets Entry::hostFn etc.
  virtual phx_status prepare(Manifest &manifest,
                             const std::vector<uint8_t> &bytes,
                             const std::vector<Section> &sections) = 0;
  virtual phx_status run(const Entry &entry, const phx_tensor *args,
                         const phx_tensor *results) = 0;
};

// An artifact's host code (ELF shared object in memory), dlopen'ed from a
// memfd (fallback: an unlinked temporary file).
class HostLibrary {
public:
  HostLibrary() = default;
  HostLibrary(const HostLibrary &) = delete;
  HostLibrary &operator=(const HostLibrary &) = delete;
  ~HostLibrary();
  phx_status open(const std::string &artifactName, const uint8_t *p, size_t n);
  void *symbol(const char *name) const;
  bool loaded() const { return handle_ != nullptr; }

private:
  void *handle_ = nullptr;
  int fd_ = -1;
};

// Finds and sanity-checks the host code section (`device` names the entries
// that need it, for the message).
phx_status findHostCode(const std::string &artifactName,
                        const std::vector<uint8_t> &bytes,
                        const std::vector<Section> &sections,
                        const char *device, const uint8_t **p, size_t *n);

// True when some entry of the manifest runs on `device` ("cpu", "cuda").
bool hasEntriesFor(const Manifest &manifest, const char *device);

// Sets Entry::hostFn of every entry for `device` from the loaded host code.
phx_status resolveEntries(const std::string &artifactName,
                          const HostLibrary &lib, Manifest &manifest,
                          const char *device);

// checkEntryDevice, then that the entry was resolved (Entry::hostFn).
phx_status checkHostEntry(const Entry &e, phx_device device);

// Calls `void fn(void **args)` with one MLIR memref descriptor per operand
// (arguments, then results), pointers as given in the views.
void callPacked(void *fn, const Entry &e, const phx_tensor *args,
                const phx_tensor *results);

// "entry 'x' was compiled for cuda; run it with --device cuda" or null.
phx_status checkEntryDevice(const Entry &e, phx_device device);

// Wraps the body of a C API function: exceptions become statuses.
#define PHX_GUARD_BEGIN try {
#define PHX_GUARD_END                                                          \
  }                                                                            \
  catch (const std::bad_alloc &) {                                             \
    return ::phx::makeStatus(PHX_STATUS_OUT_OF_MEMORY, "out of memory");       \
  }                                                                            \
  catch (const std::exception &ex) {                                           \
    return ::phx::makeStatus(PHX_STATUS_INTERNAL,                              \
                             std::string("internal error: ") + ex.what());     \
  }                                                                            \
  catch (...) {                                                                \
    return ::phx::makeStatus(PHX_STATUS_INTERNAL, "internal error");           \
  }

std::unique_ptr<Backend> createCpuBackend(const std::string &artifactName);
phx_status createCudaBackend(const std::string &artifactName,
                             std::unique_ptr<Backend> &out);

// ---- reference
phx_status referenceRun(const OpDesc &op, const phx_tensor *args,
                        int32_t nargs, double *out, size_t outLen);

// Low-level f64 kernels (exposed for tests).
// a: [L] gates, x: [D][L] drive, resets: [L] or null, init: [D] or null,
// y: [D][L].
void referenceScanSeries(const Window &w, bool transpose, int64_t L, int64_t D,
                         const double *a, const double *x,
                         const uint8_t *resets, const double *init, double *y);

double activation(Activation act, double z);

} // namespace phx

struct phx_module_s {
  std::string name;
  phx_device device = PHX_DEVICE_CPU;
  phx::Manifest manifest;
  std::unique_ptr<phx::Backend> backend;
};

#endif
