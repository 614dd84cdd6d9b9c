#!/bin/sh
# shellcheck disable=SC2015 # "test && test || fail" is meant: fail when either test is false
# bench/md/run.sh - the Lennard-Jones liquid through the whole runtime against LAMMPS, all cores:
#
#   stardag run graphs/md/lj-liquid.yaml (32,000 atoms) / lj-liquid-large.yaml (256,000 atoms)
#           --ncpu NP --steps S --out TMP/x.h5
#   mpirun -np NP lmp -sf opt -in in.lj -var x 20|40 -var y .. -var z ..   (bench/peers/in.lj,
#           its "run 100" replaced by "run S" in a temporary copy when S != 100)
#
# Same system and same work on both sides: LAMMPS bench/in.lj (fcc rho* 0.8442, T* 1.44, lj/cut 2.5
# without shift, skin 0.3, lists rebuilt every 20 steps without a displacement check, NVE, dt 0.005),
# S steps (default 100), thermo every 50 steps. The two programs run alternately, REPS times per
# size. Timed on both sides is the step loop only: LAMMPS' "Loop time of X on P procs for S steps"
# and stardag's "S steps in T s" from its run summary (init ops, set-up and output close excluded).
# Prints every run, then per size the median and min-max of the loop time, atom-steps/s and the
# ratio stardag/LAMMPS (atom-steps/s; > 1 means stardag is faster: of the medians, and the median of
# the per-pair ratios, each pair run back to back under similar load), and one stardag
# run summary (per-codelet table) per size. It measures; it asserts nothing.
#
#   bench/md/run.sh [--reps N] [--reps-large N] [--steps N] [--sizes "32k 256k"] [--bind]
#
#   --reps N        repetitions per size (default 5)
#   --reps-large N  repetitions for 256k only (default: --reps)
#   --steps N       steps per run, both programs (default 100, as in.lj)
#   --sizes LIST    any of 32k 256k (default both)
#   --bind          bind threads/ranks to cores (StarPU's default binding; mpirun --bind-to core).
#                   Default: unbound on both sides (STARPU_WORKERS_NOBIND=1, mpirun --bind-to none),
#                   because the benchmark machine is shared with other work.
#   env: BUILDDIR (where stardag is; default _build-bench, then _build), STARDAG (the binary),
#        NP (cores, default nproc), LMP (default lmp), MPIRUN (default mpirun), MPIFLAGS,
#        SUFFIX (LAMMPS suffix, default opt; "none" = plain lj/cut)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
REPS=5
REPS_LARGE=
STEPS=100
SIZES="32k 256k"
BIND=0
usage() { sed -n '/^#   bench\/md\/run.sh/,/^set -eu/p' "$0" | sed '$d;s/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
    --reps) REPS=$2; shift 2 ;;
    --reps-large) REPS_LARGE=$2; shift 2 ;;
    --steps) STEPS=$2; shift 2 ;;
    --sizes) SIZES=$2; shift 2 ;;
    --bind) BIND=1; shift ;;
    -h | --help) usage ;;
    *) echo "$0: unknown argument '$1'" >&2; usage ;;
    esac
done
REPS_LARGE=${REPS_LARGE:-$REPS}
NCORES=$(nproc)
NP=${NP:-$NCORES}
LMP=${LMP:-lmp}
MPIRUN=${MPIRUN:-mpirun}
MPIFLAGS=${MPIFLAGS:-}
SUFFIX=${SUFFIX:-opt}

. "$here/find-stardag.sh"
command -v "$LMP" >/dev/null 2>&1 || { echo "$0: LAMMPS '$LMP' not found (Debian: apt-get install lammps)" >&2; exit 1; }
command -v "$MPIRUN" >/dev/null 2>&1 || { echo "$0: '$MPIRUN' not found (Debian: apt-get install openmpi-bin)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/md-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM  # a TERM trap that returns would let the script go on
export STARPU_HOME="$work/starpu" STARPU_SILENT=1 OMP_NUM_THREADS=1
mkdir -p "$STARPU_HOME"
if [ "$BIND" = 1 ]; then
    unset STARPU_WORKERS_NOBIND
    mpibind="--bind-to core"
    bindnote="bound (StarPU workers bound to cores; mpirun --bind-to core)"
else
    export STARPU_WORKERS_NOBIND=1
    mpibind="--bind-to none"
    bindnote="unbound (STARPU_WORKERS_NOBIND=1; mpirun --bind-to none)"
fi

# LAMMPS input: bench/peers/in.lj with its run length set to STEPS
input="$work/in.lj"
sed "s/^run[[:space:]].*/run		$STEPS/" "$top/bench/peers/in.lj" >"$input"
grep -q "^run[[:space:]]*$STEPS\$" "$input" || { echo "$0: could not set the run length in in.lj" >&2; exit 1; }
grep -q '^thermo[[:space:]]*50$' "$input" || { echo "$0: in.lj no longer has thermo 50" >&2; exit 1; }
lmp_help=$("$LMP" -h 2>/dev/null || true)
lversion=$(printf '%s\n' "$lmp_help" | sed -n 's/^Large-scale Atomic\/Molecular Massively Parallel Simulator - //p' | head -n 1)
sf=""
sfnote="plain lj/cut"
if [ "$SUFFIX" != none ]; then
    if printf '%s\n' "$lmp_help" | grep -q "lj/cut/$SUFFIX"; then sf="-sf $SUFFIX"; sfnote="-sf $SUFFIX (pair lj/cut/$SUFFIX)"
    else sfnote="lj/cut/$SUFFIX NOT in this LAMMPS: plain lj/cut"; fi
fi
launch="$MPIRUN --allow-run-as-root --oversubscribe $mpibind $MPIFLAGS -np $NP"

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
commit=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$top" status --porcelain --untracked-files=no 2>/dev/null | head -n 1)
echo "# bench/md/run.sh: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), commit $commit${dirty:+ (working tree modified)}"
echo "# machine: $(uname -n), CPU: ${cpu:-unknown}, nproc $NCORES, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "# stardag: $STARDAG ($("$STARDAG" --version 2>&1 | head -n 1)), --ncpu $NP"
echo "# LAMMPS: ${lversion:-?} ($LMP), $sfnote, $NP MPI rank(s), OMP_NUM_THREADS=1"
echo "# threads: $bindnote; $STEPS steps, thermo every 50; $REPS reps (256k: $REPS_LARGE)"
echo "# load: $(uptime)"

# median / min / max of the numbers on stdin (one per line): "med min max n"
stats() { sort -g | awk '{ t[NR] = $1 } END { if (!NR) exit 1; m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
                                            printf "%.6g %.6g %.6g %d\n", m, t[1], t[NR], NR }'; }

table=""
for size in $SIZES; do
    case $size in
    32k) graph="$top/graphs/md/lj-liquid.yaml"; n=20; reps=$REPS ;;
    256k) graph="$top/graphs/md/lj-liquid-large.yaml"; n=40; reps=$REPS_LARGE ;;
    *) echo "$0: unknown size '$size' (32k or 256k)" >&2; exit 2 ;;
    esac
    natoms=$((4 * n * n * n))
    echo "## $size = $natoms atoms, $reps reps, alternating"
    echo "#  stardag: $STARDAG run $graph --ncpu $NP --steps $STEPS --out TMP/sd.h5"
    echo "#  LAMMPS:  $launch $LMP $sf -in in.lj -log none -var x $n -var y $n -var z $n   (run $STEPS)"
    : >"$work/sd.t"
    : >"$work/lmp.t"
    : >"$work/ratio.t"
    i=1
    while [ "$i" -le "$reps" ]; do
        if ! (cd "$work" && "$STARDAG" run "$graph" --ncpu "$NP" --steps "$STEPS" --out "$work/sd.h5") \
            >"$work/sd.out" 2>&1; then
            echo "stardag run $i failed:" >&2; tail -n 30 "$work/sd.out" >&2; exit 1
        fi
        line=$(grep "^stardag: .* steps in .* s (" "$work/sd.out" | tail -n 1)
        t=$(printf '%s\n' "$line" | sed -n 's/.* \([0-9][0-9]*\) steps in \([0-9.e+-]*\) s (.*/\2/p')
        s=$(printf '%s\n' "$line" | sed -n 's/.* \([0-9][0-9]*\) steps in \([0-9.e+-]*\) s (.*/\1/p')
        na=$(printf '%s\n' "$line" | sed -n 's/.* \([0-9][0-9]*\) particles in .*/\1/p')
        [ -n "$t" ] && [ "$s" = "$STEPS" ] && [ "$na" = "$natoms" ] ||
            { echo "stardag run $i: unexpected summary: $line" >&2; exit 1; }
        echo "$t" >>"$work/sd.t"
        cp "$work/sd.out" "$work/sd.last"
        rm -f "$work/sd.h5" "$work/sd.xmf" "$work/sd.log"
        # shellcheck disable=SC2086
        if ! (cd "$work" && $launch "$LMP" $sf -in "$input" -log none -var x "$n" -var y "$n" -var z "$n") \
            >"$work/lmp.out" 2>&1; then
            echo "LAMMPS run $i failed:" >&2; tail -n 30 "$work/lmp.out" >&2; exit 1
        fi
        lline=$(grep '^Loop time of' "$work/lmp.out" | tail -n 1)
        # Loop time of X on P procs for S steps with N atoms
        # shellcheck disable=SC2086 # split into words on purpose
        set -- $lline
        [ "${9:-}" = "$STEPS" ] && [ "${12:-}" = "$natoms" ] ||
            { echo "LAMMPS run $i: unexpected '$lline'" >&2; tail -n 30 "$work/lmp.out" >&2; exit 1; }
        lt=$4
        echo "$lt" >>"$work/lmp.t"
        awk -v a="$t" -v b="$lt" 'BEGIN { print b / a }' >>"$work/ratio.t"
        awk -v i="$i" -v a="$t" -v b="$lt" -v na="$natoms" -v s="$STEPS" 'BEGIN {
            printf "run %d: stardag %.4g s (%.4g ms/step, %.4g atom-steps/s)   LAMMPS %.4g s (%.4g ms/step, %.4g atom-steps/s)\n",
                   i, a, 1e3 * a / s, na * s / a, b, 1e3 * b / s, na * s / b }'
        i=$((i + 1))
    done
    # thermo of the last runs, side by side (both print step 0, 50, 100, ...)
    echo "#  thermo, last stardag run (step temp epair etotal press ke):"
    sed -n '/^ *step  *temp/,/^stardag:/p' "$work/sd.last" | sed '$d;s/^/#    /'
    echo "#  thermo, last LAMMPS run (Step Temp E_pair TotEng Press):"
    sed -n '/^ *Step /,/^Loop time/p' "$work/lmp.out" | sed '$d;s/^/#    /'
    echo "#  run summary of the last stardag run:"
    sed -n '/^stardag: /,$p' "$work/sd.last" | sed 's/^/#    /'
    # shellcheck disable=SC2046
    set -- $(stats <"$work/sd.t") $(stats <"$work/lmp.t") $(stats <"$work/ratio.t")
    row=$(awk -v na="$natoms" -v s="$STEPS" -v sm="$1" -v s0="$2" -v s1="$3" -v lm="$5" -v l0="$6" -v l1="$7" -v r="$4" \
              -v pm="$9" -v p0="${10}" -v p1="${11}" 'BEGIN {
        printf "| %d | %d | %.3f [%.3f-%.3f] | %.3g [%.3g-%.3g] | %.3f [%.3f-%.3f] | %.3g [%.3g-%.3g] | %.2f | %.2f [%.2f-%.2f] |",
               na, r, 1e3 * sm / s, 1e3 * s0 / s, 1e3 * s1 / s, na * s / sm, na * s / s1, na * s / s0,
               1e3 * lm / s, 1e3 * l0 / s, 1e3 * l1 / s, na * s / lm, na * s / l1, na * s / l0, lm / sm, pm, p0, p1 }')
    table="$table$row
"
    echo "#  load: $(uptime)"
done

echo "## summary ($NP cores, $STEPS steps; median [min-max] over the reps; stardag/LAMMPS = stardag atom-steps/s over"
echo "## LAMMPS atom-steps/s, of the medians, and median [min-max] of the ratios of each alternating pair of runs)"
echo "| atoms | reps | stardag ms/step | stardag atom-steps/s | LAMMPS ms/step | LAMMPS atom-steps/s | stardag/LAMMPS (medians) | stardag/LAMMPS (pairs) |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s' "$table"
echo "# load at end: $(uptime)"
