// Minimal .npy reader/writer (format versions 1.0, 2.0 and 3.0; C order;
// little-endian).  Shared by phalanx-run and the runtime unit tests.
#ifndef PHALANX_RUN_NPY_H
#define PHALANX_RUN_NPY_H

#include <cstdint>
#include <string>
#include <vector>

namespace npy {

enum class Type { F16, F32, F64, Bool, U8, I8, I32, I64 };

// "<f2", "<f4", "<f8", "|b1", "|u1", "|i1", "<i4", "<i8"
const char *descr(Type t);
size_t itemSize(Type t);

struct Array {
  Type type = Type::F32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> data; // raw little-endian element bytes, C order
  size_t numel() const;
};

// Parses .npy bytes; `name` is used in error messages.
bool decode(const std::vector<uint8_t> &bytes, const std::string &name,
            Array &out, std::string &error);
bool readFile(const std::string &path, Array &out, std::string &error);

std::vector<uint8_t> encode(const Array &a);
bool writeFile(const std::string &path, const Array &a, std::string &error);

} // namespace npy

#endif
