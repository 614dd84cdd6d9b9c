#!/bin/sh
# bench/tune/run.sh - the proof of stardag tune (docs/tuning.md; docs/benchmarks.md section 13): for
# a bundled graph of every domain, every candidate configuration predicted and then measured
# (`stardag tune --exhaustive`, each measurement the median of REPEAT runs), and per graph:
#   - how close the predictions are for the candidates that matter (the fastest quarter measured):
#     median and largest |predicted/measured - 1|, and how many are within 15%;
#   - how far tune's own choice (the default and the best predicted, measured) is from the
#     fastest candidate of the exhaustive measurement, and its speed-up over the default;
#   - the scatter chart of predicted against measured (stardag report --tune).
#
#   sh bench/tune/run.sh [NAME...]     NAME: lattice md membrane ode transport (default: all)
# Then, for a production run of RUNSEC seconds (its steps from the default's measured step time),
# tune as a user runs it (`stardag tune FILE --steps N`, the default budget of 10% of that run, a
# fresh StarPU home): what tuning cost against the budget, and how far its choice is from the
# fastest of the exhaustive measurement.
#
# Environment: SD (the stardag binary, default _build/stardag), REPEAT (3), MSTEPS (steps per
#   measured run, 20), NPROC (CPU workers, nproc), RUNSEC (100), OUT (where tables, CSVs and charts
#   go, default bench/tune/out), BUDGET_ONLY=1 (only the second part, on the CSVs already in OUT).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
SD=${SD:-$top/_build/stardag}
REPEAT=${REPEAT:-3}
MSTEPS=${MSTEPS:-20}
RUNSEC=${RUNSEC:-100}
NP=${NPROC:-$(nproc)}
OUT=${OUT:-$top/bench/tune/out}
mkdir -p "$OUT"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdtune.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM  # a TERM trap that returns would let the script go on
STARPU_WORKERS_NOBIND=1 STARPU_SILENT=1
export STARPU_WORKERS_NOBIND STARPU_SILENT
. "$top/bench/tune/lib.sh"

model=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
echo "machine: ${model:-unknown CPU}, $(nproc) cores online; L2 $(lscpu | sed -n 's/^L2 cache: *//p' | head -n1)," \
     "L3 $(lscpu | sed -n 's/^L3 cache: *//p' | head -n1); flags: $(grep -o -w 'avx512f\|avx2\|sse4_2' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "stardag: $("$SD" --version | head -n1); $NP CPU workers; each measurement the median of $REPEAT runs of $MSTEPS steps"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

[ $# -gt 0 ] || set -- lattice md membrane ode transport
printf '\n%-10s %5s %8s %8s %8s %9s %9s %9s\n' case cands "q-med%" "q-max%" "q<=15%" "choice%" "speedup" "tune s"
for name in "$@"; do
  [ "${BUDGET_ONLY:-0}" = 1 ] && break
  exhaustive "$name" || continue
  csv=$OUT/$name.csv
  "$SD" report --tune "$csv" --out "$OUT" >/dev/null
  choice=$(sed -n 's/.*the choice is within \([0-9.]*\)% of it.*/\1/p' "$OUT/$name.txt")
  speedup=$(sed -n 's/^  chosen: .*(the default: .* ms\/step, \([0-9.]*\)x)$/\1/p' "$OUT/$name.txt")
  cost=$(sed -n 's/^  tuning took \([0-9.]*\) s.*/\1/p' "$OUT/$name.txt")
  # the fastest quarter measured: |predicted/measured - 1|
  fields "$csv" | awk -F, '{print $6, $5}' | sort -g | awk -v c="$choice" -v s="$speedup" -v t="$cost" -v nm="$name" '
    { m[NR] = $1; p[NR] = $2 }
    END {
      q = int((NR + 3) / 4); w = 0
      for (i = 1; i <= q; i++) { e[i] = p[i] / m[i] - 1; if (e[i] < 0) e[i] = -e[i]; if (e[i] <= 0.15) w++ }
      for (i = 1; i <= q; i++) for (j = i + 1; j <= q; j++) if (e[j] < e[i]) { x = e[i]; e[i] = e[j]; e[j] = x }
      med = q % 2 ? e[(q + 1) / 2] : (e[q / 2] + e[q / 2 + 1]) / 2
      printf "%-10s %5d %8.1f %8.1f %5d/%-3d %8s%% %8sx %9s\n", nm, NR, 100 * med, 100 * e[q], w, q, c, s, t
    }'
done
echo
echo "cands: candidates measured; q-med%, q-max%: median and largest |predicted/measured - 1| over the fastest"
echo "quarter measured; q<=15%: how many of them within 15%; choice%: tune's choice (the default and the best"
echo "predicted, measured) against the fastest of all measured; speedup: the choice over the default;"
echo "tune s: what tuning itself took (calibration, predictions, its own measurements)."
echo "Tables: $OUT/NAME.txt, CSVs: $OUT/NAME.csv, charts: $OUT/NAME-tune.svg"

# the exhaustive table's measured ms/step of a configuration (desc, sched, max_inflight, arch), and the fastest
lookup() { # lookup CSV DESC SCHED INFLIGHT ARCH
  awk -F'"' -v d="$2" -v s="$3" -v i="$4" -v a="$5" '/^"/ {
      split(substr($3, 2), f, ",")
      if (best == "" || f[6] < best) best = f[6]
      if ($2 == d && f[2] == s && f[3] == i && f[4] == a) mine = f[6] }
    END { if (mine == "") print "nan", best; else print mine, best }' "$1"
}
fastest() { # fastest CSV: the tiles, sched, max_inflight, arch and fuse of the fastest measured
  fields "$1" | awk -F, '$6 == $6 + 0 { if (best == "" || $6 < best + 0) { best = $6; c = $1 " " $2 " " $3 " " $4 " " $9 } }
    END { print c }'
}
mstep() { "$@" 2>/dev/null | sed -n 's/.* steps in [0-9.]* s (\([0-9.]*\) ms\/step.*/\1/p' | head -n1; }
median() { sort -g | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
H=${H:-7}
: >"$OUT/h2h.txt"
printf '\n%-10s %8s %8s %9s %9s %9s %9s\n' case steps "run s" "budget s" "tune s" "choice%" "h2h%"
for name in "$@"; do
  csv=$OUT/$name.csv
  [ -s "$csv" ] || continue
  g=$(case_args "$name")
  def=$(fields "$csv" | awk -F, '$7 == 1 { print $6 }' | head -n1)
  steps=$(awk -v d="$def" -v t="$RUNSEC" 'BEGIN { printf "%d", t * 1000 / d }')
  STARPU_HOME=$tmp/$name-budget; export STARPU_HOME
  mkdir -p "$STARPU_HOME"
  if ! "$SD" tune "$g" --ncpu "$NP" --steps "$steps" >"$OUT/$name-budget.txt" 2>"$tmp/$name-budget.err"; then
    printf '%-10s failed: %s\n' "$name" "$(grep -v 'never evaluated' "$tmp/$name-budget.err" | tail -n1)"
    continue
  fi
  took=$(sed -n 's/^  tuning took \([0-9.]*\) s .* of a budget of \([0-9.]*\) s.*/\1 \2/p' "$OUT/$name-budget.txt")
  desc=$(sed -n 's/^  chosen: \(.*\), sched [a-z]*, max_inflight.*/\1/p' "$OUT/$name-budget.txt")
  sched=$(sed -n 's/^  chosen: .*, sched \([a-z]*\), max_inflight \([0-9]*\), arch \([a-z]*\):.*/\1/p' "$OUT/$name-budget.txt")
  infl=$(sed -n 's/^  chosen: .*, sched [a-z]*, max_inflight \([0-9]*\), arch.*/\1/p' "$OUT/$name-budget.txt")
  arch=$(sed -n 's/^  chosen: .*, max_inflight [0-9]*, arch \([a-z]*\):.*/\1/p' "$OUT/$name-budget.txt")
  # head to head: the choice against the exhaustive table's fastest, H alternating runs each
  mine=$(sed -n 's/^  as run options: \(--tiles \([0-9x]*\) \)\{0,1\}[^-]*--sched \([a-z]*\) --max-inflight \([0-9]*\) --arch \([a-z]*\)\( --fuse \([0-9]*\)\)\{0,1\}$/\2 \3 \4 \5 \7/p' "$OUT/$name-budget.txt")
  # shellcheck disable=SC2086
  set -- $mine
  case ${1-} in [0-9]*) ;; *) set -- auto "$@" ;; esac  # automatic parts: no --tiles
  a_opts=$(opts "$@")
  # shellcheck disable=SC2046
  b_opts=$(opts $(fastest "$csv"))
  STARPU_HOME=$tmp/$name-h2h; export STARPU_HOME
  mkdir -p "$STARPU_HOME"
  : >"$tmp/a" && : >"$tmp/b"
  k=0
  while [ $k -lt "$H" ]; do
    # shellcheck disable=SC2086
    mstep "$SD" run "$g" --ncpu "$NP" --steps "$MSTEPS" --out "" --trajectory "" $a_opts >>"$tmp/a"
    # shellcheck disable=SC2086
    mstep "$SD" run "$g" --ncpu "$NP" --steps "$MSTEPS" --out "" --trajectory "" $b_opts >>"$tmp/b"
    k=$((k + 1))
  done
  h2h=$(awk -v a="$(median <"$tmp/a")" -v b="$(median <"$tmp/b")" 'BEGIN { printf "%.1f", 100 * (a / b - 1) }')
  echo "$name: choice $a_opts: $(tr '\n' ' ' <"$tmp/a")| fastest $b_opts: $(tr '\n' ' ' <"$tmp/b")" >>"$OUT/h2h.txt"
  lookup "$csv" "$desc" "$sched" "$infl" "$arch" | awk -v nm="$name" -v st="$steps" -v rs="$RUNSEC" -v tb="$took" -v h="$h2h" '
    { split(tb, t, " "); c = $1 == "nan" ? "-" : sprintf("%.1f", 100 * ($1 / $2 - 1))
      printf "%-10s %8d %8d %9s %9s %9s %9s\n", nm, st, rs, t[2], t[1], c, h }'
done
echo
echo "steps: the run tuned for (RUNSEC at the default's step time); tune s against budget s: what tuning took"
echo "(10% of the run); choice%: its choice's time in the exhaustive table against the fastest there; h2h%:"
echo "the choice against that fastest configuration run side by side (H=$H alternating runs of $MSTEPS steps"
echo "each, medians; the runs in $OUT/h2h.txt)."
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
