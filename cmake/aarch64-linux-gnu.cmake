# Cross build for 64-bit ARM Linux with Debian's cross toolchain (g++-aarch64-linux-gnu) and arm64
# libraries installed by multiarch (zlib1g-dev:arm64, libdnnl2:arm64): scripts/check_arm64.sh.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
