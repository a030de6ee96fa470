// Artifact container/manifest validation, loading, invocation and fuzzing.
#include "cuda/driver.h"
#include "internal.h"
#include "test.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <unistd.h>

using namespace phxtest;

namespace phxtest {

static void put32(std::vector<uint8_t> &b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i)
    b[at + i] = uint8_t(v >> (8 * i));
}
static void put64(std::vector<uint8_t> &b, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i)
    b[at + i] = uint8_t(v >> (8 * i));
}

std::vector<uint8_t> buildArtifact(const std::vector<SectionSpec> &sections) {
  size_t tableEnd = 32 + 32 * sections.size();
  size_t off = (tableEnd + 63) / 64 * 64;
  std::vector<size_t> offsets;
  for (const auto &s : sections) {
    offsets.push_back(off);
    off = (off + s.payload.size() + 63) / 64 * 64;
  }
  size_t total = sections.empty() ? tableEnd
                                  : offsets.back() + sections.back().payload.size();
  std::vector<uint8_t> b(total, 0);
  std::memcpy(b.data(), "PHXARTF\0", 8);
  put32(b, 8, 1);
  put32(b, 12, uint32_t(sections.size()));
  put64(b, 16, total);
  put64(b, 24, 0);
  for (size_t i = 0; i < sections.size(); ++i) {
    size_t e = 32 + 32 * i;
    const auto &s = sections[i];
    put32(b, e, s.kind);
    put32(b, e + 4, s.index);
    put64(b, e + 8, offsets[i]);
    put64(b, e + 16, s.payload.size());
    put64(b, e + 24, phx::fnv1a64(s.payload.data(), s.payload.size()));
    std::copy(s.payload.begin(), s.payload.end(), b.begin() + offsets[i]);
  }
  return b;
}

std::vector<uint8_t> readFileBytes(const std::string &path) {
  std::vector<uint8_t> out;
  FILE *f = std::fopen(path.c_str(), "rb");
  if (!f)
    return out;
  uint8_t buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0)
    out.insert(out.end(), buf, buf + n);
  std::fclose(f);
  return out;
}

std::vector<uint8_t> testKernelsSo() { return readFileBytes(PHX_TEST_KERNELS_SO); }

std::string testManifest() {
  const char *scanSig =
      "\"args\": [{\"name\": \"a\", \"dtype\": \"f32\", \"shape\": [-1, 2, -1]},"
      " {\"name\": \"x\", \"dtype\": \"f32\", \"shape\": [-1, 2, 4, -1]}],"
      " \"results\": [{\"name\": \"y\", \"dtype\": \"f32\", \"shape\": [-1, 2, 4, -1],"
      " \"shape_from\": [[1, 0], null, null, [1, 3]]}],"
      " \"op\": {\"kind\": \"swr.scan\", \"block\": 4, \"hops\": 1, \"segment\": \"inf\","
      " \"transpose\": false, \"gates\": 0, \"drive\": 1, \"resets\": null, \"init\": null}";
  // A phalanx.layer entry (H=4, Hkv=2, D=2, Dm=8) whose code writes nothing:
  // exercises layer shapes, random inputs and the layer reference.
  const std::string layerEntry =
      "{\"name\": \"layer_noop\", \"symbol\": \"phx_entry_noop\", \"device\": \"cpu\","
      " \"args\": [{\"name\": \"x\", \"dtype\": \"bf16\", \"shape\": [-1, -1, 8]},"
      " {\"name\": \"wa\", \"dtype\": \"bf16\", \"shape\": [8, 4]},"
      " {\"name\": \"ba\", \"dtype\": \"f32\", \"shape\": [4]},"
      " {\"name\": \"wb\", \"dtype\": \"bf16\", \"shape\": [8, 4]},"
      " {\"name\": \"bb\", \"dtype\": \"f32\", \"shape\": [4]},"
      " {\"name\": \"wc\", \"dtype\": \"bf16\", \"shape\": [8, 4]},"
      " {\"name\": \"bc\", \"dtype\": \"f32\", \"shape\": [4]},"
      " {\"name\": \"wv\", \"dtype\": \"bf16\", \"shape\": [8, 8]},"
      " {\"name\": \"wo\", \"dtype\": \"bf16\", \"shape\": [8, 8]}],"
      " \"results\": [{\"name\": \"out\", \"dtype\": \"bf16\", \"shape\": [-1, -1, 8],"
      " \"shape_from\": [[0, 0], [0, 1], null]}],"
      " \"op\": {\"kind\": \"phalanx.layer\", \"heads\": 4, \"kv_heads\": 2, \"head_dim\": 2,"
      " \"global_heads\": 1, \"window\": {\"block\": 4, \"hops\": 1, \"segment\": \"inf\"},"
      " \"act_a\": \"sigmoid\", \"act_b\": \"swish\", \"x\": 0, \"wa\": 1, \"ba\": 2,"
      " \"wb\": 3, \"bb\": 4, \"wc\": 5, \"bc\": 6, \"wv\": 7, \"wo\": 8}}";
  return std::string(
             "{\"format\": \"phalanx-artifact\", \"version\": 1, "
             "\"producer\": \"phalanx-rt-tests\", \"entries\": [\n"
             " {\"name\": \"add\", \"symbol\": \"phx_entry_add\", \"device\": \"cpu\","
             " \"args\": [{\"name\": \"a\", \"dtype\": \"f32\", \"shape\": [-1]},"
             " {\"name\": \"b\", \"dtype\": \"f32\", \"shape\": [-1]}],"
             " \"results\": [{\"name\": \"c\", \"dtype\": \"f32\", \"shape\": [-1],"
             " \"shape_from\": [[0, 0]]}]},\n"
             " {\"name\": \"scan\", \"symbol\": \"phx_entry_scan\", \"device\": \"cpu\", ") +
         scanSig +
         "},\n {\"name\": \"noop\", \"symbol\": \"phx_entry_noop\", \"device\": "
         "\"cpu\", " +
         scanSig + "},\n" + layerEntry + "]}";
}

static std::vector<uint8_t> bytesOf(const std::string &s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}

std::vector<uint8_t> testArtifact() {
  return buildArtifact({{1, 0, bytesOf(testManifest())}, {2, 0, testKernelsSo()}});
}

} // namespace phxtest

namespace {

// Loads bytes; returns the error message ("OK" on success, module freed).
std::string loadMsg(const std::vector<uint8_t> &b, phx_status_code *code = nullptr,
                    const char *name = "x.phx") {
  phx_module *m = nullptr;
  phx_status s = phx_module_load_memory(b.data(), b.size(), name,
                                        PHX_DEVICE_CPU, &m);
  std::string msg = takeMessage(s, code);
  if (m)
    phx_module_free(m);
  return msg;
}

std::string manifestMsg(const std::string &manifest, bool withHost = true) {
  std::vector<SectionSpec> secs{{1, 0, bytesOf(manifest)}};
  if (withHost)
    secs.push_back({2, 0, testKernelsSo()});
  return loadMsg(buildArtifact(secs));
}

phx_module *loadTest() {
  std::vector<uint8_t> b = testArtifact();
  phx_module *m = nullptr;
  phx_status s =
      phx_module_load_memory(b.data(), b.size(), "test.phx", PHX_DEVICE_CPU, &m);
  CHECK_EQ(takeMessage(s), std::string("OK"));
  return m;
}

phx_tensor view(void *data, phx_dtype dt, const std::vector<int64_t> &shape) {
  phx_tensor t;
  t.data = data;
  t.dtype = dt;
  t.rank = int32_t(shape.size());
  t.shape = shape.data();
  t.device = PHX_DEVICE_CPU;
  return t;
}

} // namespace

TEST(artifact_test_kernels_present) { CHECK(testKernelsSo().size() > 1000); }

TEST(artifact_load_and_signature) {
  phx_module *m = loadTest();
  if (!m)
    return;
  CHECK_EQ(phx_module_entry_count(m), 4);
  CHECK_EQ(std::string(phx_entry_arg_dim_symbol(m, 3, 0, 2)), "Dm");
  CHECK_EQ(std::string(phx_entry_arg_role(m, 3, 8)), "wo");
  CHECK_EQ(std::string(phx_module_producer(m)), "phalanx-rt-tests");
  CHECK_EQ(phx_module_find_entry(m, "scan"), 1);
  CHECK_EQ(phx_module_find_entry(m, "nope"), -1);
  CHECK_EQ(std::string(phx_module_entry_name(m, 0)), "add");
  CHECK(phx_module_entry_name(m, 4) == nullptr);
  CHECK_EQ(phx_entry_arg_count(m, 1), 2);
  CHECK_EQ(phx_entry_result_count(m, 1), 1);
  CHECK_EQ(std::string(phx_entry_arg_name(m, 1, 1)), "x");
  CHECK_EQ(phx_entry_arg_dtype(m, 1, 1), PHX_DTYPE_F32);
  CHECK_EQ(phx_entry_arg_rank(m, 1, 1), 4);
  CHECK_EQ(phx_entry_arg_shape(m, 1, 1)[2], 4);
  CHECK_EQ(phx_entry_arg_shape(m, 1, 1)[3], -1);
  CHECK_EQ(std::string(phx_entry_arg_role(m, 1, 0)), "gates");
  CHECK_EQ(std::string(phx_entry_arg_dim_symbol(m, 1, 1, 3)), "L");
  CHECK(phx_entry_arg_role(m, 0, 0) == nullptr);
  CHECK_EQ(std::string(phx_entry_op_kind(m, 1)), "swr.scan");
  CHECK(phx_entry_op_kind(m, 0) == nullptr);
  CHECK_EQ(std::string(phx_entry_result_name(m, 1, 0)), "y");
  CHECK_EQ(phx_entry_result_rank(m, 1, 0), 4);
  CHECK(phx_entry_arg_name(m, 1, 2) == nullptr);
  CHECK_EQ(phx_entry_arg_rank(m, 7, 0), -1);
  std::vector<float> a(2 * 2 * 5), x(2 * 2 * 4 * 5);
  std::vector<int64_t> as{2, 2, 5}, xs{2, 2, 4, 5};
  phx_tensor args[2] = {view(a.data(), PHX_DTYPE_F32, as),
                        view(x.data(), PHX_DTYPE_F32, xs)};
  int64_t out[4] = {0, 0, 0, 0};
  CHECK_EQ(takeMessage(phx_entry_compute_result_shape(m, 1, args, 2, 0, out)),
           std::string("OK"));
  CHECK(out[0] == 2 && out[1] == 2 && out[2] == 4 && out[3] == 5);
  phx_module_free(m);
}

TEST(artifact_invoke_add) {
  phx_module *m = loadTest();
  if (!m)
    return;
  std::vector<float> a{1, 2, 3, 4, 5}, b{10, 20, 30, 40, 50}, c(5, -1);
  std::vector<int64_t> s{5};
  phx_tensor args[2] = {view(a.data(), PHX_DTYPE_F32, s),
                        view(b.data(), PHX_DTYPE_F32, s)};
  phx_tensor res = view(c.data(), PHX_DTYPE_F32, s);
  CHECK_EQ(takeMessage(phx_invoke(m, "add", args, 2, &res, 1)), std::string("OK"));
  for (int i = 0; i < 5; ++i)
    CHECK_EQ(c[i], a[i] + b[i]);
  phx_module_free(m);
}

TEST(artifact_invoke_scan_matches_reference) {
  phx_module *m = loadTest();
  if (!m)
    return;
  const int64_t B = 2, H = 2, D = 4, L = 23;
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(0.05f, 0.999f);
  std::normal_distribution<float> nd;
  std::vector<float> a(B * H * L), x(B * H * D * L), y(B * H * D * L);
  for (float &v : a) v = u(rng);
  for (float &v : x) v = nd(rng);
  std::vector<int64_t> as{B, H, L}, xs{B, H, D, L};
  phx_tensor args[2] = {view(a.data(), PHX_DTYPE_F32, as),
                        view(x.data(), PHX_DTYPE_F32, xs)};
  phx_tensor res = view(y.data(), PHX_DTYPE_F32, xs);
  CHECK_EQ(takeMessage(phx_invoke(m, "scan", args, 2, &res, 1)), std::string("OK"));
  std::vector<double> ref(y.size());
  CHECK_EQ(takeMessage(phx_reference_run(m, "scan", args, 2, ref.data(), ref.size())),
           std::string("OK"));
  double err = -1;
  int64_t bad = -1;
  CHECK_EQ(takeMessage(phx_relative_error(&res, ref.data(), ref.size(), &err, &bad)),
           std::string("OK"));
  CHECK(err >= 0 && err < 1e-6);
  CHECK_EQ(bad, 0);
  // noop leaves poisoned (NaN) results: the metric must flag them.
  std::fill(y.begin(), y.end(), std::nanf(""));
  CHECK_EQ(takeMessage(phx_invoke(m, "noop", args, 2, &res, 1)), std::string("OK"));
  CHECK_EQ(takeMessage(phx_relative_error(&res, ref.data(), ref.size(), &err, &bad)),
           std::string("OK"));
  CHECK(std::isnan(err));
  CHECK_EQ(bad, int64_t(y.size()));
  // No reference for an entry without op.
  phx_status_code code;
  std::vector<float> aa(3), bb(3);
  std::vector<int64_t> s3{3};
  phx_tensor addArgs[2] = {view(aa.data(), PHX_DTYPE_F32, s3),
                           view(bb.data(), PHX_DTYPE_F32, s3)};
  CHECK_CONTAINS(takeMessage(phx_reference_run(m, "add", addArgs, 2, ref.data(), 3), &code),
                 "entry 'add' has no \"op\" description");
  CHECK_EQ(code, PHX_STATUS_FAILED_PRECONDITION);
  phx_module_free(m);
}

TEST(artifact_invoke_errors) {
  phx_module *m = loadTest();
  if (!m)
    return;
  std::vector<float> a(5), b(5), c(5);
  std::vector<double> d(5);
  std::vector<int64_t> s{5}, s2{5, 1}, s4{4};
  phx_tensor args[2] = {view(a.data(), PHX_DTYPE_F32, s),
                        view(b.data(), PHX_DTYPE_F32, s)};
  phx_tensor res = view(c.data(), PHX_DTYPE_F32, s);
  phx_status_code code;
  CHECK_CONTAINS(takeMessage(phx_invoke(m, "add", args, 1, &res, 1), &code),
                 "entry 'add' takes 2 arguments, got 1");
  CHECK_EQ(code, PHX_STATUS_INVALID_ARGUMENT);
  CHECK_CONTAINS(takeMessage(phx_invoke(m, "add", args, 2, &res, 2)),
                 "entry 'add' has 1 results, got 2 result buffers");
  CHECK_CONTAINS(takeMessage(phx_invoke(m, "add", args, 2, &res, 0)),
                 "entry 'add' has 1 results, got 0 result buffers");
  CHECK_CONTAINS(takeMessage(phx_invoke(m, "nope", args, 2, &res, 1), &code),
                 "has no entry 'nope' (entries: add, scan, noop, layer_noop)");
  CHECK_EQ(code, PHX_STATUS_NOT_FOUND);
  CHECK_CONTAINS(takeMessage(phx_invoke(nullptr, "add", args, 2, &res, 1)),
                 "module is NULL");
  CHECK_CONTAINS(takeMessage(phx_invoke(m, "add", nullptr, 2, &res, 1)),
                 "argument array is NULL");
  CHECK_CONTAINS(takeMessage(phx_invoke(m, "add", args, 2, nullptr, 1)),
                 "result array is NULL");
  {
    phx_tensor bad[2] = {args[0], args[1]};
    bad[1].data = nullptr;
    CHECK_CONTAINS(takeMessage(phx_invoke(m, "add", bad, 2, &res, 1)),
                   "argument 'b' (#1) has a null data pointer");
    bad[1] = view(d.data(), PHX_DTYPE_F64, s);
    CHECK_CONTAINS(takeMessage(phx_invoke(m, "add", bad, 2, &res, 1)),
                   "argument 'b' (#1) has dtype f64 but the entry expects f32");
    bad[1] = view(b.data(), PHX_DTYPE_F32, s2);
    CHECK_CONTAINS(takeMessage(phx_invoke(m, "add", bad, 2, &res, 1)),
                   "argument 'b' (#1) has rank 2 but the entry expects rank 1 [?]");
    bad[1] = args[1];
    bad[1].shape = nullptr;
    CHECK_CONTAINS(takeMessage(phx_invoke(m, "add", bad, 2, &res, 1)),
                   "argument 'b' (#1) has a null shape pointer");
    bad[1] = args[1];
    bad[1].device = PHX_DEVICE_CUDA;
    CHECK_CONTAINS(takeMessage(phx_invoke(m, "add", bad, 2, &res, 1)),
                   "argument 'b' (#1) is on device cuda");
  }
  {
    phx_tensor r = view(c.data(), PHX_DTYPE_F32, s4);
    CHECK_CONTAINS(takeMessage(phx_invoke(m, "add", args, 2, &r, 1)),
                   "result 'c' (#0) has shape [4] but the arguments give [5]");
    r = view(d.data(), PHX_DTYPE_F64, s);
    CHECK_CONTAINS(takeMessage(phx_invoke(m, "add", args, 2, &r, 1)),
                   "result 'c' (#0) has dtype f64 but the entry expects f32");
    r = view(nullptr, PHX_DTYPE_F32, s);
    CHECK_CONTAINS(takeMessage(phx_invoke(m, "add", args, 2, &r, 1)),
                   "result 'c' (#0) has a null data pointer");
  }
  // Scan: static dims and cross-argument consistency.
  std::vector<float> ga(64), gx(256), gy(256);
  std::vector<int64_t> sa{1, 3, 8}, sa2{1, 2, 8}, sx{1, 2, 4, 9}, sx2{2, 2, 4, 8},
      sx3{1, 2, 4, 8}, sy{1, 2, 4, 7};
  phx_tensor sres = view(gy.data(), PHX_DTYPE_F32, sx3);
  phx_tensor sargs[2] = {view(ga.data(), PHX_DTYPE_F32, sa),
                         view(gx.data(), PHX_DTYPE_F32, sx3)};
  CHECK_CONTAINS(takeMessage(phx_invoke(m, "scan", sargs, 2, &sres, 1)),
                 "argument 'a' (#0) has shape [1, 3, 8] but the entry expects "
                 "[?, 2, ?]: dim 1 must be 2");
  sargs[0] = view(ga.data(), PHX_DTYPE_F32, sa2);
  sargs[1] = view(gx.data(), PHX_DTYPE_F32, sx);
  CHECK_CONTAINS(takeMessage(phx_invoke(m, "scan", sargs, 2, &sres, 1)),
                 "argument 'x' (#1) dim 3 is 9 but argument 'a' (#0) dim 2 is "
                 "8; both are L");
  sargs[1] = view(gx.data(), PHX_DTYPE_F32, sx2);
  CHECK_CONTAINS(takeMessage(phx_invoke(m, "scan", sargs, 2, &sres, 1)),
                 "argument 'x' (#1) dim 0 is 2 but argument 'a' (#0) dim 0 is "
                 "1; both are B");
  sargs[1] = view(gx.data(), PHX_DTYPE_F32, sx3);
  phx_tensor badRes = view(gy.data(), PHX_DTYPE_F32, sy);
  CHECK_CONTAINS(takeMessage(phx_invoke(m, "scan", sargs, 2, &badRes, 1)),
                 "result 'y' (#0) has shape [1, 2, 4, 7] but the arguments give "
                 "[1, 2, 4, 8]");
  CHECK_EQ(takeMessage(phx_invoke(m, "scan", sargs, 2, &sres, 1)), std::string("OK"));
  int64_t shp[4];
  sargs[1] = view(gx.data(), PHX_DTYPE_F32, sx);
  CHECK_CONTAINS(takeMessage(phx_entry_compute_result_shape(m, 1, sargs, 2, 0, shp)),
                 "both are L");
  phx_module_free(m);
}

TEST(artifact_load_file_and_cuda) {
  std::vector<uint8_t> b = testArtifact();
  char path[] = "/tmp/phx-test-XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  if (fd < 0)
    return;
  CHECK(write(fd, b.data(), b.size()) == ssize_t(b.size()));
  close(fd);
  phx_module *m = nullptr;
  CHECK_EQ(takeMessage(phx_module_load_file(path, PHX_DEVICE_CPU, &m)),
           std::string("OK"));
  CHECK(m != nullptr);
  // A second module loaded at the same time must be independent.
  phx_module *m2 = nullptr;
  CHECK_EQ(takeMessage(phx_module_load_file(path, PHX_DEVICE_CPU, &m2)),
           std::string("OK"));
  phx_module_free(m2);
  phx_module_free(m);
  phx_status_code code;
  std::string msg = takeMessage(phx_module_load_file(path, PHX_DEVICE_CUDA, &m), &code);
  if (!phx::cuda::driver()) {
    CHECK(m == nullptr);
    CHECK_EQ(code, PHX_STATUS_UNAVAILABLE);
    CHECK_CONTAINS(msg, "CUDA backend: ");
    if (!std::getenv("PHALANX_CUDA_DRIVER"))
      CHECK_EQ(msg, std::string("CUDA backend: no CUDA driver found "
                                "(libcuda.so.1 could not be loaded)"));
  } else {
    // A cpu-only artifact loads for cuda; its entries say where they run.
    CHECK_EQ(msg, std::string("OK"));
    float a[2] = {1, 2}, c[2];
    int64_t shape[1] = {2};
    phx_tensor args[2] = {view(a, PHX_DTYPE_F32, {2}), view(a, PHX_DTYPE_F32, {2})};
    args[0].shape = args[1].shape = shape;
    args[0].device = args[1].device = PHX_DEVICE_CUDA;
    phx_tensor res = args[0];
    res.data = c;
    CHECK_EQ(takeMessage(phx_invoke(m, "add", args, 2, &res, 1), &code),
             std::string("entry 'add' was compiled for cpu; run it with "
                         "--device cpu (the module was loaded for cuda)"));
    CHECK_EQ(code, PHX_STATUS_FAILED_PRECONDITION);
    phx_module_free(m);
  }
  unlink(path);
  CHECK_CONTAINS(takeMessage(phx_module_load_file(path, PHX_DEVICE_CPU, &m), &code),
                 "cannot open artifact '" + std::string(path) + "'");
  CHECK_EQ(code, PHX_STATUS_NOT_FOUND);
}

TEST(artifact_container_errors) {
  std::vector<uint8_t> good = testArtifact();
  CHECK_EQ(loadMsg(good), std::string("OK"));
  phx_status_code code;
  {
    // Cut well inside the file; the test library's size depends on the flags.
    auto b = good;
    size_t cut = good.size() / 2;
    b.resize(cut);
    CHECK_EQ(loadMsg(b, &code),
             "artifact 'x.phx' is truncated: header says " +
                 std::to_string(good.size()) + " bytes, file has " +
                 std::to_string(cut));
    CHECK_EQ(code, PHX_STATUS_INVALID_ARTIFACT);
  }
  {
    auto b = good;
    b.push_back(0);
    CHECK_CONTAINS(loadMsg(b), "has trailing data");
  }
  {
    auto b = good;
    b[0] = 'Q';
    CHECK_CONTAINS(loadMsg(b), "is not a Phalanx artifact (bad magic");
  }
  {
    auto b = good;
    put32(b, 8, 2);
    CHECK_CONTAINS(loadMsg(b), "has format version 2; this runtime reads version 1");
  }
  {
    auto b = good;
    b[24] = 1;
    CHECK_CONTAINS(loadMsg(b), "non-zero reserved header field");
  }
  {
    auto b = good;
    put32(b, 12, 100000);
    CHECK_CONTAINS(loadMsg(b), "section table (100000 entries) extends past the end");
  }
  {
    auto b = good;
    put64(b, 32 + 8, good.size() - 4); // manifest offset near the end
    CHECK_CONTAINS(loadMsg(b), "section #0 (manifest) at offset");
    CHECK_CONTAINS(loadMsg(b), "lies outside the payload area");
  }
  {
    auto b = good;
    put64(b, 32 + 8, 16); // inside the header
    CHECK_CONTAINS(loadMsg(b), "lies outside the payload area [96, ");
  }
  {
    auto b = good;
    b[32 + 32 + 24] ^= 1; // host checksum
    CHECK_CONTAINS(loadMsg(b), "section #1 (host code) checksum mismatch");
  }
  {
    auto b = good;
    b[128] ^= 0x20; // inside the manifest payload
    CHECK_CONTAINS(loadMsg(b), "section #0 (manifest) checksum mismatch");
  }
  {
    auto b = good;
    put32(b, 32, 9);
    CHECK_CONTAINS(loadMsg(b), "section #0 has unknown kind 9");
  }
  {
    auto b = good;
    put32(b, 32 + 4, 3);
    CHECK_CONTAINS(loadMsg(b), "has index 3; only cubin sections");
  }
  {
    // Overlap: host section made to start inside the manifest.
    auto m = bytesOf(testManifest());
    auto b = buildArtifact({{1, 0, m}, {2, 0, testKernelsSo()}});
    uint64_t moff = 128;
    auto so = testKernelsSo();
    std::vector<uint8_t> c(b.begin(), b.begin() + 96);
    // rebuild by hand: manifest at 128, host at 128 + 8 (overlapping)
    c.resize(128 + 8 + so.size(), 0);
    std::copy(m.begin(), m.end(), c.begin() + moff);
    put64(c, 16, c.size());
    put64(c, 32 + 8, moff);
    put64(c, 32 + 16, 16);
    put64(c, 32 + 24, phx::fnv1a64(&c[moff], 16));
    put64(c, 64 + 8, moff + 8);
    put64(c, 64 + 16, 16);
    put64(c, 64 + 24, phx::fnv1a64(&c[moff + 8], 16));
    CHECK_CONTAINS(loadMsg(c), "section #1 (host code) overlaps an earlier section");
  }
  {
    auto b = good;
    b[96] = 7; // padding between table (ends at 96) and the first payload
    CHECK_CONTAINS(loadMsg(b), "non-zero padding byte at offset 96");
  }
  CHECK_CONTAINS(loadMsg(buildArtifact({{2, 0, testKernelsSo()}})),
                 "must have exactly one manifest section, has 0");
  CHECK_CONTAINS(loadMsg(buildArtifact({{1, 0, bytesOf(testManifest())},
                                        {1, 1, bytesOf(testManifest())}})),
                 "has index 1");
  CHECK_CONTAINS(loadMsg(buildArtifact({{1, 0, bytesOf(testManifest())},
                                        {2, 0, testKernelsSo()},
                                        {1, 0, bytesOf(testManifest())}})),
                 "has two manifest sections with index 0");
  CHECK_CONTAINS(loadMsg(buildArtifact({})), "has no sections");
  CHECK_CONTAINS(loadMsg(std::vector<uint8_t>(10, 0)),
                 "is truncated: 10 bytes is smaller than the 32-byte header");
  CHECK_CONTAINS(manifestMsg(testManifest(), false),
                 "has cpu entries but no host code section");
  CHECK_CONTAINS(loadMsg(buildArtifact({{1, 0, bytesOf(testManifest())},
                                        {2, 0, bytesOf("not an elf file at all")}})),
                 "host code section is not an x86-64 ELF shared object");
}

TEST(artifact_manifest_errors) {
  auto withEntry = [](const std::string &entry) {
    return "{\"format\": \"phalanx-artifact\", \"version\": 1, \"producer\": "
           "\"t\", \"entries\": [" + entry + "]}";
  };
  const std::string sig =
      "\"args\": [{\"name\": \"a\", \"dtype\": \"f32\", \"shape\": [-1]}, "
      "{\"name\": \"b\", \"dtype\": \"f32\", \"shape\": [-1]}], \"results\": "
      "[{\"name\": \"c\", \"dtype\": \"f32\", \"shape\": [-1], \"shape_from\": [[0, 0]]}]";
  auto add = [&](const std::string &extra) {
    return withEntry("{\"name\": \"add\", \"symbol\": \"phx_entry_add\", "
                     "\"device\": \"cpu\", " + sig + extra + "}");
  };
  CHECK_EQ(manifestMsg(add("")), std::string("OK"));
  CHECK_CONTAINS(manifestMsg("{\"format\": \"phalanx-artifact\", "),
                 "manifest is not valid JSON: at byte 31: unexpected end of input inside an object");
  CHECK_CONTAINS(manifestMsg("[1]"), "manifest must be a JSON object");
  CHECK_CONTAINS(manifestMsg("{\"format\": \"x\", \"version\": 1}"),
                 "\"format\" is \"x\", expected \"phalanx-artifact\"");
  CHECK_CONTAINS(manifestMsg("{\"format\": \"phalanx-artifact\", \"version\": 2}"),
                 "version 2 is not supported");
  CHECK_CONTAINS(manifestMsg("{\"format\": \"phalanx-artifact\", \"version\": \"1\"}"),
                 "field \"version\" must be an integer, got string");
  CHECK_CONTAINS(manifestMsg("{\"format\": \"phalanx-artifact\", \"version\": 1, "
                             "\"producer\": \"t\"}"),
                 "missing required field \"entries\"");
  CHECK_CONTAINS(manifestMsg(withEntry("")), "manifest has no entries");
  CHECK_CONTAINS(manifestMsg(withEntry("{\"name\": \"e\"}")),
                 "entry 'e': missing required field \"symbol\"");
  CHECK_CONTAINS(manifestMsg(withEntry("{\"name\": 3}")),
                 "entry #0: field \"name\" must be a string, got number");
  CHECK_CONTAINS(
      manifestMsg(withEntry("{\"name\": \"e\", \"symbol\": \"s\", \"device\": \"tpu\"}")),
      "\"device\" must be \"cpu\" or \"cuda\", got \"tpu\"");
  CHECK_CONTAINS(manifestMsg(withEntry("{\"name\": \"add\", \"symbol\": "
                                       "\"phx_entry_missing\", \"device\": \"cpu\", " +
                                       sig + "}")),
                 "entry 'add' symbol 'phx_entry_missing' is not defined in the host code");
  CHECK_CONTAINS(manifestMsg(withEntry(
                     "{\"name\": \"e\", \"symbol\": \"s\", \"device\": \"cpu\", "
                     "\"args\": [{\"name\": \"a\", \"dtype\": \"f128\", \"shape\": []}], "
                     "\"results\": []}")),
                 "entry 'e' argument #0: unknown dtype \"f128\"");
  CHECK_CONTAINS(manifestMsg(withEntry(
                     "{\"name\": \"e\", \"symbol\": \"s\", \"device\": \"cpu\", "
                     "\"args\": [{\"name\": \"a\", \"dtype\": \"f32\", \"shape\": [-2]}], "
                     "\"results\": []}")),
                 "shape entries must be integers >= 0 or -1");
  CHECK_CONTAINS(manifestMsg(withEntry(
                     "{\"name\": \"e\", \"symbol\": \"s\", \"device\": \"cpu\", "
                     "\"args\": [], \"results\": []}")),
                 "entry 'e': must have at least one result");
  CHECK_CONTAINS(manifestMsg(withEntry(
                     "{\"name\": \"e\", \"symbol\": \"s\", \"device\": \"cpu\", "
                     "\"args\": [], \"results\": [{\"name\": \"r\", \"dtype\": "
                     "\"f32\", \"shape\": [-1]}]}")),
                 "entry 'e' result #0: has dynamic dims but no \"shape_from\"");
  CHECK_CONTAINS(manifestMsg(withEntry(
                     "{\"name\": \"e\", \"symbol\": \"s\", \"device\": \"cpu\", "
                     "\"args\": [], \"results\": [{\"name\": \"r\", \"dtype\": "
                     "\"f32\", \"shape\": [-1], \"shape_from\": [[0, 0]]}]}")),
                 "shape_from[0] refers to argument #0 but the entry has 0 arguments");
  CHECK_CONTAINS(manifestMsg(withEntry(
                     "{\"name\": \"e\", \"symbol\": \"s\", \"device\": \"cpu\", "
                     "\"args\": [{\"name\": \"a\", \"dtype\": \"f32\", \"shape\": [-1]},"
                     "{\"name\": \"a\", \"dtype\": \"f32\", \"shape\": [-1]}], "
                     "\"results\": []}")),
                 "duplicate name 'a'");
  CHECK_CONTAINS(manifestMsg(withEntry(
                     "{\"name\": \"add\", \"symbol\": \"phx_entry_add\", \"device\": \"cpu\", " +
                     sig + "}, {\"name\": \"add\", \"symbol\": \"phx_entry_add\", "
                     "\"device\": \"cpu\", " + sig + "}")),
                 "has two entries named 'add'");
  // op descriptions
  CHECK_CONTAINS(manifestMsg(add(", \"op\": {\"kind\": \"swr.scan\", \"block\": 4, "
                                 "\"hops\": 1, \"segment\": \"inf\", \"gates\": 0, "
                                 "\"drive\": 1}")),
                 "entry 'add': op operand 'gates' must have rank 3 but argument "
                 "'a' (#0) has rank 1");
  CHECK_CONTAINS(manifestMsg(add(", \"op\": {\"kind\": \"swr.scan\", \"block\": 0, "
                                 "\"hops\": 1, \"segment\": \"inf\", \"gates\": 0, "
                                 "\"drive\": 1}")),
                 "field \"block\" must be >= 1");
  CHECK_CONTAINS(manifestMsg(add(", \"op\": {\"kind\": \"swr.scan\", \"block\": 4, "
                                 "\"hops\": \"many\", \"segment\": \"inf\", "
                                 "\"gates\": 0, \"drive\": 1}")),
                 "field \"hops\" must be an integer >= 0 or \"inf\"");
  CHECK_CONTAINS(manifestMsg(add(", \"op\": {\"kind\": \"swr.scan\", \"block\": 4, "
                                 "\"hops\": 1, \"segment\": 2, \"gates\": 0, "
                                 "\"drive\": 0}")),
                 "argument index 0 is used for more than one operand");
  CHECK_CONTAINS(manifestMsg(add(", \"op\": {\"kind\": \"swr.scan\", \"block\": 4, "
                                 "\"hops\": 1, \"segment\": 2, \"gates\": 0, "
                                 "\"drive\": 1, \"init\": 2, \"transpose\": true}")),
                 "\"init\" is not allowed with \"transpose\": true");
  CHECK_CONTAINS(manifestMsg(add(", \"op\": {\"block\": 4}")),
                 "op: missing required field \"kind\"");
  // Unknown op kinds are accepted (no reference, no checks).
  CHECK_EQ(manifestMsg(add(", \"op\": {\"kind\": \"future.op\"}")), std::string("OK"));
  CHECK_CONTAINS(manifestMsg(add(", \"op\": {\"kind\": \"phalanx.layer\", \"heads\": 4, "
                                 "\"kv_heads\": 3, \"head_dim\": 16}")),
                 "heads divisible by kv_heads");
}

TEST(artifact_fuzz_truncation) {
  std::vector<uint8_t> good = testArtifact();
  int crashesAvoided = 0, ok = 0;
  for (size_t n = 0; n < good.size(); ++n) {
    std::vector<uint8_t> b(good.begin(), good.begin() + n);
    phx_status_code code;
    std::string msg = loadMsg(b, &code);
    if (code == PHX_STATUS_OK)
      ++ok;
    else if (!msg.empty() && code == PHX_STATUS_INVALID_ARTIFACT)
      ++crashesAvoided;
  }
  CHECK_EQ(ok, 0);
  CHECK_EQ(size_t(crashesAvoided), good.size());
}

TEST(artifact_fuzz_byte_flips) {
  std::vector<uint8_t> good = testArtifact();
  std::mt19937_64 rng(1234);
  int ok = 0;
  for (int it = 0; it < 3000; ++it) {
    auto b = good;
    int flips = 1 + int(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      size_t at = rng() % b.size();
      // Bias toward the header/table/manifest where the parsing logic is.
      if (it % 2 == 0)
        at = rng() % std::min<size_t>(b.size(), 2048);
      b[at] ^= uint8_t(1u << (rng() % 8));
    }
    phx_status_code code;
    std::string msg = loadMsg(b, &code);
    if (code == PHX_STATUS_OK)
      ++ok;
    CHECK(!msg.empty());
  }
  CHECK_EQ(ok, 0);
}

TEST(artifact_fuzz_manifest_mutations) {
  // Mutated manifests with valid checksums: exercises the JSON and manifest
  // validation; any outcome but a crash is fine, errors must carry text.
  std::string base = testManifest();
  std::mt19937_64 rng(99);
  const char junk[] = "{}[],:\"\\-0123456789eE.truefalsn \x01\xff";
  auto so = testKernelsSo();
  for (int it = 0; it < 1500; ++it) {
    std::string m = base;
    int edits = 1 + int(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      size_t at = rng() % m.size();
      switch (rng() % 3) {
      case 0: m[at] = junk[rng() % (sizeof junk - 1)]; break;
      case 1: m.erase(at, 1 + rng() % 8); break;
      default: m.insert(at, 1, junk[rng() % (sizeof junk - 1)]); break;
      }
    }
    std::string msg = loadMsg(buildArtifact({{1, 0, bytesOf(m)}, {2, 0, so}}));
    CHECK(!msg.empty());
  }
}
