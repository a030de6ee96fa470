//===- Artifact.cpp - the artifact container (v1) -------------------------===//
//
// Little-endian. Header (32 bytes): magic "PHXARTF\0", u32 version = 1,
// u32 section_count, u64 file_size, u64 reserved = 0. Then section_count
// entries of 32 bytes: u32 kind, u32 index, u64 offset, u64 size, u64
// FNV-1a-64 of the payload. Payloads follow, 16-byte aligned, padding zero.
//
//===----------------------------------------------------------------------===//
#include "phalanx/Target/Target.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace phalanx::target;

uint64_t phalanx::target::fnv1a64(llvm::StringRef bytes) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

static void put32(std::string &s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i)
    s[at + i] = char((v >> (8 * i)) & 0xff);
}
static void put64(std::string &s, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i)
    s[at + i] = char((v >> (8 * i)) & 0xff);
}

std::string phalanx::target::serializeArtifact(llvm::ArrayRef<Section> sections) {
  constexpr size_t kAlign = 16;
  size_t tableEnd = 32 + 32 * sections.size();
  std::vector<size_t> offsets;
  size_t end = tableEnd;
  for (const Section &s : sections) {
    end = llvm::alignTo(end, kAlign);
    offsets.push_back(end);
    end += s.payload.size();
  }
  std::string out(end, '\0');
  std::memcpy(out.data(), "PHXARTF\0", 8);
  put32(out, 8, 1);
  put32(out, 12, uint32_t(sections.size()));
  put64(out, 16, uint64_t(end));
  put64(out, 24, 0);
  for (auto [i, s] : llvm::enumerate(sections)) {
    size_t e = 32 + 32 * i;
    put32(out, e, uint32_t(s.kind));
    put32(out, e + 4, s.index);
    put64(out, e + 8, offsets[i]);
    put64(out, e + 16, s.payload.size());
    put64(out, e + 24, fnv1a64(s.payload));
    std::memcpy(out.data() + offsets[i], s.payload.data(), s.payload.size());
  }
  return out;
}

llvm::Error phalanx::target::writeArtifact(llvm::StringRef path,
                                           llvm::ArrayRef<Section> sections) {
  std::string bytes = serializeArtifact(sections);
  // Write next to the destination, then rename: a reader never sees a
  // partial file, and a failed compile leaves an old artifact intact.
  llvm::SmallString<256> temp;
  llvm::SmallString<256> model(path);
  model += ".tmp-%%%%%%";
  int fd;
  if (std::error_code ec = llvm::sys::fs::createUniqueFile(model, fd, temp))
    return llvm::createStringError("cannot write '" + path.str() +
                                   "': " + ec.message());
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << bytes;
    os.close();
    if (os.has_error()) {
      std::string msg = os.error().message();
      os.clear_error();
      llvm::sys::fs::remove(temp);
      return llvm::createStringError("cannot write '" + path.str() +
                                     "': " + msg);
    }
  }
  if (std::error_code ec = llvm::sys::fs::rename(temp, path)) {
    llvm::sys::fs::remove(temp);
    return llvm::createStringError("cannot write '" + path.str() +
                                   "': " + ec.message());
  }
  return llvm::Error::success();
}
