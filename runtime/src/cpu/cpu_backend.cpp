// CPU backend: loads the artifact's host code (an ELF shared object) with
// memfd_create + dlopen and calls entries with MLIR memref descriptors.
#include "../internal.h"

#include "../cuda/driver.h"

namespace phx {
namespace {

class CpuBackend final : public Backend {
public:
  explicit CpuBackend(std::string name) : name_(std::move(name)) {}

  phx_status prepare(Manifest &manifest, const std::vector<uint8_t> &bytes,
                     const std::vector<Section> &sections) override {
    if (!hasEntriesFor(manifest, "cpu"))
      return nullptr; // cuda-only artifact: never run its host code here
    const uint8_t *p = nullptr;
    size_t n = 0;
    if (phx_status s = findHostCode(name_, bytes, sections, "cpu", &p, &n))
      return s;
    // Host code that also holds cuda entries loads its kernels from static
    // constructors (mgpuModuleLoad); without a GPU those record an error
    // that does not concern the cpu entries.
    cuda::clearError();
    phx_status s = lib_.open(name_, p, n);
    cuda::clearError();
    if (s)
      return s;
    return resolveEntries(name_, lib_, manifest, "cpu");
  }

  phx_status run(const Entry &e, const phx_tensor *args,
                 const phx_tensor *results) override {
    if (phx_status s = checkHostEntry(e, PHX_DEVICE_CPU))
      return s;
    callPacked(e.hostFn, e, args, results);
    return nullptr;
  }

private:
  std::string name_;
  HostLibrary lib_;
};

} // namespace

std::unique_ptr<Backend> createCpuBackend(const std::string &artifactName) {
  return std::unique_ptr<Backend>(new CpuBackend(artifactName));
}

} // namespace phx
