#!/usr/bin/env bash
# One device call for the GPU layer (issue 6): builds the runtime, runs the
# GPU layer and PyTorch-module pytest from a carried cache, compute-sanitizer memcheck on three layer artifacts, then
# bench/layer_gemm_ratio.py over $VARIANTS (kernel-level and back-to-back
# ratios per schedule) and bench/layer_bench.py (the benchmarks.md table).
# Prepare here with bench/layer-prepare.sh (same VARIANTS), carry .devcarry.
# Env: LIMIT (default 300 s), VARIANTS, RT_TESTS=1 (the runtime's GEMM unit
# tests), COMPARE=1 (layer_bench's torch.compile and SWA columns),
# GEMM_KERNELS=1 (bench/layer_gemm_kernels.py: our GEMM kernels against
# torch's, per kernel).
set -u -o pipefail
DEFAULT_LIMIT=300
PHALANX_RT_BUILD_TESTS=${RT_TESTS:+ON}
source "$(dirname "$0")/../scripts/device-env.sh"
if [[ -n ${RT_TESTS:-} ]]; then
  timeout 60 build-rtd/bin/phalanx-rt-tests gemm > "$O/rt-gemm.log" 2>&1; echo "rt gemm tests rc=$? $(tail -1 "$O/rt-gemm.log")"
fi
export PHALANX_RT_LIB=$PWD/build-rtd/lib/libphalanx_rt.so PHALANX_CACHE_DIR=$PWD/.devcarry/phx-cache PHALANX_BUILD_DIR=/none PYTHONPATH=$PWD/python
timeout 150 python3 -m pytest -q -rfs python/tests/test_gpu_layer.py python/tests/test_gpu_torch_layer.py \
  > "$O/pytest.log" 2>&1
echo "pytest rc=$? $(tail -1 "$O/pytest.log") at $(el) s"
grep -E "^FAILED|^ERROR|Error" "$O/pytest.log" | head -20
SAN_MIN_LEFT=60
san() { sanitize memcheck "gpu/$1" "${@:2}"; }  # name shapes...
san layer_bf16_g1 --shape x=2,1001,64
san layer_f32_kinf --shape x=1,3000,64
san layer_bf16_g1_gk --shape x=2,1001,64
san layer_f16_k2 --shape x=3,777,64
echo "sanitizer done at $(el) s"
if [[ -n ${GEMM_KERNELS:-} ]] && (( $(left) > 60 )); then
  timeout 30 python3 bench/layer_gemm_kernels.py 2>&1 | grep -v Warn | tee "$O/gemm-kernels.log"
fi
if (( $(left) > 70 )); then
  timeout $(( $(left) > 120 ? 60 : $(left) / 2 )) python3 bench/layer_gemm_ratio.py --iters 20 \
    --variants "${VARIANTS:-default;warps=4;warps=1;lane=halo warps=2;lane=shuffle warps=8;layer-gates=kernel}" 2>&1 | tee "$O/ratio.log"
fi
if (( $(left) > 40 )); then
  timeout $(( $(left) - 10 )) python3 bench/layer_bench.py --reps 10 --out "$O" \
    $([[ -n ${COMPARE:-} ]] || echo --no-compare) 2>&1 | tee "$O/layer-bench.log" | tail -12
fi
verdicts
echo "done at $(el) s"
