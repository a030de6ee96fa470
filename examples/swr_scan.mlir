// The recurrence of the published Phalanx layer: a one-hop jagged window over
// tiles of 16 tokens, bf16 gates and drive, f32 output. Batch and length are
// dynamic; 8 heads of head dim 16.
//
//   build/bin/phalanx-compile examples/swr_scan.mlir -o swr_scan.phx
//   build/bin/phalanx-run swr_scan.phx --random 1 --shape a=2,8,4096 --shape x=2,8,16,4096 --check
func.func @swr_scan(%a: tensor<?x8x?xbf16>, %x: tensor<?x8x16x?xbf16>) -> tensor<?x8x16x?xf32> {
  %y = swr.scan %a, %x window <block = 16, hops = 1, segment = inf>
      : (tensor<?x8x?xbf16>, tensor<?x8x16x?xbf16>) -> tensor<?x8x16x?xf32>
  return %y : tensor<?x8x16x?xf32>
}
