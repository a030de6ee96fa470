// Compile-time check of the driver declarations in src/cuda/driver.h
// against the real cuda.h, built only where a CUDA toolkit header exists.
#include "cuda/driver.h"

#include <cuda.h>
#include <cstddef>
#include <cstdio>

namespace p = phx::cuda;

#define SAME_VALUE(x) static_assert(int(p::x) == int(::x), #x)
SAME_VALUE(CUDA_ERROR_INVALID_VALUE);
SAME_VALUE(CUDA_ERROR_OUT_OF_MEMORY);
SAME_VALUE(CUDA_ERROR_NO_DEVICE);
SAME_VALUE(CUDA_ERROR_INVALID_HANDLE);
SAME_VALUE(CUDA_ERROR_NOT_FOUND);
SAME_VALUE(CU_STREAM_NON_BLOCKING);
SAME_VALUE(CU_EVENT_DISABLE_TIMING);
SAME_VALUE(CU_MEM_ATTACH_GLOBAL);
SAME_VALUE(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
SAME_VALUE(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
SAME_VALUE(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
SAME_VALUE(CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES);
SAME_VALUE(CU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED);
SAME_VALUE(CU_JIT_ERROR_LOG_BUFFER);
SAME_VALUE(CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES);
SAME_VALUE(CU_JIT_OPTIMIZATION_LEVEL);
SAME_VALUE(CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION);
SAME_VALUE(CU_LAUNCH_ATTRIBUTE_CLUSTER_SCHEDULING_POLICY_PREFERENCE);
SAME_VALUE(CU_CLUSTER_SCHEDULING_POLICY_SPREAD);
SAME_VALUE(CU_POINTER_ATTRIBUTE_MEMORY_TYPE);
SAME_VALUE(CU_GET_PROC_ADDRESS_LEGACY_STREAM);

#define SAME_LAYOUT(ours, theirs, field)                                       \
  static_assert(offsetof(p::ours, field) == offsetof(::theirs, field),         \
                #ours "." #field)
static_assert(sizeof(p::CUlaunchAttribute) == sizeof(::CUlaunchAttribute), "");
static_assert(sizeof(p::CUlaunchAttributeValue) ==
                  sizeof(::CUlaunchAttributeValue), "");
SAME_LAYOUT(CUlaunchAttribute, CUlaunchAttribute, value);
static_assert(sizeof(p::CUlaunchConfig) == sizeof(::CUlaunchConfig), "");
SAME_LAYOUT(CUlaunchConfig, CUlaunchConfig, sharedMemBytes);
SAME_LAYOUT(CUlaunchConfig, CUlaunchConfig, hStream);
SAME_LAYOUT(CUlaunchConfig, CUlaunchConfig, attrs);
SAME_LAYOUT(CUlaunchConfig, CUlaunchConfig, numAttrs);
static_assert(sizeof(p::CUtensorMap) == sizeof(::CUtensorMap), "");
static_assert(sizeof(p::CUdeviceptr) == sizeof(::CUdeviceptr), "");

int main() {
  std::printf("driver.h matches cuda.h (CUDA_VERSION %d)\n", CUDA_VERSION);
  return 0;
}
