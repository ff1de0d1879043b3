# The CUDA architecture of the Jetson module this build runs on, read from the device tree: a native
# build on a board compiles the cuda backend's kernels for that board alone (87 on Orin, 72 on
# Xavier). Used by the top-level CMakeLists.txt; tests/cmake/jetson_cuda_arch_test.cmake tests it
# on fake device-tree files.

# The SoC's entries in the device tree's `compatible` list (NUL-separated strings such as
# "nvidia,p3767-0005" and "nvidia,tegra234") and the compute capability of its integrated GPU.
set(FFINT8_JETSON_SOCS "nvidia,tegra234" "nvidia,tegra194")
set(FFINT8_JETSON_NAMES "Orin" "Xavier")
set(FFINT8_JETSON_ARCHITECTURES "87" "72")

# Sets OUT_ARCH to the CUDA architecture of the Jetson that COMPATIBLE_FILE describes and OUT_NAME to
# its name; both are empty when the file is missing or names no Jetson SoC listed above.
function(ffint8_jetson_cuda_architecture compatible_file out_arch out_name)
  set(${out_arch} "" PARENT_SCOPE)
  set(${out_name} "" PARENT_SCOPE)
  if(NOT EXISTS "${compatible_file}" OR IS_DIRECTORY "${compatible_file}")
    return()
  endif()
  file(STRINGS "${compatible_file}" entries)
  list(LENGTH FFINT8_JETSON_SOCS count)
  math(EXPR last "${count} - 1")
  foreach(i RANGE ${last})
    list(GET FFINT8_JETSON_SOCS ${i} soc)
    if(soc IN_LIST entries)
      list(GET FFINT8_JETSON_ARCHITECTURES ${i} arch)
      list(GET FFINT8_JETSON_NAMES ${i} name)
      set(${out_arch} "${arch}" PARENT_SCOPE)
      set(${out_name} "${name}" PARENT_SCOPE)
      return()
    endif()
  endforeach()
endfunction()
