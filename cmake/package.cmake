# `cpack -G DEB` in the build folder makes ffint8-workbench_VERSION_ARCH.deb: the programs, the desktop
# entry, the icons and the presets, with the library packages they link found by dpkg-shlibdeps (in
# a cross build, the target's libraries installed by multiarch: scripts/package_deb.sh --arch arm64).
set(CPACK_PACKAGE_NAME ffint8-workbench)
set(CPACK_PACKAGE_VENDOR "FF-INT8 Workbench")
set(CPACK_PACKAGE_CONTACT "FF-INT8 Workbench developers <ffint8@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Forward-Forward INT8 training workbench with live telemetry")
set(CPACK_PACKAGE_DESCRIPTION
    "Trains networks with FF-INT8 (Forward-Forward with INT8 GEMMs and the look-ahead loss) and its baselines, plots goodness, accuracy, board power and memory live, stores every run in SQLite and exports result tables.")
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Debian's name for the target architecture (a cross build packages for its target, not the host).
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
  set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE arm64)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64)$")
  set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE amd64)
endif()
# Libraries opened at run time rather than linked: the SQLite driver of Qt Sql.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6sql6-sqlite")
# The CUDA runtime comes from NVIDIA's packages (JetPack's apt repository), which dpkg-shlibdeps
# cannot see: named here by their versioned names.
if(FFINT8_WITH_CUDA)
  set(FFINT8_CUDA_PACKAGE_VERSION "${CUDAToolkit_VERSION_MAJOR}-${CUDAToolkit_VERSION_MINOR}")
  string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS
         ", cuda-cudart-${FFINT8_CUDA_PACKAGE_VERSION}, libcublas-${FFINT8_CUDA_PACKAGE_VERSION}")
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${CUDAToolkit_LIBRARY_DIR})
endif()
if(FFINT8_NATIVE_ARCH AND NOT CMAKE_CROSSCOMPILING)
  message(STATUS "FF-INT8: FFINT8_NATIVE_ARCH=ON builds for this CPU only; packages come from scripts/package_deb.sh")
endif()
# Fashion-MNIST, so that the presets run at once; PostgreSQL's driver, for a run store shared by a
# lab's boards (--db postgresql://...).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "dataset-fashion-mnist, libqt6sql6-psql")
include(CPack)
