# Runs cordis-sim twice on the same seeds with every fault kind on and the whole event history
# printed, and fails unless the two outputs are byte-identical.
foreach(seed 7 42)
  set(args --seed ${seed} --ops 2000
      --faults latency,loss,dup,reorder,asym,partition,clog,skew,drift,jump,crash,tiny_batch,storm,small_buffer
      --dump_history)
  execute_process(COMMAND ${SIM} ${args} OUTPUT_VARIABLE first RESULT_VARIABLE rc1)
  execute_process(COMMAND ${SIM} ${args} OUTPUT_VARIABLE second RESULT_VARIABLE rc2)
  string(LENGTH "${first}" length)
  if(length LESS 10000)
    message(FATAL_ERROR "seed ${seed}: suspiciously short output (${length} bytes)")
  endif()
  if(NOT first STREQUAL second OR NOT rc1 STREQUAL rc2)
    message(FATAL_ERROR "seed ${seed}: two runs differ (exit ${rc1} vs ${rc2})")
  endif()
  message(STATUS "seed ${seed}: ${length} bytes, identical twice (exit ${rc1})")
endforeach()
