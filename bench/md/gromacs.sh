#!/bin/sh
# bench/md/gromacs.sh - the Lennard-Jones liquid of in.lj in stardag (double and mixed precision)
# against GROMACS (Debian's mixed `gmx` and double `gmx_d`, and a GROMACS built for this machine's
# SIMD by bench/peers/build-gromacs.sh), same cores, same steps, run alternately (issue 17, section 4).
#
#   stardag run graphs/md/lj-liquid.yaml --ncpu NP --steps S            (precision: double)
#   the same graph with domain.particles.precision: mixed                 (precision: mixed)
#   gmx grompp -f bench/peers/argon/argon.mdp -p argon.top -c fcc.g96 ; gmx mdrun -nt NP -ntmpi 1 -ntomp NP
#
# The system is the same: 32,000 atoms (n = 20 fcc cells per side, reduced density 0.8442) from an
# fcc start at T* 1.44, plain cut at 2.5 sigma, list radius 2.8 sigma rebuilt every 20 steps, NVE,
# dt 0.005 tau, energies every 50 steps; GROMACS in argon units (bench/peers/argon/argon.mdp:
# sigma 0.3405 nm, epsilon 0.996 kJ/mol, dt 10.78 fs). Timed: stardag's "S steps in T s" (the step
# loop) and GROMACS' "Wall t" of its md.log (the MD loop; grompp excluded). Prints every run, then
# median [min-max] per program in ms/step and the ratio to stardag's double path. It measures; it
# asserts nothing.
#
#   bench/md/gromacs.sh [--reps N] [--steps N] [--cells n]
#   env: BUILDDIR / STARDAG (as bench/md/run.sh), NP (cores, default nproc),
#        GMX (default gmx), GMX_D (default gmx_d), GMX_NATIVE (a gmx built for this CPU, e.g.
#        PREFIX/bin/gmx of bench/peers/build-gromacs.sh; skipped when unset), PEERS (which of
#        "gmx gmx_d native" to run, default all that exist)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
REPS=5
STEPS=500
CELLS=20
while [ $# -gt 0 ]; do
    case $1 in
    --reps) REPS=$2; shift 2 ;;
    --steps) STEPS=$2; shift 2 ;;
    --cells) CELLS=$2; shift 2 ;;
    *) sed -n '/^#   bench\/md\/gromacs.sh/,/^set -eu/p' "$0" | sed '$d;s/^# \{0,1\}//' >&2; exit 2 ;;
    esac
done
NP=${NP:-$(nproc)}
GMX=${GMX:-gmx}
GMX_D=${GMX_D:-gmx_d}
GMX_NATIVE=${GMX_NATIVE:-}
. "$here/find-stardag.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/gmx-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
export STARPU_HOME="$work/starpu" STARPU_SILENT=1 STARPU_WORKERS_NOBIND=1 OMP_NUM_THREADS=$NP
mkdir -p "$STARPU_HOME"
natoms=$((4 * CELLS * CELLS * CELLS))

# the two stardag graphs
sed "s/^  cells: 20$/  cells: $CELLS/" "$top/graphs/md/lj-liquid.yaml" >"$work/double.yaml"
sed 's/^\(    neighbor: .*\)$/\1\n    precision: mixed/' "$work/double.yaml" >"$work/mixed.yaml"
grep -q "^    precision: mixed$" "$work/mixed.yaml" && grep -q "^  cells: $CELLS$" "$work/double.yaml" ||
    { echo "$0: could not derive the graphs from graphs/md/lj-liquid.yaml" >&2; exit 1; }

# the GROMACS inputs: one .tpr per binary (a .tpr of one precision is read by the other, but
# grompp of each keeps every peer self-contained)
awk -v n="$CELLS" -f "$top/bench/peers/argon/fcc-g96.awk" >"$work/fcc.g96"
sed "s/^nsteps .*/nsteps                  = $STEPS/" "$top/bench/peers/argon/argon.mdp" >"$work/argon.mdp"
sed "s/^AR  32000$/AR  $natoms/" "$top/bench/peers/argon/argon.top" >"$work/argon.top"
peers=""
for p in ${PEERS:-gmx gmx_d native}; do
    case $p in
    gmx) bin=$GMX ;;
    gmx_d) bin=$GMX_D ;;
    native) bin=$GMX_NATIVE ;;
    *) echo "$0: unknown peer '$p'" >&2; exit 2 ;;
    esac
    [ -n "$bin" ] && command -v "$bin" >/dev/null 2>&1 || { echo "# $p: '$bin' not found, skipped"; continue; }
    mkdir -p "$work/$p"
    (cd "$work/$p" && "$bin" grompp -maxwarn 1 -f ../argon.mdp -c ../fcc.g96 -p ../argon.top -o argon.tpr) \
        >"$work/$p/grompp.log" 2>&1 || { echo "$0: $bin grompp failed:" >&2; tail -20 "$work/$p/grompp.log" >&2; exit 1; }
    eval "bin_$p=\$bin"
    peers="$peers $p"
done

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "# bench/md/gromacs.sh: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), commit $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo ?)"
echo "# machine: CPU ${cpu:-?}, nproc $(nproc); $NP cores used; $natoms atoms, $STEPS steps, $REPS reps, alternating"
echo "# stardag: $STARDAG ($("$STARDAG" --version 2>&1 | tr '\n' ' '))"
for p in $peers; do
    eval "bin=\$bin_$p"
    echo "# $p: $bin: $("$bin" --version 2>/dev/null | grep -E 'GROMACS version|Precision|SIMD instructions' | sed 's/  */ /g' | tr '\n' ';')"
done
echo "# load: $(uptime)"

stats() { sort -g | awk '{ t[NR] = $1 } END { if (!NR) exit 1; m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
                                            printf "%.6g %.6g %.6g\n", m, t[1], t[NR] }'; }
run_stardag() { # $1: double | mixed -> seconds of the step loop
    (cd "$work" && "$STARDAG" run "$work/$1.yaml" --ncpu "$NP" --steps "$STEPS" --out "$work/sd.h5") >"$work/sd.out" 2>&1 ||
        { echo "stardag ($1) failed:" >&2; tail -30 "$work/sd.out" >&2; exit 1; }
    rm -f "$work/sd.h5" "$work/sd.xmf" "$work/sd.log"
    cp "$work/sd.out" "$work/sd-$1.out"
    grep "^stardag: .* $STEPS steps in " "$work/sd.out" | sed -n 's/.* steps in \([0-9.e+-]*\) s (.*/\1/p'
}
run_gmx() { # $1: peer -> wall seconds of the MD loop
    eval "bin=\$bin_$1"
    (cd "$work/$1" && rm -f md.log && "$bin" mdrun -s argon.tpr -nt "$NP" -ntmpi 1 -ntomp "$NP" -pin off -noconfout -g md.log) \
        >"$work/$1/mdrun.out" 2>&1 || { echo "$1 mdrun failed:" >&2; tail -30 "$work/$1/mdrun.out" >&2; exit 1; }
    awk '$1 == "Time:" { print $3 }' "$work/$1/md.log"
}

for r in $(seq 1 "$REPS"); do
    line="run $r:"
    for c in double mixed; do
        t=$(run_stardag $c)
        [ -n "$t" ] || { echo "$0: no step time in stardag's summary" >&2; exit 1; }
        echo "$t" >>"$work/t.$c"
        line="$line stardag-$c $(awk -v t="$t" -v s="$STEPS" 'BEGIN { printf "%.3f", 1e3 * t / s }')"
    done
    for p in $peers; do
        t=$(run_gmx "$p")
        [ -n "$t" ] || { echo "$0: no wall time in $p's md.log" >&2; exit 1; }
        echo "$t" >>"$work/t.$p"
        line="$line $p $(awk -v t="$t" -v s="$STEPS" 'BEGIN { printf "%.3f", 1e3 * t / s }')"
    done
    echo "$line  (ms/step)"
done

echo "#  the last runs' last energies: stardag per atom in epsilon (step temp epair etotal press ke), GROMACS"
echo "#  in kJ/mol for all atoms (epair x natoms x 0.996 = LJ (SR)); their velocities differ (own generators)"
for c in double mixed; do
    awk -v c="$c" '/^ *step +temp/ { n = 1; next } n && $1 ~ /^[0-9]+$/ { r = $0 } END { printf "#    stardag %s: %s\n", c, r }' \
        "$work/sd-$c.out"
done
for p in $peers; do
    awk -v p="$p" '/A V E R A G E S/ { exit } /^ *Step *Time/ { getline; s = $1 } /LJ \(SR\)/ { getline; e = $1 }
                   END { printf "#    %s step %s: LJ (SR) %s kJ/mol\n", p, s, e }' "$work/$p/md.log"
done
base=$(stats <"$work/t.double" | cut -d' ' -f1)
echo "## $natoms atoms, $STEPS steps, $NP cores: ms/step, median [min-max] of $REPS; speed relative to stardag double (> 1: faster)"
echo "| program | ms/step | relative speed |"
echo "|---|---|---|"
for c in double mixed $peers; do
    case $c in double | mixed) name="stardag $c" ;; *) name=$c ;; esac
    # shellcheck disable=SC2046
    set -- $(stats <"$work/t.$c")
    awk -v n="$name" -v m="$1" -v a="$2" -v b="$3" -v s="$STEPS" -v base="$base" \
        'BEGIN { printf "| %s | %.3f [%.3f-%.3f] | %.2f |\n", n, 1e3 * m / s, 1e3 * a / s, 1e3 * b / s, base / m }'
done
echo "# load at end: $(uptime)"
