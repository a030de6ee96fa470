//===- Pipelines.h - phalanx pass pipelines ---------------------*- C++ -*-===//
#ifndef PHALANX_PIPELINES_PIPELINES_H
#define PHALANX_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace phalanx {

/// Options of `phalanx-cpu-pipeline`.
struct CPUPipelineOptions
    : public mlir::PassPipelineOptions<CPUPipelineOptions> {
  Option<bool> tiled{*this, "tiled",
                     llvm::cl::desc("Lower swr.scan through the tiled form "
                                    "(tiles and carriers); false lowers it as a "
                                    "plain sequential recurrence"),
                     llvm::cl::init(true)};
};

/// phalanx.layer / swr.scan on tensors -> LLVM dialect with packed entry
/// points, ready for translation to LLVM IR.
void buildCPUPipeline(mlir::OpPassManager &pm,
                      const CPUPipelineOptions &options);

/// Options of `phalanx-gpu-pipeline`. The schedule knobs are the
/// `#swr.schedule` fields, used for swr.scan ops that carry no schedule
/// (see convert-swr-to-gpu).
struct GPUPipelineOptions
    : public mlir::PassPipelineOptions<GPUPipelineOptions> {
  Option<std::string> chip{*this, "chip",
                           llvm::cl::desc("CUDA architecture of the cubin"),
                           llvm::cl::init("sm_90a")};
  Option<std::string> features{
      *this, "features",
      llvm::cl::desc("PTX features (ptxas of CUDA 13 takes PTX 8.x)"),
      llvm::cl::init("+ptx80")};
  Option<unsigned> optLevel{*this, "opt-level",
                            llvm::cl::desc("Optimization level of the kernels"),
                            llvm::cl::init(3)};
  Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("CUDA toolkit holding bin/ptxas"),
      llvm::cl::init("/usr/local/cuda")};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("Kernel binary format: bin (cubin), isa (PTX text, for "
                     "inspection), fatbin"),
      llvm::cl::init("bin")};
  Option<std::string> local{*this, "local",
                            llvm::cl::desc("#swr.schedule local: scan | mma | auto"),
                            llvm::cl::init("auto")};
  Option<int64_t> tilesPerLane{
      *this, "tiles-per-lane",
      llvm::cl::desc("#swr.schedule tiles_per_lane (0 = auto)"),
      llvm::cl::init(0)};
  Option<int64_t> warps{*this, "warps",
                        llvm::cl::desc("#swr.schedule warps (0 = auto)"),
                        llvm::cl::init(0)};
  Option<int64_t> cluster{*this, "cluster",
                          llvm::cl::desc("#swr.schedule cluster (0 = auto)"),
                          llvm::cl::init(0)};
  Option<std::string> lane{*this, "lane",
                           llvm::cl::desc("#swr.schedule lane: shuffle | halo | auto"),
                           llvm::cl::init("auto")};
  Option<std::string> warp{*this, "warp",
                           llvm::cl::desc("#swr.schedule warp: smem | halo | auto"),
                           llvm::cl::init("auto")};
  Option<std::string> cta{*this, "cta",
                          llvm::cl::desc("#swr.schedule cta: none | dsmem | bulk | halo | auto"),
                          llvm::cl::init("auto")};
  Option<std::string> grid{*this, "grid",
                           llvm::cl::desc("#swr.schedule grid: flags | halo | auto"),
                           llvm::cl::init("auto")};
  Option<int64_t> mmaChannels{
      *this, "mma-channels",
      llvm::cl::desc("local = mma: at most this many channels per CTA (0 = "
                     "auto)"),
      llvm::cl::init(0)};
  Option<int64_t> mmaRing{
      *this, "mma-ring",
      llvm::cl::desc("local = mma, K = 0 or lane = halo: depth of each mma "
                     "warp's cp.async tile ring (0 = off, -1 = auto)"),
      llvm::cl::init(-1)};
  Option<int64_t> mmaRingGroup{
      *this, "mma-ring-group",
      llvm::cl::desc("local = mma with the ring: tiles per ring slot (0 = "
                     "auto)"),
      llvm::cl::init(0)};
  Option<int64_t> mmaMatrixParts{
      *this, "mma-matrix-parts",
      llvm::cl::desc("local = mma: bf16 parts of each decay-matrix entry (0 "
                     "= auto: 1 / 2 / 3 for bf16 / f16 / f32 outputs)"),
      llvm::cl::init(0)};
  Option<std::string> mmaLoopKernel{
      *this, "mma-loop-kernel",
      llvm::cl::desc("local = mma, K = inf row loop: auto | loop | wide | "
                     "half (the kernel the host launches)"),
      llvm::cl::init("auto")};
  Option<std::string> layerGates{
      *this, "layer-gates",
      llvm::cl::desc("phalanx.layer gate activation: fused (in the fused "
                     "kernel) | kernel (a gate kernel before it)"),
      llvm::cl::init("fused")};
  Option<int64_t> layerSlots{
      *this, "layer-slots",
      llvm::cl::desc("phalanx.layer fused kernel (gates fused, finite K): "
                     "channels of one head per CTA sharing the gate "
                     "activations through shared memory (0 / 1 = off)"),
      llvm::cl::init(0)};
  Option<bool> overrideSchedule{
      *this, "override-schedule",
      llvm::cl::desc("Apply the schedule knobs even to ops with a schedule"),
      llvm::cl::init(false)};
};

/// swr.scan entries on tensors -> LLVM dialect host code launching CUDA
/// kernels (gpu.binary), with packed entry points.
void buildGPUPipeline(mlir::OpPassManager &pm,
                      const GPUPipelineOptions &options);

/// Registers `phalanx-gpu-pipeline` (called by
/// registerPhalanxPassesAndPipelines).
void registerGPUPipeline();

/// Registers every phalanx pass and pipeline with the global registry.
void registerPhalanxPassesAndPipelines();

} // namespace phalanx

#endif // PHALANX_PIPELINES_PIPELINES_H
