#include "internal.h"
#include "test.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

namespace {
float f32FromBits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
uint32_t bitsOfF32(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
// Classic integer-trick bf16 rounding from f32 (non-NaN inputs).
uint16_t bf16FromF32Trick(uint32_t u) {
  return uint16_t((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
}
} // namespace

TEST(convert_bf16_round_to_nearest_even) {
  CHECK_EQ(phx_f64_to_bf16(1.0), 0x3F80);
  CHECK_EQ(phx_f64_to_bf16(-2.0), 0xC000);
  CHECK_EQ(phx_f64_to_bf16(0.0), 0x0000);
  CHECK_EQ(phx_f64_to_bf16(-0.0), 0x8000);
  CHECK_EQ(phx_f64_to_bf16(f32FromBits(0x3F808000)), 0x3F80); // tie -> even
  CHECK_EQ(phx_f64_to_bf16(f32FromBits(0x3F818000)), 0x3F82); // tie -> even
  CHECK_EQ(phx_f64_to_bf16(f32FromBits(0x3F808001)), 0x3F81); // above tie
  CHECK_EQ(phx_f64_to_bf16(f32FromBits(0x3F807FFF)), 0x3F80); // below tie
  // Direct from f64: no double rounding through f32.
  CHECK_EQ(phx_f64_to_bf16(1.0 + std::ldexp(1.0, -8) + std::ldexp(1.0, -40)), 0x3F81);
  // Overflow and infinities.
  CHECK_EQ(phx_f64_to_bf16(f32FromBits(0x7F7F0000)), 0x7F7F);
  CHECK_EQ(phx_f64_to_bf16(f32FromBits(0x7F7FFFFF)), 0x7F80);
  CHECK_EQ(phx_f64_to_bf16(1e300), 0x7F80);
  CHECK_EQ(phx_f64_to_bf16(-1e300), 0xFF80);
  CHECK_EQ(phx_f64_to_bf16(std::numeric_limits<double>::infinity()), 0x7F80);
  CHECK_EQ(phx_f64_to_bf16(-std::numeric_limits<double>::infinity()), 0xFF80);
  uint16_t nan = phx_f64_to_bf16(std::numeric_limits<double>::quiet_NaN());
  CHECK((nan & 0x7F80) == 0x7F80 && (nan & 0x7F) != 0);
  CHECK(std::isnan(phx_bf16_to_f64(nan)));
  // Subnormals.
  CHECK_EQ(phx_f64_to_bf16(f32FromBits(0x00010000)), 0x0001);
  CHECK_EQ(phx_f64_to_bf16(f32FromBits(0x00008000)), 0x0000); // tie -> even 0
  CHECK_EQ(phx_f64_to_bf16(f32FromBits(0x00018000)), 0x0002); // tie -> even 2
  CHECK_EQ(phx_f64_to_bf16(f32FromBits(0x00008001)), 0x0001);
  CHECK_EQ(phx_f64_to_bf16(f32FromBits(0x007FFFFF)), 0x0080); // rounds to min normal
  CHECK_EQ(phx_f64_to_bf16(1e-300), 0x0000);
  CHECK_EQ(phx_bf16_to_f64(0x0001), std::ldexp(1.0, -133));
  // Agreement with the integer trick on random f32 values.
  std::mt19937 rng(7);
  int mismatches = 0;
  for (int i = 0; i < 200000; ++i) {
    uint32_t u = rng();
    if ((u & 0x7F800000u) == 0x7F800000u)
      continue; // NaN/Inf
    if (phx_f64_to_bf16(f32FromBits(u)) != bf16FromF32Trick(u))
      ++mismatches;
  }
  CHECK_EQ(mismatches, 0);
}

TEST(convert_f16_round_to_nearest_even) {
  CHECK_EQ(phx_f64_to_f16(1.0), 0x3C00);
  CHECK_EQ(phx_f64_to_f16(-2.0), 0xC000);
  CHECK_EQ(phx_f64_to_f16(65504.0), 0x7BFF);
  CHECK_EQ(phx_f64_to_f16(65519.0), 0x7BFF);
  CHECK_EQ(phx_f64_to_f16(65520.0), 0x7C00); // tie -> even (inf)
  CHECK_EQ(phx_f64_to_f16(1e10), 0x7C00);
  CHECK_EQ(phx_f64_to_f16(-std::numeric_limits<double>::infinity()), 0xFC00);
  CHECK_EQ(phx_f64_to_f16(1.0 + std::ldexp(1.0, -11)), 0x3C00); // tie -> even
  CHECK_EQ(phx_f64_to_f16(1.0 + 3 * std::ldexp(1.0, -11)), 0x3C02);
  CHECK_EQ(phx_f64_to_f16(std::ldexp(1.0, -24)), 0x0001);     // min subnormal
  CHECK_EQ(phx_f64_to_f16(std::ldexp(1.0, -25)), 0x0000);     // tie -> 0
  CHECK_EQ(phx_f64_to_f16(1.5 * std::ldexp(1.0, -25)), 0x0001);
  CHECK_EQ(phx_f64_to_f16(3 * std::ldexp(1.0, -25)), 0x0002); // tie -> even
  CHECK_EQ(phx_f64_to_f16(std::ldexp(1.0, -14)), 0x0400);     // min normal
  CHECK_EQ(phx_f64_to_f16(std::ldexp(1023.5, -24)), 0x0400);  // rounds up to normal
  CHECK_EQ(phx_f64_to_f16(-0.0), 0x8000);
  uint16_t nan = phx_f64_to_f16(-std::numeric_limits<double>::quiet_NaN());
  CHECK((nan & 0x7C00) == 0x7C00 && (nan & 0x3FF) != 0);
  CHECK_EQ(phx_f16_to_f64(0x3555), 0.333251953125);
  CHECK_EQ(phx_f16_to_f64(0x0001), std::ldexp(1.0, -24));
}

TEST(convert_all_half_patterns_round_trip) {
  int bad = 0;
  for (uint32_t u = 0; u < 65536; ++u) {
    uint16_t h = uint16_t(u);
    double f = phx_f16_to_f64(h), b = phx_bf16_to_f64(h);
    if (std::isnan(f) != (((h & 0x7C00) == 0x7C00) && (h & 0x3FF)))
      ++bad;
    if (!std::isnan(f) && phx_f64_to_f16(f) != h)
      ++bad;
    if (!std::isnan(b) && phx_f64_to_bf16(b) != h)
      ++bad;
    // bf16 is the top half of f32.
    if (!std::isnan(b) && bitsOfF32(float(b)) != (uint32_t(h) << 16))
      ++bad;
  }
  CHECK_EQ(bad, 0);
}

TEST(convert_buffers) {
  double src[5] = {1.5, -2.25, 0.1, 3.0, 0.0};
  uint16_t bf[5];
  CHECK(phx_convert_from_f64(src, 5, PHX_DTYPE_BF16, bf) == nullptr);
  double back[5];
  CHECK(phx_convert_to_f64(bf, 5, PHX_DTYPE_BF16, back) == nullptr);
  CHECK_EQ(back[0], 1.5);
  CHECK_EQ(back[1], -2.25);
  CHECK_EQ(back[2], phx_bf16_to_f64(phx_f64_to_bf16(0.1)));
  uint8_t i1[5];
  CHECK(phx_convert_from_f64(src, 5, PHX_DTYPE_I1, i1) == nullptr);
  CHECK(i1[0] == 1 && i1[4] == 0);
  int32_t i32[5];
  CHECK(phx_convert_from_f64(src, 5, PHX_DTYPE_I32, i32) == nullptr);
  CHECK(i32[0] == 1 && i32[1] == -2);
  phx_status s = phx_convert_from_f64(src, 5, PHX_DTYPE_INVALID, i32);
  CHECK(s != nullptr);
  phx_status_free(s);
  CHECK_EQ(phx_dtype_size(PHX_DTYPE_BF16), size_t(2));
  CHECK_EQ(phx_dtype_size(PHX_DTYPE_I1), size_t(1));
  CHECK_EQ(std::string(phx_dtype_name(PHX_DTYPE_F16)), "f16");
  CHECK_EQ(phx_dtype_from_name("i64"), PHX_DTYPE_I64);
  CHECK_EQ(phx_dtype_from_name("u8"), PHX_DTYPE_INVALID);
  CHECK_EQ(std::string(phx_status_message(nullptr)), "OK");
  CHECK_EQ(std::string(phx_runtime_version()), "0.1.0");
}
