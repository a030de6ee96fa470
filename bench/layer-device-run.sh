#!/usr/bin/env bash
# One device call for the GPU layer (issue 6): builds the runtime (+ its unit
# tests), runs the runtime's GEMM tests, the GPU layer pytest (and the scan
# dtype tests) from a carried cache, compute-sanitizer memcheck on two layer
# artifacts, then bench/layer_gemm_ratio.py. Carry .devcarry (phx-cache filled
# by the compile tests with PHALANX_CACHE_DIR=.devcarry/phx-cache, and
# .devcarry/gpu/layer_*.phx).
set -u -o pipefail
PHALANX_RT_BUILD_TESTS=ON
source "$(dirname "$0")/../scripts/device-env.sh"
run=$PWD/build-rtd/bin/phalanx-run
timeout 60 build-rtd/bin/phalanx-rt-tests gemm > "$O/rt-gemm.log" 2>&1; echo "rt gemm tests rc=$? $(tail -1 "$O/rt-gemm.log")"; grep "rel_err\|FAIL" "$O/rt-gemm.log"
export PHALANX_RT_LIB=$PWD/build-rtd/lib/libphalanx_rt.so PHALANX_CACHE_DIR=$PWD/.devcarry/phx-cache PHALANX_BUILD_DIR=/none PYTHONPATH=$PWD/python
timeout 120 python3 -m pytest -q -s -rfs python/tests/test_gpu_layer.py python/tests/test_gpu_scan.py -k "layer or dtypes" > "$O/pytest.log" 2>&1; echo "pytest rc=$? $(tail -1 "$O/pytest.log") at $(el) s"
grep -oE "FAILED.*|Error.*|REL .*" "$O/pytest.log" | head -40
san() {  # name shapes...
  local n=$1; shift
  timeout 40 compute-sanitizer --tool memcheck --error-exitcode 9 "$run" ".devcarry/gpu/$n.phx" --device cuda --random 3 "$@" --check > "$O/san-$n.log" 2>&1
  echo "memcheck $n: rc=$? $(grep -oE 'ERROR SUMMARY: [0-9]+ error|PASS|FAIL|rel_err=[^ ]*' "$O/san-$n.log" | tr '\n' ' ')"
}
san layer_bf16_g1 --shape x=2,1001,64
san layer_f32_kinf --shape x=1,3000,64
san layer_bf16_g1_gk --shape x=2,1001,64
echo "sanitizer done at $(el) s"
timeout ${BENCH_S:-80} python3 bench/layer_gemm_ratio.py --iters 20 --variants "${VARIANTS:-default;layer-gates=kernel;lane=shuffle;layer-gates=kernel lane=shuffle;warps=2}" 2>&1 | tee "$O/bench.log"
timeout 40 python3 bench/layer_gemm_ratio.py --iters 10 --batch 8 --variants "default;layer-gates=kernel" 2>&1 | tail -3 | tee -a "$O/bench.log"
echo "done at $(el) s"
