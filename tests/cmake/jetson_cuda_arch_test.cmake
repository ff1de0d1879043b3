# Tests the Jetson detection of cmake/jetson.cmake on fake device-tree files (an Orin, a Xavier, a
# Raspberry Pi, an empty file, none), then configures the engine alone with the fake Orin file and
# checks that the build takes 87, and the value given where -DFFINT8_CUDA_ARCHITECTURES names one.
# A few seconds (two configure steps of the engine alone).
# cmake -DSOURCE_DIR=<repository> -DWORK_DIR=<scratch folder> -P jetson_cuda_arch_test.cmake
cmake_minimum_required(VERSION 3.22)
foreach(var SOURCE_DIR WORK_DIR)
  if(NOT ${var})
    message(FATAL_ERROR "jetson_cuda_arch_test: pass -D${var}=...")
  endif()
endforeach()
include(${SOURCE_DIR}/cmake/jetson.cmake)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

# Device-tree compatible lists as the boards' kernels give them: NUL-separated, NUL-terminated
# (written by printf: a CMake string cannot hold a NUL).
find_program(PRINTF printf REQUIRED)
function(write_compatible name)
  list(JOIN ARGN "\\0" format)
  execute_process(COMMAND ${PRINTF} "${format}\\0" OUTPUT_FILE ${WORK_DIR}/${name} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "jetson_cuda_arch_test: printf could not write ${WORK_DIR}/${name}")
  endif()
endfunction()
write_compatible(orin-nano "nvidia,p3768-0000+p3767-0005" "nvidia,p3767-0005" "nvidia,tegra234")
write_compatible(agx-orin "nvidia,p3737-0000+p3701-0005" "nvidia,p3701-0005" "nvidia,tegra234")
write_compatible(xavier-nx "nvidia,p3509-0000+p3668-0001" "nvidia,p3668-0001" "nvidia,tegra194")
write_compatible(raspberry-pi "raspberrypi,4-model-b" "brcm,bcm2711")
file(WRITE ${WORK_DIR}/empty "")

# Prints "ok" or "FAIL" with TEXT, counting failures in a global property (functions cannot share a variable).
function(report passed text)
  if(passed)
    message(STATUS "ok    ${text}")
  else()
    message(STATUS "FAIL  ${text}")
    set_property(GLOBAL APPEND PROPERTY jetson_test_failures "${text}")
  endif()
endfunction()

function(expect file want_arch want_name)
  ffint8_jetson_cuda_architecture("${WORK_DIR}/${file}" arch name)
  set(passed OFF)
  if(arch STREQUAL want_arch AND name STREQUAL want_name)
    set(passed ON)
  endif()
  report(${passed} "${file}: got '${arch}' '${name}', want '${want_arch}' '${want_name}'")
endfunction()
expect(orin-nano 87 Orin)
expect(agx-orin 87 Orin)
expect(xavier-nx 72 Xavier)
expect(raspberry-pi "" "")
expect(empty "" "")
expect(missing "" "")

# The top-level CMakeLists.txt with the fake Orin: 87 by default, the user's value when given one
# (the cuda backend left out: the value is chosen whether a toolkit is installed or not).
function(configure_engine build_dir want)
  execute_process(
    COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/${build_dir} -DFFINT8_BUILD_APP=OFF
            -DFFINT8_BUILD_TESTS=OFF -DFFINT8_CUDA=OFF -DFFINT8_DEVICE_TREE_COMPATIBLE=${WORK_DIR}/orin-nano ${ARGN}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    report(OFF "configure ${build_dir}: exit ${rc}\n${err}")
    return()
  endif()
  file(STRINGS ${WORK_DIR}/${build_dir}/CMakeCache.txt line REGEX "^FFINT8_CUDA_ARCHITECTURES:")
  set(passed OFF)
  if(line STREQUAL "FFINT8_CUDA_ARCHITECTURES:STRING=${want}")
    set(passed ON)
  endif()
  report(${passed} "configure ${build_dir}: ${line}, want ${want}")
endfunction()
configure_engine(build-orin 87)
configure_engine(build-given 72 -DFFINT8_CUDA_ARCHITECTURES=72)

get_property(failures GLOBAL PROPERTY jetson_test_failures)
if(failures)
  list(LENGTH failures count)
  message(FATAL_ERROR "jetson_cuda_arch_test: ${count} failed")
endif()
message(STATUS "jetson_cuda_arch_test: all passed")
