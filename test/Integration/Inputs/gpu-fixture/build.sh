#!/usr/bin/env bash
# Builds the GPU fixture artifact with upstream tools only (no phalanx
# compiler): mlir-opt (gpu-to-llvm, sm_90a cubin via ptxas), mlir-translate,
# llc, cc, then wraps the host .so with manifest.json.
#
#   test/Integration/Inputs/gpu-fixture/build.sh [OUTDIR]   (default .devcarry/gpu-fixture)
#
# Env: LLVM_BIN (default /usr/lib/llvm-22/bin), CUDA_HOME (default
# /usr/local/cuda; ptxas must be there), CHIP (default sm_90a), CC (cc).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
out=${1:-$root/.devcarry/gpu-fixture}
LLVM_BIN=${LLVM_BIN:-/usr/lib/llvm-22/bin}
CUDA_HOME=${CUDA_HOME:-/usr/local/cuda}
CHIP=${CHIP:-sm_90a}
CC=${CC:-cc}
mkdir -p "$out"
export PATH="$CUDA_HOME/bin:$PATH"
for tool in "$LLVM_BIN/mlir-opt" "$LLVM_BIN/mlir-translate" "$LLVM_BIN/llc" "$CUDA_HOME/bin/ptxas"; do
  [ -x "$tool" ] || { echo "build.sh: missing $tool" >&2; exit 1; }
done
set -x
"$LLVM_BIN/mlir-opt" "$here/fixture.mlir" \
  --convert-scf-to-cf \
  --nvvm-attach-target="chip=$CHIP O=3" \
  --convert-gpu-to-nvvm \
  --gpu-to-llvm \
  --convert-to-llvm \
  --reconcile-unrealized-casts \
  --gpu-module-to-binary="format=bin toolkit=$CUDA_HOME" \
  -o "$out/fixture.llvm.mlir"
"$LLVM_BIN/mlir-translate" --mlir-to-llvmir "$out/fixture.llvm.mlir" -o "$out/fixture.ll"
"$LLVM_BIN/llc" -O2 -relocation-model=pic -filetype=obj "$out/fixture.ll" -o "$out/fixture.o"
"$CC" -shared -fPIC -O2 -o "$out/fixture-host.so" "$out/fixture.o" "$here/entries.c"
python3 "$here/make_artifact.py" "$here/manifest.json" "$out/fixture-host.so" "$out/gpu-fixture.phx"
{ set +x; } 2>/dev/null
echo "build.sh: wrote $out/gpu-fixture.phx"
# What the host code needs from the runtime (resolved at dlopen).
nm -D --undefined-only "$out/fixture-host.so" | awk '/mgpu/ {print "  needs " $2}'
