#!/bin/sh
# bench/ckpt/last_good.sh - what holding the last good step costs (docs/checkpoint.md, "Last good
# step"): graphs/lattice/kg-packet.yaml (checks judged every 10 steps) with a checkpoint file but no
# checkpoint due before the end, run with output.checkpoint.last_good false, not given (the default:
# held while the snapshots take <= 5 % of the workers' time) and true (every judged step), REPS runs
# of each, interleaved. Reported: the step loop's ms/step from the run summary, median (min-max),
# and the seconds of checkpoint snapshot tasks.
#
#   sh bench/ckpt/last_good.sh [STARDAG]      (default _build/stardag)
# Environment: REPS (5), N (cells per axis, 128), STEPS (200), NPROC (nproc).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
sd=${1:-$top/_build/stardag}
case $sd in /*) ;; *) sd=$(pwd)/$sd ;; esac
REPS=${REPS:-5} N=${N:-128} STEPS=${STEPS:-200} NP=${NPROC:-$(nproc)}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdlg.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM  # a TERM trap that returns would let the script go on
STARPU_HOME=$tmp/starpu STARPU_WORKERS_NOBIND=1 STARPU_SILENT=1
export STARPU_HOME STARPU_WORKERS_NOBIND STARPU_SILENT
mkdir -p "$STARPU_HOME"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p' | head -n1), $(nproc) cores," \
     "$(lscpu | sed -n 's/^L2 cache: *//p' | head -n1) L2, $(lscpu | sed -n 's/^L3 cache: *//p' | head -n1) L3;" \
     "flags: $(grep -o -w 'avx512f\|avx2\|sse4_2' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); kg-packet $N^3, $STEPS steps, $REPS runs each, --ncpu $NP"
for v in false default true; do
  lg=", last_good: $v"; [ $v = default ] && lg=""
  sed "s#^output:#output:\n  checkpoint: {file: lg.ckpt, every: 1000000$lg}#" "$top/graphs/lattice/kg-packet.yaml" >"$tmp/$v.yaml"
  : >"$tmp/$v.ms"; : >"$tmp/$v.snap"
done
stats() { sort -n "$1" | awk '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2; printf "%.3f (%.3f-%.3f)", m, v[1], v[NR]}'; }
r=0
while [ $r -lt "$REPS" ]; do
  for v in false default true; do
    rm -f "$tmp"/lg.ckpt* "$tmp"/o.*
    (cd "$tmp" && "$sd" run "$v.yaml" --set n="$N" --steps "$STEPS" --ncpu "$NP" --out o.h5 >"$tmp/run.out" 2>&1) ||
      { echo "run failed ($v)" >&2; tail -n 20 "$tmp/run.out" >&2; exit 1; }
    sed -n 's/.* steps in [0-9.]* s (\([0-9.]*\) ms\/step.*/\1/p' "$tmp/run.out" | head -n1 >>"$tmp/$v.ms"
    awk '$1 == "checkpoint" && $2 == "snapshot" { print $5 }' "$tmp/run.out" | head -n1 >>"$tmp/$v.snap"
  done
  r=$((r + 1))
done
printf '%-10s %-28s %s\n' last_good "ms/step median (min-max)" "snapshot task s median (min-max)"
for v in false default true; do
  [ -s "$tmp/$v.snap" ] || echo 0 >"$tmp/$v.snap"
  printf '%-10s %-28s %s\n' "$v" "$(stats "$tmp/$v.ms")" "$(stats "$tmp/$v.snap")"
done
