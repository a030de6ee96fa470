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
    bool needHost = false;
    for (const Entry &e : manifest.entries)
      needHost |= e.device == "cpu";
    if (!needHost)
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
    for (Entry &e : manifest.entries) {
      if (e.device != "cpu")
        continue;
      void *fn = lib_.symbol(e.symbol.c_str());
      if (!fn)
        return makeStatus(PHX_STATUS_INVALID_ARTIFACT,
                          "artifact '" + name_ + "': entry '" + e.name +
                              "' symbol '" + e.symbol +
                              "' is not defined in the host code");
      e.hostFn = fn;
    }
    return nullptr;
  }

  phx_status run(const Entry &e, const phx_tensor *args,
                 const phx_tensor *results) override {
    if (phx_status s = checkEntryDevice(e, PHX_DEVICE_CPU))
      return s;
    if (!e.hostFn)
      return makeStatus(PHX_STATUS_INTERNAL,
                        "entry '" + e.name + "' was not resolved");
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
