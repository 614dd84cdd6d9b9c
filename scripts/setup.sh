#!/usr/bin/env bash
# One-step set-up on Debian 12: installs what is missing, builds stardag, then
#   demo: runs the default demo graph      test: runs the whole test suite (make check)
# Usage: bash scripts/setup.sh demo|test      (as root, or a user with sudo)
set -euo pipefail
what=${1:-demo}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
pkgs=(build-essential autoconf automake libtool pkg-config libstarpu-dev libhwloc-dev libhdf5-dev
      libyaml-dev hdf5-tools python3
      libsuitesparse-dev # CHOLMOD: membrane.newton's sparse factorisation
      libopenblas0-serial # its BLAS (single-threaded: a StarPU worker's one core): 3x the reference BLAS
      libopenmpi-dev openmpi-bin # distributed runs: StarPU-MPI (in libstarpu-dev) needs mpi.h; mpirun
      time) # /usr/bin/time: peak RSS in tests/t_output_defects.sh
# the tests also read outputs the way users' tools do: the Python package through NumPy and h5py,
# XDMF in ParaView's pvbatch (tests/t_xdmf.sh, ~30 s to install), H5MD in MDAnalysis
# (tests/t_h5md_readers.sh, ~100 s); make check-fuzz builds the fuzz targets with clang's libFuzzer
[ "$what" = test ] && pkgs+=(python3-numpy python3-h5py paraview python3-paraview python3-mdanalysis clang libclang-rt-14-dev)
missing=()
for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

[ -x configure ] || autoreconf -fi
mkdir -p _build
cd _build
[ -f Makefile ] || ../configure --quiet ${STARDAG_CONFIGURE_FLAGS:-}
jobs=$(nproc)
make -s -j"$jobs"

prefix=$(sed -n 's/^prefix = //p' Makefile)
echo "setup: built $PWD/stardag (it runs in place). To install it as $prefix/bin/stardag:"
echo "setup:   cd $PWD && make install     (as root for a system prefix; another prefix: ../configure --prefix=DIR first; docs/install.md)"
case "$what" in
  demo) ./stardag run ../graphs/lattice/kg-packet.yaml --out kg-packet.h5 --overwrite &&
        exec ./stardag run ../graphs/md/lj-liquid.yaml --out lj-liquid.h5 --overwrite ;;
  test) make -s -j"$jobs" check ;;
  *) echo "usage: bash scripts/setup.sh demo|test" >&2; exit 2 ;;
esac
