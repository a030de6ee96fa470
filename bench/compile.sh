#!/usr/bin/env bash
# Compiles the benchmark artifacts of bench/swr_bench.py (bf16 in and out,
# D = 16, H = 128, block 16; K = 0, 1, inf under the schedules of
# bench/schedules.txt) into .devcarry/bench/ (ignored by git; carried to the
# GPU machine, which has no LLVM). Env: PHALANX_COMPILE, OUT, SCHEDULES (a
# schedule list, default bench/schedules.txt), H (heads, default 128: time
# with `swr_bench.py --heads H`).
set -u -o pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
compile=${PHALANX_COMPILE:-$root/build-perf/bin/phalanx-compile}
out=${OUT:-$root/.devcarry/bench}
mkdir -p "$out"
rm -f "$out"/*.phx "$out"/*.mlir "$out/list.tsv"
: > "$out/list.tsv"
trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; echo "${s%"${s##*[![:space:]]}"}"; }
bad=0
while IFS='|' read -r k name opts; do
  k=$(trim "$k"); [[ -z $k || $k == \#* ]] && continue
  name=$(trim "$name"); opts=$(trim "$opts")
  kk=$k; [[ $k == inf ]] && kk=inf
  a="tensor<?x${H:-128}x?xbf16>"; x="tensor<?x${H:-128}x16x?xbf16>"
  src="$out/k${k}.mlir"
  cat > "$src" <<MLIR
func.func @scan(%a: $a, %x: $x) -> $x {
  %y = swr.scan %a, %x window <block = 16, hops = $kk, segment = inf> : ($a, $x) -> $x
  return %y : $x
}
MLIR
  file="k${k}__${name}.phx"
  args=(--target cuda -o "$out/$file")
  [[ $opts != - ]] && args+=(--gpu-options="$opts")
  if "$compile" "$src" "${args[@]}" 2> "$out/${file%.phx}.log"; then
    printf '%s\t%s\t%s\t%s\n' "$k" "$name" "$opts" "$file" >> "$out/list.tsv"
    rm -f "$out/${file%.phx}.log"
  else
    bad=$((bad + 1)); echo "FAILED k=$k $name: $(head -3 "$out/${file%.phx}.log")"
  fi
done < "${SCHEDULES:-$root/bench/schedules.txt}"
echo "$(wc -l < "$out/list.tsv") artifacts in $out ($bad failed)"
exit $((bad > 0))
