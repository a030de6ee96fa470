#!/usr/bin/env bash
# Compiles the GPU correctness cases of test/Integration/gpu/schedules.txt
# (one swr.scan entry per case) with phalanx-compile --target cuda into
# .devcarry/gpu/<name>.phx, and writes .devcarry/gpu/cases.tsv with the
# phalanx-run arguments of each case. Run them on the GPU machine with
# scripts/gpu-run-cases.sh (it needs only phalanx-run).
#
#   scripts/gpu-cases.sh [CASES.txt]     (env: PHALANX_COMPILE, OUT)
set -u -o pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cases=${1:-$root/test/Integration/gpu/schedules.txt}
compile=${PHALANX_COMPILE:-$root/build-gpu/bin/phalanx-compile}
out=${OUT:-$root/.devcarry/gpu}
mkdir -p "$out"
rm -f "$out"/*.phx "$out"/*.mlir "$out/cases.tsv"
: > "$out/cases.tsv"
ok=0; bad=0
trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; echo "${s%"${s##*[![:space:]]}"}"; }
while IFS='|' read -r name window schedule types extras dims; do
  name=$(trim "$name")
  [[ -z $name || $name == \#* ]] && continue
  read -r block hops segment <<<"$(trim "$window")"
  schedule=$(trim "$schedule"); extras=$(trim "$extras")
  read -r tin tout <<<"$(trim "$types")"
  read -r B H D L <<<"$(trim "$dims")"
  a="tensor<?x${H}x?x${tin}>"; x="tensor<?x${H}x${D}x?x${tin}>"; y="tensor<?x${H}x${D}x?x${tout}>"
  args="%a: $a, %x: $x"; types_="$a, $x"; opnd=""; tr=""
  shapes=(--shape "a=$B,$H,$L" --shape "x=$B,$H,$D,$L")
  if [[ $extras == *resets* ]]; then
    args+=", %r: tensor<?x?xi1>"; types_+=", tensor<?x?xi1>"; opnd+=" resets(%r)"
    shapes+=(--shape "r=$B,$L")
  fi
  if [[ $extras == *init* ]]; then
    args+=", %s: tensor<?x${H}x${D}x${tin}>"; types_+=", tensor<?x${H}x${D}x${tin}>"; opnd+=" init(%s)"
    shapes+=(--shape "s=$B,$H,$D")
  fi
  [[ $extras == *transpose* ]] && tr=" transpose"
  sched=""; [[ $schedule != default ]] && sched=" schedule <$schedule>"
  cat > "$out/$name.mlir" <<MLIR
func.func @$name($args) -> $y {
  %y = swr.scan %a, %x$opnd window <block = $block, hops = $hops, segment = $segment>$sched$tr
      : ($types_) -> $y
  return %y : $y
}
MLIR
  if "$compile" "$out/$name.mlir" --target cuda -o "$out/$name.phx" 2> "$out/$name.compile.log"; then
    ok=$((ok + 1))
    printf '%s\t%s\n' "$name" "${shapes[*]}" >> "$out/cases.tsv"
    printf 'compiled  %-24s %s\n' "$name" "$(stat -c %s "$out/$name.phx") bytes"
  else
    bad=$((bad + 1))
    printf 'FAILED    %-24s (see %s)\n' "$name" "$out/$name.compile.log"
    sed 's/^/    /' "$out/$name.compile.log" | head -5
  fi
done < "$cases"
echo "$ok compiled, $bad failed into $out"
exit $((bad > 0))
