#!/bin/sh
# bench/mpi/run.sh - the cost of the distributed path on one machine (docs/distributed.md;
# docs/benchmarks.md section 15): the same graph as one process with 2 CPU workers, with 1, and as
# `mpirun -np 2` with 1 CPU worker per rank (ratio: against 2 workers), in the same invocation, REPEAT times each (median and
# min-max of the step loop's ms/step from the summary), and the bytes each rank sends per step
# (StarPU-MPI's STARPU_COMM_STATS, from runs of S1 and S2 steps: (bytes(S2) - bytes(S1)) / (S2 - S1),
# so set-up and the end do not count). Graphs: lattice 256^3 (kg-packet, n=256), lj-liquid-large
# (256,000 atoms) and the ODE ensemble (vdp-ensemble, 10,000 systems).
#
#   sh bench/mpi/run.sh [NAME...]    NAME: lattice md ode (default: all)
# Environment: SD (default _build/stardag), REPEAT (3), OUT (default bench/mpi/out).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
SD=${SD:-$top/_build/stardag}
REPEAT=${REPEAT:-3}
OUT=${OUT:-$top/bench/mpi/out}
mkdir -p "$OUT"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdmpi.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM  # a TERM trap that returns would let the script go on
export STARPU_HOME="$tmp/home" STARPU_WORKERS_NOBIND=1 STARPU_SILENT=1
names=${*:-lattice md ode}
mpi() { mpirun --allow-run-as-root --oversubscribe -np 2 -x STARPU_HOME -x STARPU_WORKERS_NOBIND -x STARPU_SILENT \
  -x STARPU_NCPU=1 -x STARPU_COMM_STATS="${STARPU_COMM_STATS:-0}" "$@"; }
# the ms/step of a run's summary line
msstep() { sed -n 's/.* s (\([0-9.]*\) ms\/step.*/\1/p' "$1" | head -n 1; }
# median and min-max of the numbers in a file
stats() { sort -g "$1" | awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
  printf "%.2f (%.2f-%.2f)", m, v[1], v[NR] }'; }
# a cache's size from getconf (lscpu leaves them out on some virtual machines)
kib() { v=$(getconf "$1" 2>/dev/null || echo 0); [ "${v:-0}" -gt 0 ] 2>/dev/null && echo "$((v / 1024)) KiB" || echo "?"; }
# the bytes rank R sent in all (STARPU_COMM_STATS's TOTAL line)
sent() { sed -n "s/^\[starpu_comm_stats\]\[$2\] TOTAL:[[:space:]]*\([0-9.]*\) B.*/\1/p" "$1" | head -n 1; }

{
  echo "# bench/mpi on $(hostname), $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "# CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $("$SD" --version | sed -n 2p)"
  echo "# caches (per core unless shared): L1d $(kib LEVEL1_DCACHE_SIZE), L2 $(kib LEVEL2_CACHE_SIZE), L3 $(kib LEVEL3_CACHE_SIZE)"
  echo "# $(mpirun --version | head -n 1); $("$SD" --version | head -n 1)"
  printf "%-10s %-22s %-22s %-24s %-6s %s\n" graph "1 x 2 cores ms/step" "1 x 1 core ms/step" "2 ranks x 1 core ms/step" ratio \
    "bytes sent per rank per step (rank 0, rank 1)"
} > "$OUT/table.txt"

for name in $names; do
  case $name in
    lattice) g=$top/graphs/lattice/kg-packet.yaml; args="--set n=256"; steps=20 s1=10 ;;
    md) g=$top/graphs/md/lj-liquid-large.yaml; args=""; steps=20 s1=10 ;;
    ode) g=$top/graphs/ode/vdp-ensemble.yaml; args=""; steps=20 s1=10 ;;
    *) echo "bench/mpi: unknown NAME $name (lattice md ode)" >&2; exit 2 ;;
  esac
  : > "$tmp/one" ; : > "$tmp/two"; : > "$tmp/single"
  for r in $(seq "$REPEAT"); do
    STARPU_NCPU=2 "$SD" run "$g" $args --steps $steps --out "" > "$tmp/log1" 2>&1
    msstep "$tmp/log1" >> "$tmp/one"
    STARPU_NCPU=1 "$SD" run "$g" $args --steps $steps --out "" > "$tmp/log0" 2>&1
    msstep "$tmp/log0" >> "$tmp/single"
    mpi "$SD" run "$g" $args --steps $steps --out "" > "$tmp/log2" 2>&1
    msstep "$tmp/log2" >> "$tmp/two"
  done
  cp "$tmp/log1" "$OUT/$name-1x2.log"; cp "$tmp/log2" "$OUT/$name-2x1.log"
  STARPU_COMM_STATS=1 mpi "$SD" run "$g" $args --steps $s1 --out "" -q > "$tmp/c1" 2>&1
  STARPU_COMM_STATS=1 mpi "$SD" run "$g" $args --steps $steps --out "" -q > "$tmp/c2" 2>&1
  per() { awk -v a="$(sent "$tmp/c1" "$1")" -v b="$(sent "$tmp/c2" "$1")" -v n=$((steps - s1)) 'BEGIN { printf "%.0f", (b - a) / n }'; }
  b0=$(per 0) b1=$(per 1)
  m1=$(stats "$tmp/one") m0=$(stats "$tmp/single") m2=$(stats "$tmp/two")
  ratio=$(awk -v a="${m1%% *}" -v b="${m2%% *}" 'BEGIN { printf "%.2f", b / a }')
  printf "%-10s %-22s %-22s %-24s %-6s %s, %s\n" "$name" "$m1" "$m0" "$m2" "$ratio" "$b0" "$b1" >> "$OUT/table.txt"
done
cat "$OUT/table.txt"
