#!/usr/bin/env bash
# One device call for local = mma (docs/benchmarks.md: mma runs, ring runs,
# mma kinf runs): runtime build, the mma correctness cases x CASE_SEEDS
# (default "1 2"), compute-sanitizer memcheck + racecheck on the cases of
# SAN_SET (finite: the exchange, the halo, the tile rings, a few row-loop
# cases; kinf: the K = inf row loop's staged / unstaged chunks, transpose,
# 8 channels per CTA, the 128-register and half kernels), then the benchmark in what
# is left of LIMIT seconds (BENCH_ARGS; SAN_SET=kinf adds --full and the
# 32K / 128K / 256K token counts). Carry .devcarry:
# OUT=.devcarry/gpu-mma scripts/gpu-cases.sh <the mma_* lines of
# test/Integration/gpu/schedules.txt>, SCHEDULES=<bench/schedules-mma.txt,
# -ring.txt or -mma-kinf.txt> bench/compile.sh (+ any older artifacts
# appended to .devcarry/bench/list.tsv).
set -u -o pipefail
DEFAULT_LIMIT=${DEFAULT_LIMIT:-150}
source "$(dirname "$0")/../scripts/device-env.sh"
if [[ ${CASES:-1} == 1 ]]; then
  run_cases cases-mma .devcarry/gpu-mma "${CASE_SEEDS:-1 2}"
  grep -v PASS "$O/cases-mma.log" | head -20
fi
SAN_TIMEOUT=${SAN_TIMEOUT:-30}
san() { sanitize "$2" "gpu-mma/$1" "${@:3}"; }  # name tool shapes...
for tool in memcheck racecheck; do
  if [[ ${SAN_SET:-finite} == kinf ]]; then
    san mma_w1_kinf_loop_ri $tool --shape a=1,64,4360 --shape x=1,64,16,4360 --shape r=1,4360 --shape s=1,64,16
    san mma_w1_kinf_loop_T_st $tool --shape a=1,64,1544 --shape x=1,64,16,1544 --shape r=1,1544
    san mma_w2_kinf_loop_T_r $tool --shape a=1,64,2040 --shape x=1,64,16,2040 --shape r=1,2040
    san mma_w1_kinf_loop_tpl2_wide $tool --shape a=1,64,8300 --shape x=1,64,16,8300 --shape r=1,8300 --shape s=1,64,16
    san mma_w1_kinf_half_ri $tool --shape a=4,64,1100 --shape x=4,64,16,1100 --shape r=4,1100 --shape s=4,64,16
    san mma_w1_kinf_half_d32 $tool --shape a=2,64,1032 --shape x=2,64,32,1032 --shape s=2,64,32
    continue
  fi
  san mma_w1_k1_flags_d32 $tool --shape a=1,4,2000 --shape x=1,4,32,2000
  san mma_w1_k2_dsmem $tool --shape a=1,4,3000 --shape x=1,4,16,3000 --shape r=1,3000
  san mma_w1_kinf_loop_ri $tool --shape a=1,64,1200 --shape x=1,64,16,1200 --shape r=1,1200 --shape s=1,64,16
  san mma_w1_kinf_loop_d32 $tool --shape a=1,32,1536 --shape x=1,32,32,1536
  san mma_w1_k1_lhalo_ri $tool --shape a=1,4,2000 --shape x=1,4,16,2000 --shape r=1,2000 --shape s=1,4,16
  # The warps' tile rings (cp.async into workgroup memory, bar.warp.sync).
  san mma_w1_k0 $tool --shape a=1,4,4096 --shape x=1,4,16,4096
  san mma_w1_k0 $tool --shape a=1,4,2001 --shape x=1,4,16,2001  # unaligned: no ring
  san mma_ring_k1_tpl8_ri $tool --shape a=1,4,3000 --shape x=1,4,16,3000 --shape r=1,3000 --shape s=1,4,16
  san mma_ring_k0_f32out_tpl8 $tool --shape a=1,4,2048 --shape x=1,4,16,2048
  san mma_ring_k0_T_w2_d32 $tool --shape a=1,2,4104 --shape x=1,2,32,4104
done
echo "sanitizers done at $(el) s"
if [[ ${SAN_SET:-finite} == kinf ]]; then
  BENCH_ARGS="--full --tokens 32768,131072,262144 ${BENCH_ARGS:-}" swr_bench
else
  swr_bench
fi
grep -E "^(inf|0 |1 )|== |check k=|copy:|budget|FAIL" "$O/bench.log" | tail -70
verdicts
