// The f64 reference against a brute-force transfer-matrix formulation.
#include "internal.h"
#include "test.h"

#include <cmath>
#include <random>

namespace {

struct Case {
  int64_t L, D, BL, K, S; // K, S: -1 = inf
  bool resets, init, transpose;
};

// Builds the window's transfer matrix M[t][j] straight from the definition.
std::vector<double> transferMatrix(const Case &c, const std::vector<double> &a,
                                   const std::vector<uint8_t> &rs) {
  auto tile = [&](int64_t t) { return t / c.BL; };
  auto seg = [&](int64_t t) { return c.S < 0 ? int64_t(0) : tile(t) / c.S; };
  std::vector<double> M(c.L * c.L, 0.0);
  for (int64_t t = 0; t < c.L; ++t)
    for (int64_t j = 0; j <= t; ++j) {
      if (c.K >= 0 && tile(j) < tile(t) - c.K)
        continue;
      if (seg(j) != seg(t))
        continue;
      bool blocked = false;
      for (int64_t r = j + 1; r <= t; ++r)
        blocked |= !rs.empty() && rs[r];
      if (blocked)
        continue;
      double p = 1.0;
      for (int64_t i = j + 1; i <= t; ++i)
        p *= a[i];
      M[t * c.L + j] = p;
    }
  return M;
}

void bruteForce(const Case &c, const std::vector<double> &a,
                const std::vector<double> &x, const std::vector<uint8_t> &rs,
                const std::vector<double> &init, std::vector<double> &y) {
  std::vector<double> M = transferMatrix(c, a, rs);
  y.assign(c.D * c.L, 0.0);
  for (int64_t d = 0; d < c.D; ++d)
    for (int64_t t = 0; t < c.L; ++t)
      for (int64_t j = 0; j < c.L; ++j) {
        if (!c.transpose)
          y[d * c.L + t] += M[t * c.L + j] * x[d * c.L + j];
        else
          y[d * c.L + j] += M[t * c.L + j] * x[d * c.L + t];
      }
  if (!init.empty()) {
    for (int64_t t = 0; t < c.L; ++t) {
      int64_t tl = t / c.BL;
      bool vis = (c.K < 0 || tl < c.K) && (c.S < 0 || tl / c.S == 0);
      for (int64_t r = 0; r <= t; ++r)
        vis &= rs.empty() || !rs[r];
      if (!vis)
        continue;
      double p = 1.0;
      for (int64_t i = 0; i <= t; ++i)
        p *= a[i];
      for (int64_t d = 0; d < c.D; ++d)
        y[d * c.L + t] += p * init[d];
    }
  }
}

} // namespace

TEST(reference_scan_vs_brute_force) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> u(0.05, 0.999);
  std::normal_distribution<double> nd;
  int cases = 0, bad = 0;
  const int64_t Ks[] = {0, 1, 2, -1};
  const int64_t Ss[] = {1, 2, -1};
  for (int64_t K : Ks)
    for (int64_t S : Ss)
      for (int flags = 0; flags < 8; ++flags)
        for (int rep = 0; rep < 6; ++rep) {
          Case c;
          c.L = 1 + int64_t(rng() % 29);
          c.D = 1 + int64_t(rng() % 3);
          c.BL = 1 + int64_t(rng() % 5);
          c.K = K;
          c.S = S;
          c.resets = flags & 1;
          c.transpose = flags & 2;
          c.init = (flags & 4) && !c.transpose;
          std::vector<double> a(c.L), x(c.D * c.L), init, y(c.D * c.L), ref;
          std::vector<uint8_t> rs;
          for (auto &v : a) v = rep == 5 ? double(rng() % 2) : u(rng); // 0/1 gates too
          for (auto &v : x) v = nd(rng);
          if (c.resets) {
            rs.resize(c.L);
            for (auto &r : rs) r = (rng() % 5) == 0;
          }
          if (c.init) {
            init.resize(c.D);
            for (auto &v : init) v = nd(rng);
          }
          phx::Window w;
          w.block = c.BL;
          w.hops = c.K;
          w.segment = c.S;
          phx::referenceScanSeries(w, c.transpose, c.L, c.D, a.data(), x.data(),
                                   rs.empty() ? nullptr : rs.data(),
                                   init.empty() ? nullptr : init.data(), y.data());
          bruteForce(c, a, x, rs, init, ref);
          double maxDiff = 0;
          for (size_t i = 0; i < y.size(); ++i)
            maxDiff = std::max(maxDiff, std::fabs(y[i] - ref[i]));
          ++cases;
          if (maxDiff > 1e-12) {
            if (++bad <= 5)
              std::printf("    mismatch %.3g: L=%lld BL=%lld K=%lld S=%lld resets=%d "
                          "init=%d transpose=%d\n",
                          maxDiff, (long long)c.L, (long long)c.BL, (long long)K,
                          (long long)S, c.resets, c.init, c.transpose);
          }
        }
  CHECK(cases == 4 * 3 * 8 * 6);
  CHECK_EQ(bad, 0);
}

TEST(reference_scan_windows_by_hand) {
  // L = 6, BL = 2, gates 0.5, x = 1: K = 0 restarts every tile.
  phx::Window w;
  w.block = 2;
  w.hops = 0;
  w.segment = -1;
  double a[6] = {0.5, 0.5, 0.5, 0.5, 0.5, 0.5}, x[6] = {1, 1, 1, 1, 1, 1}, y[6];
  phx::referenceScanSeries(w, false, 6, 1, a, x, nullptr, nullptr, y);
  CHECK(y[0] == 1 && y[1] == 1.5 && y[2] == 1 && y[3] == 1.5);
  w.hops = 1; // token 3 sees tiles 0 and 1: 1 + .5 + .25 + .125
  phx::referenceScanSeries(w, false, 6, 1, a, x, nullptr, nullptr, y);
  CHECK(y[3] == 1.875 && y[2] == 1.75 && y[4] == 1.75);
  w.hops = -1;
  uint8_t rs[6] = {0, 0, 0, 1, 0, 0};
  phx::referenceScanSeries(w, false, 6, 1, a, x, rs, nullptr, y);
  CHECK(y[2] == 1.75 && y[3] == 1 && y[4] == 1.5);
}

TEST(reference_run_op_scan_api) {
  const int64_t B = 1, H = 2, D = 3, L = 10;
  std::vector<float> a(B * H * L, 0.9f), x(B * H * D * L, 1.0f);
  std::vector<uint8_t> rs(B * L, 0);
  std::vector<int64_t> as{B, H, L}, xs{B, H, D, L}, rss{B, L}, bad{B, H, 11};
  phx_tensor args[3] = {{a.data(), PHX_DTYPE_F32, 3, as.data(), PHX_DEVICE_CPU},
                        {x.data(), PHX_DTYPE_F32, 4, xs.data(), PHX_DEVICE_CPU},
                        {rs.data(), PHX_DTYPE_I1, 2, rss.data(), PHX_DEVICE_CPU}};
  std::vector<double> out(B * H * D * L);
  const char *op = "{\"kind\": \"swr.scan\", \"block\": 4, \"hops\": \"inf\", "
                   "\"segment\": \"inf\", \"gates\": 0, \"drive\": 1, \"resets\": 2}";
  CHECK_EQ(phxtest::takeMessage(phx_reference_run_op(op, args, 3, out.data(), out.size())),
           std::string("OK"));
  double s = 0;
  for (int t = 0; t < L; ++t) {
    s = (t ? 0.9f * s : 0.0) + 1.0;
    CHECK(std::fabs(out[t] - s) < 1e-6);
  }
  args[0].shape = bad.data();
  CHECK_CONTAINS(phxtest::takeMessage(phx_reference_run_op(op, args, 3, out.data(), out.size())),
                 "argument 'drive' (#1) dim 3 is 10 but argument 'gates' (#0) dim 2 is 11; both are L");
  args[0].shape = as.data();
  CHECK_CONTAINS(phxtest::takeMessage(phx_reference_run_op(op, args, 3, out.data(), 5)),
                 "reference output buffer has 5 elements but the result has 60");
  CHECK_CONTAINS(phxtest::takeMessage(phx_reference_run_op("{\"kind\": 1}", args, 3, out.data(), 5)),
                 "field \"kind\" must be a string");
  CHECK_CONTAINS(phxtest::takeMessage(phx_reference_run_op("{", args, 3, out.data(), 5)),
                 "op JSON is malformed: at byte 1");
  args[2].dtype = PHX_DTYPE_F32;
  CHECK_CONTAINS(phxtest::takeMessage(phx_reference_run_op(op, args, 3, out.data(), out.size())),
                 "argument 'resets' (#2) has dtype f32 but must be i1");
}

TEST(reference_layer_vs_brute_force) {
  // B=2, L=9, Dm=5, H=4, Hkv=2, D=2, Hg=1, window (block 2, hops 1, segment 2).
  const int64_t B = 2, L = 9, Dm = 5, H = 4, Hkv = 2, D = 2, Hg = 1;
  std::mt19937_64 rng(3);
  std::normal_distribution<double> nd;
  auto randv = [&](size_t n) {
    std::vector<double> v(n);
    for (auto &e : v) e = nd(rng) * 0.5;
    return v;
  };
  std::vector<double> x = randv(B * L * Dm), wa = randv(Dm * H), ba = randv(H),
                      wb = randv(Dm * Hkv * D), bb = randv(Hkv * D),
                      wc = randv(Dm * Hkv * D), bc = randv(Hkv * D),
                      wv = randv(Dm * H * D), wo = randv(H * D * Dm);
  std::vector<int64_t> sx{B, L, Dm}, swa{Dm, H}, sba{H}, swb{Dm, Hkv * D},
      sbb{Hkv * D}, swv{Dm, H * D}, swo{H * D, Dm};
  auto T = [](std::vector<double> &v, std::vector<int64_t> &s) {
    return phx_tensor{v.data(), PHX_DTYPE_F64, int32_t(s.size()), s.data(), PHX_DEVICE_CPU};
  };
  phx_tensor args[9] = {T(x, sx),   T(wa, swa), T(ba, sba), T(wb, swb), T(bb, sbb),
                        T(wc, swb), T(bc, sbb), T(wv, swv), T(wo, swo)};
  for (int act = 0; act < 3; ++act) {
    const char *names[] = {"sigmoid", "swish", "hard_sigmoid"};
    std::string op = std::string("{\"kind\": \"phalanx.layer\", \"heads\": 4, "
                                 "\"kv_heads\": 2, \"head_dim\": 2, \"global_heads\": 1, "
                                 "\"window\": {\"block\": 2, \"hops\": 1, \"segment\": 2}, "
                                 "\"act_a\": \"") + names[act] + "\", \"act_b\": \"" +
                     names[2 - act] + "\", \"x\": 0, \"wa\": 1, \"ba\": 2, \"wb\": 3, "
                     "\"bb\": 4, \"wc\": 5, \"bc\": 6, \"wv\": 7, \"wo\": 8}";
    std::vector<double> out(B * L * Dm);
    CHECK_EQ(phxtest::takeMessage(
                 phx_reference_run_op(op.c_str(), args, 9, out.data(), out.size())),
             std::string("OK"));
    auto actf = [&](int k, double z) {
      return phx::activation(k == 0 ? phx::Activation::Sigmoid
                                    : k == 1 ? phx::Activation::Swish
                                             : phx::Activation::HardSigmoid, z);
    };
    // Brute force, element by element.
    double maxDiff = 0;
    for (int64_t b = 0; b < B; ++b) {
      std::vector<double> Z(L * H * D, 0.0);
      for (int64_t h = 0; h < H; ++h) {
        int64_t kv = h / (H / Hkv);
        std::vector<double> a(L);
        for (int64_t l = 0; l < L; ++l) {
          double z = ba[h];
          for (int64_t k = 0; k < Dm; ++k) z += x[(b * L + l) * Dm + k] * wa[k * H + h];
          a[l] = actf(act, z);
        }
        Case c{L, 1, 2, h < Hg ? -1 : 1, h < Hg ? -1 : 2, false, false, false};
        std::vector<double> M = transferMatrix(c, a, {});
        for (int64_t d = 0; d < D; ++d) {
          auto proj = [&](const std::vector<double> &W, const std::vector<double> *bias,
                          int64_t col, int64_t ncol, int64_t l) {
            double z = bias ? (*bias)[col] : 0.0;
            for (int64_t k = 0; k < Dm; ++k) z += x[(b * L + l) * Dm + k] * W[k * ncol + col];
            return z;
          };
          for (int64_t t = 0; t < L; ++t) {
            double yv = 0;
            for (int64_t j = 0; j < L; ++j) {
              double g = actf(2 - act, proj(wb, &bb, kv * D + d, Hkv * D, j));
              double v = proj(wv, nullptr, h * D + d, H * D, j);
              yv += M[t * L + j] * g * v;
            }
            double cc = proj(wc, &bc, kv * D + d, Hkv * D, t);
            double vt = proj(wv, nullptr, h * D + d, H * D, t);
            Z[t * H * D + h * D + d] = yv * cc + vt;
          }
        }
      }
      for (int64_t t = 0; t < L; ++t)
        for (int64_t m = 0; m < Dm; ++m) {
          double o = 0;
          for (int64_t k = 0; k < H * D; ++k) o += Z[t * H * D + k] * wo[k * Dm + m];
          maxDiff = std::max(maxDiff, std::fabs(o - out[(b * L + t) * Dm + m]));
        }
    }
    CHECK(maxDiff < 1e-12);
  }
  // Dimension errors name the op's constants.
  std::vector<int64_t> badWa{Dm, H + 1};
  args[1].shape = badWa.data();
  std::string op = "{\"kind\": \"phalanx.layer\", \"heads\": 4, \"kv_heads\": 2, "
                   "\"head_dim\": 2, \"window\": {\"block\": 2, \"hops\": 1, \"segment\": 2}, "
                   "\"x\": 0, \"wa\": 1, \"ba\": 2, \"wb\": 3, \"bb\": 4, \"wc\": 5, "
                   "\"bc\": 6, \"wv\": 7, \"wo\": 8}";
  std::vector<double> out(B * L * Dm);
  CHECK_CONTAINS(phxtest::takeMessage(phx_reference_run_op(op.c_str(), args, 9, out.data(), out.size())),
                 "argument 'wa' (#1) dim 1 is 5 but the op says H = 4");
}

TEST(reference_relative_error) {
  float y[3] = {1.0f, 2.0f, 2.0f};
  double ref[3] = {1.0, 2.0, 2.0};
  int64_t s[1] = {3};
  phx_tensor t{y, PHX_DTYPE_F32, 1, s, PHX_DEVICE_CPU};
  double err = -1;
  int64_t bad = -1;
  CHECK(phx_relative_error(&t, ref, 3, &err, &bad) == nullptr);
  CHECK(err == 0.0 && bad == 0);
  y[2] = 5.0f; // diff 3, ||ref|| = 3
  CHECK(phx_relative_error(&t, ref, 3, &err, &bad) == nullptr);
  CHECK(std::fabs(err - 1.0) < 1e-15);
  y[1] = std::nanf("");
  CHECK(phx_relative_error(&t, ref, 3, &err, &bad) == nullptr);
  CHECK(std::isnan(err) && bad == 1);
  phx_status st = phx_relative_error(&t, ref, 2, &err, &bad);
  CHECK_CONTAINS(phxtest::takeMessage(st), "tensor has 3 elements, reference has 2");
  CHECK_EQ(phx_default_tolerance(PHX_DTYPE_F32), 1e-5);
  CHECK_EQ(phx_default_tolerance(PHX_DTYPE_BF16), 8e-3);
  CHECK_EQ(phx_default_tolerance(PHX_DTYPE_F16), 2e-3);
}
