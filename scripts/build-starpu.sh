#!/usr/bin/env bash
# Builds StarPU 1.3.10 with CUDA (when nvcc is found) and FxT tracing, from Debian's own source
# package plus the patches in patches/starpu/, and installs it under PREFIX for
#   ./configure --with-starpu=PREFIX
# Usage: bash scripts/build-starpu.sh [--force] [--no-strip] [--without-cuda] [--without-mpi] [--with-simgrid] [PREFIX]
#   PREFIX        install prefix (default: <repo>/_starpu)
#   --force       rebuild even if PREFIX already holds this build
#   --no-strip    keep debugging symbols (the prefix is then about 15 MB instead of 3)
#   --without-cuda  build without CUDA even if nvcc is found
#   --without-mpi   build without StarPU-MPI (the GPU bundle: single-process evidence runs, and a
#                   GPU machine without OpenMPI's libraries)
#   --with-simgrid  StarPU's simulation mode on Debian's SimGrid (libsimgrid-dev): tasks are not
#                   run but timed from the performance models, the second predictor of `stardag
#                   predict` (docs/tuning.md). Implies --without-cuda --without-mpi (it simulates
#                   CPU workers only); use a PREFIX of its own.
# Environment: STARPU_WORKDIR (default <repo>/_build-starpu), CUDA_DIR (CUDA toolkit to use),
#   JOBS (default: nproc).
# Works without a GPU: only nvcc and the CUDA libraries are needed. Needs root or sudo only to
# install missing Debian packages and, if there is none, to add a deb-src entry.
set -euo pipefail

STARPU_UPSTREAM=1.3.10          # the patches are written against this version
STAMP_FORMAT=2                  # bump when the post-install steps below change

top=$(cd "$(dirname "$0")/.." && pwd)
force=no strip=yes want_cuda=yes prefix="" simgrid=no
mpi_opts=(--enable-mpi)
while [ $# -gt 0 ]; do
  case "$1" in
    --force) force=yes ;;
    --no-strip) strip=no ;;
    --without-cuda) want_cuda=no ;;
    --without-mpi) mpi_opts=(--disable-mpi) ;;
    --with-simgrid) simgrid=yes want_cuda=no mpi_opts=(--disable-mpi) ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "build-starpu: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) [ -z "$prefix" ] || { echo "build-starpu: only one PREFIX" >&2; exit 2; }; prefix=$1 ;;
  esac
  shift
done
prefix=${prefix:-$top/_starpu}
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)
work=${STARPU_WORKDIR:-$top/_build-starpu}
jobs=${JOBS:-$(nproc)}
stampfile=$prefix/share/stardag-starpu.stamp

msg() { echo "build-starpu: $*"; }
die() { echo "build-starpu: error: $*" >&2; exit 1; }

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then sudo="sudo"; fi
fi
as_root() {
  if [ "$(id -u)" -ne 0 ] && [ -z "$sudo" ]; then die "need root or sudo to run: $*"; fi
  $sudo "$@"
}

# ---------------------------------------------------------------- options -------------------
nvcc="" cuda_dir="" cuda_lib=""
if [ "$want_cuda" = yes ]; then
  if [ -n "${CUDA_DIR:-}" ] && [ -x "$CUDA_DIR/bin/nvcc" ]; then nvcc=$CUDA_DIR/bin/nvcc
  elif command -v nvcc >/dev/null; then nvcc=$(command -v nvcc)
  elif [ -x /usr/local/cuda/bin/nvcc ]; then nvcc=/usr/local/cuda/bin/nvcc
  fi
fi
if [ -n "$nvcc" ]; then
  # Prefer the directory nvcc was found in (keeps /usr/local/cuda, not cuda-13.x); when nvcc is
  # a wrapper elsewhere (/usr/local/bin/nvcc), ask nvcc where its toolkit is.
  for cuda_dir in "$(cd "$(dirname "$nvcc")/.." && pwd)" "$("$top/scripts/cuda-home" "$nvcc")"; do
    for d in "$cuda_dir/lib64" "$cuda_dir/lib" "$cuda_dir/targets/x86_64-linux/lib" \
             "$cuda_dir/lib/x86_64-linux-gnu"; do
      if [ -e "$d/libcudart.so" ]; then cuda_lib=$d; break 2; fi
    done
  done
  [ -n "$cuda_lib" ] || die "found $nvcc but no libcudart.so next to it (set CUDA_DIR, or use --without-cuda)"
  [ -e "$cuda_lib/libcublas.so" ] || die "found $nvcc but no libcublas.so in $cuda_lib (StarPU's CUDA support needs cuBLAS)"
  cuda_version=$("$nvcc" --version | sed -n 's/.*release \([0-9.]*\).*/\1/p')
  cuda_opts=(--enable-cuda --with-cuda-dir="$cuda_dir" --with-cuda-lib-dir="$cuda_lib" NVCC="$nvcc")
  # Headers of recent CUDA (cusparse.h) warn about their own deprecated types unless they are
  # system headers: -isystem keeps StarPU's (and stardag's) build logs readable.
  cuda_cppflags="-isystem $cuda_dir/include"
else
  cuda_version=""
  cuda_opts=(--disable-cuda)
  cuda_cppflags=""
fi

# StarPU-MPI on Debian's OpenMPI (libopenmpi-dev), as Debian's own libstarpu-dev has it: stardag
# runs distributed under mpirun (docs/distributed.md). The MPI master-slave mode is not used.
# OpenCL, SOCL, StarPU-FFT, Fortran, the OpenMP runtime, GLPK, HDF5 (out-of-core disk backend), X11
# and valgrind annotations are not needed by stardag.
config_opts=(
  --enable-maxcpus=128 --with-fxt
  "${cuda_opts[@]}"
  "${mpi_opts[@]}" --disable-mpi-master-slave --disable-mpi-check --disable-opencl --disable-socl --disable-starpufft --disable-fortran
  --disable-openmp --disable-glpk --disable-hdf5 --without-x --disable-valgrind
  --disable-build-examples --disable-build-tests --disable-build-doc --disable-static
)
[ "$simgrid" = no ] || config_opts+=(--enable-simgrid)

# The stamp identifies what PREFIX holds: version, patches, options, post-install steps.
stamp_of() {
  {
    echo "starpu $STARPU_UPSTREAM format $STAMP_FORMAT strip $strip cuda ${cuda_version:-none}"
    printf '%s\n' "${config_opts[@]}" "CPPFLAGS=$cuda_cppflags"
    for p in "$top"/patches/starpu/*.patch; do [ -e "$p" ] && { echo "== ${p##*/}"; cat "$p"; }; done
  } | sha256sum | cut -d' ' -f1
}
want_stamp=$(stamp_of)

summary() {
  local h=$prefix/include/starpu/1.3/starpu_config.h
  echo
  msg "StarPU installed in $prefix ($(du -sh "$prefix" | cut -f1))"
  grep -E '#define (STARPU_USE_CUDA|STARPU_USE_FXT|STARPU_MAXCPUS|STARPU_MAXCUDADEVS|STARPU_USE_MPI)\b' "$h" | sed 's/^/  /'
  grep -q '#define STARPU_USE_CUDA\b' "$h" || echo "  (no CUDA: nvcc was not found or --without-cuda was given)"
  echo "Next: ./configure --with-starpu=$prefix     (or, from a build folder: ../configure --with-starpu=$prefix)"
}

if [ "$force" = no ] && [ -f "$stampfile" ] && [ "$(cat "$stampfile")" = "$want_stamp" ] \
   && [ -f "$prefix/include/starpu/1.3/starpu_config.h" ]; then
  msg "$prefix already holds this build (same version, patches and options); --force rebuilds"
  summary
  exit 0
fi

start=$(date +%s)
if [ -n "$nvcc" ]; then msg "CUDA: $nvcc (CUDA $cuda_version, libraries in $cuda_lib)"
else msg "CUDA: not used (no nvcc in PATH or /usr/local/cuda/bin, or --without-cuda): CPU-only StarPU"; fi

# ---------------------------------------------------------------- packages ------------------
pkgs=(dpkg-dev build-essential pkg-config patch patchelf libhwloc-dev libfxt-dev libopenmpi-dev openmpi-bin)
[ "$simgrid" = no ] || pkgs+=(libsimgrid-dev libboost-dev)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
apt_updated=no
if [ ${#missing[@]} -gt 0 ]; then
  msg "installing ${missing[*]}"
  as_root apt-get update -q
  apt_updated=yes
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# deb-src: if apt knows no source for starpu, add deb-src entries for the Debian archive(s)
# already configured, in a file of their own.
has_source() { apt-cache showsrc starpu 2>/dev/null | grep -q '^Package: starpu$'; }
if ! has_source; then
  [ "$apt_updated" = yes ] || { as_root apt-get update -q; apt_updated=yes; }
fi
if ! has_source; then
  srcfile=/etc/apt/sources.list.d/stardag-deb-src.sources
  tmp=$(mktemp)
  # deb822 stanzas (*.sources) of a Debian archive, with Types: deb-src.
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -e "$f" ] && [ "$f" != "$srcfile" ] || continue
    awk 'function flush() { if (s != "" && deb && debian && !off) print s; s = ""; deb = debian = off = 0 }
         /^[ \t]*$/ { flush(); next }
         /^[ \t]*#/ { next }
         /^Types:/ { if ($0 ~ /[ \t]deb([ \t]|$)/) deb = 1; s = s "Types: deb-src\n"; next }
         /^URIs:/ { if ($0 ~ /debian/) debian = 1 }
         /^Enabled:[ \t]*no/ { off = 1 }
         { s = s $0 "\n" }
         END { flush() }' "$f" >> "$tmp"
  done
  if [ -s "$tmp" ]; then
    { echo "# Added by stardag scripts/build-starpu.sh: Debian source packages (apt-get source starpu)"
      cat "$tmp"; } > "$tmp.out"
  else
    # one-line format (/etc/apt/sources.list, *.list)
    srcfile=/etc/apt/sources.list.d/stardag-deb-src.list
    { echo "# Added by stardag scripts/build-starpu.sh: Debian source packages (apt-get source starpu)"
      cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
        | grep -E '^deb[ \t].*debian' | sed 's/^deb\([ \t]\)/deb-src\1/'; } > "$tmp.out"
  fi
  grep -q '^\(Types: \)\{0,1\}deb-src' "$tmp.out" || { rm -f "$tmp" "$tmp.out"; die "no Debian archive found in the apt configuration to add a deb-src entry for"; }
  msg "adding $srcfile:"; sed 's/^/    /' "$tmp.out"
  as_root install -m 644 "$tmp.out" "$srcfile"
  rm -f "$tmp" "$tmp.out"
  as_root apt-get update -q
  has_source || die "apt still knows no source package for starpu (see $srcfile)"
fi

# ---------------------------------------------------------------- source --------------------
debver=$(apt-cache showsrc starpu | sed -n "s/^Version: \(${STARPU_UPSTREAM}[+~-].*\)/\1/p" | head -n1)
[ -n "$debver" ] || die "the archive has no starpu $STARPU_UPSTREAM source (found: $(apt-cache showsrc starpu | sed -n 's/^Version: //p' | tr '\n' ' '))"
mkdir -p "$work/dl"
dsc=$work/dl/starpu_${debver#*:}.dsc
if [ ! -f "$dsc" ]; then
  msg "downloading Debian source package starpu $debver"
  (cd "$work/dl" && apt-get source --download-only -q "starpu=$debver")
fi
src=$work/src
rm -rf "$src" "$work/build"
msg "unpacking $(basename "$dsc") (with Debian's patches)"
dpkg-source -x "$dsc" "$src" >/dev/null
for p in "$top"/patches/starpu/*.patch; do
  [ -e "$p" ] || continue
  msg "applying ${p##*/}"
  patch -d "$src" -p1 --forward --batch --silent < "$p" || die "${p##*/} does not apply"
done

# ---------------------------------------------------------------- build ---------------------
mkdir -p "$work/build"
cd "$work/build"
msg "configuring (log: $work/build/configure.log)"
if ! "$src/configure" --prefix="$prefix" "${config_opts[@]}" ${cuda_cppflags:+CPPFLAGS="$cuda_cppflags"} \
     > configure.log 2>&1; then
  tail -n 30 configure.log >&2; die "configure failed (see $work/build/configure.log)"
fi
sed -n '/CPUs   enabled/,/Native MPI fortran/p' configure.log | grep -E 'enabled|Maximum number of (CPUs|CUDA)' | sed 's/^[ \t]*/    /'
msg "compiling with make -j$jobs (log: $work/build/make.log)"
if ! make -j"$jobs" > make.log 2>&1; then
  grep -E -B2 -A6 'error|Error [0-9]' make.log | tail -n 40 >&2; die "make failed (see $work/build/make.log)"
fi

# Install into a clean PREFIX; only a PREFIX this script made (it holds the stamp) is emptied.
if [ -f "$stampfile" ]; then
  find "$prefix" -mindepth 1 -delete
fi
msg "installing into $prefix"
if [ "$strip" = yes ]; then target=install-strip; else target=install; fi
make "$target" > install.log 2>&1 || { tail -n 30 install.log >&2; die "make $target failed"; }

# ---------------------------------------------------------------- post-install --------------
# Not needed at run time: documentation, the sample performance models of StarPU's simulation
# mode, libtool archives.
rm -rf "$prefix/share/doc" "$prefix/share/starpu/perfmodels"
rm -f "$prefix"/lib/*.la
# pkg-config files: relocatable (prefix from the .pc file's own place, so PREFIX can be copied
# to another machine), and CUDA headers as system headers (see cuda_cppflags above).
for pc in "$prefix"/lib/pkgconfig/*.pc; do
  sed -i -e "s|^prefix=.*|prefix=\${pcfiledir}/../..|" \
         -e "s|^\(exec_prefix\|libdir\|includedir\|pkglibdir\)=$prefix|\1=\${prefix}|" "$pc"
  [ -z "$cuda_dir" ] || sed -i "/^Cflags:/s|-I$cuda_dir/include|-isystem $cuda_dir/include|" "$pc"
done
# Self-contained run-time: copy the non-CUDA libraries StarPU needs beyond a base Debian system
# (FxT, hwloc) into PREFIX/lib, and let the library and the tools find PREFIX/lib relative to
# themselves. CUDA's own libraries (libcudart, libcublas, ...) are expected on the target.
lib=$(readlink -f "$prefix"/lib/libstarpu-1.3.so)
for dep in libfxt.so libhwloc.so; do
  path=$(ldd "$lib" | awk -v d="$dep" '$1 ~ "^" d "\\." { print $3 }')
  [ -n "$path" ] && [ -e "$path" ] || continue
  cp -L "$path" "$prefix/lib/$(basename "$path")"
  [ "$strip" = no ] || strip --strip-unneeded "$prefix/lib/$(basename "$path")"
done
# shellcheck disable=SC2016 # $ORIGIN is for the dynamic loader
patchelf --set-rpath '$ORIGIN' "$lib"
for f in "$prefix"/bin/*; do
  # shellcheck disable=SC2016
  if [ -f "$f" ] && head -c4 "$f" | grep -q 'ELF'; then patchelf --set-rpath '$ORIGIN/../lib' "$f"; fi
done

echo "$want_stamp" > "$stampfile"
msg "done in $(( $(date +%s) - start )) s"
summary
