#!/usr/bin/env bash
# scripts/gpu-bundle.sh - a CUDA build of stardag that runs on a GPU machine which has only the
# NVIDIA driver (no compilers' libraries, no HDF5/hwloc/libyaml): builds StarPU with CUDA
# (scripts/build-starpu.sh, into _starpu), stardag against it (in _build-gpu), then gathers into
# _gpu/ the CLI, every test program, the GPU benchmark binaries and every shared library they
# need beyond glibc and the driver. On the GPU machine, from a copy of this repository with _gpu
# beside it:   sh bench/gpu/evidence.sh      (runs everything, see there).
#   bash scripts/gpu-bundle.sh [OUT=_gpu]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(cd "$top" && mkdir -p "${1:-_gpu}" && cd "${1:-_gpu}" && pwd)
starpu=${SD_GPU_STARPU:-$top/_starpu-gpu} # its own prefix: _starpu is the MPI build that CI and _build-cuda use
B=$top/_build-gpu
command -v nvcc >/dev/null || PATH=$PATH:/usr/local/cuda/bin
command -v nvcc >/dev/null || { echo "gpu-bundle: nvcc not found: the CUDA kernels cannot be built" >&2; exit 2; }
bash "$top/scripts/build-starpu.sh" --without-mpi "$starpu" # evidence runs are single-process; no OpenMPI libraries to carry
grep -q "define STARPU_USE_CUDA 1" "$starpu/include/starpu/1.3/starpu_config.h" ||
  { echo "gpu-bundle: $starpu has no CUDA" >&2; exit 2; }

[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi)
mkdir -p "$B"
cd "$B"
[ -f Makefile ] || "$top/configure" --quiet --with-starpu="$starpu"
grep -q "define SD_HAVE_CUDA 1" config.h || { echo "gpu-bundle: $B was configured without CUDA" >&2; exit 2; }
make -s -j"$(nproc)"
progs=$(printf 'sd-print-progs:\n\t@echo $(check_PROGRAMS)\n' | make -s -f Makefile -f - sd-print-progs | tail -n 1)
# shellcheck disable=SC2086
make -s -j"$(nproc)" $(for p in $progs; do printf '%s ' "$p"; done) bench/baselines/cuda_triad

rm -rf "$out"
mkdir -p "$out/lib" "$out/tests" "$out/examples" "$out/bench/baselines"
real() { [ -x "$(dirname "$1")/.libs/$(basename "$1")" ] && echo "$(dirname "$1")/.libs/$(basename "$1")" || echo "$1"; }
cp "$(real stardag)" "$out/stardag"
for p in $progs; do mkdir -p "$out/$(dirname "$p")"; cp "$(real "$p")" "$out/$p"; done
cp bench/baselines/cuda_triad "$out/bench/baselines/"
cp config.h "$out/" # tests read SD_HAVE_CUDA from $top_builddir/config.h
# the tests' names as make check runs them (tests/t_x or tests/t_x.sh), for evidence.sh
printf 'sd-print-tests:\n\t@echo $(TESTS)\n' | make -s -f Makefile -f - sd-print-tests | tail -n 1 | tr ' ' '\n' | sed '/^$/d' >"$out/tests.list"
# the HDF5 tools the test scripts call (hdf5-tools; a GPU machine need not have them)
mkdir -p "$out/bin"
for t in h5dump h5ls h5diff h5import h5copy h5stat; do
  p=$(command -v "$t") || { echo "gpu-bundle: $t not found (apt-get install hdf5-tools)" >&2; exit 2; }
  cp "$p" "$out/bin/"
done
cp -L .libs/libstardag.so.0 "$out/lib/"
mkdir -p "$out/.libs" && ln -s ../lib/libstardag.so.0 "$out/.libs/libstardag.so.0" # where t_python.sh looks
# Libraries: everything the binaries load except glibc, the dynamic loader, the driver and CUDA's
# own libraries (cudart, cuBLAS, cuSPARSE, ...: hundreds of MB, and a GPU machine's CUDA 13
# toolkit has them; evidence.sh looks for them in /usr/local/cuda).
skip='^(libc|libm|libdl|librt|libpthread|ld-linux.*|libcuda|libnvidia.*|libcu[A-Za-z]*|libnv[A-Za-z]*|linux-vdso)\.so'
for f in "$out/stardag" "$out"/tests/* "$out"/tests/*/* "$out"/examples/* "$out"/bin/* "$out/bench/baselines/cuda_triad"; do
  [ -f "$f" ] || continue
  LD_LIBRARY_PATH="$out/lib:$starpu/lib" ldd "$f" | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}'
done | sort -u | while read -r name path; do
  echo "$name" | grep -Eq "$skip" || [ "$path" -ef "$out/lib/$name" ] || cp -L "$path" "$out/lib/$name"
done
# without debugging symbols: the bundle travels to the GPU machine within a size limit
find "$out" -type f \( -name '*.so*' -o -perm -u+x \) -exec strip --strip-debug {} + 2>/dev/null || true
printf 'stardag GPU bundle: built %s on %s from %s\n' "$(date -u +%FT%TZ)" "$(hostname)" "$(cd "$top" && git rev-parse --short HEAD 2>/dev/null || echo '?')" >"$out/BUILD"
echo "gpu-bundle: $out ($(du -sh "$out" | cut -f1)); carry it, then run: sh bench/gpu/evidence.sh"
