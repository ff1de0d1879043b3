# Cross build for 64-bit ARM Linux with Debian 12's cross toolchain (g++-aarch64-linux-gnu) and arm64
# libraries installed by multiarch: scripts/check_arm64.sh and scripts/package_deb.sh --arch arm64.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
# Build steps that run a program of this build (the icon's PNG sizes) run it under qemu-user, on the
# arm64 loader and libraries that multiarch installed.
if(EXISTS /usr/bin/qemu-aarch64)
  set(CMAKE_CROSSCOMPILING_EMULATOR /usr/bin/qemu-aarch64)
endif()
# Debian's libdnnl-dev:arm64 cannot be installed beside the amd64 one (their dnnl_config.h differ in
# DNNL_GPU_RUNTIME, which the engine's CPU calls do not read): the headers are the amd64 package's,
# the library is libdnnl2:arm64's, named by its file since no arm64 libdnnl.so link exists.
if(NOT DEFINED DNNL_LIBRARY AND EXISTS /usr/lib/aarch64-linux-gnu/libdnnl.so.2)
  set(DNNL_LIBRARY /usr/lib/aarch64-linux-gnu/libdnnl.so.2 CACHE FILEPATH "oneDNN for aarch64 (libdnnl2:arm64)")
endif()
