#!/bin/sh
# bench/md/rebuild.sh - the neighbour-list rebuild of the particle domain, serial against parallel
# (docs/benchmarks.md section 14): the Lennard-Jones liquid of in.lj at 32,000 and 256,000 atoms,
#
#   STARDAG_REBUILD=serial|parallel stardag run graphs/md/lj-liquid(-large).yaml --ncpu NP
#           [--tiles N] --steps S --out TMP/x.h5
#
# alternately, REPS times per size and mode. From each run's summary: ms/step, and the per-kind
# task table (count x mean): the serial rebuild is one "neighbour rebuild" task per rebuild; the
# parallel one is the tasks "rebuild: scan, decide, migrate, gather, plan, verdict". The first
# build (init: its blocks hold id ranges) is the whole-domain task in both modes, a kind of its own
# ("first neighbour build"), left out. Prints per size and mode the
# median [min-max] of: ms/step; the rebuild's task time per step rebuild (summed over its tasks:
# the work); the rebuild's chain on a machine with a core per block (the sum of its phases' mean
# task times: scan + decide + migrate + gather + plan + verdict, each phase's blocks side by side;
# serial: the task itself). It measures; it asserts nothing.
#
#   bench/md/rebuild.sh [--reps N] [--steps N] [--sizes "32k 256k"] [--tiles N] [--check]
#
#   --reps N     repetitions per size and mode (default 5)
#   --steps N    steps per run (default 100; in.lj rebuilds every 20)
#   --sizes LIST any of 32k 256k (default both)
#   --tiles N    blocks (default: auto, 4 per CPU worker)
#   --check      neighbor: {every: 1, check: true} instead of in.lj's {every: 20, check: false} (a
#                temporary copy of the graph): the scans and the decision every step; "per
#                rebuild" then means per step (per decision, whether it rebuilt or not)
#   env: BUILDDIR / STARDAG (the binary, bench/md/find-stardag.sh), NP (CPU workers, default nproc)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
REPS=5
STEPS=100
SIZES="32k 256k"
TILES=
CHECK=0
usage() { sed -n '/^#   bench\/md\/rebuild.sh/,/^set -eu/p' "$0" | sed '$d;s/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
    --reps) REPS=$2; shift 2 ;;
    --steps) STEPS=$2; shift 2 ;;
    --sizes) SIZES=$2; shift 2 ;;
    --tiles) TILES=$2; shift 2 ;;
    --check) CHECK=1; shift ;;
    -h | --help) usage ;;
    *) echo "$0: unknown argument '$1'" >&2; usage ;;
    esac
done
NP=${NP:-$(nproc)}
. "$here/find-stardag.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/md-rebuild.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM  # a TERM trap that returns would let the script go on
export STARPU_HOME="$work/starpu" STARPU_SILENT=1 STARPU_WORKERS_NOBIND=1
mkdir -p "$STARPU_HOME"

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
commit=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$top" status --porcelain --untracked-files=no 2>/dev/null | head -n 1)
echo "# bench/md/rebuild.sh: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), commit $commit${dirty:+ (working tree modified)}"
echo "# machine: CPU ${cpu:-unknown}, nproc $(nproc), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
if command -v lscpu >/dev/null 2>&1; then
    lscpu | grep -E '^(Model name|Thread|Core|Socket|L1d|L2|L3)' | sed 's/  */ /g;s/^/#   /'
fi
echo "# ISA flags: $(grep -o -w -E 'sse2|avx2|avx512f' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "# stardag: $STARDAG ($("$STARDAG" --version 2>&1 | head -n 1)), --ncpu $NP, tiles ${TILES:-auto}, $STEPS steps,"
[ "$CHECK" = 1 ] && echo "#   neighbor: {every: 1, check: true} (--check)"
echo "#   threads unbound (STARPU_WORKERS_NOBIND=1), $REPS reps per size and mode, alternating"
echo "# load: $(uptime)"

stats() { sort -g | awk '{ t[NR] = $1 } END { if (!NR) exit 1; m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
                                            printf "%.4g [%.4g-%.4g]", m, t[1], t[NR] }'; }

# one run's figures from its summary: "ms/step work-ms-per-rebuild chain-ms rebuilds" (stdout)
figures() {
    awk -v mode="$1" -v steps="$STEPS" '
        / steps in .* s \(/ { for (i = 1; i <= NF; i++) if ($i == "steps" && $(i + 1) == "in") t = $(i + 2) }
        /^  neighbour rebuild  / { sn = $(NF - 2); sm = $NF }  # step rebuilds (not "first neighbour build")
        /^  rebuild: / { pn[$2] = $(NF - 2); pt += $(NF - 2) * $NF; chain += $NF }
        END { # task time from count x mean (us, 0.1 us resolution; the total column has 1 ms)
            if (mode == "serial") printf "%.4f %.4f %.4f %d\n", 1e3 * t / steps, sm / 1e3, sm / 1e3, sn
            else printf "%.4f %.4f %.4f %d\n", 1e3 * t / steps, pt / 1e3 / pn["decide"], chain / 1e3, pn["decide"]
        }' "$2"
}

table=""
for size in $SIZES; do
    case $size in
    32k) graph="$top/graphs/md/lj-liquid.yaml" ;;
    256k) graph="$top/graphs/md/lj-liquid-large.yaml" ;;
    *) echo "$0: unknown size '$size' (32k or 256k)" >&2; exit 2 ;;
    esac
    if [ "$CHECK" = 1 ]; then
        sed 's/neighbor: {skin: 0.3, every: 20, check: false}/neighbor: {skin: 0.3, every: 1, check: true}/' "$graph" \
            >"$work/check-$size.yaml"
        grep -q 'every: 1, check: true' "$work/check-$size.yaml" || { echo "$0: $graph: no in.lj neighbor line" >&2; exit 1; }
        graph="$work/check-$size.yaml"
    fi
    echo "## $size: STARDAG_REBUILD=MODE $STARDAG run $graph --ncpu $NP ${TILES:+--tiles $TILES }--steps $STEPS --out TMP/x.h5"
    for mode in serial parallel; do : >"$work/$mode.ms"; : >"$work/$mode.work"; : >"$work/$mode.chain"; done
    i=1
    while [ "$i" -le "$REPS" ]; do
        for mode in serial parallel; do
            # shellcheck disable=SC2086 # TILES: an option or nothing
            if ! (cd "$work" && STARDAG_REBUILD=$mode "$STARDAG" run "$graph" --ncpu "$NP" ${TILES:+--tiles $TILES} \
                  --steps "$STEPS" --overwrite --out "$work/x.h5") >"$work/$mode.out" 2>&1; then
                echo "$mode run $i failed:" >&2; tail -n 30 "$work/$mode.out" >&2; exit 1
            fi
            grep -q "; $mode rebuild)" "$work/$mode.out" || { echo "run $i: not a $mode rebuild" >&2; exit 1; }
            # shellcheck disable=SC2046 # split into words on purpose
            set -- $(figures "$mode" "$work/$mode.out")
            echo "$1" >>"$work/$mode.ms"; echo "$2" >>"$work/$mode.work"; echo "$3" >>"$work/$mode.chain"
            echo "run $i $mode: $1 ms/step, rebuild task time $2 ms per rebuild ($4 rebuilds), chain $3 ms"
            cp "$work/$mode.out" "$work/$mode.last"
        done
        i=$((i + 1))
    done
    for mode in serial parallel; do
        echo "#  $size $mode, run summary of the last run:"
        sed -n '/^stardag: /,$p' "$work/$mode.last" | sed 's/^/#    /'
        table="$table| $size | $mode | $(stats <"$work/$mode.ms") | $(stats <"$work/$mode.work") | $(stats <"$work/$mode.chain") |
"
    done
    echo "#  load: $(uptime)"
done
echo "## summary ($NP CPU workers; median [min-max] over $REPS runs)"
echo "| atoms | rebuild | ms/step | rebuild task time per rebuild, ms | rebuild chain with a core per block, ms |"
echo "|---|---|---|---|---|"
printf '%s' "$table"
echo "# load at end: $(uptime)"
