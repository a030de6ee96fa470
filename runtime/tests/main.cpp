#include "test.h"

#include <cstdio>
#include <cstring>
#include <exception>

namespace phxtest {

std::vector<TestCase> &registry() {
  static std::vector<TestCase> r;
  return r;
}

static int currentFailures = 0;

void reportFailure(const char *file, int line, const std::string &what) {
  ++currentFailures;
  if (currentFailures <= 10)
    std::printf("    %s:%d: %s\n", file, line, what.c_str());
}

std::string takeMessage(phx_status s, phx_status_code *code) {
  if (code)
    *code = phx_status_get_code(s);
  std::string m = phx_status_message(s);
  phx_status_free(s);
  return m;
}

} // namespace phxtest

int main(int argc, char **argv) {
  using namespace phxtest;
  // Helper mode for the end-to-end ctest: write the test artifact.
  // --write-gpu-artifact: the cuda artifact for the fake driver.
  if (argc == 3 && (std::strcmp(argv[1], "--write-artifact") == 0 ||
                    std::strcmp(argv[1], "--write-gpu-artifact") == 0)) {
    std::vector<uint8_t> a = std::strcmp(argv[1], "--write-artifact") == 0
                                 ? testArtifact()
                                 : testGpuArtifact();
    FILE *f = std::fopen(argv[2], "wb");
    if (!f || std::fwrite(a.data(), 1, a.size(), f) != a.size()) {
      std::fprintf(stderr, "cannot write %s\n", argv[2]);
      return 1;
    }
    std::fclose(f);
    return 0;
  }
  const char *filter = argc == 2 ? argv[1] : nullptr;
  int passed = 0, failed = 0;
  for (const TestCase &t : registry()) {
    if (filter && !std::strstr(t.name, filter))
      continue;
    currentFailures = 0;
    try {
      t.fn();
    } catch (const std::exception &e) {
      reportFailure(__FILE__, __LINE__, std::string("exception: ") + e.what());
    } catch (...) {
      reportFailure(__FILE__, __LINE__, "unknown exception");
    }
    if (currentFailures) {
      ++failed;
      std::printf("FAIL %s (%d failed checks)\n", t.name, currentFailures);
    } else {
      ++passed;
      std::printf("PASS %s\n", t.name);
    }
    std::fflush(stdout);
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
