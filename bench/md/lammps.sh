#!/bin/sh
# bench/md/lammps.sh - the LAMMPS peer for the Lennard-Jones benchmark: bench/peers/in.lj (fcc at
# rho* 0.8442, T* 1.44, lj/cut 2.5, NVE, 100 steps) on 32,000 atoms (x=y=z=20) and 256,000 atoms
# (x=y=z=40), R repetitions each, with MPI ranks = cores. Prints each run's loop time and
# atom-steps per second (from LAMMPS's "Loop time of X on P procs for S steps with N atoms"), then
# the median and min-max, and the machine. It measures; it asserts nothing.
#
#   bench/md/lammps.sh [-n CORES] [-r R] [-s "20 40"] [-l LMP]
#   env: NP (cores, default nproc), R (default 5), SIZES (default "20 40"), LMP (default lmp),
#        MPIRUN (default mpirun), MPIFLAGS (extra mpirun flags), SUFFIX (default opt; "none" = plain)
#
# Uses the OPT package (-sf opt: pair lj/cut/opt) when the LAMMPS binary has it, says so otherwise.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
input="$here/../peers/in.lj"
NP=${NP:-$(nproc)}
R=${R:-5}
SIZES=${SIZES:-"20 40"}
LMP=${LMP:-lmp}
MPIRUN=${MPIRUN:-mpirun}
MPIFLAGS=${MPIFLAGS:-}
SUFFIX=${SUFFIX:-opt}

while getopts n:r:s:l: opt; do
    case $opt in
    n) NP=$OPTARG ;;
    r) R=$OPTARG ;;
    s) SIZES=$OPTARG ;;
    l) LMP=$OPTARG ;;
    *) echo "usage: $0 [-n CORES] [-r R] [-s \"20 40\"] [-l LMP]" >&2; exit 2 ;;
    esac
done

command -v "$LMP" >/dev/null 2>&1 || { echo "$0: LAMMPS binary '$LMP' not found (Debian: apt-get install lammps)" >&2; exit 1; }
[ -r "$input" ] || { echo "$0: $input not found" >&2; exit 1; }

lmp_help=$("$LMP" -h 2>/dev/null || true)
version=$(printf '%s\n' "$lmp_help" | sed -n 's/^Large-scale Atomic\/Molecular Massively Parallel Simulator - //p' | head -n 1)
sf=""
if [ "$SUFFIX" = none ]; then
    sfnote="plain styles (SUFFIX=none)"
elif printf '%s\n' "$lmp_help" | grep -q "lj/cut/$SUFFIX"; then
    sf="-sf $SUFFIX"
    sfnote="-sf $SUFFIX (pair lj/cut/$SUFFIX)"
else
    sfnote="pair lj/cut/$SUFFIX NOT in this LAMMPS build: running plain lj/cut"
fi

if command -v "$MPIRUN" >/dev/null 2>&1; then
    # root in containers needs --allow-run-as-root; --oversubscribe allows NP > cores
    launch="$MPIRUN --allow-run-as-root --oversubscribe $MPIFLAGS -np $NP"
elif [ "$NP" = 1 ]; then
    launch=""
else
    echo "$0: $MPIRUN not found (Debian: apt-get install openmpi-bin)" >&2
    exit 1
fi

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "# machine: $(uname -n), nproc $(nproc), CPU: ${cpu:-unknown}"
echo "# LAMMPS ${version:-?} ($LMP), $sfnote, $NP MPI rank(s), OMP_NUM_THREADS=1, $R run(s) per size"
echo "# input: $input"

work=$(mktemp -d "${TMPDIR:-/tmp}/lammps-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM  # a TERM trap that returns would let the script go on
export OMP_NUM_THREADS=1

for n in $SIZES; do
    natoms=$((4 * n * n * n))
    echo "## $natoms atoms (x=y=z=$n): $launch $LMP $sf -in in.lj -var x $n -var y $n -var z $n"
    rates=""
    i=1
    while [ "$i" -le "$R" ]; do
        out="$work/run$n.$i.txt"
        # shellcheck disable=SC2086
        if ! (cd "$work" && $launch "$LMP" $sf -in "$input" -log none -var x "$n" -var y "$n" -var z "$n") >"$out" 2>&1; then
            echo "run $i failed:" >&2
            tail -n 20 "$out" >&2
            exit 1
        fi
        line=$(grep '^Loop time of' "$out" | tail -n 1)
        [ -n "$line" ] || { echo "run $i: no 'Loop time' line" >&2; tail -n 20 "$out" >&2; exit 1; }
        # Loop time of X on P procs for S steps with N atoms
        # shellcheck disable=SC2086 # split the line into words on purpose
        set -- $line
        t=$4 p=$6 s=$9 na=${12}
        rate=$(awk -v t="$t" -v s="$s" -v na="$na" 'BEGIN { printf "%.4g", na * s / t }')
        printf 'run %d: loop time %s s on %s procs, %s steps, %s atoms: %s atom-steps/s\n' "$i" "$t" "$p" "$s" "$na" "$rate"
        rates="$rates $t"
        i=$((i + 1))
    done
    # shellcheck disable=SC2086 # one loop time per line
    printf '%s\n' $rates | sort -g | awk -v na="$natoms" -v np="$NP" -v st="$s" '
        { t[NR] = $1 }
        END {
            med = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
            printf "summary %d atoms, %d rank(s), %d runs: loop time median %.4g s (min %.4g, max %.4g); " \
                   "atom-steps/s median %.4g (min %.4g, max %.4g)\n", na, np, NR, med, t[1], t[NR],
                   na * st / med, na * st / t[NR], na * st / t[1]
        }'
done
