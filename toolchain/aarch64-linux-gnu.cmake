# CMake toolchain for kiosk boards: aarch64 (arm64) Debian 12, cross-compiled on an amd64
# Debian 12 host with Debian's g++-aarch64-linux-gnu against an arm64 sysroot made from Debian
# packages by toolchain/make-sysroot. Used by the `aarch64` preset (CMakePresets.json).
#
# The sysroot: -DKIOSK_SYSROOT=DIR, else $KIOSK_SYSROOT, else /var/cache/kiosk-sysroot/bookworm-arm64.
# Tests run under qemu-aarch64-static -L <sysroot> (CMAKE_CROSSCOMPILING_EMULATOR): ctest and
# Catch2's test discovery need no binfmt registration.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

if(NOT KIOSK_SYSROOT)
  if(DEFINED ENV{KIOSK_SYSROOT} AND NOT "$ENV{KIOSK_SYSROOT}" STREQUAL "")
    set(KIOSK_SYSROOT "$ENV{KIOSK_SYSROOT}")
  else()
    set(KIOSK_SYSROOT /var/cache/kiosk-sysroot/bookworm-arm64)
  endif()
endif()
set(KIOSK_SYSROOT "${KIOSK_SYSROOT}" CACHE PATH "Debian 12 arm64 sysroot (toolchain/make-sysroot)")
# try_compile projects see the same sysroot.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES KIOSK_SYSROOT)
if(NOT EXISTS "${KIOSK_SYSROOT}/.kiosk-sysroot-stamp")
  message(FATAL_ERROR "No arm64 sysroot at ${KIOSK_SYSROOT}: make it first with toolchain/make-sysroot "
                      "(as root; KIOSK_SYSROOT=DIR to put it elsewhere), then configure again.")
endif()

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_SYSROOT "${KIOSK_SYSROOT}")

# Libraries, headers and CMake package configurations (OpenCV, nlohmann_json, CLI11, Catch2,
# pugixml) come from the sysroot only; programs (pkg-config, the compilers) from the host.
set(CMAKE_FIND_ROOT_PATH "${KIOSK_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg-config (FindPkgConfig) reads the sysroot's .pc files and prefixes their paths with it.
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${KIOSK_SYSROOT}")
set(ENV{PKG_CONFIG_LIBDIR}
    "${KIOSK_SYSROOT}/usr/lib/aarch64-linux-gnu/pkgconfig:${KIOSK_SYSROOT}/usr/lib/pkgconfig:${KIOSK_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

# Shared libraries pull in others (OpenCV -> TBB, OpenEXR, GDAL, ...): the linker resolves those
# in the sysroot too.
foreach(dir lib/aarch64-linux-gnu usr/lib/aarch64-linux-gnu)
  string(APPEND CMAKE_EXE_LINKER_FLAGS_INIT " -Wl,-rpath-link,${KIOSK_SYSROOT}/${dir}")
  string(APPEND CMAKE_SHARED_LINKER_FLAGS_INIT " -Wl,-rpath-link,${KIOSK_SYSROOT}/${dir}")
endforeach()

find_program(KIOSK_QEMU_AARCH64 qemu-aarch64-static)
if(KIOSK_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${KIOSK_QEMU_AARCH64};-L;${KIOSK_SYSROOT}")
else()
  message(WARNING "qemu-aarch64-static not found (toolchain/install-deps.sh cross): the aarch64 tests cannot run here")
endif()
