#!/usr/bin/env bash
# GPU smoke test of the runtime's CUDA backend, for a machine with an NVIDIA
# GPU and driver but no LLVM (the H200 box).  It
#   1. prints the environment (GPU, driver, tools);
#   2. builds runtime/ standalone with cmake + ninja;
#   3. runs ctest (unit tests incl. the fake-driver and real-GPU groups, e2e);
#   4. runs phalanx-run --device cuda on the GPU fixture artifact built
#      beforehand with upstream MLIR (test/Integration/Inputs/gpu-fixture/
#      build.sh, into .devcarry/gpu-fixture/), checking against the float64
#      reference or the CPU entry, and prints a table.
#
#   scripts/gpu-smoke.sh [FIXTURE.phx]   (default .devcarry/gpu-fixture/gpu-fixture.phx)
#
# Env: BUILD_DIR (default build-gpu-smoke), JOBS, REPEAT (default 20),
# KEEP_GOING=0 to stop at the first failure.  Exit status: number of failed
# steps (0 = all passed), capped at 100.
set -u -o pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
BUILD_DIR=${BUILD_DIR:-$root/build-gpu-smoke}
FIXTURE=${1:-$root/.devcarry/gpu-fixture/gpu-fixture.phx}
REPEAT=${REPEAT:-20}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 4)}
LOGDIR=$BUILD_DIR/smoke-logs
mkdir -p "$LOGDIR"

declare -a ROWS=()
FAILED=0
STEP=0

hr() { printf '%s\n' "----------------------------------------------------------------------"; }

# step NAME EXPECT_RC NEEDLE -- command...
#   Runs the command, logs its output, passes when the exit code is
#   EXPECT_RC and the output contains NEEDLE (empty: anything).  On failure
#   prints the whole log.  Adds a table row (with a "time:" or "check:" note).
step() {
  local name=$1 expect=$2 needle=$3
  shift 4
  STEP=$((STEP + 1))
  local log
  log=$LOGDIR/$(printf '%02d' "$STEP")-$(echo "$name" | tr -c 'A-Za-z0-9_.-' '_').log
  local t0 t1 rc
  t0=$(date +%s.%N)
  "$@" >"$log" 2>&1
  rc=$?
  t1=$(date +%s.%N)
  local secs
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1fs", b - a }')
  local ok=1
  [ "$rc" -eq "$expect" ] || ok=0
  if [ -n "$needle" ] && ! grep -qF -- "$needle" "$log"; then ok=0; fi
  local note
  note=$(grep -E '^(check:|time:)' "$log" | tr '\n' ' ' | sed 's/ *$//')
  if [ "$ok" -eq 1 ]; then
    ROWS+=("$(printf '%-4s %-34s %-7s %s' PASS "$name" "$secs" "$note")")
    echo "[PASS] $name ($secs) $note"
  else
    FAILED=$((FAILED + 1))
    ROWS+=("$(printf '%-4s %-34s %-7s rc=%s (expected %s) %s' FAIL "$name" "$secs" "$rc" "$expect" "$note")")
    echo "[FAIL] $name: exit $rc (expected $expect${needle:+, output containing '$needle'})"
    echo "       command: $*"
    echo "       log: $log"
    sed 's/^/       | /' "$log" | tail -n 200
    if [ "${KEEP_GOING:-1}" = 0 ]; then finish; fi
  fi
}

finish() {
  hr
  echo "GPU smoke summary ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(hostname))"
  hr
  local r
  for r in "${ROWS[@]}"; do echo "$r"; done
  hr
  echo "$((STEP - FAILED)) passed, $FAILED failed (logs in $LOGDIR)"
  exit $((FAILED > 100 ? 100 : FAILED))
}

hr
echo "environment"
hr
uname -a
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=index,name,driver_version,memory.total,compute_cap --format=csv 2>&1 || nvidia-smi 2>&1 | head -20
else
  echo "nvidia-smi: not found"
fi
ldconfig -p 2>/dev/null | grep -E 'libcuda\.so' | head -3 || true
echo "cmake: $(cmake --version 2>/dev/null | head -1)"
echo "ninja: $(ninja --version 2>/dev/null)"
echo "c++:   $(c++ --version 2>/dev/null | head -1)"
echo "git:   $(git -C "$root" log --oneline -1 2>/dev/null)"
echo "fixture: $FIXTURE ($( [ -f "$FIXTURE" ] && stat -c %s "$FIXTURE" || echo missing) bytes)"
echo "PHALANX_CUDA_DEVICE=${PHALANX_CUDA_DEVICE:-<unset>} PHALANX_CUDA_DRIVER=${PHALANX_CUDA_DRIVER:-<unset>}"

hr
echo "build (cmake -S runtime -B $BUILD_DIR -G Ninja)"
hr
step "cmake configure" 0 "" -- cmake -S "$root/runtime" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
step "ninja build" 0 "" -- ninja -C "$BUILD_DIR" -j "$JOBS"
RUN=$BUILD_DIR/bin/phalanx-run
TESTS=$BUILD_DIR/bin/phalanx-rt-tests
if [ ! -x "$RUN" ] || [ ! -x "$TESTS" ]; then
  echo "build failed: no $RUN or $TESTS"
  finish
fi
# Hidden symbols: the runtime must export phx_* and mgpu* and need no CUDA
# library at link time.
step "exports mgpuLaunchClusterKernel" 0 "mgpuLaunchClusterKernel" -- \
  sh -c "nm -D --defined-only '$BUILD_DIR/lib/libphalanx_rt.so' | grep mgpu"
step "no link-time libcuda" 1 "" -- sh -c "ldd '$BUILD_DIR/lib/libphalanx_rt.so' | grep -i cuda"

hr
echo "unit tests"
hr
step "ctest" 0 "" -- ctest --test-dir "$BUILD_DIR" --output-on-failure
step "unit: real GPU group" 0 "0 failed" -- env PHALANX_TEST_REQUIRE_GPU=1 "$TESTS" cudareal
step "unit: cuda groups (real driver)" 0 "0 failed" -- "$TESTS" cuda

hr
echo "fixture runs"
hr
if [ ! -f "$FIXTURE" ]; then
  echo "no fixture artifact at $FIXTURE: build it where LLVM is"
  echo "(test/Integration/Inputs/gpu-fixture/build.sh) and carry .devcarry/"
  STEP=$((STEP + 1)); FAILED=$((FAILED + 1))
  ROWS+=("FAIL fixture missing                  $FIXTURE")
  finish
fi
F=$FIXTURE
step "cuda available" 0 "CUDA driver" -- "$RUN" "$F" --device cuda --entry add --random 1 --shape a=1 --shape b=1
step "list" 0 "entry scan_k1_cluster (device cuda" -- "$RUN" "$F" --list
step "scan_k1_cpu --check (cpu)" 0 "PASS" -- "$RUN" "$F" --entry scan_k1_cpu --random 1 --dim B=2 --dim L=4096 --check
for e in scan_k1 scan_k1_cluster scan_k1_staged; do
  step "$e B=2 L=4096 --check" 0 "PASS" -- "$RUN" "$F" --device cuda --entry "$e" --random 1 --dim B=2 --dim L=4096 --check --repeat "$REPEAT"
  step "$e B=1 L=1 --check" 0 "PASS" -- "$RUN" "$F" --device cuda --entry "$e" --random 2 --dim B=1 --dim L=1 --check
  step "$e B=8 L=65536 --check" 0 "PASS" -- "$RUN" "$F" --device cuda --entry "$e" --random 3 --dim B=8 --dim L=65536 --check --repeat "$REPEAT"
done
step "add cuda (n=1000003)" 0 "result #0 c" -- "$RUN" "$F" --device cuda --entry add --random 4 --shape a=1000003 --shape b=1000003 --output "$LOGDIR/add-cuda.npy" --repeat "$REPEAT"
step "add_cpu (n=1000003)" 0 "result #0 c" -- "$RUN" "$F" --device cpu --entry add_cpu --random 4 --shape a=1000003 --shape b=1000003 --output "$LOGDIR/add-cpu.npy"
step "add cuda == add_cpu (bytes)" 0 "" -- cmp "$LOGDIR/add-cuda.npy" "$LOGDIR/add-cpu.npy"
step "cpu entry under cuda: message" 1 "entry 'add_cpu' was compiled for cpu; run it with --device cpu" -- \
  "$RUN" "$F" --device cuda --entry add_cpu --random 1 --shape a=4 --shape b=4
step "cuda entry under cpu: message" 1 "entry 'scan_k1' was compiled for cuda; run it with --device cuda" -- \
  "$RUN" "$F" --device cpu --entry scan_k1 --random 1 --dim B=1 --dim L=8
step "bad device ordinal: message" 1 "does not exist" -- \
  env PHALANX_CUDA_DEVICE=97 "$RUN" "$F" --device cuda --entry scan_k1 --random 1 --dim B=1 --dim L=8
step "test artifact (cpu) under cuda" 1 "was compiled for cpu" -- \
  "$RUN" "$BUILD_DIR/testdata/scan-test.phx" --device cuda --entry scan --random 1 --dim B=1 --dim L=8

# Python binding on the GPU, when numpy is around.
if python3 -c "import numpy" >/dev/null 2>&1; then
  step "python: cuda invoke + reference" 0 "python-gpu OK" -- env PHALANX_RT_LIB="$BUILD_DIR/lib/libphalanx_rt.so" \
    PYTHONPATH="$root/python" FIXTURE="$F" python3 - <<'EOF'
import importlib.util, os, sys
import numpy as np
spec = importlib.util.spec_from_file_location("rt", os.path.join(os.environ["PYTHONPATH"], "phalanx", "runtime.py"))
rt = importlib.util.module_from_spec(spec); spec.loader.exec_module(rt)
print(rt.cuda_available())
m = rt.Module.load(os.environ["FIXTURE"], device="cuda")
rng = np.random.default_rng(0)
a = rng.standard_normal(1000).astype(np.float32); b = rng.standard_normal(1000).astype(np.float32)
(c,) = m("add", a, b)
assert np.array_equal(c, a + b), "add mismatch"
g = rng.uniform(0.05, 0.999, (2, 2, 300)).astype(np.float32)
x = rng.standard_normal((2, 2, 4, 300)).astype(np.float32)
(y,), ms = m("scan_k1_cluster", g, x, timed=True)
err = rt.relative_error(y, m.reference("scan_k1_cluster", g, x))
print("rel_err", err, "ms", ms)
assert err < 1e-5, err
print("python-gpu OK")
EOF
else
  echo "(python3 with numpy not found: python GPU test skipped)"
fi

finish
