#!/usr/bin/env bash
# One device call for the K = inf local = mma row loop (docs/benchmarks.md,
# "mma kinf run 1"): runtime build, the mma correctness cases x 2 seeds,
# compute-sanitizer memcheck + racecheck on three row-loop cases (staged and
# unstaged chunks, transpose, 8 channels per CTA; the first one with 9
# chunks: the 128-register kernel), then the benchmark (the
# K = inf default and the mma row loop at every split) in what is left of
# LIMIT seconds. Carry .devcarry: OUT=.devcarry/gpu-mma scripts/gpu-cases.sh
# <the mma_* lines of test/Integration/gpu/schedules.txt>,
# SCHEDULES=bench/schedules-mma-kinf.txt bench/compile.sh (+ any other
# artifacts appended to .devcarry/bench/list.tsv).
set -u -o pipefail
DEFAULT_LIMIT=240
source "$(dirname "$0")/../scripts/device-env.sh"
if [[ ${CASES:-1} == 1 ]]; then
  run_cases cases-mma .devcarry/gpu-mma "${CASE_SEEDS:-1 2}"
  grep -v PASS "$O/cases-mma.log" | head -20
fi
SAN_TIMEOUT=30
san() { sanitize "$2" "gpu-mma/$1" "${@:3}"; }  # name tool shapes...
for tool in memcheck racecheck; do
  san mma_w1_kinf_loop_ri $tool --shape a=1,64,4360 --shape x=1,64,16,4360 --shape r=1,4360 --shape s=1,64,16
  san mma_w1_kinf_loop_T_st $tool --shape a=1,64,1544 --shape x=1,64,16,1544 --shape r=1,1544
  san mma_w2_kinf_loop_T_r $tool --shape a=1,64,2040 --shape x=1,64,16,2040 --shape r=1,2040
  san mma_w1_kinf_loop_tpl2_wide $tool --shape a=1,64,8300 --shape x=1,64,16,8300 --shape r=1,8300 --shape s=1,64,16
done
echo "sanitizers done at $(el) s"
BENCH_ARGS="--full --tokens 32768,131072,262144 ${BENCH_ARGS:-}" swr_bench
grep -E "^inf |== |check k=|copy:|budget|FAIL" "$O/bench.log" | tail -60
