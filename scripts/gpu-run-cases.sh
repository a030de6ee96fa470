#!/usr/bin/env bash
# Runs the cases compiled by scripts/gpu-cases.sh on the GPU and prints a
# PASS/FAIL table: phalanx-run CASE.phx --device cuda --random 1 --shape ...
# --check (result #0 against the float64 reference, spec/swr.md tolerance).
#
#   scripts/gpu-run-cases.sh [DIR]   (default .devcarry/gpu; env PHALANX_RUN,
#                                     SEEDS="1 2" to run several seeds)
set -u -o pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$root/.devcarry/gpu}
run=${PHALANX_RUN:-}
if [[ -z $run ]]; then
  for c in "$root/build-gpu-smoke/bin/phalanx-run" "$root/build/bin/phalanx-run" \
           "$(command -v phalanx-run 2>/dev/null)"; do
    [[ -n $c && -x $c ]] && { run=$c; break; }
  done
fi
[[ -x ${run:-} ]] || { echo "phalanx-run not found (set PHALANX_RUN)"; exit 2; }
seeds=${SEEDS:-1}
pass=0; fail=0
printf '%-24s %-5s %-6s %s\n' case seed result detail
while IFS=$'\t' read -r name shapes; do
  for seed in $seeds; do
    # shellcheck disable=SC2086
    log=$("$run" "$dir/$name.phx" --device cuda --random "$seed" $shapes --check 2>&1)
    rc=$?
    detail=$(grep -o 'rel_err=[^ ]* tol=[^ ]*' <<<"$log" | head -1)
    if [[ $rc -eq 0 ]] && grep -q 'PASS' <<<"$log"; then
      pass=$((pass + 1)); result=PASS
    else
      fail=$((fail + 1)); result=FAIL
      [[ -z $detail ]] && detail=$(tail -2 <<<"$log" | tr '\n' ' ')
    fi
    printf '%-24s %-5s %-6s %s\n' "$name" "$seed" "$result" "$detail"
  done
done < "$dir/cases.tsv"
echo "PASS $pass  FAIL $fail"
exit $((fail > 0))
