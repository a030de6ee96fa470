#include "npy.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace npy {

const char *descr(Type t) {
  switch (t) {
  case Type::F16: return "<f2";
  case Type::F32: return "<f4";
  case Type::F64: return "<f8";
  case Type::Bool: return "|b1";
  case Type::U8: return "|u1";
  case Type::I8: return "|i1";
  case Type::I32: return "<i4";
  case Type::I64: return "<i8";
  }
  return "?";
}

size_t itemSize(Type t) {
  switch (t) {
  case Type::Bool: case Type::U8: case Type::I8: return 1;
  case Type::F16: return 2;
  case Type::F32: case Type::I32: return 4;
  case Type::F64: case Type::I64: return 8;
  }
  return 0;
}

size_t Array::numel() const {
  size_t n = 1;
  for (int64_t d : shape)
    n *= static_cast<size_t>(d);
  return n;
}

namespace {

// Parser for the header dict, a Python literal such as
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
struct HeaderParser {
  const std::string &s;
  size_t p = 0;
  std::string err;

  void ws() {
    while (p < s.size() && (s[p] == ' ' || s[p] == '\n' || s[p] == '\t' || s[p] == '\r'))
      ++p;
  }
  bool expect(char c) {
    ws();
    if (p < s.size() && s[p] == c) {
      ++p;
      return true;
    }
    err = std::string("expected '") + c + "' at header offset " + std::to_string(p);
    return false;
  }
  bool str(std::string &out) {
    ws();
    if (p >= s.size() || (s[p] != '\'' && s[p] != '"')) {
      err = "expected a string at header offset " + std::to_string(p);
      return false;
    }
    char q = s[p++];
    size_t e = s.find(q, p);
    if (e == std::string::npos) {
      err = "unterminated string in header";
      return false;
    }
    out = s.substr(p, e - p);
    p = e + 1;
    return true;
  }
  bool integer(int64_t &v) {
    ws();
    size_t st = p;
    v = 0;
    while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
      if (v > (int64_t(1) << 50)) {
        err = "shape dim too large in header";
        return false;
      }
      v = v * 10 + (s[p++] - '0');
    }
    if (p < s.size() && s[p] == 'L')
      ++p;
    if (p == st) {
      err = "expected an integer at header offset " + std::to_string(p);
      return false;
    }
    return true;
  }
};

} // namespace

bool decode(const std::vector<uint8_t> &b, const std::string &name, Array &out,
            std::string &error) {
  auto fail = [&](const std::string &m) {
    error = "'" + name + "': " + m;
    return false;
  };
  if (b.size() < 10 || std::memcmp(b.data(), "\x93NUMPY", 6) != 0)
    return fail("not a .npy file (bad magic)");
  int major = b[6];
  size_t hlen, hstart;
  if (major == 1) {
    hlen = size_t(b[8]) | size_t(b[9]) << 8;
    hstart = 10;
  } else if (major == 2 || major == 3) {
    if (b.size() < 12)
      return fail("truncated header");
    hlen = size_t(b[8]) | size_t(b[9]) << 8 | size_t(b[10]) << 16 |
           size_t(b[11]) << 24;
    hstart = 12;
  } else {
    return fail("unsupported .npy format version " + std::to_string(major));
  }
  if (hlen > b.size() - hstart)
    return fail("truncated header");
  std::string h(reinterpret_cast<const char *>(b.data() + hstart), hlen);
  HeaderParser hp{h, 0, std::string()};
  std::string descrStr;
  bool haveDescr = false, haveOrder = false, haveShape = false, fortran = false;
  std::vector<int64_t> shape;
  if (!hp.expect('{'))
    return fail(hp.err);
  while (true) {
    hp.ws();
    if (hp.p < h.size() && h[hp.p] == '}') {
      ++hp.p;
      break;
    }
    std::string key;
    if (!hp.str(key) || !hp.expect(':'))
      return fail(hp.err);
    hp.ws();
    if (key == "descr") {
      if (!hp.str(descrStr))
        return fail(hp.err);
      haveDescr = true;
    } else if (key == "fortran_order") {
      if (h.compare(hp.p, 4, "True") == 0) {
        fortran = true;
        hp.p += 4;
      } else if (h.compare(hp.p, 5, "False") == 0) {
        hp.p += 5;
      } else {
        return fail("fortran_order must be True or False");
      }
      haveOrder = true;
    } else if (key == "shape") {
      if (!hp.expect('('))
        return fail(hp.err);
      while (true) {
        hp.ws();
        if (hp.p < h.size() && h[hp.p] == ')') {
          ++hp.p;
          break;
        }
        int64_t v;
        if (!hp.integer(v))
          return fail(hp.err);
        shape.push_back(v);
        hp.ws();
        if (hp.p < h.size() && h[hp.p] == ',')
          ++hp.p;
        else if (!(hp.p < h.size() && h[hp.p] == ')'))
          return fail("malformed shape tuple in header");
      }
      haveShape = true;
    } else {
      return fail("unexpected header key '" + key + "'");
    }
    hp.ws();
    if (hp.p < h.size() && h[hp.p] == ',')
      ++hp.p;
  }
  if (!haveDescr || !haveOrder || !haveShape)
    return fail("header lacks descr, fortran_order or shape");
  if (fortran)
    return fail("Fortran-order arrays are not supported; save a C-order array "
                "(numpy.ascontiguousarray)");
  static const Type all[] = {Type::F16, Type::F32, Type::F64, Type::Bool,
                             Type::U8,  Type::I8,  Type::I32, Type::I64};
  bool found = false;
  std::string d = descrStr;
  if (d.size() == 3 && d[0] == '=')
    d[0] = '<';
  if (d == "<b1" || d == "<u1" || d == "<i1")
    d[0] = '|';
  for (Type t : all)
    if (d == descr(t)) {
      out.type = t;
      found = true;
    }
  if (!found)
    return fail("unsupported dtype '" + descrStr +
                "' (supported: <f2 <f4 <f8 |b1 |u1 |i1 <i4 <i8, little-endian)");
  out.shape = shape;
  size_t need = out.numel() * itemSize(out.type);
  size_t have = b.size() - hstart - hlen;
  if (have < need)
    return fail("truncated data: needs " + std::to_string(need) +
                " bytes, file has " + std::to_string(have));
  if (have > need)
    return fail("file has " + std::to_string(have - need) +
                " bytes of trailing data");
  out.data.assign(b.begin() + static_cast<std::ptrdiff_t>(hstart + hlen),
                  b.end());
  return true;
}

bool readFile(const std::string &path, Array &out, std::string &error) {
  FILE *f = std::fopen(path.c_str(), "rb");
  if (!f) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return false;
  }
  std::vector<uint8_t> bytes;
  uint8_t buf[65536];
  size_t got;
  while ((got = std::fread(buf, 1, sizeof buf, f)) > 0)
    bytes.insert(bytes.end(), buf, buf + got);
  std::fclose(f);
  return decode(bytes, path, out, error);
}

std::vector<uint8_t> encode(const Array &a) {
  std::string h = std::string("{'descr': '") + descr(a.type) +
                  "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < a.shape.size(); ++i) {
    h += std::to_string(a.shape[i]);
    if (a.shape.size() == 1 || i + 1 < a.shape.size())
      h += ",";
    if (i + 1 < a.shape.size())
      h += " ";
  }
  h += "), }";
  bool v2 = h.size() + 11 > 65535;
  size_t pre = v2 ? 12 : 10;
  size_t total = pre + h.size() + 1;
  size_t pad = (64 - total % 64) % 64;
  h.append(pad, ' ');
  h += '\n';
  std::vector<uint8_t> out(pre);
  std::memcpy(out.data(), "\x93NUMPY", 6);
  out[6] = v2 ? 2 : 1;
  out[7] = 0;
  size_t n = h.size();
  out[8] = uint8_t(n);
  out[9] = uint8_t(n >> 8);
  if (v2) {
    out[10] = uint8_t(n >> 16);
    out[11] = uint8_t(n >> 24);
  }
  out.insert(out.end(), h.begin(), h.end());
  out.insert(out.end(), a.data.begin(), a.data.end());
  return out;
}

bool writeFile(const std::string &path, const Array &a, std::string &error) {
  std::vector<uint8_t> bytes = encode(a);
  FILE *f = std::fopen(path.c_str(), "wb");
  if (!f) {
    error = "cannot create '" + path + "': " + std::strerror(errno);
    return false;
  }
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  ok = (std::fclose(f) == 0) && ok;
  if (!ok)
    error = "error writing '" + path + "'";
  return ok;
}

} // namespace npy
