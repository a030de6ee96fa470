#!/usr/bin/env bash
# Regenerates the op, attribute and pass reference pages (docs/generated/) from ODS.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build}
ninja -C "$BUILD_DIR" mlir-doc >/dev/null
mkdir -p docs/generated
for f in swr/SWROps swr/SWRAttrs phalanx/PhalanxOps passes/PhalanxTransformsPasses passes/PhalanxConversionPasses; do
  cp "$BUILD_DIR/docs/$f.md" "docs/generated/$(basename "$f").md"
done
echo "docs/generated updated"
