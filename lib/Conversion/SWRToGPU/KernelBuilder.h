//===- KernelBuilder.h - the SWR CUDA kernel, built op by op ----*- C++ -*-===//
//
// convert-swr-to-gpu: the description of one kernel (window, schedule, types)
// and the function that builds its gpu.func. docs/gpu-lowering.md describes
// the mapping and the carrier routes.
//
//===----------------------------------------------------------------------===//
#ifndef PHALANX_LIB_CONVERSION_SWRTOGPU_KERNELBUILDER_H
#define PHALANX_LIB_CONVERSION_SWRTOGPU_KERNELBUILDER_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/BuiltinTypes.h"
#include "phalanx/Dialect/SWR/SWRDialect.h"

#include <algorithm>

namespace phalanx::swr_to_gpu {

constexpr int64_t kWarpSize = 32;
/// Threads per CTA of the layer's gate kernel.
constexpr int32_t kGatesThreads = 256;

/// Layer mode (phalanx.fused_mix): the gates and the drive are computed from
/// the channel-major projection outputs as they are loaded, and the output
/// is the post-gated z (docs/gpu-lowering.md, "The layer"). The kernel covers
/// heads [headOffset, headOffset + headCount) of `heads`; its rows are
/// (b, h - headOffset, d). gatesType is pa [B, H, L], driveType pv and
/// outType z [B, H, D, L], preType pb and pc [B, Hkv, D, L].
struct LayerConfig {
  bool enabled = false;
  int64_t heads = 0, kvHeads = 0, headOffset = 0, headCount = 0;
  int actA = 0, actB = 0; // phalanx::layer::Activation values
  // The gates operand holds act_a(pa + ba) in f32 already (the gate kernel
  // of buildGateKernel ran first): no activation or bias in the kernel.
  bool gatesActivated = false;
  // KernelConfig::slots channels of one (b, h) per CTA share the gate
  // activations of the CTA's tokens through workgroup memory
  // (KernelConfig::sharedGates, set by layerSharePlan).
  bool shareGates = false;
  mlir::MemRefType preType, biasAType, biasKvType;
};

/// local = mma, K = inf: which row-loop kernel the host launches (pass
/// option mma-loop-kernel): the rule (RowLoopKernels in SWRToGPU.cpp), or
/// always the 64-register `loop`, the 128-register `wide`
/// (mmaWideConfig) or the `half` kernel (mmaHalfConfig).
enum class MmaLoopKernel { automatic, loop, wide, half };
inline std::optional<MmaLoopKernel> parseMmaLoopKernel(llvm::StringRef s) {
  return llvm::StringSwitch<std::optional<MmaLoopKernel>>(s)
      .Case("auto", MmaLoopKernel::automatic)
      .Case("loop", MmaLoopKernel::loop)
      .Case("wide", MmaLoopKernel::wide)
      .Case("half", MmaLoopKernel::half)
      .Default(std::nullopt);
}

/// Everything the kernel depends on. Tiles are counted in *logical* order:
/// forward, logical tile u is tile u; with `transpose` it is tile T - 1 - u,
/// so that "the K previous tiles" always means logical tiles u - K .. u - 1.
struct KernelConfig {
  int64_t block = 16;
  int64_t hops = 1;     // -1: inf
  int64_t segment = -1; // -1: inf
  bool transpose = false;
  int64_t channels = 16; // D (static)
  mlir::MemRefType gatesType, driveType, resetsType, initType, outType;
  swr::ScheduleAttr schedule;
  /// local = mma: rows per CTA (channels d .. d + slots - 1 of one (b, h),
  /// each on warps() warps at the same tiles, so they share the tiles' gate
  /// matrices), the CTA's tiles (its span), and the tile padded to 16
  /// tokens. 1 / 0 / block for local = scan (mmaPlan() sets them).
  int64_t slots = 1, mmaChunk = 0, mmaBlock = 0;
  /// local = mma: the tile ring's depth asked for (pass option mma-ring;
  /// -1: the rule of mmaRing(), 0: off).
  int64_t mmaRingDepth = -1;
  /// local = mma: tiles per ring slot (pass option mma-ring-group; 0: the
  /// rule).
  int64_t mmaRingGroup = 0;
  /// local = mma: bf16 parts of each decay-matrix entry (pass option
  /// mma-matrix-parts; 0: the rule, KernelEmitter::matrixParts).
  int64_t mmaMatrixParts = 0;
  /// local = mma, the K = inf row-loop kernels: mma warps per CTA where
  /// they differ from slots x warps (mmaHalfConfig: half of them, each
  /// taking twice the tiles of the chunk); 0: slots x warps. The CTA still
  /// holds `slots` channels: its threads are just fewer.
  int64_t mmaLoopWarps = 0;
  /// local = mma, K = inf: the row-loop kernel asked for (mma-loop-kernel).
  MmaLoopKernel mmaLoopKernel = MmaLoopKernel::automatic;
  LayerConfig layer;

  bool infiniteHops() const { return hops < 0; }
  bool hasResets() const { return static_cast<bool>(resetsType); }
  bool hasInit() const { return static_cast<bool>(initType); }
  int64_t tilesPerLane() const { return schedule.getTilesPerLane(); }
  int64_t warps() const { return schedule.getWarps(); }
  int64_t cluster() const { return schedule.getCluster(); }
  int64_t threads() const { return warps() * kWarpSize; }
  /// local = mma: the CTA's mma warps (each takes every channel of its
  /// tiles).
  int64_t mmaWarps() const {
    return mmaLoopWarps > 0 ? mmaLoopWarps : slots * warps();
  }
  /// local = mma: tiles of the CTA span each mma warp takes per chunk.
  int64_t mmaTilesPerWarp() const { return ctaSpan() / mmaWarps(); }
  /// Threads of a CTA: slots rows of threads() each (the mma row loop's
  /// half kernel: its mma warps).
  int64_t ctaThreads() const {
    return mmaLoopWarps > 0 ? mmaLoopWarps * kWarpSize : slots * threads();
  }
  int64_t warpSpan() const { return kWarpSize * tilesPerLane(); }
  int64_t ctaSpan() const { return warps() * warpSpan(); }
  /// Carriers each warp keeps in shared memory / each CTA publishes (finite K).
  int64_t warpKeep() const { return std::min(hops, warpSpan()); }
  int64_t ctaKeep() const { return std::min(hops, ctaSpan()); }

  // Effective routes: a halo at one level recomputes every earlier tile from
  // global memory, so the levels above it are never consulted.
  bool laneShuffle() const {
    return schedule.getLane() == swr::CarrierRoute::shuffle;
  }
  bool warpSmem() const {
    return laneShuffle() && schedule.getWarp() == swr::CarrierRoute::smem;
  }
  /// Carriers cross the CTAs of a cluster through distributed shared
  /// memory: `dsmem` (mapa loads) or `bulk` (cp.async.bulk pushes).
  bool ctaDsmem() const {
    return warpSmem() && cluster() > 1 &&
           (schedule.getCta() == swr::CarrierRoute::dsmem ||
            schedule.getCta() == swr::CarrierRoute::bulk);
  }
  /// cta = bulk: each CTA pushes the carriers the later CTAs of its cluster
  /// need into their receive buffers (cp.async.bulk shared::cluster,
  /// mbarrier complete_tx) instead of the consumers loading them (mapa).
  bool ctaBulk() const {
    return ctaDsmem() && hops != 0 &&
           schedule.getCta() == swr::CarrierRoute::bulk;
  }
  /// cta = bulk: floats per pushed message, a multiple of 16 bytes. Finite
  /// K: the CTA's last ctaKeep() carriers; K = inf: its aggregate.
  int64_t bulkMsgFloats() const {
    int64_t floats = infiniteHops() ? 2 : 2 * ctaKeep();
    return (floats + 3) / 4 * 4;
  }
  /// cta = bulk: receive slots per CTA. Finite K: one per earlier CTA of
  /// the cluster within K tiles; K = inf: one per CTA of the cluster.
  int64_t bulkSlots() const {
    if (infiniteHops())
      return cluster();
    return std::min(cluster() - 1, (hops + ctaSpan() - 1) / ctaSpan());
  }
  /// cta = bulk: bytes of workgroup memory the route adds (send buffer,
  /// receive buffer, mbarrier).
  /// Floats of the carrier buffer per row (K = inf: the warp aggregates,
  /// the CTA aggregate and the prefix; finite K with warp smem: the warp
  /// lists).
  int64_t carrierFloats(bool loop = false) const {
    if (infiniteHops()) // the row loop keeps two sets (this chunk, next)
      return (loop ? 2 : 1) * (2 * warps() + 4);
    if (hops > 0 && warpSmem())
      return 2 * warps() * warpKeep();
    return 0;
  }
  int64_t bulkWorkgroupBytes() const {
    return ctaBulk() ? 4 * bulkMsgFloats() * (1 + bulkSlots()) + 16 : 0;
  }
  /// Whether tiles outside the cluster come through global flags.
  bool gridFlags() const {
    if (hops == 0)
      return false;
    if (infiniteHops())
      return true;
    bool reaches = warpSmem() && (cluster() == 1 || ctaDsmem());
    return reaches && schedule.getGrid() == swr::CarrierRoute::flags;
  }
  /// K = inf without clusters: short rows share a CTA (g rows per CTA, each
  /// on warps() / g warps; g is the largest power of two dividing warps()
  /// with T <= (warps() / g) * warpSpan(); kernel and host compute it from L).
  bool packRows() const {
    // local = mma: the CTA's mma warps take the tiles of one row group.
    return infiniteHops() && cluster() == 1 && slots == 1 &&
           schedule.getLocal() == swr::LocalStrategy::scan;
  }
  /// K = inf, cluster 1, local = scan: when the rows alone fill the GPU
  /// (row groups x warps >= kRowLoopWarps, decided by the host from the
  /// shape) the host launches the row-loop kernel (KernelPart::rowLoop,
  /// `<name>_swr_loop`) with one CTA per row group (nx = 1): the CTA walks
  /// the row's CTA-span chunks in order, carrying the running prefix (no
  /// ticket, no flags, no look-back; the next chunk's tiles are loaded
  /// before this chunk's exchange). Fewer rows: the look-back kernel
  /// (KernelPart::lookBack), one CTA per chunk and the decoupled look-back.
  /// local = mma: the same with its CTA of `slots` rows (the host counts
  /// slots x warps warps per row group).
  bool rowLoop() const {
    // Not in layer mode yet: the fused kernels keep the look-back path
    // (verified on the H200 before the row loop existed).
    if (layer.enabled)
      return false;
    if (schedule.getLocal() == swr::LocalStrategy::mma)
      return infiniteHops() && cluster() == 1;
    return packRows();
  }
  static constexpr int64_t kRowLoopWarps = 1024;
  /// local = mma row loop: rows of at least this many CTA spans take the
  /// 128-register kernel (KernelPart::rowLoopWide). On the H200 (mma kinf
  /// run 1, 512-token spans) it measured 59-61 % of copy against 44 % at
  /// B = 1 and 57-58 % against 52-56 % at L = 8192 (16 spans), but 48-50 %
  /// against 51-53 % at L = 2048 (4 spans: the exposed first chunk with one
  /// CTA per SM).
  static constexpr int64_t kMmaWideChunks = 8;
  /// local = mma row loop: when the row groups give the half kernel
  /// (KernelPart::rowLoopHalf) at least this many warps, the host launches
  /// it: two CTAs per SM at 128 registers, so one CTA's first chunk and
  /// barriers overlap the other's work.
  static constexpr int64_t kMmaHalfWarps = 2048;
  /// The units kernel (KernelPart::units): units per row so that the row
  /// groups x units x warps reach this many warps.
  static constexpr int64_t kUnitWarps = 4096;
  /// Layer mode, gates fused, forward, finite K, no ticket / cluster /
  /// warp lists (layerSharePlan): the CTA holds `slots` channels of one
  /// (b, h) at the same tiles; before the scan its threads evaluate
  /// act_a(pa + ba) of the CTA's tokens (its tiles and, K != 0, the tile
  /// before them: the warp halo's) once into workgroup memory, and each
  /// channel thread reads its tiles' gates from there.
  bool sharedGates() const { return layer.enabled && layer.shareGates; }
  /// Tiles before the CTA's first tile whose gates are shared.
  int64_t sharedGateHalo() const { return hops != 0 ? 1 : 0; }
  /// f32 elements per workgroup-memory read of the shared gates.
  int64_t sharedGateVec() const {
    int64_t w = 4;
    while (w > 1 && block % w != 0)
      w /= 2;
    return w;
  }
  /// Floats between consecutive tiles' gates: the block rounded up to the
  /// vector, plus one vector when that is an even number of vectors (the
  /// vector reads of consecutive lanes then hit distinct banks).
  int64_t sharedGateStride() const {
    int64_t w = sharedGateVec();
    int64_t s = (block + w - 1) / w * w;
    return (s / w) % 2 == 0 ? s + w : s;
  }
  int64_t sharedGateFloats() const {
    return (ctaSpan() + sharedGateHalo()) * sharedGateStride();
  }
  /// Whether anything reads another CTA's shared memory (dsmem carriers or
  /// the cluster's ticket).
  bool usesCluster() const {
    return cluster() > 1 && hops != 0 && (ctaDsmem() || gridFlags());
  }
};

/// Whether a warp can scan the tile before its first tile together, one
/// token per lane (KernelEmitter::warpTileCarrier): forward, no resets or
/// init, a block of at most one warp's lanes. The K = 1 default rule
/// (resolveSchedule) and the kernel both ask this.
inline bool warpScansHaloTile(bool transpose, bool resets, bool init,
                              int64_t block) {
  return !transpose && !resets && !init && block <= kWarpSize;
}

/// local = mma, K != 0: workgroup floats of the carrier exchange between the
/// mma warps and the per-row carrier routes: the gate product of each of the
/// CTA's tiles, then the (slot, tile) carriers, overwritten by the carries.
/// None for K = 0 and for lane = halo (each mma warp recomputes the K tiles
/// before its run of tiles). `rowLoopKernel`: the K = inf row-loop kernel,
/// which exchanges only the mma warps' aggregates, two sets alternating by
/// chunk parity: per set and warp 8 x 4 floats (lane row g: the aggregate
/// of channels g and g + 8, the warps' gate product, padding: one 16-byte
/// load each), then per set the chunk's prefix (8 x 4 floats); the
/// look-back kernel of the same configuration uses one set of tile
/// carriers.
inline int64_t mmaExchangeFloats(const KernelConfig &config,
                                 bool rowLoopKernel) {
  if (rowLoopKernel)
    return 2 * (config.mmaWarps() + 1) * 32;
  if (config.hops == 0 || !config.laneShuffle())
    return 0;
  return (config.slots + 1) * config.ctaSpan();
}

/// local = mma, the K = inf row-loop kernel: the next chunk's gates and
/// drive are copied into workgroup memory (cp.async, two sets alternating
/// by chunk parity) while this chunk is computed, so the loads stay in
/// flight without registers. A set holds the chunk's gates (`rowElems`
/// tokens) and its `slots` drive rows, `stride` apart: 16 elements of
/// padding put the rows 4 lane runs apart modulo 128 bytes, so the mma
/// warps' 4-token runs (lanes g x tig: channel g, run tig) are read
/// without bank conflicts. The sets live in dynamic workgroup memory
/// (`bytes`: the gates of both sets, then the drive rows from byte
/// `gateBytesAll`), so 1024-token chunks (4 tiles per mma warp) and f32
/// rows are staged too. Off (`on` false) where the tile is not a multiple
/// of 16 tokens or the sets exceed kMmaDynamicBytes; the chunks then load
/// straight from global memory, as do chunks not inside [0, L) or
/// unaligned ones at run time.
struct MmaStage {
  bool on = false;
  int64_t rowElems = 0, stride = 0, gateBytes = 0, driveBytes = 0;
  int64_t gateBytesAll = 0, bytes = 0;
  int64_t gateSet() const { return rowElems; }
  int64_t driveSet(int64_t slots) const { return slots * stride; }
};
/// Dynamic workgroup memory an mma kernel may take (the row loop's staged
/// sets, the tile ring): two 64-register CTAs of 512 threads share an SM's
/// 227 KiB with their static buffers.
constexpr int64_t kMmaDynamicBytes = 100 * 1024;
inline MmaStage mmaStage(const KernelConfig &config, bool rowLoopKernel) {
  MmaStage st;
  if (!rowLoopKernel || config.block % 16 != 0 || !config.gatesType ||
      !config.driveType)
    return st;
  st.rowElems = config.ctaSpan() * config.block;
  st.stride = st.rowElems + 16;
  st.gateBytes = config.gatesType.getElementType().getIntOrFloatBitWidth() / 8;
  st.driveBytes = config.driveType.getElementType().getIntOrFloatBitWidth() / 8;
  st.gateBytesAll = (2 * st.rowElems * st.gateBytes + 15) / 16 * 16;
  st.bytes = st.gateBytesAll + 2 * config.slots * st.stride * st.driveBytes;
  st.on = st.bytes <= kMmaDynamicBytes;
  return st;
}

/// local = mma, K = inf: the configuration of the 128-register row-loop
/// kernel (KernelPart::rowLoopWide). Where the schedule gives each mma warp
/// 2 tiles per chunk (one tile per lane, 16 channels on one warp each: the
/// rule) it takes 4 (two tiles per lane: 1024-token chunks for 16-token
/// tiles) when their staged sets fit: the per-chunk work (the barrier, the
/// fold of the warps' aggregates, the copies' issue) spread over twice the
/// tiles measured 69-73 % of copy against 65-67 % at B = 1 and 64-69 %
/// against 62-64 % at L = 8192 on the H200 (docs/benchmarks.md, "mma kinf
/// runs 5-8"). Schedules whose warps already have 4 tiles keep them (8
/// spilled 92 bytes: 3-10 points slower in run 12), and so does the
/// 64-register kernel (4 tiles spill 344 bytes there: 27 % of copy at
/// L = 2048).
inline KernelConfig mmaWideConfig(const KernelConfig &config) {
  KernelConfig wide = config;
  swr::ScheduleAttr s = config.schedule;
  if (s.getLocal() != swr::LocalStrategy::mma || s.getTilesPerLane() != 1 ||
      config.mmaTilesPerWarp() != 2)
    return wide;
  wide.schedule = swr::ScheduleAttr::get(
      s.getContext(), s.getLocal(), 2, s.getWarps(), s.getCluster(),
      s.getLane(), s.getWarp(), s.getCta(), s.getGrid());
  wide.mmaChunk = wide.ctaSpan();
  return mmaStage(wide, /*rowLoopKernel=*/true).on ? wide : config;
}

/// local = mma, K = inf: the configuration of the half row-loop kernel
/// (KernelPart::rowLoopHalf): where the schedule gives each of the CTA's
/// mma warps 2 tiles per chunk, half as many warps take 4 each (the same
/// chunk and channels, half the threads), at 128 registers: two CTAs per
/// SM, each with its own barriers, where the 128-register kernel of
/// mmaWideConfig has one. Returns `config` unchanged where it does not
/// apply (the host then launches no half kernel).
inline KernelConfig mmaHalfConfig(const KernelConfig &config) {
  KernelConfig half = config;
  if (config.schedule.getLocal() != swr::LocalStrategy::mma ||
      config.mmaWarps() % 2 != 0 || config.mmaTilesPerWarp() != 2)
    return config;
  half.mmaLoopWarps = config.mmaWarps() / 2;
  return mmaStage(half, /*rowLoopKernel=*/true).on ? half : config;
}
inline bool hasMmaHalf(const KernelConfig &config) {
  return mmaHalfConfig(config).mmaLoopWarps > 0;
}

/// local = mma without a carrier exchange (K = 0, or finite K with lane =
/// halo): each mma warp takes a contiguous run of tiles and streams it
/// through a ring of `depth` slots in workgroup memory, each slot a group
/// of `group` consecutive tiles, filled by cp.async (16 bytes a lane)
/// `depth - 1` groups ahead of the group it computes. A group's row is
/// group * block contiguous tokens, so one cp.async of a warp reads whole
/// 64 / 128-byte pieces of each row: the L2 serves a few wide requests
/// instead of one 32-byte sector per row and lane quad (the register loads
/// of a tile's 4-token runs kept the L2 at 83-92 % of its throughput at 66 %
/// of DRAM bandwidth, ncu on the H200). When the output element has the
/// drive's size, a lane writes its results over the 4-token runs it read
/// (no other lane reads them) and the warp copies the group's rows out
/// with 16-byte stores, wide pieces again. A slot is written and read by
/// its own warp only (cp.async.wait_group, then bar.warp.sync): no barrier.
/// Rows are `rowStride` elements apart: the group's tokens plus 16 bytes
/// when that is a multiple of 64 bytes, so the lanes' 4-token runs of rows
/// g = 0..7 fall on distinct bank pairs. The rule: 2 slots of 4 tiles
/// (128-byte row pieces: 78 KiB for 16 warps of 16-bit data, in dynamic
/// workgroup memory); mma-ring / mma-ring-group set them. Off where the
/// warp's run is longer than kMmaRingTiles (groups are halved until they
/// divide it) or fewer than two slots fit in `kMmaDynamicBytes`; in
/// static memory up to `kMmaRingBytes` (the configurations with a ring have
/// no other workgroup buffers: no exchange, flags or carrier lists). Groups
/// not whole inside [0, L) or not aligned load and store straight from / to
/// global memory.
struct MmaRing {
  bool on = false, stageOut = false;
  /// In dynamic workgroup memory (more than the 48 KiB of static memory;
  /// the launch passes `bytes` and the runtime raises the kernel's limit).
  bool dynamic = false;
  int64_t depth = 0, group = 1, gateSlot = 0, rowStride = 0;
  /// Bytes of the gates of all slots (the drive rows follow them in
  /// dynamic memory) and of the whole ring.
  int64_t gateBytes = 0, bytes = 0;
  int64_t driveSlot(int64_t slots) const { return slots * rowStride; }
};
/// Static workgroup memory a CTA may give the ring (48 KiB in all; beyond
/// it, up to kMmaDynamicBytes of dynamic memory).
constexpr int64_t kMmaRingBytes = 44 * 1024;
/// The ring's depth (slots) and group (tiles per slot) when the pass
/// leaves them to the rule: whole 128-byte lines of 16-bit rows.
constexpr int64_t kMmaRingDefaultDepth = 2, kMmaRingDefaultGroup = 4;
/// Most tiles per mma warp the ring's (unrolled) pipeline takes.
constexpr int64_t kMmaRingTiles = 16;
inline MmaRing mmaRing(const KernelConfig &config) {
  MmaRing ring;
  // (local = mma tiles are multiples of 16 tokens; its element types are
  // 2 or 4 bytes, so a 16-byte piece is whole elements.)
  if (config.schedule.getLocal() != swr::LocalStrategy::mma ||
      config.mmaRingDepth == 0 || config.infiniteHops() ||
      (config.hops != 0 && config.laneShuffle()) || !config.gatesType ||
      !config.driveType || !config.outType)
    return ring;
  int64_t gb = config.gatesType.getElementType().getIntOrFloatBitWidth() / 8;
  int64_t xb = config.driveType.getElementType().getIntOrFloatBitWidth() / 8;
  int64_t ob = config.outType.getElementType().getIntOrFloatBitWidth() / 8;
  int64_t warps = config.mmaWarps(), nT = config.mmaTilesPerWarp();
  ring.group = config.mmaRingGroup > 0 ? config.mmaRingGroup
                                       : kMmaRingDefaultGroup;
  // Groups divide the run (fewer tiles per group for short runs).
  while (ring.group > 1 && nT % ring.group != 0)
    ring.group /= 2;
  if (nT > kMmaRingTiles)
    return ring;
  int64_t span = ring.group * config.block, rowBytes = span * xb;
  ring.rowStride = span + (rowBytes % 64 == 0 ? 16 / xb : 0);
  // Slots' gates rounded to 16 bytes (the drive rows follow them).
  int64_t gateSlotBytes = (span * gb + 15) / 16 * 16;
  ring.gateSlot = gateSlotBytes / gb;
  int64_t slotBytes = gateSlotBytes + config.slots * ring.rowStride * xb;
  int64_t want = config.mmaRingDepth > 0 ? config.mmaRingDepth
                                         : kMmaRingDefaultDepth;
  // Static memory when the ring fits there, else dynamic memory.
  ring.depth = std::min(want, kMmaRingBytes / (warps * slotBytes));
  if (ring.depth < want) {
    int64_t dyn = std::min(want, kMmaDynamicBytes / (warps * slotBytes));
    if (dyn > ring.depth) {
      ring.depth = dyn;
      ring.dynamic = true;
    }
  }
  ring.on = ring.depth >= 2;
  ring.stageOut = ob == xb;
  ring.gateBytes = warps * ring.depth * gateSlotBytes;
  ring.bytes = warps * ring.depth * slotBytes;
  return ring;
}

/// Chooses config.slots / mmaBlock for local = mma: as many channels per
/// CTA as divide D (a power of two, at most 16 and 16 / warps, so a CTA has
/// at most 512 threads and one mma warp covers every channel of a tile:
/// the M dimension of m16n8k16), fewer when the exchange buffer, the
/// slots' carrier buffers and the other workgroup buffers exceed 47 KiB
/// (48 KiB of static shared memory, alignment padding). `maxSlots` > 0
/// caps the channels per CTA (pass option mma-channels). Returns false when
/// nothing fits.
inline bool mmaPlan(KernelConfig &config, int64_t maxSlots = 0) {
  int64_t block16 = (config.block + 15) / 16 * 16;
  int64_t cap = maxSlots > 0 ? std::min<int64_t>(maxSlots, 16) : 16;
  int64_t s = 1;
  while (2 * s <= cap && config.channels % (2 * s) == 0 &&
         2 * s * config.warps() <= 16)
    s *= 2;
  for (; s >= 1; s /= 2) {
    // The larger of the two kernels of a row-loop configuration (the
    // row-loop kernel has no per-slot carrier buffers).
    KernelConfig trial = config;
    trial.slots = s;
    int64_t floats = mmaExchangeFloats(trial, false) +
                     s * config.carrierFloats();
    if (config.rowLoop())
      floats = std::max(floats, mmaExchangeFloats(trial, true));
    if (4 * floats + config.bulkWorkgroupBytes() + 64 <= 47 * 1024) {
      config.slots = s;
      config.mmaChunk = config.ctaSpan();
      config.mmaBlock = block16;
      return true;
    }
  }
  return false;
}

/// Layer mode: decides whether the fused kernel shares its gates
/// (KernelConfig::sharedGates) and with how many channels per CTA
/// (config.slots). `maxSlots`: pass option layer-slots (at most this
/// many channels per CTA; 0 / 1: off, the default: on the H200 sharing
/// by 2 / 4 channels measured the same as the per-thread gates and more
/// channels slower, docs/benchmarks.md "layer run 3"). Eligible: gates fused
/// (not layer-gates = kernel), forward without resets or initial state,
/// finite K, local = scan, no warp lists / clusters / grid flags (the
/// slots are separate rows to every carrier route but the lane shuffles
/// and the halo recomputation), a workgroup buffer of at most 32 KiB.
inline void layerSharePlan(KernelConfig &config, int64_t maxSlots) {
  config.layer.shareGates = false;
  config.slots = 1;
  if (!config.layer.enabled || config.layer.gatesActivated ||
      config.transpose || config.hasResets() || config.hasInit() ||
      config.infiniteHops() || config.warpSmem() || config.cluster() != 1 ||
      config.gridFlags() || maxSlots <= 1 ||
      config.schedule.getLocal() != swr::LocalStrategy::scan)
    return;
  int64_t s = 1;
  while (2 * s <= maxSlots && config.channels % (2 * s) == 0 &&
         2 * s * config.threads() <= 1024)
    s *= 2;
  if (s < 2 || 4 * config.sharedGateFloats() > 32768)
    return;
  config.slots = s;
  config.layer.shareGates = true;
}

/// Which part of a K = inf row-loop configuration (KernelConfig::rowLoop) a
/// kernel holds: the host launches one of two kernels, each with its own
/// registers (one kernel with both branches was capped at 128 registers
/// with spills, and ran the loop 4-8 points slower: docs/benchmarks.md,
/// run 7). Other configurations: `whole`.
enum class KernelPart {
  whole,
  /// One CTA per row group walks the row (nx = 1); no flags arguments.
  rowLoop,
  /// local = mma: the same with 128 registers per thread (one CTA per SM,
  /// no spills), `<name>_swr_loop_wide`: the host's choice for rows of at
  /// least KernelConfig::kMmaWideChunks CTA spans.
  rowLoopWide,
  /// local = mma: the same with half the mma warps per CTA, twice the tiles
  /// each, 128 registers (two CTAs per SM), `<name>_swr_loop_half`
  /// (mmaHalfConfig): the host's choice when the row groups give it at
  /// least KernelConfig::kMmaHalfWarps warps.
  rowLoopHalf,
  /// One CTA per chunk with the ticket and the decoupled look-back.
  lookBack,
  /// local = scan: nx units per row, each walking a contiguous run of
  /// chunks twice (aggregate, look-back over the row's earlier units,
  /// then the row loop from the prefix); `<name>_swr_units`.
  units,
};

/// Builds the kernel `name` into `module` and returns it. Kernel arguments:
/// gates, drive, [resets], [init], y, [flags (i32), scratch (f32)], nx
/// (CTAs along the sequence, a multiple of the cluster size). Layer mode:
/// pa, pv, pb, pc, ba, bb, bc, z, [flags, scratch], nx. `part`: for
/// rowLoop configurations, KernelPart::rowLoop or lookBack (no flags and
/// scratch arguments in the row-loop kernel).
mlir::gpu::GPUFuncOp buildKernel(mlir::OpBuilder &builder, mlir::Location loc,
                                 mlir::gpu::GPUModuleOp module,
                                 llvm::StringRef name,
                                 const KernelConfig &config,
                                 KernelPart part = KernelPart::whole);

/// The layer's gate kernel `name` (config: the fused kernel's, layer mode;
/// its gatesType is the raw pa): args pa and g as flat 1-D memrefs
/// (pa: the layer dtype, g: gateElem), ba, the element count B * H * L and L;
/// g = act_a(pa + ba[h]), kGatesThreads threads per CTA, one element each.
mlir::gpu::GPUFuncOp buildGateKernel(mlir::OpBuilder &builder,
                                     mlir::Location loc,
                                     mlir::gpu::GPUModuleOp module,
                                     llvm::StringRef name,
                                     const KernelConfig &config,
                                     mlir::Type gateElem);

} // namespace phalanx::swr_to_gpu

#endif // PHALANX_LIB_CONVERSION_SWRTOGPU_KERNELBUILDER_H
