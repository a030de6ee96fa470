#!/usr/bin/env bash
# One device call that checks a commit on the GPU machine (no LLVM there):
#   1. builds runtime/ (cmake + ninja + nvcc's toolkit);
#   2. runs every compiled GPU case (scripts/gpu-run-cases.sh) of
#      test/Integration/gpu/schedules.txt and bench/cases-kinf.txt, seed 1;
#   3. runs the GPU pytest (scan, layer, PyTorch module) from a carried
#      artifact cache;
#   4. compute-sanitizer memcheck on one kernel of each kind (row loop,
#      look-back, units, cluster bulk, mma, the mma row loop, the layer);
#   5. with FULL_BENCH=1, the SWR benchmark of every schedule (bench/swr_bench.py
#      --full, after bench/compile.sh here), then the layer benchmark
#      (bench/layer_bench.py), when time is left.
# Prepare on the machine with the compiler (see docs/hardware-runs.md):
#   PHALANX_COMPILE=build/bin/phalanx-compile scripts/gpu-cases.sh
#   OUT=.devcarry/gpu-kinf scripts/gpu-cases.sh bench/cases-kinf.txt
#   PHALANX_CACHE_DIR=$PWD/.devcarry/phx-cache .venv/bin/python -m pytest \
#     python/tests/test_gpu_{scan,layer,torch_layer}.py
#   PHALANX_CACHE_DIR=$PWD/.devcarry/phx-cache python3 bench/layer_bench.py --prepare
#   (and the layer artifacts for the sanitizer), then carry .devcarry; or all
#   of it with scripts/gpu-verify-prepare.sh.
# Fill the cache after the last build: its keys include the compiler build
# (size and mtime of phalanx-compile), and the GPU machine cannot compile a
# missing artifact ("phalanx-compile not found").
# Env: LIMIT (seconds for the whole script, default 420), OUT.
set -u -o pipefail
DEFAULT_LIMIT=420
source "$(dirname "$0")/../scripts/device-env.sh"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
run_cases cases .devcarry/gpu 1
run_cases cases-kinf .devcarry/gpu-kinf 1
grep -h FAIL "$O/cases.log" "$O/cases-kinf.log" | grep -v "^PASS" | head -20
export PHALANX_RT_LIB=$PWD/build-rtd/lib/libphalanx_rt.so PHALANX_CACHE_DIR=$PWD/.devcarry/phx-cache \
  PHALANX_BUILD_DIR=/none PYTHONPATH=$PWD/python
timeout $(( $(left) > 200 ? 150 : $(left) / 2 )) python3 -m pytest -q -rf python/tests/test_gpu_scan.py \
  python/tests/test_gpu_layer.py python/tests/test_gpu_torch_layer.py > "$O/pytest.log" 2>&1
echo "pytest rc=$? $(tail -1 "$O/pytest.log") at $(el) s" | tee -a "$O/verdicts.txt"
grep -E "^FAILED|Error" "$O/pytest.log" | head -20
SAN_MIN_LEFT=60
san() { sanitize memcheck "$@"; }  # dir/name shapes...
san gpu-kinf/kinf_loop_default --shape a=1,64,4000 --shape x=1,64,16,4000 --shape s=1,64,16
san gpu/kinf_default --shape a=1,4,2000 --shape x=1,4,16,2000
san gpu/bulk_k3_tpl2_c4_ri --shape a=1,4,9000 --shape x=1,4,16,9000 --shape r=1,9000 --shape s=1,4,16
san gpu/mma_w1_k1_flags_d32 --shape a=1,4,3000 --shape x=1,4,32,3000
san gpu/mma_ring_k1_tpl8_ri --shape a=1,4,3000 --shape x=1,4,16,3000 --shape r=1,3000 --shape s=1,4,16
san gpu/mma_w1_kinf_loop_T_st --shape a=1,64,4104 --shape x=1,64,16,4104 --shape r=1,4104
san gpu-kinf/kinf_units_T --shape a=2,4,5001 --shape x=2,4,16,5001 --shape r=2,5001
san gpu/layer_bf16_g1 --shape x=2,1001,64
san gpu/layer_f32_kinf --shape x=1,3000,64
echo "sanitizer done at $(el) s"
# The issue-5 table (every schedule of .devcarry/bench with its checks, and the
# PyTorch comparison points), when bench/compile.sh ran and FULL_BENCH=1; it
# takes what is left but LAYER_S seconds for the layer benchmark.
LAYER_S=${LAYER_S:-90}
if [[ ${FULL_BENCH:-0} == 1 && -s .devcarry/bench/list.tsv ]]; then
  b=$(( $(left) - LAYER_S - 20 ))
  if (( b > 40 )); then
    timeout $(( b + 15 )) python3 bench/swr_bench.py --full --budget "$b" --out "$O" > "$O/swr-bench.log" 2>&1
    echo "swr bench rc=$? at $(el) s"
    grep -E "^(inf|0 |1 )|== |check k=|copy:|budget|FAIL|speedup|x faster" "$O/swr-bench.log" | tail -80
  else
    echo "swr bench: skipped (time)"
  fi
fi
if (( $(left) > 60 )); then
  timeout $(( $(left) - 10 )) python3 bench/layer_bench.py --reps 10 --out "$O" 2>&1 | tee "$O/layer-bench.log" | tail -16
fi
verdicts
echo "done at $(el) s"
