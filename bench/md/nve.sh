#!/bin/sh
# bench/md/nve.sh - the issue's full-size NVE run: 32,000 Lennard-Jones atoms (LAMMPS' in.lj
# system, energy-shifted so that total energy is a conserved quantity), velocity Verlet, dt 0.005,
# 10,000 steps, neighbour lists rebuilt as soon as a particle moved more than skin/2
# (tests/data/md-lj.yaml at cells=20). Prints the total energy every 100 steps, its largest
# relative deviation from step 0 and the least-squares drift over the run (target <= 1e-4).
# --precision mixed runs the mixed-precision path (domain.particles.precision: mixed).
#   sh bench/md/nve.sh [--cells N] [--steps N] [--precision double|mixed]        env: BUILDDIR, STARDAG
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
CELLS=20
STEPS=10000
PREC=double
while [ $# -gt 0 ]; do
    case $1 in
    --cells) CELLS=$2; shift 2 ;;
    --steps) STEPS=$2; shift 2 ;;
    --precision) PREC=$2; shift 2 ;;
    *) echo "usage: sh bench/md/nve.sh [--cells N] [--steps N] [--precision double|mixed]" >&2; exit 2 ;;
    esac
done
. "$here/find-stardag.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export STARPU_HOME="$tmp" STARPU_WORKERS_NOBIND=1 STARPU_SILENT=1
echo "# nve.sh: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)," \
     "commit $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)"
sed "s/^\(    neighbor: .*\)\$/\1\n    precision: $PREC/" "$top/tests/data/md-lj.yaml" >"$tmp/md-lj.yaml"
grep -q "^    precision: $PREC\$" "$tmp/md-lj.yaml" || { echo "$0: could not set the precision" >&2; exit 1; }
echo "# $STARDAG run tests/data/md-lj.yaml (precision: $PREC) --set cells=$CELLS --set thermo=100 --set drift_tol=1 --steps $STEPS"
(cd "$tmp" && "$STARDAG" run "$tmp/md-lj.yaml" --set cells="$CELLS" --set thermo=100 --set drift_tol=1 \
    --steps "$STEPS" --out "$tmp/nve.h5") | grep -E "ms/step|rebuilds" | sed 's/^/# /'
h5dump -m %.17g -y -w 0 -d /scalars/etotal "$tmp/nve.h5" | sed -n '/DATA {/,/}/p' | sed '1d;$d' | tr ',' '\n' |
    sed 's/ //g;/^$/d' | awk -v every=100 '
    { e[NR] = $1 }
    END {
        n = NR; e0 = e[1]; worst = 0
        for (i = 1; i <= n; i++) { d = (e[i] - e0) / e0; if (d < 0) d = -d; if (d > worst) worst = d }
        sx = sy = sxx = sxy = 0
        for (i = 1; i <= n; i++) { x = (i - 1) * every; sx += x; sy += e[i]; sxx += x * x; sxy += x * e[i] }
        slope = (n * sxy - sx * sy) / (n * sxx - sx * sx); span = (n - 1) * every
        rel = slope * span / e0; if (rel < 0) rel = -rel
        printf "etotal per atom: step 0 %.12f, step %d %.12f (%d samples)\n", e0, span, e[n], n
        printf "largest |E - E(0)| / |E(0)|: %.3g\n", worst
        printf "least-squares drift over the run, relative: %.3g (target <= 1e-4): %s\n", rel, rel <= 1e-4 ? "met" : "NOT met"
    }'
