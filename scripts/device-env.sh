# Sourced by the one-call device scripts (scripts/gpu-verify.sh,
# bench/*-device-run.sh) on the GPU machine, from the repository root:
# $O (the files that come back, $OUT), the CUDA toolkit on PATH, `el`
# (seconds since start), `left` (seconds left of $LIMIT), and the runtime
# built into ${RT_BUILD:-build-rtd} (set PHALANX_RT_BUILD_TESTS=ON for its
# unit tests); exits 3 with the log's tail when the build fails.
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
