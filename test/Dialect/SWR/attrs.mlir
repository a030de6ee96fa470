// RUN: phalanx-opt %s | FileCheck %s
// RUN: phalanx-opt %s | phalanx-opt | FileCheck %s
// RUN: phalanx-opt %s --mlir-print-op-generic | phalanx-opt | FileCheck %s

// Every field of #swr.window and #swr.schedule, with defaults filled in.

// CHECK-LABEL: func.func private @windows
// CHECK-SAME: w0 = #swr.window<block = 8, hops = 0, segment = inf>
// CHECK-SAME: w1 = #swr.window<block = 16, hops = 1, segment = inf>
// CHECK-SAME: w2 = #swr.window<block = 32, hops = 3, segment = 4>
// CHECK-SAME: w3 = #swr.window<block = 128, hops = inf, segment = inf>
// CHECK-SAME: w4 = #swr.window<block = 64, hops = inf, segment = 1>
// CHECK-SAME: w5 = #swr.window<block = 16, hops = 2, segment = inf>
func.func private @windows() attributes {
  w0 = #swr.window<block = 8, hops = 0>,
  w1 = #swr.window<block = 16, hops = 1, segment = inf>,
  w2 = #swr.window<block = 32, hops = 3, segment = 4>,
  w3 = #swr.window<block = 128, hops = inf, segment = inf>,
  w4 = #swr.window<segment = 1, hops = inf, block = 64>,
  w5 = #swr.window<hops = 2, block = 16>
}

// CHECK-LABEL: func.func private @schedules
// CHECK-SAME: s0 = #swr.schedule<local = scan, tiles_per_lane = 1, warps = 4, cluster = 1, lane = shuffle, warp = smem, cta = none, grid = flags>
// CHECK-SAME: s1 = #swr.schedule<local = mma, tiles_per_lane = 1, warps = 8, cluster = 4, lane = shuffle, warp = smem, cta = dsmem, grid = flags>
// CHECK-SAME: s2 = #swr.schedule<local = scan, tiles_per_lane = 2, warps = 4, cluster = 2, lane = halo, warp = halo, cta = halo, grid = halo>
// CHECK-SAME: s3 = #swr.schedule<local = scan, tiles_per_lane = 1, warps = 32, cluster = 16, lane = shuffle, warp = smem, cta = dsmem, grid = halo>
// CHECK-SAME: s4 = #swr.schedule<local = scan, tiles_per_lane = 1, warps = 4, cluster = 8, lane = shuffle, warp = smem, cta = bulk, grid = flags>
func.func private @schedules() attributes {
  s0 = #swr.schedule<>,
  s1 = #swr.schedule<local = mma, warps = 8, cluster = 4>,
  s2 = #swr.schedule<tiles_per_lane = 2, cluster = 2, lane = halo, warp = halo, cta = halo, grid = halo>,
  s3 = #swr.schedule<warps = 32, cluster = 16, grid = halo>,
  s4 = #swr.schedule<cluster = 8, cta = bulk>
}
