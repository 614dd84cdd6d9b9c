#!/bin/sh
# bench/transport/run.sh - the transport benchmark: one proton transport step (scatter, energy loss,
# streaming) on the seed's grids, through stardag (the fused transport.step) beside the plain
# C + OpenMP fused loop (bench/baselines/transport_omp) and the STREAM-triad bound, REPS
# repetitions interleaved (triad, then every case once, then again), median (min-max) ms/step.
#
#   sh bench/transport/run.sh          (or: make -C _build bench-transport)
# Environment: BUILDDIR (default: _build next to this folder), REPS (5), NPROC (2: the targets are
#   for 2 cores), STEPS (timed steps of a dense run: 10), CASES (default: "dense40 dense30 denseM
#   pencil40 pencil30 pencil40exact": which rows to run), TILINGS (default "auto slabs1 slabs2": stardag's own
#   tiling, and z-slabs of K*NPROC tiles, whole x rows: --tiles NXxCEIL(NZ/(K*NPROC))).
#
# Cases (grids: graphs/transport/seed-*.yaml, config-m.yaml; theta [-90, 90] deg):
#   dense40  40x40 cells x 72 theta x 200 E, f64, every bin occupied (bench/transport/dense.yaml)
#   dense30  30x30 x 48 x 140, f64, dense
#   denseM   Config-M: 100x100 x 180 x 100, f32, dense
#   pencil40 graphs/transport/seed-40x40x72x200.yaml: a 70 MeV pencil beam, sparse, all 45 steps,
#            with the graph's cutoff (1e-12: weights below it stop; docs/transport.md, "Cutoff")
#   pencil30 graphs/transport/seed-30x30x48x140.yaml: the same on the smaller grid
#   pencil40exact, pencil30exact: the same with --set cutoff=0 (every non-zero weight carried: the
#            support grows by a bin and a cell per step, and the late steps are nearly dense)
# stardag's ms/step is the difference of two runs' step-loop times (dense: 3 and 3+STEPS steps;
# pencil: 1 and 45 steps, i.e. the mean over steps 2..45 of the beam's life), which removes set-up,
# init and pipeline fill/drain. The baseline times STEPS steps after 2 warm-up steps (dense: its
# cost does not depend on the values); it is dense, so its pencil figure is its dense one.
# Bound: psi read once and written once per step, 2 x (4 or 8 B) x cells x bins, at the triad's
# bandwidth (bench/baselines/stream_triad, 3 x 256 MiB, best of 10 iterations per run, STREAM's
# 24 B/element convention; neither count includes the write-allocate read).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
B=${BUILDDIR:-$top/_build}
STARDAG=$B/stardag
OMPB=$B/bench/baselines/transport_omp
TRIAD=$B/bench/baselines/stream_triad
REPS=${REPS:-5}
NP=${NPROC:-2}
STEPS=${STEPS:-10}
CASES=${CASES:-"dense40 dense30 denseM pencil40 pencil30 pencil40exact"}
TILINGS=${TILINGS:-"auto slabs1 slabs2"}
for t in $TILINGS; do
  case $t in auto|slabs[1-9]|slabs[1-9][0-9]) ;; *) echo "run.sh: TILINGS: '$t' (expected auto or slabsK, K = 1..99)" >&2; exit 2 ;; esac
done
for x in "$STARDAG" "$OMPB" "$TRIAD"; do
  [ -x "$x" ] || { echo "run.sh: $x not built (make -C $B bench-transport builds it)" >&2; exit 2; }
done
command -v h5import >/dev/null || { echo "run.sh: h5import (Debian package hdf5-tools) is needed to write the dense occupancy" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdtransport.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM  # a TERM trap that returns would let the script go on
STARPU_HOME=$tmp/starpu; export STARPU_HOME
mkdir -p "$STARPU_HOME"
OMP_NUM_THREADS=$NP; export OMP_NUM_THREADS
unset STARPU_SCHED STARPU_NCPU 2>/dev/null || true

stats() { sort -g | awk '{v[NR]=$1} END {if (NR==0) {print "nan nan nan"; exit}
  m = NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2; printf "%.6g %.6g %.6g\n", m, v[1], v[NR]}'; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }

echo "== stardag transport benchmark: one step (angular scatter, CSDA energy loss, bilinear streaming) per ds"
model=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
caches=$(lscpu 2>/dev/null | sed -n 's/^\(L[123][di]* cache\):[[:space:]]*/\1 /p' | tr '\n' ',' | sed 's/,$//; s/,/, /g')
isa=$(grep -o -w -E 'avx512f|avx2|fma|sse4_2' /proc/cpuinfo | sort -u | tr '\n' ' ')
mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)
echo "machine: ${model:-unknown CPU}, $(nproc) cores online, $mem; $(uname -sr); load average $(cut -d" " -f1-3 /proc/loadavg)"
echo "caches: $caches; ISA: $isa"
echo "compiler: $(${CC:-cc} --version 2>/dev/null | head -n 1) (baseline: -O3 -ffp-contract=off -fopenmp, as stardag's kernels)"
echo "threads/workers: $NP (OMP_NUM_THREADS=$NP, stardag --ncpu $NP), repetitions: $REPS, cases: $CASES"
echo "stardag: $("$STARDAG" --version 2>&1 | head -n 1)"
echo

# case -> "nx nz nth ne dtype dx dz"  (spacings of the seed graphs; ds = 1 mm everywhere)
geom() {
  case $1 in
    dense40|pencil40|pencil40exact) echo "40 40 72 200 f64 1.0 1.25" ;;
    dense30|pencil30|pencil30exact) echo "30 30 48 140 f64 1.5 1.5" ;;
    denseM) echo "100 100 180 100 f32 1.0 1.0" ;;
    *) echo "run.sh: CASES: unknown case '$1' (dense40 dense30 denseM pencil40 pencil30 pencil40exact pencil30exact)" >&2; exit 2 ;;
  esac
}
for c in $CASES; do geom "$c" >/dev/null; done

# Dense graphs: occupancy "all bins" per cell ([0, nth-1, 0, ne-1]) as /occ [4][nz][nx].
mkdir -p "$tmp/work"
for c in $CASES; do
  case $c in dense*) ;; *) continue ;; esac
  set -- $(geom "$c")
  mkdir -p "$tmp/work/$c"
  awk -v nx="$1" -v nz="$2" -v a="$3" -v b="$4" 'BEGIN {
    split("0 " a - 1 " 0 " b - 1, v, " ");
    for (q = 1; q <= 4; q++) for (j = 0; j < nz * nx; j++) print v[q] }' >"$tmp/occ.txt"
  bits=64; [ "$5" = f64 ] || bits=32 # occ has psi's dtype (one dtype per op)
  printf 'PATH /occ\nINPUT-CLASS TEXTFP\nRANK 3\nDIMENSION-SIZES 4 %s %s\nOUTPUT-CLASS FP\nOUTPUT-SIZE %s\nOUTPUT-ARCHITECTURE IEEE\nOUTPUT-BYTE-ORDER LE\n' \
    "$2" "$1" "$bits" >"$tmp/occ.conf"
  h5import "$tmp/occ.txt" -c "$tmp/occ.conf" -o "$tmp/work/$c/dense-occ.h5" >/dev/null
  if [ "$5" = f32 ]; then
    sed '/^ *psi: /s/dtype: f64/dtype: f32/' "$here/dense.yaml" >"$tmp/work/$c/dense.yaml"
  else
    cp "$here/dense.yaml" "$tmp/work/$c/dense.yaml"
  fi
done

sd_loop() { # dir graph steps [--set ...] -> step-loop seconds
  d=$1; g=$2; s=$3; shift 3
  (cd "$d" && "$STARDAG" run "$g" --steps "$s" --ncpu "$NP" --out "" --log "" "$@") >"$tmp/sd.out" 2>&1 ||
    { cat "$tmp/sd.out" >&2; exit 1; }
  sed -n 's/^stardag: .* steps in \([0-9.]*\) s .*/\1/p' "$tmp/sd.out" | head -n 1
}

tiles_arg() { # tiling nx nz -> --tiles argument (empty for auto)
  case $1 in auto) ;; *) k=${1#slabs}; echo "--tiles ${2}x$(( ($3 + k * NP - 1) / (k * NP) ))" ;; esac
}
graph_of() { # case -> directory and graph of its stardag runs
  case $1 in
    dense*) echo "$tmp/work/$1 dense.yaml" ;;
    pencil*) set -- $(geom "$1"); echo "$tmp/work $top/graphs/transport/seed-${1}x${2}x${3}x${4}.yaml" ;;
  esac
}
size_sets() { # case -> the dense graph's --set arguments (a pencil graph's: its cutoff for *exact)
  case $1 in
    dense*) set -- $(geom "$1"); echo "--set nx=$1 --set nz=$2 --set nth=$3 --set ne=$4 --set dx=$6 --set dz=$7" ;;
    *exact) echo "--set cutoff=0" ;;
  esac
}
# Cases stardag refuses (a dtype its codelets do not take, say) are reported, not timed.
for c in $CASES; do
  set -- $(graph_of "$c")
  # shellcheck disable=SC2046
  if ! (cd "$1" && "$STARDAG" check "$2" $(size_sets "$c") >"$tmp/check.$c" 2>&1); then
    echo "$c: stardag refuses the graph: $(tail -n 1 "$tmp/check.$c")"
    touch "$tmp/refused.$c"
  fi
done

start=$(date +%s)
for r in $(seq 1 "$REPS"); do
  "$TRIAD" -r 10 >"$tmp/triad.out"
  field best_gbs <"$tmp/triad.out" >>"$tmp/triad.best"
  for c in $CASES; do
    set -- $(geom "$c")
    nx=$1 nz=$2 nth=$3 ne=$4 dt=$5 dx=$6 dz=$7
    f32=""; [ "$dt" = f64 ] || f32=--f32
    case $c in
      dense*)
        # shellcheck disable=SC2086
        "$OMPB" --nx "$nx" --nz "$nz" --ntheta "$nth" --ne "$ne" --dx "$dx" --dz "$dz" --ds 1.0 \
          --energy 0.1 200 $f32 -s "$STEPS" -r 1 -w 2 | field ms_per_step >>"$tmp/omp.$c" ;;
    esac
    [ ! -e "$tmp/refused.$c" ] || continue
    set -- $(graph_of "$c"); d=$1; g=$2
    for t in $TILINGS; do
      # shellcheck disable=SC2046
      case $c in
        dense*)
          set -- $(size_sets "$c") $(tiles_arg "$t" "$nx" "$nz")
          t1=$(sd_loop "$d" "$g" 3 "$@"); t2=$(sd_loop "$d" "$g" $(( 3 + STEPS )) "$@")
          awk -v a="$t1" -v b="$t2" -v s="$STEPS" 'BEGIN {printf "%.6f\n", 1e3 * (b - a) / s}' >>"$tmp/sd.$c.$t" ;;
        pencil*)
          set -- $(size_sets "$c") $(tiles_arg "$t" "$nx" "$nz")
          t1=$(sd_loop "$d" "$g" 1 "$@"); t2=$(sd_loop "$d" "$g" 45 "$@")
          awk -v a="$t1" -v b="$t2" 'BEGIN {printf "%.6f\n", 1e3 * (b - a) / 44}' >>"$tmp/sd.$c.$t" ;;
      esac
      sed -n 's/.* tiles (\([0-9x]*\)) of \([0-9x]*\) cells.*/\1 tiles of \2/p' "$tmp/sd.out" | head -n 1 >"$tmp/tiling.$c.$t"
    done
  done
  echo "rep $r/$REPS done ($(( $(date +%s) - start )) s)" >&2
done

set -- $(stats <"$tmp/triad.best"); tb=$1
printf "STREAM triad (%s threads, 3 x 256 MiB, best of 10 iterations per run, %s runs): median %.2f GB/s (min %.2f, max %.2f)\n" \
  "$NP" "$REPS" "$1" "$2" "$3"
echo "bound: psi read once + written once per step = 2 x (8 or 4 B) x cells x bins, at that bandwidth"
echo
echo "ms/step, median (min-max) of $REPS; % of the bound = bound time / measured time"
for c in $CASES; do
  set -- $(geom "$c")
  bytes=$(awk -v a="$1" -v b="$2" -v c="$3" -v d="$4" -v t="$5" 'BEGIN {printf "%.0f", 2 * a * b * c * d * (t == "f32" ? 4 : 8)}')
  bound=$(awk -v by="$bytes" -v g="$tb" 'BEGIN {printf "%.6f", by / (g * 1e9) * 1e3}')
  printf "%s: %sx%sx%sx%s %s, bound %.2f ms/step (%.0f MB moved)\n" "$c" "$1" "$2" "$3" "$4" "$5" "$bound" "$(awk -v b="$bytes" 'BEGIN {print b / 1e6}')"
  om=""
  if [ -s "$tmp/omp.$c" ]; then
    set -- $(stats <"$tmp/omp.$c"); om=$1
    awk -v m="$1" -v lo="$2" -v hi="$3" -v b="$bound" 'BEGIN {
      printf "  %-44s %9.2f (%.2f-%.2f)  %5.1f%% of the bound\n", "C+OpenMP baseline (transport_omp, dense)", m, lo, hi, 100 * b / m }'
  fi
  if [ -e "$tmp/refused.$c" ]; then
    echo "  stardag: not run (refused: $(tail -n 1 "$tmp/check.$c"))"
    continue
  fi
  bestm=""
  for t in $TILINGS; do
    set -- $(stats <"$tmp/sd.$c.$t")
    case $c in dense*) pct=$(awk -v b="$bound" -v m="$1" 'BEGIN {printf "%5.1f%% of the bound", 100 * b / m}') ;; *) pct="(sparse)" ;; esac
    rat=""; [ -z "$om" ] || rat=$(awk -v o="$om" -v m="$1" 'BEGIN {printf "  baseline/stardag %.2f", o / m}')
    awk -v d="stardag tiles $t ($(cat "$tmp/tiling.$c.$t"))" -v m="$1" -v lo="$2" -v hi="$3" -v p="$pct" -v r="$rat" 'BEGIN {
      printf "  %-44s %9.2f (%.2f-%.2f)  %s%s\n", d, m, lo, hi, p, r }'
    if [ -z "$bestm" ] || awk -v a="$1" -v b="$bestm" 'BEGIN {exit !(a < b)}'; then bestm=$1; fi
  done
  echo "$bestm $bound" >"$tmp/final.$c"
done
echo
if [ -s "$tmp/final.dense40" ]; then
  read -r m b <"$tmp/final.dense40"
  awk -v m="$m" -v b="$b" 'BEGIN {printf "targets (2 cores, 40x40x72x200 f64; stardag best tiling): dense %.2f ms/step [<= 30: %s], %.1f%% of the bound [>= 70%%: %s]\n",
    m, (m <= 30 ? "met" : "MISSED"), 100 * b / m, (100 * b / m >= 70 ? "met" : "MISSED")}'
fi
if [ -s "$tmp/final.pencil40" ]; then
  read -r m b <"$tmp/final.pencil40"
  awk -v m="$m" 'BEGIN {printf "                                                           70 MeV pencil %.2f ms/step [<= 5: %s]\n", m, (m <= 5 ? "met" : "MISSED")}'
fi
echo "total benchmark time: $(( $(date +%s) - start )) s; load average at the end: $(cut -d" " -f1-3 /proc/loadavg)"
