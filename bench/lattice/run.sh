#!/bin/sh
# bench/lattice/run.sh - the lattice benchmark: STREAM triad, the plain C+OpenMP leapfrog
# (bench/baselines/kg_omp) and `stardag run bench/lattice/kg-bench.yaml`, side by side, at 128^3
# and 256^3 with all cores, REPS repetitions each, interleaved (triad, OpenMP, stardag for every
# tiling, then again) so that noise on a shared machine spreads over all of them.
#
#   sh bench/lattice/run.sh            (or: make -C _build bench)
# Environment: BUILDDIR (default: _build next to this folder), REPS (5), SIZES ("128 256"),
#   NPROC (nproc), STEPS_128 / STEPS_256 (timed steps per run: 200 / 40).
#
# stardag's ms/step is the difference of two runs (5 and 5+STEPS steps) of the step-loop time it
# prints: the loop time includes the asynchronously running init ops and the pipeline filling and
# draining, and the difference removes both. kg_omp times STEPS steps after 3 warm-up steps.
# Before timing, kg_omp is checked against stardag: both step the same initial data (read from a
# stardag HDF5 output) and must agree to <= 1e-12 (they agree bitwise).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
B=${BUILDDIR:-$top/_build}
STARDAG=$B/stardag
KG=$B/bench/baselines/kg_omp
TRIAD=$B/bench/baselines/stream_triad
GRAPH=$here/kg-bench.yaml
REPS=${REPS:-5}
SIZES=${SIZES:-"128 256"}
NP=${NPROC:-$(nproc)}
for x in "$STARDAG" "$KG" "$TRIAD"; do
  [ -x "$x" ] || { echo "run.sh: $x not built (make -C $B bench builds it)" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
# Own StarPU home: bus calibration and performance models of this run only.
STARPU_HOME=$tmp/starpu; export STARPU_HOME
mkdir -p "$STARPU_HOME"
OMP_NUM_THREADS=$NP; export OMP_NUM_THREADS
unset STARPU_SCHED STARPU_NCPU 2>/dev/null || true

# median min max of the numbers on stdin
stats() { sort -g | awk '{v[NR]=$1} END {if (NR==0) {print "nan nan nan"; exit}
  m = NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2; printf "%.6g %.6g %.6g\n", m, v[1], v[NR]}'; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }

echo "== stardag lattice benchmark: kg_leapfrog (variable-mass Klein-Gordon, 7-point, periodic, f64)"
model=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)
echo "machine: ${model:-unknown CPU}, $(nproc) cores online, $mem; $(uname -sr); load average $(cut -d" " -f1-3 /proc/loadavg)"
echo "threads/workers: $NP (OMP_NUM_THREADS=$NP, stardag --ncpu $NP), repetitions: $REPS, sizes: $SIZES"
echo "stardag: $("$STARDAG" --version 2>&1 | head -n 1)"
echo

# ---- sanity check: OpenMP loop == stardag ----------------------------------------------------
"$STARDAG" run "$here/kg-validate.yaml" --ncpu "$NP" --out "$tmp/validate.h5" >/dev/null
if ! "$KG" --validate "$tmp/validate.h5" 8 --c 1.0 --dt 0.5 --chi 0.2; then
  echo "run.sh: kg_omp does not reproduce stardag's field: the comparison would be meaningless" >&2
  exit 1
fi
echo

# Tilings tried: auto, and z-slabs of NP, 2*NP and 8*NP tiles.
tilings() { echo "auto ${1}x${1}x$(( $1 / NP )) ${1}x${1}x$(( $1 / (2 * NP) )) ${1}x${1}x$(( $1 / (8 * NP) ))"; }

sd_time() { # n tiles steps -> loop seconds (and the tiling line into $tmp/tiling.$n.$tiles)
  tl=""
  [ "$2" = auto ] || tl="--tiles $2"
  # shellcheck disable=SC2086
  "$STARDAG" run "$GRAPH" --set n="$1" --steps "$3" --ncpu "$NP" $tl --out "" >"$tmp/sd.out" 2>&1 ||
    { cat "$tmp/sd.out" >&2; exit 1; }
  sed -n 's/.* tiles (\([0-9x]*\)) of \([0-9x]*\) cells.*/\1 tiles of \2/p' "$tmp/sd.out" | head -n 1 >"$tmp/tiling.$1.$2"
  sed -n 's/^stardag: .* steps in \([0-9.]*\) s .*/\1/p' "$tmp/sd.out" | head -n 1
}

start=$(date +%s)
for r in $(seq 1 "$REPS"); do
  "$TRIAD" -r 10 >"$tmp/triad.out"
  field best_gbs <"$tmp/triad.out" >>"$tmp/triad.best"
  field median_gbs <"$tmp/triad.out" >>"$tmp/triad.median"
  for n in $SIZES; do
    eval "steps=\${STEPS_$n:-}"
    [ -n "$steps" ] || steps=$(( n <= 128 ? 200 : 40 ))
    "$KG" -n "$n" -s "$steps" -r 1 -w 3 | field ms_per_step >>"$tmp/omp.$n"
    for t in $(tilings "$n"); do
      t1=$(sd_time "$n" "$t" 5)
      t2=$(sd_time "$n" "$t" $(( 5 + steps )))
      awk -v a="$t1" -v b="$t2" -v s="$steps" 'BEGIN {printf "%.6f\n", 1e3 * (b - a) / s}' >>"$tmp/sd.$n.$t"
    done
  done
  echo "rep $r/$REPS done ($(( $(date +%s) - start )) s)" >&2
done

set -- $(stats <"$tmp/triad.best"); tb=$1; tbmin=$2; tbmax=$3
set -- $(stats <"$tmp/triad.median"); tm=$1
echo "STREAM triad ($NP threads, 3 x 256 MiB, 10 iterations per run, $REPS runs):"
printf "  best-of-run: median %.2f GB/s (min %.2f, max %.2f); median-of-run: median %.2f GB/s\n" "$tb" "$tbmin" "$tbmax" "$tm"
echo "  bound for this update: triad GB/s / 40 B per cell (3 reads + 1 write + 1 write-allocate, 8 B each)"
printf "  = %.0f Mcell/s (from the median best-of-run triad)\n" "$(awk -v g="$tb" 'BEGIN{print g*1e3/40}')"
echo

for n in $SIZES; do
  cells=$(( n * n * n ))
  echo "n = $n^3 ($cells cells), $REPS repetitions each, ms/step median (min-max):"
  set -- $(stats <"$tmp/omp.$n"); om=$1
  awk -v m="$1" -v lo="$2" -v hi="$3" -v c="$cells" -v g="$tb" 'BEGIN {
    printf "  %-34s %9.3f (%.3f-%.3f)   %7.1f Mcell/s  %5.1f%% of triad bound\n", "OpenMP loop (kg_omp)", m, lo, hi,
      c / m * 1e-3, 100 * (c / (m * 1e-3)) / (g * 1e9 / 40) }'
  best=""; bestm=""
  for t in $(tilings "$n"); do
    set -- $(stats <"$tmp/sd.$n.$t")
    desc="stardag tiles $t ($(cat "$tmp/tiling.$n.$t"))"
    [ "$t" != auto ] || desc="stardag tiles auto ($(cat "$tmp/tiling.$n.$t"))"
    awk -v d="$desc" -v m="$1" -v lo="$2" -v hi="$3" -v c="$cells" -v g="$tb" -v o="$om" 'BEGIN {
      printf "  %-34s %9.3f (%.3f-%.3f)   %7.1f Mcell/s  %5.1f%% of triad bound   OpenMP/stardag %.3f\n", d, m, lo, hi,
        c / m * 1e-3, 100 * (c / (m * 1e-3)) / (g * 1e9 / 40), o / m }'
    if [ -z "$bestm" ] || awk -v a="$1" -v b="$bestm" 'BEGIN {exit !(a < b)}'; then best=$t; bestm=$1; fi
    [ "$t" != auto ] || autom=$1
  done
  awk -v o="$om" -v a="$autom" -v b="$bestm" -v bt="$best" -v c="$cells" -v g="$tb" 'BEGIN {
    printf "  => OpenMP/stardag: auto %.3f, best (%s) %.3f  [target >= 0.9: %s]\n", o / a, bt, o / b, (o / b >= 0.9 ? "met" : "MISSED");
    f = (c / (b * 1e-3)) / (g * 1e9 / 40);
    printf "  => stardag best at %.1f%% of the triad bound, auto at %.1f%%  [target >= 85%% at 256^3]\n", 100 * f,
      100 * (c / (a * 1e-3)) / (g * 1e9 / 40) }'
  echo
done
echo "total benchmark time: $(( $(date +%s) - start )) s; load average at the end: $(cut -d" " -f1-3 /proc/loadavg)"
