// A small Phalanx layer: model width 256, 16 heads of dim 16 sharing 4 kv
// heads, the published one-hop window of 16-token tiles, bf16 throughout.
// Batch and length are dynamic (the demo runs B = 1, L = 2048).
//
//   build/bin/phalanx-compile examples/phalanx_layer.mlir -o layer.phx
//   build/bin/phalanx-run layer.phx --random 1 --shape x=1,2048,256 --check
func.func @phalanx_layer(%x: tensor<?x?x256xbf16>,
                         %wa: tensor<256x16xbf16>, %ba: tensor<16xbf16>,
                         %wb: tensor<256x64xbf16>, %bb: tensor<64xbf16>,
                         %wc: tensor<256x64xbf16>, %bc: tensor<64xbf16>,
                         %wv: tensor<256x256xbf16>, %wo: tensor<256x256xbf16>)
    -> tensor<?x?x256xbf16> {
  %out = phalanx.layer %x, a(%wa, %ba), b(%wb, %bb), c(%wc, %bc), v(%wv), out(%wo)
      {heads = 16, kv_heads = 4, head_dim = 16,
       window = #swr.window<block = 16, hops = 1, segment = inf>}
      : (tensor<?x?x256xbf16>, tensor<256x16xbf16>, tensor<16xbf16>,
         tensor<256x64xbf16>, tensor<64xbf16>, tensor<256x64xbf16>,
         tensor<64xbf16>, tensor<256x256xbf16>, tensor<256x256xbf16>)
      -> tensor<?x?x256xbf16>
  return %out : tensor<?x?x256xbf16>
}
