#!/bin/sh
# bench/transport/halo.sh - psi's halo exchanges, sparse (bounded by occ, the default) against dense
# (STARDAG_HALO_DENSE=1), on pencil beams at several tilings: the whole run's ms/step and the halo
# pack and unpack tasks' mean time, REPS runs of each, the two modes alternating; median (min-max).
#
#   sh bench/transport/halo.sh
# Environment: BUILDDIR (default: _build next to this folder), REPS (5), NPROC (2), GRAPHS
#   (default "demo seed40": graphs/transport/pencil-70MeV.yaml, 41 x 90 cells x 61 x 150 bins, 90
#   steps; graphs/transport/seed-40x40x72x200.yaml, 45 steps), TILES (default "1x1 1x2 1x4 2x1 2x2":
#   tiles along x and z, each --tiles CEIL(NX/a)xCEIL(NZ/b)).
# Both modes give the same bits (tests/t_transport_run.sh); the first run of each mode checks it here
# too (stardag compare of the dose).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
B=${BUILDDIR:-$top/_build}
SD=$B/stardag
REPS=${REPS:-5}
NP=${NPROC:-2}
GRAPHS=${GRAPHS:-"demo seed40"}
TILES=${TILES:-"1x1 1x2 1x4 2x1 2x2"}
[ -x "$SD" ] || { echo "halo.sh: $SD not built" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdhalo.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
STARPU_HOME=$tmp/starpu; export STARPU_HOME
mkdir -p "$STARPU_HOME"
STARPU_WORKERS_NOBIND=1; export STARPU_WORKERS_NOBIND
unset STARPU_SCHED STARPU_NCPU STARDAG_HALO_DENSE 2>/dev/null || true

stats() { sort -g | awk '{v[NR]=$1} END {if (NR==0) {print "nan"; exit}
  m = NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2; printf "%.3g (%.3g-%.3g)\n", m, v[1], v[NR]}'; }

graph_of() {
  case $1 in
    demo) echo "$top/graphs/transport/pencil-70MeV.yaml 41 90 check_every=10" ;;   # totals every 10 steps, as seed40
    seed40) echo "$top/graphs/transport/seed-40x40x72x200.yaml 40 40 nx=40" ;;
    *) echo "halo.sh: unknown graph '$1' (demo seed40)" >&2; exit 2 ;;
  esac
}

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1), $NP workers, commit $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "# graph tiles mode: ms/step | halo pack us | halo unpack us  (median (min-max) of $REPS)"
for name in $GRAPHS; do
  set -- $(graph_of "$name")
  g=$1 nx=$2 nz=$3 set1=$4
  for tl in $TILES; do
    a=${tl%x*} b=${tl#*x}
    tiles="$(( (nx + a - 1) / a ))x$(( (nz + b - 1) / b ))"
    for r in $(seq "$REPS"); do
      for mode in sparse dense; do
        out=$tmp/$name-$tl-$mode
        if [ "$mode" = dense ]; then dense=1; else dense=0; fi
        env STARDAG_HALO_DENSE=$dense "$SD" run "$g" --ncpu "$NP" --tiles "$tiles" --set "$set1" \
          --out "$out.h5" --overwrite > "$out.txt" 2>&1 || { cat "$out.txt" >&2; exit 1; }
        sed -n 's/.*steps in .* (\([0-9.]*\) ms\/step.*/\1/p' "$out.txt" >> "$out.ms"
        awk '$1 == "halo" && $2 == "pack" { print $6 }' "$out.txt" >> "$out.pack"
        awk '$1 == "halo" && $2 == "unpack" { print $6 }' "$out.txt" >> "$out.unpack"
      done
      if [ "$r" = 1 ]; then
        "$SD" compare "$tmp/$name-$tl-sparse.h5" "$tmp/$name-$tl-dense.h5" --quiet >/dev/null ||
          { echo "halo.sh: $name $tiles: sparse and dense exchanges differ" >&2; exit 1; }
      fi
    done
    for mode in sparse dense; do
      out=$tmp/$name-$tl-$mode
      echo "$name $tiles $mode: $(stats < "$out.ms") | $(stats < "$out.pack") | $(stats < "$out.unpack")"
    done
  done
done
