#!/usr/bin/env bash
# One device call (docs/benchmarks.md, "kinf-rows"): runtime build, the
# correctness cases (test/Integration/gpu/schedules.txt, bench/cases-kinf.txt
# and, when present, the row-loop cases compiled per exploration variant into
# .devcarry/gv-*), compute-sanitizer memcheck / racecheck on the row-loop and
# look-back kernels, then the benchmark (--full) of .devcarry/bench.
# Compile first (here): scripts/gpu-cases.sh; OUT=.devcarry/gpu-kinf
# scripts/gpu-cases.sh bench/cases-kinf.txt; bench/compile.sh.
set -u -o pipefail
DEFAULT_LIMIT=200
source "$(dirname "$0")/../scripts/device-env.sh"
run_cases cases .devcarry/gpu 1
run_cases cases-kinf .devcarry/gpu-kinf "1 2"
for d in .devcarry/gv-*; do
  [[ -d $d ]] || continue
  run_cases "cases-${d##*/}" "$d" 1
done
grep -h FAIL "$O"/cases*.log | head -20
SAN_TIMEOUT=30
san() { sanitize "$2" "$1" "${@:3}"; }  # dir/name tool shapes...
for tool in memcheck racecheck; do
  san gpu-kinf/kinf_split_loop $tool --shape a=2,63,5000 --shape x=2,63,16,5000 --shape s=2,63,16
  san gpu-kinf/kinf_split_lookback $tool --shape a=1,63,5000 --shape x=1,63,16,5000 --shape s=1,63,16
  san gpu-kinf/kinf_loop_T_w4 $tool --shape a=2,32,3001 --shape x=2,32,16,3001 --shape r=2,3001
  san gpu-kinf/kinf_loop_w32 $tool --shape a=1,65,1000 --shape x=1,65,16,1000 --shape r=1,1000 --shape s=1,65,16
  san gpu-kinf/kinf_many_units $tool --shape a=1,4,20000 --shape x=1,4,16,20000 --shape s=1,4,16
  san gpu-kinf/kinf_pack_ragged $tool --shape a=1,3,100 --shape x=1,3,16,100 --shape r=1,100 --shape s=1,3,16
done
for d in .devcarry/gv-*; do
  [[ -d $d ]] || continue
  san "${d#.devcarry/}/kinf_loop_default" memcheck --shape a=1,64,4000 --shape x=1,64,16,4000 --shape s=1,64,16
  san "${d#.devcarry/}/kinf_loop_T_w4" memcheck --shape a=2,32,3001 --shape x=2,32,16,3001 --shape r=2,3001
done
echo "sanitizers done at $(el) s"
swr_bench --full
grep -E "== |check k=|copy:" "$O/bench.log" | head -12
grep -E "^(inf|0 |1 ) " "$O/bench.log" | awk '{printf "%s %s %s %s %s %s\n", $1, $2, $3, $4, $5, $9}' | head -100
verdicts
