#!/bin/sh
# bench/peers/build-gromacs.sh - build GROMACS for this machine's SIMD from a source tree you
# provide (the project ships no GROMACS code), for bench/md/gromacs.sh (GMX_NATIVE=PREFIX/bin/gmx).
#
#   bench/peers/build-gromacs.sh SRC PREFIX [SIMD]
#
#   SRC     a GROMACS source tree (e.g. the v2022.5 release, the version Debian 12 ships, so the
#           comparison with Debian's package differs in the SIMD level only)
#   PREFIX  where to install (PREFIX/bin/gmx, mixed precision)
#   SIMD    GMX_SIMD: AVX_512, AVX2_256, ... (default: AVX_512 when the CPU has avx512f, else
#           AVX2_256 when it has avx2, else SSE4.1)
#   env: JOBS (make -j, default nproc), DOUBLE=1 (also build gmx_d)
#
# Needs cmake, a C++17 compiler and FFTW (Debian: apt-get install cmake g++ libfftw3-dev). Thread-
# MPI and OpenMP, no GPU, no hwloc, release build; only the gmx binary is built (make gmx).
set -eu
[ $# -ge 2 ] || { sed -n '/^#   bench/,/^#   env/p' "$0" >&2; exit 2; }
SRC=$(cd "$1" && pwd)
PREFIX=$2
[ -r "$SRC/CMakeLists.txt" ] && [ -d "$SRC/src/gromacs" ] || { echo "$0: $SRC is not a GROMACS source tree" >&2; exit 1; }
if [ $# -ge 3 ]; then
    SIMD=$3
elif grep -qw avx512f /proc/cpuinfo; then
    SIMD=AVX_512
elif grep -qw avx2 /proc/cpuinfo; then
    SIMD=AVX2_256
else
    SIMD=SSE4.1
fi
JOBS=${JOBS:-$(nproc)}

build() { # $1: build folder, $2: ON/OFF double
    cmake -S "$SRC" -B "$1" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$PREFIX" \
        -DGMX_SIMD="$SIMD" -DGMX_DOUBLE="$2" -DGMX_FFT_LIBRARY=fftw3 -DGMX_GPU=OFF -DGMX_MPI=OFF \
        -DGMX_THREAD_MPI=ON -DCMAKE_DISABLE_FIND_PACKAGE_MPI=ON -DGMX_OPENMP=ON -DGMX_HWLOC=OFF -DGMX_INSTALL_LEGACY_API=OFF \
        -DBUILD_TESTING=OFF -DGMX_BUILD_MANUAL=OFF -DREGRESSIONTEST_DOWNLOAD=OFF >"$1.cmake.log" 2>&1 ||
        { tail -30 "$1.cmake.log" >&2; exit 1; }
    cmake --build "$1" --target gmx -j "$JOBS" >"$1.make.log" 2>&1 || { tail -30 "$1.make.log" >&2; exit 1; }
    # the binary and its library side by side (its RUNPATH is $ORIGIN/../lib), so that it never
    # picks up a system libgromacs (Debian's, SSE4.1) of the same soname
    mkdir -p "$PREFIX/bin" "$PREFIX/lib"
    cp "$1"/bin/gmx* "$PREFIX/bin/"
    cp -P "$1"/lib/libgromacs* "$PREFIX/lib/"
}

work="$PREFIX/build"
mkdir -p "$work"
build "$work/mixed" OFF
[ "${DOUBLE:-0}" = 1 ] && build "$work/double" ON
echo "GROMACS ($SIMD) in $PREFIX/bin: $(ls "$PREFIX/bin")"
"$PREFIX/bin/gmx" --version 2>/dev/null | grep -E "GROMACS version|SIMD instructions|Precision" || true
ldd "$PREFIX/bin/gmx" | grep libgromacs || true
