// The upstream mlir-opt 22 loads our dialect and pass plugins and runs our
// passes on our IR. Plugin passes are named in --pass-pipeline: mlir-opt parses
// its flags before it loads the plugins.
// RUN: upstream-mlir-opt --load-dialect-plugin=%phalanx_lib_dir/libPhalanxDialectPlugin.so --load-pass-plugin=%phalanx_lib_dir/libPhalanxPassPlugin.so %s --pass-pipeline='builtin.module(swr-tile)' | FileCheck %s
// RUN: upstream-mlir-opt --load-dialect-plugin=%phalanx_lib_dir/libPhalanxDialectPlugin.so --load-pass-plugin=%phalanx_lib_dir/libPhalanxPassPlugin.so --help | FileCheck %s --check-prefix=HELP

// HELP-DAG: --swr-tile
// HELP-DAG: --phalanx-decompose
// HELP-DAG: --convert-swr-to-scf
// HELP-DAG: --phalanx-cpu-pipeline

// CHECK-LABEL: func.func @k1
// CHECK: swr.mask_gates
// CHECK: swr.tile_scan
// CHECK: swr.carrier_scan
// CHECK: swr.tile_apply
func.func @k1(%a: tensor<1x2x40xbf16>, %x: tensor<1x2x16x40xbf16>) -> tensor<1x2x16x40xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 1> : (tensor<1x2x40xbf16>, tensor<1x2x16x40xbf16>) -> tensor<1x2x16x40xf32>
  return %y : tensor<1x2x16x40xf32>
}
