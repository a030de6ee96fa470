#!/usr/bin/env bash
# One device call: Nsight Compute sections (speed of light, issue slots,
# pipes, warp stalls, occupancy, instruction mix) of the kernels of a few
# .devcarry/bench artifacts at one shape, plus the SASS instruction counts
# of PTX files in .devcarry/ptx (ptxas + cuobjdump there). Env: ARTS (bench
# artifact names, e.g. "k0__mma_r0 k0__w2"), SHAPE (phalanx-run --shape
# arguments; default B = 32, L = 8192, H = 128, D = 16), METRICS (extra
# ncu metrics, comma-separated), LIMIT.
set -u -o pipefail
DEFAULT_LIMIT=200
source "$(dirname "$0")/../scripts/device-env.sh"
shape=${SHAPE:---shape a=32,128,8192 --shape x=32,128,16,8192}
sections="--section SpeedOfLight --section ComputeWorkloadAnalysis --section InstructionStats \
  --section WarpStateStats --section SchedulerStats --section Occupancy --section LaunchStats \
  --section MemoryWorkloadAnalysis"
for a in ${ARTS:-}; do
  (( $(left) > 20 )) || { echo "$a: skipped (time)"; continue; }
  echo "=== $a" >> "$O/ncu.txt"
  # shellcheck disable=SC2086
  metrics=${METRICS:+--metrics $METRICS}
  # shellcheck disable=SC2086
  timeout 60 ncu --clock-control none --launch-count 1 $sections $metrics "$run" ".devcarry/bench/$a.phx" \
    --device cuda --random 1 $shape >> "$O/ncu.txt" 2>&1
  echo "$a: ncu rc=$? at $(el) s"
done
for p in .devcarry/ptx/*.ptx; do
  [[ -e $p ]] || continue
  ptxas -arch=sm_90a "$p" -o /tmp/k.cubin 2>/dev/null && cuobjdump -sass /tmp/k.cubin > "/tmp/$(basename "$p").sass"
  echo "$(basename "$p"): $(grep -cE '^\s+/\*[0-9a-f]{4,}\*/' "/tmp/$(basename "$p").sass") SASS instructions"
  cp "/tmp/$(basename "$p").sass" "$O/" 2>/dev/null
done > "$O/sass.txt"
cat "$O/sass.txt"
grep -E "^===|Duration|Memory Throughput|DRAM Throughput|Issue Slots Busy|Issued Ipc|No Eligible|Executed Instructions  |Achieved Occupancy|Registers Per|Stall|Warp Cycles Per Issued|Theoretical Occupancy|One or More Eligible|Active Warps Per Scheduler|Eligible Warps" "$O/ncu.txt" | head -150
