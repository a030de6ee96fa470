#!/usr/bin/env bash
# Here (with the compiler, after the last build): everything
# scripts/gpu-verify.sh needs on the GPU machine, under .devcarry/ (carry it):
#   .devcarry/gpu, .devcarry/gpu-kinf   the correctness cases (scripts/gpu-cases.sh)
#   .devcarry/gpu-layer                 layer artifacts for compute-sanitizer
#   .devcarry/phx-cache                 phalanx.compile's cache, filled by the
#                                       GPU tests' compile steps and layer_bench --prepare
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
step "layer artifacts"
out=.devcarry/gpu-layer; mkdir -p "$out"
gen() {  # name, layer_module keyword arguments
  PYTHONPATH=python "$py" -c "from phalanx import ir; print(ir.layer_module(name='layer', $2))" > "$out/$1.mlir"
  "$compile" "$out/$1.mlir" --target cuda -o "$out/$1.phx" || exit 1
}
gen layer_bf16_g1 "dim=64, heads=4, kv_heads=2, head_dim=16, global_heads=1, dtype='bf16'"
gen layer_f32_kinf "dim=64, heads=2, head_dim=32, hops=None, act_a='swish', dtype='f32'"
step "artifact cache (GPU tests' compile steps, layer bench)"
rm -rf .devcarry/phx-cache
export PHALANX_BUILD_DIR=$build PHALANX_CACHE_DIR=$root/.devcarry/phx-cache PYTHONPATH=$root/python
"$py" -m pytest -q python/tests/test_gpu_scan.py python/tests/test_gpu_layer.py \
  python/tests/test_gpu_torch_layer.py 2>&1 | tail -1
"$py" bench/layer_bench.py --prepare | tail -2
if [[ ${FULL_BENCH:-0} == 1 ]]; then
  step "benchmark artifacts"
  PHALANX_COMPILE=$compile bench/compile.sh | tail -3 || exit 1
fi
step "done: $(du -sh .devcarry | cut -f1) in .devcarry (64 MiB travel limit)"
