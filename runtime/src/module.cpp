// Artifact container parsing, module C API and invocation checks.
#include "internal.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <limits>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <new>

namespace phx {

static uint32_t rd32(const uint8_t *p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 |
         uint32_t(p[3]) << 24;
}
static uint64_t rd64(const uint8_t *p) {
  return uint64_t(rd32(p)) | uint64_t(rd32(p + 4)) << 32;
}

static phx_status artErr(const std::string &where, const std::string &msg) {
  return makeStatus(PHX_STATUS_INVALID_ARTIFACT,
                    "artifact '" + where + "' " + msg);
}

static const char *kindName(uint32_t k) {
  switch (k) {
  case kSectionManifest: return "manifest";
  case kSectionHostCode: return "host code";
  case kSectionCubin: return "cubin";
  }
  return "unknown";
}

// Validates the container; fills sections.
static phx_status parseContainer(const std::vector<uint8_t> &b,
                                 const std::string &where,
                                 std::vector<Section> &sections) {
  const uint64_t n = b.size();
  if (n < 32)
    return artErr(where, "is truncated: " + std::to_string(n) +
                             " bytes is smaller than the 32-byte header");
  if (std::memcmp(b.data(), "PHXARTF\0", 8) != 0)
    return artErr(where, "is not a Phalanx artifact (bad magic; expected "
                         "\"PHXARTF\\0\")");
  uint32_t version = rd32(&b[8]);
  uint32_t count = rd32(&b[12]);
  uint64_t fileSize = rd64(&b[16]);
  uint64_t reserved = rd64(&b[24]);
  if (version != 1)
    return artErr(where, "has format version " + std::to_string(version) +
                             "; this runtime reads version 1");
  if (fileSize != n) {
    if (fileSize > n)
      return artErr(where, "is truncated: header says " +
                               std::to_string(fileSize) + " bytes, file has " +
                               std::to_string(n));
    return artErr(where, "has trailing data: header says " +
                             std::to_string(fileSize) + " bytes, file has " +
                             std::to_string(n));
  }
  if (reserved != 0)
    return artErr(where, "has a non-zero reserved header field");
  if (count == 0)
    return artErr(where, "has no sections");
  if (uint64_t(count) > (n - 32) / 32)
    return artErr(where, "section table (" + std::to_string(count) +
                             " entries) extends past the end of the file");
  const uint64_t tableEnd = 32 + uint64_t(count) * 32;
  int manifests = 0, hosts = 0;
  for (uint32_t i = 0; i < count; ++i) {
    const uint8_t *p = &b[32 + size_t(i) * 32];
    Section s;
    s.kind = rd32(p);
    s.index = rd32(p + 4);
    s.offset = rd64(p + 8);
    s.size = rd64(p + 16);
    uint64_t sum = rd64(p + 24);
    std::string sn = "section #" + std::to_string(i) + " (" +
                     kindName(s.kind) + ")";
    if (s.kind < 1 || s.kind > 3)
      return artErr(where, "section #" + std::to_string(i) +
                               " has unknown kind " + std::to_string(s.kind));
    if (s.offset < tableEnd || s.offset > n || s.size > n - s.offset)
      return artErr(where, sn + " at offset " + std::to_string(s.offset) +
                               " size " + std::to_string(s.size) +
                               " lies outside the payload area [" +
                               std::to_string(tableEnd) + ", " +
                               std::to_string(n) + ")");
    for (const Section &o : sections) {
      bool overlap = s.offset < o.offset + o.size && o.offset < s.offset + s.size;
      if (overlap && s.size && o.size)
        return artErr(where, sn + " overlaps an earlier section");
      if (o.kind == s.kind && o.index == s.index)
        return artErr(where, "has two " + std::string(kindName(s.kind)) +
                                 " sections with index " +
                                 std::to_string(s.index));
    }
    uint64_t actual = fnv1a64(b.data() + s.offset, size_t(s.size));
    if (actual != sum) {
      char buf[96];
      std::snprintf(buf, sizeof buf, " checksum mismatch: table says %016llx, "
                    "payload hashes to %016llx",
                    (unsigned long long)sum, (unsigned long long)actual);
      return artErr(where, sn + buf + " (corrupt file)");
    }
    if (s.kind != kSectionCubin && s.index != 0)
      return artErr(where, sn + " has index " + std::to_string(s.index) +
                               "; only cubin sections may have a non-zero "
                               "index");
    if (s.kind == kSectionManifest)
      ++manifests;
    if (s.kind == kSectionHostCode) {
      ++hosts;
      if (s.size == 0)
        return artErr(where, "host code section is empty");
    }
    sections.push_back(s);
  }
  // Every byte outside the header, the table and the sections (alignment
  // padding) must be zero, so that no byte of a file goes unchecked.
  std::vector<uint8_t> covered(size_t(n - tableEnd), 0);
  for (const Section &s : sections)
    std::fill(covered.begin() + std::ptrdiff_t(s.offset - tableEnd),
              covered.begin() + std::ptrdiff_t(s.offset - tableEnd + s.size), 1);
  for (size_t i = 0; i < covered.size(); ++i)
    if (!covered[i] && b[tableEnd + i] != 0)
      return artErr(where, "has a non-zero padding byte at offset " +
                               std::to_string(tableEnd + i) +
                               " (outside every section; corrupt file)");
  if (manifests != 1)
    return artErr(where, "must have exactly one manifest section, has " +
                             std::to_string(manifests));
  if (hosts > 1)
    return artErr(where, "has more than one host code section");
  return nullptr;
}

static phx_status loadBytes(std::vector<uint8_t> bytes, const std::string &name,
                            phx_device device, phx_module **out) {
  std::vector<Section> sections;
  if (phx_status s = parseContainer(bytes, name, sections))
    return s;
  std::unique_ptr<phx_module_s> m(new phx_module_s());
  m->name = name;
  m->device = device;
  for (const Section &s : sections)
    if (s.kind == kSectionManifest) {
      std::string text(reinterpret_cast<const char *>(bytes.data() + s.offset),
                       size_t(s.size));
      if (phx_status st = parseManifest(text, name, m->manifest))
        return st;
    }
  if (device == PHX_DEVICE_CPU) {
    m->backend = createCpuBackend(name);
  } else if (device == PHX_DEVICE_CUDA) {
    if (phx_status s = createCudaBackend(name, m->backend))
      return s;
  } else {
    return invalidArg("unknown device " + std::to_string(int(device)));
  }
  if (phx_status s = m->backend->prepare(m->manifest, bytes, sections))
    return s;
  *out = m.release();
  return nullptr;
}

static std::string argLabel(const char *what, const TensorSig &sig, int i) {
  return std::string(what) + " '" + sig.name + "' (#" + std::to_string(i) + ")";
}

// `device`: the device the data must be on, or -1 for any (shape queries).
static phx_status checkView(const char *what, const TensorSig &sig, int i,
                            const phx_tensor &t, bool checkStatic, int device,
                            const char *purpose) {
  std::string nm = argLabel(what, sig, i);
  if (!t.data)
    return invalidArg(nm + " has a null data pointer");
  if (t.device != PHX_DEVICE_CPU && t.device != PHX_DEVICE_CUDA)
    return invalidArg(nm + " has an unknown device " +
                      std::to_string(int(t.device)));
  if (device >= 0 && int(t.device) != device)
    return invalidArg(nm + " is on device " +
                      std::string(phx_device_name(t.device)) + " but " +
                      purpose + " needs " +
                      (device == PHX_DEVICE_CPU
                           ? std::string("host memory (device cpu)")
                           : std::string("CUDA device memory (device cuda; "
                                         "see phx_buffer_alloc)")));
  if (t.dtype != sig.dtype)
    return invalidArg(nm + " has dtype " + phx_dtype_name(t.dtype) +
                      " but the entry expects " + phx_dtype_name(sig.dtype));
  if (t.rank != static_cast<int32_t>(sig.shape.size()))
    return invalidArg(nm + " has rank " + std::to_string(t.rank) +
                      " but the entry expects rank " +
                      std::to_string(sig.shape.size()) + " " +
                      shapeToString(sig.shape));
  if (t.rank > 0 && !t.shape)
    return invalidArg(nm + " has a null shape pointer");
  for (int32_t d = 0; d < t.rank; ++d) {
    if (t.shape[d] < 0)
      return invalidArg(nm + " dim " + std::to_string(d) + " is negative (" +
                        std::to_string(t.shape[d]) + ")");
    if (checkStatic && sig.shape[d] >= 0 && t.shape[d] != sig.shape[d])
      return invalidArg(nm + " has shape " + shapeToString(t.shape, t.rank) +
                        " but the entry expects " + shapeToString(sig.shape) +
                        ": dim " + std::to_string(d) + " must be " +
                        std::to_string(sig.shape[d]));
  }
  return nullptr;
}

static phx_status checkArgs(const phx_module *m, int32_t entry,
                            const phx_tensor *args, int32_t nargs, int device,
                            const char *purpose) {
  if (!m)
    return invalidArg("module is NULL");
  if (entry < 0 || entry >= static_cast<int32_t>(m->manifest.entries.size()))
    return makeStatus(PHX_STATUS_NOT_FOUND,
                      "entry index " + std::to_string(entry) + " out of range");
  const Entry &e = m->manifest.entries[entry];
  if (nargs != static_cast<int32_t>(e.args.size()))
    return invalidArg("entry '" + e.name + "' takes " +
                      std::to_string(e.args.size()) + " arguments, got " +
                      std::to_string(nargs));
  if (nargs > 0 && !args)
    return invalidArg("entry '" + e.name + "': argument array is NULL");
  for (int32_t i = 0; i < nargs; ++i)
    if (phx_status s = checkView("argument", e.args[i], i, args[i], true,
                                 device, purpose))
      return s;
  if (e.op.kind == OpKind::Scan || e.op.kind == OpKind::Layer) {
    std::vector<std::string> names;
    for (const auto &a : e.args)
      names.push_back(a.name);
    if (phx_status s =
            checkOpConsistency(opShapeSpec(e.op), names, args, nargs))
      return s;
  }
  return nullptr;
}

static std::vector<int64_t> resultShape(const Entry &e, int r,
                                        const phx_tensor *args) {
  const TensorSig &sig = e.results[r];
  std::vector<int64_t> shape(sig.shape.size());
  for (size_t k = 0; k < shape.size(); ++k) {
    auto f = sig.shapeFrom[k];
    shape[k] = f.first >= 0 ? args[f.first].shape[f.second] : sig.shape[k];
  }
  return shape;
}

phx_status checkEntryDevice(const Entry &e, phx_device device) {
  if (e.device == phx_device_name(device))
    return nullptr;
  return makeStatus(PHX_STATUS_FAILED_PRECONDITION,
                    "entry '" + e.name + "' was compiled for " + e.device +
                        "; run it with --device " + e.device +
                        " (the module was loaded for " +
                        phx_device_name(device) + ")");
}

static phx_status invokeChecked(const phx_module *m, int32_t entry,
                                const phx_tensor *args, int32_t nargs,
                                const phx_tensor *results, int32_t nresults) {
  if (m && entry >= 0 &&
      entry < static_cast<int32_t>(m->manifest.entries.size()))
    if (phx_status s = checkEntryDevice(m->manifest.entries[entry], m->device))
      return s;
  const char *purpose =
      m && m->device == PHX_DEVICE_CUDA ? "the CUDA backend" : "the CPU backend";
  if (phx_status s = checkArgs(m, entry, args, nargs,
                               m ? int(m->device) : -1, purpose))
    return s;
  const Entry &e = m->manifest.entries[entry];
  if (nresults != static_cast<int32_t>(e.results.size()))
    return invalidArg("entry '" + e.name + "' has " +
                      std::to_string(e.results.size()) + " results, got " +
                      std::to_string(nresults) + " result buffers");
  if (!results)
    return invalidArg("entry '" + e.name + "': result array is NULL");
  for (int32_t r = 0; r < nresults; ++r) {
    if (phx_status s = checkView("result", e.results[r], r, results[r], false,
                                 int(m->device), purpose))
      return s;
    std::vector<int64_t> want = resultShape(e, r, args);
    for (size_t k = 0; k < want.size(); ++k)
      if (results[r].shape[k] != want[k])
        return invalidArg(argLabel("result", e.results[r], r) + " has shape " +
                          shapeToString(results[r].shape, results[r].rank) +
                          " but the arguments give " + shapeToString(want));
  }
  return m->backend->run(e, args, results);
}

} // namespace phx

using namespace phx;

static const Entry *entryAt(const phx_module *m, int32_t e) {
  if (!m || e < 0 || e >= static_cast<int32_t>(m->manifest.entries.size()))
    return nullptr;
  return &m->manifest.entries[e];
}
// Signature i of an entry's `list` (Entry::args or Entry::results).
static const TensorSig *sigAt(const phx_module *m, int32_t e, int32_t i,
                              std::vector<TensorSig> Entry::*list) {
  const Entry *en = entryAt(m, e);
  if (!en || i < 0 || i >= static_cast<int32_t>((en->*list).size()))
    return nullptr;
  return &(en->*list)[i];
}
static const TensorSig *argAt(const phx_module *m, int32_t e, int32_t i) {
  return sigAt(m, e, i, &Entry::args);
}
static const TensorSig *resAt(const phx_module *m, int32_t e, int32_t i) {
  return sigAt(m, e, i, &Entry::results);
}

extern "C" {

phx_status phx_module_load_memory(const void *data, size_t size,
                                  const char *name, phx_device device,
                                  phx_module **out) {
  PHX_GUARD_BEGIN
  if (!out)
    return invalidArg("phx_module_load_memory: out is NULL");
  *out = nullptr;
  if (!data && size)
    return invalidArg("phx_module_load_memory: data is NULL");
  const uint8_t *p = static_cast<const uint8_t *>(data);
  std::vector<uint8_t> bytes(p, p + size);
  return loadBytes(std::move(bytes), name ? name : "<memory>", device, out);
  PHX_GUARD_END
}

phx_status phx_module_load_file(const char *path, phx_device device,
                                phx_module **out) {
  PHX_GUARD_BEGIN
  if (!out)
    return invalidArg("phx_module_load_file: out is NULL");
  *out = nullptr;
  if (!path)
    return invalidArg("phx_module_load_file: path is NULL");
  FILE *f = std::fopen(path, "rb");
  if (!f) {
    int err = errno;
    return makeStatus(err == ENOENT ? PHX_STATUS_NOT_FOUND : PHX_STATUS_IO_ERROR,
                      "cannot open artifact '" + std::string(path) +
                          "': " + std::strerror(err));
  }
  std::vector<uint8_t> bytes;
  uint8_t buf[65536];
  size_t got;
  while ((got = std::fread(buf, 1, sizeof buf, f)) > 0)
    bytes.insert(bytes.end(), buf, buf + got);
  bool bad = std::ferror(f);
  std::fclose(f);
  if (bad)
    return makeStatus(PHX_STATUS_IO_ERROR,
                      "error reading artifact '" + std::string(path) + "'");
  return loadBytes(std::move(bytes), path, device, out);
  PHX_GUARD_END
}

void phx_module_free(phx_module *module) { delete module; }

const char *phx_module_name(const phx_module *m) {
  return m ? m->name.c_str() : nullptr;
}
const char *phx_module_producer(const phx_module *m) {
  return m ? m->manifest.producer.c_str() : nullptr;
}
phx_device phx_module_device(const phx_module *m) {
  return m ? m->device : PHX_DEVICE_CPU;
}
const char *phx_module_manifest(const phx_module *m) {
  return m ? m->manifest.text.c_str() : nullptr;
}

int32_t phx_module_entry_count(const phx_module *m) {
  return m ? static_cast<int32_t>(m->manifest.entries.size()) : 0;
}
const char *phx_module_entry_name(const phx_module *m, int32_t e) {
  const Entry *en = entryAt(m, e);
  return en ? en->name.c_str() : nullptr;
}
int32_t phx_module_find_entry(const phx_module *m, const char *name) {
  if (!m || !name)
    return -1;
  for (size_t i = 0; i < m->manifest.entries.size(); ++i)
    if (m->manifest.entries[i].name == name)
      return static_cast<int32_t>(i);
  return -1;
}
const char *phx_entry_symbol(const phx_module *m, int32_t e) {
  const Entry *en = entryAt(m, e);
  return en ? en->symbol.c_str() : nullptr;
}
const char *phx_entry_device(const phx_module *m, int32_t e) {
  const Entry *en = entryAt(m, e);
  return en ? en->device.c_str() : nullptr;
}
const char *phx_entry_op_kind(const phx_module *m, int32_t e) {
  const Entry *en = entryAt(m, e);
  return en && en->op.kind != OpKind::None ? en->op.kindName.c_str() : nullptr;
}
const char *phx_entry_op_json(const phx_module *m, int32_t e) {
  const Entry *en = entryAt(m, e);
  return en && en->op.kind != OpKind::None ? en->op.json.c_str() : nullptr;
}
int32_t phx_entry_arg_count(const phx_module *m, int32_t e) {
  const Entry *en = entryAt(m, e);
  return en ? static_cast<int32_t>(en->args.size()) : -1;
}
int32_t phx_entry_result_count(const phx_module *m, int32_t e) {
  const Entry *en = entryAt(m, e);
  return en ? static_cast<int32_t>(en->results.size()) : -1;
}
const char *phx_entry_arg_name(const phx_module *m, int32_t e, int32_t i) {
  const TensorSig *s = argAt(m, e, i);
  return s ? s->name.c_str() : nullptr;
}
phx_dtype phx_entry_arg_dtype(const phx_module *m, int32_t e, int32_t i) {
  const TensorSig *s = argAt(m, e, i);
  return s ? s->dtype : PHX_DTYPE_INVALID;
}
int32_t phx_entry_arg_rank(const phx_module *m, int32_t e, int32_t i) {
  const TensorSig *s = argAt(m, e, i);
  return s ? static_cast<int32_t>(s->shape.size()) : -1;
}
const int64_t *phx_entry_arg_shape(const phx_module *m, int32_t e, int32_t i) {
  const TensorSig *s = argAt(m, e, i);
  return s ? s->shape.data() : nullptr;
}
const char *phx_entry_arg_role(const phx_module *m, int32_t e, int32_t i) {
  const Entry *en = entryAt(m, e);
  if (!argAt(m, e, i) || en->argRoles[i].empty())
    return nullptr;
  return en->argRoles[i].c_str();
}
const char *phx_entry_arg_dim_symbol(const phx_module *m, int32_t e, int32_t i,
                                     int32_t d) {
  const Entry *en = entryAt(m, e);
  if (!argAt(m, e, i) || d < 0 ||
      d >= static_cast<int32_t>(en->dimSymbols[i].size()) ||
      en->dimSymbols[i][d].empty())
    return nullptr;
  return en->dimSymbols[i][d].c_str();
}
const char *phx_entry_result_name(const phx_module *m, int32_t e, int32_t i) {
  const TensorSig *s = resAt(m, e, i);
  return s ? s->name.c_str() : nullptr;
}
phx_dtype phx_entry_result_dtype(const phx_module *m, int32_t e, int32_t i) {
  const TensorSig *s = resAt(m, e, i);
  return s ? s->dtype : PHX_DTYPE_INVALID;
}
int32_t phx_entry_result_rank(const phx_module *m, int32_t e, int32_t i) {
  const TensorSig *s = resAt(m, e, i);
  return s ? static_cast<int32_t>(s->shape.size()) : -1;
}
const int64_t *phx_entry_result_shape(const phx_module *m, int32_t e,
                                      int32_t i) {
  const TensorSig *s = resAt(m, e, i);
  return s ? s->shape.data() : nullptr;
}

phx_status phx_entry_compute_result_shape(const phx_module *m, int32_t entry,
                                          const phx_tensor *args, int32_t nargs,
                                          int32_t result, int64_t *shape_out) {
  PHX_GUARD_BEGIN
  if (phx_status s = checkArgs(m, entry, args, nargs, -1, ""))
    return s;
  const Entry &e = m->manifest.entries[entry];
  if (result < 0 || result >= static_cast<int32_t>(e.results.size()))
    return invalidArg("entry '" + e.name + "' has no result #" +
                      std::to_string(result));
  if (!shape_out && !e.results[result].shape.empty())
    return invalidArg("phx_entry_compute_result_shape: shape_out is NULL");
  std::vector<int64_t> shape = resultShape(e, result, args);
  for (size_t k = 0; k < shape.size(); ++k)
    shape_out[k] = shape[k];
  return nullptr;
  PHX_GUARD_END
}

phx_status phx_invoke_index(const phx_module *m, int32_t entry,
                            const phx_tensor *args, int32_t nargs,
                            const phx_tensor *results, int32_t nresults) {
  PHX_GUARD_BEGIN
  return invokeChecked(m, entry, args, nargs, results, nresults);
  PHX_GUARD_END
}

phx_status phx_invoke(const phx_module *m, const char *entry_name,
                      const phx_tensor *args, int32_t nargs,
                      const phx_tensor *results, int32_t nresults) {
  PHX_GUARD_BEGIN
  if (!m)
    return invalidArg("module is NULL");
  if (!entry_name)
    return invalidArg("entry name is NULL");
  int32_t idx = phx_module_find_entry(m, entry_name);
  if (idx < 0) {
    std::string names;
    for (const auto &e : m->manifest.entries)
      names += (names.empty() ? "" : ", ") + e.name;
    return makeStatus(PHX_STATUS_NOT_FOUND,
                      "artifact '" + m->name + "' has no entry '" +
                          entry_name + "' (entries: " + names + ")");
  }
  return invokeChecked(m, idx, args, nargs, results, nresults);
  PHX_GUARD_END
}

phx_status phx_reference_run(const phx_module *m, const char *entry_name,
                             const phx_tensor *args, int32_t nargs, double *out,
                             size_t out_len) {
  PHX_GUARD_BEGIN
  if (!m || !entry_name)
    return invalidArg("phx_reference_run: module or entry name is NULL");
  int32_t idx = phx_module_find_entry(m, entry_name);
  if (idx < 0)
    return makeStatus(PHX_STATUS_NOT_FOUND, "artifact '" + m->name +
                                                "' has no entry '" +
                                                entry_name + "'");
  const Entry &e = m->manifest.entries[idx];
  if (e.op.kind != OpKind::Scan && e.op.kind != OpKind::Layer)
    return makeStatus(PHX_STATUS_FAILED_PRECONDITION,
                      "entry '" + e.name + "' has " +
                          (e.op.kind == OpKind::None
                               ? std::string("no \"op\" description")
                               : "an op of unknown kind '" + e.op.kindName +
                                     "'") +
                          ", so no reference is available");
  if (phx_status s = checkArgs(m, idx, args, nargs, PHX_DEVICE_CPU,
                               "the float64 reference"))
    return s;
  return referenceRun(e.op, args, nargs, out, out_len);
  PHX_GUARD_END
}

phx_status phx_reference_run_op(const char *op_json, const phx_tensor *args,
                                int32_t nargs, double *out, size_t out_len) {
  PHX_GUARD_BEGIN
  if (!op_json)
    return invalidArg("phx_reference_run_op: op_json is NULL");
  OpDesc op;
  std::string err;
  if (!parseOpText(op_json, op, err))
    return invalidArg(err);
  if (op.kind != OpKind::Scan && op.kind != OpKind::Layer)
    return makeStatus(PHX_STATUS_UNIMPLEMENTED,
                      "no reference for op kind '" + op.kindName + "'");
  if (nargs < 0 || (nargs > 0 && !args))
    return invalidArg("phx_reference_run_op: bad argument array");
  OpShapeSpec spec = opShapeSpec(op);
  std::vector<std::string> names(static_cast<size_t>(nargs));
  for (const auto &o : spec.operands)
    if (o.arg < nargs)
      names[o.arg] = o.role;
  for (const auto &o : spec.operands) {
    if (o.arg >= nargs)
      return invalidArg("op operand '" + o.role + "' is argument #" +
                        std::to_string(o.arg) + " but only " +
                        std::to_string(nargs) + " were given");
    const phx_tensor &t = args[o.arg];
    std::string nm = "argument '" + o.role + "' (#" + std::to_string(o.arg) + ")";
    if (!t.data)
      return invalidArg(nm + " has a null data pointer");
    if (t.device != PHX_DEVICE_CPU)
      return invalidArg(nm + " must be in host memory (device cpu) for the "
                             "float64 reference");
    if (phx_dtype_size(t.dtype) == 0)
      return invalidArg(nm + " has an invalid dtype");
    if (o.floating ? !phx_dtype_is_float(t.dtype) : t.dtype != PHX_DTYPE_I1)
      return invalidArg(nm + " has dtype " + phx_dtype_name(t.dtype) +
                        (o.floating ? " but must be a float dtype"
                                    : " but must be i1"));
    if (t.rank != static_cast<int32_t>(o.dims.size()) ||
        (t.rank > 0 && !t.shape))
      return invalidArg(nm + " must have rank " + std::to_string(o.dims.size()));
    for (int32_t d = 0; d < t.rank; ++d)
      if (t.shape[d] < 0)
        return invalidArg(nm + " has a negative dim");
  }
  if (phx_status s = checkOpConsistency(spec, names, args, nargs))
    return s;
  return referenceRun(op, args, nargs, out, out_len);
  PHX_GUARD_END
}

phx_status phx_relative_error(const phx_tensor *y, const double *ref, size_t n,
                              double *rel_err, int64_t *nonfinite) {
  PHX_GUARD_BEGIN
  if (!y || !rel_err || (n && (!ref || !y->data)))
    return invalidArg("phx_relative_error: null pointer");
  if (phx_dtype_size(y->dtype) == 0)
    return invalidArg("phx_relative_error: invalid dtype");
  if (y->device != PHX_DEVICE_CPU)
    return invalidArg("phx_relative_error: the tensor must be in host memory "
                      "(device cpu); copy it with phx_buffer_copy_to_host");
  size_t numel = 1;
  for (int32_t d = 0; d < y->rank; ++d)
    numel *= y->shape ? static_cast<size_t>(y->shape[d]) : 0;
  if (numel != n)
    return invalidArg("phx_relative_error: tensor has " +
                      std::to_string(numel) + " elements, reference has " +
                      std::to_string(n));
  long double num = 0, den = 0;
  int64_t bad = 0;
  for (size_t i = 0; i < n; ++i) {
    double v = loadAsDouble(y->data, y->dtype, i);
    if (!std::isfinite(v)) {
      ++bad;
      continue;
    }
    long double diff = static_cast<long double>(v) - ref[i];
    num += diff * diff;
    den += static_cast<long double>(ref[i]) * ref[i];
  }
  double err = den > 0 ? static_cast<double>(std::sqrt(num / den))
                       : static_cast<double>(std::sqrt(num));
  if (bad)
    err = std::numeric_limits<double>::quiet_NaN();
  *rel_err = err;
  if (nonfinite)
    *nonfinite = bad;
  return nullptr;
  PHX_GUARD_END
}

double phx_default_tolerance(phx_dtype dt) {
  switch (dt) {
  case PHX_DTYPE_F32: return 1e-5;
  case PHX_DTYPE_BF16: return 8e-3;
  case PHX_DTYPE_F16: return 2e-3;
  case PHX_DTYPE_F64: return 1e-12;
  default: return 0.0;
  }
}

} // extern "C"
