#!/usr/bin/env bash
# Here (with the compiler): everything bench/layer-device-run.sh needs on the
# GPU machine, under .devcarry/ (carry it, or the worktree holding it):
#   .devcarry/gpu/layer_{bf16_g1,bf16_g1_gk,f32_kinf,f16_k2}.phx  (compute-sanitizer)
#   .devcarry/phx-cache  (phalanx.compile's cache: the GPU layer and PyTorch
#     module tests, bench/layer_bench.py's layer and the
#     bench/layer_gemm_ratio.py variants of $VARIANTS)
# Run it after the last compiler build (the cache keys include the build).
# Env: PHALANX_BUILD_DIR (default build), VARIANTS (as layer-device-run.sh).
set -u -o pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${PHALANX_BUILD_DIR:-$root/build}
py=${PYTHON:-$root/.venv/bin/python}
out=$root/.devcarry/gpu
mkdir -p "$out"
export PHALANX_BUILD_DIR=$build PHALANX_CACHE_DIR=$root/.devcarry/phx-cache PYTHONPATH=$root/python \
  PHALANX_RT_LIB=${PHALANX_RT_LIB:-$build/lib/libphalanx_rt.so}
gen() {  # name, layer_module keyword arguments
  "$py" -c "from phalanx import ir; print(ir.layer_module(name='layer', $2))" > "$out/$1.mlir"
}
gen layer_bf16_g1 "dim=64, heads=4, kv_heads=2, head_dim=16, global_heads=1, dtype='bf16'"
gen layer_f32_kinf "dim=64, heads=2, head_dim=32, hops=None, act_a='swish', dtype='f32'"
gen layer_f16_k2 "dim=64, heads=4, head_dim=32, block=8, hops=2, dtype='f16'"
"$build/bin/phalanx-compile" "$out/layer_bf16_g1.mlir" --target cuda -o "$out/layer_bf16_g1.phx" || exit 1
"$build/bin/phalanx-compile" "$out/layer_bf16_g1.mlir" --target cuda --gpu-options=layer-gates=kernel \
  -o "$out/layer_bf16_g1_gk.phx" || exit 1
"$build/bin/phalanx-compile" "$out/layer_f32_kinf.mlir" --target cuda -o "$out/layer_f32_kinf.phx" || exit 1
"$build/bin/phalanx-compile" "$out/layer_f16_k2.mlir" --target cuda -o "$out/layer_f16_k2.phx" || exit 1
"$py" -m pytest -q -x python/tests/test_gpu_layer.py python/tests/test_gpu_torch_layer.py 2>&1 | tail -2
"$py" bench/layer_bench.py --prepare
"$py" bench/layer_gemm_ratio.py --compile-only \
  --variants "${VARIANTS:-default;warps=4;warps=1;lane=halo warps=2;lane=shuffle warps=8;layer-gates=kernel}"
