// Status objects, dtypes and float conversions.
#include "internal.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <new>

namespace phx {

phx_status makeStatus(phx_status_code code, const std::string &message) {
  static phx_status_s oom{PHX_STATUS_OUT_OF_MEMORY, std::string()};
  try {
    return new phx_status_s{code, message};
  } catch (...) {
    return &oom; // never freed (phx_status_free ignores it)
  }
}

std::string shapeToString(const int64_t *shape, int32_t rank) {
  std::string s = "[";
  for (int32_t i = 0; i < rank; ++i) {
    if (i)
      s += ", ";
    s += shape[i] < 0 ? std::string("?") : std::to_string(shape[i]);
  }
  return s + "]";
}

std::string shapeToString(const std::vector<int64_t> &shape) {
  return shapeToString(shape.data(), static_cast<int32_t>(shape.size()));
}

uint64_t fnv1a64(const uint8_t *data, size_t size) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < size; ++i) {
    h ^= data[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

// Rounds a double to a binary format with 1 sign bit, expBits exponent bits
// and mantBits stored mantissa bits (IEEE layout), round to nearest even.
uint16_t roundToHalfLike(double v, int expBits, int mantBits) {
  const uint32_t expMask = ((1u << expBits) - 1u) << mantBits;
  const uint32_t sign = std::signbit(v) ? (1u << (expBits + mantBits)) : 0u;
  if (std::isnan(v))
    return static_cast<uint16_t>(sign | expMask | (1u << (mantBits - 1)));
  double a = std::fabs(v);
  if (std::isinf(a))
    return static_cast<uint16_t>(sign | expMask);
  if (a == 0.0)
    return static_cast<uint16_t>(sign);
  const int bias = (1 << (expBits - 1)) - 1;
  const int emin = 1 - bias;
  int e2;
  std::frexp(a, &e2); // a = f * 2^e2, f in [0.5, 1)
  int E = e2 - 1;     // exponent of the leading bit
  if (E > bias + 1)   // far beyond the largest finite value
    return static_cast<uint16_t>(sign | expMask);
  int qexp = (E < emin ? emin : E) - mantBits;
  double q = std::ldexp(a, -qexp); // exact
  double fl = std::floor(q);
  double diff = q - fl;
  uint64_t r = static_cast<uint64_t>(fl);
  if (diff > 0.5 || (diff == 0.5 && (r & 1u)))
    ++r;
  uint64_t bits;
  if (E < emin)
    bits = r; // subnormal (r == 2^mantBits rolls into the smallest normal)
  else
    bits = (static_cast<uint64_t>(E + bias) << mantBits) +
           (r - (1ull << mantBits));
  if (bits >= expMask)
    bits = expMask; // overflow to infinity
  return static_cast<uint16_t>(sign | bits);
}

double halfLikeToDouble(uint16_t bits, int expBits, int mantBits) {
  const uint32_t mantMask = (1u << mantBits) - 1u;
  const uint32_t expAll = (1u << expBits) - 1u;
  bool neg = (bits >> (expBits + mantBits)) & 1u;
  uint32_t e = (bits >> mantBits) & expAll;
  uint32_t m = bits & mantMask;
  const int bias = (1 << (expBits - 1)) - 1;
  double v;
  if (e == expAll)
    v = m ? std::numeric_limits<double>::quiet_NaN()
          : std::numeric_limits<double>::infinity();
  else if (e == 0)
    v = std::ldexp(static_cast<double>(m), 1 - bias - mantBits);
  else
    v = std::ldexp(static_cast<double>(m | (1u << mantBits)),
                   static_cast<int>(e) - bias - mantBits);
  return neg ? -v : v;
}

// Element i of a buffer of T (unaligned).
template <typename T> static T loadAt(const uint8_t *p, size_t i) {
  T v;
  std::memcpy(&v, p + sizeof(T) * i, sizeof(T));
  return v;
}
template <typename T> static void storeAt(uint8_t *p, size_t i, T v) {
  std::memcpy(p + sizeof(T) * i, &v, sizeof(T));
}

double loadAsDouble(const void *data, phx_dtype dtype, size_t i) {
  const uint8_t *p = static_cast<const uint8_t *>(data);
  switch (dtype) {
  case PHX_DTYPE_BF16: return halfLikeToDouble(loadAt<uint16_t>(p, i), 8, 7);
  case PHX_DTYPE_F16: return halfLikeToDouble(loadAt<uint16_t>(p, i), 5, 10);
  case PHX_DTYPE_F32: return loadAt<float>(p, i);
  case PHX_DTYPE_F64: return loadAt<double>(p, i);
  case PHX_DTYPE_I1: return p[i] ? 1.0 : 0.0;
  case PHX_DTYPE_I8: return static_cast<int8_t>(p[i]);
  case PHX_DTYPE_I32: return loadAt<int32_t>(p, i);
  case PHX_DTYPE_I64: return static_cast<double>(loadAt<int64_t>(p, i));
  default: return 0.0;
  }
}

template <typename T> static T saturatingInt(double v) {
  if (std::isnan(v))
    return 0;
  double t = std::trunc(v);
  if (t <= static_cast<double>(std::numeric_limits<T>::min()))
    return std::numeric_limits<T>::min();
  if (t >= static_cast<double>(std::numeric_limits<T>::max()))
    return std::numeric_limits<T>::max();
  return static_cast<T>(t);
}

void storeFromDouble(void *data, phx_dtype dtype, size_t i, double v) {
  uint8_t *p = static_cast<uint8_t *>(data);
  switch (dtype) {
  case PHX_DTYPE_BF16: storeAt(p, i, roundToHalfLike(v, 8, 7)); break;
  case PHX_DTYPE_F16: storeAt(p, i, roundToHalfLike(v, 5, 10)); break;
  case PHX_DTYPE_F32: storeAt(p, i, static_cast<float>(v)); break;
  case PHX_DTYPE_F64: storeAt(p, i, v); break;
  case PHX_DTYPE_I1: p[i] = (v != 0.0) ? 1 : 0; break;
  case PHX_DTYPE_I8: p[i] = static_cast<uint8_t>(saturatingInt<int8_t>(v)); break;
  case PHX_DTYPE_I32: storeAt(p, i, saturatingInt<int32_t>(v)); break;
  case PHX_DTYPE_I64: storeAt(p, i, saturatingInt<int64_t>(v)); break;
  default: break;
  }
}

} // namespace phx

using namespace phx;

// The argument checks of phx_convert_{from,to}_f64 (`fn`).
static phx_status checkConversion(const char *fn, phx_dtype dtype, size_t n,
                                  const void *src, const void *dst) {
  if (phx_dtype_size(dtype) == 0)
    return invalidArg(std::string(fn) + ": invalid dtype");
  if (n && (!src || !dst))
    return invalidArg(std::string(fn) + ": null buffer");
  return nullptr;
}

extern "C" {

const char *phx_runtime_version(void) { return "0.1.0"; }
int32_t phx_artifact_format_version(void) { return PHX_ARTIFACT_FORMAT_VERSION; }

phx_status_code phx_status_get_code(phx_status status) {
  return status ? status->code : PHX_STATUS_OK;
}

const char *phx_status_message(phx_status status) {
  if (!status)
    return "OK";
  if (status->message.empty())
    return phx_status_code_name(status->code);
  return status->message.c_str();
}

void phx_status_free(phx_status status) {
  if (!status || (status->code == PHX_STATUS_OUT_OF_MEMORY &&
                  status->message.empty()))
    return; // NULL or the static OOM status
  delete status;
}

const char *phx_status_code_name(phx_status_code code) {
  switch (code) {
  case PHX_STATUS_OK: return "OK";
  case PHX_STATUS_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
  case PHX_STATUS_NOT_FOUND: return "NOT_FOUND";
  case PHX_STATUS_IO_ERROR: return "IO_ERROR";
  case PHX_STATUS_INVALID_ARTIFACT: return "INVALID_ARTIFACT";
  case PHX_STATUS_UNAVAILABLE: return "UNAVAILABLE";
  case PHX_STATUS_UNIMPLEMENTED: return "UNIMPLEMENTED";
  case PHX_STATUS_OUT_OF_MEMORY: return "OUT_OF_MEMORY";
  case PHX_STATUS_INTERNAL: return "INTERNAL";
  case PHX_STATUS_FAILED_PRECONDITION: return "FAILED_PRECONDITION";
  }
  return "UNKNOWN";
}

const char *phx_dtype_name(phx_dtype dtype) {
  switch (dtype) {
  case PHX_DTYPE_BF16: return "bf16";
  case PHX_DTYPE_F16: return "f16";
  case PHX_DTYPE_F32: return "f32";
  case PHX_DTYPE_F64: return "f64";
  case PHX_DTYPE_I1: return "i1";
  case PHX_DTYPE_I8: return "i8";
  case PHX_DTYPE_I32: return "i32";
  case PHX_DTYPE_I64: return "i64";
  default: return "invalid";
  }
}

size_t phx_dtype_size(phx_dtype dtype) {
  switch (dtype) {
  case PHX_DTYPE_BF16:
  case PHX_DTYPE_F16: return 2;
  case PHX_DTYPE_F32:
  case PHX_DTYPE_I32: return 4;
  case PHX_DTYPE_F64:
  case PHX_DTYPE_I64: return 8;
  case PHX_DTYPE_I1:
  case PHX_DTYPE_I8: return 1;
  default: return 0;
  }
}

phx_dtype phx_dtype_from_name(const char *name) {
  if (!name)
    return PHX_DTYPE_INVALID;
  static const phx_dtype all[] = {PHX_DTYPE_BF16, PHX_DTYPE_F16, PHX_DTYPE_F32,
                                  PHX_DTYPE_F64,  PHX_DTYPE_I1,  PHX_DTYPE_I8,
                                  PHX_DTYPE_I32,  PHX_DTYPE_I64};
  for (phx_dtype d : all)
    if (std::strcmp(name, phx_dtype_name(d)) == 0)
      return d;
  return PHX_DTYPE_INVALID;
}

int phx_dtype_is_float(phx_dtype dtype) {
  return dtype == PHX_DTYPE_BF16 || dtype == PHX_DTYPE_F16 ||
         dtype == PHX_DTYPE_F32 || dtype == PHX_DTYPE_F64;
}

const char *phx_device_name(phx_device device) {
  switch (device) {
  case PHX_DEVICE_CPU: return "cpu";
  case PHX_DEVICE_CUDA: return "cuda";
  }
  return "invalid";
}

uint16_t phx_f64_to_bf16(double value) { return roundToHalfLike(value, 8, 7); }
uint16_t phx_f64_to_f16(double value) { return roundToHalfLike(value, 5, 10); }
double phx_bf16_to_f64(uint16_t bits) { return halfLikeToDouble(bits, 8, 7); }
double phx_f16_to_f64(uint16_t bits) { return halfLikeToDouble(bits, 5, 10); }

phx_status phx_convert_from_f64(const double *src, size_t n, phx_dtype dtype,
                                void *dst) {
  if (phx_status s =
          checkConversion("phx_convert_from_f64", dtype, n, src, dst))
    return s;
  for (size_t i = 0; i < n; ++i)
    storeFromDouble(dst, dtype, i, src[i]);
  return nullptr;
}

phx_status phx_convert_to_f64(const void *src, size_t n, phx_dtype dtype,
                              double *dst) {
  if (phx_status s = checkConversion("phx_convert_to_f64", dtype, n, src, dst))
    return s;
  for (size_t i = 0; i < n; ++i)
    dst[i] = loadAsDouble(src, dtype, i);
  return nullptr;
}

} // extern "C"
