# Sourced by the one-call device scripts (scripts/gpu-verify.sh,
# bench/*-device-run.sh) on the GPU machine, from the repository root:
# $O (the files that come back, $OUT), the CUDA toolkit on PATH, `el`
# (seconds since start), `left` (seconds left of $LIMIT), and the runtime
# built into ${RT_BUILD:-build-rtd} (set PHALANX_RT_BUILD_TESTS=ON for its
# unit tests; exits 3 with the log's tail when the build fails), `run`
# (its phalanx-run), `run_cases`, `sanitize`, `verdicts` and `swr_bench`
# (below).
t0=$(date +%s); LIMIT=${LIMIT:-${DEFAULT_LIMIT:-300}}
O=${OUT:-/tmp/out}; mkdir -p "$O"
export PATH=$PATH:/usr/local/cuda/bin
el() { echo $(( $(date +%s) - t0 )); }
left() { echo $(( LIMIT - ( $(date +%s) - t0 ) )); }
RT_BUILD=${RT_BUILD:-build-rtd}
{ cmake -S runtime -B "$RT_BUILD" -G Ninja -DPHALANX_RT_BUILD_TESTS=${PHALANX_RT_BUILD_TESTS:-OFF} \
    -DCMAKE_BUILD_TYPE=Release && ninja -C "$RT_BUILD"; } > "$O/rt-build.log" 2>&1 \
  || { echo "RUNTIME BUILD FAILED"; tail -20 "$O/rt-build.log"; exit 3; }
echo "runtime built at $(el) s"
run=$(cd "$RT_BUILD" && pwd)/bin/phalanx-run

# run_cases NAME DIR SEEDS: scripts/gpu-run-cases.sh over the compiled cases
# in DIR; the table in $O/NAME.log, one line with its tally here.
run_cases() {
  PHALANX_RUN=$run SEEDS="$3" timeout "${CASES_TIMEOUT:-300}" scripts/gpu-run-cases.sh "$2" \
    > "$O/$1.log" 2>&1
  echo "$1 rc=$? $(tail -1 "$O/$1.log") at $(el) s" | tee -a "$O/verdicts.txt"
}

# sanitize TOOL ARTIFACT [phalanx-run arguments]: compute-sanitizer TOOL on
# .devcarry/ARTIFACT.phx with random inputs and --check; one line with its
# verdict, the log in $O/san-TOOL-<ARTIFACT with / as _>.log. Skipped when
# ARTIFACT does not match SAN_FILTER or fewer than SAN_MIN_LEFT seconds of
# LIMIT are left; SAN_TIMEOUT seconds per run (default 40).
sanitize() {
  local tool=$1 n=$2; shift 2
  [[ $n == ${SAN_FILTER:-*} ]] || return 0
  (( $(left) >= ${SAN_MIN_LEFT:-0} )) || { echo "$tool ${n##*/}: skipped (time)"; return 0; }
  local log="$O/san-$tool-${n//\//_}.log"
  timeout "${SAN_TIMEOUT:-40}" compute-sanitizer --tool "$tool" --error-exitcode 9 "$run" \
    ".devcarry/$n.phx" --device cuda --random 3 "$@" --check > "$log" 2>&1
  echo "$tool ${n##*/}: rc=$? $(grep -oE 'ERROR SUMMARY: [0-9]+ error|RACECHECK SUMMARY: [0-9]+ hazard[^ ]*|PASS|FAIL|rel_err=[^ ]*' "$log" | tr '\n' ' ')" \
    | tee -a "$O/verdicts.txt"
}

# verdicts: the one-line verdicts of run_cases and sanitize so far, again
# (the end of a long call's output keeps them when the tool returns only its
# tail and a few files).
verdicts() {
  echo "== verdicts"
  cat "$O/verdicts.txt" 2>/dev/null
}

# swr_bench [bench/swr_bench.py arguments]: the benchmark (without the PyTorch
# points) in what is left of LIMIT (at least 25 s) plus BENCH_ARGS; its log in
# $O/bench.log, its output in $O (bench.json).
swr_bench() {
  local budget=$(( LIMIT - $(el) - 8 )); (( budget < 25 )) && budget=25
  PHALANX_RT_LIB=$(cd "$RT_BUILD" && pwd)/lib/libphalanx_rt.so PYTHONPATH=$PWD/python \
    timeout $((budget + 15)) python3 bench/swr_bench.py --no-compare "$@" ${BENCH_ARGS:-} \
    --budget "$budget" --out "$O" > "$O/bench.log" 2>&1
  echo "bench rc=$? at $(el) s"
}
