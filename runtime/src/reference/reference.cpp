// Float64 reference for swr.scan and phalanx.layer, straight from the
// definitions in spec/swr.md and spec/phalanx-layer.md.
#include "../internal.h"

#include <algorithm>
#include <cmath>

namespace phx {

double activation(Activation act, double z) {
  switch (act) {
  case Activation::Sigmoid: return 1.0 / (1.0 + std::exp(-z));
  case Activation::Swish: return z / (1.0 + std::exp(-z));
  case Activation::HardSigmoid: return std::min(1.0, std::max(0.0, z / 6.0 + 0.5));
  }
  return z;
}

void referenceScanSeries(const Window &w, bool transpose, int64_t L, int64_t D,
                         const double *a, const double *x,
                         const uint8_t *resets, const double *init,
                         double *y) {
  const int64_t BL = w.block;
  const bool hopsInf = w.hops < 0, segInf = w.segment < 0;
  auto tile = [&](int64_t t) { return t / BL; };
  auto seg = [&](int64_t t) { return segInf ? 0 : tile(t) / w.segment; };
  // start(t): nothing before t is visible from t onwards (K = inf form).
  auto start = [&](int64_t t) {
    return t == 0 || (resets && resets[t]) ||
           (!segInf && t % (w.segment * BL) == 0);
  };
  std::fill(y, y + D * L, 0.0);
  if (L == 0)
    return;
  if (hopsInf) {
    if (!transpose) {
      for (int64_t d = 0; d < D; ++d) {
        const double *xd = x + d * L;
        double *yd = y + d * L;
        double s = 0;
        for (int64_t t = 0; t < L; ++t) {
          if (t == 0)
            s = (init && !(resets && resets[0])) ? a[0] * init[d] + xd[0]
                                                 : xd[0];
          else
            s = start(t) ? xd[t] : a[t] * s + xd[t];
          yd[t] = s;
        }
      }
    } else {
      for (int64_t d = 0; d < D; ++d) {
        const double *xd = x + d * L;
        double *yd = y + d * L;
        double s = 0;
        for (int64_t j = L - 1; j >= 0; --j) {
          bool cont = j + 1 < L && !start(j + 1);
          s = cont ? a[j + 1] * s + xd[j] : xd[j];
          yd[j] = s;
        }
      }
    }
    return;
  }
  // Finite hops: lo(t) = first visible j.
  int64_t lastReset = -1;
  int64_t firstReset = L;
  if (resets)
    for (int64_t t = 0; t < L; ++t)
      if (resets[t]) {
        firstReset = t;
        break;
      }
  for (int64_t t = 0; t < L; ++t) {
    if (resets && resets[t])
      lastReset = t;
    int64_t lo = std::max<int64_t>(0, (tile(t) - w.hops) * BL);
    if (!segInf)
      lo = std::max(lo, seg(t) * w.segment * BL);
    lo = std::max(lo, lastReset);
    double coef = 1.0; // a[j+1] * ... * a[t]
    for (int64_t j = t; j >= lo; --j) {
      if (!transpose) {
        for (int64_t d = 0; d < D; ++d)
          y[d * L + t] += coef * x[d * L + j];
      } else {
        for (int64_t d = 0; d < D; ++d)
          y[d * L + j] += coef * x[d * L + t];
      }
      coef *= a[j];
    }
    if (init && !transpose && tile(t) < w.hops && seg(t) == 0 &&
        firstReset > t) {
      // coef == a[0] * ... * a[t] here (lo == 0).
      for (int64_t d = 0; d < D; ++d)
        y[d * L + t] += coef * init[d];
    }
  }
}

namespace {

std::vector<double> toF64(const phx_tensor &t) {
  size_t n = 1;
  for (int32_t d = 0; d < t.rank; ++d)
    n *= static_cast<size_t>(t.shape[d]);
  std::vector<double> v(n);
  for (size_t i = 0; i < n; ++i)
    v[i] = loadAsDouble(t.data, t.dtype, i);
  return v;
}

phx_status lenError(size_t want, size_t got) {
  return invalidArg("reference output buffer has " + std::to_string(got) +
                    " elements but the result has " + std::to_string(want));
}

phx_status runScan(const ScanOp &op, const phx_tensor *args, double *out,
                   size_t outLen) {
  const phx_tensor &g = args[op.gates], &x = args[op.drive];
  const int64_t B = x.shape[0], H = x.shape[1], D = x.shape[2], L = x.shape[3];
  const size_t n = static_cast<size_t>(B * H * D * L);
  if (outLen != n)
    return lenError(n, outLen);
  std::vector<double> a = toF64(g), xv = toF64(x), init;
  std::vector<uint8_t> rs;
  if (op.resets >= 0) {
    const phx_tensor &r = args[op.resets];
    rs.resize(static_cast<size_t>(B * L));
    for (size_t i = 0; i < rs.size(); ++i)
      rs[i] = loadAsDouble(r.data, r.dtype, i) != 0.0;
  }
  if (op.init >= 0)
    init = toF64(args[op.init]);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h) {
      const int64_t bh = b * H + h;
      referenceScanSeries(op.window, op.transpose, L, D, &a[bh * L],
                          &xv[bh * D * L], rs.empty() ? nullptr : &rs[b * L],
                          init.empty() ? nullptr : &init[bh * D],
                          out + bh * D * L);
    }
  return nullptr;
}

// out[M][N] = in[M][K] * w[K][N] (+ bias[N])
void matmul(const double *in, const double *w, const double *bias, int64_t M,
            int64_t K, int64_t N, double *out) {
  for (int64_t m = 0; m < M; ++m) {
    double *o = out + m * N;
    for (int64_t n = 0; n < N; ++n)
      o[n] = bias ? bias[n] : 0.0;
    for (int64_t k = 0; k < K; ++k) {
      double v = in[m * K + k];
      const double *wr = w + k * N;
      for (int64_t n = 0; n < N; ++n)
        o[n] += v * wr[n];
    }
  }
}

phx_status runLayer(const LayerOp &op, const phx_tensor *args, double *out,
                    size_t outLen) {
  const phx_tensor &xt = args[op.x];
  const int64_t B = xt.shape[0], L = xt.shape[1], Dm = xt.shape[2];
  const int64_t H = op.heads, Hkv = op.kvHeads, D = op.headDim;
  const size_t n = static_cast<size_t>(B * L * Dm);
  if (outLen != n)
    return lenError(n, outLen);
  std::vector<double> x = toF64(xt), wa = toF64(args[op.wa]),
                      ba = toF64(args[op.ba]), wb = toF64(args[op.wb]),
                      bb = toF64(args[op.bb]), wc = toF64(args[op.wc]),
                      bc = toF64(args[op.bc]), wv = toF64(args[op.wv]),
                      wo = toF64(args[op.wo]);
  const int64_t M = B * L, KV = Hkv * D, HD = H * D;
  std::vector<double> A(M * H), G(M * KV), C(M * KV), V(M * HD), Z(M * HD);
  matmul(x.data(), wa.data(), ba.data(), M, Dm, H, A.data());
  matmul(x.data(), wb.data(), bb.data(), M, Dm, KV, G.data());
  matmul(x.data(), wc.data(), bc.data(), M, Dm, KV, C.data());
  matmul(x.data(), wv.data(), nullptr, M, Dm, HD, V.data());
  for (double &v : A)
    v = activation(op.actA, v);
  for (double &v : G)
    v = activation(op.actB, v);
  const int64_t group = H / Hkv;
  Window exact;
  exact.block = op.window.block;
  exact.hops = -1;
  exact.segment = -1;
  std::vector<double> as(L), xs(D * L), ys(D * L);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h) {
      const int64_t kv = h / group;
      for (int64_t l = 0; l < L; ++l) {
        const int64_t row = b * L + l;
        as[l] = A[row * H + h];
        for (int64_t d = 0; d < D; ++d)
          xs[d * L + l] = G[row * KV + kv * D + d] * V[row * HD + h * D + d];
      }
      referenceScanSeries(h < op.globalHeads ? exact : op.window, false, L, D,
                          as.data(), xs.data(), nullptr, nullptr, ys.data());
      for (int64_t l = 0; l < L; ++l) {
        const int64_t row = b * L + l;
        for (int64_t d = 0; d < D; ++d)
          Z[row * HD + h * D + d] = ys[d * L + l] * C[row * KV + kv * D + d] +
                                    V[row * HD + h * D + d];
      }
    }
  matmul(Z.data(), wo.data(), nullptr, M, HD, Dm, out);
  return nullptr;
}

} // namespace

phx_status referenceRun(const OpDesc &op, const phx_tensor *args,
                        int32_t /*nargs*/, double *out, size_t outLen) {
  if (!out && outLen)
    return invalidArg("reference output buffer is NULL");
  if (op.kind == OpKind::Scan)
    return runScan(op.scan, args, out, outLen);
  if (op.kind == OpKind::Layer)
    return runLayer(op.layer, args, out, outLen);
  return makeStatus(PHX_STATUS_UNIMPLEMENTED,
                    "no reference for op kind '" + op.kindName + "'");
}

} // namespace phx
