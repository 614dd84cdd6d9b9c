#!/bin/sh
# bench/overhead/run.sh - per-task overhead of stardag vs raw StarPU on tiny tasks: 2048 tasks per
# step (one per handle / one-cell tile, each RW on its own data), empty and with ~10 us of work,
# scheduler lws, NPROC workers, REPS interleaved repetitions. Also attributes the difference by
# switching on, one at a time in the raw program, what stardag's engine adds to every task.
#
#   sh bench/overhead/run.sh           (or: make -C _build bench)
# Environment: BUILDDIR (default: _build next to this folder), REPS (5), NPROC (nproc),
#   STEPS (timed steps per run, 100), TASKS (tasks per step, 2048).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
B=${BUILDDIR:-$top/_build}
RAW=$B/bench/overhead/raw_starpu
SDT=$B/bench/overhead/sd_tasks
REPS=${REPS:-5}
NP=${NPROC:-$(nproc)}
STEPS=${STEPS:-100}
TASKS=${TASKS:-2048}
for x in "$RAW" "$SDT"; do
  [ -x "$x" ] || { echo "run.sh: $x not built (make -C $B bench builds it)" >&2; exit 2; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdover.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM  # a TERM trap that returns would let the script go on
STARPU_HOME=$tmp/starpu; export STARPU_HOME
mkdir -p "$STARPU_HOME"
STARPU_NCPU=$NP; export STARPU_NCPU
STARPU_SCHED=lws; export STARPU_SCHED

stats() { sort -g | awk '{v[NR]=$1} END {if (NR==0) {print "nan nan nan"; exit}
  m = NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2; printf "%.6g %.6g %.6g\n", m, v[1], v[NR]}'; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }

echo "== stardag task-overhead benchmark: $TASKS tasks/step, each RW on its own 1-double handle"
model=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)
echo "machine: ${model:-unknown CPU}, $(nproc) cores online, $mem; StarPU sched lws, $NP CPU workers; load average $(cut -d" " -f1-3 /proc/loadavg)"
echo "timed steps per run: $STEPS, repetitions: $REPS"
echo

# Warm-up: bus calibration and the performance models' first samples land in STARPU_HOME.
"$RAW" -s 5 -a >/dev/null 2>&1
"$SDT" -s 5 >/dev/null 2>&1

VARIANTS="-P -C -M -A -V"
start=$(date +%s)
for r in $(seq 1 "$REPS"); do
  for w in 0 10; do
    "$RAW" -t "$TASKS" -s "$STEPS" -w "$w" 2>/dev/null | field us_per_task >>"$tmp/raw.bare.$w"
    "$SDT" -t "$TASKS" -s "$STEPS" -w "$w" -c "$NP" 2>/dev/null | field us_per_task >>"$tmp/sd.$w"
    "$RAW" -t "$TASKS" -s "$STEPS" -w "$w" -a 2>/dev/null | field us_per_task >>"$tmp/raw.all.$w"
  done
  for v in $VARIANTS; do
    "$RAW" -t "$TASKS" -s "$STEPS" -w 0 "$v" 2>/dev/null | field us_per_task >>"$tmp/raw$v.0"
  done
  echo "rep $r/$REPS done ($(( $(date +%s) - start )) s)" >&2
done

line() { # label file
  set -- "$1" $(stats <"$2")
  awk -v l="$1" -v m="$2" -v lo="$3" -v hi="$4" 'BEGIN {
    printf "  %-44s %8.3f us/task (%.3f-%.3f)  %8.0f tasks/s\n", l, m, lo, hi, 1e6 / m }'
}
med() { stats <"$1" | cut -d' ' -f1; }

for w in 0 10; do
  [ "$w" = 0 ] && what="empty tasks" || what="tasks spinning $w us"
  echo "$what: median (min-max) over $REPS runs"
  line "raw StarPU (bare task)" "$tmp/raw.bare.$w"
  line "raw StarPU + everything stardag adds (-a)" "$tmp/raw.all.$w"
  line "stardag (sd_run, 1-cell tiles)" "$tmp/sd.$w"
  awk -v s="$(med "$tmp/sd.$w")" -v b="$(med "$tmp/raw.bare.$w")" -v a="$(med "$tmp/raw.all.$w")" 'BEGIN {
    printf "  => stardag - raw StarPU = %+.3f us/task  [target <= 1 us: %s];  stardag - raw(-a) = %+.3f us/task\n",
      s - b, (s - b <= 1.0 ? "met" : "MISSED"), s - a }'
  echo
done

echo "attribution (empty tasks): raw StarPU with one of stardag's per-task additions, minus bare"
b=$(med "$tmp/raw.bare.0")
for v in $VARIANTS; do
  case $v in
    -P) d="StarPU profiling enabled";;
    -C) d="a completion callback per task";;
    -M) d="history-based perf model";;
    -A) d="calloc'd cl_arg, cl_arg_free";;
    -V) d="STARPU_VARIABLE_NBUFFERS";;
  esac
  set -- $(stats <"$tmp/raw$v.0")
  awk -v l="$v $d" -v m="$1" -v lo="$2" -v hi="$3" -v b="$b" 'BEGIN {
    printf "  %-50s %8.3f us/task (%.3f-%.3f)  %+.3f\n", l, m, lo, hi, m - b }'
done
echo "total benchmark time: $(( $(date +%s) - start )) s; load average at the end: $(cut -d" " -f1-3 /proc/loadavg)"
