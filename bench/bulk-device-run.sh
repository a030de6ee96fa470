#!/usr/bin/env bash
# One device call for cta = bulk (docs/hardware-runs.md, docs/benchmarks.md,
# 2026-11-28 "cta = bulk"): builds the runtime, runs every cluster case of
# test/Integration/gpu/schedules.txt (the cta = dsmem / halo ones and the
# bulk_* ones) with SEEDS, compute-sanitizer memcheck + racecheck on bulk
# cases (and one dsmem case for comparison), then the dsmem-vs-bulk timing
# at 32K tokens and, with time left, the GPU schedule-invariance pytest.
# Prepare here (ignored .devcarry/, carried with the worktree):
#   grep -E "cluster = [2-9]" test/Integration/gpu/schedules.txt > /tmp/cl.txt
#   OUT=.devcarry/gpu-cl scripts/gpu-cases.sh /tmp/cl.txt
#   OUT=.devcarry/bench-bulk SCHEDULES=bench/schedules-bulk.txt bench/compile.sh
#   PHALANX_CACHE_DIR=.devcarry/phx-cache pytest python/tests/test_gpu_scan.py -k compiles
set -u -o pipefail
DEFAULT_LIMIT=150
RT_BUILD=${RT_BUILD:-/tmp/rt}
source "$(dirname "$0")/../scripts/device-env.sh"
CASES_TIMEOUT=50 run_cases cases .devcarry/gpu-cl "${SEEDS:-1 2}"
grep -E " FAIL " "$O/cases.log" | head -20
SAN_TIMEOUT=20 SAN_MIN_LEFT=45
san() { sanitize "$2" "gpu-cl/$1" "${@:3}"; }  # case tool shapes...
for tool in memcheck racecheck; do
  san bulk_k1_c4_flags $tool --shape a=1,4,5000 --shape x=1,4,16,5000
  san bulk_k3_tpl2_c4_ri $tool --shape a=1,4,5000 --shape x=1,4,16,5000 --shape r=1,5000 --shape s=1,4,16
  san bulk_k200_c8 $tool --shape a=1,2,5000 --shape x=1,2,16,5000
  san bulk_kinf_c4 $tool --shape a=1,4,9000 --shape x=1,4,16,9000
  san bulk_kinf_c8_T_seg $tool --shape a=1,4,20000 --shape x=1,4,16,20000 --shape r=1,20000
  san k1_dsmem_flags $tool --shape a=1,4,5000 --shape x=1,4,16,5000
done
echo "sanitizers done at $(el) s"
left=$(( LIMIT - $(el) - 25 ))
if (( left >= 25 )); then
  PHALANX_RT_LIB=/tmp/rt/lib/libphalanx_rt.so PYTHONPATH=$PWD/python \
    timeout $((left + 10)) python3 bench/swr_bench.py --dir .devcarry/bench-bulk --no-compare --tokens 32768 --budget "$left" --out "$O" > "$O/bench.log" 2>&1
  echo "bench rc=$? at $(el) s"
  grep -E "^(inf|1 ) |check k=|copy:" "$O/bench.log" | tail -30
else
  echo "bench skipped ($left s left)"
fi
left=$(( LIMIT - $(el) - 3 ))
if (( left >= 15 )); then
  PHALANX_RT_LIB=/tmp/rt/lib/libphalanx_rt.so PHALANX_CACHE_DIR=$PWD/.devcarry/phx-cache PHALANX_BUILD_DIR=/none PYTHONPATH=$PWD/python \
    timeout "$left" python3 -m pytest -q python/tests/test_gpu_scan.py -k "invariance" > "$O/pytest.log" 2>&1
  echo "pytest invariance rc=$? $(tail -1 "$O/pytest.log") at $(el) s"
else
  echo "pytest skipped"
fi
verdicts
