// Another out-of-tree project finds the Phalanx CMake package, links our
// libraries and runs swr-tile.
// REQUIRES: cmake
// RUN: rm -rf %t && cmake -G Ninja -S %S/Inputs/consumer -B %t -DPhalanx_DIR=%phalanx_lib_dir/cmake/phalanx -DCMAKE_BUILD_TYPE=Release > %t.log 2>&1
// RUN: ninja -C %t >> %t.log 2>&1
// RUN: %t/consumer | FileCheck %s
// CHECK: swr.tile_scan
// CHECK: swr.carrier_scan
