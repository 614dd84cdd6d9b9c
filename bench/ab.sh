#!/bin/sh
# bench/ab.sh - two builds of stardag on the same workloads, interleaved, for "did this change make
# it slower": ms/step of each (median and min-max over REPS runs, taken from the run summary's
# step-loop time), and their ratio. Workloads: the lattice benchmark graph (kg_leapfrog only, 128^3
# and 256^3, auto tiles), LAMMPS' in.lj liquid (32,000 atoms) through the runtime and, when asked,
# the membrane's bending energy + gradient on icospheres (graphs/membrane/bench-bending.yaml).
#
#   sh bench/ab.sh OLD_STARDAG NEW_STARDAG        e.g. _ref-2c735c4/_build/stardag _build/stardag
# Environment: REPS (5), NPROC (nproc), LSTEPS (lattice steps, 100), MSTEPS (MD steps, 500),
# ORDERS (the lattice's Laplacian orders, "2"; "2 4" both), TILINGS ("auto"; "auto slab2" adds two
# z-slabs, the same tiling for both builds), MD (1; 0 leaves out the MD case), LATTICE (1; 0 leaves
# out the lattice cases), MEMBRANE (icosphere levels, "": none; e.g. "5 6 8"; 2000 steps at level 5,
# a quarter per level above, at least 20).
# scripts/compare-outputs.sh REF builds the reference tree (_ref-<sha>/_build/stardag).
set -eu
[ $# -eq 2 ] || { echo "usage: sh bench/ab.sh OLD_STARDAG NEW_STARDAG" >&2; exit 2; }
old=$1 new=$2
top=$(cd "$(dirname "$0")/.." && pwd)
REPS=${REPS:-5}
NP=${NPROC:-$(nproc)}
LSTEPS=${LSTEPS:-100}
MSTEPS=${MSTEPS:-500}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdab.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM  # a TERM trap that returns would let the script go on
STARPU_HOME=$tmp/starpu STARPU_WORKERS_NOBIND=1
export STARPU_HOME STARPU_WORKERS_NOBIND
mkdir -p "$STARPU_HOME"

cache() { # cache LEVEL: lscpu's size, or getconf's per-core bytes in KiB (guests without lscpu's lines)
  c=$(lscpu | sed -n "s/^L$1 cache: *//p" | head -n1)
  [ -n "$c" ] || c="$(($(getconf LEVEL$1_CACHE_SIZE 2>/dev/null || echo 0) / 1024)) KiB"
  echo "$c"
}
echo "machine: $(lscpu | sed -n 's/^Model name: *//p' | head -n1), $(nproc) cores," \
     "$(cache 2) L2, $(cache 3) L3;" \
     "flags: $(grep -o -w 'avx512f\|avx2\|sse4_2' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

# ms/step of one run (the summary's "(X ms/step, ...)")
mstep() { "$@" 2>/dev/null | sed -n 's/.* steps in [0-9.]* s (\([0-9.]*\) ms\/step.*/\1/p' | head -n1; }

stats() { # stats FILE: median min max of the numbers in FILE
  sort -n "$1" | awk '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2; printf "%.3f %.3f %.3f", m, v[1], v[NR]}'
}

run_case() { # run_case NAME ARGS...: REPS interleaved runs of both builds
  name=$1; shift
  : >"$tmp/old" && : >"$tmp/new"
  r=0
  while [ $r -lt "$REPS" ]; do
    mstep "$old" run "$@" >>"$tmp/old"
    mstep "$new" run "$@" >>"$tmp/new"
    r=$((r + 1))
  done
  set -- $(stats "$tmp/old") $(stats "$tmp/new")
  echo "$name|$1 ($2-$3)|$4 ($5-$6)|$(awk -v a="$1" -v b="$4" 'BEGIN {printf "%.3f", b / a}')"
}

echo "case|old ms/step median (min-max)|new ms/step median (min-max)|new/old"
[ "${LATTICE:-1}" = 0 ] || for n in 128 256; do
  for o in ${ORDERS:-2}; do
    for t in ${TILINGS:-auto}; do
      set -- --set n=$n
      [ "$o" = 2 ] || set -- "$@" --set order="$o" --set dt=0.4 # order 4: CFL limit dt <= 0.5*dx/c
      [ "$t" = slab2 ] && set -- "$@" --tiles "${n}x${n}x$((n / 2))"
      run_case "lattice ${n}^3 kg_leapfrog order $o, $t tiles" "$top/bench/lattice/kg-bench.yaml" "$@" \
        --steps "$LSTEPS" --ncpu "$NP" --out ""
    done
  done
done
[ "${MD:-1}" = 0 ] ||
  run_case "in.lj 32,000 atoms, auto blocks" "$top/graphs/md/lj-liquid.yaml" --steps "$MSTEPS" --ncpu "$NP" --out ""
for L in ${MEMBRANE:-}; do
  s=2000
  l=5
  while [ $l -lt "$L" ] && [ $s -gt 80 ]; do s=$((s / 4)) l=$((l + 1)); done
  run_case "membrane bending, icosphere level $L, auto partitions" "$top/graphs/membrane/bench-bending.yaml" \
    --set level="$L" --steps "$s" --ncpu "$NP" --out ""
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
