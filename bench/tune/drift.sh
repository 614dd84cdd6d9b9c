#!/bin/sh
# bench/tune/drift.sh - how steady is this machine from one run to the next? (docs/tuning.md,
# "Measurements"; docs/benchmarks.md section 13.) Runs one configuration RUNS times (one CPU
# worker, bench-bending, STEPS steps) and prints each run's mean membrane.bending task time and
# the steal time the kernel counted during it; alternately with glibc's heap on huge pages
# (GLIBC_TUNABLES=glibc.malloc.hugetlb=1), to tell a layout effect (the two modes differ) from the
# machine's own drift (both spread alike). Tune's measurements go in rounds because of the latter.
#   sh bench/tune/drift.sh        Environment: SD (default _build/stardag), RUNS (8), STEPS (300)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
SD=${SD:-$top/_build/stardag}
RUNS=${RUNS:-8}
STEPS=${STEPS:-300}
STARPU_WORKERS_NOBIND=1 STARPU_SILENT=1 STARPU_HOME=$(mktemp -d "${TMPDIR:-/tmp}/sddrift.XXXXXX")
export STARPU_WORKERS_NOBIND STARPU_SILENT STARPU_HOME
trap 'rm -rf "$STARPU_HOME"' EXIT
echo "machine: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n1); load average $(cut -d' ' -f1-3 /proc/loadavg)"
steal() { awk '/^cpu / { print $9 }' /proc/stat; }
one() { # one run: the bending task's mean us, and the steal ticks during it
  s0=$(steal)
  us=$(env "$@" "$SD" run "$top/graphs/membrane/bench-bending.yaml" --ncpu 1 --steps "$STEPS" --out "" --trajectory "" 2>&1 |
    awk '$1 == "membrane.bending" { print $NF }')
  echo "$us $(( $(steal) - s0 ))"
}
: >"$STARPU_HOME/a"; : >"$STARPU_HOME/b"
i=0
while [ $i -lt "$RUNS" ]; do
  a=$(one X=1) b=$(one GLIBC_TUNABLES=glibc.malloc.hugetlb=1)
  echo "$a" >>"$STARPU_HOME/a"; echo "$b" >>"$STARPU_HOME/b"
  printf 'run %d: default %s us (steal %s)   huge-page heap %s us (steal %s)\n' $((i + 1)) $a $b
  i=$((i + 1))
done
for m in a b; do
  sort -g "$STARPU_HOME/$m" | awk -v m="$m" '{ v[NR] = $1 } END {
    printf "%s: median %.1f us, min %.1f, max %.1f (max/min %.2f) over %d runs\n", m == "a" ? "default" : "huge-page heap",
      NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, v[1], v[NR], v[NR] / v[1], NR }'
done
