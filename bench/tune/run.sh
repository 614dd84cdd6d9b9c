#!/bin/sh
# bench/tune/run.sh - the proof of stardag tune (docs/tuning.md; docs/benchmarks.md section 14): for
# a bundled graph of every domain, every candidate configuration predicted and then measured
# (`stardag tune --exhaustive`, each measurement the median of REPEAT runs), and per graph:
#   - how close the predictions are for the candidates that matter (the fastest quarter measured):
#     median and largest |predicted/measured - 1|, and how many are within 15%;
#   - how far tune's own choice (the default and the best predicted, measured) is from the
#     fastest candidate of the exhaustive measurement, and its speed-up over the default;
#   - the scatter chart of predicted against measured (stardag report --tune).
#
#   sh bench/tune/run.sh [NAME...]     NAME: lattice md membrane ode transport (default: all)
# Environment: SD (the stardag binary, default _build/stardag), REPEAT (3), MSTEPS (steps per
#   measured run, 20), NPROC (CPU workers, nproc), OUT (where tables, CSVs and charts go, default
#   bench/tune/out).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
SD=${SD:-$top/_build/stardag}
REPEAT=${REPEAT:-3}
MSTEPS=${MSTEPS:-20}
NP=${NPROC:-$(nproc)}
OUT=${OUT:-$top/bench/tune/out}
mkdir -p "$OUT"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdtune.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
STARPU_WORKERS_NOBIND=1 STARPU_SILENT=1
export STARPU_WORKERS_NOBIND STARPU_SILENT

model=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
echo "machine: ${model:-unknown CPU}, $(nproc) cores online; L2 $(lscpu | sed -n 's/^L2 cache: *//p' | head -n1)," \
     "L3 $(lscpu | sed -n 's/^L3 cache: *//p' | head -n1); flags: $(grep -o -w 'avx512f\|avx2\|sse4_2' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "stardag: $("$SD" --version | head -n1); $NP CPU workers; each measurement the median of $REPEAT runs of $MSTEPS steps"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

case_args() { # the graph and its settings per NAME
  case $1 in
    lattice) echo "$top/graphs/lattice/kg-packet.yaml" ;;            # 128^3 Klein-Gordon, tiles
    md) echo "$top/graphs/md/lj-liquid.yaml" ;;                      # 32,000 LJ atoms, blocks
    membrane) echo "$top/graphs/membrane/bench-bending.yaml" ;;      # a mesh, partitions
    ode) echo "$top/graphs/ode/vdp-ensemble.yaml" ;;                 # 10,000 Van der Pol systems, ranges
    transport) echo "$top/graphs/transport/pencil-70MeV.yaml" ;;     # a phase-space grid, tiles
    *) echo "bench/tune/run.sh: unknown case '$1' (lattice md membrane ode transport)" >&2; exit 2 ;;
  esac
}

[ $# -gt 0 ] || set -- lattice md membrane ode transport
printf '\n%-10s %5s %8s %8s %8s %9s %9s %9s\n' case cands "q-med%" "q-max%" "q<=15%" "choice%" "speedup" "tune s"
for name in "$@"; do
  g=$(case_args "$name")
  STARPU_HOME=$tmp/$name; export STARPU_HOME
  mkdir -p "$STARPU_HOME"
  csv=$OUT/$name.csv
  if ! "$SD" tune "$g" --ncpu "$NP" --budget 1e9 --exhaustive --repeat "$REPEAT" --measure-steps "$MSTEPS" \
       --csv "$csv" >"$OUT/$name.txt" 2>"$OUT/$name.err"; then
    printf '%-10s failed: %s\n' "$name" "$(grep -v 'never evaluated' "$OUT/$name.err" | tail -n1)"
    continue
  fi
  "$SD" report --tune "$csv" --out "$OUT" >/dev/null
  choice=$(sed -n 's/.*the choice is within \([0-9.]*\)% of it.*/\1/p' "$OUT/$name.txt")
  speedup=$(sed -n 's/^  chosen: .*(the default: .* ms\/step, \([0-9.]*\)x)$/\1/p' "$OUT/$name.txt")
  cost=$(sed -n 's/^  tuning took \([0-9.]*\) s.*/\1/p' "$OUT/$name.txt")
  # the fastest quarter measured: |predicted/measured - 1|
  grep '^"' "$csv" | awk -F, '{print $(NF-2), $(NF-3)}' | sort -g | awk -v c="$choice" -v s="$speedup" -v t="$cost" -v nm="$name" '
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
