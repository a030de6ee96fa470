#!/usr/bin/env bash
# One device call (docs/benchmarks.md, 2026-11-28 runs 3 to 5): builds the runtime,
# runs the correctness cases (test/Integration/gpu/schedules.txt and
# bench/cases-kinf.txt), the GPU pytest from a carried cache, compute-sanitizer
# memcheck + racecheck on small shapes, then the benchmark in what is left of
# LIMIT seconds. Carry .devcarry (scripts/gpu-cases.sh, OUT=.devcarry/gpu-kinf
# scripts/gpu-cases.sh bench/cases-kinf.txt, the pytest cache, bench/compile.sh).
set -u -o pipefail
DEFAULT_LIMIT=225
source "$(dirname "$0")/../scripts/device-env.sh"
run_cases cases .devcarry/gpu 1
run_cases cases-kinf .devcarry/gpu-kinf "${KINF_SEEDS:-1 2}"
grep FAIL "$O/cases.log" "$O/cases-kinf.log" | grep -v "^.*PASS [0-9]" | head -20
[[ ${SKIP_PYTEST:-0} == 1 ]] || { PHALANX_RT_LIB=$PWD/build-rtd/lib/libphalanx_rt.so PHALANX_CACHE_DIR=$PWD/.devcarry/phx-cache PHALANX_BUILD_DIR=/none PYTHONPATH=$PWD/python \
  timeout 60 python3 -m pytest -q python/tests/test_gpu_scan.py > "$O/pytest.log" 2>&1; echo "pytest rc=$? $(tail -1 "$O/pytest.log") at $(el) s"; }
SAN_TIMEOUT=30
san() { sanitize "$2" "$1" "${@:3}"; }  # dir/name tool shapes... (SAN_FILTER: a pattern)
for tool in memcheck racecheck; do
  san gpu/kinf_default $tool --shape a=1,4,2000 --shape x=1,4,16,2000
  san gpu/kinf_dsmem $tool --shape a=1,4,9000 --shape x=1,4,16,9000 --shape s=1,4,16
  san gpu/k1_shuffle_smem_flags $tool --shape a=1,4,5000 --shape x=1,4,16,5000
  san gpu/kinf_T_dsmem_seg $tool --shape a=1,4,9000 --shape x=1,4,16,9000 --shape r=1,9000
  san gpu-kinf/kinf_pack_ragged $tool --shape a=1,3,100 --shape x=1,3,16,100 --shape r=1,100 --shape s=1,3,16
  san gpu-kinf/kinf_many_units $tool --shape a=1,4,20000 --shape x=1,4,16,20000 --shape s=1,4,16
  san gpu-kinf/kinf_w1_many_units $tool --shape a=1,2,20000 --shape x=1,2,16,20000 --shape s=1,2,16
  san gpu-kinf/k1_flags_w1_many $tool --shape a=1,2,5000 --shape x=1,2,16,5000 --shape s=1,2,16
  san gpu-kinf/kinf_loop_default $tool --shape a=1,64,4000 --shape x=1,64,16,4000 --shape s=1,64,16
  san gpu-kinf/kinf_loop_T_w4 $tool --shape a=2,32,3001 --shape x=2,32,16,3001 --shape r=2,3001
  san gpu-kinf/kinf_loop_w1 $tool --shape a=1,64,3000 --shape x=1,64,16,3000 --shape s=1,64,16
  san gpu-kinf/kinf_loop_pack $tool --shape a=2,32,1000 --shape x=2,32,16,1000 --shape r=2,1000
  san gpu-kinf/kinf_loop_reload $tool --shape a=2,32,3000 --shape x=2,32,16,3000 --shape s=2,32,16
  san gpu-kinf/kinf_loop_w32 $tool --shape a=1,65,1000 --shape x=1,65,16,1000 --shape r=1,1000 --shape s=1,65,16
done
echo "sanitizers done at $(el) s"
swr_bench
grep -E "^(inf|0 |1 )|== |check k=|copy:" "$O/bench.log" | tail -60
verdicts
