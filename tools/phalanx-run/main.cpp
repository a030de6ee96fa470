// phalanx-run: load a Phalanx artifact, feed it inputs (.npy files or random
// data), run one entry, optionally check it against the float64 reference,
// time it and write the results.
#include "npy.h"
#include "phalanx/runtime.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

const char *kUsage =
    "usage: phalanx-run ARTIFACT [options]\n"
    "\n"
    "Loads a Phalanx artifact (.phx), runs one entry and reports on it.\n"
    "\n"
    "options:\n"
    "  --list                 print the entries and their signatures, then exit\n"
    "  --entry NAME           entry to run (default: the only entry)\n"
    "  --input FILE.npy ...   one .npy file per argument, in signature order.\n"
    "                         Float inputs (f16/f32/f64) are converted to the\n"
    "                         argument dtype with round-to-nearest-even (this is\n"
    "                         how bf16 is passed: numpy has no bf16); other\n"
    "                         dtypes must match exactly (|b1 or |u1 for i1).\n"
    "                         Supported npy dtypes: <f2 <f4 <f8 |b1 |u1 |i1 <i4\n"
    "                         <i8; C order only.\n"
    "  --random SEED          make random inputs instead of --input:\n"
    "                           swr.scan: gates uniform in (0.05, 0.999), drive\n"
    "                           and init standard normal, resets Bernoulli(0.02);\n"
    "                           phalanx.layer: x standard normal, weights normal\n"
    "                           / sqrt(fan_in = dim 0), biases normal / sqrt(Dm);\n"
    "                           no op: floats standard normal, i1 Bernoulli(0.5),\n"
    "                           integers uniform in [0, 10).\n"
    "  --shape ARG=d0,d1,...  shape of argument ARG (index or name) for --random;\n"
    "                         needed for dynamic dims unless --dim gives them\n"
    "  --dim SYM=VALUE        value of a symbolic dim for --random (B, H, L, D,\n"
    "                         Dm, ... as --list shows), e.g. --dim L=4096\n"
    "  --device cpu|cuda      device to run on (default cpu).  cuda: inputs are\n"
    "                         copied to device memory, results are poisoned\n"
    "                         with 0xFF bytes (NaN) before the run and copied\n"
    "                         back after it; the driver and device go to stderr\n"
    "  --check                compare result #0 with the float64 reference\n"
    "                         (computed on the inputs as rounded to their\n"
    "                         dtypes); prints 'check: rel_err=... tol=... PASS'\n"
    "                         and exits 1 on FAIL or NaN/Inf output\n"
    "  --tol X                tolerance for --check (default by result dtype:\n"
    "                         f32 1e-5, f16 2e-3, bf16 8e-3, f64 1e-12)\n"
    "  --repeat N             after one warm-up run, time N runs and print\n"
    "                         'time: median X ms over N runs' (cuda: CUDA\n"
    "                         events around each entry call)\n"
    "  --output FILE.npy ...  write the results (one file per result); bf16\n"
    "                         results are written as <f4 (exact conversion)\n"
    "  -h, --help             show this help\n"
    "\n"
    "exit codes: 0 success, 1 failure (load/run error, check FAIL), 2 usage error\n";

struct Options {
  std::string artifact;
  std::string entry;
  std::vector<std::string> inputs, outputs;
  bool haveRandom = false;
  uint64_t seed = 0;
  std::vector<std::pair<std::string, std::vector<int64_t>>> shapes;
  std::map<std::string, int64_t> dims;
  phx_device device = PHX_DEVICE_CPU;
  bool check = false, list = false;
  double tol = -1;
  int repeat = 0;
};

struct UsageError {
  std::string msg;
};

[[noreturn]] void usage(const std::string &msg) { throw UsageError{msg}; }

bool parseInt(const std::string &s, int64_t &v) {
  if (s.empty())
    return false;
  char *end = nullptr;
  errno = 0;
  long long x = std::strtoll(s.c_str(), &end, 10);
  if (errno || *end)
    return false;
  v = x;
  return true;
}

Options parseArgs(int argc, char **argv) {
  Options o;
  auto takesValue = [&](int &i, const char *opt) -> std::string {
    if (i + 1 >= argc)
      usage(std::string(opt) + " needs a value");
    return argv[++i];
  };
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (a == "--list") {
      o.list = true;
    } else if (a == "--check") {
      o.check = true;
    } else if (a == "--entry") {
      o.entry = takesValue(i, "--entry");
    } else if (a == "--input" || a == "--output") {
      auto &list = a == "--input" ? o.inputs : o.outputs;
      size_t before = list.size();
      while (i + 1 < argc && std::strncmp(argv[i + 1], "--", 2) != 0)
        list.push_back(argv[++i]);
      if (list.size() == before)
        usage(a + " needs at least one file");
    } else if (a == "--random") {
      int64_t s;
      if (!parseInt(takesValue(i, "--random"), s) || s < 0)
        usage("--random needs a non-negative integer seed");
      o.haveRandom = true;
      o.seed = static_cast<uint64_t>(s);
    } else if (a == "--shape") {
      std::string v = takesValue(i, "--shape");
      size_t eq = v.find('=');
      if (eq == std::string::npos || eq == 0)
        usage("--shape expects ARG=d0,d1,... (got '" + v + "')");
      std::vector<int64_t> dims;
      std::string rest = v.substr(eq + 1);
      size_t p = 0;
      while (!rest.empty()) {
        size_t c = rest.find(',', p);
        std::string tok = rest.substr(p, c == std::string::npos ? c : c - p);
        int64_t d;
        if (!parseInt(tok, d) || d < 0)
          usage("--shape: bad dim '" + tok + "' in '" + v + "'");
        dims.push_back(d);
        if (c == std::string::npos)
          break;
        p = c + 1;
      }
      o.shapes.push_back({v.substr(0, eq), dims});
    } else if (a == "--dim") {
      std::string v = takesValue(i, "--dim");
      size_t eq = v.find('=');
      int64_t d;
      if (eq == std::string::npos || eq == 0 || !parseInt(v.substr(eq + 1), d) ||
          d < 0)
        usage("--dim expects NAME=VALUE with VALUE >= 0 (got '" + v + "')");
      o.dims[v.substr(0, eq)] = d;
    } else if (a == "--device") {
      std::string d = takesValue(i, "--device");
      if (d == "cpu")
        o.device = PHX_DEVICE_CPU;
      else if (d == "cuda")
        o.device = PHX_DEVICE_CUDA;
      else
        usage("--device must be cpu or cuda (got '" + d + "')");
    } else if (a == "--repeat") {
      int64_t n;
      if (!parseInt(takesValue(i, "--repeat"), n) || n < 1 || n > 1000000)
        usage("--repeat needs a positive integer");
      o.repeat = static_cast<int>(n);
    } else if (a == "--tol") {
      std::string v = takesValue(i, "--tol");
      char *end = nullptr;
      o.tol = std::strtod(v.c_str(), &end);
      if (*end || !(o.tol >= 0))
        usage("--tol needs a non-negative number");
    } else if (a.size() > 1 && a[0] == '-') {
      usage("unknown option '" + a + "'");
    } else if (o.artifact.empty()) {
      o.artifact = a;
    } else {
      usage("unexpected argument '" + a + "' (only one artifact)");
    }
  }
  if (o.artifact.empty())
    usage("missing ARTIFACT");
  if (!o.inputs.empty() && o.haveRandom)
    usage("--input and --random are mutually exclusive");
  return o;
}

struct Failure {
  std::string msg;
};
[[noreturn]] void fail(const std::string &msg) { throw Failure{msg}; }

void checkStatus(phx_status s, const std::string &context = "") {
  if (!s)
    return;
  std::string msg = phx_status_message(s);
  phx_status_free(s);
  fail(context.empty() ? msg : context + ": " + msg);
}

std::string shapeStr(const int64_t *shape, int32_t rank) {
  std::string s = "[";
  for (int32_t i = 0; i < rank; ++i) {
    if (i)
      s += ", ";
    s += shape[i] < 0 ? std::string("?") : std::to_string(shape[i]);
  }
  return s + "]";
}

struct Buffer {
  phx_dtype dtype = PHX_DTYPE_INVALID;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;
  size_t numel() const {
    size_t n = 1;
    for (int64_t d : shape)
      n *= static_cast<size_t>(d);
    return n;
  }
  phx_tensor view() {
    phx_tensor t;
    // Never hand out a null pointer, even for empty tensors.
    if (bytes.empty())
      bytes.resize(8);
    t.data = bytes.data();
    t.dtype = dtype;
    t.rank = static_cast<int32_t>(shape.size());
    t.shape = shape.data();
    t.device = PHX_DEVICE_CPU;
    return t;
  }
};

// Device memory (CUDA) owned by phalanx-run.
struct DeviceBuffer {
  void *ptr = nullptr;
  DeviceBuffer() = default;
  DeviceBuffer(const DeviceBuffer &) = delete;
  DeviceBuffer &operator=(const DeviceBuffer &) = delete;
  DeviceBuffer(DeviceBuffer &&o) noexcept : ptr(o.ptr) { o.ptr = nullptr; }
  ~DeviceBuffer() {
    if (ptr)
      phx_status_free(phx_buffer_free(PHX_DEVICE_CUDA, ptr));
  }
  void alloc(size_t bytes, const std::string &what) {
    checkStatus(phx_buffer_alloc(PHX_DEVICE_CUDA, bytes, &ptr),
                "allocating device memory for " + what);
  }
};

void listEntries(const phx_module *m) {
  std::printf("artifact: %s (producer: %s)\n", phx_module_name(m),
              phx_module_producer(m));
  for (int32_t e = 0; e < phx_module_entry_count(m); ++e) {
    const char *op = phx_entry_op_kind(m, e);
    std::printf("entry %s (device %s, symbol %s%s%s)\n",
                phx_module_entry_name(m, e), phx_entry_device(m, e),
                phx_entry_symbol(m, e), op ? ", op " : "", op ? op : "");
    if (const char *js = phx_entry_op_json(m, e))
      std::printf("  op: %s\n", js);
    for (int32_t i = 0; i < phx_entry_arg_count(m, e); ++i) {
      int32_t r = phx_entry_arg_rank(m, e, i);
      std::string syms;
      for (int32_t d = 0; d < r; ++d) {
        const char *s = phx_entry_arg_dim_symbol(m, e, i, d);
        syms += (d ? ", " : "") + std::string(s ? s : "-");
      }
      const char *role = phx_entry_arg_role(m, e, i);
      std::printf("  arg    #%d %s: %s %s", i, phx_entry_arg_name(m, e, i),
                  phx_dtype_name(phx_entry_arg_dtype(m, e, i)),
                  shapeStr(phx_entry_arg_shape(m, e, i), r).c_str());
      if (role)
        std::printf("  role %s, dims [%s]", role, syms.c_str());
      std::printf("\n");
    }
    for (int32_t i = 0; i < phx_entry_result_count(m, e); ++i)
      std::printf("  result #%d %s: %s %s\n", i, phx_entry_result_name(m, e, i),
                  phx_dtype_name(phx_entry_result_dtype(m, e, i)),
                  shapeStr(phx_entry_result_shape(m, e, i),
                           phx_entry_result_rank(m, e, i))
                      .c_str());
  }
}

phx_dtype npyToPhx(npy::Type t) {
  switch (t) {
  case npy::Type::F16: return PHX_DTYPE_F16;
  case npy::Type::F32: return PHX_DTYPE_F32;
  case npy::Type::F64: return PHX_DTYPE_F64;
  case npy::Type::Bool: return PHX_DTYPE_I1;
  case npy::Type::U8: return PHX_DTYPE_I1; // checked to hold 0/1 below
  case npy::Type::I8: return PHX_DTYPE_I8;
  case npy::Type::I32: return PHX_DTYPE_I32;
  case npy::Type::I64: return PHX_DTYPE_I64;
  }
  return PHX_DTYPE_INVALID;
}

std::string argLabel(const phx_module *m, int32_t e, int32_t i) {
  return "argument '" + std::string(phx_entry_arg_name(m, e, i)) + "' (#" +
         std::to_string(i) + ")";
}

Buffer loadInput(const phx_module *m, int32_t e, int32_t i,
                 const std::string &path) {
  npy::Array a;
  std::string err;
  if (!npy::readFile(path, a, err))
    fail("input for " + argLabel(m, e, i) + ": " + err);
  phx_dtype want = phx_entry_arg_dtype(m, e, i);
  int32_t rank = phx_entry_arg_rank(m, e, i);
  const int64_t *sig = phx_entry_arg_shape(m, e, i);
  std::string label = argLabel(m, e, i) + " from '" + path + "'";
  if (static_cast<int32_t>(a.shape.size()) != rank)
    fail(label + " has shape " +
         shapeStr(a.shape.data(), static_cast<int32_t>(a.shape.size())) +
         " (rank " + std::to_string(a.shape.size()) +
         ") but the entry expects " + shapeStr(sig, rank));
  for (int32_t d = 0; d < rank; ++d)
    if (sig[d] >= 0 && a.shape[d] != sig[d])
      fail(label + " has shape " + shapeStr(a.shape.data(), rank) +
           " but the entry expects " + shapeStr(sig, rank) + " (dim " +
           std::to_string(d) + ")");
  Buffer b;
  b.dtype = want;
  b.shape = a.shape;
  phx_dtype have = npyToPhx(a.type);
  size_t n = a.numel();
  if (a.type == npy::Type::U8 && want == PHX_DTYPE_I1)
    for (uint8_t v : a.data)
      if (v > 1)
        fail(label + ": |u1 input for an i1 argument must hold only 0 and 1");
  if (have == want) {
    b.bytes = a.data;
    return b;
  }
  if (phx_dtype_is_float(have) && phx_dtype_is_float(want)) {
    std::vector<double> tmp(n);
    checkStatus(phx_convert_to_f64(a.data.data(), n, have, tmp.data()));
    b.bytes.resize(n * phx_dtype_size(want));
    checkStatus(phx_convert_from_f64(tmp.data(), n, want, b.bytes.data()));
    return b;
  }
  fail(label + " has npy dtype '" + npy::descr(a.type) + "' but the argument is " +
       phx_dtype_name(want) + "; only float inputs are converted");
}

Buffer randomInput(const phx_module *m, int32_t e, int32_t i,
                   const Options &o, std::mt19937_64 &rng) {
  int32_t rank = phx_entry_arg_rank(m, e, i);
  const int64_t *sig = phx_entry_arg_shape(m, e, i);
  const char *argName = phx_entry_arg_name(m, e, i);
  const std::vector<int64_t> *given = nullptr;
  for (const auto &s : o.shapes)
    if (s.first == argName || s.first == std::to_string(i))
      given = &s.second;
  Buffer b;
  b.dtype = phx_entry_arg_dtype(m, e, i);
  if (given) {
    if (static_cast<int32_t>(given->size()) != rank)
      fail("--shape for " + argLabel(m, e, i) + " has " +
           std::to_string(given->size()) + " dims but the argument has rank " +
           std::to_string(rank) + " " + shapeStr(sig, rank));
    for (int32_t d = 0; d < rank; ++d)
      if (sig[d] >= 0 && (*given)[d] != sig[d])
        fail("--shape for " + argLabel(m, e, i) + ": dim " + std::to_string(d) +
             " is " + std::to_string((*given)[d]) + " but the signature says " +
             std::to_string(sig[d]));
    b.shape = *given;
  } else {
    for (int32_t d = 0; d < rank; ++d) {
      if (sig[d] >= 0) {
        b.shape.push_back(sig[d]);
        continue;
      }
      const char *sym = phx_entry_arg_dim_symbol(m, e, i, d);
      auto it = sym ? o.dims.find(sym) : o.dims.end();
      if (it == o.dims.end())
        fail(argLabel(m, e, i) + " dim " + std::to_string(d) +
             " is dynamic; give --shape " + std::to_string(i) + "=d0,d1,..." +
             (sym ? std::string(" or --dim ") + sym + "=N" : std::string()));
      b.shape.push_back(it->second);
    }
  }
  size_t n = b.numel();
  std::vector<double> v(n);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> unif(0.0, 1.0);
  const char *role = phx_entry_arg_role(m, e, i);
  std::string r = role ? role : "";
  if (r == "gates") {
    for (double &x : v)
      x = 0.05 + 0.949 * unif(rng);
  } else if (r == "resets") {
    for (double &x : v)
      x = unif(rng) < 0.02 ? 1.0 : 0.0;
  } else if (r == "drive" || r == "init" || r == "x") {
    for (double &x : v)
      x = normal(rng);
  } else if (!r.empty()) { // layer weights and biases
    double fanIn = 1.0;
    if (r[0] == 'w' && rank == 2)
      fanIn = static_cast<double>(b.shape[0]);
    else // bias: fan_in is Dm, the weights' dim 0
      for (int32_t j = 0; j < phx_entry_arg_count(m, e); ++j) {
        const char *rj = phx_entry_arg_role(m, e, j);
        if (rj && std::strcmp(rj, "wa") == 0)
          fanIn = static_cast<double>(
              std::max<int64_t>(1, phx_entry_arg_shape(m, e, j)[0]));
      }
    double scale = 1.0 / std::sqrt(std::max(1.0, fanIn));
    for (double &x : v)
      x = normal(rng) * scale;
  } else if (phx_dtype_is_float(b.dtype)) {
    for (double &x : v)
      x = normal(rng);
  } else if (b.dtype == PHX_DTYPE_I1) {
    for (double &x : v)
      x = unif(rng) < 0.5 ? 1.0 : 0.0;
  } else {
    for (double &x : v)
      x = std::floor(unif(rng) * 10.0);
  }
  b.bytes.resize(n * phx_dtype_size(b.dtype));
  checkStatus(phx_convert_from_f64(v.data(), n, b.dtype, b.bytes.data()));
  return b;
}

void poison(Buffer &b) {
  size_t n = b.numel();
  if (phx_dtype_is_float(b.dtype)) {
    std::vector<double> nan(n, std::numeric_limits<double>::quiet_NaN());
    checkStatus(phx_convert_from_f64(nan.data(), n, b.dtype, b.bytes.data()));
  } else {
    std::fill(b.bytes.begin(), b.bytes.end(), 0xA5);
  }
}

void writeOutput(const Buffer &b, const std::string &path, const char *name) {
  npy::Array a;
  a.shape = b.shape;
  size_t n = b.numel();
  switch (b.dtype) {
  case PHX_DTYPE_BF16: {
    a.type = npy::Type::F32;
    std::vector<double> tmp(n);
    checkStatus(phx_convert_to_f64(b.bytes.data(), n, b.dtype, tmp.data()));
    a.data.resize(n * 4);
    checkStatus(phx_convert_from_f64(tmp.data(), n, PHX_DTYPE_F32, a.data.data()));
    break;
  }
  case PHX_DTYPE_F16: a.type = npy::Type::F16; break;
  case PHX_DTYPE_F32: a.type = npy::Type::F32; break;
  case PHX_DTYPE_F64: a.type = npy::Type::F64; break;
  case PHX_DTYPE_I1: a.type = npy::Type::Bool; break;
  case PHX_DTYPE_I8: a.type = npy::Type::I8; break;
  case PHX_DTYPE_I32: a.type = npy::Type::I32; break;
  case PHX_DTYPE_I64: a.type = npy::Type::I64; break;
  default: fail("result has an invalid dtype");
  }
  if (b.dtype != PHX_DTYPE_BF16)
    a.data.assign(b.bytes.begin(), b.bytes.begin() + n * phx_dtype_size(b.dtype));
  std::string err;
  if (!npy::writeFile(path, a, err))
    fail("writing result '" + std::string(name) + "': " + err);
}

int run(const Options &o) {
  if (o.device == PHX_DEVICE_CUDA && !o.list) {
    const char *msg = nullptr;
    if (!phx_cuda_available(&msg))
      fail(msg);
    std::fprintf(stderr, "phalanx-run: %s\n", msg);
  }
  phx_module *raw = nullptr;
  // --list only reads the manifest: load for cpu, which runs no cuda code.
  checkStatus(phx_module_load_file(o.artifact.c_str(),
                                   o.list ? PHX_DEVICE_CPU : o.device, &raw));
  std::unique_ptr<phx_module, void (*)(phx_module *)> m(raw, phx_module_free);
  if (o.list) {
    listEntries(m.get());
    return 0;
  }
  int32_t count = phx_module_entry_count(m.get());
  std::string names;
  for (int32_t e = 0; e < count; ++e)
    names += (e ? ", " : "") + std::string(phx_module_entry_name(m.get(), e));
  int32_t e;
  if (o.entry.empty()) {
    if (count != 1)
      usage("artifact has " + std::to_string(count) +
            " entries; pick one with --entry (entries: " + names + ")");
    e = 0;
  } else {
    e = phx_module_find_entry(m.get(), o.entry.c_str());
    if (e < 0)
      usage("artifact has no entry '" + o.entry + "' (entries: " + names + ")");
  }
  const std::string entryName = phx_module_entry_name(m.get(), e);
  const int32_t nargs = phx_entry_arg_count(m.get(), e);
  const int32_t nres = phx_entry_result_count(m.get(), e);

  std::vector<Buffer> args(static_cast<size_t>(nargs));
  if (!o.inputs.empty()) {
    if (static_cast<int32_t>(o.inputs.size()) != nargs)
      usage("entry '" + entryName + "' takes " + std::to_string(nargs) +
            " arguments but " + std::to_string(o.inputs.size()) +
            " --input files were given");
    for (int32_t i = 0; i < nargs; ++i)
      args[i] = loadInput(m.get(), e, i, o.inputs[i]);
  } else if (o.haveRandom) {
    std::mt19937_64 rng(o.seed);
    for (int32_t i = 0; i < nargs; ++i)
      args[i] = randomInput(m.get(), e, i, o, rng);
  } else if (nargs > 0) {
    usage("entry '" + entryName + "' takes " + std::to_string(nargs) +
          " arguments; give --input FILE.npy ... or --random SEED");
  }
  if (!o.outputs.empty() && static_cast<int32_t>(o.outputs.size()) != nres)
    usage("entry '" + entryName + "' has " + std::to_string(nres) +
          " results but " + std::to_string(o.outputs.size()) +
          " --output files were given");

  std::vector<phx_tensor> argViews;
  for (auto &b : args)
    argViews.push_back(b.view());
  std::vector<Buffer> results(static_cast<size_t>(nres));
  for (int32_t r = 0; r < nres; ++r) {
    Buffer &b = results[r];
    b.dtype = phx_entry_result_dtype(m.get(), e, r);
    b.shape.resize(static_cast<size_t>(phx_entry_result_rank(m.get(), e, r)));
    checkStatus(phx_entry_compute_result_shape(m.get(), e, argViews.data(),
                                               nargs, r, b.shape.data()));
    b.bytes.resize(b.numel() * phx_dtype_size(b.dtype));
    poison(b);
  }
  std::vector<phx_tensor> resViews;
  for (auto &b : results)
    resViews.push_back(b.view());

  // CUDA: device copies of the inputs, results poisoned with 0xFF bytes
  // (NaN for every float dtype), run, copy back.
  std::vector<DeviceBuffer> devArgs, devRes;
  std::vector<phx_tensor> runArgs = argViews, runRes = resViews;
  if (o.device == PHX_DEVICE_CUDA) {
    devArgs.resize(args.size());
    devRes.resize(results.size());
    for (size_t i = 0; i < args.size(); ++i) {
      devArgs[i].alloc(args[i].bytes.size(), "argument #" + std::to_string(i));
      checkStatus(phx_buffer_copy_to_device(devArgs[i].ptr, args[i].bytes.data(),
                                            args[i].bytes.size()),
                  "copying argument #" + std::to_string(i) + " to the device");
      runArgs[i].data = devArgs[i].ptr;
      runArgs[i].device = PHX_DEVICE_CUDA;
    }
    for (size_t r = 0; r < results.size(); ++r) {
      devRes[r].alloc(results[r].bytes.size(), "result #" + std::to_string(r));
      checkStatus(phx_buffer_fill_bytes(PHX_DEVICE_CUDA, devRes[r].ptr, 0xFF,
                                        results[r].bytes.size()),
                  "poisoning result #" + std::to_string(r));
      runRes[r].data = devRes[r].ptr;
      runRes[r].device = PHX_DEVICE_CUDA;
    }
  }

  auto invoke = [&](double *ms) {
    const std::string ctx = "running entry '" + entryName + "'";
    if (ms)
      checkStatus(phx_invoke_timed(m.get(), e, runArgs.data(), nargs,
                                   runRes.data(), nres, ms),
                  ctx);
    else
      checkStatus(phx_invoke_index(m.get(), e, runArgs.data(), nargs,
                                   runRes.data(), nres),
                  ctx);
  };
  invoke(nullptr);
  if (o.device == PHX_DEVICE_CUDA)
    for (size_t r = 0; r < results.size(); ++r)
      checkStatus(phx_buffer_copy_to_host(results[r].bytes.data(), devRes[r].ptr,
                                          results[r].bytes.size()),
                  "copying result #" + std::to_string(r) + " to the host");
  if (o.repeat > 0) {
    std::vector<double> ms;
    for (int k = 0; k < o.repeat; ++k) {
      double t = 0;
      invoke(&t);
      ms.push_back(t);
    }
    std::sort(ms.begin(), ms.end());
    size_t n = ms.size();
    double med = n % 2 ? ms[n / 2] : 0.5 * (ms[n / 2 - 1] + ms[n / 2]);
    std::printf("time: median %.3f ms over %d runs%s\n", med, o.repeat,
                o.device == PHX_DEVICE_CUDA ? " (CUDA events)" : "");
  }
  for (int32_t r = 0; r < nres; ++r)
    std::printf("result #%d %s: %s %s\n", r,
                phx_entry_result_name(m.get(), e, r),
                phx_dtype_name(results[r].dtype),
                shapeStr(results[r].shape.data(),
                         static_cast<int32_t>(results[r].shape.size()))
                    .c_str());
  for (size_t r = 0; r < o.outputs.size(); ++r)
    writeOutput(results[r], o.outputs[r],
                phx_entry_result_name(m.get(), e, static_cast<int32_t>(r)));

  int rc = 0;
  if (o.check) {
    size_t n = results[0].numel();
    std::vector<double> ref(n);
    checkStatus(phx_reference_run(m.get(), entryName.c_str(), argViews.data(),
                                  nargs, ref.data(), n),
                "--check");
    double err = 0;
    int64_t nonfinite = 0;
    checkStatus(phx_relative_error(&resViews[0], ref.data(), n, &err, &nonfinite));
    double tol = o.tol >= 0 ? o.tol : phx_default_tolerance(results[0].dtype);
    bool pass = nonfinite == 0 && err <= tol;
    std::printf("check: rel_err=%.3g tol=%g %s", err, tol, pass ? "PASS" : "FAIL");
    if (nonfinite)
      std::printf(" (%lld NaN/Inf elements in the output)",
                  static_cast<long long>(nonfinite));
    std::printf("\n");
    rc = pass ? 0 : 1;
  }
  return rc;
}

} // namespace

int main(int argc, char **argv) {
  try {
    Options o = parseArgs(argc, argv);
    return run(o);
  } catch (const UsageError &u) {
    std::fprintf(stderr, "phalanx-run: error: %s\n(see phalanx-run --help)\n",
                 u.msg.c_str());
    return 2;
  } catch (const Failure &f) {
    std::fprintf(stderr, "phalanx-run: error: %s\n", f.msg.c_str());
    return 1;
  } catch (const std::exception &ex) {
    std::fprintf(stderr, "phalanx-run: error: %s\n", ex.what());
    return 1;
  }
}
