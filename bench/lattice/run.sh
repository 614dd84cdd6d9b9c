#!/bin/sh
# bench/lattice/run.sh - the lattice benchmark: STREAM triad, the plain C+OpenMP leapfrog
# (bench/baselines/kg_omp) and `stardag run bench/lattice/kg-bench.yaml`, side by side, at 128^3
# and 256^3 with all cores, for the Laplacians of order 2 (7 points) and 4 (13 points), REPS
# repetitions each, interleaved (triad, then per size and order OpenMP and stardag for every
# tiling, then again) so that noise on a shared machine spreads over all of them.
#
#   sh bench/lattice/run.sh            (or: make -C _build bench)
# Environment: BUILDDIR (default: _build next to this folder), REPS (5), SIZES ("128 256"; 512 too
#   where memory allows: 4.3 GB), ORDERS ("2 4"), NPROC (nproc), STEPS_128 / STEPS_256 / STEPS_512
#   (timed steps per run: 200 / 40 / 8),
#   TILINGS (default: "auto slabs1 slabs2 slabs8": auto, and z-slabs of NP, 2*NP, 8*NP tiles;
#   fuseK:AxBxC or fuseK:auto runs with --fuse K on those tiles: fused steps, docs/lattice.md).
#
# stardag's ms/step is the difference of two runs (5 and 5+STEPS steps) of the step-loop time it
# prints: the loop time includes the asynchronously running init ops and the pipeline filling and
# draining, and the difference removes both. kg_omp times STEPS steps after 3 warm-up steps.
# Before timing, kg_omp is checked against stardag for each order: both step the same initial data
# (read from a stardag HDF5 output) and must agree to <= 1e-12 (they agree bitwise).
# Order 4 runs with dt = 0.4 (its CFL limit is dt <= 0.5 dx/c); the time per step does not depend
# on dt. Both orders move the same bytes per cell if the z +-2 planes of E stay in cache (5 planes
# of n^2 x 8 B: 2.5 MiB at 256^3, per thread, within L2 + L3 on most machines), so the same
# bound (triad GB/s / 40 B per cell) applies to both.
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
ORDERS=${ORDERS:-"2 4"}
TILINGS=${TILINGS:-"auto slabs1 slabs2 slabs8"}
NP=${NPROC:-$(nproc)}
for x in "$STARDAG" "$KG" "$TRIAD"; do
  [ -x "$x" ] || { echo "run.sh: $x not built (make -C $B bench builds it)" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM  # a TERM trap that returns would let the script go on
# Own StarPU home: bus calibration and performance models of this run only.
STARPU_HOME=$tmp/starpu; export STARPU_HOME
mkdir -p "$STARPU_HOME"
OMP_NUM_THREADS=$NP; export OMP_NUM_THREADS
unset STARPU_SCHED STARPU_NCPU 2>/dev/null || true

# median min max of the numbers on stdin
stats() { sort -g | awk '{v[NR]=$1} END {if (NR==0) {print "nan nan nan"; exit}
  m = NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2; printf "%.6g %.6g %.6g\n", m, v[1], v[NR]}'; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }

echo "== stardag lattice benchmark: kg_leapfrog (variable-mass Klein-Gordon, orders $ORDERS: 7-/13-point, periodic, f64)"
model=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)
echo "machine: ${model:-unknown CPU}, $(nproc) cores online, $mem; $(uname -sr); load average $(cut -d" " -f1-3 /proc/loadavg)"
kib() { v=$(getconf "$1" 2>/dev/null || echo 0); [ "${v:-0}" -gt 0 ] 2>/dev/null && echo "$((v / 1024)) KiB" || echo "?"; }
echo "caches (per core unless shared): L1d $(kib LEVEL1_DCACHE_SIZE), L2 $(kib LEVEL2_CACHE_SIZE), L3 $(kib LEVEL3_CACHE_SIZE); $("$STARDAG" --version 2>&1 | sed -n 's/ (widest.*//p')"
echo "threads/workers: $NP (OMP_NUM_THREADS=$NP, stardag --ncpu $NP), repetitions: $REPS, sizes: $SIZES, orders: $ORDERS"
echo "stardag: $("$STARDAG" --version 2>&1 | head -n 1)"
echo

dt_of() { if [ "$1" = 4 ]; then echo 0.4; else echo 0.5; fi; } # CFL numbers 0.8 and 0.87

# ---- sanity check: OpenMP loop == stardag, each order -----------------------------------------
for o in $ORDERS; do
  rm -f "$tmp/validate.h5" "$tmp/validate.xmf"
  "$STARDAG" run "$here/kg-validate.yaml" --set order="$o" --set dt="$(dt_of "$o")" --ncpu "$NP" \
    --out "$tmp/validate.h5" --log "" >/dev/null
  if ! "$KG" --validate "$tmp/validate.h5" 8 --c 1.0 --dt "$(dt_of "$o")" --chi 0.2 --order "$o"; then
    echo "run.sh: kg_omp does not reproduce stardag's field (order $o): the comparison would be meaningless" >&2
    exit 1
  fi
done
echo

# Tilings tried (TILINGS): auto, and z-slabs of NP, 2*NP and 8*NP tiles.
tilings() {
  for t in $TILINGS; do
    case $t in
      auto) echo auto ;;
      slabs*) echo "${1}x${1}x$(( $1 / (${t#slabs} * NP) ))" ;;
      fuse*) echo "$t" ;;
    esac
  done
}
for t in $TILINGS; do
  case $t in
    auto|slabs[1-9]|slabs[1-9][0-9]|fuse[1-9]:*|fuse[1-9][0-9]:*) ;;
    *) echo "run.sh: TILINGS: unknown tiling '$t' (expected auto, slabsK (K = 1..99) or fuseK:TILES)" >&2; exit 2 ;;
  esac
done
for o in $ORDERS; do
  case $o in 2|4) ;; *) echo "run.sh: ORDERS: '$o' (expected 2 or 4: kg_omp has those)" >&2; exit 2 ;; esac
done

sd_time() { # n tiles steps order -> loop seconds (and the tiling line into $tmp/tiling.$n.$tiles)
  tl=""
  case $2 in
    auto) ;;
    fuse*:auto) k=${2%%:*}; tl="--fuse ${k#fuse}" ;;
    fuse*) k=${2%%:*}; tl="--fuse ${k#fuse} --tiles ${2#*:}" ;;
    *) tl="--tiles $2" ;;
  esac
  # shellcheck disable=SC2086
  "$STARDAG" run "$GRAPH" --set n="$1" --set order="$4" --set dt="$(dt_of "$4")" --steps "$3" --ncpu "$NP" $tl \
    --out "" >"$tmp/sd.out" 2>&1 || { cat "$tmp/sd.out" >&2; exit 1; }
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
    [ -n "$steps" ] || steps=$(( n <= 128 ? 200 : n <= 256 ? 40 : 8 ))
    for o in $ORDERS; do
      "$KG" -n "$n" -s "$steps" -r 1 -w 3 --order "$o" | field ms_per_step >>"$tmp/omp.$n.$o"
      for t in $(tilings "$n"); do
        t1=$(sd_time "$n" "$t" 5 "$o")
        t2=$(sd_time "$n" "$t" $(( 5 + steps )) "$o")
        awk -v a="$t1" -v b="$t2" -v s="$steps" 'BEGIN {printf "%.6f\n", 1e3 * (b - a) / s}' >>"$tmp/sd.$n.$o.$t"
      done
    done
  done
  echo "rep $r/$REPS done ($(( $(date +%s) - start )) s)" >&2
done

set -- $(stats <"$tmp/triad.best"); tb=$1; tbmin=$2; tbmax=$3
set -- $(stats <"$tmp/triad.median"); tm=$1
echo "STREAM triad ($NP threads, 3 x 256 MiB, 10 iterations per run, $REPS runs):"
printf "  best-of-run: median %.2f GB/s (min %.2f, max %.2f); median-of-run: median %.2f GB/s\n" "$tb" "$tbmin" "$tbmax" "$tm"
echo "  bound for this update: triad GB/s / 40 B per cell (3 reads + 1 write + 1 write-allocate, 8 B each),"
echo "  both orders (order 4: if E's z +-2 planes stay in cache, as order 2's z +-1 planes)"
printf "  = %.0f Mcell/s (from the median best-of-run triad)\n" "$(awk -v g="$tb" 'BEGIN{print g*1e3/40}')"
echo

for n in $SIZES; do
 for o in $ORDERS; do
  cells=$(( n * n * n ))
  echo "n = $n^3 ($cells cells), order $o, $REPS repetitions each, ms/step median (min-max):"
  set -- $(stats <"$tmp/omp.$n.$o"); om=$1
  awk -v m="$1" -v lo="$2" -v hi="$3" -v c="$cells" -v g="$tb" 'BEGIN {
    printf "  %-34s %9.3f (%.3f-%.3f)   %7.1f Mcell/s  %5.1f%% of triad bound\n", "OpenMP loop (kg_omp)", m, lo, hi,
      c / m * 1e-3, 100 * (c / (m * 1e-3)) / (g * 1e9 / 40) }'
  best=""; bestm=""; autom=""; fusem=""; fuset=""
  for t in $(tilings "$n"); do
    set -- $(stats <"$tmp/sd.$n.$o.$t")
    desc="stardag tiles $t ($(cat "$tmp/tiling.$n.$t"))"
    [ "$t" != auto ] || desc="stardag tiles auto ($(cat "$tmp/tiling.$n.$t"))"
    case $t in fuse*) k=${t%%:*}; desc="stardag --fuse ${k#fuse} ($(cat "$tmp/tiling.$n.$t"))" ;; esac
    awk -v d="$desc" -v m="$1" -v lo="$2" -v hi="$3" -v c="$cells" -v g="$tb" -v o="$om" 'BEGIN {
      printf "  %-34s %9.3f (%.3f-%.3f)   %7.1f Mcell/s  %5.1f%% of triad bound   OpenMP/stardag %.3f\n", d, m, lo, hi,
        c / m * 1e-3, 100 * (c / (m * 1e-3)) / (g * 1e9 / 40), o / m }'
    case $t in
      fuse*) if [ -z "$fusem" ] || awk -v a="$1" -v b="$fusem" 'BEGIN {exit !(a < b)}'; then fuset=$t; fusem=$1; fi
             continue ;;
    esac
    if [ -z "$bestm" ] || awk -v a="$1" -v b="$bestm" 'BEGIN {exit !(a < b)}'; then best=$t; bestm=$1; fi
    [ "$t" != auto ] || autom=$1
  done
  [ -z "$fusem" ] || awk -v m="$fusem" -v ft="$fuset" -v c="$cells" -v g="$tb" 'BEGIN {
    r = m / (c * 40 / (g * 1e9) * 1e3);
    printf "  => fused steps, best (%s): %.3f ms/step = %.2f x the single-step triad bound  [moonshot target <= 0.75: %s]\n",
      ft, m, r, (r <= 0.75 ? "met" : "MISSED") }'
  fusem=""; fuset=""
  [ -n "$autom" ] || autom=$bestm # TILINGS without auto
  awk -v o="$om" -v a="$autom" -v b="$bestm" -v bt="$best" -v c="$cells" -v g="$tb" 'BEGIN {
    printf "  => OpenMP/stardag: auto %.3f, best (%s) %.3f  [target >= 0.9: %s]\n", o / a, bt, o / b, (o / b >= 0.9 ? "met" : "MISSED");
    f = (c / (b * 1e-3)) / (g * 1e9 / 40);
    printf "  => stardag best at %.1f%% of the triad bound, auto at %.1f%%  [target >= 85%% at 256^3]\n", 100 * f,
      100 * (c / (a * 1e-3)) / (g * 1e9 / 40) }'
  echo "$om $bestm" >"$tmp/best.$n.$o"
  echo
 done
 if [ -s "$tmp/best.$n.2" ] && [ -s "$tmp/best.$n.4" ]; then
  read -r o2 s2 <"$tmp/best.$n.2"
  read -r o4 s4 <"$tmp/best.$n.4"
  awk -v o2="$o2" -v s2="$s2" -v o4="$o4" -v s4="$s4" -v n="$n" 'BEGIN {
    printf "n = %d^3: order 4 / order 2 time per step (medians): OpenMP %.2f, stardag best %.2f\n\n", n, o4 / o2, s4 / s2 }'
 fi
done
echo "total benchmark time: $(( $(date +%s) - start )) s; load average at the end: $(cut -d" " -f1-3 /proc/loadavg)"
