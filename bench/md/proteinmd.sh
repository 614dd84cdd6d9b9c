#!/bin/sh
# shellcheck disable=SC2015 # "test && test || fail" is meant: fail when either test is false
# bench/md/proteinmd.sh - stardag against the ProteinMD step-time targets (the seed's performance
# guide, ../shared/seeds/001_3fce8d08282fc90b.txt, "System Size Performance Targets"):
#   MD step < 1 ms below 1,000 atoms, < 10 ms for 1,000-10,000, < 100 ms for 10,000-100,000.
#
#   stardag run graphs/md/argon-nvt.yaml --set cells=C --steps S --ncpu NP --out TMP/ar.h5
#
# argon-nvt.yaml: liquid argon in real units, 4 C^3 atoms, LJ cut at 2.5 sigma (shifted), lists
# with a 0.1 nm skin checked every step (rebuilt when an atom moved more than skin/2), velocity
# Verlet dt 5 fs, Berendsen thermostat every step (a temperature reduction per step), thermo and
# an H5MD trajectory frame every 100 steps. Everything the graph does per step is in the timed
# step loop (stardag's "S steps in T s"; the init ops are excluded). Default sizes: cells 6 (864
# atoms), 13 (8,788), 14 (10,976) and 29 (97,556); the target is the one of the atom count's band
# (10,976 is just above 10,000, so its band is < 100 ms; the script also prints the < 10 ms verdict
# for it). Prints every run, then per size the median and min-max ms/step over the repetitions.
# It measures; it asserts nothing.
#
#   bench/md/proteinmd.sh [--reps N] [--cells "6 13 14 29"] [--steps N] [--bind]
#
#   --reps N      repetitions per size (default 5)
#   --cells LIST  fcc cells per axis (4 C^3 atoms)
#   --steps N     steps per run for every size (default: 2000 below 1,000 atoms, 500 up to
#                 20,000, 100 above)
#   --bind        StarPU's default binding of workers to cores (default STARPU_WORKERS_NOBIND=1)
#   env: BUILDDIR (where stardag is; default _build-bench, then _build), STARDAG, NP (default nproc)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
REPS=5
CELLS="6 13 14 29"
STEPS=
BIND=0
usage() { sed -n '/^#   bench\/md\/proteinmd.sh/,/^set -eu/p' "$0" | sed '$d;s/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
    --reps) REPS=$2; shift 2 ;;
    --cells) CELLS=$2; shift 2 ;;
    --steps) STEPS=$2; shift 2 ;;
    --bind) BIND=1; shift ;;
    -h | --help) usage ;;
    *) echo "$0: unknown argument '$1'" >&2; usage ;;
    esac
done
NCORES=$(nproc)
NP=${NP:-$NCORES}
. "$here/find-stardag.sh"
graph="$top/graphs/md/argon-nvt.yaml"

work=$(mktemp -d "${TMPDIR:-/tmp}/proteinmd-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM  # a TERM trap that returns would let the script go on
export STARPU_HOME="$work/starpu" STARPU_SILENT=1
mkdir -p "$STARPU_HOME"
if [ "$BIND" = 1 ]; then unset STARPU_WORKERS_NOBIND; bindnote="StarPU workers bound to cores"
else export STARPU_WORKERS_NOBIND=1; bindnote="unbound (STARPU_WORKERS_NOBIND=1)"; fi

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
commit=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$top" status --porcelain --untracked-files=no 2>/dev/null | head -n 1)
echo "# bench/md/proteinmd.sh: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), commit $commit${dirty:+ (working tree modified)}"
echo "# machine: $(uname -n), CPU: ${cpu:-unknown}, nproc $NCORES, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "# stardag: $STARDAG ($("$STARDAG" --version 2>&1 | head -n 1)), --ncpu $NP, threads $bindnote, $REPS reps"
echo "# graph: $graph"
seed=
for f in "$top"/../shared/seeds/001_*.txt; do [ -r "$f" ] && seed=$f && break; done
if [ -n "$seed" ]; then
    echo "# the targets, as the seed ($seed) states them:"
    sed -n '/System Size Performance Targets/,/Very Large Systems/p' "$seed" | sed '$d' | grep -v '^ *$' | sed 's/^ */#    /'
fi
echo "# load: $(uptime)"

table=""
for c in $CELLS; do
    natoms=$((4 * c * c * c))
    if [ -n "$STEPS" ]; then steps=$STEPS
    elif [ "$natoms" -lt 1000 ]; then steps=2000
    elif [ "$natoms" -le 20000 ]; then steps=500
    else steps=100; fi
    if [ "$natoms" -lt 1000 ]; then target=1; band="< 1,000"
    elif [ "$natoms" -le 10000 ]; then target=10; band="1,000-10,000"
    elif [ "$natoms" -le 100000 ]; then target=100; band="10,000-100,000"
    else target=1000; band="> 100,000"; fi
    echo "## cells=$c: $natoms atoms, $steps steps, $REPS reps (ProteinMD band $band atoms: step < $target ms)"
    echo "#  $STARDAG run $graph --set cells=$c --steps $steps --ncpu $NP --out TMP/ar.h5"
    : >"$work/t"
    i=1
    while [ "$i" -le "$REPS" ]; do
        if ! (cd "$work" && "$STARDAG" run "$graph" --set cells="$c" --steps "$steps" --ncpu "$NP" --out "$work/ar.h5") \
            >"$work/out" 2>&1; then
            echo "run $i failed:" >&2; tail -n 30 "$work/out" >&2; exit 1
        fi
        line=$(grep "^stardag: .* steps in .* s (" "$work/out" | tail -n 1)
        t=$(printf '%s\n' "$line" | sed -n 's/.* \([0-9][0-9]*\) steps in \([0-9.e+-]*\) s (.*/\2/p')
        na=$(printf '%s\n' "$line" | sed -n 's/.* \([0-9][0-9]*\) particles in .*/\1/p')
        [ -n "$t" ] && [ "$na" = "$natoms" ] || { echo "run $i: unexpected summary: $line" >&2; exit 1; }
        echo "$t" >>"$work/t"
        awk -v i="$i" -v t="$t" -v s="$steps" -v na="$natoms" 'BEGIN {
            printf "run %d: %.4g s, %.4g ms/step, %.4g atom-steps/s\n", i, t, 1e3 * t / s, na * s / t }'
        cp "$work/out" "$work/last"
        rm -f "$work/ar.h5" "$work/ar.xmf" "$work/ar.log" "$work"/*.h5md
        i=$((i + 1))
    done
    echo "#  run summary of the last run:"
    sed -n '/^stardag: /,$p' "$work/last" | sed 's/^/#    /'
    row=$(sort -g "$work/t" | awk -v na="$natoms" -v s="$steps" -v tg="$target" -v c="$c" '
        { t[NR] = $1 }
        END {
            m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
            ms = 1e3 * m / s
            extra = (tg == 100 && na <= 20000) ? sprintf(" (< 10 ms: %s)", ms < 10 ? "yes" : "no") : ""
            printf "| %d | %d | %d | %d | %.3f [%.3f-%.3f] | %.3g | < %g ms | %s%s |",
                   c, na, s, NR, ms, 1e3 * t[1] / s, 1e3 * t[NR] / s, na * s / m, tg, ms < tg ? "yes" : "no", extra
        }')
    table="$table$row
"
    echo "#  load: $(uptime)"
done

echo "## summary ($NP cores; ms/step median [min-max] over the reps)"
echo "| cells | atoms | steps | reps | ms/step | atom-steps/s | target | met |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s' "$table"
echo "# load at end: $(uptime)"
