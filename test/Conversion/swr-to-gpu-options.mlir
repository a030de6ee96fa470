// RUN: phalanx-opt %s --convert-swr-to-gpu -verify-each | FileCheck %s --check-prefix=DEFAULT
// RUN: phalanx-opt %s --convert-swr-to-gpu="warps=2 tiles-per-lane=2 grid=flags" -verify-each | FileCheck %s --check-prefix=KNOBS
// RUN: phalanx-opt %s --convert-swr-to-gpu="warps=8 cluster=2 override-schedule=true" -verify-each | FileCheck %s --check-prefix=OVERRIDE
// RUN: not phalanx-opt %s --convert-swr-to-gpu="lane=sideways" 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not phalanx-opt %s --convert-swr-to-gpu="mma-ring=1" 2>&1 | FileCheck %s --check-prefix=RING
// RUN: not phalanx-opt %s --convert-swr-to-gpu="mma-ring-group=3" 2>&1 | FileCheck %s --check-prefix=GROUP
// RING: error: convert-swr-to-gpu: mma-ring must be -1 (the rule), 0 (off) or at least 2 slots, and mma-ring-group 0 (the rule) or a power of two up to 16 tiles; got mma-ring=1 mma-ring-group=0
// GROUP: error: convert-swr-to-gpu: mma-ring must be {{.*}}; got mma-ring=-1 mma-ring-group=3
// RUN: not phalanx-opt %s --convert-swr-to-gpu="mma-matrix-parts=4" 2>&1 | FileCheck %s --check-prefix=PARTS
// RUN: not phalanx-opt %s --convert-swr-to-gpu="mma-matrix-parts=-1" 2>&1 | FileCheck %s --check-prefix=PARTSNEG
// PARTS: error: convert-swr-to-gpu: mma-matrix-parts must be 0 (the rule), 1, 2 or 3; got 4
// PARTSNEG: error: convert-swr-to-gpu: mma-matrix-parts must be 0 (the rule), 1, 2 or 3; got -1
// RUN: not phalanx-opt %s --convert-swr-to-gpu="mma-loop-kernel=narrow" 2>&1 | FileCheck %s --check-prefix=LOOPK
// LOOPK: error: convert-swr-to-gpu: mma-loop-kernel must be auto, loop, wide or half; got 'narrow'

// Ops without a schedule take the default rule (docs/gpu-lowering.md): 4
// warps; K = 1: a recomputed halo per lane (no shuffle, no barrier, no
// flags), 2 warps; other finite K: lane shuffle, warp smem and, with
// K * block <= 256, a grid halo; K = inf: 2 tiles per lane, flags, 8 warps
// (H x D = 64 rows per batch: the look-back may be needed), one warp when
// H x D >= 1024 (the host always picks the row loop).
// DEFAULT-LABEL: func.func @k1(
// DEFAULT-NOT:     gpu.alloc
// DEFAULT:         blocks in (%{{.*}}, %c1{{.*}}, %c1{{.*}}) threads in (%c64{{.*}}, %c1{{.*}}, %c1{{.*}})
// K = inf packs short rows: g rows per CTA (g = 2, 4, 8 while the row's
// T <= (8 / g) * 64 tiles), grid = ceil(rows / g) * nx.
// DEFAULT-LABEL: func.func @kinf(
// DEFAULT:         arith.cmpi sle, %{{.*}}, %c256
// DEFAULT:         arith.select %{{.*}}, %c2
// DEFAULT:         arith.cmpi sle, %{{.*}}, %c128
// DEFAULT:         arith.select %{{.*}}, %c4
// DEFAULT:         arith.cmpi sle, %{{.*}}, %c64
// DEFAULT:         arith.select %{{.*}}, %c8
// DEFAULT:         arith.divui
// The row-loop kernel when row groups x warps >= 1024 (nx = 1, no flags),
// else the units kernel, its flags and scratch empty when one unit covers
// the row.
// DEFAULT:         %[[WARPS:.*]] = arith.muli %{{.*}}, %c8{{.*}} : index
// DEFAULT:         %[[LOOP:.*]] = arith.cmpi uge, %[[WARPS]], %c1024{{.*}} : index
// DEFAULT:         scf.if %[[LOOP]] {
// DEFAULT-NOT:       gpu.alloc
// DEFAULT:           @phalanx_kernels::@kinf_swr_loop blocks in (%{{.*}}) threads in (%c256{{.*}}, %c1{{.*}}, %c1{{.*}})
// DEFAULT:         } else {
// DEFAULT:           %[[SINGLE:.*]] = arith.cmpi eq, %[[NX:.*]], %c1{{.*}} : index
// DEFAULT:           arith.select %[[SINGLE]], %c0{{.*}}, %{{.*}} : index
// DEFAULT:           arith.select %[[SINGLE]], %c0{{.*}}, %{{.*}} : index
// DEFAULT:           gpu.alloc
// DEFAULT:           @phalanx_kernels::@kinf_swr_units blocks in (%{{.*}}) threads in (%c256{{.*}}, %c1{{.*}}, %c1{{.*}})
// DEFAULT-LABEL: func.func @kinf_wide(
// DEFAULT:         threads in (%c32{{.*}}, %c1{{.*}}, %c1{{.*}})
// DEFAULT-LABEL: func.func @given(
// DEFAULT:         clusters in (%c2{{.*}}, %c1{{.*}}, %c1{{.*}}) blocks in ({{.*}}) threads in (%c32{{.*}}, %c1{{.*}}, %c1{{.*}})

// The knobs fill in ops without a schedule and leave the others alone.
// KNOBS-LABEL: func.func @k1(
// KNOBS:         gpu.alloc
// KNOBS:         threads in (%c64{{.*}}, %c1{{.*}}, %c1{{.*}})
// KNOBS-LABEL: func.func @given(
// KNOBS:         threads in (%c32{{.*}}, %c1{{.*}}, %c1{{.*}})

// override-schedule applies them to every op.
// OVERRIDE-LABEL: func.func @given(
// OVERRIDE:         clusters in (%c2{{.*}}, %c1{{.*}}, %c1{{.*}}) blocks in ({{.*}}) threads in (%c256{{.*}}, %c1{{.*}}, %c1{{.*}})

// The K = 1 default: lane shuffles, the warp's halo tile scanned by the
// warp (shuffles), no workgroup memory or barrier.
// DEFAULT-LABEL: gpu.func @k1_swr(
// DEFAULT-NOT:     workgroup
// DEFAULT-SAME:    known_block_size = array<i32: 64, 1, 1>
// DEFAULT-NOT:     gpu.barrier
// DEFAULT:         gpu.shuffle  up
// DEFAULT-NOT:     gpu.barrier
// DEFAULT:         gpu.return
// DEFAULT-LABEL: gpu.func @kinf_swr(
// DEFAULT-SAME:    known_block_size = array<i32: 256, 1, 1>
// DEFAULT-LABEL: gpu.func @kinf_swr_loop(
// DEFAULT-SAME:    known_block_size = array<i32: 256, 1, 1>
// DEFAULT-LABEL: gpu.func @kinf_wide_swr(
// DEFAULT-SAME:    known_block_size = array<i32: 32, 1, 1>
// K = 0: 2 warps (the knobs left at auto).
// DEFAULT-LABEL: gpu.func @k0_swr(
// DEFAULT-SAME:    known_block_size = array<i32: 64, 1, 1>

// BAD: convert-swr-to-gpu: unknown lane route 'sideways'

func.func @k1(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}
func.func @kinf(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = inf, segment = inf>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}
func.func @kinf_wide(%a: tensor<?x128x?xbf16>, %x: tensor<?x128x16x?xbf16>) -> tensor<?x128x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = inf, segment = inf>
      : (tensor<?x128x?xbf16>, tensor<?x128x16x?xbf16>) -> tensor<?x128x16x?xbf16>
  return %y : tensor<?x128x16x?xbf16>
}
func.func @k0(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = 0, segment = inf>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}
func.func @given(%a: tensor<?x4x?xbf16>, %x: tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      schedule <warps = 1, cluster = 2, grid = halo>
      : (tensor<?x4x?xbf16>, tensor<?x4x16x?xbf16>) -> tensor<?x4x16x?xbf16>
  return %y : tensor<?x4x16x?xbf16>
}
