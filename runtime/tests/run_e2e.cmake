# End-to-end test of phalanx-run with the test artifact.
function(run_expect rc_expect needle)
  execute_process(COMMAND ${RUN} ${ARGN} RESULT_VARIABLE rc
                  OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message(STATUS "phalanx-run ${ARGN}\n  rc=${rc}\n${out}${err}")
  if(NOT rc EQUAL ${rc_expect})
    message(FATAL_ERROR "expected exit code ${rc_expect}, got ${rc}")
  endif()
  string(FIND "${out}${err}" "${needle}" pos)
  if(pos EQUAL -1)
    message(FATAL_ERROR "output lacks '${needle}'")
  endif()
endfunction()

file(MAKE_DIRECTORY ${WORKDIR})
execute_process(COMMAND ${TESTS} --write-artifact ${ARTIFACT} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "could not write the test artifact")
endif()

run_expect(0 "entry scan" ${ARTIFACT} --list)
run_expect(0 "check: rel_err=" ${ARTIFACT} --entry scan --random 1 --dim B=2 --dim L=37 --check)
run_expect(0 "PASS" ${ARTIFACT} --entry scan --random 7 --shape 0=1,2,9 --shape x=1,2,4,9 --check --repeat 3)
run_expect(0 "time: median" ${ARTIFACT} --entry scan --random 7 --dim B=1 --dim L=64 --repeat 5)
run_expect(1 "FAIL" ${ARTIFACT} --entry noop --random 1 --dim B=1 --dim L=16 --check)
run_expect(1 "both are L" ${ARTIFACT} --entry scan --random 1 --shape 0=1,2,8 --shape 1=1,2,4,9)
run_expect(1 "dim 2 is dynamic; give --shape 0=d0,d1,... or --dim L=N" ${ARTIFACT} --entry scan --random 1 --dim B=1)
run_expect(2 "pick one with --entry" ${ARTIFACT} --random 1)
run_expect(2 "unknown option" ${ARTIFACT} --bogus)
if(NOT DEFINED ENV{PHALANX_CUDA_DRIVER} AND NOT EXISTS /dev/nvidiactl)
  run_expect(1 "phalanx-run: error: CUDA backend: no CUDA driver found (libcuda.so.1 could not be loaded)"
             ${ARTIFACT} --device cuda --entry scan)
endif()
run_expect(1 "no \"op\" description" ${ARTIFACT} --entry add --random 3 --shape 0=5 --shape 1=5 --check)
run_expect(0 "result #0 c" ${ARTIFACT} --entry add --random 3 --shape 0=5 --shape 1=5 --output ${WORKDIR}/c.npy)
run_expect(0 "result #0 c" ${ARTIFACT} --entry add --input ${WORKDIR}/c.npy ${WORKDIR}/c.npy --output ${WORKDIR}/d.npy)
run_expect(1 "(rank 1) but the entry expects" ${ARTIFACT} --entry scan --input ${WORKDIR}/c.npy ${WORKDIR}/c.npy)
run_expect(1 "check: rel_err=nan tol=0.008 FAIL" ${ARTIFACT} --entry layer_noop --random 2 --dim B=2 --dim L=11 --check)
run_expect(0 "role wo, dims [H*D, Dm]" ${ARTIFACT} --list)
run_expect(0 "result #0 out: bf16 [2, 11, 8]" ${ARTIFACT} --entry layer_noop --random 2 --shape x=2,11,8 --output ${WORKDIR}/out.npy)

# ---- the CUDA backend through the fake driver (tests/fake_cuda.c)
if(FAKE_CUDA)
  set(GPU_ARTIFACT ${WORKDIR}/gpu-test.phx)
  execute_process(COMMAND ${TESTS} --write-gpu-artifact ${GPU_ARTIFACT} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "could not write the gpu test artifact")
  endif()
  set(FAKE ${CMAKE_COMMAND} -E env PHALANX_CUDA_DRIVER=${FAKE_CUDA})
  set(RUN_CPU ${RUN})
  set(RUN ${FAKE} ${RUN_CPU})
  run_expect(0 "entry add_cluster (device cuda" ${GPU_ARTIFACT} --list)
  run_expect(0 "CUDA driver 13.0, device 0: Fake GPU (sm_90, 4 SMs)"
             ${GPU_ARTIFACT} --device cuda --entry add --input ${WORKDIR}/c.npy ${WORKDIR}/c.npy
             --output ${WORKDIR}/gpu-d.npy)
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORKDIR}/d.npy ${WORKDIR}/gpu-d.npy
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "cuda add (fake driver) differs from cpu add")
  endif()
  run_expect(0 "time: median 0.250 ms over 3 runs (CUDA events)"
             ${GPU_ARTIFACT} --device cuda --entry add_cluster --random 1 --shape a=100 --shape b=100 --repeat 3)
  run_expect(1 "phalanx-run: error: running entry 'fault': entry 'fault': CUDA error in mgpuStreamSynchronize: cuStreamSynchronize failed: CUDA_ERROR_ILLEGAL_ADDRESS"
             ${GPU_ARTIFACT} --device cuda --entry fault --random 1 --shape a=10 --shape b=10)
  run_expect(1 "entry 'cpu_add' was compiled for cpu; run it with --device cpu"
             ${GPU_ARTIFACT} --device cuda --entry cpu_add --random 1 --shape a=10 --shape b=10)
  set(RUN ${CMAKE_COMMAND} -E env PHALANX_CUDA_DRIVER=${FAKE_CUDA} FAKECUDA_INIT_ERROR=100 ${RUN_CPU})
  run_expect(1 "phalanx-run: error: CUDA backend: cuInit failed: CUDA_ERROR_NO_DEVICE (no CUDA device is visible)"
             ${GPU_ARTIFACT} --device cuda --entry add --random 1 --shape a=10 --shape b=10)
  set(RUN ${RUN_CPU})
  run_expect(1 "entry 'add' was compiled for cuda; run it with --device cuda"
             ${GPU_ARTIFACT} --entry add --random 1 --shape a=10 --shape b=10)
  run_expect(0 "result #0 c" ${GPU_ARTIFACT} --entry cpu_add --random 1 --shape a=10 --shape b=10)
endif()
