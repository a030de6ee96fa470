// CUDA backend placeholder.  The real backend will reach the driver API
// through dlopen("libcuda.so.1") and load the artifact's cubin sections.
// For now it only reports whether a driver exists; it never pretends to run.
#include "../internal.h"

#include <dlfcn.h>

namespace phx {

phx_status createCudaBackend(const std::string &artifactName,
                             std::unique_ptr<Backend> &out) {
  out.reset();
  void *h = ::dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!h)
    return makeStatus(PHX_STATUS_UNAVAILABLE,
                      "CUDA backend: no CUDA driver found (libcuda.so.1 could "
                      "not be loaded)");
  ::dlclose(h);
  return makeStatus(PHX_STATUS_UNIMPLEMENTED,
                    "CUDA backend: not yet implemented for this artifact ('" +
                        artifactName + "')");
}

} // namespace phx
