#include "npy.h"
#include "test.h"

#include <cstdio>
#include <cstring>
#include <unistd.h>

TEST(npy_round_trip) {
  const npy::Type types[] = {npy::Type::F16, npy::Type::F32, npy::Type::F64,
                             npy::Type::Bool, npy::Type::U8, npy::Type::I8,
                             npy::Type::I32, npy::Type::I64};
  const std::vector<std::vector<int64_t>> shapes = {{}, {5}, {2, 3}, {2, 0, 4}, {1, 2, 3, 4}};
  for (npy::Type t : types)
    for (const auto &shape : shapes) {
      npy::Array a;
      a.type = t;
      a.shape = shape;
      a.data.resize(a.numel() * npy::itemSize(t));
      for (size_t i = 0; i < a.data.size(); ++i)
        a.data[i] = uint8_t(i * 37 + 1);
      if (t == npy::Type::Bool)
        for (auto &x : a.data)
          x &= 1;
      std::vector<uint8_t> bytes = npy::encode(a);
      // Header (magic + len + dict) is padded to a multiple of 64 bytes.
      CHECK_EQ((bytes.size() - a.data.size()) % 64, size_t(0));
      CHECK_EQ(int(bytes[bytes.size() - a.data.size() - 1]), int('\n'));
      npy::Array b;
      std::string err;
      CHECK(npy::decode(bytes, "t.npy", b, err));
      CHECK_EQ(err, std::string(""));
      CHECK(b.type == t);
      CHECK(b.shape == shape);
      CHECK(b.data == a.data);
    }
  // Through a file.
  npy::Array a;
  a.type = npy::Type::F32;
  a.shape = {3};
  float v[3] = {1.5f, -2.0f, 3.25f};
  a.data.assign(reinterpret_cast<uint8_t *>(v), reinterpret_cast<uint8_t *>(v) + 12);
  char path[] = "/tmp/phx-npy-XXXXXX";
  int fd = mkstemp(path);
  close(fd);
  std::string err;
  CHECK(npy::writeFile(path, a, err));
  npy::Array b;
  CHECK(npy::readFile(path, b, err));
  CHECK(b.data == a.data);
  unlink(path);
}

namespace {
std::vector<uint8_t> rawNpy(int major, const std::string &header,
                            size_t dataBytes) {
  std::vector<uint8_t> b = {0x93, 'N', 'U', 'M', 'P', 'Y', uint8_t(major), 0};
  size_t n = header.size();
  b.push_back(uint8_t(n));
  b.push_back(uint8_t(n >> 8));
  if (major >= 2) {
    b.push_back(uint8_t(n >> 16));
    b.push_back(uint8_t(n >> 24));
  }
  b.insert(b.end(), header.begin(), header.end());
  b.resize(b.size() + dataBytes, 0);
  return b;
}
std::string decodeErr(const std::vector<uint8_t> &b) {
  npy::Array a;
  std::string err;
  return npy::decode(b, "in.npy", a, err) ? "OK" : err;
}
} // namespace

TEST(npy_errors_and_variants) {
  CHECK_EQ(decodeErr(rawNpy(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n", 8)),
           std::string("OK"));
  CHECK_EQ(decodeErr(rawNpy(1, "{'shape': (2, 2), 'fortran_order': False, 'descr': '<i8'}\n", 32)),
           std::string("OK"));
  CHECK_CONTAINS(decodeErr(rawNpy(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }\n", 16)),
                 "'in.npy': Fortran-order arrays are not supported");
  CHECK_CONTAINS(decodeErr(rawNpy(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }\n", 8)),
                 "unsupported dtype '>f4'");
  CHECK_CONTAINS(decodeErr(rawNpy(1, "{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }\n", 16)),
                 "unsupported dtype '<c8'");
  CHECK_CONTAINS(decodeErr(rawNpy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }\n", 8)),
                 "truncated data: needs 12 bytes, file has 8");
  CHECK_CONTAINS(decodeErr(rawNpy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n", 9)),
                 "1 bytes of trailing data");
  CHECK_CONTAINS(decodeErr(rawNpy(1, "{'descr': '<f4', 'shape': (2,), }\n", 8)),
                 "header lacks descr, fortran_order or shape");
  CHECK_CONTAINS(decodeErr(std::vector<uint8_t>{1, 2, 3}), "not a .npy file");
  CHECK_CONTAINS(decodeErr(rawNpy(4, "{}", 0)), "unsupported .npy format version 4");
  auto b = rawNpy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n", 8);
  b.resize(20);
  CHECK_CONTAINS(decodeErr(b), "truncated header");
  npy::Array a;
  std::string err;
  CHECK(!npy::readFile("/nonexistent/x.npy", a, err));
  CHECK_CONTAINS(err, "cannot open '/nonexistent/x.npy'");
}
