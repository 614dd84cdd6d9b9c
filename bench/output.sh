#!/bin/sh
# bench/output.sh - what output costs, in two builds (before and after a change to the output path):
# each workload with its output and with --out "" (none), REPS runs of each, the builds interleaved.
# Reported per case and build: the whole process' wall time (start to exit: set-up, steps, the
# output's last writes, close) and the step loop's ms/step from the run summary, each as the median
# and min-max; for builds that print it, the summary's output-writer line (seconds writing, seconds
# the run waited for the writer). Output files go to a scratch folder and are removed before each
# run (so either build writes a fresh file; no --overwrite, which older builds do not know).
#
#   sh bench/output.sh OLD_STARDAG NEW_STARDAG     e.g. _ref-cf5d4e3/_build/stardag _build/stardag
# Environment: REPS (5), NPROC (nproc), BIGN (the frequent-output lattice's cells per axis, 160).
# Workloads: graphs/lattice/kg-packet.yaml (128^3, 300 steps, E every 100 steps, scalars every 10),
# graphs/md/lj-liquid.yaml (32,000 atoms, 100 steps, thermo every 10 into the run file), and
# kg-packet at BIGN^3 with E written every 10 steps for 100 steps (11 field steps).
set -eu
[ $# -eq 2 ] || { echo "usage: sh bench/output.sh OLD_STARDAG NEW_STARDAG" >&2; exit 2; }
abs() { case $1 in /*) echo "$1" ;; *) echo "$(pwd)/$1" ;; esac; }
old=$(abs "$1") new=$(abs "$2")
top=$(cd "$(dirname "$0")/.." && pwd)
REPS=${REPS:-5}
NP=${NPROC:-$(nproc)}
BIGN=${BIGN:-160}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdout.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM  # a TERM trap that returns would let the script go on
STARPU_HOME=$tmp/starpu STARPU_WORKERS_NOBIND=1 STARPU_SILENT=1
export STARPU_HOME STARPU_WORKERS_NOBIND STARPU_SILENT
mkdir -p "$STARPU_HOME" "$tmp/w"
sed 's/fields: {names: \[E\], every: 100}/fields: {names: [E], every: 10}/' "$top/graphs/lattice/kg-packet.yaml" >"$tmp/kg-frequent.yaml"

echo "machine: $(lscpu | sed -n 's/^Model name: *//p' | head -n1), $(nproc) cores," \
     "$(lscpu | sed -n 's/^L2 cache: *//p' | head -n1) L2, $(lscpu | sed -n 's/^L3 cache: *//p' | head -n1) L3;" \
     "flags: $(grep -o -w 'avx512f\|avx2\|sse4_2' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "disk of the output folder: $(df -h "$tmp" | awk 'NR == 2 {print $1, $2}')"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

now() { date +%s.%N; }
stats() { # stats FILE: median min max of the numbers in FILE
  sort -n "$1" | awk '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2; printf "%.3f (%.3f-%.3f)", m, v[1], v[NR]}'
}
# one run: append wall seconds to $1.wall, ms/step to $1.ms, writer seconds/waits to $1.wr, $1.wait
one() {
  key=$1; bin=$2; shift 2
  rm -f "$tmp/w"/out.*
  t0=$(now)
  (cd "$tmp/w" && "$bin" run "$@" >"$tmp/run.out" 2>&1) || { echo "run failed: $bin run $*" >&2; tail -n 20 "$tmp/run.out" >&2; exit 1; }
  t1=$(now)
  echo "$t0 $t1" | awk '{printf "%.3f\n", $2 - $1}' >>"$tmp/$key.wall"
  sed -n 's/.* steps in [0-9.]* s (\([0-9.]*\) ms\/step.*/\1/p' "$tmp/run.out" | head -n1 >>"$tmp/$key.ms"
  sed -n 's/^  output writer: \([0-9.]*\) s writing.*waited \([0-9.]*\) s for room.* and \([0-9.]*\) s for it after.*/\1 \2 \3/p' \
    "$tmp/run.out" >>"$tmp/$key.wr"
}
case_() { # case_ NAME ARGS...: with and without output, old and new, interleaved
  name=$1; shift
  for k in old-out new-out old-none new-none; do : >"$tmp/$k.wall"; : >"$tmp/$k.ms"; : >"$tmp/$k.wr"; done
  r=0
  while [ $r -lt "$REPS" ]; do
    one old-out "$old" "$@" --ncpu "$NP" --out out.h5
    one new-out "$new" "$@" --ncpu "$NP" --out out.h5
    one old-none "$old" "$@" --ncpu "$NP" --out ""
    one new-none "$new" "$@" --ncpu "$NP" --out ""
    r=$((r + 1))
  done
  for k in old-out new-out old-none new-none; do
    wr=""
    if [ -s "$tmp/$k.wr" ]; then
      awk '{print $1}' "$tmp/$k.wr" >"$tmp/x1"; awk '{print $2}' "$tmp/$k.wr" >"$tmp/x2"; awk '{print $3}' "$tmp/$k.wr" >"$tmp/x3"
      wr="writing $(stats "$tmp/x1") s, waited for room $(stats "$tmp/x2") s, at the end $(stats "$tmp/x3") s"
    fi
    echo "$name|${k%-*}|$( [ "${k#*-}" = out ] && echo output || echo 'none (--out "")')|$(stats "$tmp/$k.wall")|$(stats "$tmp/$k.ms")|$wr"
  done
}

echo "case|build|output|process wall s, median (min-max)|step-loop ms/step, median (min-max)|writer (new build)"
case_ "kg-packet 128^3, 300 steps" "$top/graphs/lattice/kg-packet.yaml"
case_ "lj-liquid 32,000 atoms, 100 steps" "$top/graphs/md/lj-liquid.yaml"
case_ "kg-packet ${BIGN}^3, E every 10 steps, 100 steps" "$tmp/kg-frequent.yaml" --set n="$BIGN" --steps 100
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
