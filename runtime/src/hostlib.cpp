// Loading an artifact's host code (an ELF shared object held in memory)
// and calling its packed entries; shared by the CPU and CUDA backends.
#include "internal.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace phx {
namespace {

bool writeAll(int fd, const uint8_t *p, size_t n) {
  while (n) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

} // namespace

HostLibrary::~HostLibrary() {
  if (handle_)
    ::dlclose(handle_);
  // Kept open while the library is loaded so that no other module can get
  // the same /proc/self/fd/N path (dlopen matches already-loaded names).
  if (fd_ >= 0)
    ::close(fd_);
}

void *HostLibrary::symbol(const char *name) const {
  if (!handle_)
    return nullptr;
  ::dlerror();
  return ::dlsym(handle_, name);
}

phx_status findHostCode(const std::string &name,
                        const std::vector<uint8_t> &bytes,
                        const std::vector<Section> &sections,
                        const char *device, const uint8_t **p, size_t *n) {
  const Section *host = nullptr;
  for (const Section &s : sections)
    if (s.kind == kSectionHostCode)
      host = &s;
  if (!host)
    return makeStatus(PHX_STATUS_INVALID_ARTIFACT,
                      "artifact '" + name + "' has " + device +
                          " entries but no host code section");
  const uint8_t *q = bytes.data() + host->offset;
  size_t m = static_cast<size_t>(host->size);
  if (m < 20 || std::memcmp(q, "\x7f" "ELF", 4) != 0 || q[4] != 2 /*64-bit*/ ||
      q[5] != 1 /*LE*/ || (q[18] | (q[19] << 8)) != 62 /*x86-64*/)
    return makeStatus(PHX_STATUS_INVALID_ARTIFACT,
                      "artifact '" + name +
                          "': host code section is not an x86-64 ELF "
                          "shared object");
  *p = q;
  *n = m;
  return nullptr;
}

bool hasEntriesFor(const Manifest &manifest, const char *device) {
  for (const Entry &e : manifest.entries)
    if (e.device == device)
      return true;
  return false;
}

phx_status resolveEntries(const std::string &name, const HostLibrary &lib,
                          Manifest &manifest, const char *device) {
  for (Entry &e : manifest.entries) {
    if (e.device != device)
      continue;
    void *fn = lib.symbol(e.symbol.c_str());
    if (!fn)
      return makeStatus(PHX_STATUS_INVALID_ARTIFACT,
                        "artifact '" + name + "': entry '" + e.name +
                            "' symbol '" + e.symbol +
                            "' is not defined in the host code");
    e.hostFn = fn;
  }
  return nullptr;
}

phx_status checkHostEntry(const Entry &e, phx_device device) {
  if (phx_status s = checkEntryDevice(e, device))
    return s;
  if (!e.hostFn)
    return makeStatus(PHX_STATUS_INTERNAL,
                      "entry '" + e.name + "' was not resolved");
  return nullptr;
}

void callPacked(void *fn, const Entry &e, const phx_tensor *args,
                const phx_tensor *results) {
  const size_t n = e.args.size() + e.results.size();
  // One descriptor per operand: allocated, aligned, offset, sizes, strides.
  std::vector<std::vector<int64_t>> desc(n);
  std::vector<void *> ptrs(n);
  for (size_t i = 0; i < n; ++i) {
    const phx_tensor &t =
        i < e.args.size() ? args[i] : results[i - e.args.size()];
    const int32_t r = t.rank;
    std::vector<int64_t> &d = desc[i];
    d.assign(3 + 2 * static_cast<size_t>(r), 0);
    static_assert(sizeof(void *) == sizeof(int64_t), "64-bit only");
    std::memcpy(&d[0], &t.data, sizeof(void *));
    std::memcpy(&d[1], &t.data, sizeof(void *));
    d[2] = 0;
    int64_t stride = 1;
    for (int32_t k = r - 1; k >= 0; --k) {
      d[3 + k] = t.shape[k];
      d[3 + r + k] = stride;
      stride *= t.shape[k];
    }
    ptrs[i] = d.data();
  }
  using Fn = void (*)(void **);
  reinterpret_cast<Fn>(fn)(ptrs.data());
}

phx_status HostLibrary::open(const std::string &artifactName, const uint8_t *p,
                            size_t n) {
  std::string path;
  std::string why;
#ifdef SYS_memfd_create
  int fd = static_cast<int>(::syscall(SYS_memfd_create, "phalanx-host-code",
                                      0 /* no MFD_CLOEXEC: dlopen reopens */));
  if (fd >= 0) {
    // dlopen returns an already-loaded library whose name matches.  A library
    // loaded earlier from a since-closed memfd with the same number may still
    // be loaded (RTLD_NODELETE, as LLVM's link flags add, or an unload that
    // did not happen): step to another fd number until the name is unused.
    std::vector<int> extra;
    for (int tries = 0; fd >= 0 && tries < 64; ++tries) {
      std::string candidate = "/proc/self/fd/" + std::to_string(fd);
      void *stale = ::dlopen(candidate.c_str(), RTLD_LAZY | RTLD_NOLOAD);
      if (!stale)
        break;
      ::dlclose(stale);
      extra.push_back(fd);
      fd = ::dup(fd);
    }
    ::dlerror();
    if (fd >= 0 && writeAll(fd, p, n)) {
      path = "/proc/self/fd/" + std::to_string(fd);
      handle_ = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!handle_) {
        const char *de = ::dlerror();
        why = de ? de : "dlopen failed";
      }
    }
    for (int e : extra)
      ::close(e);
    if (handle_) {
      fd_ = fd;
      return nullptr;
    }
    if (fd >= 0)
      ::close(fd);
  }
#endif
  // Fallback: a temporary file, unlinked right after dlopen.
  const char *tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") +
                     "/phalanx-host-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  int tfd = ::mkstemp(buf.data());
  if (tfd < 0)
    return makeStatus(PHX_STATUS_IO_ERROR,
                      "artifact '" + artifactName +
                          "': cannot create a temporary file for the host "
                          "code: " + std::strerror(errno) +
                          (why.empty() ? "" : " (memfd dlopen: " + why + ")"));
  bool ok = writeAll(tfd, p, n);
  ::close(tfd);
  if (ok) {
    handle_ = ::dlopen(buf.data(), RTLD_NOW | RTLD_LOCAL);
    if (!handle_) {
      const char *de = ::dlerror();
      why = de ? de : "dlopen failed";
    }
  } else {
    why = std::string("write failed: ") + std::strerror(errno);
  }
  ::unlink(buf.data());
  if (!handle_)
    return makeStatus(PHX_STATUS_INVALID_ARTIFACT,
                      "artifact '" + artifactName +
                          "': cannot load the host code: " + why);
  return nullptr;
}

} // namespace phx
