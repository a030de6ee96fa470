#!/usr/bin/env python3
"""Runs every Phalanx test suite and prints one summary line.

Suites: lit (FileCheck tests of the compiler, end-to-end compile/run tests),
the runtime's C++ unit tests, and the Python tests (pytest). The last line is
`N passed, N failed, N skipped`; the exit code is non-zero when anything
failed or a suite could not run.
"""
import argparse
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIT = "/usr/lib/llvm-22/bin/lit"


def junit_counts(path):
    """(passed, failed, skipped) from a JUnit XML file (lit or pytest)."""
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    passed = failed = skipped = 0
    for suite in suites:
        for case in suite.iter("testcase"):
            if case.find("failure") is not None or case.find("error") is not None:
                failed += 1
            elif case.find("skipped") is not None:
                skipped += 1
            else:
                passed += 1
    return passed, failed, skipped


def run(cmd, env=None, cwd=ROOT):
    print(f"\n=== {' '.join(str(c) for c in cmd)}", flush=True)
    start = time.time()
    proc = subprocess.run(cmd, cwd=cwd, env=env)
    print(f"=== exit {proc.returncode} after {time.time() - start:.1f} s", flush=True)
    return proc.returncode


def lit_suite(build, results):
    xml = results / "lit.xml"
    jobs = os.environ.get("LIT_JOBS", str(max(2, os.cpu_count() or 2)))
    rc = run([LIT, "-sv", "-j", jobs, f"--xunit-xml-output={xml}", str(build / "test")])
    if not xml.exists():
        return None, f"lit produced no results (exit {rc})"
    return junit_counts(xml), None


SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$")


def runtime_suite(build, results):
    binary = build / "bin" / "phalanx-rt-tests"
    if not binary.exists():
        return None, f"{binary} was not built"
    proc = subprocess.run([str(binary)], cwd=ROOT, capture_output=True, text=True)
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    for line in reversed(proc.stdout.strip().splitlines()):
        m = SUMMARY.match(line.strip())
        if m:
            p, f, s = int(m[1]), int(m[2]), int(m[3] or 0)
            if proc.returncode != 0 and f == 0:
                f = 1  # crashed or exited badly after its summary
            return (p, f, s), None
    return None, f"runtime tests printed no summary (exit {proc.returncode})"


def ctest_suite(build, results):
    """The runtime's other ctest tests (phalanx-run end to end, Python binding)."""
    xml = results / "ctest.xml"
    if xml.exists():
        xml.unlink()
    test_dir = build / "runtime" if (build / "runtime" / "CTestTestfile.cmake").exists() else build
    rc = run(["ctest", "--test-dir", str(test_dir), "--output-on-failure",
              "-E", "phalanx-rt-unit", "--output-junit", str(xml)])
    if not xml.exists():
        return None, f"ctest produced no results (exit {rc})"
    return junit_counts(xml), None


def python_suite(build, results):
    xml = results / "pytest.xml"
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "python") + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("PHALANX_BUILD_DIR", str(build))
    env.setdefault("PHALANX_RT_LIB", str(build / "lib" / "libphalanx_rt.so"))
    rc = run([sys.executable, "-m", "pytest", "-q", "-rs", f"--junitxml={xml}",
              str(ROOT / "python" / "tests")], env=env)
    if rc == 5:  # pytest: no tests collected
        return (0, 0, 0), None
    if not xml.exists():
        return None, f"pytest produced no results (exit {rc})"
    return junit_counts(xml), None


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build-dir", default="build")
    parser.add_argument("--suite", action="append",
                        choices=["lit", "runtime", "ctest", "python"],
                        help="run only these suites (default: all)")
    args = parser.parse_args()
    build = (ROOT / args.build_dir).resolve()
    results = build / "test-results"
    results.mkdir(parents=True, exist_ok=True)

    suites = {"lit": lit_suite, "runtime": runtime_suite, "ctest": ctest_suite,
              "python": python_suite}
    chosen = args.suite or list(suites)
    total = [0, 0, 0]
    rows = []
    for name in chosen:
        counts, problem = suites[name](build, results)
        if problem:
            print(f"error: suite {name}: {problem}", file=sys.stderr)
            counts = (0, 1, 0)
        rows.append((name, counts))
        total = [t + c for t, c in zip(total, counts)]

    print("\nsuite      passed  failed  skipped")
    for name, (p, f, s) in rows:
        print(f"{name:<10} {p:>6}  {f:>6}  {s:>7}")
    print(f"{total[0]} passed, {total[1]} failed, {total[2]} skipped")
    return 1 if total[1] else 0


if __name__ == "__main__":
    sys.exit(main())
