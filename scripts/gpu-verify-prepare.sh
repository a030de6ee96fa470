#!/usr/bin/env bash
# Here (with the compiler, after the last build): everything
# scripts/gpu-verify.sh needs on the GPU machine, under .devcarry/ (carry it):
#   .devcarry/gpu, .devcarry/gpu-kinf   the correctness cases (scripts/gpu-cases.sh)
#                                       and the layer artifacts for compute-sanitizer
#   .devcarry/phx-cache                 phalanx.compile's cache, filled by the
#                                       GPU tests' compile steps and layer_bench --prepare
#                                       (bench/layer-prepare.sh, VARIANTS default "default")
#   .devcarry/bench                     bench/compile.sh (FULL_BENCH=1 only)
# Env: PHALANX_BUILD_DIR (default build), FULL_BENCH=1.
set -u -o pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${PHALANX_BUILD_DIR:-$root/build}
py=${PYTHON:-$root/.venv/bin/python}
compile=$build/bin/phalanx-compile
t0=$(date +%s)
step() { echo "[prepare $(( $(date +%s) - t0 )) s] $*"; }
step "correctness cases"
PHALANX_COMPILE=$compile scripts/gpu-cases.sh | tail -1 || exit 1
PHALANX_COMPILE=$compile OUT=.devcarry/gpu-kinf scripts/gpu-cases.sh bench/cases-kinf.txt | tail -1 || exit 1
step "layer artifacts and cache (bench/layer-prepare.sh)"
rm -rf .devcarry/phx-cache
VARIANTS=${VARIANTS:-default} PHALANX_BUILD_DIR=$build bench/layer-prepare.sh || exit 1
step "the scan tests' artifacts into the cache"
PHALANX_BUILD_DIR=$build PHALANX_CACHE_DIR=$root/.devcarry/phx-cache PYTHONPATH=$root/python \
  "$py" -m pytest -q python/tests/test_gpu_scan.py 2>&1 | tail -1
if [[ ${FULL_BENCH:-0} == 1 ]]; then
  step "benchmark artifacts"
  PHALANX_COMPILE=$compile bench/compile.sh | tail -3 || exit 1
fi
step "done: $(du -sh .devcarry | cut -f1) in .devcarry (64 MiB travel limit)"
