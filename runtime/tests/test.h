// Minimal test harness: TEST(name) { CHECK(...); } -- one line per test,
// "N passed, N failed" at the end.
#ifndef PHALANX_RT_TEST_H
#define PHALANX_RT_TEST_H

#include "phalanx/runtime.h"

#include <cstdint>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace phxtest {

struct TestCase {
  const char *name;
  void (*fn)();
};
std::vector<TestCase> &registry();
struct Registrar {
  Registrar(const char *name, void (*fn)()) { registry().push_back({name, fn}); }
};
// Records a failed expectation for the running test.
void reportFailure(const char *file, int line, const std::string &what);

// Artifact building helpers (test_artifact.cpp).
struct SectionSpec {
  uint32_t kind;
  uint32_t index;
  std::vector<uint8_t> payload;
};
std::vector<uint8_t> buildArtifact(const std::vector<SectionSpec> &sections);
std::vector<uint8_t> readFileBytes(const std::string &path);
std::vector<uint8_t> testKernelsSo();
std::string testManifest();
std::vector<uint8_t> testArtifact();
// A cuda artifact for the fake driver (test_cuda.cpp).
std::vector<uint8_t> testGpuKernelsSo();
std::string testGpuManifest();
std::vector<uint8_t> testGpuArtifact();

// Status helpers: returns the message and frees the status ("OK" for NULL).
std::string takeMessage(phx_status s, phx_status_code *code = nullptr);

} // namespace phxtest

#define TEST(name)                                                             \
  static void test_##name();                                                   \
  static phxtest::Registrar registrar_##name(#name, test_##name);              \
  static void test_##name()

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond))                                                               \
      phxtest::reportFailure(__FILE__, __LINE__, "CHECK(" #cond ")");          \
  } while (0)

#define CHECK_EQ(a, b)                                                         \
  do {                                                                         \
    auto va_ = (a);                                                            \
    auto vb_ = (b);                                                            \
    if (!(va_ == vb_)) {                                                       \
      std::ostringstream os_;                                                  \
      os_ << "CHECK_EQ(" #a ", " #b "): " << va_ << " vs " << vb_;             \
      phxtest::reportFailure(__FILE__, __LINE__, os_.str());                   \
    }                                                                          \
  } while (0)

// Checks that `msg` contains `needle`.
#define CHECK_CONTAINS(msg, needle)                                            \
  do {                                                                         \
    std::string m_ = (msg);                                                    \
    std::string n_ = (needle);                                                 \
    if (m_.find(n_) == std::string::npos)                                      \
      phxtest::reportFailure(__FILE__, __LINE__,                               \
                             "message \"" + m_ + "\" lacks \"" + n_ + "\"");   \
  } while (0)

#endif
