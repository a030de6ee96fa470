#!/usr/bin/env bash
# The main job: compile both examples and run them against the float64
# reference, on the GPU when one is present (and the artifact supports it),
# else on the CPU. Prints the error, PASS/FAIL and the time for each.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
BIN=$BUILD/bin
OUT=$BUILD/demo
mkdir -p "$OUT"

device=cpu
if [ "${PHALANX_DEVICE:-}" = cuda ] || { [ -z "${PHALANX_DEVICE:-}" ] && command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; }; then
  device=cuda
fi
echo "[demo] device: $device"

run_example() {  # name, shapes...
  local name=$1; shift
  local target=cpu
  [ "$device" = cuda ] && [ "$name" = swr_scan ] && target=cuda
  echo
  echo "== examples/$name.mlir (target $target)"
  local start end
  start=$(date +%s%N)
  "$BIN/phalanx-compile" "examples/$name.mlir" -o "$OUT/$name.$target.phx" --target "$target"
  end=$(date +%s%N)
  echo "compile: $(( (end - start) / 1000000 )) ms"
  "$BIN/phalanx-run" "$OUT/$name.$target.phx" --device "$target" --random 1 "$@" --check --repeat 5
}

run_example swr_scan --shape a=2,8,4096 --shape x=2,8,16,4096
run_example phalanx_layer --shape x=1,2048,256
echo
echo "[demo] both examples PASS"
